package sigalg

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/eimzokit/eimzokit/web/crypto/gost"
)

// Signing is how a key signs: the digest algorithm, the signatureAlgorithm
// to write next to the signature, and the options for crypto.Signer.Sign.
type Signing struct {
	Hash      Hash
	Algorithm pkix.AlgorithmIdentifier
	Opts      crypto.SignerOpts
	// Size is the exact length of a signature, 0 when it varies (ECDSA).
	Size int
}

var hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA256: OIDSHA256, crypto.SHA384: OIDSHA384, crypto.SHA512: OIDSHA512,
}

// SigningFor returns how a key with public key pub signs. h is the digest
// for RSA and ECDSA keys (0 means SHA-256; SHA-256, SHA-384 or SHA-512);
// pss selects RSASSA-PSS for RSA keys (RFC 4055 §3.1, salt as long as the
// hash). GOST R 34.10-2001 keys always sign a GOST R 34.11-94 digest under
// the O'zDSt OIDs, as E-IMZO does. The digest must be in r.
func (r *Registry) SigningFor(pub crypto.PublicKey, h crypto.Hash, pss bool) (Signing, error) {
	if _, ok := pub.(*gost.PublicKey); ok {
		hash, err := r.Hash(gost.OIDDigest)
		if err != nil {
			return Signing{}, err
		}
		return Signing{Hash: hash, Algorithm: gost.SignatureAlgorithm(), Opts: nil, Size: gost.SignatureSize}, nil
	}
	if h == 0 {
		h = crypto.SHA256
	}
	hashOID, ok := hashOIDs[h]
	if !ok {
		return Signing{}, fmt.Errorf("sigalg: hash %v is not SHA-256, SHA-384 or SHA-512", h)
	}
	hash, err := r.Hash(hashOID)
	if err != nil {
		return Signing{}, err
	}
	s := Signing{Hash: hash, Opts: h}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		s.Size = k.Size()
		if pss {
			s.Opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
			s.Algorithm = pkix.AlgorithmIdentifier{Algorithm: OIDRSASSAPSS, Parameters: pssParamsFor(hashOID, h.Size())}
			break
		}
		s.Algorithm = pkix.AlgorithmIdentifier{Algorithm: map[crypto.Hash]asn1.ObjectIdentifier{
			crypto.SHA256: OIDSHA256WithRSA, crypto.SHA384: OIDSHA384WithRSA, crypto.SHA512: OIDSHA512WithRSA}[h],
			Parameters: asn1.NullRawValue}
	case *ecdsa.PublicKey:
		s.Algorithm = pkix.AlgorithmIdentifier{Algorithm: map[crypto.Hash]asn1.ObjectIdentifier{
			crypto.SHA256: OIDECDSAWithSHA256, crypto.SHA384: OIDECDSAWithSHA384, crypto.SHA512: OIDECDSAWithSHA512}[h]}
	default:
		return Signing{}, fmt.Errorf("sigalg: key type %T is not RSA, ECDSA or GOST R 34.10-2001", pub)
	}
	return s, nil
}

// pssParamsFor encodes RSASSA-PSS-params with MGF1 over the same hash and a
// salt as long as the hash (RFC 4055 §3.1).
func pssParamsFor(hashOID asn1.ObjectIdentifier, salt int) asn1.RawValue {
	hashAlg := pkix.AlgorithmIdentifier{Algorithm: hashOID, Parameters: asn1.NullRawValue}
	hashDER, _ := asn1.Marshal(hashAlg)
	mgf := pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: hashDER}}
	p := struct {
		Hash pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
		MGF  pkix.AlgorithmIdentifier `asn1:"explicit,tag:1"`
		Salt int                      `asn1:"explicit,tag:2"`
	}{hashAlg, mgf, salt}
	der, err := asn1.Marshal(p)
	if err != nil {
		panic("sigalg: encoding RSASSA-PSS parameters: " + err.Error())
	}
	return asn1.RawValue{FullBytes: der}
}
