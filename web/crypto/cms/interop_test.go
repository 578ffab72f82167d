package cms_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/cms/cmstest"
	"github.com/smallstep/pkcs7"
)

// What the simulator makes (create_pkcs7, append_pkcs7_*,
// attach_timestamp_token_pkcs7), checked by smallstep/pkcs7 and OpenSSL,
// implementations we did not write. These rows came with daemon-sim's CMS
// builder, which this package replaced.

var signTime = time.Date(2026, 3, 8, 9, 30, 15, 0, time.UTC)

type simFixture struct {
	pki     *testpki.PKI
	rsa, ec *testpki.Identity
}

func newSimFixture(t testing.TB) simFixture {
	t.Helper()
	p, err := testpki.New(testpki.WithClock(func() time.Time { return signTime }))
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
	return simFixture{p, rsaID, ecID}
}

// simSigner signs as the simulator does: signer and issuing CA, the
// signing time from its clock.
func simSigner(id *testpki.Identity) cms.Signer {
	return cms.Signer{Key: id.Key, Certificate: id.Cert, Chain: id.Chain[:1], SigningTime: signTime}
}

func marshal(t testing.TB, sd *cms.SignedData) []byte {
	t.Helper()
	der, err := sd.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// smallstepVerify checks der with smallstep/pkcs7.
func smallstepVerify(t *testing.T, f simFixture, der, content []byte, signers int) *pkcs7.PKCS7 {
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
	f := newSimFixture(t)
	content := []byte("Ўзбекистон ✓ imzo")
	for _, id := range []*testpki.Identity{f.rsa, f.ec} {
		for _, detached := range []bool{false, true} {
			sd, err := cms.Sign(content, detached, simSigner(id))
			if err != nil {
				t.Fatal(err)
			}
			der := marshal(t, sd)
			var p7 *pkcs7.PKCS7
			if detached {
				p7 = smallstepVerify(t, f, der, content, 1)
			} else {
				p7 = smallstepVerify(t, f, der, nil, 1)
				if !bytes.Equal(p7.Content, content) {
					t.Errorf("content %q", p7.Content)
				}
			}
			var st time.Time
			if err := p7.UnmarshalSignedAttribute(cms.OIDAttrSigningTime, &st); err != nil || !st.Equal(signTime) {
				t.Errorf("signing time %v (%v), want %v", st, err, signTime)
			}
			back, err := cms.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if back.Detached() != detached || len(back.Certificates) != 2 || !bytes.Equal(back.Signers[0].Signature, sd.Signers[0].Signature) ||
				back.Signers[0].Serial().Cmp(id.Cert.SerialNumber) != 0 {
				t.Errorf("parsed %+v", back)
			}
			// The same input and time give the same CMS for RSA (PKCS #1 v1.5 is deterministic).
			if id == f.rsa {
				again, _ := cms.Sign(content, detached, simSigner(id))
				if !bytes.Equal(marshal(t, again), der) {
					t.Error("RSA CMS is not reproducible with a fixed time")
				}
			}
		}
	}
}

func TestAddSignerAndTimestamp(t *testing.T) {
	f := newSimFixture(t)
	content := []byte("hujjat")
	for _, detached := range []bool{false, true} {
		sd, err := cms.Sign(content, detached, simSigner(f.rsa))
		if err != nil {
			t.Fatal(err)
		}
		var arg []byte
		if detached {
			arg = content
		}
		two, err := cms.Parse(marshal(t, sd))
		if err != nil {
			t.Fatal(err)
		}
		co, err := two.AddSigner(arg, simSigner(f.ec))
		if err != nil {
			t.Fatal(err)
		}
		smallstepVerify(t, f, marshal(t, two), content, 2)
		token, err := cmstest.Token(co.Signature, simSigner(f.ec), signTime)
		if err != nil {
			t.Fatal(err)
		}
		if err := co.AddTimestamp(token); err != nil {
			t.Fatal(err)
		}
		stamped := marshal(t, two)
		smallstepVerify(t, f, stamped, content, 2)
		back, err := cms.Parse(stamped)
		if err != nil {
			t.Fatal(err)
		}
		for _, si := range back.Signers {
			got := si.TimestampTokens()
			if si.Serial().Cmp(f.ec.Cert.SerialNumber) == 0 {
				if len(got) != 1 || !bytes.Equal(got[0], token) {
					t.Errorf("token not attached to the co-signer")
				}
				_, ti, err := cms.ParseTimeStampToken(got[0])
				if err != nil {
					t.Fatal(err)
				}
				want := sha256.Sum256(co.Signature)
				if !bytes.Equal(ti.HashedMessage, want[:]) {
					t.Errorf("imprint %x", ti.HashedMessage)
				}
			} else if got != nil {
				t.Errorf("token attached to the wrong signer")
			}
		}
		// A second token joins the first in the attribute's SET.
		if err := back.Signers[1].AddTimestamp(token); err != nil || len(back.Signers[1].TimestampTokens()) != 2 {
			t.Errorf("a second token: %v", err)
		}
		opensslVerify(t, "co-signed and time-stamped", stamped, content, detached, f.pki.Root, signTime)
	}
}

func TestSimErrors(t *testing.T) {
	f := newSimFixture(t)
	attSD, _ := cms.Sign([]byte("x"), false, simSigner(f.rsa))
	detSD, _ := cms.Sign([]byte("x"), true, simSigner(f.rsa))
	att, det := marshal(t, attSD), marshal(t, detSD)
	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"garbage", func() error { _, err := cms.Parse([]byte("hello")); return err }, cms.ErrMalformed},
		{"truncated", func() error { _, err := cms.Parse(att[:len(att)-3]); return err }, cms.ErrMalformed},
		{"trailing byte", func() error { _, err := cms.Parse(append(bytes.Clone(att), 0)); return err }, cms.ErrMalformed},
		{"a certificate is not a CMS", func() error { _, err := cms.Parse(f.rsa.Cert.Raw); return err }, cms.ErrMalformed},
		{"detached co-sign without content", func() error {
			sd, _ := cms.Parse(det)
			_, err := sd.AddSigner(nil, simSigner(f.ec))
			return err
		}, cms.ErrNoContent},
		{"an attribute value that is not DER", func() error { return attSD.Signers[0].AddUnsigned(cms.OIDAttrTimeStamp, []byte{0x05}) }, cms.ErrMalformed},
		{"a data CMS is not a time-stamp token", func() error { _, _, err := cms.ParseTimeStampToken(att); return err }, cms.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}
