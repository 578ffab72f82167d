package cms_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "gost", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	pkiOnce sync.Once
	pki     *testpki.PKI
	ids     map[testpki.KeyType]*testpki.Identity
)

func identities(t testing.TB) (*testpki.PKI, map[testpki.KeyType]*testpki.Identity) {
	t.Helper()
	pkiOnce.Do(func() {
		var err error
		if pki, err = testpki.New(); err != nil {
			panic(err)
		}
		ids = map[testpki.KeyType]*testpki.Identity{}
		for i, kt := range []testpki.KeyType{testpki.RSA2048, testpki.P256} {
			if ids[kt], err = pki.Issue(testpki.Physical, kt, i+1); err != nil {
				panic(err)
			}
		}
	})
	return pki, ids
}

func TestParseRealEIMZO(t *testing.T) {
	ber := read(t, "eimzo-pkcs7-attached-777a2a2b.p7b")
	sd, err := cms.Parse(ber)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sd.Content, read(t, "eimzo-pkcs7-attached-777a2a2b.content.bin")) || sd.Detached() {
		t.Errorf("content %q", sd.Content)
	}
	if len(sd.Certificates) != 3 || len(sd.Signers) != 1 {
		t.Fatalf("%d certificates, %d signers", len(sd.Certificates), len(sd.Signers))
	}
	si := sd.Signers[0]
	cert := si.Certificate(sd.Certificates)
	if cert == nil || cert.SerialNumber.Text(16) != "777a2a2b" {
		t.Fatalf("signer certificate %v", cert)
	}
	st, ok, err := si.SigningTime()
	if err != nil || !ok || !st.Equal(time.Date(2020, 7, 12, 19, 14, 1, 0, time.UTC)) {
		t.Errorf("signing time %v %v %v", st, ok, err)
	}
	md, err := si.MessageDigest()
	if err != nil || hex.EncodeToString(md) != "c91c528764030f4166afa1013172015f316852182c70aa964374f3e96d143ed0" {
		t.Errorf("message digest %x %v", md, err)
	}
	if h := hex.EncodeToString(si.Signature); !strings.HasPrefix(h, "efc303f9") || !strings.HasSuffix(h, "4cfc1c") {
		t.Errorf("signature %s", h)
	}
	if ct, err := si.ContentTypeAttr(); err != nil || !ct.Equal(cms.OIDData) {
		t.Errorf("content type %v %v", ct, err)
	}
	if sb := si.SignedBytes(); sb[0] != 0x31 || len(sb) != 107 {
		t.Errorf("signed bytes: tag %#x, %d bytes", sb[0], len(sb))
	}
	// DER out, and the same thing parsed back.
	der, err := sd.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(der, ber) {
		t.Fatal("BER came out unchanged")
	}
	again, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	der2, _ := again.Marshal()
	if !bytes.Equal(der, der2) || !bytes.Equal(again.Signers[0].SignedBytes(), si.SignedBytes()) {
		t.Error("DER does not round-trip")
	}
	if d, _, err := cms.ToDER(der); err != nil || !bytes.Equal(d, der) {
		t.Error("ToDER changed DER")
	}
	if out, err := exec.Command("openssl", "version").Output(); err == nil {
		// OpenSSL reads our DER conversion, too.
		path := filepath.Join(t.TempDir(), "der.p7b")
		_ = os.WriteFile(path, der, 0o600)
		if msg, err := exec.Command("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", path).CombinedOutput(); err != nil {
			t.Errorf("%s: openssl cannot read our DER: %v\n%s", out, err, msg)
		}
	}
}

func TestParseSTYX(t *testing.T) {
	for _, name := range []string{"styx-cms-director.p7b", "styx-cms-finance.p7b"} {
		sd, err := cms.Parse(read(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// crypto/x509 refuses the signer's certificate (its CRL distribution
		// point is malformed): the parse goes on, and says why.
		if string(sd.Content) != "e30=" || len(sd.Signers) != 1 || sd.Signers[0].Certificate(sd.Certificates) != nil ||
			len(sd.CertificateErrors) != 1 || !strings.Contains(sd.CertificateErrors[0].Error(), "CRL distribution point") {
			t.Errorf("%s: content %q, %d signers, certificate errors %v", name, sd.Content, len(sd.Signers), sd.CertificateErrors)
		}
		if got := sd.Signers[0].SignatureAlgorithm.Algorithm.String(); got != "1.2.860.3.15.1.1.2.1" {
			t.Errorf("%s: signature algorithm %s", name, got)
		}
	}
}

func TestSignVariants(t *testing.T) {
	p, ids := identities(t)
	content := []byte("hujjat")
	reg := sigalg.Default()
	for _, tt := range []struct {
		name string
		s    cms.Signer
	}{
		{"RSA SHA-256", cms.Signer{Key: ids[testpki.RSA2048].Key, Certificate: ids[testpki.RSA2048].Cert}},
		{"RSA-PSS SHA-384", cms.Signer{Key: ids[testpki.RSA2048].Key, Certificate: ids[testpki.RSA2048].Cert, PSS: true, Hash: crypto.SHA384}},
		{"RSA SHA-512 by SKI", cms.Signer{Key: ids[testpki.RSA2048].Key, Certificate: ids[testpki.RSA2048].Cert, Hash: crypto.SHA512, SubjectKeyID: true}},
		{"ECDSA SHA-384 no attributes", cms.Signer{Key: ids[testpki.P256].Key, Certificate: ids[testpki.P256].Cert, Hash: crypto.SHA384, NoAttributes: true}},
		{"ECDSA with signing time", cms.Signer{Key: ids[testpki.P256].Key, Certificate: ids[testpki.P256].Cert, SigningTime: time.Date(2051, 1, 2, 3, 4, 5, 0, time.UTC)}},
	} {
		for _, detached := range []bool{false, true} {
			tt.s.Chain = []*x509.Certificate{p.CA}
			sd, err := cms.Sign(content, detached, tt.s)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if sd.Detached() != detached || len(sd.Certificates) != 2 {
				t.Errorf("%s: detached %v, %d certificates", tt.name, sd.Detached(), len(sd.Certificates))
			}
			si := sd.Signers[0]
			cert := si.Certificate(sd.Certificates)
			if cert == nil {
				t.Fatalf("%s: no signer certificate", tt.name)
			}
			signed := si.SignedBytes()
			if tt.s.NoAttributes != (signed == nil) {
				t.Errorf("%s: signed attributes %v", tt.name, signed != nil)
			}
			if signed == nil {
				signed = content
			}
			if err := reg.Verify(cert, si.SignatureAlgorithm, si.DigestAlgorithm.Algorithm, signed, si.Signature); err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			if st, ok, _ := si.SigningTime(); ok != !tt.s.SigningTime.IsZero() || (ok && !st.Equal(tt.s.SigningTime)) {
				t.Errorf("%s: signing time %v", tt.name, st)
			}
			der, _ := sd.Marshal()
			opensslVerify(t, tt.name, der, content, detached, p.Root, time.Time{})
		}
	}
}

// opensslVerify checks our CMS with OpenSSL, an implementation we did not
// write, when it is installed: the signature, the chain to root (at the
// time at, when not zero) and the content it gives back.
func opensslVerify(t *testing.T, name string, der, content []byte, detached bool, root *x509.Certificate, at time.Time) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("no openssl: skipping the OpenSSL cross-check")
		return
	}
	dir := t.TempDir()
	write := func(n string, b []byte) string {
		path := filepath.Join(dir, n)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	rootPEM := write("root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}))
	args := []string{"cms", "-verify", "-inform", "DER", "-in", write("sig.der", der), "-CAfile", rootPEM, "-binary", "-purpose", "any", "-out", filepath.Join(dir, "out")}
	if !at.IsZero() {
		args = append(args, "-attime", strconv.FormatInt(at.Unix(), 10))
	}
	if detached {
		args = append(args, "-content", write("content", content))
	}
	if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
		t.Errorf("%s: openssl cms -verify: %v\n%s", name, err, out)
		return
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "out")); !bytes.Equal(got, content) {
		t.Errorf("%s: openssl gives the content %q", name, got)
	}
}

func TestSeveralSignersJoinAttach(t *testing.T) {
	p, ids := identities(t)
	content := []byte("ikki imzo")
	rsaS := cms.Signer{Key: ids[testpki.RSA2048].Key, Certificate: ids[testpki.RSA2048].Cert, Chain: []*x509.Certificate{p.CA}}
	ecS := cms.Signer{Key: ids[testpki.P256].Key, Certificate: ids[testpki.P256].Cert, Chain: []*x509.Certificate{p.CA}, Hash: crypto.SHA512}
	both, err := cms.Sign(content, false, rsaS, ecS)
	if err != nil {
		t.Fatal(err)
	}
	if len(both.Signers) != 2 || len(both.Certificates) != 3 || len(both.DigestAlgorithms) != 2 {
		t.Fatalf("%d signers, %d certificates, %d digests", len(both.Signers), len(both.Certificates), len(both.DigestAlgorithms))
	}
	a, _ := cms.Sign(content, true, rsaS)
	b, _ := cms.Sign(content, true, ecS)
	if err := a.Join(b); err != nil {
		t.Fatal(err)
	}
	if len(a.Signers) != 2 || len(a.Certificates) != 3 {
		t.Errorf("joined: %d signers, %d certificates", len(a.Signers), len(a.Certificates))
	}
	other, _ := cms.Sign([]byte("boshqa"), true, ecS)
	otherAttached, _ := cms.Sign([]byte("boshqa"), false, ecS)
	attached, _ := cms.Sign(content, false, ecS)
	for _, o := range []*cms.SignedData{other, attached} {
		if err := a.Join(o); !errors.Is(err, cms.ErrContentDiffers) {
			t.Errorf("join with other content: %v", err)
		}
	}
	for _, o := range []*cms.SignedData{otherAttached} {
		if err := attached.Join(o); !errors.Is(err, cms.ErrContentDiffers) {
			t.Errorf("join with other attached content: %v", err)
		}
	}
	if err := a.Attach(content); err != nil {
		t.Fatal(err)
	}
	der, _ := a.Marshal()
	opensslVerify(t, "joined and attached", der, content, false, p.Root, time.Time{})
	if err := a.Attach(content); err == nil {
		t.Error("attached twice")
	}
	// An unsigned attribute survives Marshal and Parse.
	a.Signers[1].SetUnsigned(cms.OIDAttrTimeStamp, []byte{0x04, 0x01, 0x07})
	der, _ = a.Marshal()
	back, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	vals, ok, err := cms.Attr(back.Signers[1].UnsignedAttrs, cms.OIDAttrTimeStamp)
	if err != nil || !ok || len(vals) != 1 || !bytes.Equal(vals[0], []byte{0x04, 0x01, 0x07}) {
		t.Errorf("unsigned attribute: %v %v %x", ok, err, vals)
	}
}

func TestParseErrors(t *testing.T) {
	_, ids := identities(t)
	good, _ := cms.Sign([]byte("x"), false, cms.Signer{Key: ids[testpki.P256].Key, Certificate: ids[testpki.P256].Cert})
	der, _ := good.Marshal()
	data, _ := asn1.Marshal(struct {
		T asn1.ObjectIdentifier
	}{cms.OIDData})
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"text", []byte("hello")},
		{"truncated", der[:len(der)/2]},
		{"trailing data", append(append([]byte{}, der...), 0x30, 0x00)},
		{"not signed-data", data},
		{"indefinite primitive", []byte{0x04, 0x80, 0x00, 0x00}},
		{"missing end-of-contents", []byte{0x30, 0x80, 0x02, 0x01, 0x01}},
		{"deep", bytes.Repeat([]byte{0x30, 0x80}, 200)},
		{"huge length", []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00}},
	}
	for _, tt := range tests {
		if _, err := cms.Parse(tt.in); !errors.Is(err, cms.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", tt.name, err)
		}
	}
	if _, err := cms.Parse(append(append([]byte{}, der...), 0, 0)); err != nil {
		t.Errorf("end-of-contents padding after the CMS: %v", err)
	}
	for _, tail := range [][]byte{{0}, {0x05}, {0, 0, 0}} {
		if _, err := cms.Parse(append(append([]byte{}, der...), tail...)); !errors.Is(err, cms.ErrMalformed) {
			t.Errorf("trailing %x: %v", tail, err)
		}
	}

	// More signers than a verifier will check.
	many := make([]cms.Signer, cms.MaxSigners+1)
	for i := range many {
		many[i] = cms.Signer{Key: ids[testpki.P256].Key, Certificate: ids[testpki.P256].Cert}
	}
	if _, err := cms.Sign([]byte("x"), false, many...); !errors.Is(err, cms.ErrMalformed) || !strings.Contains(err.Error(), "signers") {
		t.Errorf("%d signers: %v", len(many), err)
	}
}

func TestToDER(t *testing.T) {
	tests := []struct {
		name    string
		ber     string
		der     string
		wantErr bool
	}{
		{"DER stays", "3003020101", "3003020101", false},
		{"indefinite SEQUENCE", "30800201010000", "3003020101", false},
		{"long-form length", "308103020101", "3003020101", false},
		{"length with a leading zero", "30820003020101", "3003020101", false},
		{"segmented OCTET STRING", "2480040161040262630000", "0403616263", false},
		{"nested segments", "2480248004016100000401620000", "04026162", false},
		{"segmented BIT STRING", "2380030200ff0302040f0000", "030304ff0f", false},
		{"BIT STRING unused bits in a middle segment", "2380030201ff0302000f0000", "", true},
		{"segment of another type", "24800c01610000", "", true},
		{"end-of-contents at the top", "0000", "", true},
		{"reserved length", "30ff", "", true},
	}
	for _, tt := range tests {
		in, _ := hex.DecodeString(tt.ber)
		got, rest, err := cms.ToDER(in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%s: no error", tt.name)
			}
			continue
		}
		if err != nil || hex.EncodeToString(got) != tt.der || len(rest) != 0 {
			t.Errorf("%s: %x %x %v, want %s", tt.name, got, rest, err, tt.der)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"eimzo-pkcs7-attached-777a2a2b.p7b", "styx-cms-director.p7b", "styx-cms-finance.p7b"} {
		f.Add(read(f, name))
	}
	_, ids := identities(f)
	for _, detached := range []bool{false, true} {
		sd, _ := cms.Sign([]byte("seed"), detached, cms.Signer{Key: ids[testpki.P256].Key, Certificate: ids[testpki.P256].Cert, SigningTime: time.Now()})
		der, _ := sd.Marshal()
		f.Add(der)
	}
	reg := sigalg.Default()
	f.Fuzz(func(t *testing.T, in []byte) {
		sd, err := cms.Parse(in)
		if err != nil {
			if !errors.Is(err, cms.ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		// What parses re-encodes, and the re-encoding parses the same.
		der, err := sd.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		again, err := cms.Parse(der)
		if err != nil {
			t.Fatalf("re-encoding does not parse: %v", err)
		}
		if !bytes.Equal(again.Content, sd.Content) || len(again.Signers) != len(sd.Signers) {
			t.Fatal("re-encoding changed the content or the signers")
		}
		for i, si := range sd.Signers {
			if !bytes.Equal(si.SignedBytes(), again.Signers[i].SignedBytes()) || !bytes.Equal(si.Signature, again.Signers[i].Signature) {
				t.Fatal("re-encoding changed what was signed")
			}
			_, _, _ = si.SigningTime()
			_, _ = si.MessageDigest()
			if c := si.Certificate(sd.Certificates); c != nil {
				_ = si.CheckSignature(reg, c, sd.ContentType, []byte{})
			}
			// Every parsed signer takes an unsigned attribute (what
			// attach_timestamp_token_pkcs7 does to a client's CMS).
			if err := again.Signers[i].AddUnsigned(cms.OIDAttrTimeStamp, []byte{0x05, 0x00}); err != nil {
				t.Fatalf("a parsed CMS could not take an attribute: %v", err)
			}
		}
		if _, err := again.Marshal(); err != nil {
			t.Fatalf("a parsed CMS with an added attribute does not re-encode: %v", err)
		}
	})
}

// TestSignIsWhatParseReads: Sign fills the SignedData as Parse would from
// its encoding, without a round trip.
func TestSignIsWhatParseReads(t *testing.T) {
	p, ids := identities(t)
	for _, s := range []cms.Signer{
		{Key: ids[testpki.RSA2048].Key, Certificate: ids[testpki.RSA2048].Cert, Chain: []*x509.Certificate{p.CA}, SigningTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{Key: ids[testpki.P256].Key, Certificate: ids[testpki.P256].Cert, SubjectKeyID: true, PSS: true, Hash: crypto.SHA384},
		{Key: ids[testpki.RSA2048].Key, Certificate: ids[testpki.RSA2048].Cert, PSS: true, NoAttributes: true},
	} {
		for _, detached := range []bool{false, true} {
			sd, err := cms.Sign([]byte("x"), detached, s)
			if err != nil {
				t.Fatal(err)
			}
			der, _ := sd.Marshal()
			back, err := cms.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sd.Signers, back.Signers) || sd.Version != back.Version || !reflect.DeepEqual(sd.DigestAlgorithms, back.DigestAlgorithms) ||
				len(sd.Certificates) != len(back.Certificates) || !bytes.Equal(sd.Content, back.Content) {
				t.Errorf("Sign and Parse differ:\n%+v\n%+v", sd.Signers[0], back.Signers[0])
			}
		}
	}
}
