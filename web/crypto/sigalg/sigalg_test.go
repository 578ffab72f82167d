package sigalg_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

func selfSigned(t *testing.T, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "k"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func pssParams(t *testing.T, hash, mgfHash asn1.ObjectIdentifier, salt int) asn1.RawValue {
	t.Helper()
	h := pkix.AlgorithmIdentifier{Algorithm: hash, Parameters: asn1.NullRawValue}
	mh, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: mgfHash, Parameters: asn1.NullRawValue})
	p := struct {
		Hash pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
		MGF  pkix.AlgorithmIdentifier `asn1:"explicit,tag:1"`
		Salt int                      `asn1:"explicit,tag:2"`
	}{h, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}, Parameters: asn1.RawValue{FullBytes: mh}}, salt}
	b, err := asn1.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return asn1.RawValue{FullBytes: b}
}

func TestVerify(t *testing.T) {
	reg := sigalg.Default()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	smallKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaCert, smallCert, ecCert := selfSigned(t, rsaKey), selfSigned(t, smallKey), selfSigned(t, ecKey)
	msg := []byte("imzolangan")
	d := sha256.Sum256(msg)
	pkcs1Sig, _ := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA256, d[:])
	smallSig, _ := rsa.SignPKCS1v15(rand.Reader, smallKey, crypto.SHA256, d[:])
	pssSig, _ := rsa.SignPSS(rand.Reader, rsaKey, crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: 32})
	ecSig, _ := ecdsa.SignASN1(rand.Reader, ecKey, d[:])
	d1 := sha1.Sum(msg)
	sha1Sig, _ := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA1, d1[:])

	alg := func(oid asn1.ObjectIdentifier) pkix.AlgorithmIdentifier {
		return pkix.AlgorithmIdentifier{Algorithm: oid}
	}
	pss := func(p asn1.RawValue) pkix.AlgorithmIdentifier {
		return pkix.AlgorithmIdentifier{Algorithm: sigalg.OIDRSASSAPSS, Parameters: p}
	}
	tests := []struct {
		name     string
		cert     *x509.Certificate
		alg      pkix.AlgorithmIdentifier
		fallback asn1.ObjectIdentifier
		sig      []byte
		want     error // nil, sigalg.ErrInvalid or sigalg.ErrUnsupported
		standard bool  // with sigalg.Standard(): no GOST
	}{
		{"PKCS#1 v1.5", rsaCert, alg(sigalg.OIDSHA256WithRSA), nil, pkcs1Sig, nil, false},
		{"rsaEncryption with the CMS digest", rsaCert, alg(sigalg.OIDRSAEncryption), sigalg.OIDSHA256, pkcs1Sig, nil, false},
		{"rsaEncryption outside CMS", rsaCert, alg(sigalg.OIDRSAEncryption), nil, pkcs1Sig, sigalg.ErrUnsupported, false},
		{"PKCS#1 v1.5 under the wrong hash", rsaCert, alg(sigalg.OIDSHA384WithRSA), nil, pkcs1Sig, sigalg.ErrInvalid, false},
		{"PSS", rsaCert, pss(pssParams(t, sigalg.OIDSHA256, sigalg.OIDSHA256, 32)), nil, pssSig, nil, false},
		{"PSS with another salt length", rsaCert, pss(pssParams(t, sigalg.OIDSHA256, sigalg.OIDSHA256, 20)), nil, pssSig, sigalg.ErrInvalid, false},
		{"PSS with MGF1 over another hash", rsaCert, pss(pssParams(t, sigalg.OIDSHA256, sigalg.OIDSHA512, 32)), nil, pssSig, sigalg.ErrUnsupported, false},
		{"PSS without parameters (SHA-1)", rsaCert, pss(asn1.RawValue{}), nil, pssSig, sigalg.ErrUnsupported, false},
		{"PSS with junk parameters", rsaCert, pss(asn1.RawValue{FullBytes: []byte{0x05, 0x00}}), nil, pssSig, sigalg.ErrUnsupported, false},
		{"ECDSA P-384", ecCert, alg(sigalg.OIDECDSAWithSHA256), nil, ecSig, nil, false},
		{"ECDSA with the key OID in CMS", ecCert, alg(sigalg.OIDECPublicKey), sigalg.OIDSHA256, ecSig, nil, false},
		{"ECDSA signature, RSA key", rsaCert, alg(sigalg.OIDECDSAWithSHA256), nil, ecSig, sigalg.ErrInvalid, false},
		{"RSA signature, ECDSA key", ecCert, alg(sigalg.OIDSHA256WithRSA), nil, pkcs1Sig, sigalg.ErrInvalid, false},
		{"ECDSA garbage", ecCert, alg(sigalg.OIDECDSAWithSHA256), nil, []byte{1, 2, 3}, sigalg.ErrInvalid, false},
		{"RSA-1024", smallCert, alg(sigalg.OIDSHA256WithRSA), nil, smallSig, sigalg.ErrUnsupported, false},
		{"SHA-1 with RSA", rsaCert, alg(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}), nil, sha1Sig, sigalg.ErrUnsupported, false},
		{"rsaEncryption with SHA-1 from CMS", rsaCert, alg(sigalg.OIDRSAEncryption), asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, sha1Sig, sigalg.ErrUnsupported, false},
		{"GOST before it is plugged in", rsaCert, alg(asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 2, 2, 2}), nil, pkcs1Sig, sigalg.ErrUnsupported, true},
		{"GOST signature, RSA key", rsaCert, alg(asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 2, 2, 2}), nil, pkcs1Sig, sigalg.ErrInvalid, false},
		{"GOST key OID over SHA-256", rsaCert, alg(asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 1}), sigalg.OIDSHA256, pkcs1Sig, sigalg.ErrUnsupported, false},
		{"O'zMSt 286:2024", rsaCert, alg(asn1.ObjectIdentifier{1, 2, 860, 3, 15, 2, 1, 2}), nil, pkcs1Sig, sigalg.ErrUnsupported, false},
	}
	for _, tt := range tests {
		r := reg
		if tt.standard {
			r = sigalg.Standard()
		}
		err := r.Verify(tt.cert, tt.alg, tt.fallback, msg, tt.sig)
		switch {
		case tt.want == nil && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != nil && !errors.Is(err, tt.want):
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	h, _ := reg.Hash(sigalg.OIDSHA256)
	if err := reg.VerifyDigest(rsaCert, alg(sigalg.OIDSHA256WithRSA), h, d[:], pkcs1Sig); err != nil {
		t.Errorf("VerifyDigest: %v", err)
	}
	if err := reg.VerifyDigest(rsaCert, alg(sigalg.OIDSHA384WithRSA), h, d[:], pkcs1Sig); !errors.Is(err, sigalg.ErrInvalid) {
		t.Errorf("VerifyDigest with a digest of another hash: %v", err)
	}
	if reg.Name(sigalg.OIDSHA384) != "SHA-384" || reg.Name(sigalg.OIDECDSAWithSHA256) != "ECDSA with SHA-256" || reg.Name(asn1.ObjectIdentifier{1, 2, 3}) != "1.2.3" {
		t.Error("names")
	}
}

func TestCertificatesAndCRLs(t *testing.T) {
	reg := sigalg.Default()
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.P256} {
		id, err := pki.Issue(testpki.Physical, kt, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.CheckCertificate(id.Cert, pki.CA); err != nil {
			t.Errorf("%s user by CA: %v", kt, err)
		}
		if err := reg.CheckCertificate(id.Cert, pki.Root); !errors.Is(err, sigalg.ErrInvalid) {
			t.Errorf("%s user by root: %v", kt, err)
		}
	}
	if err := reg.CheckCertificate(pki.CA, pki.Root); err != nil {
		t.Errorf("CA by root: %v", err)
	}
	key, _ := pki.IssuerKey(pki.CA)
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now(), NextUpdate: time.Now().Add(time.Hour)}, pki.CA, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.CheckSigned(crl, pki.CA); err != nil {
		t.Errorf("CRL: %v", err)
	}
	crl[len(crl)-3] ^= 1
	if err := reg.CheckSigned(crl, pki.CA); !errors.Is(err, sigalg.ErrInvalid) {
		t.Errorf("tampered CRL: %v", err)
	}
	if err := reg.CheckSigned([]byte{0x30, 0x00}, pki.CA); !errors.Is(err, sigalg.ErrInvalid) {
		t.Errorf("junk: %v", err)
	}
}
