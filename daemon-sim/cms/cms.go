package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"time"
)

// Object identifiers (RFC 5652 §14, RFC 3161, RFC 5754, RFC 5758).
var (
	OIDData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDTSTInfo        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	OIDTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	OIDContentType    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDMessageDigest  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDSigningTime    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}

	oidSHA1          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECDSAWithSHA2 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

// Errors.
var (
	ErrNotSignedData  = errors.New("cms: not a DER CMS SignedData")
	ErrSignerNotFound = errors.New("cms: no signer with that serial number")
	ErrNoContent      = errors.New("cms: detached SignedData needs its content")
)

// Signer is a key with its certificate.
type Signer struct {
	Key   crypto.Signer
	Cert  *x509.Certificate
	Certs []*x509.Certificate // more certificates to embed (the issuing CA)
}

// Options shape [Sign].
type Options struct {
	Detached    bool
	Time        time.Time             // the signingTime attribute; zero means now
	ContentType asn1.ObjectIdentifier // eContentType; nil means id-data
}

// Sign returns a DER ContentInfo holding a SignedData over content with one
// signer, and the raw signature value (what the daemon returns as
// signature_hex).
func Sign(content []byte, s Signer, o Options) (der, sig []byte, err error) {
	ct := o.ContentType
	if ct == nil {
		ct = OIDData
	}
	si, sig, err := signerInfo(content, ct, s, o.Time)
	if err != nil {
		return nil, nil, err
	}
	var encap []byte
	ctDER := mustMarshal(ct)
	if o.Detached {
		encap = tlv(tagSequence, ctDER)
	} else {
		encap = tlv(tagSequence, ctDER, tlv(tagContext0, tlv(tagOctetString, content)))
	}
	var certs [][]byte
	certs = append(certs, s.Cert.Raw)
	for _, c := range s.Certs {
		certs = append(certs, c.Raw)
	}
	return assemble(version(ct), [][]byte{algSHA256()}, encap, certs, nil, [][]byte{si}), sig, nil
}

// version is the SignedData version: 1 for id-data, 3 otherwise (RFC 5652
// §5.1).
func version(ct asn1.ObjectIdentifier) int {
	if ct.Equal(OIDData) {
		return 1
	}
	return 3
}

func assemble(v int, digestAlgs [][]byte, encap []byte, certs [][]byte, crls []byte, signerInfos [][]byte) []byte {
	parts := [][]byte{mustMarshal(v), setOf(tagSet, digestAlgs), encap}
	if len(certs) > 0 {
		parts = append(parts, tlv(tagContext0, certs...))
	}
	if crls != nil {
		parts = append(parts, crls)
	}
	parts = append(parts, setOf(tagSet, signerInfos))
	sd := tlv(tagSequence, parts...)
	return tlv(tagSequence, mustMarshal(OIDSignedData), tlv(tagContext0, sd))
}

func algSHA256() []byte {
	return tlv(tagSequence, mustMarshal(oidSHA256))
}

// signerInfo builds a SignerInfo (RFC 5652 §5.3) over content with the
// signed attributes contentType, signingTime and messageDigest.
func signerInfo(content []byte, ct asn1.ObjectIdentifier, s Signer, t time.Time) (si, sig []byte, err error) {
	if t.IsZero() {
		t = time.Now()
	}
	digest := sha256.Sum256(content)
	attrs := [][]byte{
		attribute(OIDContentType, mustMarshal(ct)),
		attribute(OIDSigningTime, mustMarshal(t.UTC().Truncate(time.Second))),
		attribute(OIDMessageDigest, tlv(tagOctetString, digest[:])),
	}
	// The signature covers the attributes DER-encoded as a SET (§5.4); in
	// the SignerInfo they carry the [0] IMPLICIT tag instead.
	signed := setOf(tagSet, attrs)
	h := sha256.Sum256(signed)
	var sigAlg []byte
	switch s.Key.Public().(type) {
	case *rsa.PublicKey:
		sigAlg = tlv(tagSequence, mustMarshal(oidRSAEncryption), []byte{0x05, 0x00})
	case *ecdsa.PublicKey:
		sigAlg = tlv(tagSequence, mustMarshal(oidECDSAWithSHA2))
	case ed25519.PublicKey:
		return nil, nil, errors.New("cms: Ed25519 keys are not supported")
	default:
		return nil, nil, fmt.Errorf("cms: unsupported key type %T", s.Key.Public())
	}
	sig, err = s.Key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("cms: signing: %w", err)
	}
	sid := tlv(tagSequence, s.Cert.RawIssuer, mustMarshal(s.Cert.SerialNumber))
	signedField := append([]byte{tagContext0}, signed[1:]...)
	si = tlv(tagSequence, mustMarshal(1), sid, algSHA256(), signedField, sigAlg, tlv(tagOctetString, sig))
	return si, sig, nil
}

func attribute(oid asn1.ObjectIdentifier, values ...[]byte) []byte {
	return tlv(tagSequence, mustMarshal(oid), setOf(tagSet, values))
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic("cms: " + err.Error())
	}
	return b
}

// SignedData is a parsed SignedData.
type SignedData struct {
	ContentType  asn1.ObjectIdentifier
	Content      []byte // nil when detached
	Detached     bool
	Certificates [][]byte // DER
	Signers      []SignerInfo

	version     int
	digestAlgs  [][]byte
	crls        []byte
	signerInfos [][]byte // DER, in order
}

// SignerInfo is a parsed SignerInfo.
type SignerInfo struct {
	IssuerRaw     []byte
	SerialNumber  *big.Int
	Signature     []byte
	SignedAttrs   []Attribute
	UnsignedAttrs []Attribute
}

// Attribute is a CMS attribute with its DER values.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// Parse reads a DER ContentInfo holding a SignedData.
func Parse(der []byte) (*SignedData, error) {
	ci, rest, err := next(der)
	if err != nil || len(rest) != 0 || ci.tag != tagSequence {
		return nil, ErrNotSignedData
	}
	parts, err := children(ci.body)
	if err != nil || len(parts) != 2 || parts[0].tag != tagOID || parts[1].tag != tagContext0 {
		return nil, ErrNotSignedData
	}
	var ct asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(parts[0].full, &ct); err != nil || !ct.Equal(OIDSignedData) {
		return nil, ErrNotSignedData
	}
	sdEl, rest, err := next(parts[1].body)
	if err != nil || len(rest) != 0 || sdEl.tag != tagSequence {
		return nil, ErrNotSignedData
	}
	f, err := children(sdEl.body)
	if err != nil || len(f) < 4 || f[0].tag != tagInteger || f[1].tag != tagSet || f[2].tag != tagSequence {
		return nil, ErrNotSignedData
	}
	sd := &SignedData{}
	if _, err := asn1.Unmarshal(f[0].full, &sd.version); err != nil {
		return nil, ErrNotSignedData
	}
	algs, err := children(f[1].body)
	if err != nil {
		return nil, ErrNotSignedData
	}
	for _, a := range algs {
		sd.digestAlgs = append(sd.digestAlgs, a.full)
	}
	if err := sd.parseEncap(f[2]); err != nil {
		return nil, err
	}
	i := 3
	if i < len(f) && f[i].tag == tagContext0 {
		certs, err := children(f[i].body)
		if err != nil {
			return nil, ErrNotSignedData
		}
		for _, c := range certs {
			sd.Certificates = append(sd.Certificates, c.full)
		}
		i++
	}
	if i < len(f) && f[i].tag == tagContext1 {
		sd.crls = f[i].full
		i++
	}
	if i != len(f)-1 || f[i].tag != tagSet {
		return nil, ErrNotSignedData
	}
	sis, err := children(f[i].body)
	if err != nil {
		return nil, ErrNotSignedData
	}
	for _, e := range sis {
		si, err := parseSignerInfo(e)
		if err != nil {
			return nil, err
		}
		sd.Signers = append(sd.Signers, si)
		sd.signerInfos = append(sd.signerInfos, e.full)
	}
	return sd, nil
}

func (sd *SignedData) parseEncap(e element) error {
	f, err := children(e.body)
	if err != nil || len(f) < 1 || len(f) > 2 || f[0].tag != tagOID {
		return ErrNotSignedData
	}
	if _, err := asn1.Unmarshal(f[0].full, &sd.ContentType); err != nil {
		return ErrNotSignedData
	}
	if len(f) == 1 {
		sd.Detached = true
		return nil
	}
	oct, rest, err := next(f[1].body)
	if err != nil || len(rest) != 0 || f[1].tag != tagContext0 || oct.tag != tagOctetString {
		return ErrNotSignedData
	}
	sd.Content = oct.body
	return nil
}

func parseSignerInfo(e element) (SignerInfo, error) {
	var si SignerInfo
	f, err := children(e.body)
	if err != nil || e.tag != tagSequence || len(f) < 5 {
		return si, ErrNotSignedData
	}
	sid, err := children(f[1].body)
	if err != nil || f[1].tag != tagSequence || len(sid) != 2 || sid[1].tag != tagInteger {
		return si, ErrNotSignedData // only issuerAndSerialNumber signer ids
	}
	si.IssuerRaw = sid[0].full
	si.SerialNumber = new(big.Int)
	if _, err := asn1.Unmarshal(sid[1].full, &si.SerialNumber); err != nil {
		return si, ErrNotSignedData
	}
	i := 3
	if f[i].tag == tagContext0 {
		if si.SignedAttrs, err = parseAttributes(f[i].body); err != nil {
			return si, err
		}
		i++
	}
	if i+1 >= len(f) || f[i+1].tag != tagOctetString {
		return si, ErrNotSignedData
	}
	si.Signature = f[i+1].body
	i += 2
	if i < len(f) {
		if f[i].tag != tagContext1 || i != len(f)-1 {
			return si, ErrNotSignedData
		}
		if si.UnsignedAttrs, err = parseAttributes(f[i].body); err != nil {
			return si, err
		}
	}
	return si, nil
}

func parseAttributes(body []byte) ([]Attribute, error) {
	elems, err := children(body)
	if err != nil {
		return nil, ErrNotSignedData
	}
	var out []Attribute
	for _, e := range elems {
		f, err := children(e.body)
		if err != nil || e.tag != tagSequence || len(f) != 2 || f[1].tag != tagSet {
			return nil, ErrNotSignedData
		}
		var a Attribute
		if _, err := asn1.Unmarshal(f[0].full, &a.Type); err != nil {
			return nil, ErrNotSignedData
		}
		vals, err := children(f[1].body)
		if err != nil {
			return nil, ErrNotSignedData
		}
		for _, v := range vals {
			a.Values = append(a.Values, v.full)
		}
		out = append(out, a)
	}
	return out, nil
}

// Attribute returns the values of the first attribute of type oid.
func (si SignerInfo) Attribute(oid asn1.ObjectIdentifier, unsigned bool) [][]byte {
	attrs := si.SignedAttrs
	if unsigned {
		attrs = si.UnsignedAttrs
	}
	for _, a := range attrs {
		if a.Type.Equal(oid) {
			return a.Values
		}
	}
	return nil
}

// AddSigner adds a signer over the content of the SignedData in der. A
// detached SignedData needs content; an attached one ignores it. It returns
// the new DER and the new signer's signature value.
func AddSigner(der, content []byte, s Signer, t time.Time) (out, sig []byte, err error) {
	sd, err := Parse(der)
	if err != nil {
		return nil, nil, err
	}
	if !sd.Detached {
		content = sd.Content
	} else if content == nil {
		return nil, nil, ErrNoContent
	}
	si, sig, err := signerInfo(content, sd.ContentType, s, t)
	if err != nil {
		return nil, nil, err
	}
	algs := sd.digestAlgs
	if !containsBytes(algs, algSHA256()) {
		algs = append(algs, algSHA256())
	}
	certs := sd.Certificates
	for _, c := range append([]*x509.Certificate{s.Cert}, s.Certs...) {
		if !containsBytes(certs, c.Raw) {
			certs = append(certs, c.Raw)
		}
	}
	return assemble(sd.version, algs, sd.encap(), certs, sd.crls, append(sd.signerInfos, si)), sig, nil
}

func (sd *SignedData) encap() []byte {
	ct := mustMarshal(sd.ContentType)
	if sd.Detached {
		return tlv(tagSequence, ct)
	}
	return tlv(tagSequence, ct, tlv(tagContext0, tlv(tagOctetString, sd.Content)))
}

func containsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

// AddUnsignedAttribute adds value (DER) as an unsigned attribute of type
// oid to the signer with serial number serial. An existing attribute of
// that type gets the value added to its set.
func AddUnsignedAttribute(der []byte, serial *big.Int, oid asn1.ObjectIdentifier, value []byte) ([]byte, error) {
	sd, err := Parse(der)
	if err != nil {
		return nil, err
	}
	if _, rest, err := next(value); err != nil || len(rest) != 0 {
		return nil, errors.New("cms: attribute value is not one DER element")
	}
	found := false
	for i, si := range sd.Signers {
		if si.SerialNumber.Cmp(serial) != 0 {
			continue
		}
		found = true
		e, _, _ := next(sd.signerInfos[i])
		f, _ := children(e.body)
		attrs := si.UnsignedAttrs
		added := false
		for j := range attrs {
			if attrs[j].Type.Equal(oid) {
				attrs[j].Values = append(attrs[j].Values, value)
				added = true
			}
		}
		if !added {
			attrs = append(attrs, Attribute{Type: oid, Values: [][]byte{value}})
		}
		var enc [][]byte
		for _, a := range attrs {
			enc = append(enc, attribute(a.Type, a.Values...))
		}
		parts := make([][]byte, 0, len(f)+1)
		for _, x := range f {
			if x.tag != tagContext1 {
				parts = append(parts, x.full)
			}
		}
		parts = append(parts, setOf(tagContext1, enc))
		sd.signerInfos[i] = tlv(tagSequence, parts...)
		break
	}
	if !found {
		return nil, ErrSignerNotFound
	}
	return assemble(sd.version, sd.digestAlgs, sd.encap(), sd.Certificates, sd.crls, sd.signerInfos), nil
}

// TSTInfo is the part of an RFC 3161 TSTInfo (§2.4.2) the daemon checks.
type TSTInfo struct {
	HashAlgorithm asn1.ObjectIdentifier
	HashedMessage []byte
	SerialNumber  *big.Int
	GenTime       time.Time
}

type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		HashedMessage []byte
	}
	SerialNumber *big.Int
	GenTime      time.Time `asn1:"generalized"`
}

// ParseTimeStampToken reads a timestamp token: a SignedData whose content
// is a TSTInfo. It does not check the TSA's signature.
func ParseTimeStampToken(der []byte) (*TSTInfo, error) {
	sd, err := Parse(der)
	if err != nil {
		return nil, err
	}
	if !sd.ContentType.Equal(OIDTSTInfo) || sd.Detached {
		return nil, errors.New("cms: not a timestamp token (content is not a TSTInfo)")
	}
	var ti tstInfo
	if rest, err := asn1.Unmarshal(sd.Content, &ti); err != nil || len(rest) != 0 {
		return nil, errors.New("cms: malformed TSTInfo")
	}
	return &TSTInfo{HashAlgorithm: ti.MessageImprint.HashAlgorithm.Algorithm, HashedMessage: ti.MessageImprint.HashedMessage,
		SerialNumber: ti.SerialNumber, GenTime: ti.GenTime}, nil
}

// NewHash returns the hash function of a digest algorithm OID, or nil.
func NewHash(oid asn1.ObjectIdentifier) hash.Hash {
	switch {
	case oid.Equal(oidSHA1):
		return sha1.New()
	case oid.Equal(oidSHA256):
		return sha256.New()
	case oid.Equal(oidSHA384):
		return sha512.New384()
	case oid.Equal(oidSHA512):
		return sha512.New()
	}
	return nil
}

// OIDSHA256 is the SHA-256 digest algorithm.
var OIDSHA256 = oidSHA256
