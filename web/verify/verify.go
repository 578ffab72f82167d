// Package verify checks CMS SignedData signatures (RFC 5652) the way a
// relying party must: the signature over the signed attributes, the
// message-digest attribute against the data, the signer's chain to the
// configured trust anchors (intermediates taken from the CMS) at the signing
// time, and reports who signed, with the Uzbek identity fields (PINFL,
// personal TIN, organisation TIN).
//
// Entry point: [Verifier.Verify]. Failures are *[Error] with a stable [Code].
package verify

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
)

// Code is a stable verification error code.
type Code string

// Verification error codes. Append-only.
const (
	CodeMalformed        Code = "CMS_MALFORMED"      // not a CMS SignedData
	CodeNoSigner         Code = "CMS_NO_SIGNER"      // no SignerInfo, or its certificate is missing
	CodeDataMissing      Code = "DATA_MISSING"       // detached CMS without the data
	CodeDigestMismatch   Code = "DATA_MISMATCH"      // the data is not what was signed
	CodeSignatureInvalid Code = "SIGNATURE_INVALID"  // the signature does not verify
	CodeChainInvalid     Code = "CERT_CHAIN_INVALID" // no chain to a trust anchor
	CodeCertExpired      Code = "CERT_NOT_VALID_AT_SIGNING_TIME"
	CodeUnsupported      Code = "ALGORITHM_UNSUPPORTED"
)

// Error is a failed verification.
type Error struct {
	Code Code
	Err  error
}

func (e *Error) Error() string { return "verify: " + string(e.Code) + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Identity is what a certificate says about its holder.
type Identity struct {
	CommonName   string `json:"commonName"`
	GivenName    string `json:"givenName,omitempty"`
	Surname      string `json:"surname,omitempty"`
	PINFL        string `json:"pinfl,omitempty"`
	TIN          string `json:"tin,omitempty"`    // personal TIN (UID)
	OrgTIN       string `json:"orgTin,omitempty"` // 1.2.860.3.16.1.1
	Organization string `json:"organization,omitempty"`
	Title        string `json:"title,omitempty"`
	Country      string `json:"country,omitempty"`
}

// Signer is one verified signer.
type Signer struct {
	Identity     Identity          `json:"identity"`
	SerialNumber string            `json:"serialNumber"` // lowercase hex
	Issuer       string            `json:"issuer"`
	NotBefore    time.Time         `json:"notBefore"`
	NotAfter     time.Time         `json:"notAfter"`
	SigningTime  *time.Time        `json:"signingTime,omitempty"`
	Chain        []string          `json:"chain"` // subjects, signer first, trust anchor last
	Certificate  *x509.Certificate `json:"-"`
}

// Result is a verified CMS.
type Result struct {
	Detached bool     `json:"detached"`
	Content  []byte   `json:"content,omitempty"` // the signed data
	Signers  []Signer `json:"signers"`
}

// Verifier verifies against a set of trust anchors.
type Verifier struct {
	Roots *x509.CertPool
	Now   func() time.Time
}

var oidSigningTime = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}

// Verify checks der (a DER or BER CMS SignedData). For a detached CMS, data
// is the signed content; for an attached one, data, when given, must equal
// the content.
func (v *Verifier) Verify(der, data []byte) (*Result, error) {
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, &Error{CodeMalformed, err}
	}
	res := &Result{Detached: len(p7.Content) == 0}
	switch {
	case res.Detached && len(data) == 0:
		return nil, &Error{CodeDataMissing, errors.New("the CMS is detached and no data was given")}
	case res.Detached:
		p7.Content = data
	case data != nil && string(data) != string(p7.Content):
		return nil, &Error{CodeDigestMismatch, errors.New("the given data differs from the signed content")}
	}
	res.Content = p7.Content
	if len(p7.Signers) == 0 {
		return nil, &Error{CodeNoSigner, errors.New("no SignerInfo")}
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	// The signature and the data first, so a tampered document is reported
	// as such whatever its certificates say.
	if err := p7.Verify(); err != nil {
		return nil, classify(err)
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, &Error{CodeNoSigner, errors.New("expected exactly one signer with its certificate in the CMS")}
	}
	at := now()
	var st time.Time
	var signingTime *time.Time
	if err := p7.UnmarshalSignedAttribute(oidSigningTime, &st); err == nil {
		at, signingTime = st, &st
	}
	if at.Before(signer.NotBefore) || at.After(signer.NotAfter) {
		return nil, &Error{CodeCertExpired, fmt.Errorf("the certificate is valid %s to %s, the signature was made %s",
			signer.NotBefore.UTC().Format(time.RFC3339), signer.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))}
	}
	inter := x509.NewCertPool()
	for _, c := range p7.Certificates {
		if c != signer {
			inter.AddCert(c)
		}
	}
	chains, err := signer.Verify(x509.VerifyOptions{Roots: v.Roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return nil, &Error{CodeChainInvalid, err}
	}
	var chain []string
	for _, c := range chains[0] {
		chain = append(chain, c.Subject.String())
	}
	res.Signers = append(res.Signers, Signer{
		Identity: IdentityOf(signer), SerialNumber: signer.SerialNumber.Text(16), Issuer: signer.Issuer.String(),
		NotBefore: signer.NotBefore, NotAfter: signer.NotAfter, SigningTime: signingTime, Chain: chain, Certificate: signer,
	})
	return res, nil
}

func classify(err error) error {
	var md *pkcs7.MessageDigestMismatchError
	var st *pkcs7.SigningTimeNotValidError
	switch {
	case errors.As(err, &st):
		return &Error{CodeCertExpired, err}
	case errors.As(err, &md):
		return &Error{CodeDigestMismatch, err}
	case strings.Contains(err.Error(), "unsupported"):
		return &Error{CodeUnsupported, err}
	case strings.Contains(err.Error(), "no certificate"):
		return &Error{CodeNoSigner, err}
	}
	return &Error{CodeSignatureInvalid, err}
}

// Subject attribute OIDs of E-IMZO certificates.
var (
	oidName    = asn1.ObjectIdentifier{2, 5, 4, 41}
	oidGiven   = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSurname = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidTitle   = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidUID     = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	oidPINFL   = asn1.ObjectIdentifier{1, 2, 860, 3, 16, 1, 2}
	oidOrgTIN  = asn1.ObjectIdentifier{1, 2, 860, 3, 16, 1, 1}
)

// IdentityOf reads the holder's identity from a certificate's subject.
func IdentityOf(c *x509.Certificate) Identity {
	id := Identity{CommonName: c.Subject.CommonName}
	if len(c.Subject.Organization) > 0 {
		id.Organization = c.Subject.Organization[0]
	}
	if len(c.Subject.Country) > 0 {
		id.Country = c.Subject.Country[0]
	}
	for _, atv := range c.Subject.Names {
		s, ok := atv.Value.(string)
		if !ok {
			continue
		}
		set := func(dst *string) {
			if *dst == "" {
				*dst = s
			}
		}
		switch {
		case atv.Type.Equal(oidName), atv.Type.Equal(oidGiven):
			set(&id.GivenName)
		case atv.Type.Equal(oidSurname):
			set(&id.Surname)
		case atv.Type.Equal(oidTitle):
			set(&id.Title)
		case atv.Type.Equal(oidUID):
			set(&id.TIN)
		case atv.Type.Equal(oidPINFL):
			set(&id.PINFL)
		case atv.Type.Equal(oidOrgTIN):
			set(&id.OrgTIN)
		}
	}
	return id
}
