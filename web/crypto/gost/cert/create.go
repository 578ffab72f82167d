package cert

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"time"

	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
)

// Extension OIDs (RFC 5280 §4.2).
var (
	oidSubjectKeyID       = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidKeyUsage           = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidBasicConstraints   = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidCRLDistribution    = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidCertPolicies       = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidAuthorityKeyID     = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtKeyUsage        = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidAuthorityInfo      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidAccessOCSP         = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	oidAccessCAIssuers    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
	oidExtKeyUsageServer  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	oidExtKeyUsageClient  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	oidExtKeyUsageCode    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	oidExtKeyUsageEmail   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
	oidExtKeyUsageTime    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidExtKeyUsageOCSPSig = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
)

type authKeyID struct {
	ID []byte `asn1:"optional,tag:0"`
}

type basicConstraints struct {
	IsCA       bool `asn1:"optional"`
	MaxPathLen int  `asn1:"optional,default:-1"`
}

type validity struct{ NotBefore, NotAfter asn1.RawValue }

type tbsOut struct {
	Version      int `asn1:"explicit,tag:0"`
	SerialNumber *big.Int
	Signature    pkix.AlgorithmIdentifier
	Issuer       asn1.RawValue
	Validity     validity
	Subject      asn1.RawValue
	PublicKey    asn1.RawValue
	Extensions   []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

// ErrTemplate is returned for a template Create cannot encode.
var ErrTemplate = errors.New("cert: invalid template")

// Create builds and signs an X.509 v3 certificate with GOST R 34.10-2001
// (RFC 5280 §4.1; algorithm identifiers as in real E-IMZO certificates).
// It plays the role of x509.CreateCertificate, which cannot sign with
// GOST, and reads the same template fields:
//
//   - SerialNumber (required, positive), Subject, NotBefore, NotAfter;
//   - KeyUsage, ExtKeyUsage (server/client auth, e-mail, code signing,
//     time stamping, OCSP signing), UnknownExtKeyUsage;
//   - BasicConstraintsValid, IsCA, MaxPathLen, MaxPathLenZero;
//   - SubjectKeyId: written when set (see KeyID); no SKI otherwise;
//   - AuthorityKeyId: written when set, else parent's SubjectKeyId when
//     that is set, so a parent without SKI gives a child without AKI;
//   - PolicyIdentifiers, OCSPServer, IssuingCertificateURL,
//     CRLDistributionPoints;
//   - ExtraExtensions, appended as given.
//
// Subject names may use the Uzbek attributes OIDTIN and OIDPINFL through
// pkix.Name.ExtraNames. The issuer name is parent.RawSubject when set (so
// chains match byte for byte), else parent.Subject. For a self-signed
// certificate pass the template as parent. pub is the subject's key;
// signer is the issuer's key, usually a *gost.PrivateKey, whose Sign gets
// the GOST R 34.11-94 digest of the TBSCertificate and returns s ‖ r.
//
// It returns the DER certificate. Errors: ErrTemplate, or the signer's.
func Create(rand io.Reader, template, parent *x509.Certificate, pub *gost.PublicKey, signer crypto.Signer) ([]byte, error) {
	if template.SerialNumber == nil || template.SerialNumber.Sign() <= 0 {
		return nil, fmt.Errorf("%w: serial number must be positive", ErrTemplate)
	}
	if pub == nil || signer == nil {
		return nil, fmt.Errorf("%w: missing key", ErrTemplate)
	}
	if template.NotAfter.Before(template.NotBefore) {
		return nil, fmt.Errorf("%w: NotAfter before NotBefore", ErrTemplate)
	}
	// The key as real E-IMZO certificates carry it: SEQUENCE { paramset }.
	spki, err := gost.MarshalEIMZOPublicKey(pub)
	if err != nil {
		return nil, err
	}
	subject, err := marshalName(template.RawSubject, template.Subject)
	if err != nil {
		return nil, err
	}
	issuer, err := marshalName(parent.RawSubject, parent.Subject)
	if err != nil {
		return nil, err
	}
	if parent == template {
		issuer = subject
	}
	nb, err := marshalTime(template.NotBefore)
	if err != nil {
		return nil, err
	}
	na, err := marshalTime(template.NotAfter)
	if err != nil {
		return nil, err
	}
	aki := template.AuthorityKeyId
	if aki == nil && parent != template {
		aki = parent.SubjectKeyId
	}
	exts, err := extensions(template, aki)
	if err != nil {
		return nil, err
	}
	t := tbsOut{
		Version:      2,
		SerialNumber: template.SerialNumber,
		Signature:    gost.SignatureAlgorithm(),
		Issuer:       asn1.RawValue{FullBytes: issuer},
		Validity:     validity{asn1.RawValue{FullBytes: nb}, asn1.RawValue{FullBytes: na}},
		Subject:      asn1.RawValue{FullBytes: subject},
		PublicKey:    asn1.RawValue{FullBytes: spki},
		Extensions:   exts,
	}
	tbsDER, err := asn1.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
	}
	digest := gost94.Sum(tbsDER)
	sig, err := signer.Sign(rand, digest[:], nil)
	if err != nil {
		return nil, fmt.Errorf("cert: signing: %w", err)
	}
	if len(sig) != gost.SignatureSize {
		return nil, fmt.Errorf("cert: signer returned %d bytes, want a %d-byte GOST signature", len(sig), gost.SignatureSize)
	}
	return asn1.Marshal(certificate{
		TBS:       asn1.RawValue{FullBytes: tbsDER},
		Algorithm: gost.SignatureAlgorithm(),
		Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
}

// KeyID returns a subject key identifier for pub: the first 20 bytes of
// the GOST R 34.11-94 digest of the public key bits (in the spirit of RFC
// 5280 §4.2.1.2 method 1, with the GOST hash instead of SHA-1).
func KeyID(pub *gost.PublicKey) []byte {
	spki, _ := gost.MarshalPKIXPublicKey(pub)
	var s struct {
		Alg pkix.AlgorithmIdentifier
		Key asn1.BitString
	}
	asn1.Unmarshal(spki, &s)
	d := gost94.Sum(s.Key.Bytes)
	return d[:20]
}

func marshalName(raw []byte, n pkix.Name) ([]byte, error) {
	if len(raw) > 0 {
		return raw, nil
	}
	b, err := asn1.Marshal(n.ToRDNSequence())
	if err != nil {
		return nil, fmt.Errorf("%w: name: %v", ErrTemplate, err)
	}
	return b, nil
}

// marshalTime encodes UTCTime for 1950–2049 and GeneralizedTime otherwise
// (RFC 5280 §4.1.2.5), in UTC with seconds.
func marshalTime(t time.Time) ([]byte, error) {
	t = t.UTC().Truncate(time.Second)
	if t.Year() >= 1950 && t.Year() < 2050 {
		return asn1.MarshalWithParams(t, "utc")
	}
	return asn1.MarshalWithParams(t, "generalized")
}

func extensions(t *x509.Certificate, aki []byte) ([]pkix.Extension, error) {
	var exts []pkix.Extension
	add := func(id asn1.ObjectIdentifier, critical bool, v any) error {
		b, err := asn1.Marshal(v)
		if err != nil {
			return fmt.Errorf("%w: extension %s: %v", ErrTemplate, id, err)
		}
		exts = append(exts, pkix.Extension{Id: id, Critical: critical, Value: b})
		return nil
	}
	if t.BasicConstraintsValid {
		// Built by hand: encoding/asn1 would drop an explicit
		// pathLenConstraint of 0 as an empty optional value.
		var body []byte
		if t.IsCA {
			body = append(body, 0x01, 0x01, 0xff)
			if t.MaxPathLen > 0 || (t.MaxPathLen == 0 && t.MaxPathLenZero) {
				n, err := asn1.Marshal(t.MaxPathLen)
				if err != nil {
					return nil, fmt.Errorf("%w: MaxPathLen: %v", ErrTemplate, err)
				}
				body = append(body, n...)
			}
		}
		if err := add(oidBasicConstraints, true, asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body}); err != nil {
			return nil, err
		}
	}
	if t.KeyUsage != 0 {
		var b [2]byte
		n := 0
		for i := range 9 {
			if t.KeyUsage&(1<<uint(i)) != 0 {
				b[i/8] |= 0x80 >> uint(i%8)
				n = i + 1
			}
		}
		bs := asn1.BitString{Bytes: b[:(n+7)/8], BitLength: n}
		if err := add(oidKeyUsage, true, bs); err != nil {
			return nil, err
		}
	}
	if len(t.ExtKeyUsage) > 0 || len(t.UnknownExtKeyUsage) > 0 {
		var oids []asn1.ObjectIdentifier
		for _, u := range t.ExtKeyUsage {
			oid, ok := extKeyUsageOID(u)
			if !ok {
				return nil, fmt.Errorf("%w: unsupported ExtKeyUsage %d", ErrTemplate, u)
			}
			oids = append(oids, oid)
		}
		oids = append(oids, t.UnknownExtKeyUsage...)
		if err := add(oidExtKeyUsage, false, oids); err != nil {
			return nil, err
		}
	}
	if len(t.SubjectKeyId) > 0 {
		if err := add(oidSubjectKeyID, false, t.SubjectKeyId); err != nil {
			return nil, err
		}
	}
	if len(aki) > 0 {
		if err := add(oidAuthorityKeyID, false, authKeyID{ID: aki}); err != nil {
			return nil, err
		}
	}
	if len(t.PolicyIdentifiers) > 0 {
		type policy struct{ ID asn1.ObjectIdentifier }
		var ps []policy
		for _, id := range t.PolicyIdentifiers {
			ps = append(ps, policy{id})
		}
		if err := add(oidCertPolicies, false, ps); err != nil {
			return nil, err
		}
	}
	if len(t.OCSPServer) > 0 || len(t.IssuingCertificateURL) > 0 {
		type access struct {
			Method   asn1.ObjectIdentifier
			Location asn1.RawValue
		}
		var as []access
		for _, u := range t.OCSPServer {
			as = append(as, access{oidAccessOCSP, uri(u)})
		}
		for _, u := range t.IssuingCertificateURL {
			as = append(as, access{oidAccessCAIssuers, uri(u)})
		}
		if err := add(oidAuthorityInfo, false, as); err != nil {
			return nil, err
		}
	}
	if len(t.CRLDistributionPoints) > 0 {
		// DistributionPoint ::= SEQUENCE { distributionPoint [0]
		// DistributionPointName }, where the CHOICE is explicitly tagged
		// and fullName is [0] IMPLICIT GeneralNames (RFC 5280 §4.2.1.13).
		var dps []asn1.RawValue
		for _, u := range t.CRLDistributionPoints {
			name, err := asn1.Marshal(uri(u))
			if err != nil {
				return nil, fmt.Errorf("%w: CRL URL: %v", ErrTemplate, err)
			}
			full, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: name})
			dpn, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: full})
			dps = append(dps, asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: dpn})
		}
		if err := add(oidCRLDistribution, false, dps); err != nil {
			return nil, err
		}
	}
	for _, e := range t.ExtraExtensions {
		if slices.ContainsFunc(exts, func(x pkix.Extension) bool { return x.Id.Equal(e.Id) }) {
			return nil, fmt.Errorf("%w: extension %s given twice", ErrTemplate, e.Id)
		}
		exts = append(exts, e)
	}
	return exts, nil
}

func uri(s string) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte(s)}
}

func extKeyUsageOID(u x509.ExtKeyUsage) (asn1.ObjectIdentifier, bool) {
	switch u {
	case x509.ExtKeyUsageServerAuth:
		return oidExtKeyUsageServer, true
	case x509.ExtKeyUsageClientAuth:
		return oidExtKeyUsageClient, true
	case x509.ExtKeyUsageCodeSigning:
		return oidExtKeyUsageCode, true
	case x509.ExtKeyUsageEmailProtection:
		return oidExtKeyUsageEmail, true
	case x509.ExtKeyUsageTimeStamping:
		return oidExtKeyUsageTime, true
	case x509.ExtKeyUsageOCSPSigning:
		return oidExtKeyUsageOCSPSig, true
	}
	return nil, false
}
