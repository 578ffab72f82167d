package cms

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"
)

// Object identifiers of RFC 5652 and RFC 3161.
var (
	OIDData             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDTSTInfo          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	OIDAttrContentType  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDAttrDigest       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDAttrSigningTime  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDAttrCounterSig   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 6}
	OIDAttrTimeStamp    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14} // id-aa-timeStampToken (RFC 3161 App. A)
	OIDAttrSigningCert  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12} // ESS signing-certificate (RFC 2634 §5.4)
	OIDAttrSigningCert2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47} // ESS signing-certificate-v2 (RFC 5035 §3)
)

// Limits on what Parse accepts, so a hostile CMS cannot make the verifier
// spend more than a few signature checks.
const (
	MaxSigners      = 16
	MaxCertificates = 32
)

// Errors, matched with errors.Is; they come wrapped with detail.
var (
	// ErrMalformed is matched by every parse error.
	ErrMalformed = errors.New("cms: malformed")
	// ErrNotSignedData is matched (with ErrMalformed) by a ContentInfo of
	// another content type.
	ErrNotSignedData = errors.New("cms: not a SignedData")
	// ErrContentDiffers is returned by Join for SignedData over other content.
	ErrContentDiffers = errors.New("cms: the two SignedData carry different content")
	// ErrNoContent: a detached SignedData needs its content (co-signing).
	ErrNoContent = errors.New("cms: a detached SignedData needs its content")
	// ErrAttributes: signed attributes missing, duplicated or malformed, or a
	// content-type attribute that is not the content's type (RFC 5652 §5.3,
	// §11.1).
	ErrAttributes = errors.New("cms: missing or invalid signed attributes")
	// ErrDigestMismatch: the content is not what was signed (RFC 5652 §11.2).
	ErrDigestMismatch = errors.New("cms: the content's digest differs from the message-digest attribute")
	// ErrSignature: the signature does not verify (wraps sigalg.ErrInvalid).
	ErrSignature = errors.New("cms: the signature does not verify")
	// ErrUnsupported: an algorithm the registry does not accept (wraps
	// sigalg.ErrUnsupported).
	ErrUnsupported = errors.New("cms: unsupported algorithm")
)

func malformed(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, a...))
}

// SignedData is a parsed CMS SignedData (RFC 5652 §5.1).
type SignedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier
	ContentType      asn1.ObjectIdentifier // eContentType
	// Content is the encapsulated content; nil when the CMS is detached
	// (eContent absent), empty but not nil for attached empty content.
	Content      []byte
	Certificates []*x509.Certificate // those that parse, in order
	// CertificateErrors says why the others did not (crypto/x509 refuses
	// some real certificates, e.g. with a malformed CRL distribution point).
	CertificateErrors []error
	Signers           []*SignerInfo

	rawCerts   [][]byte // every CertificateChoices element as received
	rawCRLs    []byte   // the [1] IMPLICIT RevocationInfoChoices field, as received
	rawDigests [][]byte
}

// Detached reports whether the content is not in the CMS.
func (sd *SignedData) Detached() bool { return sd.Content == nil }

// IssuerAndSerial identifies a certificate (RFC 5652 §10.2.4).
type IssuerAndSerial struct {
	RawIssuer []byte
	Serial    *big.Int
}

// SignerInfo is one signer (RFC 5652 §5.3).
type SignerInfo struct {
	Version int
	// Exactly one of IssuerAndSerial and SubjectKeyID is set.
	IssuerAndSerial    *IssuerAndSerial
	SubjectKeyID       []byte
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        []Attribute // nil when absent
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      []Attribute

	rawSID         []byte
	rawSignedAttrs []byte // the [0] IMPLICIT field, DER, as received
	rawDigestAlg   []byte
	rawSigAlg      []byte
}

// Attribute is a CMS attribute (RFC 5652 §5.3): a type and its values, each
// a DER element.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedDataASN struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

type signerInfoASN struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    asn1.RawValue
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm asn1.RawValue
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

// Parse parses a ContentInfo holding a SignedData, in DER or BER (indefinite
// lengths and segmented strings, as E-IMZO makes them).
func Parse(ber []byte) (*SignedData, error) {
	der, rest, err := ToDER(ber)
	if err != nil {
		return nil, err
	}
	// Some encoders leave end-of-contents octets (X.690 §8.1.5) after the
	// message; anything else after it is refused.
	if len(bytes.TrimRight(rest, "\x00")) != 0 || len(rest)%2 != 0 {
		return nil, malformed("trailing data after the ContentInfo")
	}
	// ContentInfo (RFC 5652 §3): the content type first, so that another
	// type is reported as such whatever its content looks like.
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(der, &outer); err != nil || outer.Class != asn1.ClassUniversal || outer.Tag != asn1.TagSequence {
		return nil, malformed("ContentInfo is not a SEQUENCE")
	}
	var ct asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(outer.Bytes, &ct); err != nil {
		return nil, malformed("ContentInfo: %v", err)
	}
	if !ct.Equal(OIDSignedData) {
		return nil, fmt.Errorf("%w: %w: content type %v", ErrMalformed, ErrNotSignedData, ct)
	}
	var ci contentInfo
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, malformed("ContentInfo: %v", err)
	}
	// encoding/asn1 leaves the explicit [0] in a RawValue: the SignedData
	// is its content.
	return parseSignedData(ci.Content.Bytes)
}

func parseSignedData(der []byte) (*SignedData, error) {
	var s signedDataASN
	if rest, err := asn1.Unmarshal(der, &s); err != nil || len(rest) != 0 {
		return nil, malformed("SignedData: %v", errOr(err, "trailing data"))
	}
	sd := &SignedData{Version: s.Version, ContentType: s.EncapContentInfo.EContentType}
	var err error
	if sd.rawDigests, err = setElements(s.DigestAlgorithms, "digestAlgorithms"); err != nil {
		return nil, err
	}
	for _, raw := range sd.rawDigests {
		var a pkix.AlgorithmIdentifier
		if _, err := asn1.Unmarshal(raw, &a); err != nil {
			return nil, malformed("digestAlgorithms: %v", err)
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, a)
	}
	if wrapped := s.EncapContentInfo.EContent; len(wrapped.FullBytes) != 0 {
		var ec asn1.RawValue
		rest, err := asn1.Unmarshal(wrapped.Bytes, &ec)
		if err != nil || len(rest) != 0 || ec.Class != asn1.ClassUniversal || ec.Tag != asn1.TagOctetString || ec.IsCompound {
			return nil, malformed("eContent is not an OCTET STRING")
		}
		sd.Content = append([]byte{}, ec.Bytes...)
	}
	if len(s.Certificates.FullBytes) != 0 {
		if !s.Certificates.IsCompound {
			return nil, malformed("certificates is not a SET")
		}
		if sd.rawCerts, err = elements(s.Certificates.Bytes, "certificates"); err != nil {
			return nil, err
		}
		if len(sd.rawCerts) > MaxCertificates {
			return nil, malformed("%d certificates, more than %d", len(sd.rawCerts), MaxCertificates)
		}
		for _, raw := range sd.rawCerts {
			if raw[0] != 0x30 { // other CertificateChoices: attribute certificates, …
				continue
			}
			c, err := x509.ParseCertificate(raw)
			if err != nil {
				sd.CertificateErrors = append(sd.CertificateErrors, err)
				continue
			}
			sd.Certificates = append(sd.Certificates, c)
		}
	}
	sd.rawCRLs = s.CRLs.FullBytes
	sis, err := setElements(s.SignerInfos, "signerInfos")
	if err != nil {
		return nil, err
	}
	if len(sis) > MaxSigners {
		return nil, malformed("%d signers, more than %d", len(sis), MaxSigners)
	}
	for i, raw := range sis {
		si, err := parseSignerInfo(raw)
		if err != nil {
			return nil, malformed("signer %d: %v", i+1, err)
		}
		sd.Signers = append(sd.Signers, si)
	}
	return sd, nil
}

func errOr(err error, s string) any {
	if err != nil {
		return err
	}
	return s
}

// setElements returns the DER elements of a SET OF.
func setElements(v asn1.RawValue, what string) ([][]byte, error) {
	if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagSet || !v.IsCompound {
		return nil, malformed("%s is not a SET", what)
	}
	return elements(v.Bytes, what)
}

// elements splits concatenated DER elements.
func elements(b []byte, what string) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return nil, malformed("%s: %v", what, err)
		}
		out = append(out, v.FullBytes)
		b = rest
	}
	return out, nil
}

type issuerAndSerialASN struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

func parseSignerInfo(der []byte) (*SignerInfo, error) {
	var s signerInfoASN
	if rest, err := asn1.Unmarshal(der, &s); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("SignerInfo: %v", errOr(err, "trailing data"))
	}
	si := &SignerInfo{Version: s.Version, Signature: s.Signature, rawSID: s.SID.FullBytes,
		rawDigestAlg: s.DigestAlgorithm.FullBytes, rawSigAlg: s.SignatureAlgorithm.FullBytes}
	switch {
	case s.SID.Class == asn1.ClassUniversal && s.SID.Tag == asn1.TagSequence:
		var ias issuerAndSerialASN
		if rest, err := asn1.Unmarshal(s.SID.FullBytes, &ias); err != nil || len(rest) != 0 || ias.Issuer.Tag != asn1.TagSequence {
			return nil, errors.New("bad IssuerAndSerialNumber")
		}
		si.IssuerAndSerial = &IssuerAndSerial{RawIssuer: ias.Issuer.FullBytes, Serial: ias.Serial}
	case s.SID.Class == asn1.ClassContextSpecific && s.SID.Tag == 0 && !s.SID.IsCompound:
		si.SubjectKeyID = s.SID.Bytes
	default:
		return nil, errors.New("bad SignerIdentifier")
	}
	if _, err := asn1.Unmarshal(s.DigestAlgorithm.FullBytes, &si.DigestAlgorithm); err != nil {
		return nil, fmt.Errorf("digestAlgorithm: %v", err)
	}
	if _, err := asn1.Unmarshal(s.SignatureAlgorithm.FullBytes, &si.SignatureAlgorithm); err != nil {
		return nil, fmt.Errorf("signatureAlgorithm: %v", err)
	}
	if len(s.SignedAttrs.FullBytes) != 0 {
		var err error
		if si.SignedAttrs, err = parseAttributes(s.SignedAttrs); err != nil {
			return nil, fmt.Errorf("signedAttrs: %v", err)
		}
		if len(si.SignedAttrs) == 0 {
			return nil, errors.New("signedAttrs is empty")
		}
		si.rawSignedAttrs = s.SignedAttrs.FullBytes
	}
	if len(s.UnsignedAttrs.FullBytes) != 0 {
		var err error
		if si.UnsignedAttrs, err = parseAttributes(s.UnsignedAttrs); err != nil {
			return nil, fmt.Errorf("unsignedAttrs: %v", err)
		}
	}
	if len(si.Signature) == 0 {
		return nil, errors.New("empty signature")
	}
	return si, nil
}

type attributeASN struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue
}

func parseAttributes(v asn1.RawValue) ([]Attribute, error) {
	if !v.IsCompound {
		return nil, errors.New("not a SET")
	}
	raws, err := elements(v.Bytes, "attributes")
	if err != nil {
		return nil, err
	}
	out := []Attribute{}
	for _, raw := range raws {
		var a attributeASN
		if rest, err := asn1.Unmarshal(raw, &a); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("attribute: %v", errOr(err, "trailing data"))
		}
		vals, err := setElements(a.Values, "attribute values")
		if err != nil {
			return nil, err
		}
		out = append(out, Attribute{Type: a.Type, Values: vals})
	}
	return out, nil
}

// SignedBytes returns what the signature covers when there are signed
// attributes: their DER encoding with the SET OF tag (RFC 5652 §5.4), nil
// when there are none (then the signature covers the content itself).
func (si *SignerInfo) SignedBytes() []byte {
	if si.rawSignedAttrs == nil {
		return nil
	}
	b := append([]byte{}, si.rawSignedAttrs...)
	b[0] = 0x31
	return b
}

// Attr returns the values of the attribute of type oid in attrs, and
// whether it appears; an attribute that appears twice is an error.
func Attr(attrs []Attribute, oid asn1.ObjectIdentifier) ([][]byte, bool, error) {
	var vals [][]byte
	found := false
	for _, a := range attrs {
		if a.Type.Equal(oid) {
			if found {
				return nil, true, fmt.Errorf("attribute %v appears twice", oid)
			}
			vals, found = a.Values, true
		}
	}
	return vals, found, nil
}

// single returns the one value of a signed attribute, nil if absent.
func (si *SignerInfo) single(oid asn1.ObjectIdentifier, what string) ([]byte, error) {
	vals, ok, err := Attr(si.SignedAttrs, oid)
	switch {
	case err != nil:
		return nil, malformed("%s: %v", what, err)
	case !ok:
		return nil, nil
	case len(vals) != 1:
		return nil, malformed("%s has %d values, not one", what, len(vals))
	}
	return vals[0], nil
}

// MessageDigest returns the message-digest signed attribute (RFC 5652
// §11.2), nil if absent.
func (si *SignerInfo) MessageDigest() ([]byte, error) {
	v, err := si.single(OIDAttrDigest, "message-digest")
	if v == nil || err != nil {
		return nil, err
	}
	var d []byte
	if rest, err := asn1.Unmarshal(v, &d); err != nil || len(rest) != 0 {
		return nil, malformed("message-digest is not an OCTET STRING")
	}
	return d, nil
}

// ContentTypeAttr returns the content-type signed attribute (§11.1), nil if
// absent.
func (si *SignerInfo) ContentTypeAttr() (asn1.ObjectIdentifier, error) {
	v, err := si.single(OIDAttrContentType, "content-type")
	if v == nil || err != nil {
		return nil, err
	}
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(v, &oid); err != nil || len(rest) != 0 {
		return nil, malformed("content-type is not an OID")
	}
	return oid, nil
}

// SigningTime returns the signing-time signed attribute (§11.3) and whether
// it is present.
func (si *SignerInfo) SigningTime() (time.Time, bool, error) {
	v, err := si.single(OIDAttrSigningTime, "signing-time")
	if v == nil || err != nil {
		return time.Time{}, false, err
	}
	var t time.Time
	if rest, err := asn1.Unmarshal(v, &t); err != nil || len(rest) != 0 {
		return time.Time{}, false, malformed("signing-time: %v", errOr(err, "trailing data"))
	}
	return t, true, nil
}

// Certificate finds the signer's certificate among certs.
func (si *SignerInfo) Certificate(certs []*x509.Certificate) *x509.Certificate {
	for _, c := range certs {
		if si.IssuerAndSerial != nil {
			if c.SerialNumber.Cmp(si.IssuerAndSerial.Serial) == 0 && bytes.Equal(c.RawIssuer, si.IssuerAndSerial.RawIssuer) {
				return c
			}
		} else if len(si.SubjectKeyID) != 0 && bytes.Equal(c.SubjectKeyId, si.SubjectKeyID) {
			return c
		}
	}
	return nil
}

// SetUnsigned replaces the unsigned attribute of type oid with values
// (appending it when absent).
func (si *SignerInfo) SetUnsigned(oid asn1.ObjectIdentifier, values ...[]byte) {
	for i, a := range si.UnsignedAttrs {
		if a.Type.Equal(oid) {
			si.UnsignedAttrs[i].Values = values
			return
		}
	}
	si.UnsignedAttrs = append(si.UnsignedAttrs, Attribute{Type: oid, Values: values})
}

// AddUnsigned adds value (one DER element) to the unsigned attribute of
// type oid, creating it when absent (RFC 5652 §5.3: an attribute is a SET
// of values).
func (si *SignerInfo) AddUnsigned(oid asn1.ObjectIdentifier, value []byte) error {
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(value, &v); err != nil || len(rest) != 0 {
		return malformed("an attribute value that is not one DER element")
	}
	for i, a := range si.UnsignedAttrs {
		if a.Type.Equal(oid) {
			si.UnsignedAttrs[i].Values = append(si.UnsignedAttrs[i].Values, value)
			return nil
		}
	}
	si.UnsignedAttrs = append(si.UnsignedAttrs, Attribute{Type: oid, Values: [][]byte{value}})
	return nil
}

// AddTimestamp adds token, the DER of an RFC 3161 TimeStampToken over the
// signature value, as the unsigned attribute id-aa-timeStampToken (RFC 3161
// Appendix A). The token must be one DER SEQUENCE; that it stamps this
// signature is for a verifier to check.
func (si *SignerInfo) AddTimestamp(token []byte) error {
	if len(token) == 0 || token[0] != 0x30 {
		return malformed("a time-stamp token that is not a DER SEQUENCE")
	}
	return si.AddUnsigned(OIDAttrTimeStamp, token)
}

// TimestampTokens returns the values of the id-aa-timeStampToken unsigned
// attribute (RFC 3161 Appendix A), each the DER of a TimeStampToken, or
// nil.
func (si *SignerInfo) TimestampTokens() [][]byte {
	vals, _, _ := Attr(si.UnsignedAttrs, OIDAttrTimeStamp)
	return vals
}

// Serial returns the serial number of the signer's certificate when the
// signer is identified by issuer and serial number, nil otherwise.
func (si *SignerInfo) Serial() *big.Int {
	if si.IssuerAndSerial == nil {
		return nil
	}
	return si.IssuerAndSerial.Serial
}

// RawCertificates returns every element of the certificates field as
// received, including those crypto/x509 refuses (see CertificateErrors).
func (sd *SignedData) RawCertificates() [][]byte { return slices.Clone(sd.rawCerts) }

// addCertificates adds certificates that are not in sd yet.
func (sd *SignedData) addCertificates(certs ...*x509.Certificate) {
	for _, c := range certs {
		if !slices.ContainsFunc(sd.rawCerts, func(b []byte) bool { return bytes.Equal(b, c.Raw) }) {
			sd.rawCerts = append(sd.rawCerts, c.Raw)
			sd.Certificates = append(sd.Certificates, c)
		}
	}
}

// Marshal encodes the SignedData in a ContentInfo, in DER. Signed
// attributes, identifiers and certificates are written as received.
func (sd *SignedData) Marshal() ([]byte, error) {
	var encap []byte
	oid, err := asn1.Marshal(sd.ContentType)
	if err != nil {
		return nil, err
	}
	if sd.Content != nil {
		encap = tlv(0x30, oid, tlv(0xa0, tlv(0x04, sd.Content)))
	} else {
		encap = tlv(0x30, oid)
	}
	version, _ := asn1.Marshal(sd.Version)
	parts := [][]byte{version, tlv(0x31, sd.rawDigests...), encap}
	if sd.rawCerts != nil {
		parts = append(parts, tlv(0xa0, sd.rawCerts...))
	}
	if sd.rawCRLs != nil {
		parts = append(parts, sd.rawCRLs)
	}
	var sis [][]byte
	for _, si := range sd.Signers {
		b, err := si.marshal()
		if err != nil {
			return nil, err
		}
		sis = append(sis, b)
	}
	// Signers stay in their order: callers and reports number them.
	parts = append(parts, tlv(0x31, sis...))
	sdOID, _ := asn1.Marshal(OIDSignedData)
	return tlv(0x30, sdOID, tlv(0xa0, tlv(0x30, parts...))), nil
}

// Attach puts the content into a detached SignedData. The caller checks
// that it is what was signed (the verifier does).
func (sd *SignedData) Attach(content []byte) error {
	if !sd.Detached() {
		return errors.New("cms: the SignedData is attached already")
	}
	sd.Content = append([]byte{}, content...)
	return nil
}

// Join adds other's signers, digest algorithms and certificates to sd
// (RFC 5652 §5.1 allows any number of signers). Both must have the same
// content type and the same content, or both be detached; detached ones
// whose signers used the same digest algorithm must agree on the digest.
func (sd *SignedData) Join(other *SignedData) error {
	if !sd.ContentType.Equal(other.ContentType) || sd.Detached() != other.Detached() || !bytes.Equal(sd.Content, other.Content) {
		return ErrContentDiffers
	}
	for _, a := range sd.Signers {
		for _, b := range other.Signers {
			da, errA := a.MessageDigest()
			db, errB := b.MessageDigest()
			if errA == nil && errB == nil && da != nil && db != nil &&
				a.DigestAlgorithm.Algorithm.Equal(b.DigestAlgorithm.Algorithm) && !bytes.Equal(da, db) {
				return ErrContentDiffers
			}
		}
	}
	if len(sd.Signers)+len(other.Signers) > MaxSigners {
		return malformed("more than %d signers", MaxSigners)
	}
	sd.rawDigests = union(sd.rawDigests, other.rawDigests)
	sd.DigestAlgorithms = sd.DigestAlgorithms[:0]
	for _, raw := range sd.rawDigests {
		var a pkix.AlgorithmIdentifier
		_, _ = asn1.Unmarshal(raw, &a)
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, a)
	}
	for _, raw := range other.rawCerts {
		if !slices.ContainsFunc(sd.rawCerts, func(b []byte) bool { return bytes.Equal(b, raw) }) {
			sd.rawCerts = append(sd.rawCerts, raw)
			if c, err := x509.ParseCertificate(raw); err == nil {
				sd.Certificates = append(sd.Certificates, c)
			}
		}
	}
	if len(sd.rawCerts) > MaxCertificates {
		return malformed("more than %d certificates", MaxCertificates)
	}
	sd.Signers = append(sd.Signers, other.Signers...)
	sd.Version = max(sd.Version, other.Version)
	return nil
}

func union(a, b [][]byte) [][]byte {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.ContainsFunc(out, func(y []byte) bool { return bytes.Equal(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}

func (si *SignerInfo) marshal() ([]byte, error) {
	version, _ := asn1.Marshal(si.Version)
	sig, _ := asn1.Marshal(si.Signature)
	parts := [][]byte{version, si.rawSID, si.rawDigestAlg}
	if si.rawSignedAttrs != nil {
		parts = append(parts, si.rawSignedAttrs)
	}
	parts = append(parts, si.rawSigAlg, sig)
	if len(si.UnsignedAttrs) != 0 {
		attrs, err := marshalAttributes(si.UnsignedAttrs)
		if err != nil {
			return nil, err
		}
		parts = append(parts, tlv(0xa1, attrs...))
	}
	return tlv(0x30, parts...), nil
}

func marshalAttributes(attrs []Attribute) ([][]byte, error) {
	var out [][]byte
	for _, a := range attrs {
		oid, err := asn1.Marshal(a.Type)
		if err != nil {
			return nil, err
		}
		out = append(out, tlv(0x30, oid, tlv(0x31, derSet(a.Values)...)))
	}
	return derSet(out), nil
}

// tlv encodes one DER element of identifier id (a single octet).
func tlv(id byte, content ...[]byte) []byte {
	n := 0
	for _, c := range content {
		n += len(c)
	}
	out := make([]byte, 0, 1+lenOfLen(n)+n)
	out = appendLength(append(out, id), n)
	for _, c := range content {
		out = append(out, c...)
	}
	return out
}

// derSet sorts the elements of a SET OF by their encodings (X.690 §11.6).
func derSet(elems [][]byte) [][]byte {
	s := slices.Clone(elems)
	slices.SortFunc(s, bytes.Compare)
	return s
}
