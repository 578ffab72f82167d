package verify_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/verify"
	"github.com/smallstep/pkcs7"
)

// sha1CMS is a detached CMS over content whose signer digests with SHA-1
// (smallstep/pkcs7's default), which the verifier refuses.
func sha1CMS(t *testing.T, w *world, content []byte) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSignerChain(w.rsa.Cert, w.rsa.Key, []*x509.Certificate{w.pki.CA}, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestVerifyHash(t *testing.T) {
	w := newWorld(t)
	p := w.pki
	document := bytes.Repeat([]byte("katta fayl "), 1000)
	sum := sha256.Sum256(document)
	other := sha256.Sum256([]byte("another file"))
	signDigest := func(s cms.Signer) []byte {
		sd, err := cms.SignDigest(sum[:], cms.Options{}, s)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := sd.Marshal()
		return der
	}
	tests := []struct {
		name string
		der  []byte
		sum  []byte
		want want
		form string
	}{
		// signHash's form: the content is the 32 digest bytes.
		{"signHash form, RSA", sign(t, sum[:], true, signer(w.rsa, p)), sum[:], want{}, verify.HashAsContent},
		{"signHash form, ECDSA SHA-512", sign(t, sum[:], true, signer(w.ec, p, func(s *cms.Signer) { s.Hash = crypto.SHA512 })), sum[:], want{}, verify.HashAsContent},
		{"signHash form, time-stamped", w.stamp(t, sign(t, sum[:], true, signer(w.legal, p))), sum[:], want{level: "T"}, verify.HashAsContent},
		// A detached signature of the document itself, by its digest.
		{"document's message digest", signDigest(signer(w.ec, p)), sum[:], want{}, verify.HashAsMessageDigest},
		{"document's message digest, RSA-PSS", sign(t, document, true, signer(w.rsa, p, func(s *cms.Signer) { s.PSS = true })), sum[:], want{}, verify.HashAsMessageDigest},
		{"document's, no signed attributes", sign(t, document, true, signer(w.rsa, p, func(s *cms.Signer) { s.NoAttributes = true })), sum[:], want{}, verify.HashAsMessageDigest},
		{"signHash form, no signed attributes", sign(t, sum[:], true, signer(w.ec, p, func(s *cms.Signer) { s.NoAttributes = true })), sum[:], want{}, verify.HashAsContent},
		// Hostile.
		{"another file's digest", sign(t, sum[:], true, signer(w.rsa, p)), other[:], want{verify.CodeDigestMismatch, verify.TotalFailed, verify.SubHashFailure, ""}, verify.HashAsContent},
		{"another file's digest, document form", signDigest(signer(w.ec, p)), other[:], want{verify.CodeDigestMismatch, verify.TotalFailed, verify.SubHashFailure, ""}, verify.HashAsContent},
		{"document signed with SHA-384", sign(t, document, true, signer(w.ec, p, func(s *cms.Signer) { s.Hash = crypto.SHA384 })), sum[:],
			want{verify.CodeDigestMismatch, verify.TotalFailed, verify.SubHashFailure, ""}, verify.HashAsContent},
		{"second signer digests with SHA-384", sign(t, document, true, signer(w.ec, p), signer(w.rsa, p, func(s *cms.Signer) { s.Hash = crypto.SHA384 })), sum[:],
			want{code: verify.CodeHashAlgorithm}, ""},
		{"SHA-1 signer", sha1CMS(t, w, sum[:]), sum[:], want{verify.CodeUnsupported, verify.Indeterminate, verify.SubCryptoConstraints, ""}, verify.HashAsContent},
		{"attached CMS", sign(t, sum[:], false, signer(w.rsa, p)), sum[:], want{code: verify.CodeNotDetached}, ""},
		{"a SHA-1-sized digest", sign(t, sum[:], true, signer(w.rsa, p)), sum[:20], want{code: verify.CodeHashLength}, ""},
		{"no digest", sign(t, sum[:], true, signer(w.rsa, p)), nil, want{code: verify.CodeHashLength}, ""},
		{"not a CMS", []byte("hello"), sum[:], want{code: verify.CodeMalformed}, ""},
	}
	for _, tt := range tests {
		rep, err := w.verifier().VerifyHash(context.Background(), tt.der, tt.sum)
		check(t, tt.name, rep, err, tt.want)
		if rep != nil && rep.HashForm != tt.form {
			t.Errorf("%s: form %q, want %q", tt.name, rep.HashForm, tt.form)
		}
		if rep != nil && rep.DataSHA256 != strings.ToLower(hexOf(tt.sum)) {
			t.Errorf("%s: dataSha256 %s", tt.name, rep.DataSHA256)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestParseSHA256Hex(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	tests := []struct {
		in   string
		code verify.Code // "" = accepted
	}{
		{hexOf(sum[:]), ""},
		{" " + strings.ToUpper(hexOf(sum[:])) + "\n", ""},
		{hexOf(sum[:20]), verify.CodeHashLength},
		{hexOf(append(sum[:], sum[:16]...)), verify.CodeHashLength}, // 48 bytes
		{hexOf(sum[:]) + "0", verify.CodeHashMalformed},             // odd length
		{strings.Repeat("zz", 32), verify.CodeHashMalformed},
		{"", verify.CodeHashLength},
	}
	for _, tt := range tests {
		got, err := verify.ParseSHA256Hex(tt.in)
		var ve *verify.Error
		switch {
		case tt.code == "" && (err != nil || !bytes.Equal(got, sum[:])):
			t.Errorf("%q: %x %v", tt.in, got, err)
		case tt.code != "" && (!errors.As(err, &ve) || ve.Code != tt.code):
			t.Errorf("%q: %v, want %s", tt.in, err, tt.code)
		}
	}
}

func TestMatchSHA256(t *testing.T) {
	stored := bytes.Repeat([]byte{7}, 1<<20)
	sum := sha256.Sum256(stored)
	if err := verify.MatchSHA256(bytes.NewReader(stored), sum[:]); err != nil {
		t.Errorf("the stored file: %v", err)
	}
	changed := bytes.Clone(stored)
	changed[len(changed)-1] ^= 1
	tests := []struct {
		name string
		err  error
		code verify.Code
	}{
		{"one byte changed", verify.MatchSHA256(bytes.NewReader(changed), sum[:]), verify.CodeDigestMismatch},
		{"truncated", verify.MatchSHA256(bytes.NewReader(stored[:1000]), sum[:]), verify.CodeDigestMismatch},
		{"short digest", verify.MatchSHA256(bytes.NewReader(stored), sum[:31]), verify.CodeHashLength},
	}
	for _, tt := range tests {
		var ve *verify.Error
		if !errors.As(tt.err, &ve) || ve.Code != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, tt.err, tt.code)
		}
	}
	readErr := errors.New("disk gone")
	if err := verify.MatchSHA256(iotest.ErrReader(readErr), sum[:]); !errors.Is(err, readErr) {
		t.Errorf("a failing reader: %v", err)
	}
}
