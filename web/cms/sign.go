package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"github.com/eimzokit/eimzokit/web/sigalg"
)

// Signer is one signer for [Sign].
type Signer struct {
	Key         crypto.Signer
	Certificate *x509.Certificate
	Chain       []*x509.Certificate // certificates to include besides the signer's
	Hash        crypto.Hash         // SHA-256, SHA-384 or SHA-512; SHA-256 when zero
	PSS         bool                // RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys)
	SigningTime time.Time           // the signing-time attribute; zero leaves it out
	// SubjectKeyID identifies the signer by subject key identifier
	// (SignerInfo version 3) instead of issuer and serial number.
	SubjectKeyID bool
	// NoAttributes signs the content itself, without signed attributes
	// (RFC 5652 §5.4).
	NoAttributes bool
}

var hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA256: sigalg.OIDSHA256, crypto.SHA384: sigalg.OIDSHA384, crypto.SHA512: sigalg.OIDSHA512,
}

// Sign makes a SignedData of content (id-data) signed by each signer; with
// detached the content is left out (RFC 5652 §5.2).
func Sign(content []byte, detached bool, signers ...Signer) (*SignedData, error) {
	if len(signers) == 0 {
		return nil, errors.New("cms: no signer")
	}
	sd := &SignedData{Version: 1, ContentType: OIDData, Content: append([]byte{}, content...)}
	for _, s := range signers {
		si, digestAlg, err := s.sign(content)
		if err != nil {
			return nil, err
		}
		sd.Signers = append(sd.Signers, si)
		sd.rawDigests = union(sd.rawDigests, [][]byte{digestAlg})
		for _, c := range append([]*x509.Certificate{s.Certificate}, s.Chain...) {
			if len(union(sd.rawCerts, [][]byte{c.Raw})) != len(sd.rawCerts) {
				sd.rawCerts = append(sd.rawCerts, c.Raw)
				sd.Certificates = append(sd.Certificates, c)
			}
		}
		if si.Version == 3 {
			sd.Version = 3
		}
	}
	for _, raw := range sd.rawDigests {
		var a pkix.AlgorithmIdentifier
		_, _ = asn1.Unmarshal(raw, &a)
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, a)
	}
	if detached {
		sd.Content = nil
	}
	// Round-trip, so the result is exactly what a verifier parses.
	der, err := sd.Marshal()
	if err != nil {
		return nil, err
	}
	return Parse(der)
}

func (s Signer) sign(content []byte) (*SignerInfo, []byte, error) {
	h := s.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	hashOID, ok := hashOIDs[h]
	if !ok {
		return nil, nil, fmt.Errorf("cms: hash %v is not SHA-256, SHA-384 or SHA-512", h)
	}
	digestAlg, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: hashOID})
	si := &SignerInfo{Version: 1, rawDigestAlg: digestAlg}
	if s.SubjectKeyID {
		si.Version = 3
		si.rawSID = tlv(0x80, s.Certificate.SubjectKeyId)
	} else {
		si.rawSID, _ = asn1.Marshal(issuerAndSerialASN{Issuer: asn1.RawValue{FullBytes: s.Certificate.RawIssuer}, Serial: s.Certificate.SerialNumber})
	}
	d := h.New()
	d.Write(content)
	digest := d.Sum(nil)
	if !s.NoAttributes {
		attrs := []Attribute{{Type: OIDAttrContentType, Values: [][]byte{must(asn1.Marshal(OIDData))}}}
		if !s.SigningTime.IsZero() {
			attrs = append(attrs, Attribute{Type: OIDAttrSigningTime, Values: [][]byte{marshalTime(s.SigningTime)}})
		}
		attrs = append(attrs, Attribute{Type: OIDAttrDigest, Values: [][]byte{must(asn1.Marshal(digest))}})
		enc, err := marshalAttributes(attrs)
		if err != nil {
			return nil, nil, err
		}
		si.rawSignedAttrs = tlv(0xa0, enc...)
		d.Reset()
		d.Write(si.SignedBytes())
		digest = d.Sum(nil)
	}
	var opts crypto.SignerOpts = h
	var sigAlg pkix.AlgorithmIdentifier
	switch s.Key.Public().(type) {
	case *rsa.PublicKey:
		if s.PSS {
			opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
			sigAlg = pkix.AlgorithmIdentifier{Algorithm: sigalg.OIDRSASSAPSS, Parameters: pssParams(hashOID, h.Size())}
		} else {
			sigAlg = pkix.AlgorithmIdentifier{Algorithm: map[crypto.Hash]asn1.ObjectIdentifier{
				crypto.SHA256: sigalg.OIDSHA256WithRSA, crypto.SHA384: sigalg.OIDSHA384WithRSA, crypto.SHA512: sigalg.OIDSHA512WithRSA}[h],
				Parameters: asn1.NullRawValue}
		}
	case *ecdsa.PublicKey:
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: map[crypto.Hash]asn1.ObjectIdentifier{
			crypto.SHA256: sigalg.OIDECDSAWithSHA256, crypto.SHA384: sigalg.OIDECDSAWithSHA384, crypto.SHA512: sigalg.OIDECDSAWithSHA512}[h]}
	default:
		return nil, nil, fmt.Errorf("cms: key type %T is not RSA or ECDSA", s.Key.Public())
	}
	sig, err := s.Key.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, nil, err
	}
	si.rawSigAlg, _ = asn1.Marshal(sigAlg)
	si.Signature = sig
	return si, digestAlg, nil
}

// pssParams encodes RSASSA-PSS-params with MGF1 over the same hash and a
// salt as long as the hash (RFC 4055 §3.1).
func pssParams(hashOID asn1.ObjectIdentifier, salt int) asn1.RawValue {
	hashAlg := pkix.AlgorithmIdentifier{Algorithm: hashOID, Parameters: asn1.NullRawValue}
	mgf := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}, Parameters: asn1.RawValue{FullBytes: must(asn1.Marshal(hashAlg))}}
	p := struct {
		Hash pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
		MGF  pkix.AlgorithmIdentifier `asn1:"explicit,tag:1"`
		Salt int                      `asn1:"explicit,tag:2"`
	}{hashAlg, mgf, salt}
	return asn1.RawValue{FullBytes: must(asn1.Marshal(p))}
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
