package verify_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/verify"
)

// The real E-IMZO message of web/crypto/gost/testdata: attached, BER, GOST R
// 34.10-2001 on CryptoPro-A, user ← YT CA (no key identifiers) ← national
// root, signed 2020-07-12; the certificates expired in 2022.

func gostData(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "crypto", "gost", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var insideValidity = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

func nationalRoot(t testing.TB) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(gostData(t, "cert-root-575a613a.der"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRealEIMZOReport(t *testing.T) {
	msg := gostData(t, "eimzo-pkcs7-attached-777a2a2b.p7b")
	v := verify.New(verify.WithRoots(nationalRoot(t)), verify.WithValidationTime(insideValidity))
	rep, err := v.Verify(context.Background(), msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indication != verify.TotalPassed || rep.Level != "B" || !bytes.Equal(rep.Content, gostData(t, "eimzo-pkcs7-attached-777a2a2b.content.bin")) {
		t.Fatalf("%s level %q", rep.Indication, rep.Level)
	}
	s := rep.Signers[0]
	id := s.Identity
	if id.FullName != "YUSUPOV ABDULATIF ESHMUROD O‘G‘LI" || id.PINFL != "31707905590011" || id.TIN != "547332631" ||
		id.Surname != "YUSUPOV" || id.GivenName != "ABDULATIF" || id.OrgTIN != "" {
		t.Errorf("identity %+v", id)
	}
	if s.SerialNumber != "777a2a2b" || s.SignatureAlgorithm != "OZDST-1106-2009-2-AwithOZDST-1092-2009-2" ||
		s.DigestAlgorithm != "O'zDSt 1106:2009 (GOST R 34.11-94, CryptoPro S-box)" ||
		s.Digest != "c91c528764030f4166afa1013172015f316852182c70aa964374f3e96d143ed0" || len(s.Signature) != 128 {
		t.Errorf("signer %s, %s / %s, digest %s, signature %d hex", s.SerialNumber, s.SignatureAlgorithm, s.DigestAlgorithm, s.Digest, len(s.Signature))
	}
	if s.TimeSource != "signing-time" || !s.BestSignatureTime.Equal(time.Date(2020, 7, 12, 19, 14, 1, 0, time.UTC)) {
		t.Errorf("time %s %v", s.TimeSource, s.BestSignatureTime)
	}
	if len(s.Chain) != 3 || !s.Chain[2].TrustAnchor || s.Chain[1].SerialNumber != "5b0be307" || s.Chain[2].SerialNumber != "575a613a" {
		t.Errorf("chain %+v", s.Chain)
	}
	// The BER message re-encoded as DER verifies the same.
	sd, _ := cms.Parse(msg)
	der, _ := sd.Marshal()
	if _, err := v.Verify(context.Background(), der, nil); err != nil {
		t.Errorf("DER: %v", err)
	}
	// Given the content as detached data, it must be the same.
	if _, err := v.Verify(context.Background(), msg, rep.Content); err != nil {
		t.Errorf("with its data: %v", err)
	}
}

// TestRealEIMZOErrors changes one thing at a time: a bit of the content, of
// the signed attributes, of the signature, of the user's and of the CA's
// certificate, the trust anchors and the validation time.
func TestRealEIMZOErrors(t *testing.T) {
	orig := gostData(t, "eimzo-pkcs7-attached-777a2a2b.p7b")
	sd, _ := cms.Parse(orig)
	si, user, ca := sd.Signers[0], sd.Certificates[0], sd.Certificates[1]
	signedAttrs := si.SignedBytes()[2:]
	at := func(b []byte, off int) int {
		i := bytes.Index(orig, b)
		if i < 0 || bytes.Index(orig[i+1:], b) >= 0 {
			t.Fatalf("marker not unique")
		}
		return i + off
	}
	root := nationalRoot(t)
	mvd, _ := x509.ParseCertificate(gostData(t, "cert-mvd-3935ac8c20665b6cf8d8aa37.der"))
	ok := verify.New(verify.WithRoots(root), verify.WithValidationTime(insideValidity))
	tests := []struct {
		name string
		v    *verify.Verifier
		der  []byte
		data []byte
		want want
	}{
		{"content", ok, flip(orig, at(gostData(t, "eimzo-pkcs7-attached-777a2a2b.content.bin"), 20)), nil,
			want{verify.CodeDigestMismatch, verify.TotalFailed, verify.SubHashFailure, ""}},
		{"other data given", ok, orig, []byte("boshqa"), want{code: verify.CodeDigestMismatch}},
		{"signed attributes: signing time", ok, flip(orig, at(signedAttrs, 43)), nil,
			want{verify.CodeSignatureInvalid, verify.TotalFailed, verify.SubSigCryptoFailure, ""}},
		{"signed attributes: message digest", ok, flip(orig, at(signedAttrs, len(signedAttrs)-3)), nil,
			want{verify.CodeDigestMismatch, verify.TotalFailed, verify.SubHashFailure, ""}},
		{"signature s", ok, flip(orig, at(si.Signature, 1)), nil, want{verify.CodeSignatureInvalid, verify.TotalFailed, verify.SubSigCryptoFailure, ""}},
		{"signature r", ok, flip(orig, at(si.Signature, 60)), nil, want{verify.CodeSignatureInvalid, verify.TotalFailed, verify.SubSigCryptoFailure, ""}},
		{"user certificate: PINFL", ok, flip(orig, at([]byte("31707905590011"), 3)), nil,
			want{verify.CodeChainInvalid, verify.Indeterminate, verify.SubNoChainFound, ""}},
		{"user certificate: public key", ok, flip(orig, at(user.RawSubjectPublicKeyInfo, 40)), nil,
			want{verify.CodeSignatureInvalid, verify.TotalFailed, verify.SubSigCryptoFailure, ""}},
		{"user certificate: signature", ok, flip(orig, at(user.Raw, len(user.Raw)-5)), nil,
			want{verify.CodeChainInvalid, verify.Indeterminate, verify.SubNoChainFound, ""}},
		{"CA certificate: TBS", ok, flip(orig, at(ca.RawTBSCertificate, 500)), nil,
			want{verify.CodeChainInvalid, verify.Indeterminate, verify.SubNoChainFound, ""}},
		{"CA certificate: signature", ok, flip(orig, at(ca.Raw, len(ca.Raw)-5)), nil,
			want{verify.CodeChainInvalid, verify.Indeterminate, verify.SubNoChainFound, ""}},
		{"another trust anchor", verify.New(verify.WithRoots(mvd), verify.WithValidationTime(insideValidity)), orig, nil,
			want{verify.CodeChainInvalid, verify.Indeterminate, verify.SubNoChainFound, ""}},
		{"no trust anchor", verify.New(verify.WithValidationTime(insideValidity)), orig, nil,
			want{verify.CodeChainInvalid, verify.Indeterminate, verify.SubNoChainFound, ""}},
		{"validated before it was signed", verify.New(verify.WithRoots(root), verify.WithValidationTime(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))), orig, nil,
			want{verify.CodeSigningTime, verify.Indeterminate, verify.SubSigConstraints, ""}},
		{"valid", ok, orig, nil, want{level: "B"}},
	}
	for _, tt := range tests {
		rep, err := tt.v.Verify(context.Background(), tt.der, tt.data)
		check(t, tt.name, rep, err, tt.want)
	}
}
