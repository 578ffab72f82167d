package verify_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/verify"
)

// A large file signed with signHash: the page posts {pkcs7, hashHex} and
// uploads the file; the server checks the signature against the digest,
// then the stored file against the digest, and refuses a file that is not
// the one signed.
func ExampleVerifier_VerifyHash() {
	pki, _ := testpki.New()
	user, _ := pki.Issue(testpki.Physical, testpki.P256, 1)
	file := bytes.Repeat([]byte("katta hujjat\n"), 100000)

	// In the browser: hash the file, sign the 32 digest bytes (detached).
	sum := sha256.Sum256(file)
	sd, _ := cms.Sign(sum[:], true, cms.Signer{Key: user.Key, Certificate: user.Cert, Chain: []*x509.Certificate{pki.CA}})
	pkcs7, _ := sd.Marshal()
	hashHex := hex.EncodeToString(sum[:])

	// On the server.
	v := verify.New(verify.WithRoots(pki.Root))
	digest, err := verify.ParseSHA256Hex(hashHex)
	if err != nil {
		fmt.Println("bad hashHex:", err) // HASH_MALFORMED, HASH_LENGTH_INVALID
		return
	}
	rep, err := v.VerifyHash(context.Background(), pkcs7, digest)
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	fmt.Println(rep.Indication, rep.HashForm, rep.Signers[0].Identity.PINFL)

	stored := bytes.NewReader(file) // the uploaded file, as stored
	fmt.Println("stored file matches:", verify.MatchSHA256(stored, digest) == nil)

	tampered := bytes.NewReader(append(bytes.Clone(file), '!'))
	var ve *verify.Error
	if err := verify.MatchSHA256(tampered, digest); errors.As(err, &ve) {
		fmt.Println("another file:", ve.Code)
	}
	// Output:
	// TOTAL_PASSED content 30201900000001
	// stored file matches: true
	// another file: DATA_MISMATCH
}
