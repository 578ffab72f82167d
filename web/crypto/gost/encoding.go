package gost

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
)

// keyParams is GostR3410-2001-PublicKeyParameters (RFC 4491 §2.3.1):
// SEQUENCE { publicKeyParamSet, digestParamSet, encryptionParamSet
// OPTIONAL }. Real E-IMZO certificates carry only the first OID, so the
// others are optional here.
type keyParams struct {
	PublicKeyParamSet asn1.ObjectIdentifier
	Rest              []asn1.RawValue `asn1:"optional"`
}

type spki struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

type pkcs8 struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
}

// algorithmIdentifier is the key AlgorithmIdentifier for c: OID
// 1.2.860.3.15.1.1.2.1 with parameters SEQUENCE { parameter-set OID,
// digest OID } (RFC 4491 §2.3.1 shape). Curve B, which has no Uzbek OID,
// gets the RFC 4491 OIDs.
func algorithmIdentifier(c *Curve) (pkix.AlgorithmIdentifier, error) {
	keyOID, paramOID := c.paramSetOID()
	digest := OIDDigest
	if c.oid == nil {
		digest = OIDCryptoProDigestParamSet
	}
	params, err := asn1.Marshal(struct {
		P, D asn1.ObjectIdentifier
	}{paramOID, digest})
	if err != nil {
		return pkix.AlgorithmIdentifier{}, err
	}
	return pkix.AlgorithmIdentifier{Algorithm: keyOID, Parameters: asn1.RawValue{FullBytes: params}}, nil
}

// PublicKeyAlgorithm returns the AlgorithmIdentifier of pub's SPKI; a
// certificate builder needs it as its own value.
func PublicKeyAlgorithm(pub *PublicKey) (pkix.AlgorithmIdentifier, error) {
	return algorithmIdentifier(pub.curve)
}

// SignatureAlgorithm returns the AlgorithmIdentifier for signatures made
// with these keys: OID 1.2.860.3.15.1.1.2.2.2.2 with NULL parameters, as
// in real E-IMZO certificates.
func SignatureAlgorithm() pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: OIDSignature, Parameters: asn1.NullRawValue}
}

// DigestAlgorithm returns the AlgorithmIdentifier of O'zDSt 1106:2009 as
// E-IMZO writes it in CMS (OID 1.2.860.3.15.1.3.2.1.1, NULL parameters).
func DigestAlgorithm() pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: OIDDigest, Parameters: asn1.NullRawValue}
}

// MarshalPKIXPublicKey returns the DER SubjectPublicKeyInfo of pub: the
// algorithm of PublicKeyAlgorithm and a BIT STRING that wraps an OCTET
// STRING of x ‖ y, little-endian (RFC 4491 §2.3.2).
func MarshalPKIXPublicKey(pub *PublicKey) ([]byte, error) {
	alg, err := algorithmIdentifier(pub.curve)
	if err != nil {
		return nil, err
	}
	key, err := asn1.Marshal(pub.Bytes())
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(spki{alg, asn1.BitString{Bytes: key, BitLength: 8 * len(key)}})
}

// MarshalEIMZOPublicKey returns pub's DER SubjectPublicKeyInfo in the shape
// real E-IMZO certificates carry: the key parameters are SEQUENCE {
// parameter-set OID } only, without the digest OID RFC 4491 adds. Keys on
// curve B, which has no Uzbek OID, are written as MarshalPKIXPublicKey
// writes them. Both shapes parse with ParsePKIXPublicKey.
func MarshalEIMZOPublicKey(pub *PublicKey) ([]byte, error) {
	if pub.curve.oid == nil {
		return MarshalPKIXPublicKey(pub)
	}
	params, err := asn1.Marshal(keyParams{PublicKeyParamSet: pub.curve.oid})
	if err != nil {
		return nil, err
	}
	key, err := asn1.Marshal(pub.Bytes())
	if err != nil {
		return nil, err
	}
	alg := pkix.AlgorithmIdentifier{Algorithm: OIDPublicKey, Parameters: asn1.RawValue{FullBytes: params}}
	return asn1.Marshal(spki{alg, asn1.BitString{Bytes: key, BitLength: 8 * len(key)}})
}

// ParsePKIXPublicKey parses a DER SubjectPublicKeyInfo with a GOST R
// 34.10-2001 key (Uzbek or RFC 4491 OIDs). Errors: ErrMalformed,
// ErrUnsupportedAlgorithm (*UnsupportedError: O'zMSt 286:2024, unknown
// parameter sets, other algorithms), ErrPublicKeyLength, ErrNotOnCurve.
func ParsePKIXPublicKey(der []byte) (*PublicKey, error) {
	var s spki
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil {
		return nil, fmt.Errorf("%w: SubjectPublicKeyInfo: %v", ErrMalformed, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: trailing data after SubjectPublicKeyInfo", ErrMalformed)
	}
	return ParsePublicKeyInfo(s.Algorithm, s.PublicKey)
}

// ParsePublicKeyInfo is ParsePKIXPublicKey for an SPKI already split into
// its algorithm and key bits (as crypto/x509 and CMS parsers hold them).
func ParsePublicKeyInfo(alg pkix.AlgorithmIdentifier, key asn1.BitString) (*PublicKey, error) {
	c, err := curveOfAlgorithm(alg)
	if err != nil {
		return nil, err
	}
	if key.BitLength != 8*len(key.Bytes) {
		return nil, fmt.Errorf("%w: public key BIT STRING has unused bits", ErrMalformed)
	}
	var raw []byte
	rest, err := asn1.Unmarshal(key.Bytes, &raw)
	if err != nil {
		return nil, fmt.Errorf("%w: public key is not an OCTET STRING: %v", ErrMalformed, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: trailing data after public key", ErrMalformed)
	}
	return NewPublicKey(c, raw)
}

func curveOfAlgorithm(alg pkix.AlgorithmIdentifier) (*Curve, error) {
	if Is2024(alg.Algorithm) {
		return nil, &UnsupportedError{alg.Algorithm, "O'zMSt 286:2024 is not implemented (no public sample)"}
	}
	if !IsPublicKeyOID(alg.Algorithm) {
		return nil, &UnsupportedError{alg.Algorithm, "not a GOST R 34.10-2001 key"}
	}
	var p keyParams
	rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p)
	if err != nil {
		return nil, fmt.Errorf("%w: key parameters: %v", ErrMalformed, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: trailing data after key parameters", ErrMalformed)
	}
	return CurveByOID(p.PublicKeyParamSet)
}

// MarshalPKCS8PrivateKey returns the DER PKCS#8 PrivateKeyInfo (RFC 5208)
// of priv: the same AlgorithmIdentifier as the SPKI, and a privateKey
// OCTET STRING holding the DER OCTET STRING of d, 32 bytes little-endian
// (the form of R 1323565.1.023 and newer OpenSSL GOST engines).
func MarshalPKCS8PrivateKey(priv *PrivateKey) ([]byte, error) {
	alg, err := algorithmIdentifier(priv.pub.curve)
	if err != nil {
		return nil, err
	}
	le := make([]byte, PrivateKeySize)
	priv.d.putLE(le)
	inner, err := asn1.Marshal(le)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pkcs8{Version: 0, Algorithm: alg, PrivateKey: inner})
}

// ParsePKCS8PrivateKey parses a DER PKCS#8 PrivateKeyInfo with a GOST R
// 34.10-2001 key. The privateKey OCTET STRING may hold a DER OCTET STRING
// of d little-endian, a DER INTEGER d, or the 32 raw little-endian bytes.
// Errors: ErrMalformed, ErrUnsupportedAlgorithm, ErrPrivateKey.
func ParsePKCS8PrivateKey(der []byte) (*PrivateKey, error) {
	var p pkcs8
	rest, err := asn1.Unmarshal(der, &p)
	if err != nil {
		return nil, fmt.Errorf("%w: PrivateKeyInfo: %v", ErrMalformed, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: trailing data after PrivateKeyInfo", ErrMalformed)
	}
	if p.Version != 0 && p.Version != 1 {
		return nil, fmt.Errorf("%w: PrivateKeyInfo version %d", ErrMalformed, p.Version)
	}
	c, err := curveOfAlgorithm(p.Algorithm)
	if err != nil {
		return nil, err
	}
	var d []byte // big-endian
	switch {
	case len(p.PrivateKey) > 0 && p.PrivateKey[0] == asn1.TagOctetString:
		var le []byte
		if rest, err := asn1.Unmarshal(p.PrivateKey, &le); err != nil || len(rest) > 0 || len(le) != PrivateKeySize {
			return nil, fmt.Errorf("%w: privateKey is not a 32-byte OCTET STRING", ErrMalformed)
		}
		d = reverseBytes(le)
	case len(p.PrivateKey) > 0 && p.PrivateKey[0] == asn1.TagInteger:
		var n *big.Int
		if rest, err := asn1.Unmarshal(p.PrivateKey, &n); err != nil || len(rest) > 0 || n.Sign() <= 0 || n.BitLen() > 256 {
			return nil, fmt.Errorf("%w: privateKey INTEGER", ErrMalformed)
		}
		d = n.FillBytes(make([]byte, PrivateKeySize))
	case len(p.PrivateKey) == PrivateKeySize:
		d = reverseBytes(p.PrivateKey)
	default:
		return nil, fmt.Errorf("%w: privateKey of %d bytes", ErrMalformed, len(p.PrivateKey))
	}
	return NewPrivateKey(c, d)
}

// ParseSignature splits a 64-byte signature into r and s and checks that
// both are in [1, q−1] for c. Errors: ErrSignatureLength, ErrSignatureRange.
func ParseSignature(c *Curve, sig []byte) (r, s *big.Int, err error) {
	if len(sig) != SignatureSize {
		return nil, nil, fmt.Errorf("%w: got %d bytes", ErrSignatureLength, len(sig))
	}
	s = new(big.Int).SetBytes(sig[:32])
	r = new(big.Int).SetBytes(sig[32:])
	for _, v := range []*big.Int{r, s} {
		if v.Sign() == 0 || v.Cmp(c.params.Q) >= 0 {
			return nil, nil, ErrSignatureRange
		}
	}
	return r, s, nil
}

// MarshalSignature returns s ‖ r, each 32 bytes big-endian, after checking
// that both are in [1, q−1] for c. Error: ErrSignatureRange.
func MarshalSignature(c *Curve, r, s *big.Int) ([]byte, error) {
	for _, v := range []*big.Int{r, s} {
		if v.Sign() <= 0 || v.Cmp(c.params.Q) >= 0 {
			return nil, ErrSignatureRange
		}
	}
	sig := make([]byte, SignatureSize)
	s.FillBytes(sig[:32])
	r.FillBytes(sig[32:])
	return sig, nil
}

func reverseBytes(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}
