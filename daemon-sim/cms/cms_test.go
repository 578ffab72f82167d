package cms_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/cms"
	"github.com/eimzokit/eimzokit/daemon-sim/cms/cmstest"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/smallstep/pkcs7"
)

var signTime = time.Date(2026, 3, 8, 9, 30, 15, 0, time.UTC)

type fixture struct {
	pki     *testpki.PKI
	rsa, ec *testpki.Identity
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	clock := func() time.Time { return signTime }
	p, err := testpki.New(testpki.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	rsaID, err := p.Issue(testpki.Physical, testpki.RSA2048, 1)
	if err != nil {
		t.Fatal(err)
	}
	ecID, err := p.Issue(testpki.Legal, testpki.P256, 2)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{p, rsaID, ecID}
}

func signer(id *testpki.Identity) cms.Signer {
	return cms.Signer{Key: id.Key, Cert: id.Cert, Certs: id.Chain[:1]}
}

// verify checks der with smallstep/pkcs7, an independent implementation.
func verify(t *testing.T, f fixture, der, content []byte, signers int) *pkcs7.PKCS7 {
	t.Helper()
	p7, err := pkcs7.Parse(der)
	if err != nil {
		t.Fatalf("pkcs7.Parse: %v", err)
	}
	if content != nil && len(p7.Content) == 0 {
		p7.Content = content
	}
	roots := x509.NewCertPool()
	roots.AddCert(f.pki.Root)
	if err := p7.VerifyWithChainAtTime(roots, signTime); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if len(p7.Signers) != signers {
		t.Fatalf("%d signers, want %d", len(p7.Signers), signers)
	}
	return p7
}

func TestSignVerifiesElsewhere(t *testing.T) {
	f := newFixture(t)
	content := []byte("Ўзбекистон ✓ imzo")
	for _, id := range []*testpki.Identity{f.rsa, f.ec} {
		for _, detached := range []bool{false, true} {
			der, sig, err := cms.Sign(content, signer(id), cms.Options{Detached: detached, Time: signTime})
			if err != nil {
				t.Fatal(err)
			}
			var p7 *pkcs7.PKCS7
			if detached {
				p7 = verify(t, f, der, content, 1)
			} else {
				p7 = verify(t, f, der, nil, 1)
				if !bytes.Equal(p7.Content, content) {
					t.Errorf("content %q", p7.Content)
				}
			}
			var st time.Time
			if err := p7.UnmarshalSignedAttribute(cms.OIDSigningTime, &st); err != nil || !st.Equal(signTime) {
				t.Errorf("signing time %v (%v), want %v", st, err, signTime)
			}
			sd, err := cms.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if sd.Detached != detached || len(sd.Certificates) != 2 || !bytes.Equal(sd.Signers[0].Signature, sig) ||
				sd.Signers[0].SerialNumber.Cmp(id.Cert.SerialNumber) != 0 {
				t.Errorf("parsed %+v", sd)
			}
			// The same input and time give the same CMS for RSA (PKCS #1 v1.5 is deterministic).
			if id == f.rsa {
				again, _, _ := cms.Sign(content, signer(id), cms.Options{Detached: detached, Time: signTime})
				if !bytes.Equal(again, der) {
					t.Error("RSA CMS is not reproducible with a fixed time")
				}
			}
		}
	}
}

func TestAddSignerAndTimestamp(t *testing.T) {
	f := newFixture(t)
	content := []byte("hujjat")
	for _, detached := range []bool{false, true} {
		der, _, err := cms.Sign(content, signer(f.rsa), cms.Options{Detached: detached, Time: signTime})
		if err != nil {
			t.Fatal(err)
		}
		var arg []byte
		if detached {
			arg = content
		}
		two, sig2, err := cms.AddSigner(der, arg, signer(f.ec), signTime)
		if err != nil {
			t.Fatal(err)
		}
		verify(t, f, two, content, 2)
		token := timestampToken(t, f, sig2)
		stamped, err := cms.AddUnsignedAttribute(two, f.ec.Cert.SerialNumber, cms.OIDTimeStampToken, token)
		if err != nil {
			t.Fatal(err)
		}
		verify(t, f, stamped, content, 2)
		sd, err := cms.Parse(stamped)
		if err != nil {
			t.Fatal(err)
		}
		for _, si := range sd.Signers {
			got := si.Attribute(cms.OIDTimeStampToken, true)
			if si.SerialNumber.Cmp(f.ec.Cert.SerialNumber) == 0 {
				if len(got) != 1 || !bytes.Equal(got[0], token) {
					t.Errorf("token not attached to the co-signer")
				}
				ti, err := cms.ParseTimeStampToken(got[0])
				if err != nil {
					t.Fatal(err)
				}
				want := sha256.Sum256(sig2)
				if !bytes.Equal(ti.HashedMessage, want[:]) {
					t.Errorf("imprint %x", ti.HashedMessage)
				}
			} else if got != nil {
				t.Errorf("token attached to the wrong signer")
			}
		}
		opensslVerify(t, f, stamped, content, detached)
	}
}

// timestampToken makes an RFC 3161 token over sig, signed by a test key
// (only its shape matters here).
func timestampToken(t testing.TB, f fixture, sig []byte) []byte {
	t.Helper()
	tok, err := cmstest.Token(sig, signer(f.ec), signTime)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func opensslVerify(t *testing.T, f fixture, der, content []byte, detached bool) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("no openssl: skipping the OpenSSL cross-check")
		return
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := write("root.der", f.pki.Root.Raw)
	rootPEM := filepath.Join(dir, "root.pem")
	if out, err := exec.Command("openssl", "x509", "-inform", "DER", "-in", root, "-out", rootPEM).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	args := []string{"cms", "-verify", "-inform", "DER", "-in", write("sig.der", der), "-CAfile", rootPEM, "-binary",
		"-attime", "1772962215", "-out", filepath.Join(dir, "out")}
	if detached {
		args = append(args, "-content", write("content", content))
	}
	if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
		t.Fatalf("openssl cms -verify: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "out"))
	if !bytes.Equal(got, content) {
		t.Errorf("openssl content %q", got)
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	att, _, _ := cms.Sign([]byte("x"), signer(f.rsa), cms.Options{Time: signTime})
	det, _, _ := cms.Sign([]byte("x"), signer(f.rsa), cms.Options{Detached: true, Time: signTime})
	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"garbage", func() error { _, err := cms.Parse([]byte("hello")); return err }, cms.ErrNotSignedData},
		{"truncated", func() error { _, err := cms.Parse(att[:len(att)-3]); return err }, cms.ErrNotSignedData},
		{"trailing bytes", func() error { _, err := cms.Parse(append(att, 0)); return err }, cms.ErrNotSignedData},
		{"a certificate is not a CMS", func() error { _, err := cms.Parse(f.rsa.Cert.Raw); return err }, cms.ErrNotSignedData},
		{"detached co-sign without content", func() error { _, _, err := cms.AddSigner(det, nil, signer(f.ec), signTime); return err }, cms.ErrNoContent},
		{"unknown signer", func() error {
			_, err := cms.AddUnsignedAttribute(att, big.NewInt(5), cms.OIDTimeStampToken, []byte{0x05, 0x00})
			return err
		}, cms.ErrSignerNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := cms.ParseTimeStampToken(att); err == nil {
		t.Error("a data CMS parsed as a timestamp token")
	}
}

// FuzzParse: CMS from clients (append_pkcs7_*, attach_timestamp_token_pkcs7)
// must never crash the parser, and what parses must re-assemble.
func FuzzParse(f *testing.F) {
	fx := newFixture(f)
	att, _, _ := cms.Sign([]byte("fuzz"), signer(fx.ec), cms.Options{Time: signTime})
	det, _, _ := cms.Sign([]byte("fuzz"), signer(fx.ec), cms.Options{Detached: true, Time: signTime})
	f.Add(att)
	f.Add(det)
	f.Add([]byte{0x30, 0x03, 0x06, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		sd, err := cms.Parse(der)
		if err != nil {
			return
		}
		for _, si := range sd.Signers {
			if _, err := cms.AddUnsignedAttribute(der, si.SerialNumber, cms.OIDTimeStampToken, []byte{0x05, 0x00}); err != nil {
				t.Fatalf("a parsed CMS could not take an attribute: %v", err)
			}
		}
	})
}
