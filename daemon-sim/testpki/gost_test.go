package testpki_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken/pfx"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

// TestGOSTPKI: a GOST root → GOST CA (no key identifiers, like the real YT
// CA) → GOST users, whose certificates look like E-IMZO's, survive Save and
// Load, export to PKCS#12 and sign requests.
func TestGOSTPKI(t *testing.T) {
	p, err := testpki.New(testpki.WithCAKeyType(testpki.GOST))
	if err != nil {
		t.Fatal(err)
	}
	if !p.GOST() {
		t.Fatal("not a GOST PKI")
	}
	reg := sigalg.Default()
	if len(p.CA.SubjectKeyId) != 0 || len(p.CA.AuthorityKeyId) != 0 || len(p.Root.SubjectKeyId) == 0 {
		t.Errorf("key ids: CA %x/%x, root %x", p.CA.SubjectKeyId, p.CA.AuthorityKeyId, p.Root.SubjectKeyId)
	}
	for _, pair := range [][2]*x509.Certificate{{p.CA, p.Root}, {p.Root, p.Root}} {
		if err := reg.CheckCertificate(pair[0], pair[1]); err != nil {
			t.Errorf("%s: %v", pair[0].Subject.CommonName, err)
		}
	}
	for i, prof := range []testpki.Profile{testpki.Physical, testpki.Legal} {
		id, err := p.Issue(prof, testpki.GOST, i+1)
		if err != nil {
			t.Fatal(err)
		}
		k, s := gostcert.AlgorithmNames(id.Cert)
		if k != "OZDST-1092-2009-2" || s != "OZDST-1106-2009-2-AwithOZDST-1092-2009-2" {
			t.Errorf("%s: %s / %s", prof, k, s)
		}
		if _, ok := id.Key.(*gost.PrivateKey); !ok || !gostcert.HasPublicKey(id.Cert, id.Key.Public()) {
			t.Errorf("%s: key %T", prof, id.Key)
		}
		if err := reg.CheckCertificate(id.Cert, p.CA); err != nil {
			t.Errorf("%s: %v", prof, err)
		}
		// The SPKI has the real certificates' shape: SEQUENCE { paramset }.
		if !bytes.Contains(id.Cert.RawSubjectPublicKeyInfo, []byte{0x30, 0x0c, 0x06, 0x0a, 0x2a, 0x86, 0x5c, 0x03, 0x0f, 0x01, 0x01, 0x02, 0x01, 0x01}) {
			t.Errorf("%s: SPKI %x", prof, id.Cert.RawSubjectPublicKeyInfo)
		}
		file, err := id.PKCS12("test1234")
		if err != nil {
			t.Fatal(err)
		}
		key, cert, chain, err := pfx.Decode(file, "test1234")
		if err != nil || !cert.Equal(id.Cert) || len(chain) != 2 || !gostcert.HasPublicKey(cert, key.Public()) {
			t.Fatalf("%s: PKCS#12: %v", prof, err)
		}
	}
	// The two kinds do not mix.
	if _, err := p.Issue(testpki.Physical, testpki.P256, 9); err == nil {
		t.Error("the GOST PKI issued a P-256 key")
	}
	ec, _ := testpki.New()
	if _, err := ec.Issue(testpki.Physical, testpki.GOST, 9); err == nil {
		t.Error("the ECDSA PKI issued a GOST key")
	}
	// Enrolment: a GOST request signed by its key.
	key, _ := gost.GenerateKey(gost.CurveA(), rand.Reader)
	der, err := gostcert.CreateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: p.CA.RawSubject}, key)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := x509.ParseCertificateRequest(der)
	c, err := p.SignCSR(req)
	if err != nil || !gostcert.HasPublicKey(c, key.PublicKey()) || reg.CheckCertificate(c, p.CA) != nil {
		t.Fatalf("SignCSR: %v", err)
	}
	der[len(der)-2] ^= 1
	bad, _ := x509.ParseCertificateRequest(der)
	if _, err := p.SignCSR(bad); err == nil || !errors.Is(err, gost.ErrVerification) {
		t.Errorf("a tampered request: %v", err)
	}
	if _, err := ec.SignCSR(req); err == nil {
		t.Error("the ECDSA PKI certified a GOST request")
	}
	// Save and Load keep it GOST.
	dir := t.TempDir()
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := testpki.Load(dir, testpki.WithClock(func() time.Time { return time.Now() }))
	if err != nil || !back.GOST() || !back.Root.Equal(p.Root) {
		t.Fatalf("Load: %v", err)
	}
	id, err := back.Issue(testpki.YATT, testpki.GOST, 5)
	if err != nil || reg.CheckCertificate(id.Cert, p.CA) != nil {
		t.Fatalf("issue after Load: %v", err)
	}
}
