package cms

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"time"

	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

// Signer is one signer for [Sign], [SignWith], [SignDigest] and
// [SignedData.AddSigner].
type Signer struct {
	// Key signs: an RSA or ECDSA key, or a *gost.PrivateKey (O'zDSt 1092,
	// signing a GOST R 34.11-94 digest, as E-IMZO does).
	Key         crypto.Signer
	Certificate *x509.Certificate
	Chain       []*x509.Certificate // certificates to include besides the signer's
	// Hash is the digest of RSA and ECDSA signers: SHA-256 (when zero),
	// SHA-384 or SHA-512. GOST signers always use GOST R 34.11-94.
	Hash crypto.Hash
	PSS  bool // RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys)
	// SigningTime is the signing-time attribute (RFC 5652 §11.3); zero
	// leaves it out. Callers with a clock pass its time.
	SigningTime time.Time
	// SubjectKeyID identifies the signer by subject key identifier
	// (SignerInfo version 3) instead of issuer and serial number.
	SubjectKeyID bool
	// NoAttributes signs the content itself, without signed attributes
	// (RFC 5652 §5.4); only for id-data.
	NoAttributes bool
	// Timestamp, when set, is given the signature value and returns the
	// DER of an RFC 3161 TimeStampToken over it, which is added as the
	// unsigned attribute id-aa-timeStampToken (RFC 3161 Appendix A).
	Timestamp func(signature []byte) ([]byte, error)
	// Rand is the randomness of the signature (ECDSA, PSS, GOST); nil means
	// crypto/rand.
	Rand io.Reader
}

// Options shape [SignWith] and [SignDigest].
type Options struct {
	// Detached leaves the content out (RFC 5652 §5.2); SignDigest is always
	// detached.
	Detached bool
	// ContentType is eContentType; nil means id-data. RFC 3161 tokens use
	// OIDTSTInfo.
	ContentType asn1.ObjectIdentifier
}

// algorithms is the registry that says how keys sign.
var algorithms = sigalg.Default()

// Sign makes a SignedData of content (id-data) signed by each signer; with
// detached the content is left out (RFC 5652 §5.2).
func Sign(content []byte, detached bool, signers ...Signer) (*SignedData, error) {
	return SignWith(content, Options{Detached: detached}, signers...)
}

// SignWith is Sign with options: the content type, for instance.
func SignWith(content []byte, o Options, signers ...Signer) (*SignedData, error) {
	return sign(content, nil, o, signers)
}

// SignDigest makes a detached SignedData for content whose digest the
// caller computed (a large file streamed through the hash, or a digest
// received from elsewhere): digest must be made with the signer's digest
// algorithm (SHA-256 by default; GOST R 34.11-94 for GOST keys). Signed
// attributes are required.
func SignDigest(digest []byte, o Options, s Signer) (*SignedData, error) {
	if s.NoAttributes {
		return nil, errors.New("cms: signing a digest needs signed attributes")
	}
	o.Detached = true
	return sign(nil, digest, o, []Signer{s})
}

func sign(content, digest []byte, o Options, signers []Signer) (*SignedData, error) {
	if len(signers) == 0 {
		return nil, errors.New("cms: no signer")
	}
	if len(signers) > MaxSigners {
		return nil, malformed("%d signers, more than %d", len(signers), MaxSigners)
	}
	ct := o.ContentType
	if ct == nil {
		ct = OIDData
	}
	sd := &SignedData{Version: 1, ContentType: ct, Content: append([]byte{}, content...)}
	if !ct.Equal(OIDData) {
		sd.Version = 3 // RFC 5652 §5.1
	}
	for _, s := range signers {
		d := digest
		if d == nil {
			var err error
			if d, err = contentDigest(s, content); err != nil {
				return nil, err
			}
		}
		if err := sd.addSignerInfo(s, d, content); err != nil {
			return nil, err
		}
	}
	if o.Detached {
		sd.Content = nil
	}
	return sd, nil
}

// AddSigner co-signs: it adds a SignerInfo by s over the content (RFC 5652
// §5.1 allows any number of signers), with its certificates and digest
// algorithm. For a detached SignedData, content is the signed content
// (ErrNoContent without it); for an attached one it is ignored.
func (sd *SignedData) AddSigner(content []byte, s Signer) (*SignerInfo, error) {
	if !sd.Detached() {
		content = sd.Content
	} else if content == nil {
		return nil, ErrNoContent
	}
	if len(sd.Signers) >= MaxSigners {
		return nil, malformed("more than %d signers", MaxSigners)
	}
	d, err := contentDigest(s, content)
	if err != nil {
		return nil, err
	}
	if err := sd.addSignerInfo(s, d, content); err != nil {
		return nil, err
	}
	return sd.Signers[len(sd.Signers)-1], nil
}

func contentDigest(s Signer, content []byte) ([]byte, error) {
	if s.Key == nil {
		return nil, errors.New("cms: a signer without a key")
	}
	spec, err := algorithms.SigningFor(s.Key.Public(), s.Hash, s.PSS)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	h := spec.Hash.New()
	h.Write(content)
	return h.Sum(nil), nil
}

// addSignerInfo signs digest (of content, which is nil when only the
// digest is known) and appends the SignerInfo, its digest algorithm and
// its certificates to sd.
func (sd *SignedData) addSignerInfo(s Signer, digest, content []byte) error {
	if s.Key == nil || s.Certificate == nil {
		return errors.New("cms: a signer needs a key and a certificate")
	}
	if !gostcert.HasPublicKey(s.Certificate, s.Key.Public()) {
		return errors.New("cms: the key does not match the signer's certificate")
	}
	spec, err := algorithms.SigningFor(s.Key.Public(), s.Hash, s.PSS)
	if err != nil {
		return fmt.Errorf("cms: %w", err)
	}
	if len(digest) != spec.Hash.New().Size() {
		return fmt.Errorf("cms: a digest of %d bytes, %s makes %d", len(digest), spec.Hash.Name, spec.Hash.New().Size())
	}
	// The SignerInfo's fields are filled as Parse would fill them from its
	// encoding (which Marshal writes from the raw fields).
	digestAlg := must(asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: spec.Hash.OID}))
	si := &SignerInfo{Version: 1, rawDigestAlg: digestAlg, DigestAlgorithm: pkix.AlgorithmIdentifier{Algorithm: spec.Hash.OID}}
	if s.SubjectKeyID {
		if len(s.Certificate.SubjectKeyId) == 0 {
			return errors.New("cms: the signer's certificate has no subject key identifier")
		}
		si.Version = 3
		si.SubjectKeyID = bytes.Clone(s.Certificate.SubjectKeyId)
		si.rawSID = tlv(0x80, s.Certificate.SubjectKeyId)
	} else {
		si.IssuerAndSerial = &IssuerAndSerial{RawIssuer: s.Certificate.RawIssuer, Serial: s.Certificate.SerialNumber}
		si.rawSID = must(asn1.Marshal(issuerAndSerialASN{Issuer: asn1.RawValue{FullBytes: s.Certificate.RawIssuer}, Serial: s.Certificate.SerialNumber}))
	}
	toSign := digest
	if s.NoAttributes {
		if !sd.ContentType.Equal(OIDData) {
			return errors.New("cms: a content type other than id-data needs signed attributes (RFC 5652 §5.3)")
		}
	} else {
		attrs := []Attribute{{Type: OIDAttrContentType, Values: [][]byte{must(asn1.Marshal(sd.ContentType))}}}
		if !s.SigningTime.IsZero() {
			attrs = append(attrs, Attribute{Type: OIDAttrSigningTime, Values: [][]byte{marshalTime(s.SigningTime)}})
		}
		attrs = append(attrs, Attribute{Type: OIDAttrDigest, Values: [][]byte{must(asn1.Marshal(digest))}})
		enc, err := marshalAttributes(attrs)
		if err != nil {
			return err
		}
		si.rawSignedAttrs = tlv(0xa0, enc...)
		if si.SignedAttrs, err = parseAttributes(asn1.RawValue{IsCompound: true, Bytes: si.rawSignedAttrs[len(si.rawSignedAttrs)-attrsLen(enc):]}); err != nil {
			return err
		}
		h := spec.Hash.New()
		h.Write(si.SignedBytes())
		toSign = h.Sum(nil)
	}
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	sig, err := s.Key.Sign(r, toSign, spec.Opts)
	if err != nil {
		return fmt.Errorf("cms: signing: %w", err)
	}
	if spec.Size != 0 && len(sig) != spec.Size {
		return fmt.Errorf("cms: the key returned a %d-byte signature, want %d", len(sig), spec.Size)
	}
	si.rawSigAlg = must(asn1.Marshal(spec.Algorithm))
	if _, err := asn1.Unmarshal(si.rawSigAlg, &si.SignatureAlgorithm); err != nil {
		return err
	}
	si.Signature = sig
	if s.Timestamp != nil {
		token, err := s.Timestamp(sig)
		if err != nil {
			return fmt.Errorf("cms: time-stamp: %w", err)
		}
		if err := si.AddTimestamp(token); err != nil {
			return err
		}
	}
	if len(sd.Signers) >= MaxSigners {
		return malformed("more than %d signers", MaxSigners)
	}
	sd.Signers = append(sd.Signers, si)
	sd.rawDigests = union(sd.rawDigests, [][]byte{digestAlg})
	sd.DigestAlgorithms = sd.DigestAlgorithms[:0]
	for _, raw := range sd.rawDigests {
		var a pkix.AlgorithmIdentifier
		_, _ = asn1.Unmarshal(raw, &a)
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, a)
	}
	sd.addCertificates(append([]*x509.Certificate{s.Certificate}, s.Chain...)...)
	if len(sd.rawCerts) > MaxCertificates {
		return malformed("more than %d certificates", MaxCertificates)
	}
	if si.Version == 3 {
		sd.Version = 3
	}
	return nil
}

func attrsLen(enc [][]byte) int {
	n := 0
	for _, e := range enc {
		n += len(e)
	}
	return n
}

// marshalTime encodes a signing time as RFC 5652 §11.3 wants: UTCTime for
// 1950–2049, GeneralizedTime otherwise.
func marshalTime(t time.Time) []byte {
	t = t.UTC().Truncate(time.Second)
	if y := t.Year(); y >= 1950 && y < 2050 {
		return must(asn1.MarshalWithParams(t, "utc"))
	}
	return must(asn1.MarshalWithParams(t, "generalized"))
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic("cms: encoding a fixed structure: " + err.Error())
	}
	return b
}
