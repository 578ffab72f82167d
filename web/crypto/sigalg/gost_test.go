package sigalg_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

func realCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "gost", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGOSTCertificates checks the real E-IMZO chain (national root → YT CA
// → user) through the registry, and what a registry without GOST says.
func TestGOSTCertificates(t *testing.T) {
	root, ca, user := realCert(t, "cert-root-575a613a.der"), realCert(t, "cert-ca-yt-5b0be307.der"), realCert(t, "cert-user-777a2a2b.der")
	reg := sigalg.Default()
	tests := []struct {
		name          string
		reg           *sigalg.Registry
		child, parent *x509.Certificate
		want          error
	}{
		{"user by YT CA", reg, user, ca, nil},
		{"YT CA by the root", reg, ca, root, nil},
		{"the root by itself", reg, root, root, nil},
		{"user by the root", reg, user, root, gost.ErrVerification},
		{"YT CA by itself", reg, ca, ca, sigalg.ErrInvalid},
		{"user by YT CA, no GOST", sigalg.Standard(), user, ca, sigalg.ErrUnsupported},
	}
	for _, tt := range tests {
		err := tt.reg.CheckCertificate(tt.child, tt.parent)
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if reg.Name(gost.OIDSignature) != gost.SignatureAlgorithmName || reg.Name(gost.OIDCryptoProDigest) != sigalg.NameGOSTDigest {
		t.Error("GOST names")
	}
}

func TestSigningFor(t *testing.T) {
	reg := sigalg.Default()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	gostKey, _ := gost.GenerateKey(gost.CurveA(), rand.Reader)
	tests := []struct {
		name   string
		pub    crypto.PublicKey
		h      crypto.Hash
		pss    bool
		alg    string // signatureAlgorithm OID; "" for an error
		digest string
		size   int
	}{
		{"RSA", rsaKey.Public(), 0, false, sigalg.OIDSHA256WithRSA.String(), sigalg.OIDSHA256.String(), 256},
		{"RSA-PSS SHA-384", rsaKey.Public(), crypto.SHA384, true, sigalg.OIDRSASSAPSS.String(), sigalg.OIDSHA384.String(), 256},
		{"ECDSA SHA-512", ecKey.Public(), crypto.SHA512, false, sigalg.OIDECDSAWithSHA512.String(), sigalg.OIDSHA512.String(), 0},
		{"GOST ignores the hash", gostKey.Public(), crypto.SHA512, false, gost.OIDSignature.String(), gost.OIDDigest.String(), 64},
		{"SHA-1", rsaKey.Public(), crypto.SHA1, false, "", "", 0},
		{"Ed25519-like unknown key", "not a key", 0, false, "", "", 0},
	}
	for _, tt := range tests {
		s, err := reg.SigningFor(tt.pub, tt.h, tt.pss)
		if tt.alg == "" {
			if err == nil {
				t.Errorf("%s: no error", tt.name)
			}
			continue
		}
		if err != nil || s.Algorithm.Algorithm.String() != tt.alg || s.Hash.OID.String() != tt.digest || s.Size != tt.size {
			t.Errorf("%s: %+v %v", tt.name, s, err)
		}
	}
	// A GOST signature made as SigningFor says verifies as the registry says.
	s, _ := reg.SigningFor(gostKey.Public(), 0, false)
	d := gost94.Sum([]byte("imzo"))
	sig, err := gostKey.Sign(rand.Reader, d[:], s.Opts)
	if err != nil || len(sig) != s.Size {
		t.Fatalf("%d bytes, %v", len(sig), err)
	}
	if _, err := sigalg.Standard().SigningFor(gostKey.Public(), 0, false); !errors.Is(err, sigalg.ErrUnsupported) {
		t.Errorf("GOST signing without the GOST digest: %v", err)
	}
}
