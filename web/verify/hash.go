package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

// How a CMS checked by [Verifier.VerifyHash] covers the document whose
// SHA-256 digest was given (Report.HashForm).
const (
	// HashAsContent: the CMS is detached and its content is the 32 digest
	// bytes themselves. This is what the client's signHash makes (the file
	// is hashed in the browser, the daemon signs the digest): each signer's
	// message-digest attribute is its own digest (SHA-2, or GOST R 34.11-94
	// for an E-IMZO key) of those 32 bytes, so every key type works.
	HashAsContent = "content"
	// HashAsMessageDigest: the CMS is a detached signature of the document
	// itself, made with SHA-256: each signer's message-digest attribute
	// (RFC 5652 §11.2) is the digest given, so the signature is checked
	// without the document.
	HashAsMessageDigest = "messageDigest"
)

// ParseSHA256Hex reads the hex of a SHA-256 digest (either case, surrounding
// spaces ignored): HASH_MALFORMED when it is not hex, HASH_LENGTH_INVALID
// when it is not 32 bytes (a SHA-1, SHA-384 or SHA-512 digest is named as
// such in the message).
func ParseSHA256Hex(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, &Error{Code: CodeHashMalformed, Err: errors.New("the digest is not hex")}
	}
	if err := checkSHA256Size(b); err != nil {
		return nil, err
	}
	return b, nil
}

func checkSHA256Size(sum []byte) error {
	if len(sum) == sha256.Size {
		return nil
	}
	guess := map[int]string{20: " (a SHA-1 digest?)", 48: " (a SHA-384 digest?)", 64: " (a SHA-512 digest?)"}[len(sum)]
	return &Error{Code: CodeHashLength, Err: fmt.Errorf("a SHA-256 digest is %d bytes (%d hex digits), this one is %d%s",
		sha256.Size, 2*sha256.Size, len(sum), guess)}
}

// VerifyHash checks a detached CMS against the SHA-256 digest of a document
// the verifier does not have (a large file signed with signHash, whose
// bytes stay with the caller). The CMS may cover the digest in either of
// two ways, told apart by the first signer's message-digest attribute and
// reported in Report.HashForm: [HashAsMessageDigest] when that attribute is
// the digest given under SHA-256, else [HashAsContent] (the CMS verified
// with the 32 digest bytes as its detached content). Everything else is
// [Verifier.Verify]'s: signature, time-stamps, chain, revocation.
// Report.DataSHA256 is the digest given.
//
// Errors without a report: HASH_LENGTH_INVALID (sum is not 32 bytes),
// CMS_MALFORMED, CMS_NOT_DETACHED (an attached CMS carries its content:
// verify it with Verify), CMS_NO_SIGNER, and HASH_ALGORITHM_MISMATCH (the
// CMS is over the document, but a signer digested it with another
// algorithm than SHA-256, which the digest given cannot check). A digest
// that matches neither way is DATA_MISMATCH (HASH_FAILURE), with a report.
//
// The caller must still make sure the document it keeps is the one hashed:
// [MatchSHA256] compares a stored file with the digest.
func (v *Verifier) VerifyHash(ctx context.Context, der, sum []byte) (*Report, error) {
	if err := checkSHA256Size(sum); err != nil {
		return nil, err
	}
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, &Error{Code: CodeMalformed, Err: err}
	}
	return v.VerifyHashParsed(ctx, sd, sum)
}

// VerifyHashParsed is VerifyHash for a parsed CMS.
func (v *Verifier) VerifyHashParsed(ctx context.Context, sd *cms.SignedData, sum []byte) (*Report, error) {
	if err := checkSHA256Size(sum); err != nil {
		return nil, err
	}
	if !sd.Detached() {
		return nil, &Error{Code: CodeNotDetached, Err: errors.New("the CMS is attached: it carries the document, verify it without a digest")}
	}
	if len(sd.Signers) == 0 {
		return nil, &Error{Code: CodeNoSigner, Err: errors.New("no SignerInfo")}
	}
	sum = bytes.Clone(sum)
	if v.overDocument(sd, sum) {
		for i, si := range sd.Signers {
			if !si.DigestAlgorithm.Algorithm.Equal(sigalg.OIDSHA256) {
				return nil, &Error{Code: CodeHashAlgorithm, Err: fmt.Errorf("signer %d digested the document with %s; a SHA-256 digest cannot check it",
					i+1, v.reg.Name(si.DigestAlgorithm.Algorithm))}
			}
		}
		rep, err := v.verifySigners(ctx, sd, nil, sum, map[string][]byte{sigalg.OIDSHA256.String(): sum})
		rep.HashForm = HashAsMessageDigest
		return rep, err
	}
	rep, err := v.verifySigners(ctx, sd, sum, sum, map[string][]byte{})
	rep.HashForm = HashAsContent
	return rep, err
}

// overDocument tells whether sd's first signer signed the document whose
// SHA-256 is sum (HashAsMessageDigest): its message-digest attribute is
// sum under SHA-256, or, without signed attributes (RFC 5652 §5.4: the
// signature is over the content's digest), its signature verifies over sum.
func (v *Verifier) overDocument(sd *cms.SignedData, sum []byte) bool {
	si := sd.Signers[0]
	if !si.DigestAlgorithm.Algorithm.Equal(sigalg.OIDSHA256) {
		return false
	}
	if si.SignedBytes() != nil {
		md, err := si.MessageDigest()
		return err == nil && bytes.Equal(md, sum)
	}
	cert := si.Certificate(v.pool(sd))
	return cert != nil && si.CheckDigest(v.reg, cert, sd.ContentType, sum) == nil
}

// MatchSHA256 reads r to its end (a stored document) and tells whether its
// SHA-256 digest is sum, comparing in constant time: nil when it is,
// DATA_MISMATCH when it is not, HASH_LENGTH_INVALID for a sum that is not
// 32 bytes, and r's own error. With [Verifier.VerifyHash] it makes the
// check of a signHash upload: the signature is over sum, and sum is the
// document the server keeps.
func MatchSHA256(r io.Reader, sum []byte) error {
	if err := checkSHA256Size(sum); err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(h.Sum(nil), sum) != 1 {
		return &Error{Code: CodeDigestMismatch, Err: errors.New("the stored document's SHA-256 is not the signed digest")}
	}
	return nil
}
