package cms

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/eimzokit/eimzokit/wasm/gost"
	"github.com/eimzokit/eimzokit/wasm/gost/cert"
)

// SignOptions configure Sign and SignDigest.
type SignOptions struct {
	// Detached leaves the content out of the message (Sign only;
	// SignDigest is always detached).
	Detached bool
	// SigningTime is written as UTCTime in UTC; zero means time.Now().
	SigningTime time.Time
	// Certificates are added after the signer's certificate, usually the
	// issuing CA and the root, as E-IMZO does.
	Certificates []*cert.Certificate
	// Rand is passed to the signer; nil means crypto/rand.Reader.
	Rand io.Reader
	// Timestamp, when set, is called with the signature value and returns
	// the DER of an RFC 3161 TimeStampToken over it, which is added as an
	// unsigned attribute.
	Timestamp func(signature []byte) ([]byte, error)
}

// Sign creates a DER CMS SignedData (RFC 5652) over content, signed with
// GOST R 34.10-2001 the way E-IMZO signs: digest algorithm
// 1.2.860.3.15.1.3.2.1.1, signature algorithm 1.2.860.3.15.1.1.2.2.2.2,
// sid issuerAndSerialNumber, signed attributes content-type (id-data),
// signing-time and message-digest, and the signature over the DER signed
// attributes re-tagged as SET (§5.4). The signer's certificate and
// opts.Certificates are included. key is the signer's crypto.Signer (a
// *gost.PrivateKey, or anything that signs a 32-byte GOST R 34.11-94
// digest into 64 bytes s ‖ r).
func Sign(content []byte, signer *cert.Certificate, key crypto.Signer, opts SignOptions) ([]byte, error) {
	d := sum(content)
	var encap []byte
	if !opts.Detached {
		if content == nil {
			content = []byte{}
		}
		encap = content
	}
	return sign(d[:], encap, signer, key, opts)
}

// SignDigest creates a detached SignedData like Sign for content whose
// GOST R 34.11-94 digest was computed beforehand (a large file streamed
// through gost94.New, or a hash received from a phone). Error: a digest
// that is not 32 bytes.
func SignDigest(digest []byte, signer *cert.Certificate, key crypto.Signer, opts SignOptions) ([]byte, error) {
	if len(digest) != gost.DigestSize {
		return nil, fmt.Errorf("%w: digest must be %d bytes", gost.ErrDigestLength, gost.DigestSize)
	}
	return sign(digest, nil, signer, key, opts)
}

func sign(digest, content []byte, signer *cert.Certificate, key crypto.Signer, opts SignOptions) ([]byte, error) {
	if signer == nil || key == nil {
		return nil, fmt.Errorf("cms: signer certificate and key are required")
	}
	if signer.Key != nil {
		if pub, ok := key.Public().(*gost.PublicKey); ok && !pub.Equal(signer.Key) {
			return nil, fmt.Errorf("cms: the key does not match the signer certificate")
		}
	}
	r := opts.Rand
	if r == nil {
		r = rand.Reader
	}
	t := opts.SigningTime
	if t.IsZero() {
		t = time.Now()
	}
	utc, err := asn1.MarshalWithParams(t.UTC().Truncate(time.Second), "utc")
	if err != nil {
		return nil, fmt.Errorf("cms: signing time: %w", err)
	}
	attrs := [][]byte{
		mustMarshal(Attribute{OIDAttrContentType, []asn1.RawValue{{FullBytes: mustMarshal(OIDData)}}}),
		mustMarshal(Attribute{OIDAttrSigningTime, []asn1.RawValue{{FullBytes: utc}}}),
		mustMarshal(Attribute{OIDAttrMessageDigest, []asn1.RawValue{{FullBytes: mustMarshal(digest)}}}),
	}
	// DER orders the elements of a SET OF by their encodings (X.690 §11.6).
	slices.SortFunc(attrs, bytes.Compare)
	signedAttrs := encodeTLV(tagContext0, attrs...)

	si := &SignerInfo{
		Version:            1,
		IssuerAndSerial:    &IssuerAndSerialNumber{RawIssuer: signer.RawIssuer, SerialNumber: signer.SerialNumber},
		DigestAlgorithm:    gost.DigestAlgorithm(),
		RawSignedAttrs:     signedAttrs,
		SignatureAlgorithm: gost.SignatureAlgorithm(),
	}
	si.rawSID = encodeTLV(tagSequence, signer.RawIssuer, mustMarshal(signer.SerialNumber))
	if si.SignedAttrs, err = parseAttributes(bytes.Join(attrs, nil)); err != nil {
		return nil, err
	}
	toSign := sum(si.SignedBytes(nil))
	if si.Signature, err = key.Sign(r, toSign[:], nil); err != nil {
		return nil, fmt.Errorf("cms: signing: %w", err)
	}
	if len(si.Signature) != gost.SignatureSize {
		return nil, fmt.Errorf("cms: signer returned %d bytes, want a %d-byte GOST signature", len(si.Signature), gost.SignatureSize)
	}
	if opts.Timestamp != nil {
		tok, err := opts.Timestamp(si.Signature)
		if err != nil {
			return nil, fmt.Errorf("cms: timestamp: %w", err)
		}
		if err := si.addTimestamp(tok); err != nil {
			return nil, err
		}
	}
	sd := &SignedData{
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{gost.DigestAlgorithm()},
		ContentType:      OIDData,
		Content:          content,
		Detached:         content == nil,
		SignerInfos:      []*SignerInfo{si},
	}
	sd.rawCerts = append(sd.rawCerts, signer.Raw)
	sd.Certificates = append(sd.Certificates, signer)
	for _, c := range opts.Certificates {
		sd.rawCerts = append(sd.rawCerts, c.Raw)
		sd.Certificates = append(sd.Certificates, c)
	}
	return sd.Marshal()
}

// AddTimestamp returns message (BER or DER) re-encoded as DER with token,
// the DER of an RFC 3161 TimeStampToken, added as the unsigned attribute
// 1.2.840.113549.1.9.16.2.14 of signer i. The token should timestamp that
// signer's Signature value (RFC 3161 Appendix A); this is not checked.
func AddTimestamp(message []byte, i int, token []byte) ([]byte, error) {
	sd, err := Parse(message)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= len(sd.SignerInfos) {
		return nil, fmt.Errorf("cms: no signer %d", i)
	}
	if err := sd.SignerInfos[i].addTimestamp(token); err != nil {
		return nil, err
	}
	return sd.Marshal()
}

func (si *SignerInfo) addTimestamp(token []byte) error {
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(token, &v); err != nil || len(rest) > 0 || v.Tag != asn1.TagSequence {
		return fmt.Errorf("%w: timestamp token is not one DER SEQUENCE", ErrMalformed)
	}
	si.UnsignedAttrs = append(si.UnsignedAttrs, Attribute{OIDAttrTimestampToken, []asn1.RawValue{{FullBytes: token}}})
	return nil
}

// Marshal returns the DER ContentInfo of sd. Certificates, signer
// identifiers and signed attributes are written back exactly as parsed,
// so signatures stay valid; Parse then Marshal converts a BER message to
// DER.
func (sd *SignedData) Marshal() ([]byte, error) {
	var algs [][]byte
	for _, a := range sd.DigestAlgorithms {
		b, err := asn1.Marshal(a)
		if err != nil {
			return nil, err
		}
		algs = append(algs, b)
	}
	slices.SortFunc(algs, bytes.Compare)
	encap := [][]byte{mustMarshal(sd.ContentType)}
	if !sd.Detached {
		encap = append(encap, encodeTLV(tagContext0, encodeTLV(tagOctetString, sd.Content)))
	}
	body := [][]byte{
		mustMarshal(sd.Version),
		encodeTLV(tagSet, algs...),
		encodeTLV(tagSequence, encap...),
	}
	if len(sd.rawCerts) > 0 {
		body = append(body, encodeTLV(tagContext0, sd.rawCerts...))
	}
	if sd.rawCRLs != nil {
		body = append(body, encodeTLV(tagContext1, sd.rawCRLs))
	}
	var sis [][]byte
	for _, si := range sd.SignerInfos {
		b, err := si.marshal()
		if err != nil {
			return nil, err
		}
		sis = append(sis, b)
	}
	body = append(body, encodeTLV(tagSet, sis...))
	return encodeTLV(tagSequence,
		mustMarshal(OIDSignedData),
		encodeTLV(tagContext0, encodeTLV(tagSequence, body...)),
	), nil
}

func (si *SignerInfo) marshal() ([]byte, error) {
	if si.rawSID == nil {
		switch {
		case si.IssuerAndSerial != nil:
			si.rawSID = encodeTLV(tagSequence, si.IssuerAndSerial.RawIssuer, mustMarshal(si.IssuerAndSerial.SerialNumber))
		case si.SubjectKeyID != nil:
			si.rawSID = encodeTLV(tagContext0Pri, si.SubjectKeyID)
		default:
			return nil, fmt.Errorf("%w: SignerInfo without sid", ErrMalformed)
		}
	}
	da, err := asn1.Marshal(si.DigestAlgorithm)
	if err != nil {
		return nil, err
	}
	sa, err := asn1.Marshal(si.SignatureAlgorithm)
	if err != nil {
		return nil, err
	}
	parts := [][]byte{mustMarshal(si.Version), si.rawSID, da}
	if si.RawSignedAttrs != nil {
		parts = append(parts, si.RawSignedAttrs)
	}
	parts = append(parts, sa, encodeTLV(tagOctetString, si.Signature))
	if len(si.UnsignedAttrs) > 0 {
		var ua [][]byte
		for _, a := range si.UnsignedAttrs {
			b, err := asn1.Marshal(a)
			if err != nil {
				return nil, err
			}
			ua = append(ua, b)
		}
		slices.SortFunc(ua, bytes.Compare)
		parts = append(parts, encodeTLV(tagContext1, ua...))
	}
	return encodeTLV(tagSequence, parts...), nil
}
