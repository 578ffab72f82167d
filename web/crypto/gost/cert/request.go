package cert

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"

	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
)

var oidExtensionRequest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14} // PKCS#9 (RFC 2985 §5.4.2)

// CreateRequest builds and signs a PKCS#10 certificate request (RFC 2986)
// for a GOST key, as x509.CreateCertificateRequest would with a key it
// knew: the subject is template.RawSubject (or template.Subject), the key
// is written as real E-IMZO certificates carry it, template.ExtraExtensions
// go into an extensionRequest attribute, and the signature is O'zDSt
// 1106/1092 over the DER CertificationRequestInfo. crypto/x509 parses the
// result; [CheckRequestSignature] verifies it. Errors: ErrTemplate, or the
// signer's.
func CreateRequest(rand io.Reader, template *x509.CertificateRequest, key *gost.PrivateKey) ([]byte, error) {
	subject, err := marshalName(template.RawSubject, template.Subject)
	if err != nil {
		return nil, err
	}
	spki, err := gost.MarshalEIMZOPublicKey(key.PublicKey())
	if err != nil {
		return nil, err
	}
	var attrs []asn1.RawValue
	if len(template.ExtraExtensions) > 0 {
		exts, err := asn1.Marshal(template.ExtraExtensions)
		if err != nil {
			return nil, fmt.Errorf("%w: extensions: %v", ErrTemplate, err)
		}
		attr, err := asn1.Marshal(struct {
			Type   asn1.ObjectIdentifier
			Values asn1.RawValue
		}{oidExtensionRequest, asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: exts}})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
		}
		attrs = append(attrs, asn1.RawValue{FullBytes: attr})
	}
	info, err := asn1.Marshal(struct {
		Version    int
		Subject    asn1.RawValue
		PublicKey  asn1.RawValue
		Attributes []asn1.RawValue `asn1:"tag:0,set"`
	}{0, asn1.RawValue{FullBytes: subject}, asn1.RawValue{FullBytes: spki}, attrs})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
	}
	digest := gost94.Sum(info)
	sig, err := key.Sign(rand, digest[:], nil)
	if err != nil {
		return nil, fmt.Errorf("cert: signing: %w", err)
	}
	return asn1.Marshal(certificate{
		TBS:       asn1.RawValue{FullBytes: info},
		Algorithm: gost.SignatureAlgorithm(),
		Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
}

// CheckRequestSignature verifies the signature of a PKCS#10 request made
// with a GOST key, by that key (RFC 2986 §3: proof of possession). Errors:
// ErrMalformed, ErrNotGOST, ErrSignature.
func CheckRequestSignature(req *x509.CertificateRequest) error {
	var outer certificate
	if rest, err := asn1.Unmarshal(req.Raw, &outer); err != nil || len(rest) > 0 {
		return fmt.Errorf("%w: certification request", ErrMalformed)
	}
	if !gost.IsSignatureOID(outer.Algorithm.Algorithm) {
		return fmt.Errorf("%w: signature algorithm %s", ErrNotGOST, outer.Algorithm.Algorithm)
	}
	pub, err := gost.ParsePKIXPublicKey(req.RawSubjectPublicKeyInfo)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotGOST, err)
	}
	d := gost94.Sum(req.RawTBSCertificateRequest)
	if err := gost.Verify(pub, d[:], outer.Signature.RightAlign()); err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return nil
}

// KeyAlgorithmName is the name E-IMZO reports for a key (AlgorithmNames'
// first result) given its crypto/x509 algorithm and its DER
// SubjectPublicKeyInfo, for keys outside a certificate (PKCS#10).
func KeyAlgorithmName(alg x509.PublicKeyAlgorithm, spki []byte) string {
	switch alg {
	case x509.RSA:
		return "RSA"
	case x509.ECDSA:
		return "EC"
	case x509.Ed25519:
		return "Ed25519"
	}
	return oidName(firstAlgorithm(spki, 0))
}
