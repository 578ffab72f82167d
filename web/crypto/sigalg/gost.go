package sigalg

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"

	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
)

// Names of the GOST algorithms in reports: E-IMZO's own names for the
// signature and key (PROTOCOL.md §4.3, §9), the standards' for the digest.
const (
	NameGOSTDigest = "O'zDSt 1106:2009 (GOST R 34.11-94, CryptoPro S-box)"
)

// AddGOST registers the Uzbek national algorithms from web/crypto/gost, under
// both their Uzbek and their RFC 4357 OIDs: the O'zDSt 1106:2009 digest
// (GOST R 34.11-94 with the CryptoPro S-box) and O'zDSt 1092:2009
// signatures (GOST R 34.10-2001 on the CryptoPro curves, signature s ‖ r,
// e read little-endian: RFC 4491 §2.2.2). The key OID is registered as a
// signature algorithm too, since some CMS carry it there (RFC 4490 §3.2
// allows it); the digest then comes from the SignerInfo. The O'zMSt
// 286:2024 family has no public sample and stays unsupported.
func AddGOST(r *Registry) {
	for _, oid := range []asn1.ObjectIdentifier{gost.OIDDigest, gost.OIDCryptoProDigest} {
		r.AddHash(Hash{OID: oid, Name: NameGOSTDigest, New: gost94.New})
	}
	r.AddSignature(gost.OIDSignature, gost.SignatureAlgorithmName, gostSig{})
	r.AddSignature(gost.OIDCryptoProSignature, gost.SignatureAlgorithmName, gostSig{})
	r.AddSignature(gost.OIDPublicKey, gost.KeyAlgorithmName, gostSig{})
	r.AddSignature(gost.OIDCryptoProPublicKey, gost.KeyAlgorithmName, gostSig{})
}

// gostSig is GOST R 34.10-2001 over a GOST R 34.11-94 digest.
type gostSig struct{}

func (gostSig) Digest(_ asn1.RawValue, fallback asn1.ObjectIdentifier) (asn1.ObjectIdentifier, error) {
	switch {
	case fallback == nil:
		return gost.OIDDigest, nil
	case gost.IsDigestOID(fallback):
		return fallback, nil
	}
	return nil, Unsupported(fallback, "a GOST R 34.10-2001 signature over a digest other than GOST R 34.11-94")
}

func (gostSig) Verify(signer *x509.Certificate, _ asn1.RawValue, _ Hash, digest, sig []byte) error {
	pub, err := gost.ParsePKIXPublicKey(signer.RawSubjectPublicKeyInfo)
	switch {
	case errors.Is(err, gost.ErrUnsupportedAlgorithm) && signer.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm:
		return Unsupported(gost.OIDPublicKey, "the signer's key: %v", err)
	case err != nil:
		return Invalid("a GOST signature, but the signer's key is not a GOST R 34.10-2001 key: %v", err)
	}
	if err := gost.Verify(pub, digest, sig); err != nil {
		return Invalid("GOST R 34.10-2001: %w", err)
	}
	return nil
}
