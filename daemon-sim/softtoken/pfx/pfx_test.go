package pfx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/web/crypto/gost"
	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
	"software.sslmate.com/src/go-pkcs12"
)

// gostIdentity is a GOST CA and a user certificate it issued.
func gostIdentity(t testing.TB) (*gost.PrivateKey, *x509.Certificate, *x509.Certificate) {
	t.Helper()
	caKey, _ := gost.GenerateKey(gost.CurveA(), rand.Reader)
	userKey, _ := gost.GenerateKey(gost.CurveA(), rand.Reader)
	now := time.Now()
	mk := func(tmpl, parent *x509.Certificate, pub *gost.PublicKey, key *gost.PrivateKey) *x509.Certificate {
		der, err := gostcert.Create(rand.Reader, tmpl, parent, pub, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	caT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "TEST GOST CA"}, NotBefore: now, NotAfter: now.Add(time.Hour),
		BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign}
	ca := mk(caT, caT, caKey.PublicKey(), caKey)
	userT := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "TEST GOST USER"}, NotBefore: now, NotAfter: now.Add(time.Hour)}
	return userKey, mk(userT, ca, userKey.PublicKey(), caKey), ca
}

func TestGOSTRoundTrip(t *testing.T) {
	key, cert, ca := gostIdentity(t)
	data, err := Encode(key, cert, []*x509.Certificate{ca}, "sir-ƒ✓")
	if err != nil {
		t.Fatal(err)
	}
	got, gotCert, chain, err := Decode(data, "sir-ƒ✓")
	if err != nil {
		t.Fatal(err)
	}
	if !key.Equal(got) || !gotCert.Equal(cert) || len(chain) != 1 || !chain[0].Equal(ca) {
		t.Fatalf("decoded %T, %v, %d in the chain", got, gotCert.Subject, len(chain))
	}
	// go-pkcs12 checks our MAC (a wrong password is its ErrIncorrectPassword,
	// the right one gets as far as the key it cannot parse).
	if _, _, _, err := pkcs12.DecodeChain(data, "sir-ƒ✓"); err == nil || errors.Is(err, pkcs12.ErrIncorrectPassword) {
		t.Errorf("go-pkcs12 with the right password: %v", err)
	}
	tests := []struct {
		name     string
		data     []byte
		password string
		want     error
	}{
		{"wrong password", data, "sir", ErrIncorrectPassword},
		{"empty password", data, "", ErrIncorrectPassword},
		{"a flipped bit in the key bag", flip(data, len(data)/3), "sir-ƒ✓", nil},
		{"truncated", data[:len(data)-10], "sir-ƒ✓", nil},
		{"not PKCS#12", []byte("hello"), "sir-ƒ✓", nil},
	}
	for _, tt := range tests {
		_, _, _, err := Decode(tt.data, tt.password)
		if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

// TestReadsOtherTools: this package's reader opens what OpenSSL 3 and
// go-pkcs12 write (PBES2 certificate bags in EncryptedData, their MAC),
// so its MAC, key derivation and PBES2 are the standard ones.
func TestReadsOtherTools(t *testing.T) {
	openssl, err := os.ReadFile(filepath.Join("..", "testdata", "OPENSSL3DEFAULT.pfx"))
	if err != nil {
		t.Fatal(err)
	}
	if _, cert, _, err := decode(openssl, "openssl3"); err != nil || cert.Subject.CommonName != "OPENSSL TEST FUQARO" {
		t.Errorf("OpenSSL 3 default file: %v", err)
	}
	if _, _, _, err := decode(openssl, "wrong"); !errors.Is(err, ErrIncorrectPassword) {
		t.Errorf("OpenSSL 3 file, wrong password: %v", err)
	}
	legacy, _ := os.ReadFile(filepath.Join("..", "testdata", "OPENSSL3LEGACY.pfx"))
	if _, _, _, err := decode(legacy, "legacy1"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("legacy file (SHA-1 MAC, RC2, 3DES): %v", err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(3), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ecKey.Public(), ecKey)
	ec, _ := x509.ParseCertificate(der)
	modern, err := Encode(ecKey, ec, nil, "p")
	if err != nil {
		t.Fatal(err)
	}
	if k, _, _, err := decode(modern, "p"); err != nil || !ecKey.Equal(k) {
		t.Errorf("go-pkcs12 Modern file: %v", err)
	}
	// And Decode takes every one of them.
	for name, f := range map[string]struct {
		data []byte
		pw   string
	}{"openssl": {openssl, "openssl3"}, "legacy": {legacy, "legacy1"}, "modern": {modern, "p"}} {
		if _, _, _, err := Decode(f.data, f.pw); err != nil {
			t.Errorf("Decode %s: %v", name, err)
		}
	}
}

// TestOpenSSLReadsGOSTFile: OpenSSL 3 (without a GOST provider) verifies
// the MAC, decrypts the key bag and lists the certificates.
func TestOpenSSLReadsGOSTFile(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	key, cert, ca := gostIdentity(t)
	data, err := Encode(key, cert, []*x509.Certificate{ca}, "test1234")
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "gost.pfx")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "pkcs12", "-in", f, "-info", "-nokeys", "-passin", "pass:test1234").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl pkcs12 -info: %v\n%s", err, out)
	}
	for _, want := range []string{"MAC: sha256, Iteration 2048", "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256",
		"subject=CN = TEST GOST USER", "subject=CN = TEST GOST CA"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("%q not in:\n%s", want, out)
		}
	}
	// It decrypts the key bag to a PrivateKeyInfo of the O'zDSt 1092 key
	// algorithm, which it then cannot use.
	out, _ = exec.Command("openssl", "pkcs12", "-in", f, "-nocerts", "-nodes", "-passin", "pass:test1234").CombinedOutput()
	if !strings.Contains(string(out), "TYPE=1.2.860.3.15.1.1.2.1") {
		t.Errorf("openssl did not decrypt the key bag:\n%s", out)
	}
	if out, err := exec.Command("openssl", "pkcs12", "-in", f, "-info", "-nokeys", "-passin", "pass:wrong").CombinedOutput(); err == nil {
		t.Errorf("openssl took a wrong password:\n%s", out)
	}
}

func FuzzDecode(f *testing.F) {
	key, cert, ca := gostIdentity(f)
	data, err := Encode(key, cert, []*x509.Certificate{ca}, "f")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, name := range []string{"OPENSSL3DEFAULT.pfx", "OPENSSL3LEGACY.pfx"} {
		b, _ := os.ReadFile(filepath.Join("..", "testdata", name))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		// The key files of the keys folder come from users: the reader
		// must refuse garbage with an error, never a panic.
		k, c, _, err := decode(in, "f")
		if err == nil && (k == nil || c == nil || !gostcert.HasPublicKey(c, k.Public())) {
			t.Fatal("decoded without a matching key and certificate")
		}
	})
}
