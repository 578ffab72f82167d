package gost

import (
	"encoding/asn1"
	"fmt"
)

// Object identifiers. E-IMZO uses the Uzbek arc 1.2.860.3.15 for the same
// algorithms that RFC 4357 and RFC 4491 name under 1.2.643.2.2; both are
// recognised when parsing. Do not modify these values.
var (
	// OIDPublicKey is the O'zDSt 1092:2009 public-key algorithm
	// (GOST R 34.10-2001 arithmetic), reported as "OZDST-1092-2009-2".
	OIDPublicKey = asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 1}
	// OIDSignature is O'zDSt 1106:2009 with O'zDSt 1092:2009, the
	// signature algorithm of E-IMZO certificates and CMS, reported as
	// "OZDST-1106-2009-2-AwithOZDST-1092-2009-2". Some tools put
	// OIDPublicKey in its place; IsSignatureOID accepts both.
	OIDSignature = asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 2, 2, 2}
	// OIDDigest is O'zDSt 1106:2009, i.e. GOST R 34.11-94 with the
	// CryptoPro S-box.
	OIDDigest = asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 3, 2, 1, 1}
	// OIDParamSetA and OIDParamSetC are the Uzbek parameter sets found in
	// real certificates: CryptoPro-A and CryptoPro-C. The siblings .3 and .4
	// exist but their curves are unknown.
	OIDParamSetA = asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 1, 1}
	OIDParamSetC = asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 1, 2}
	// OIDOzMSt2024 is the arc of the newer O'zMSt 286:2024 algorithms
	// ("OZMST-286-2024-2"). No public sample exists; everything under it
	// is reported as unsupported.
	OIDOzMSt2024 = asn1.ObjectIdentifier{1, 2, 860, 3, 15, 2}

	// RFC 4357 / RFC 4491 identifiers of the same algorithms.
	OIDCryptoProPublicKey      = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}    // id-GostR3410-2001
	OIDCryptoProSignature      = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 3}     // id-GostR3411-94-with-GostR3410-2001
	OIDCryptoProDigest         = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 9}     // id-GostR3411-94
	OIDCryptoProDigestParamSet = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 30, 1} // id-GostR3411-94-CryptoProParamSet

	oidUzParamArc = asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 1}
	oidXchA       = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 0}
	oidXchB       = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 1}
)

// Algorithm names as the E-IMZO daemon reports them.
const (
	KeyAlgorithmName       = "OZDST-1092-2009-2"
	SignatureAlgorithmName = "OZDST-1106-2009-2-AwithOZDST-1092-2009-2"
	// KeyAlgorithmName2024 is reported for O'zMSt 286:2024 keys, which
	// this package does not implement.
	KeyAlgorithmName2024 = "OZMST-286-2024-2"
)

// UnsupportedError reports an algorithm or parameter-set OID that is
// recognised but not implemented, or not recognised at all. It matches
// ErrUnsupportedAlgorithm with errors.Is.
type UnsupportedError struct {
	OID    asn1.ObjectIdentifier
	Reason string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("gost: unsupported algorithm %s: %s", e.OID, e.Reason)
}

func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupportedAlgorithm }

// Is2024 reports whether oid is in the O'zMSt 286:2024 arc
// (1.2.860.3.15.2…), which is recognised but not supported.
func Is2024(oid asn1.ObjectIdentifier) bool { return hasPrefix(oid, OIDOzMSt2024) }

// IsPublicKeyOID reports whether oid names a supported GOST R 34.10-2001
// public-key algorithm (O'zDSt 1092:2009 or RFC 4491 id-GostR3410-2001).
func IsPublicKeyOID(oid asn1.ObjectIdentifier) bool {
	return oid.Equal(OIDPublicKey) || oid.Equal(OIDCryptoProPublicKey)
}

// IsSignatureOID reports whether oid may name a supported GOST signature
// algorithm in a certificate or SignerInfo: the signature OIDs, or the
// public-key OIDs that some tools put there instead.
func IsSignatureOID(oid asn1.ObjectIdentifier) bool {
	return oid.Equal(OIDSignature) || oid.Equal(OIDCryptoProSignature) || IsPublicKeyOID(oid)
}

// IsDigestOID reports whether oid names GOST R 34.11-94 with the CryptoPro
// S-box (O'zDSt 1106:2009 or RFC 4357 id-GostR3411-94).
func IsDigestOID(oid asn1.ObjectIdentifier) bool {
	return oid.Equal(OIDDigest) || oid.Equal(OIDCryptoProDigest)
}

// AlgorithmName returns the name E-IMZO reports for a key or signature
// OID, or "" if there is none.
func AlgorithmName(oid asn1.ObjectIdentifier) string {
	switch {
	case IsPublicKeyOID(oid):
		return KeyAlgorithmName
	case oid.Equal(OIDSignature), oid.Equal(OIDCryptoProSignature):
		return SignatureAlgorithmName
	case Is2024(oid):
		return KeyAlgorithmName2024
	}
	return ""
}

// CurveByOID returns the curve of a parameter-set OID: the Uzbek
// 1.2.860.3.15.1.1.2.1.1 (A) and .2 (C), or the RFC 4357 CryptoPro A, B, C,
// XchA, XchB. The Uzbek .3 and .4, the 2024 arc and anything else give an
// *UnsupportedError.
func CurveByOID(oid asn1.ObjectIdentifier) (*Curve, error) {
	for _, c := range allCurvesList {
		if (c.oid != nil && oid.Equal(c.oid)) || oid.Equal(c.cpOID) {
			return c, nil
		}
	}
	switch {
	case oid.Equal(oidXchA):
		return curveA, nil
	case oid.Equal(oidXchB):
		return curveC, nil
	case Is2024(oid):
		return nil, &UnsupportedError{oid, "O'zMSt 286:2024 is not implemented (no public sample)"}
	case len(oid) == len(oidUzParamArc)+1 && hasPrefix(oid, oidUzParamArc):
		return nil, &UnsupportedError{oid, "unknown O'zDSt 1092:2009 parameter set"}
	}
	return nil, &UnsupportedError{oid, "not a GOST R 34.10-2001 parameter set"}
}

var allCurvesList = []*Curve{curveA, curveB, curveC}

// paramSetOID returns the OID used when encoding a key on c: the Uzbek one
// when known, else the RFC 4357 one (curve B).
func (c *Curve) paramSetOID() (key, params asn1.ObjectIdentifier) {
	if c.oid != nil {
		return OIDPublicKey, c.oid
	}
	return OIDCryptoProPublicKey, c.cpOID
}

func hasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	return len(oid) >= len(prefix) && asn1.ObjectIdentifier(oid[:len(prefix)]).Equal(prefix)
}
