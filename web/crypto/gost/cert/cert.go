package cert

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
)

// Uzbek attribute types found in E-IMZO subject names.
var (
	OIDTIN   = asn1.ObjectIdentifier{1, 2, 860, 3, 16, 1, 1} // organisation TIN (STIR/INN)
	OIDPINFL = asn1.ObjectIdentifier{1, 2, 860, 3, 16, 1, 2} // personal identification number (JShShIR)
)

// Errors. Match them with errors.Is; they are returned wrapped with detail,
// and signature failures also wrap the gost package's error (for example
// gost.ErrVerification or gost.ErrUnsupportedAlgorithm).
var (
	ErrMalformed        = errors.New("cert: malformed certificate")
	ErrNotGOST          = errors.New("cert: not a GOST key or signature")
	ErrSignature        = errors.New("cert: bad certificate signature")
	ErrExpired          = errors.New("cert: certificate not valid at the verification time")
	ErrUnknownAuthority = errors.New("cert: certificate signed by unknown authority")
	ErrNotCA            = errors.New("cert: issuer is not allowed to sign certificates")
	ErrNoTrustAnchors   = errors.New("cert: no trust anchors given")
)

// Certificate is an X.509 certificate that may carry a GOST key and a GOST
// signature. The embedded *x509.Certificate holds the generic fields
// (Raw, RawTBSCertificate, RawSubject, Subject, Issuer, SerialNumber,
// NotBefore, NotAfter, KeyUsage, IsCA, SubjectKeyId, AuthorityKeyId,
// Extensions, Signature …). crypto/x509 leaves GOST keys as nil and
// marks the algorithms unknown; the fields below add them.
type Certificate struct {
	*x509.Certificate

	// Key is the subject's GOST R 34.10-2001 public key, or nil when the
	// certificate holds another kind of key (KeyErr then says why).
	Key    *gost.PublicKey
	KeyErr error

	// SignatureOID is the outer signatureAlgorithm OID.
	SignatureOID asn1.ObjectIdentifier
}

// certificate is the outer structure of RFC 5280 §4.1.
type certificate struct {
	TBS       asn1.RawValue
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

// Parse parses one DER certificate. It uses crypto/x509 for the generic
// fields and falls back to a minimal parser of its own (RFC 5280 §4.1) for
// certificates that crypto/x509 refuses. A certificate whose key is not
// GOST parses without error; its Key is nil. Error: ErrMalformed.
func Parse(der []byte) (*Certificate, error) {
	var outer certificate
	rest, err := asn1.Unmarshal(der, &outer)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: trailing data", ErrMalformed)
	}
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		xc, err = parseMinimal(der)
		if err != nil {
			return nil, err
		}
	}
	c := &Certificate{Certificate: xc, SignatureOID: outer.Algorithm.Algorithm}
	c.Key, c.KeyErr = gost.ParsePKIXPublicKey(xc.RawSubjectPublicKeyInfo)
	return c, nil
}

// ParseAll parses a concatenation of DER certificates.
func ParseAll(der []byte) ([]*Certificate, error) {
	var out []*Certificate
	for len(der) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(der, &v)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		c, err := Parse(v.FullBytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		der = rest
	}
	return out, nil
}

// tbs is TBSCertificate (RFC 5280 §4.1), for the fallback parser.
type tbs struct {
	Raw          asn1.RawContent
	Version      int `asn1:"optional,explicit,default:0,tag:0"`
	SerialNumber *big.Int
	Signature    pkix.AlgorithmIdentifier
	Issuer       asn1.RawValue
	Validity     struct{ NotBefore, NotAfter time.Time }
	Subject      asn1.RawValue
	PublicKey    asn1.RawValue
	IssuerUID    asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUID   asn1.BitString   `asn1:"optional,tag:2"`
	Extensions   []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

// parseMinimal fills the generic fields crypto/x509 would, for a
// certificate that crypto/x509 rejects (e.g. for a negative serial
// number or a malformed extension it is strict about).
func parseMinimal(der []byte) (*x509.Certificate, error) {
	var outer certificate
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var t tbs
	if rest, err := asn1.Unmarshal(outer.TBS.FullBytes, &t); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: TBSCertificate: %v", ErrMalformed, err)
	}
	c := &x509.Certificate{
		Raw:                     der,
		RawTBSCertificate:       outer.TBS.FullBytes,
		RawSubjectPublicKeyInfo: t.PublicKey.FullBytes,
		RawSubject:              t.Subject.FullBytes,
		RawIssuer:               t.Issuer.FullBytes,
		Signature:               outer.Signature.RightAlign(),
		Version:                 t.Version + 1,
		SerialNumber:            t.SerialNumber,
		NotBefore:               t.Validity.NotBefore,
		NotAfter:                t.Validity.NotAfter,
		Extensions:              t.Extensions,
	}
	for _, n := range []struct {
		raw []byte
		dst *pkix.Name
	}{{c.RawSubject, &c.Subject}, {c.RawIssuer, &c.Issuer}} {
		var rdn pkix.RDNSequence
		if _, err := asn1.Unmarshal(n.raw, &rdn); err != nil {
			return nil, fmt.Errorf("%w: name: %v", ErrMalformed, err)
		}
		n.dst.FillFromRDNSequence(&rdn)
	}
	for _, e := range t.Extensions {
		switch {
		case e.Id.Equal(oidSubjectKeyID):
			asn1.Unmarshal(e.Value, &c.SubjectKeyId)
		case e.Id.Equal(oidAuthorityKeyID):
			var a authKeyID
			if _, err := asn1.Unmarshal(e.Value, &a); err == nil {
				c.AuthorityKeyId = a.ID
			}
		case e.Id.Equal(oidBasicConstraints):
			var b basicConstraints
			if _, err := asn1.Unmarshal(e.Value, &b); err == nil {
				c.BasicConstraintsValid, c.IsCA = true, b.IsCA
			}
		case e.Id.Equal(oidKeyUsage):
			var bs asn1.BitString
			if _, err := asn1.Unmarshal(e.Value, &bs); err == nil {
				for i := range 9 {
					if bs.At(i) != 0 {
						c.KeyUsage |= 1 << uint(i)
					}
				}
			}
		}
	}
	return c, nil
}

// PINFL returns the personal identification number (OID 1.2.860.3.16.1.2)
// from the subject, or "".
func (c *Certificate) PINFL() string { return nameAttr(c.Subject, OIDPINFL) }

// TIN returns the organisation TIN (OID 1.2.860.3.16.1.1) from the
// subject, or "".
func (c *Certificate) TIN() string { return nameAttr(c.Subject, OIDTIN) }

func nameAttr(n pkix.Name, oid asn1.ObjectIdentifier) string {
	for _, a := range n.Names {
		if a.Type.Equal(oid) {
			if s, ok := a.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// SerialHex returns the serial number as E-IMZO prints it: lowercase hex
// without leading zeros (PROTOCOL.md §9).
func (c *Certificate) SerialHex() string { return c.SerialNumber.Text(16) }

// CheckSignature verifies a GOST signature (64 bytes, s ‖ r) over data
// with the certificate's key: the digest is GOST R 34.11-94 (CryptoPro).
// Errors: ErrNotGOST, or ErrSignature wrapping the gost error.
func (c *Certificate) CheckSignature(data, sig []byte) error {
	if c.Key == nil {
		return fmt.Errorf("%w: %v", ErrNotGOST, c.KeyErr)
	}
	d := gost94.Sum(data)
	if err := gost.Verify(c.Key, d[:], sig); err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return nil
}

// CheckSignatureFrom verifies that issuer's GOST key signed c. The
// signatureAlgorithm must be the GOST signature OID or the key OID (some
// tools write that); O'zMSt 286:2024 gives gost.ErrUnsupportedAlgorithm.
// Errors: ErrNotGOST, ErrSignature.
func (c *Certificate) CheckSignatureFrom(issuer *Certificate) error {
	if gost.Is2024(c.SignatureOID) {
		return fmt.Errorf("%w: %w", ErrSignature, &gost.UnsupportedError{OID: c.SignatureOID, Reason: "O'zMSt 286:2024 signature"})
	}
	if !gost.IsSignatureOID(c.SignatureOID) {
		return fmt.Errorf("%w: signature algorithm %s", ErrNotGOST, c.SignatureOID)
	}
	if err := issuer.CheckSignature(c.RawTBSCertificate, c.Signature); err != nil {
		return err
	}
	return nil
}

// ValidAt reports whether t is within [NotBefore, NotAfter].
func (c *Certificate) ValidAt(t time.Time) bool {
	return !t.Before(c.NotBefore) && !t.After(c.NotAfter)
}

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Roots are the trust anchors. Required.
	Roots []*Certificate
	// Intermediates may be used to build the chain.
	Intermediates []*Certificate
	// Time is when every certificate of the chain must be valid. Required:
	// E-IMZO certificates expire and are checked "as of" a signing or
	// timestamp time, so no default is assumed.
	Time time.Time
}

// MaxChainLength bounds the chains Verify builds.
const MaxChainLength = 8

// Verify builds a chain from c to one of opts.Roots and checks every
// signature in it and every validity period at opts.Time. Issuers are
// found by name (RawIssuer = RawSubject, or equal names); key identifiers
// are only used to rule a candidate out when both the child's AKI and the
// candidate's SKI are present and differ (the real YT CA has no SKI while
// its children carry an AKI). An issuer must be a CA when it has basic
// constraints and allow certSign when it has a key usage. A root is
// trusted as given: its own signature and validity are not checked unless
// it is also the leaf.
//
// It returns the chain leaf first, root last. Errors: ErrNoTrustAnchors,
// ErrExpired, ErrUnknownAuthority, ErrNotCA, ErrSignature, ErrNotGOST.
func (c *Certificate) Verify(opts VerifyOptions) ([]*Certificate, error) {
	if len(opts.Roots) == 0 {
		return nil, ErrNoTrustAnchors
	}
	if opts.Time.IsZero() {
		return nil, errors.New("cert: VerifyOptions.Time is required")
	}
	chain := []*Certificate{c}
	cur := c
	for range MaxChainLength {
		var lastErr error
		if !cur.ValidAt(opts.Time) {
			return nil, fmt.Errorf("%w: %q valid %s..%s, checked at %s", ErrExpired,
				cur.Subject.CommonName, cur.NotBefore.Format(time.RFC3339), cur.NotAfter.Format(time.RFC3339), opts.Time.Format(time.RFC3339))
		}
		for _, r := range opts.Roots {
			if bytes.Equal(r.Raw, cur.Raw) {
				return chain, nil
			}
		}
		var next *Certificate
		for _, cand := range append(append([]*Certificate(nil), opts.Roots...), opts.Intermediates...) {
			if !issuedBy(cur, cand) {
				continue
			}
			if err := canSign(cand); err != nil {
				lastErr = err
				continue
			}
			if err := cur.CheckSignatureFrom(cand); err != nil {
				lastErr = err
				continue
			}
			next = cand
			break
		}
		if next == nil {
			if lastErr != nil {
				return nil, lastErr
			}
			return nil, fmt.Errorf("%w: no issuer for %q", ErrUnknownAuthority, cur.Issuer.String())
		}
		chain = append(chain, next)
		for _, r := range opts.Roots {
			if r == next || bytes.Equal(r.Raw, next.Raw) {
				return chain, nil
			}
		}
		if bytes.Equal(next.Raw, cur.Raw) {
			return nil, fmt.Errorf("%w: self-signed %q is not a trust anchor", ErrUnknownAuthority, cur.Subject.String())
		}
		cur = next
	}
	return nil, fmt.Errorf("%w: chain longer than %d", ErrUnknownAuthority, MaxChainLength)
}

func issuedBy(child, cand *Certificate) bool {
	if !bytes.Equal(child.RawIssuer, cand.RawSubject) && child.Issuer.String() != cand.Subject.String() {
		return false
	}
	if len(child.AuthorityKeyId) > 0 && len(cand.SubjectKeyId) > 0 && !bytes.Equal(child.AuthorityKeyId, cand.SubjectKeyId) {
		return false
	}
	return true
}

func canSign(c *Certificate) error {
	if c.BasicConstraintsValid && !c.IsCA {
		return fmt.Errorf("%w: %q has CA:FALSE", ErrNotCA, c.Subject.String())
	}
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fmt.Errorf("%w: %q lacks keyCertSign", ErrNotCA, c.Subject.String())
	}
	return nil
}
