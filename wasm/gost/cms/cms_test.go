package cms

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"io"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/wasm/gost"
	"github.com/eimzokit/eimzokit/wasm/gost/cert"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadCert(t testing.TB, name string) *cert.Certificate {
	t.Helper()
	c, err := cert.Parse(read(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var inValidity = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

const eimzoCMS = "eimzo-pkcs7-attached-777a2a2b.p7b"

func TestRealEIMZO(t *testing.T) {
	sd, err := Parse(read(t, eimzoCMS))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sd.Content, read(t, "eimzo-pkcs7-attached-777a2a2b.content.bin")) || sd.Detached {
		t.Fatal("content differs from .content.bin")
	}
	if len(sd.Certificates) != 3 || len(sd.SignerInfos) != 1 {
		t.Fatalf("%d certs, %d signers", len(sd.Certificates), len(sd.SignerInfos))
	}
	si := sd.SignerInfos[0]
	md, _ := si.MessageDigest()
	if hex.EncodeToString(md) != "c91c528764030f4166afa1013172015f316852182c70aa964374f3e96d143ed0" {
		t.Fatalf("messageDigest %x", md)
	}
	if st, ok, err := si.SigningTime(); !ok || err != nil || !st.Equal(time.Date(2020, 7, 12, 19, 14, 1, 0, time.UTC)) {
		t.Fatalf("signing time %v %v %v", st, ok, err)
	}
	if !strings.HasPrefix(hex.EncodeToString(si.Signature), "efc303f9") {
		t.Fatal("signature_hex")
	}
	root := loadCert(t, "cert-root-575a613a.der")
	signers, err := sd.Verify(VerifyOptions{Roots: []*cert.Certificate{root}, Time: inValidity})
	if err != nil {
		t.Fatal(err)
	}
	s := signers[0]
	if s.Certificate.SerialHex() != "777a2a2b" || len(s.Chain) != 3 || !bytes.Equal(s.Chain[2].Raw, root.Raw) {
		t.Fatalf("signer %s, chain %d", s.Certificate.SerialHex(), len(s.Chain))
	}
	// At the signing time too (2020-07-12, inside every validity).
	if _, err := sd.Verify(VerifyOptions{Roots: []*cert.Certificate{root}, AtSigningTime: true}); err != nil {
		t.Fatal(err)
	}
	// Re-encoding as DER keeps it verifiable.
	der, err := sd.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sd2, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sd2.Verify(VerifyOptions{Roots: []*cert.Certificate{root}, Time: inValidity}); err != nil {
		t.Fatalf("after DER re-encoding: %v", err)
	}
}

func TestRealEIMZOErrors(t *testing.T) {
	root := loadCert(t, "cert-root-575a613a.der")
	other := loadCert(t, "cert-mvd-3935ac8c20665b6cf8d8aa37.der")
	ok := VerifyOptions{Roots: []*cert.Certificate{root}, Time: inValidity}
	tests := []struct {
		name string
		opts VerifyOptions
		want error
	}{
		{"valid", ok, nil},
		{"expired", VerifyOptions{Roots: []*cert.Certificate{root}, Time: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}, cert.ErrExpired},
		{"wrong trust anchor", VerifyOptions{Roots: []*cert.Certificate{other}, Time: inValidity}, cert.ErrUnknownAuthority},
		{"no trust anchors", VerifyOptions{Time: inValidity}, cert.ErrNoTrustAnchors},
		{"no chain", VerifyOptions{NoChain: true}, nil},
		{"other content", VerifyOptions{Content: []byte("x"), NoChain: true}, ErrDigestMismatch},
	}
	sd, _ := Parse(read(t, eimzoCMS))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := sd.Verify(tc.opts); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRealEIMZOBitFlips flips one bit in the content, the signed
// attributes, the signature and each certificate of the real message:
// every change must make verification fail.
func TestRealEIMZOBitFlips(t *testing.T) {
	orig := read(t, eimzoCMS)
	root := loadCert(t, "cert-root-575a613a.der")
	content := read(t, "eimzo-pkcs7-attached-777a2a2b.content.bin")
	sd0, _ := Parse(orig)
	si := sd0.SignerInfos[0]
	find := func(b []byte) int {
		i := bytes.Index(orig, b)
		if i < 0 || bytes.Index(orig[i+1:], b) >= 0 {
			t.Fatalf("marker not unique")
		}
		return i
	}
	places := map[string]int{
		"content":        find(content) + 20,
		"signing time":   find(si.RawSignedAttrs) + 45,
		"message digest": find(si.RawSignedAttrs) + len(si.RawSignedAttrs) - 3,
		"signature s":    find(si.Signature) + 1,
		"signature r":    find(si.Signature) + 60,
		"user cert TBS":  find(sd0.Certificates[0].RawTBSCertificate) + 300,
		"user cert key":  find(sd0.Certificates[0].RawSubjectPublicKeyInfo) + 40,
		"CA cert TBS":    find(sd0.Certificates[1].RawTBSCertificate) + 500,
		"CA cert sig":    find(sd0.Certificates[1].Raw) + len(sd0.Certificates[1].Raw) - 5,
	}
	for name, pos := range places {
		t.Run(name, func(t *testing.T) {
			b := bytes.Clone(orig)
			b[pos] ^= 0x01
			sd, err := Parse(b)
			if err != nil {
				t.Logf("does not parse: %v", err) // a failure too
				return
			}
			_, err = sd.Verify(VerifyOptions{Roots: []*cert.Certificate{root}, Time: inValidity})
			if err == nil {
				t.Fatal("verified after a bit flip")
			}
			t.Logf("fails: %v", err)
		})
	}
}

func TestStyx(t *testing.T) {
	for _, name := range []string{"styx-cms-director.p7b", "styx-cms-finance.p7b"} {
		t.Run(name, func(t *testing.T) {
			sd, err := Parse(read(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if string(sd.Content) != "e30=" {
				t.Fatalf("content %q", sd.Content)
			}
			si := sd.SignerInfos[0]
			if !si.SignatureAlgorithm.Algorithm.Equal(gost.OIDPublicKey) {
				t.Fatalf("signatureAlgorithm %s", si.SignatureAlgorithm.Algorithm)
			}
			signers, err := sd.Verify(VerifyOptions{NoChain: true})
			if err != nil {
				t.Fatal(err)
			}
			// The certificate itself is RSA-signed by a test CA we do not have.
			if c := signers[0].Certificate; c.Key == nil || gost.IsSignatureOID(c.SignatureOID) {
				t.Fatalf("signer cert: key %v, sig %s", c.Key, c.SignatureOID)
			}
			// Tampered signature.
			si.Signature[10] ^= 1
			if _, err := sd.Verify(VerifyOptions{NoChain: true}); !errors.Is(err, ErrSignature) || !errors.Is(err, gost.ErrVerification) {
				t.Fatalf("tampered: %v", err)
			}
		})
	}
}

type detRand struct{ r *rand.ChaCha8 }

func (d detRand) Read(p []byte) (int, error) { return d.r.Read(p) }

type pki struct {
	root, ca, user *cert.Certificate
	userKey        *gost.PrivateKey
}

func newPKI(t testing.TB) *pki {
	rng := detRand{rand.NewChaCha8([32]byte{42})}
	rootKey, _ := gost.GenerateKey(gost.CurveA(), rng)
	caKey, _ := gost.GenerateKey(gost.CurveA(), rng)
	userKey, _ := gost.GenerateKey(gost.CurveA(), rng)
	nb := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(tmpl, parent *x509.Certificate, pub *gost.PublicKey, key *gost.PrivateKey) *cert.Certificate {
		der, err := cert.Create(rng, tmpl, parent, pub, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := cert.Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rootT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Root"}, NotBefore: nb, NotAfter: nb.AddDate(20, 0, 0),
		BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign}
	root := mk(rootT, rootT, rootKey.PublicKey(), rootKey)
	caT := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "CA"}, NotBefore: nb, NotAfter: nb.AddDate(5, 0, 0),
		BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign}
	ca := mk(caT, root.Certificate, caKey.PublicKey(), rootKey)
	userT := &x509.Certificate{SerialNumber: big.NewInt(0x777a2a2b), NotBefore: nb, NotAfter: nb.AddDate(2, 0, 0),
		Subject:  pkix.Name{CommonName: "USER", ExtraNames: []pkix.AttributeTypeAndValue{{Type: cert.OIDPINFL, Value: "12345678901234"}}},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	user := mk(userT, ca.Certificate, userKey.PublicKey(), caKey)
	return &pki{root, ca, user, userKey}
}

func TestSignRoundTrip(t *testing.T) {
	p := newPKI(t)
	content := []byte("not_signed_data=&signed_data=&edc_value=777A2A2B")
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	opts := SignOptions{SigningTime: at, Certificates: []*cert.Certificate{p.ca, p.root}, Rand: detRand{rand.NewChaCha8([32]byte{1})}}
	vopts := VerifyOptions{Roots: []*cert.Certificate{p.root}, Time: at}
	for _, detached := range []bool{false, true} {
		opts.Detached = detached
		der, err := Sign(content, p.user, p.userKey, opts)
		if err != nil {
			t.Fatal(err)
		}
		sd, err := Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		if sd.Detached != detached || len(sd.Certificates) != 3 {
			t.Fatalf("detached %v, %d certs", sd.Detached, len(sd.Certificates))
		}
		if again, _ := sd.Marshal(); !bytes.Equal(again, der) {
			t.Fatal("Marshal(Parse(x)) != x for our own DER")
		}
		vo := vopts
		if detached {
			if _, err := sd.Verify(vo); !errors.Is(err, ErrNoContent) {
				t.Fatalf("detached without content: %v", err)
			}
			vo.Content = content
		}
		signers, err := sd.Verify(vo)
		if err != nil {
			t.Fatalf("detached=%v: %v", detached, err)
		}
		if !signers[0].SigningTime.Equal(at) || len(signers[0].Chain) != 3 {
			t.Fatalf("signer %+v", signers[0])
		}
		vo.Content = []byte("other")
		if _, err := sd.Verify(vo); !errors.Is(err, ErrDigestMismatch) {
			t.Fatalf("other content: %v", err)
		}
		// SignDigest gives an equivalent detached message.
		d := sum(content)
		dd, err := SignDigest(d[:], p.user, p.userKey, opts)
		if err != nil {
			t.Fatal(err)
		}
		sd3, _ := Parse(dd)
		if _, err := sd3.Verify(VerifyOptions{Content: content, Roots: []*cert.Certificate{p.root}, Time: at}); err != nil {
			t.Fatalf("SignDigest: %v", err)
		}
	}
	// The wrong key for the certificate is refused.
	if _, err := Sign(content, p.ca, p.userKey, opts); err == nil {
		t.Fatal("signed with a key that does not match the certificate")
	}
}

func TestTimestampAttribute(t *testing.T) {
	p := newPKI(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	// Any DER SignedData stands in for a TimeStampToken here: one made by
	// the same signer over the signature value, as a TSA would.
	var sigSeen []byte
	tsa := func(sig []byte) ([]byte, error) {
		sigSeen = sig
		return Sign(sig, p.user, p.userKey, SignOptions{SigningTime: at})
	}
	der, err := Sign([]byte("doc"), p.user, p.userKey, SignOptions{SigningTime: at, Timestamp: tsa, Certificates: []*cert.Certificate{p.ca}})
	if err != nil {
		t.Fatal(err)
	}
	sd, _ := Parse(der)
	si := sd.SignerInfos[0]
	tok := si.TimestampToken()
	if tok == nil || !bytes.Equal(sigSeen, si.Signature) {
		t.Fatal("no timestamp token")
	}
	tsd, err := Parse(tok)
	if err != nil || !bytes.Equal(tsd.Content, si.Signature) {
		t.Fatalf("token: %v", err)
	}
	if _, err := sd.Verify(VerifyOptions{Roots: []*cert.Certificate{p.root}, Time: at}); err != nil {
		t.Fatal(err)
	}
	// AddTimestamp on the real BER message keeps it verifiable.
	real := read(t, eimzoCMS)
	withTok, err := AddTimestamp(real, 0, tok)
	if err != nil {
		t.Fatal(err)
	}
	rsd, _ := Parse(withTok)
	if !bytes.Equal(rsd.SignerInfos[0].TimestampToken(), tok) {
		t.Fatal("token not added")
	}
	if _, err := rsd.Verify(VerifyOptions{Roots: []*cert.Certificate{loadCert(t, "cert-root-575a613a.der")}, Time: inValidity}); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]func() error{
		"bad index": func() error { _, err := AddTimestamp(real, 1, tok); return err },
		"not DER":   func() error { _, err := AddTimestamp(real, 0, []byte{1, 2}); return err },
	} {
		if bad() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestOpenSSLParsesCMS checks that OpenSSL 3 reads the structure of a
// created message (it cannot verify GOST).
func TestOpenSSLParsesCMS(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	p := newPKI(t)
	der, err := Sign([]byte("hello"), p.user, p.userKey, SignOptions{Certificates: []*cert.Certificate{p.ca, p.root}})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "m.p7b")
	os.WriteFile(f, der, 0o644)
	out, err := exec.Command(openssl, "cms", "-cmsout", "-print", "-inform", "DER", "-in", f).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cms -print: %v\n%s", err, out)
	}
	for _, want := range []string{"1.2.860.3.15.1.3.2.1.1", "1.2.860.3.15.1.1.2.2.2.2", "messageDigest", "signingTime"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("%q not in openssl output", want)
		}
	}
	if out, err := exec.Command(openssl, "asn1parse", "-inform", "DER", "-in", f).CombinedOutput(); err != nil {
		t.Fatalf("asn1parse: %v\n%s", err, out)
	}
}

func TestParseErrors(t *testing.T) {
	real := read(t, eimzoCMS)
	certDER := read(t, "cert-root-575a613a.der")
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"truncated", real[:100], ErrMalformed},
		{"a certificate", certDER, ErrMalformed},
		{"id-data ContentInfo", mustMarshal(struct {
			T asn1.ObjectIdentifier
			C asn1.RawValue `asn1:"explicit,tag:0"`
		}{OIDData, asn1.RawValue{FullBytes: []byte{4, 0}}}), ErrNotSignedData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{eimzoCMS, "styx-cms-director.p7b", "styx-cms-finance.p7b"} {
		f.Add(read(f, n))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		sd, err := Parse(in)
		if err != nil {
			return
		}
		_, _ = sd.Verify(VerifyOptions{NoChain: true, Content: []byte{}})
		der, err := sd.Marshal()
		if err != nil {
			return
		}
		if _, err := Parse(der); err != nil {
			t.Fatalf("re-encoded message does not parse: %v", err)
		}
	})
}

var _ crypto.Signer = (*gost.PrivateKey)(nil)
var _ io.Reader = detRand{}
