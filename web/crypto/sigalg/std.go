package sigalg

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
)

// Digest algorithm OIDs (RFC 5754 §2).
var (
	OIDSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	OIDSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	OIDSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// Signature algorithm OIDs (RFC 4055, RFC 5754 §3, RFC 5758 §3.2).
var (
	OIDRSAEncryption   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	OIDSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	OIDSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	OIDSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	OIDRSASSAPSS       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	OIDECPublicKey     = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	OIDECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	OIDECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	OIDECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
)

// MinRSABits is the smallest RSA modulus accepted.
const MinRSABits = 2048

// Default returns [Standard] with GOST R 34.10-2001 / GOST R 34.11-94
// ([AddGOST]) added: what real E-IMZO signatures need.
func Default() *Registry {
	r := Standard()
	AddGOST(r)
	return r
}

// Standard returns a registry with SHA-256/384/512, RSA PKCS#1 v1.5 and
// RSASSA-PSS (RFC 8017), and ECDSA (FIPS 186-5) on the curves crypto/ecdsa
// knows. SHA-1 and MD5 are left out on purpose: signatures on them are not
// accepted.
func Standard() *Registry {
	r := New()
	r.AddHash(Hash{OID: OIDSHA256, Name: "SHA-256", New: sha256.New, Crypto: crypto.SHA256})
	r.AddHash(Hash{OID: OIDSHA384, Name: "SHA-384", New: sha512.New384, Crypto: crypto.SHA384})
	r.AddHash(Hash{OID: OIDSHA512, Name: "SHA-512", New: sha512.New, Crypto: crypto.SHA512})
	r.AddSignature(OIDRSAEncryption, "RSA PKCS#1 v1.5", pkcs1{})
	r.AddSignature(OIDSHA256WithRSA, "RSA PKCS#1 v1.5 with SHA-256", pkcs1{OIDSHA256})
	r.AddSignature(OIDSHA384WithRSA, "RSA PKCS#1 v1.5 with SHA-384", pkcs1{OIDSHA384})
	r.AddSignature(OIDSHA512WithRSA, "RSA PKCS#1 v1.5 with SHA-512", pkcs1{OIDSHA512})
	r.AddSignature(OIDRSASSAPSS, "RSASSA-PSS", pss{})
	r.AddSignature(OIDECPublicKey, "ECDSA", ecdsaSig{})
	r.AddSignature(OIDECDSAWithSHA256, "ECDSA with SHA-256", ecdsaSig{OIDSHA256})
	r.AddSignature(OIDECDSAWithSHA384, "ECDSA with SHA-384", ecdsaSig{OIDSHA384})
	r.AddSignature(OIDECDSAWithSHA512, "ECDSA with SHA-512", ecdsaSig{OIDSHA512})
	return r
}

// implied is the digest of a signature OID that names it, or the fallback.
func implied(own, fallback asn1.ObjectIdentifier, sigOID asn1.ObjectIdentifier) (asn1.ObjectIdentifier, error) {
	switch {
	case own != nil:
		return own, nil
	case fallback != nil:
		return fallback, nil
	}
	return nil, Unsupported(sigOID, "a key algorithm used as signature algorithm outside CMS")
}

func rsaKey(c *x509.Certificate) (*rsa.PublicKey, error) {
	pub, ok := c.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, Invalid("an RSA signature, but the signer's key is %v", c.PublicKeyAlgorithm)
	}
	if pub.N.BitLen() < MinRSABits {
		return nil, Unsupported(OIDRSAEncryption, "RSA key of %d bits, below %d", pub.N.BitLen(), MinRSABits)
	}
	return pub, nil
}

// pkcs1 is RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
type pkcs1 struct{ hash asn1.ObjectIdentifier }

func (p pkcs1) Digest(_ asn1.RawValue, fallback asn1.ObjectIdentifier) (asn1.ObjectIdentifier, error) {
	return implied(p.hash, fallback, OIDRSAEncryption)
}

func (pkcs1) Verify(signer *x509.Certificate, _ asn1.RawValue, h Hash, digest, sig []byte) error {
	pub, err := rsaKey(signer)
	if err != nil {
		return err
	}
	if h.Crypto == 0 {
		return Unsupported(h.OID, "RSA with a digest the standard library does not know")
	}
	if err := rsa.VerifyPKCS1v15(pub, h.Crypto, digest, sig); err != nil {
		return Invalid("RSA PKCS#1 v1.5: %v", err)
	}
	return nil
}

// pssParams is RSASSA-PSS-params (RFC 4055 §3.1).
type pssParams struct {
	Hash         pkix.AlgorithmIdentifier `asn1:"explicit,tag:0,optional"`
	MGF          pkix.AlgorithmIdentifier `asn1:"explicit,tag:1,optional"`
	SaltLength   int                      `asn1:"explicit,tag:2,optional,default:20"`
	TrailerField int                      `asn1:"explicit,tag:3,optional,default:1"`
}

// pss is RSASSA-PSS (RFC 8017 §8.1) with MGF1 over the same hash, as
// RFC 4055 §3.1 recommends; the defaults (SHA-1) are not accepted.
type pss struct{}

func parsePSS(params asn1.RawValue) (pssParams, error) {
	var p pssParams
	if len(params.FullBytes) == 0 {
		return p, Unsupported(OIDRSASSAPSS, "no parameters: the SHA-1 defaults")
	}
	if rest, err := asn1.Unmarshal(params.FullBytes, &p); err != nil || len(rest) != 0 {
		return p, Unsupported(OIDRSASSAPSS, "malformed parameters")
	}
	if p.Hash.Algorithm == nil {
		return p, Unsupported(OIDRSASSAPSS, "SHA-1 (the default hash)")
	}
	var mgfHash pkix.AlgorithmIdentifier
	if !p.MGF.Algorithm.Equal(oidMGF1) {
		return p, Unsupported(OIDRSASSAPSS, "mask generation function %v", p.MGF.Algorithm)
	}
	if _, err := asn1.Unmarshal(p.MGF.Parameters.FullBytes, &mgfHash); err != nil || !mgfHash.Algorithm.Equal(p.Hash.Algorithm) {
		return p, Unsupported(OIDRSASSAPSS, "MGF1 over another hash than the message's")
	}
	if p.TrailerField != 1 || p.SaltLength < 0 {
		return p, Unsupported(OIDRSASSAPSS, "trailer field %d, salt length %d", p.TrailerField, p.SaltLength)
	}
	return p, nil
}

func (pss) Digest(params asn1.RawValue, _ asn1.ObjectIdentifier) (asn1.ObjectIdentifier, error) {
	p, err := parsePSS(params)
	if err != nil {
		return nil, err
	}
	return p.Hash.Algorithm, nil
}

func (pss) Verify(signer *x509.Certificate, params asn1.RawValue, h Hash, digest, sig []byte) error {
	p, err := parsePSS(params)
	if err != nil {
		return err
	}
	pub, err := rsaKey(signer)
	if err != nil {
		return err
	}
	if h.Crypto == 0 {
		return Unsupported(h.OID, "RSASSA-PSS with a digest the standard library does not know")
	}
	if err := rsa.VerifyPSS(pub, h.Crypto, digest, sig, &rsa.PSSOptions{SaltLength: p.SaltLength, Hash: h.Crypto}); err != nil {
		return Invalid("RSASSA-PSS: %v", err)
	}
	return nil
}

// ecdsaSig is ECDSA with the signature as an ASN.1 Ecdsa-Sig-Value
// (RFC 5753 §7.2, RFC 5758 §3.2).
type ecdsaSig struct{ hash asn1.ObjectIdentifier }

func (e ecdsaSig) Digest(_ asn1.RawValue, fallback asn1.ObjectIdentifier) (asn1.ObjectIdentifier, error) {
	return implied(e.hash, fallback, OIDECPublicKey)
}

func (ecdsaSig) Verify(signer *x509.Certificate, _ asn1.RawValue, _ Hash, digest, sig []byte) error {
	pub, ok := signer.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return Invalid("an ECDSA signature, but the signer's key is %v", signer.PublicKeyAlgorithm)
	}
	if !ecdsa.VerifyASN1(pub, digest, sig) {
		return Invalid("ECDSA: the signature does not verify")
	}
	return nil
}
