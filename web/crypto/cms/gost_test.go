package cms_test

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
	"github.com/eimzokit/eimzokit/web/crypto/gost/cert"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

// The real E-IMZO message and GOST signing, checked at the CMS level (the
// signature over the signed attributes, the message digest, certificate
// signatures through the registry). Chains to the national root at a time
// inside validity are web/verify's tests.

const eimzoCMS = "eimzo-pkcs7-attached-777a2a2b.p7b"

var (
	gostReg     = sigalg.Default()
	errNoSigner = errors.New("no signer certificate")
)

// checkAll checks every signer of sd over content with its certificate
// from sd.
func checkAll(sd *cms.SignedData, content []byte) error {
	if len(sd.Signers) == 0 {
		return errors.New("no signers")
	}
	for _, si := range sd.Signers {
		c := si.Certificate(sd.Certificates)
		if c == nil {
			return errNoSigner
		}
		if err := si.CheckSignature(gostReg, c, sd.ContentType, content); err != nil {
			return err
		}
	}
	return nil
}

func TestRealEIMZOSignature(t *testing.T) {
	sd, err := cms.Parse(read(t, eimzoCMS))
	if err != nil {
		t.Fatal(err)
	}
	content := read(t, "eimzo-pkcs7-attached-777a2a2b.content.bin")
	if !bytes.Equal(sd.Content, content) || sd.Detached() || len(sd.Certificates) != 3 || len(sd.Signers) != 1 {
		t.Fatalf("content %q, %d certificates, %d signers", sd.Content, len(sd.Certificates), len(sd.Signers))
	}
	if err := checkAll(sd, sd.Content); err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	if got := gostReg.Name(si.SignatureAlgorithm.Algorithm); got != "OZDST-1106-2009-2-AwithOZDST-1092-2009-2" {
		t.Errorf("signature algorithm name %q", got)
	}
	// Other content: the message digest no longer matches.
	if err := si.CheckSignature(gostReg, si.Certificate(sd.Certificates), sd.ContentType, []byte("x")); !errors.Is(err, cms.ErrDigestMismatch) {
		t.Errorf("other content: %v", err)
	}
	// Another content type than the attribute says.
	if err := si.CheckSignature(gostReg, si.Certificate(sd.Certificates), cms.OIDTSTInfo, content); !errors.Is(err, cms.ErrAttributes) {
		t.Errorf("other content type: %v", err)
	}
	// The certificates chain by signature: user ← YT CA ← national root.
	user, ca, root := sd.Certificates[0], sd.Certificates[1], sd.Certificates[2]
	for _, pair := range [][2]*x509.Certificate{{user, ca}, {ca, root}, {root, root}} {
		if err := gostReg.CheckCertificate(pair[0], pair[1]); err != nil {
			t.Errorf("%s by %s: %v", pair[0].Subject.CommonName, pair[1].Subject.CommonName, err)
		}
	}
	if err := gostReg.CheckCertificate(user, root); !errors.Is(err, sigalg.ErrInvalid) || !errors.Is(err, gost.ErrVerification) {
		t.Errorf("user by root: %v", err)
	}
	// Re-encoding as DER keeps it verifiable.
	der, _ := sd.Marshal()
	again, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkAll(again, again.Content); err != nil {
		t.Fatalf("after DER re-encoding: %v", err)
	}
	// A registry without GOST says so, rather than "invalid".
	if err := si.CheckSignature(sigalg.Standard(), user, sd.ContentType, content); !errors.Is(err, cms.ErrUnsupported) || !errors.Is(err, sigalg.ErrUnsupported) {
		t.Errorf("without GOST: %v", err)
	}
}

// TestRealEIMZOBitFlips flips one bit in the content, the signed
// attributes, the signature and the certificates of the real message: each
// change must make the CMS signature or a certificate signature fail.
func TestRealEIMZOBitFlips(t *testing.T) {
	orig := read(t, eimzoCMS)
	sd0, _ := cms.Parse(orig)
	si := sd0.Signers[0]
	content := read(t, "eimzo-pkcs7-attached-777a2a2b.content.bin")
	signedAttrs := si.SignedBytes()[2:] // the attributes, after the SET header
	find := func(b []byte) int {
		i := bytes.Index(orig, b)
		if i < 0 || bytes.Index(orig[i+1:], b) >= 0 {
			t.Fatalf("marker not unique")
		}
		return i
	}
	places := map[string]struct {
		pos  int
		want error
	}{
		"content":        {find(content) + 20, cms.ErrDigestMismatch},
		"signing time":   {find(signedAttrs) + 43, cms.ErrSignature},
		"message digest": {find(signedAttrs) + len(signedAttrs) - 3, cms.ErrDigestMismatch},
		"signature s":    {find(si.Signature) + 1, cms.ErrSignature},
		"signature r":    {find(si.Signature) + 60, cms.ErrSignature},
		"user cert TBS":  {find(sd0.Certificates[0].RawTBSCertificate) + 300, errNoSigner}, // in its issuer name: the signer's id no longer matches
		"user cert key":  {find(sd0.Certificates[0].RawSubjectPublicKeyInfo) + 40, cms.ErrSignature},
		"CA cert TBS":    {find(sd0.Certificates[1].RawTBSCertificate) + 500, sigalg.ErrInvalid},
		"CA cert sig":    {find(sd0.Certificates[1].Raw) + len(sd0.Certificates[1].Raw) - 5, sigalg.ErrInvalid},
	}
	for name, p := range places {
		t.Run(name, func(t *testing.T) {
			b := bytes.Clone(orig)
			b[p.pos] ^= 0x01
			sd, err := cms.Parse(b)
			if err != nil {
				t.Fatalf("does not parse: %v", err)
			}
			err = checkAll(sd, sd.Content)
			if err == nil {
				u, ca, root := sd.Certificates[0], sd.Certificates[1], sd.Certificates[2]
				if err = gostReg.CheckCertificate(u, ca); err == nil {
					err = gostReg.CheckCertificate(ca, root)
				}
			}
			if !errors.Is(err, p.want) {
				t.Fatalf("after a bit flip: %v, want %v", err, p.want)
			}
		})
	}
}

func TestStyx(t *testing.T) {
	for _, name := range []string{"styx-cms-director.p7b", "styx-cms-finance.p7b"} {
		t.Run(name, func(t *testing.T) {
			sd, err := cms.Parse(read(t, name))
			if err != nil {
				t.Fatal(err)
			}
			si := sd.Signers[0]
			if string(sd.Content) != "e30=" || !si.SignatureAlgorithm.Algorithm.Equal(gost.OIDPublicKey) {
				t.Fatalf("content %q, signatureAlgorithm %s", sd.Content, si.SignatureAlgorithm.Algorithm)
			}
			// crypto/x509 refuses the signer's certificate; web/crypto/gost/cert
			// reads it with its fallback parser.
			var signer *cert.Certificate
			for _, raw := range sd.RawCertificates() {
				if c, err := cert.Parse(raw); err == nil && si.Certificate([]*x509.Certificate{c.Certificate}) != nil {
					signer = c
				}
			}
			if signer == nil {
				t.Fatal("no signer certificate among the raw certificates")
			}
			if err := si.CheckSignature(gostReg, signer.Certificate, sd.ContentType, sd.Content); err != nil {
				t.Fatal(err)
			}
			// The certificate itself is RSA-signed by a test CA we do not have.
			if signer.Key == nil || gost.IsSignatureOID(signer.SignatureOID) {
				t.Fatalf("signer cert: key %v, sig %s", signer.Key, signer.SignatureOID)
			}
			si.Signature[10] ^= 1
			if err := si.CheckSignature(gostReg, signer.Certificate, sd.ContentType, sd.Content); !errors.Is(err, cms.ErrSignature) || !errors.Is(err, gost.ErrVerification) {
				t.Fatalf("tampered: %v", err)
			}
		})
	}
}

type detRand struct{ r *rand.ChaCha8 }

func (d detRand) Read(p []byte) (int, error) { return d.r.Read(p) }

// gostPKI is daemon-sim's GOST test PKI (root → CA without key ids →
// user), made from a fixed seed.
type gostPKI struct {
	root, ca, user *x509.Certificate
	userKey        *gost.PrivateKey
}

func newGOSTPKI(t testing.TB) *gostPKI {
	t.Helper()
	opts := []testpki.Option{testpki.WithCAKeyType(testpki.GOST), testpki.WithRand(detRand{rand.NewChaCha8([32]byte{42})}),
		testpki.WithClock(func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) })}
	p, err := testpki.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	id, err := p.Issue(testpki.Physical, testpki.GOST, 1)
	if err != nil {
		t.Fatal(err)
	}
	return &gostPKI{p.Root, p.CA, id.Cert, id.Key.(*gost.PrivateKey)}
}

func (p *gostPKI) signer(at time.Time) cms.Signer {
	return cms.Signer{Key: p.userKey, Certificate: p.user, Chain: []*x509.Certificate{p.ca, p.root}, SigningTime: at,
		Rand: detRand{rand.NewChaCha8([32]byte{1})}}
}

func TestGOSTSignRoundTrip(t *testing.T) {
	p := newGOSTPKI(t)
	content := []byte("not_signed_data=&signed_data=&edc_value=777A2A2B")
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, detached := range []bool{false, true} {
		sd, err := cms.Sign(content, detached, p.signer(at))
		if err != nil {
			t.Fatal(err)
		}
		der, _ := sd.Marshal()
		if sd.Detached() != detached || len(sd.Certificates) != 3 {
			t.Fatalf("detached %v, %d certs", sd.Detached(), len(sd.Certificates))
		}
		again, _ := cms.Parse(der)
		if der2, _ := again.Marshal(); !bytes.Equal(der2, der) {
			t.Fatal("Marshal(Parse(x)) != x for our own DER")
		}
		si := sd.Signers[0]
		if len(si.Signature) != gost.SignatureSize || !si.DigestAlgorithm.Algorithm.Equal(gost.OIDDigest) ||
			!si.SignatureAlgorithm.Algorithm.Equal(gost.OIDSignature) {
			t.Fatalf("signature %d bytes, digest %v, algorithm %v", len(si.Signature), si.DigestAlgorithm.Algorithm, si.SignatureAlgorithm.Algorithm)
		}
		if st, ok, _ := si.SigningTime(); !ok || !st.Equal(at) {
			t.Fatalf("signing time %v", st)
		}
		if err := checkAll(sd, content); err != nil {
			t.Fatalf("detached=%v: %v", detached, err)
		}
		if err := checkAll(sd, []byte("other")); !errors.Is(err, cms.ErrDigestMismatch) {
			t.Fatalf("other content: %v", err)
		}
		// SignDigest gives an equivalent detached message.
		d := gost94.Sum(content)
		dd, err := cms.SignDigest(d[:], cms.Options{}, p.signer(at))
		if err != nil {
			t.Fatal(err)
		}
		if err := checkAll(dd, content); err != nil || !dd.Detached() {
			t.Fatalf("SignDigest: %v", err)
		}
		if _, err := cms.SignDigest(d[:20], cms.Options{}, p.signer(at)); err == nil {
			t.Fatal("SignDigest took a 20-byte digest")
		}
	}
	// The wrong key for the certificate is refused.
	wrong := p.signer(at)
	wrong.Certificate = p.ca
	if _, err := cms.Sign(content, false, wrong); err == nil {
		t.Fatal("signed with a key that does not match the certificate")
	}
}

func TestGOSTTimestampAttribute(t *testing.T) {
	p := newGOSTPKI(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	// Any DER SignedData stands in for a TimeStampToken here: one made by
	// the same signer over the signature value, as a TSA would.
	var sigSeen []byte
	s := p.signer(at)
	s.Timestamp = func(sig []byte) ([]byte, error) {
		sigSeen = sig
		tok, err := cms.Sign(sig, false, p.signer(at))
		if err != nil {
			return nil, err
		}
		return tok.Marshal()
	}
	sd, err := cms.Sign([]byte("doc"), false, s)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	toks := si.TimestampTokens()
	if len(toks) != 1 || !bytes.Equal(sigSeen, si.Signature) {
		t.Fatal("no timestamp token")
	}
	tsd, err := cms.Parse(toks[0])
	if err != nil || !bytes.Equal(tsd.Content, si.Signature) {
		t.Fatalf("token: %v", err)
	}
	if err := checkAll(sd, sd.Content); err != nil {
		t.Fatal(err)
	}
	// A token added to the real BER message keeps it verifiable.
	real, _ := cms.Parse(read(t, eimzoCMS))
	if err := real.Signers[0].AddTimestamp(toks[0]); err != nil {
		t.Fatal(err)
	}
	der, _ := real.Marshal()
	rsd, _ := cms.Parse(der)
	if got := rsd.Signers[0].TimestampTokens(); len(got) != 1 || !bytes.Equal(got[0], toks[0]) {
		t.Fatal("token not added")
	}
	if err := checkAll(rsd, rsd.Content); err != nil {
		t.Fatal(err)
	}
	if len(rsd.Signers) != 1 {
		t.Fatalf("%d signers", len(rsd.Signers))
	}
	if err := rsd.Signers[0].AddTimestamp([]byte{1, 2}); !errors.Is(err, cms.ErrMalformed) {
		t.Errorf("not DER: %v", err)
	}
	if err := rsd.Signers[0].AddTimestamp([]byte{0x30, 0x01}); !errors.Is(err, cms.ErrMalformed) {
		t.Errorf("truncated: %v", err)
	}
	// A failing time-stamp authority fails the signing.
	s.Timestamp = func([]byte) ([]byte, error) { return nil, errors.New("TSA down") }
	if _, err := cms.Sign([]byte("doc"), false, s); err == nil || !strings.Contains(err.Error(), "TSA down") {
		t.Errorf("TSA failure: %v", err)
	}
}

// TestOpenSSLParsesGOSTCMS checks that OpenSSL 3 reads the structure of a
// created message (it cannot verify GOST).
func TestOpenSSLParsesGOSTCMS(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	p := newGOSTPKI(t)
	sd, err := cms.Sign([]byte("hello"), false, p.signer(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	der, _ := sd.Marshal()
	f := filepath.Join(t.TempDir(), "m.p7b")
	if err := os.WriteFile(f, der, 0o644); err != nil {
		t.Fatal(err)
	}
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

func TestGOSTParseErrors(t *testing.T) {
	real := read(t, eimzoCMS)
	idData, _ := asn1.Marshal(struct {
		T asn1.ObjectIdentifier
		C asn1.RawValue `asn1:"explicit,tag:0"`
	}{cms.OIDData, asn1.RawValue{FullBytes: []byte{4, 0}}})
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, cms.ErrMalformed},
		{"truncated", real[:100], cms.ErrMalformed},
		{"a certificate", read(t, "cert-root-575a613a.der"), cms.ErrMalformed},
		{"id-data ContentInfo", idData, cms.ErrNotSignedData},
		{"id-data ContentInfo is malformed too", idData, cms.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := cms.Parse(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestGOSTNames(t *testing.T) {
	for oid, want := range map[string]asn1.ObjectIdentifier{
		"OZDST-1106-2009-2-AwithOZDST-1092-2009-2": gost.OIDSignature,
		"OZDST-1092-2009-2":                        gost.OIDPublicKey,
		sigalg.NameGOSTDigest:                      gost.OIDDigest,
	} {
		if got := gostReg.Name(want); got != oid {
			t.Errorf("name of %v: %q, want %q", want, got, oid)
		}
	}
}
