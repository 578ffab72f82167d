package revocation

import (
	"bytes"
	"crypto"
	_ "crypto/sha1" // OCSP CertIDs name issuers by SHA-1 hashes (RFC 6960 §4.1.1)
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

// OCSP structures (RFC 6960 §4.2.1).
type ocspResponseASN struct {
	Status        asn1.Enumerated
	ResponseBytes responseBytes `asn1:"explicit,tag:0,optional"`
}

type responseBytes struct {
	Type     asn1.ObjectIdentifier
	Response []byte
}

type basicResponse struct {
	TBS       asn1.RawValue
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
	Certs     []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responseData struct {
	Raw         asn1.RawContent
	Version     int `asn1:"optional,explicit,default:0,tag:0"`
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []singleResponse
	Extensions  []pkix.Extension `asn1:"optional,explicit,tag:1"`
}

type certID struct {
	HashAlgorithm  pkix.AlgorithmIdentifier
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	SerialNumber   *big.Int
}

type singleResponse struct {
	CertID     certID
	Status     asn1.RawValue
	ThisUpdate time.Time        `asn1:"generalized"`
	NextUpdate time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	Extensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type revokedInfo struct {
	Time   time.Time       `asn1:"generalized"`
	Reason asn1.Enumerated `asn1:"explicit,tag:0,optional,default:0"`
}

var (
	oidOCSPBasic   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidOCSPSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
)

var certIDHashes = map[string]crypto.Hash{
	"1.3.14.3.2.26":          crypto.SHA1,
	"2.16.840.1.101.3.4.2.1": crypto.SHA256,
	"2.16.840.1.101.3.4.2.2": crypto.SHA384,
	"2.16.840.1.101.3.4.2.3": crypto.SHA512,
}

// ocspAnswer is a parsed, verified OCSP answer about one certificate.
type ocspAnswer struct {
	status     Status
	revokedAt  time.Time
	reason     int
	thisUpdate time.Time
	nextUpdate time.Time
	producedAt time.Time
}

// errOCSPStatus is an OCSP error response (malformedRequest, tryLater,
// unauthorized, …).
type errOCSPStatus int

func (e errOCSPStatus) Error() string {
	names := map[int]string{1: "malformedRequest", 2: "internalError", 3: "tryLater", 5: "sigRequired", 6: "unauthorized"}
	return fmt.Sprintf("OCSP responder status %d (%s)", int(e), names[int(e)])
}

// parseOCSP parses a DER OCSPResponse about cert and checks who signed it:
// the issuer itself, or a responder certificate the issuer issued for
// id-kp-OCSPSigning (RFC 6960 §4.2.2.2), valid at now.
func parseOCSP(der []byte, cert, issuer *x509.Certificate, reg *sigalg.Registry, now time.Time) (*ocspAnswer, error) {
	var resp ocspResponseASN
	if rest, err := asn1.Unmarshal(der, &resp); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("OCSP response: %v", errOr(err, "trailing data"))
	}
	if resp.Status != 0 {
		return nil, errOCSPStatus(resp.Status)
	}
	if !resp.ResponseBytes.Type.Equal(oidOCSPBasic) {
		return nil, fmt.Errorf("OCSP response type %v is not basic", resp.ResponseBytes.Type)
	}
	var basic basicResponse
	if rest, err := asn1.Unmarshal(resp.ResponseBytes.Response, &basic); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("BasicOCSPResponse: %v", errOr(err, "trailing data"))
	}
	var data responseData
	if rest, err := asn1.Unmarshal(basic.TBS.FullBytes, &data); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("ResponseData: %v", errOr(err, "trailing data"))
	}
	signer, err := responder(data.ResponderID, basic.Certs, issuer, reg, now)
	if err != nil {
		return nil, err
	}
	if err := reg.Verify(signer, basic.Algorithm, nil, basic.TBS.FullBytes, basic.Signature.RightAlign()); err != nil {
		return nil, fmt.Errorf("OCSP signature: %w", err)
	}
	for _, sr := range data.Responses {
		if !matches(sr.CertID, cert, issuer) {
			continue
		}
		a := &ocspAnswer{thisUpdate: sr.ThisUpdate, nextUpdate: sr.NextUpdate, producedAt: data.ProducedAt}
		switch {
		case sr.Status.Class == asn1.ClassContextSpecific && sr.Status.Tag == 0:
			a.status = Good
		case sr.Status.Class == asn1.ClassContextSpecific && sr.Status.Tag == 1:
			var ri revokedInfo
			if _, err := asn1.UnmarshalWithParams(sr.Status.FullBytes, &ri, "tag:1"); err != nil {
				return nil, fmt.Errorf("RevokedInfo: %v", err)
			}
			a.status, a.revokedAt, a.reason = Revoked, ri.Time, int(ri.Reason)
		default:
			a.status = Unknown
		}
		return a, nil
	}
	return nil, errors.New("the OCSP response is about another certificate")
}

// responder finds the certificate that signed an OCSP response.
func responder(id asn1.RawValue, certs []asn1.RawValue, issuer *x509.Certificate, reg *sigalg.Registry, now time.Time) (*x509.Certificate, error) {
	named := func(c *x509.Certificate) bool {
		switch {
		case id.Class == asn1.ClassContextSpecific && id.Tag == 1: // byName [1] EXPLICIT Name
			return bytes.Equal(id.Bytes, c.RawSubject)
		case id.Class == asn1.ClassContextSpecific && id.Tag == 2: // byKey [2] EXPLICIT KeyHash
			var h []byte
			if _, err := asn1.Unmarshal(id.Bytes, &h); err != nil {
				return false
			}
			kh, err := keyHash(c, crypto.SHA1)
			return err == nil && bytes.Equal(h, kh)
		}
		return false
	}
	if named(issuer) {
		return issuer, nil
	}
	for _, raw := range certs {
		c, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil || !named(c) {
			continue
		}
		if !bytes.Equal(c.RawIssuer, issuer.RawSubject) {
			return nil, errors.New("the OCSP responder's certificate is not from the certificate's issuer")
		}
		if err := reg.CheckCertificate(c, issuer); err != nil {
			return nil, fmt.Errorf("the OCSP responder's certificate: %w", err)
		}
		if !hasEKU(c, oidOCSPSigning, x509.ExtKeyUsageOCSPSigning) {
			return nil, errors.New("the OCSP responder's certificate lacks id-kp-OCSPSigning")
		}
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			return nil, errors.New("the OCSP responder's certificate is not valid now")
		}
		return c, nil
	}
	return nil, errors.New("the OCSP response is signed by neither the issuer nor a responder it named")
}

func hasEKU(c *x509.Certificate, oid asn1.ObjectIdentifier, known x509.ExtKeyUsage) bool {
	for _, u := range c.ExtKeyUsage {
		if u == known {
			return true
		}
	}
	for _, u := range c.UnknownExtKeyUsage {
		if u.Equal(oid) {
			return true
		}
	}
	return false
}

// keyHash is the hash of a certificate's subjectPublicKey BIT STRING value
// (RFC 6960 §4.1.1).
func keyHash(c *x509.Certificate, h crypto.Hash) ([]byte, error) {
	var spki struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, err
	}
	d := h.New()
	d.Write(spki.PublicKey.RightAlign())
	return d.Sum(nil), nil
}

func matches(id certID, cert, issuer *x509.Certificate) bool {
	h, ok := certIDHashes[id.HashAlgorithm.Algorithm.String()]
	if !ok || id.SerialNumber == nil || id.SerialNumber.Cmp(cert.SerialNumber) != 0 {
		return false
	}
	kh, err := keyHash(issuer, h)
	if err != nil || !bytes.Equal(kh, id.IssuerKeyHash) {
		return false
	}
	d := h.New()
	d.Write(issuer.RawSubject)
	return bytes.Equal(d.Sum(nil), id.IssuerNameHash)
}

func errOr(err error, s string) any {
	if err != nil {
		return err
	}
	return s
}
