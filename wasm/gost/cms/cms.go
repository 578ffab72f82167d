package cms

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/eimzokit/eimzokit/wasm/gost"
	"github.com/eimzokit/eimzokit/wasm/gost/cert"
	"github.com/eimzokit/eimzokit/wasm/gost/internal/ber"
)

// Object identifiers of RFC 5652 and RFC 3161.
var (
	OIDData               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDAttrContentType    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDAttrMessageDigest  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDAttrSigningTime    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDAttrTimestampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
)

// Errors. Match them with errors.Is; they are returned wrapped with detail.
// Failures from the gost and cert packages are wrapped too, so
// gost.ErrUnsupportedAlgorithm, cert.ErrExpired etc. also match.
var (
	ErrMalformed      = errors.New("cms: malformed message")
	ErrNotSignedData  = errors.New("cms: not a SignedData")
	ErrNoContent      = errors.New("cms: detached signature needs the content")
	ErrDigestMismatch = errors.New("cms: message digest does not match the content")
	ErrAttributes     = errors.New("cms: missing or invalid signed attributes")
	ErrSignature      = errors.New("cms: signature does not verify")
	ErrNoCertificate  = errors.New("cms: signer certificate not found")
	ErrUnsupported    = errors.New("cms: unsupported algorithm")
	ErrNoSigners      = errors.New("cms: no signers")
)

// SignedData is a parsed CMS SignedData (RFC 5652 §5.1).
type SignedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier
	// ContentType is eContentType, normally id-data.
	ContentType asn1.ObjectIdentifier
	// Content is the encapsulated content; nil when Detached.
	Content  []byte
	Detached bool
	// Certificates holds the certificates of the certificates field that
	// parse as X.509 (GOST or not). Other CertificateChoices are kept only
	// for re-encoding.
	Certificates []*cert.Certificate
	SignerInfos  []*SignerInfo

	rawCerts [][]byte // every element of certificates, in order
	rawCRLs  []byte   // content of crls [1], or nil
}

// IssuerAndSerialNumber identifies a signer certificate (RFC 5652 §10.2.4).
type IssuerAndSerialNumber struct {
	RawIssuer    []byte
	SerialNumber *big.Int
}

// Attribute is one CMS attribute; Values are DER values.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

// SignerInfo is one signer (RFC 5652 §5.3).
type SignerInfo struct {
	Version int
	// Exactly one of IssuerAndSerial and SubjectKeyID is set.
	IssuerAndSerial *IssuerAndSerialNumber
	SubjectKeyID    []byte

	DigestAlgorithm pkix.AlgorithmIdentifier
	// SignedAttrs and RawSignedAttrs (the DER as carried, tag [0]) are nil
	// when there are no signed attributes.
	SignedAttrs    []Attribute
	RawSignedAttrs []byte

	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      []Attribute

	rawSID []byte
}

// Parse parses a ContentInfo holding a SignedData, in BER (as E-IMZO
// produces: indefinite lengths, chunked content) or DER. Errors:
// ErrMalformed, ErrNotSignedData.
func Parse(data []byte) (*SignedData, error) {
	der, err := ber.ToDER(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	// ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY }
	// (RFC 5652 §3).
	outer, rest, err := readTLV(der, "ContentInfo")
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 || outer.Class != asn1.ClassUniversal || outer.Tag != asn1.TagSequence {
		return nil, fmt.Errorf("%w: ContentInfo is not one SEQUENCE", ErrMalformed)
	}
	var ct asn1.ObjectIdentifier
	p, err := unmarshalNext(outer.Bytes, &ct, "contentType")
	if err != nil {
		return nil, err
	}
	if !ct.Equal(OIDSignedData) {
		return nil, fmt.Errorf("%w: content type %s", ErrNotSignedData, ct)
	}
	content, rest, err := readTLV(p, "content")
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 || content.Class != asn1.ClassContextSpecific || content.Tag != 0 || !content.IsCompound {
		return nil, fmt.Errorf("%w: ContentInfo content is not [0]", ErrMalformed)
	}
	return parseSignedData(content.Bytes)
}

func parseSignedData(b []byte) (*SignedData, error) {
	outer, rest, err := readTLV(b, "SignedData")
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 || outer.Tag != asn1.TagSequence {
		return nil, fmt.Errorf("%w: SignedData is not one SEQUENCE", ErrMalformed)
	}
	sd := &SignedData{}
	p := outer.Bytes
	if p, err = unmarshalNext(p, &sd.Version, "version"); err != nil {
		return nil, err
	}
	var algs []pkix.AlgorithmIdentifier
	if p, err = unmarshalNextParams(p, &algs, "set", "digestAlgorithms"); err != nil {
		return nil, err
	}
	sd.DigestAlgorithms = algs

	eci, p, err := readTLV(p, "encapContentInfo")
	if err != nil {
		return nil, err
	}
	if err := sd.parseEncap(eci.Bytes); err != nil {
		return nil, err
	}
	if peekTag(p) == tagContext0 {
		var v asn1.RawValue
		if v, p, err = readTLV(p, "certificates"); err != nil {
			return nil, err
		}
		for c := v.Bytes; len(c) > 0; {
			var e asn1.RawValue
			if e, c, err = readTLV(c, "certificate"); err != nil {
				return nil, err
			}
			sd.rawCerts = append(sd.rawCerts, e.FullBytes)
			if e.Class == asn1.ClassUniversal && e.Tag == asn1.TagSequence {
				crt, err := cert.Parse(e.FullBytes)
				if err != nil {
					return nil, fmt.Errorf("%w: certificate %d: %w", ErrMalformed, len(sd.rawCerts)-1, err)
				}
				sd.Certificates = append(sd.Certificates, crt)
			}
		}
	}
	if peekTag(p) == tagContext1 {
		var v asn1.RawValue
		if v, p, err = readTLV(p, "crls"); err != nil {
			return nil, err
		}
		sd.rawCRLs = v.Bytes
	}
	sis, p, err := readTLV(p, "signerInfos")
	if err != nil {
		return nil, err
	}
	if len(p) > 0 || sis.Tag != asn1.TagSet {
		return nil, fmt.Errorf("%w: signerInfos", ErrMalformed)
	}
	for s := sis.Bytes; len(s) > 0; {
		var e asn1.RawValue
		if e, s, err = readTLV(s, "SignerInfo"); err != nil {
			return nil, err
		}
		si, err := parseSignerInfo(e)
		if err != nil {
			return nil, fmt.Errorf("signer %d: %w", len(sd.SignerInfos), err)
		}
		sd.SignerInfos = append(sd.SignerInfos, si)
	}
	return sd, nil
}

func unmarshalNext(b []byte, v any, what string) ([]byte, error) {
	return unmarshalNextParams(b, v, "", what)
}

func unmarshalNextParams(b []byte, v any, params, what string) ([]byte, error) {
	rest, err := asn1.UnmarshalWithParams(b, v, params)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	return rest, nil
}

// parseEncap reads EncapsulatedContentInfo (RFC 5652 §5.2). After BER
// conversion a chunked eContent is one OCTET STRING.
func (sd *SignedData) parseEncap(b []byte) error {
	var err error
	if b, err = unmarshalNext(b, &sd.ContentType, "eContentType"); err != nil {
		return err
	}
	if len(b) == 0 {
		sd.Detached = true
		return nil
	}
	v, rest, err := readTLV(b, "eContent")
	if err != nil {
		return err
	}
	if len(rest) > 0 || v.Class != asn1.ClassContextSpecific || v.Tag != 0 || !v.IsCompound {
		return fmt.Errorf("%w: eContent", ErrMalformed)
	}
	var content []byte
	if rest, err := asn1.Unmarshal(v.Bytes, &content); err != nil || len(rest) > 0 {
		return fmt.Errorf("%w: eContent OCTET STRING: %v", ErrMalformed, err)
	}
	if content == nil {
		content = []byte{}
	}
	sd.Content = content
	return nil
}

func parseSignerInfo(e asn1.RawValue) (*SignerInfo, error) {
	if e.Tag != asn1.TagSequence || e.Class != asn1.ClassUniversal {
		return nil, fmt.Errorf("%w: SignerInfo is not a SEQUENCE", ErrMalformed)
	}
	si := &SignerInfo{}
	p, err := unmarshalNext(e.Bytes, &si.Version, "SignerInfo version")
	if err != nil {
		return nil, err
	}
	sid, p, err := readTLV(p, "sid")
	if err != nil {
		return nil, err
	}
	si.rawSID = sid.FullBytes
	switch {
	case sid.Class == asn1.ClassUniversal && sid.Tag == asn1.TagSequence:
		var ias struct {
			Issuer asn1.RawValue
			Serial *big.Int
		}
		if rest, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil || len(rest) > 0 {
			return nil, fmt.Errorf("%w: issuerAndSerialNumber: %v", ErrMalformed, err)
		}
		si.IssuerAndSerial = &IssuerAndSerialNumber{RawIssuer: ias.Issuer.FullBytes, SerialNumber: ias.Serial}
	case sid.Class == asn1.ClassContextSpecific && sid.Tag == 0 && !sid.IsCompound:
		si.SubjectKeyID = sid.Bytes
	default:
		return nil, fmt.Errorf("%w: unknown sid choice", ErrMalformed)
	}
	if p, err = unmarshalNext(p, &si.DigestAlgorithm, "digestAlgorithm"); err != nil {
		return nil, err
	}
	if peekTag(p) == tagContext0 {
		var v asn1.RawValue
		if v, p, err = readTLV(p, "signedAttrs"); err != nil {
			return nil, err
		}
		si.RawSignedAttrs = v.FullBytes
		if si.SignedAttrs, err = parseAttributes(v.Bytes); err != nil {
			return nil, err
		}
	}
	if p, err = unmarshalNext(p, &si.SignatureAlgorithm, "signatureAlgorithm"); err != nil {
		return nil, err
	}
	if p, err = unmarshalNext(p, &si.Signature, "signature"); err != nil {
		return nil, err
	}
	if peekTag(p) == tagContext1 {
		var v asn1.RawValue
		if v, p, err = readTLV(p, "unsignedAttrs"); err != nil {
			return nil, err
		}
		if si.UnsignedAttrs, err = parseAttributes(v.Bytes); err != nil {
			return nil, err
		}
	}
	if len(p) > 0 {
		return nil, fmt.Errorf("%w: trailing data in SignerInfo", ErrMalformed)
	}
	return si, nil
}

func parseAttributes(b []byte) ([]Attribute, error) {
	var out []Attribute
	for len(b) > 0 {
		var a Attribute
		rest, err := asn1.Unmarshal(b, &a)
		if err != nil {
			return nil, fmt.Errorf("%w: attribute: %v", ErrMalformed, err)
		}
		out = append(out, a)
		b = rest
	}
	return out, nil
}

// attr returns the single value of attribute oid in attrs.
func attr(attrs []Attribute, oid asn1.ObjectIdentifier) (asn1.RawValue, error) {
	var found *Attribute
	for i := range attrs {
		if attrs[i].Type.Equal(oid) {
			if found != nil {
				return asn1.RawValue{}, fmt.Errorf("%w: attribute %s appears twice", ErrAttributes, oid)
			}
			found = &attrs[i]
		}
	}
	if found == nil {
		return asn1.RawValue{}, fmt.Errorf("%w: attribute %s missing", ErrAttributes, oid)
	}
	if len(found.Values) != 1 {
		return asn1.RawValue{}, fmt.Errorf("%w: attribute %s has %d values", ErrAttributes, oid, len(found.Values))
	}
	return found.Values[0], nil
}

// MessageDigest returns the message-digest signed attribute.
func (si *SignerInfo) MessageDigest() ([]byte, error) {
	v, err := attr(si.SignedAttrs, OIDAttrMessageDigest)
	if err != nil {
		return nil, err
	}
	var d []byte
	if rest, err := asn1.Unmarshal(v.FullBytes, &d); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: messageDigest: %v", ErrAttributes, err)
	}
	return d, nil
}

// SigningTime returns the signing-time signed attribute (UTCTime or
// GeneralizedTime, RFC 5652 §11.3), or ok = false when absent.
func (si *SignerInfo) SigningTime() (t time.Time, ok bool, err error) {
	v, err := attr(si.SignedAttrs, OIDAttrSigningTime)
	if err != nil {
		if errors.Is(err, ErrAttributes) && !hasAttr(si.SignedAttrs, OIDAttrSigningTime) {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, err
	}
	if rest, err := asn1.Unmarshal(v.FullBytes, &t); err != nil || len(rest) > 0 {
		return time.Time{}, false, fmt.Errorf("%w: signingTime: %v", ErrAttributes, err)
	}
	return t, true, nil
}

// ContentTypeAttr returns the content-type signed attribute.
func (si *SignerInfo) ContentTypeAttr() (asn1.ObjectIdentifier, error) {
	v, err := attr(si.SignedAttrs, OIDAttrContentType)
	if err != nil {
		return nil, err
	}
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(v.FullBytes, &oid); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: contentType: %v", ErrAttributes, err)
	}
	return oid, nil
}

// TimestampToken returns the DER of the RFC 3161 TimeStampToken carried as
// the unsigned attribute 1.2.840.113549.1.9.16.2.14 (RFC 3161 Appendix A),
// or nil. The token is itself a SignedData that Parse reads.
func (si *SignerInfo) TimestampToken() []byte {
	for _, a := range si.UnsignedAttrs {
		if a.Type.Equal(OIDAttrTimestampToken) && len(a.Values) > 0 {
			return a.Values[0].FullBytes
		}
	}
	return nil
}

func hasAttr(attrs []Attribute, oid asn1.ObjectIdentifier) bool {
	for _, a := range attrs {
		if a.Type.Equal(oid) {
			return true
		}
	}
	return false
}

// SignedBytes returns what the signature covers (RFC 5652 §5.4): the DER
// signed attributes with their [0] tag replaced by SET (0x31), or the
// content itself when there are no signed attributes.
func (si *SignerInfo) SignedBytes(content []byte) []byte {
	if si.RawSignedAttrs == nil {
		return content
	}
	b := bytes.Clone(si.RawSignedAttrs)
	b[0] = tagSet
	return b
}

// Matches reports whether c is the certificate si names.
func (si *SignerInfo) Matches(c *cert.Certificate) bool {
	if si.IssuerAndSerial != nil {
		return c.SerialNumber != nil && c.SerialNumber.Cmp(si.IssuerAndSerial.SerialNumber) == 0 &&
			bytes.Equal(c.RawIssuer, si.IssuerAndSerial.RawIssuer)
	}
	return len(si.SubjectKeyID) > 0 && bytes.Equal(c.SubjectKeyId, si.SubjectKeyID)
}

// CheckSignature verifies si over content with key, without looking at
// certificates: the digest algorithm must be GOST R 34.11-94 and the
// signature algorithm the GOST signature OID or the key OID (some tools
// put that there); with signed attributes the message-digest attribute
// must equal the digest of content and the signature must cover the
// re-tagged attributes (RFC 5652 §5.4, §11.2). Errors: ErrUnsupported,
// ErrAttributes, ErrDigestMismatch, ErrSignature.
func (si *SignerInfo) CheckSignature(key *gost.PublicKey, content []byte) error {
	if err := checkAlgorithms(si); err != nil {
		return err
	}
	if si.RawSignedAttrs != nil {
		md, err := si.MessageDigest()
		if err != nil {
			return err
		}
		d := sum(content)
		if !bytes.Equal(md, d[:]) {
			return ErrDigestMismatch
		}
	}
	d := sum(si.SignedBytes(content))
	if err := gost.Verify(key, d[:], si.Signature); err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return nil
}

func checkAlgorithms(si *SignerInfo) error {
	for _, oid := range []asn1.ObjectIdentifier{si.DigestAlgorithm.Algorithm, si.SignatureAlgorithm.Algorithm} {
		if gost.Is2024(oid) {
			return fmt.Errorf("%w: %w", ErrUnsupported, &gost.UnsupportedError{OID: oid, Reason: "O'zMSt 286:2024 is not implemented (no public sample)"})
		}
	}
	if !gost.IsDigestOID(si.DigestAlgorithm.Algorithm) {
		return fmt.Errorf("%w: digest algorithm %s", ErrUnsupported, si.DigestAlgorithm.Algorithm)
	}
	if !gost.IsSignatureOID(si.SignatureAlgorithm.Algorithm) {
		return fmt.Errorf("%w: signature algorithm %s", ErrUnsupported, si.SignatureAlgorithm.Algorithm)
	}
	return nil
}

// SignerCertificate returns the certificate of sd.Certificates (or of
// extra, searched after them) that si names. Error: ErrNoCertificate.
func (sd *SignedData) SignerCertificate(si *SignerInfo, extra ...*cert.Certificate) (*cert.Certificate, error) {
	for _, c := range append(append([]*cert.Certificate(nil), sd.Certificates...), extra...) {
		if si.Matches(c) {
			return c, nil
		}
	}
	if si.IssuerAndSerial != nil {
		return nil, fmt.Errorf("%w: serial %x", ErrNoCertificate, si.IssuerAndSerial.SerialNumber)
	}
	return nil, fmt.Errorf("%w: key id %x", ErrNoCertificate, si.SubjectKeyID)
}

// VerifyOptions configure SignedData.Verify.
type VerifyOptions struct {
	// Content is the signed content of a detached SignedData. For an
	// attached one it must be nil or equal to the encapsulated content.
	Content []byte
	// Roots are the trust anchors for the signer's chain. Required unless
	// NoChain.
	Roots []*cert.Certificate
	// Intermediates are used, after the certificates in the message, to
	// build chains.
	Intermediates []*cert.Certificate
	// Time is when the chain must be valid. If zero and AtSigningTime is
	// set, each signer's signing-time attribute is used instead.
	Time          time.Time
	AtSigningTime bool
	// NoChain verifies only the signatures with the signer certificates
	// found in the message (or in Intermediates), not their chains.
	NoChain bool
}

// Signer is one verified signer.
type Signer struct {
	Info        *SignerInfo
	Certificate *cert.Certificate
	// Chain is leaf first, root last; nil with NoChain.
	Chain []*cert.Certificate
	// SigningTime is the signing-time attribute (zero if absent).
	SigningTime time.Time
}

// Verify checks every SignerInfo: the signer certificate is found in the
// message (by issuer and serial number, or key identifier), the
// content-type attribute matches eContentType, the message digest and the
// signature verify, and unless NoChain the certificate chains to
// opts.Roots at the verification time. All signers must pass. Errors:
// ErrNoSigners, ErrNoContent, ErrNoCertificate, ErrAttributes,
// ErrDigestMismatch, ErrSignature, ErrUnsupported, and the cert package's
// chain errors (cert.ErrExpired, cert.ErrUnknownAuthority, …).
func (sd *SignedData) Verify(opts VerifyOptions) ([]*Signer, error) {
	if len(sd.SignerInfos) == 0 {
		return nil, ErrNoSigners
	}
	content := sd.Content
	if sd.Detached {
		if opts.Content == nil {
			return nil, ErrNoContent
		}
		content = opts.Content
	} else if opts.Content != nil && !bytes.Equal(opts.Content, sd.Content) {
		return nil, fmt.Errorf("%w: content differs from the encapsulated content", ErrDigestMismatch)
	}
	var out []*Signer
	for i, si := range sd.SignerInfos {
		s, err := sd.verifyOne(si, content, opts)
		if err != nil {
			return nil, fmt.Errorf("signer %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func (sd *SignedData) verifyOne(si *SignerInfo, content []byte, opts VerifyOptions) (*Signer, error) {
	c, err := sd.SignerCertificate(si, opts.Intermediates...)
	if err != nil {
		return nil, err
	}
	if c.Key == nil {
		if errors.Is(c.KeyErr, gost.ErrUnsupportedAlgorithm) {
			return nil, fmt.Errorf("%w: signer key: %w", ErrUnsupported, c.KeyErr)
		}
		return nil, fmt.Errorf("%w: signer key: %w", ErrSignature, c.KeyErr)
	}
	s := &Signer{Info: si, Certificate: c}
	if si.RawSignedAttrs != nil {
		ct, err := si.ContentTypeAttr()
		if err != nil {
			return nil, err
		}
		if !ct.Equal(sd.ContentType) {
			return nil, fmt.Errorf("%w: contentType attribute %s, eContentType %s", ErrAttributes, ct, sd.ContentType)
		}
		if t, ok, err := si.SigningTime(); err != nil {
			return nil, err
		} else if ok {
			s.SigningTime = t
		}
	}
	if err := si.CheckSignature(c.Key, content); err != nil {
		return nil, err
	}
	if opts.NoChain {
		return s, nil
	}
	at := opts.Time
	if at.IsZero() && opts.AtSigningTime {
		if s.SigningTime.IsZero() {
			return nil, fmt.Errorf("%w: no signing-time attribute to verify the chain at", ErrAttributes)
		}
		at = s.SigningTime
	}
	inter := append(append([]*cert.Certificate(nil), sd.Certificates...), opts.Intermediates...)
	chain, err := c.Verify(cert.VerifyOptions{Roots: opts.Roots, Intermediates: inter, Time: at})
	if err != nil {
		return nil, err
	}
	s.Chain = chain
	return s, nil
}
