package gost

import (
	"bufio"
	"bytes"
	crand "crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
)

// testPKISPKIs returns the SPKIs of the E-IMZO test PKI listed in
// testdata/e-imzo-doc-test-pki-keys.txt, by name.
func testPKISPKIs(t testing.TB) map[string][]byte {
	f, err := os.Open("testdata/e-imzo-doc-test-pki-keys.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	var name string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "spki="):
			b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(line, "spki="))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = b
		case line != "" && !strings.HasPrefix(line, "certsig="):
			name = strings.Fields(line)[0]
		}
	}
	if len(out) != 4 {
		t.Fatalf("expected 4 SPKIs, got %d", len(out))
	}
	return out
}

func certSPKI(t testing.TB, file string) []byte {
	der, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return c.RawSubjectPublicKeyInfo
}

func TestParseRealSPKIs(t *testing.T) {
	for name, der := range testPKISPKIs(t) {
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			t.Fatalf("test PKI %s: %v", name, err)
		}
		if pub.Curve() != CurveA() {
			t.Errorf("test PKI %s: curve %s", name, pub.Curve())
		}
	}
	for file, want := range map[string]*Curve{
		"cert-root-575a613a.der":                CurveA(),
		"cert-ca-yt-5b0be307.der":               CurveA(),
		"cert-user-777a2a2b.der":                CurveA(),
		"cert-user-77fb42f2.der":                CurveA(),
		"cert-mvd-3935ac8c20665b6cf8d8aa37.der": CurveC(),
	} {
		pub, err := ParsePKIXPublicKey(certSPKI(t, file))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if pub.Curve() != want {
			t.Errorf("%s: curve %s, want %s", file, pub.Curve(), want)
		}
	}
	// The MVD key read as a point on B (the other candidate for .2) is not
	// on it: .2 really is C.
	raw, _ := ParsePKIXPublicKey(certSPKI(t, "cert-mvd-3935ac8c20665b6cf8d8aa37.der"))
	if _, err := NewPublicKey(CurveB(), raw.Bytes()); !errors.Is(err, ErrNotOnCurve) {
		t.Errorf("MVD key on B: %v", err)
	}
}

func TestSPKIRoundTrip(t *testing.T) {
	for i, c := range allCurves {
		priv, _ := GenerateKey(c, newDetRand(byte(10+i)))
		der, err := MarshalPKIXPublicKey(priv.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if !pub.Equal(priv.PublicKey()) {
			t.Fatalf("%s: round trip changed the key", c)
		}
		// Go's parser accepts the structure and leaves the key unknown.
		var s struct {
			Algorithm pkix.AlgorithmIdentifier
			Key       asn1.BitString
		}
		if _, err := asn1.Unmarshal(der, &s); err != nil {
			t.Fatal(err)
		}
		if _, err := x509.ParsePKIXPublicKey(der); err == nil {
			t.Log("crypto/x509 unexpectedly knows GOST keys")
		}
		p8, err := MarshalPKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKCS8PrivateKey(p8)
		if err != nil {
			t.Fatalf("%s PKCS#8: %v", c, err)
		}
		if !back.Equal(priv) {
			t.Fatalf("%s: PKCS#8 round trip changed the key", c)
		}
	}
	// A real SPKI re-marshals with the digest OID added and the same key.
	for _, der := range testPKISPKIs(t) {
		pub, _ := ParsePKIXPublicKey(der)
		again, _ := MarshalPKIXPublicKey(pub)
		pub2, err := ParsePKIXPublicKey(again)
		if err != nil || !pub2.Equal(pub) {
			t.Fatalf("re-marshal: %v", err)
		}
	}
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func spkiWith(t testing.TB, alg asn1.ObjectIdentifier, params any, key []byte) []byte {
	var ai pkix.AlgorithmIdentifier
	ai.Algorithm = alg
	if params != nil {
		ai.Parameters = asn1.RawValue{FullBytes: mustMarshal(t, params)}
	}
	return mustMarshal(t, spki{ai, asn1.BitString{Bytes: key, BitLength: 8 * len(key)}})
}

func TestParsePKIXPublicKeyErrors(t *testing.T) {
	good := testPKISPKIs(t)["TestRoot"]
	pub, _ := ParsePKIXPublicKey(good)
	octets := mustMarshal(t, pub.Bytes())
	type ps struct{ P asn1.ObjectIdentifier }
	off := pub.Bytes()
	off[5] ^= 0x40
	tests := []struct {
		name string
		der  []byte
		want error
	}{
		{"valid", good, nil},
		{"valid CryptoPro OIDs", spkiWith(t, OIDCryptoProPublicKey, ps{asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}}, octets), nil},
		{"valid XchA", spkiWith(t, OIDCryptoProPublicKey, ps{oidXchA}, octets), nil},
		{"truncated", good[:len(good)-1], ErrMalformed},
		{"trailing", append(bytes.Clone(good), 0), ErrMalformed},
		{"2024 key", spkiWith(t, asn1.ObjectIdentifier{1, 2, 860, 3, 15, 2, 1, 1}, ps{OIDParamSetA}, octets), ErrUnsupportedAlgorithm},
		{"2024 param set", spkiWith(t, OIDPublicKey, ps{asn1.ObjectIdentifier{1, 2, 860, 3, 15, 2, 1, 1, 1}}, octets), ErrUnsupportedAlgorithm},
		{"param set .3", spkiWith(t, OIDPublicKey, ps{asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 1, 3}}, octets), ErrUnsupportedAlgorithm},
		{"param set .4", spkiWith(t, OIDPublicKey, ps{asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 1, 4}}, octets), ErrUnsupportedAlgorithm},
		{"RSA", spkiWith(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}, nil, octets), ErrUnsupportedAlgorithm},
		{"no params", spkiWith(t, OIDPublicKey, nil, octets), ErrMalformed},
		{"raw key, no OCTET STRING", spkiWith(t, OIDPublicKey, ps{OIDParamSetA}, pub.Bytes()), ErrMalformed},
		{"short key", spkiWith(t, OIDPublicKey, ps{OIDParamSetA}, mustMarshal(t, pub.Bytes()[:63])), ErrPublicKeyLength},
		{"point off curve", spkiWith(t, OIDPublicKey, ps{OIDParamSetA}, mustMarshal(t, off)), ErrNotOnCurve},
		{"key on A labelled C", spkiWith(t, OIDPublicKey, ps{OIDParamSetC}, octets), ErrNotOnCurve},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePKIXPublicKey(tc.der)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPKCS8Forms(t *testing.T) {
	priv, _ := GenerateKey(CurveA(), newDetRand(20))
	alg, _ := algorithmIdentifier(CurveA())
	le := reverseBytes(priv.Bytes())
	d := new(big.Int).SetBytes(priv.Bytes())
	tests := []struct {
		name string
		key  []byte
		want error
	}{
		{"OCTET STRING", mustMarshal(t, le), nil},
		{"INTEGER", mustMarshal(t, d), nil},
		{"raw", le, nil},
		{"short OCTET STRING", mustMarshal(t, le[:31]), ErrMalformed},
		{"zero", make([]byte, 32), ErrPrivateKey},
		{"garbage", []byte{1, 2, 3}, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der := mustMarshal(t, pkcs8{Algorithm: alg, PrivateKey: tc.key})
			got, err := ParsePKCS8PrivateKey(der)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err == nil && !got.Equal(priv) {
				t.Fatal("different key")
			}
		})
	}
}

func TestSignatureCodec(t *testing.T) {
	v := loadVectors(t).Vectors[0]
	sig := mustHex(t, v.Signature)
	r, s, err := ParseSignature(CurveA(), sig)
	if err != nil {
		t.Fatal(err)
	}
	if r.Text(16) != strings.TrimLeft(v.R, "0") || s.Text(16) != strings.TrimLeft(v.S, "0") {
		t.Fatal("r/s differ from vectors.json")
	}
	again, err := MarshalSignature(CurveA(), r, s)
	if err != nil || !bytes.Equal(again, sig) {
		t.Fatal("MarshalSignature does not round-trip")
	}
	if _, _, err := ParseSignature(CurveA(), sig[:10]); !errors.Is(err, ErrSignatureLength) {
		t.Error(err)
	}
	if _, err := MarshalSignature(CurveA(), big.NewInt(0), s); !errors.Is(err, ErrSignatureRange) {
		t.Error(err)
	}
	if _, _, err := ParseSignature(CurveA(), make([]byte, 64)); !errors.Is(err, ErrSignatureRange) {
		t.Error(err)
	}
}

func TestOIDs(t *testing.T) {
	tests := []struct {
		oid        asn1.ObjectIdentifier
		name       string
		key, sig   bool
		digest, y4 bool
	}{
		{OIDPublicKey, KeyAlgorithmName, true, true, false, false},
		{OIDSignature, SignatureAlgorithmName, false, true, false, false},
		{OIDDigest, "", false, false, true, false},
		{OIDCryptoProPublicKey, KeyAlgorithmName, true, true, false, false},
		{asn1.ObjectIdentifier{1, 2, 860, 3, 15, 2, 1}, KeyAlgorithmName2024, false, false, false, true},
		{asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, "", false, false, false, false},
	}
	for _, tc := range tests {
		if AlgorithmName(tc.oid) != tc.name || IsPublicKeyOID(tc.oid) != tc.key ||
			IsSignatureOID(tc.oid) != tc.sig || IsDigestOID(tc.oid) != tc.digest || Is2024(tc.oid) != tc.y4 {
			t.Errorf("%s: wrong classification", tc.oid)
		}
	}
	for oid, want := range map[string]*Curve{
		"1.2.860.3.15.1.1.2.1.1": CurveA(), "1.2.860.3.15.1.1.2.1.2": CurveC(),
		"1.2.643.2.2.35.1": CurveA(), "1.2.643.2.2.35.2": CurveB(), "1.2.643.2.2.35.3": CurveC(),
		"1.2.643.2.2.36.0": CurveXchA(), "1.2.643.2.2.36.1": CurveXchB(),
	} {
		c, err := CurveByOID(parseOID(t, oid))
		if err != nil || c != want {
			t.Errorf("%s: %v, %v", oid, c, err)
		}
	}
	var ue *UnsupportedError
	if _, err := CurveByOID(parseOID(t, "1.2.860.3.15.1.1.2.1.3")); !errors.As(err, &ue) || !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf(".3: %v", err)
	}
	if CurveB().OID() != nil || !CurveA().OID().Equal(OIDParamSetA) || !CurveC().CryptoProOID().Equal(parseOID(t, "1.2.643.2.2.35.3")) {
		t.Error("curve OIDs")
	}
}

func parseOID(t testing.TB, s string) asn1.ObjectIdentifier {
	var o asn1.ObjectIdentifier
	for _, f := range strings.Split(s, ".") {
		n := 0
		for _, c := range f {
			n = n*10 + int(c-'0')
		}
		o = append(o, n)
	}
	return o
}

func TestVerifyAPIKey(t *testing.T) {
	for domain, key := range demoAPIKeys {
		if err := VerifyAPIKey(domain, key); err != nil {
			t.Errorf("%s: %v", domain, err)
		}
		if err := VerifyAPIKey(domain, strings.ToLower(key)); err != nil {
			t.Errorf("%s lower case: %v", domain, err)
		}
	}
	key := demoAPIKeys["localhost"]
	tampered := key[:10] + "0" + key[11:]
	if key[10] == '0' {
		tampered = key[:10] + "1" + key[11:]
	}
	tests := []struct {
		name, domain, key string
		want              error
	}{
		{"tampered key", "localhost", tampered, ErrVerification},
		{"other domain", "example.com", key, ErrVerification},
		{"not hex", "localhost", "zz", ErrMalformed},
		{"short", "localhost", key[:126], ErrSignatureLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := VerifyAPIKey(tc.domain, tc.key); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("esi.uz", func(t *testing.T) {
		t.Skip("PROTOCOL.md §3.2 says esi.uz's key verifies, but the key itself is not published in our sources")
	})
}

func FuzzParsePKIXPublicKey(f *testing.F) {
	for _, der := range testPKISPKIs(f) {
		f.Add(der)
	}
	f.Add(certSPKI(f, "cert-mvd-3935ac8c20665b6cf8d8aa37.der"))
	f.Fuzz(func(t *testing.T, der []byte) {
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			return
		}
		again, err := MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		pub2, err := ParsePKIXPublicKey(again)
		if err != nil || !pub2.Equal(pub) {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

func FuzzParsePKCS8PrivateKey(f *testing.F) {
	for i, c := range allCurves {
		priv, _ := GenerateKey(c, newDetRand(byte(30+i)))
		der, _ := MarshalPKCS8PrivateKey(priv)
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		priv, err := ParsePKCS8PrivateKey(der)
		if err != nil {
			return
		}
		again, _ := MarshalPKCS8PrivateKey(priv)
		if p2, err := ParsePKCS8PrivateKey(again); err != nil || !p2.Equal(priv) {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

// FuzzVerify feeds arbitrary keys, digests and signatures to the decoders
// and the verifier: they must never panic, and nothing but the real
// signature may verify for the real digest and key.
func FuzzVerify(f *testing.F) {
	for _, v := range loadVectors(f).Vectors {
		f.Add(mustHex(f, v.PubKey), mustHex(f, v.Digest), mustHex(f, v.Signature))
	}
	f.Fuzz(func(t *testing.T, key, digest, sig []byte) {
		for _, c := range allCurves {
			pub, err := NewPublicKey(c, key)
			if err != nil {
				continue
			}
			_ = Verify(pub, digest, sig)
			_, _, _ = ParseSignature(c, sig)
		}
	})
}

// TestEIMZOPublicKeyShape: the E-IMZO shape is the real certificates'
// (SEQUENCE { paramset } only), byte for byte.
func TestEIMZOPublicKeyShape(t *testing.T) {
	for _, name := range []string{"cert-user-777a2a2b.der", "cert-ca-yt-5b0be307.der", "cert-root-575a613a.der"} {
		real := certSPKI(t, name)
		pub, err := ParsePKIXPublicKey(real)
		if err != nil {
			t.Fatal(err)
		}
		der, err := MarshalEIMZOPublicKey(pub)
		if err != nil || !bytes.Equal(der, real) {
			t.Errorf("%s: %x, want %x (%v)", name, der, real, err)
		}
		rfc, _ := MarshalPKIXPublicKey(pub)
		if bytes.Equal(rfc, real) || len(rfc) <= len(der) {
			t.Errorf("%s: the RFC 4491 shape should carry the digest OID too", name)
		}
	}
	b, _ := GenerateKey(CurveB(), crand.Reader)
	short, _ := MarshalEIMZOPublicKey(b.PublicKey())
	long, _ := MarshalPKIXPublicKey(b.PublicKey())
	if !bytes.Equal(short, long) {
		t.Error("curve B has no Uzbek OID: the RFC 4491 shape is used")
	}
}
