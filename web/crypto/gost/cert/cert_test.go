package cert

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/web/crypto/gost"
)

func load(t testing.TB, name string) *Certificate {
	t.Helper()
	der, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(der)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

var inValidity = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

func TestParseReal(t *testing.T) {
	tests := []struct {
		file   string
		curve  *gost.Curve
		serial string
		pinfl  string
	}{
		{"cert-root-575a613a.der", gost.CurveA(), "575a613a", ""},
		{"cert-ca-yt-5b0be307.der", gost.CurveA(), "5b0be307", ""},
		{"cert-user-777a2a2b.der", gost.CurveA(), "777a2a2b", "31707905590011"},
		{"cert-user-77fb42f2.der", gost.CurveA(), "77fb42f2", "32707986730013"},
		{"cert-mvd-3935ac8c20665b6cf8d8aa37.der", gost.CurveC(), "3935ac8c20665b6cf8d8aa37", ""},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			c := load(t, tc.file)
			if c.Key == nil || c.Key.Curve() != tc.curve {
				t.Fatalf("key %v (%v), want curve %s", c.Key, c.KeyErr, tc.curve)
			}
			if c.SerialHex() != tc.serial {
				t.Errorf("serial %s", c.SerialHex())
			}
			if c.PINFL() != tc.pinfl {
				t.Errorf("PINFL %q", c.PINFL())
			}
			if !gost.IsSignatureOID(c.SignatureOID) {
				t.Errorf("signature OID %s", c.SignatureOID)
			}
		})
	}
}

func TestRealChain(t *testing.T) {
	root, ca, user := load(t, "cert-root-575a613a.der"), load(t, "cert-ca-yt-5b0be307.der"), load(t, "cert-user-777a2a2b.der")
	if err := root.CheckSignatureFrom(root); err != nil {
		t.Fatalf("root self-signature: %v", err)
	}
	if err := ca.CheckSignatureFrom(root); err != nil {
		t.Fatalf("CA by root: %v", err)
	}
	if err := user.CheckSignatureFrom(ca); err != nil {
		t.Fatalf("user by CA: %v", err)
	}
	chain, err := user.Verify(VerifyOptions{Roots: []*Certificate{root}, Intermediates: []*Certificate{ca}, Time: inValidity})
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 3 || chain[1] != ca || chain[2] != root {
		t.Fatalf("chain %v", chain)
	}
	otherRoot := load(t, "cert-mvd-3935ac8c20665b6cf8d8aa37.der")
	tests := []struct {
		name string
		leaf *Certificate
		opts VerifyOptions
		want error
	}{
		{"expired now", user, VerifyOptions{Roots: []*Certificate{root}, Intermediates: []*Certificate{ca}, Time: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}, ErrExpired},
		{"before CA existed", user, VerifyOptions{Roots: []*Certificate{root}, Intermediates: []*Certificate{ca}, Time: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)}, ErrExpired},
		{"missing intermediate", user, VerifyOptions{Roots: []*Certificate{root}, Time: inValidity}, ErrUnknownAuthority},
		{"wrong root", user, VerifyOptions{Roots: []*Certificate{otherRoot}, Intermediates: []*Certificate{ca}, Time: inValidity}, ErrUnknownAuthority},
		{"no roots", user, VerifyOptions{Intermediates: []*Certificate{ca}, Time: inValidity}, ErrNoTrustAnchors},
		{"user is not a CA", user, VerifyOptions{Roots: []*Certificate{user}, Time: inValidity}, nil},
		{"CA to root", ca, VerifyOptions{Roots: []*Certificate{root}, Time: inValidity}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.leaf.Verify(tc.opts); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRealChainTampered flips one bit in each certificate's TBS and in
// its signature: the chain must fail.
func TestRealChainTampered(t *testing.T) {
	names := []string{"cert-user-777a2a2b.der", "cert-ca-yt-5b0be307.der"}
	for _, name := range names {
		for _, where := range []string{"tbs", "signature"} {
			t.Run(name+"/"+where, func(t *testing.T) {
				root, ca, user := load(t, "cert-root-575a613a.der"), load(t, "cert-ca-yt-5b0be307.der"), load(t, "cert-user-777a2a2b.der")
				der := bytes.Clone(map[string]*Certificate{names[0]: user, names[1]: ca}[name].Raw)
				var pos int
				if where == "tbs" {
					// the last seconds digit of notBefore (UTCTime, tag 0x17)
					pos = bytes.Index(der, []byte{0x17, 0x0d}) + 2 + 11
				} else {
					pos = len(der) - 10
				}
				der[pos] ^= 0x01
				bad, err := Parse(der)
				if err != nil {
					t.Fatal(err)
				}
				leaf, inter := user, ca
				if name == names[0] {
					leaf = bad
				} else {
					inter = bad
				}
				_, err = leaf.Verify(VerifyOptions{Roots: []*Certificate{root}, Intermediates: []*Certificate{inter}, Time: inValidity})
				if !errors.Is(err, ErrSignature) && !errors.Is(err, ErrUnknownAuthority) {
					t.Fatalf("got %v", err)
				}
			})
		}
	}
}

type testPKI struct {
	rootKey, caKey, userKey *gost.PrivateKey
	root, ca, user          *Certificate
}

type detRand struct{ r *rand.ChaCha8 }

func (d detRand) Read(p []byte) (int, error) { return d.r.Read(p) }

func newTestPKI(t testing.TB, withKeyIDs bool, seed byte) *testPKI {
	t.Helper()
	rng := detRand{rand.NewChaCha8([32]byte{seed})}
	p := &testPKI{}
	var err error
	for _, k := range []**gost.PrivateKey{&p.rootKey, &p.caKey, &p.userKey} {
		if *k, err = gost.GenerateKey(gost.CurveA(), rng); err != nil {
			t.Fatal(err)
		}
	}
	nb := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rootT := &x509.Certificate{
		SerialNumber: big.NewInt(0x575a613a),
		Subject:      pkix.Name{Country: []string{"UZ"}, Organization: []string{"eimzokit test"}, CommonName: "Test Root"},
		NotBefore:    nb, NotAfter: nb.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true, IsCA: true,
	}
	caT := &x509.Certificate{
		SerialNumber: big.NewInt(0x5b0be307),
		Subject:      pkix.Name{Country: []string{"UZ"}, Organization: []string{"eimzokit test"}, CommonName: "Test CA"},
		NotBefore:    nb, NotAfter: nb.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
		OCSPServer:            []string{"http://127.0.0.1:9/ocsp"},
		CRLDistributionPoints: []string{"http://127.0.0.1:9/ca.crl"},
	}
	userT := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes([]byte{0x77, 0x7a, 0x2a, 0x2b, 0xff, 0x01}),
		Subject: pkix.Name{Country: []string{"UZ"}, CommonName: "TESTOV TEST TESTOVICH", Organization: []string{"Test MChJ"},
			ExtraNames: []pkix.AttributeTypeAndValue{
				{Type: OIDTIN, Value: "123456789"},
				{Type: OIDPINFL, Value: "31707905590011"},
			}},
		NotBefore: nb, NotAfter: nb.AddDate(2, 0, 0),
		KeyUsage:          x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:       []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
		PolicyIdentifiers: []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 46709, 1, 2, 1}},
	}
	if withKeyIDs {
		rootT.SubjectKeyId = KeyID(p.rootKey.PublicKey())
		caT.SubjectKeyId = KeyID(p.caKey.PublicKey())
		userT.SubjectKeyId = KeyID(p.userKey.PublicKey())
	}
	mk := func(tmpl, parent *x509.Certificate, pub *gost.PublicKey, key *gost.PrivateKey) *Certificate {
		der, err := Create(rng, tmpl, parent, pub, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	p.root = mk(rootT, rootT, p.rootKey.PublicKey(), p.rootKey)
	p.ca = mk(caT, p.root.Certificate, p.caKey.PublicKey(), p.rootKey)
	p.user = mk(userT, p.ca.Certificate, p.userKey.PublicKey(), p.caKey)
	return p
}

func TestCreateChain(t *testing.T) {
	for _, ids := range []bool{false, true} {
		p := newTestPKI(t, ids, 7)
		at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		chain, err := p.user.Verify(VerifyOptions{Roots: []*Certificate{p.root}, Intermediates: []*Certificate{p.ca}, Time: at})
		if err != nil {
			t.Fatalf("keyIDs=%v: %v", ids, err)
		}
		if len(chain) != 3 {
			t.Fatalf("chain length %d", len(chain))
		}
		u := p.user
		if u.TIN() != "123456789" || u.PINFL() != "31707905590011" {
			t.Errorf("TIN %q PINFL %q", u.TIN(), u.PINFL())
		}
		if !u.Key.Equal(p.userKey.PublicKey()) || u.SerialHex() != "777a2a2bff01" {
			t.Error("key or serial")
		}
		if ids != (len(u.AuthorityKeyId) > 0) || ids != (len(p.ca.SubjectKeyId) > 0) {
			t.Errorf("keyIDs=%v: AKI %x SKI %x", ids, u.AuthorityKeyId, p.ca.SubjectKeyId)
		}
		if !p.ca.IsCA || !p.ca.MaxPathLenZero || p.ca.MaxPathLen != 0 || u.IsCA || !p.root.IsCA || p.root.MaxPathLen != -1 {
			t.Errorf("basic constraints: CA %v %v %d, root %v %d", p.ca.IsCA, p.ca.MaxPathLenZero, p.ca.MaxPathLen, p.root.IsCA, p.root.MaxPathLen)
		}
		if len(p.ca.OCSPServer) != 1 || p.ca.OCSPServer[0] != "http://127.0.0.1:9/ocsp" ||
			len(p.ca.CRLDistributionPoints) != 1 || p.ca.CRLDistributionPoints[0] != "http://127.0.0.1:9/ca.crl" {
			t.Errorf("CA URLs: %v %v", p.ca.OCSPServer, p.ca.CRLDistributionPoints)
		}
		if len(u.ExtKeyUsage) != 2 || u.PolicyIdentifiers[0].String() != "1.3.6.1.4.1.46709.1.2.1" {
			t.Error("user extensions")
		}
		// crypto/x509 parsed it (Parse uses it first); check that it
		// was not the fallback.
		for _, c := range []*Certificate{p.root, p.ca, p.user} {
			if _, err := x509.ParseCertificate(c.Raw); err != nil {
				t.Fatalf("crypto/x509 refuses %q: %v", c.Subject.CommonName, err)
			}
		}
		// A user certificate cannot issue.
		fake := newTestPKI(t, ids, 8)
		if err := fake.user.CheckSignatureFrom(p.ca); !errors.Is(err, ErrSignature) {
			t.Errorf("foreign CA: %v", err)
		}
	}
}

// TestOpenSSLParses checks that OpenSSL 3 reads the structure of created
// certificates (it cannot verify GOST). Skipped without openssl.
func TestOpenSSLParses(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("no processes or files in the browser; the native run checks this")
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	p := newTestPKI(t, true, 7)
	dir := t.TempDir()
	for name, c := range map[string]*Certificate{"root": p.root, "ca": p.ca, "user": p.user} {
		f := filepath.Join(dir, name+".der")
		if err := os.WriteFile(f, c.Raw, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(openssl, "x509", "-inform", "DER", "-in", f, "-noout", "-text").CombinedOutput()
		if err != nil {
			t.Fatalf("openssl x509 %s: %v\n%s", name, err, out)
		}
		if !strings.Contains(string(out), "1.2.860.3.15.1.1.2.2.2.2") {
			t.Errorf("%s: signature OID not shown:\n%s", name, out)
		}
		if name == "user" && !strings.Contains(string(out), "1.2.860.3.16.1.2 = 31707905590011") {
			t.Errorf("PINFL not shown:\n%s", out)
		}
		out, err = exec.Command(openssl, "asn1parse", "-inform", "DER", "-in", f).CombinedOutput()
		if err != nil || strings.Contains(string(out), "Error") {
			t.Fatalf("openssl asn1parse %s: %v\n%s", name, err, out)
		}
	}
}

func TestCreateErrors(t *testing.T) {
	p := newTestPKI(t, false, 7)
	k := p.userKey
	base := func() *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1, 0)}
	}
	tests := []struct {
		name   string
		mutate func(*x509.Certificate)
		want   error
	}{
		{"ok", func(*x509.Certificate) {}, nil},
		{"no serial", func(c *x509.Certificate) { c.SerialNumber = nil }, ErrTemplate},
		{"negative serial", func(c *x509.Certificate) { c.SerialNumber = big.NewInt(-1) }, ErrTemplate},
		{"inverted validity", func(c *x509.Certificate) { c.NotAfter = time.Unix(-10, 0) }, ErrTemplate},
		{"duplicate extension", func(c *x509.Certificate) {
			c.BasicConstraintsValid = true
			c.ExtraExtensions = []pkix.Extension{{Id: oidBasicConstraints, Value: []byte{0x30, 0}}}
		}, ErrTemplate},
		{"far future uses GeneralizedTime", func(c *x509.Certificate) { c.NotAfter = time.Date(2070, 1, 1, 0, 0, 0, 0, time.UTC) }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := base()
			tc.mutate(tmpl)
			der, err := Create(nil, tmpl, tmpl, k.PublicKey(), deterministic{k})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err == nil {
				c, err := Parse(der)
				if err != nil || !c.NotAfter.Equal(tmpl.NotAfter) {
					t.Fatalf("parse: %v %v", err, c.NotAfter)
				}
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"cert-root-575a613a.der", "cert-ca-yt-5b0be307.der", "cert-user-777a2a2b.der", "cert-user-77fb42f2.der", "cert-mvd-3935ac8c20665b6cf8d8aa37.der"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := Parse(der)
		if err != nil {
			return
		}
		_ = c.CheckSignatureFrom(c)
		_, _ = parseMinimal(der)
	})
}

// deterministic signs with a fixed randomness source, ignoring the one
// passed in (Create gets nil above).
type deterministic struct{ *gost.PrivateKey }

func (s deterministic) Sign(_ io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return s.PrivateKey.Sign(detRand{rand.NewChaCha8([32]byte{1})}, d, o)
}

func TestAlgorithmNames(t *testing.T) {
	for _, name := range []string{"cert-user-777a2a2b.der", "cert-ca-yt-5b0be307.der", "cert-root-575a613a.der", "cert-mvd-3935ac8c20665b6cf8d8aa37.der"} {
		if k, s := AlgorithmNames(load(t, name).Certificate); k != "OZDST-1092-2009-2" || s != "OZDST-1106-2009-2-AwithOZDST-1092-2009-2" {
			t.Errorf("%s: %q %q", name, k, s)
		}
	}
	rsaKey, _ := rsa.GenerateKey(crand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	for _, tt := range []struct {
		key          crypto.Signer
		wantK, wantS string
	}{{rsaKey, "RSA", "SHA256withRSA"}, {ecKey, "EC", "SHA256withECDSA"}} {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(crand.Reader, tmpl, tmpl, tt.key.Public(), tt.key)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		if k, s := AlgorithmNames(c); k != tt.wantK || s != tt.wantS {
			t.Errorf("%q %q, want %q %q", k, s, tt.wantK, tt.wantS)
		}
	}
}

func TestCreateRequest(t *testing.T) {
	key, err := gost.GenerateKey(gost.CurveA(), crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	policies, _ := asn1.Marshal([]struct{ P asn1.ObjectIdentifier }{{asn1.ObjectIdentifier{1, 2, 860, 3, 2, 2, 1, 2, 1}}})
	der, err := CreateRequest(crand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "TEST SO'ROV", ExtraNames: []pkix.AttributeTypeAndValue{{Type: OIDPINFL, Value: "30101900000001"}}},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 32}, Value: policies}}}, key)
	if err != nil {
		t.Fatal(err)
	}
	req, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	if req.Subject.CommonName != "TEST SO'ROV" || len(req.Extensions) != 1 || KeyAlgorithmName(req.PublicKeyAlgorithm, req.RawSubjectPublicKeyInfo) != "OZDST-1092-2009-2" {
		t.Errorf("request %v, %d extensions", req.Subject, len(req.Extensions))
	}
	if err := CheckRequestSignature(req); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("openssl"); err == nil {
		f := filepath.Join(t.TempDir(), "req.der")
		if err := os.WriteFile(f, der, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("openssl", "req", "-inform", "DER", "-in", f, "-noout", "-subject").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "TEST SO'ROV") {
			t.Errorf("openssl req: %v\n%s", err, out)
		}
	}
	der[len(der)-3] ^= 1
	bad, _ := x509.ParseCertificateRequest(der)
	if err := CheckRequestSignature(bad); !errors.Is(err, ErrSignature) || !errors.Is(err, gost.ErrVerification) {
		t.Errorf("tampered request: %v", err)
	}
}
