package testpki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"
)

// This file serves the PKI's online services (daemon-sim/pkisvc): the
// certificates of a time-stamping authority and of a delegated OCSP
// responder, user certificates that point at the services, and access to the
// CA keys that sign CRLs and OCSP responses.

// Service is the kind of an online service certificate.
type Service string

// Service certificates.
const (
	// TSA is a time-stamping authority: extended key usage id-kp-timeStamping
	// only, marked critical (RFC 3161 §2.3).
	TSA Service = "tsa"
	// OCSPResponder is a delegated OCSP responder of the issuing CA:
	// id-kp-OCSPSigning and id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2, §4.2.2.2.1).
	OCSPResponder Service = "ocsp"
)

var (
	oidExtKeyUsage   = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidTimeStamping  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidOCSPNoCheck   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
	errUnknownIssuer = errors.New("testpki: not a CA of this PKI")
)

// IssueService makes a key of type kt and a certificate for an online
// service, issued by the issuing CA and valid as long as a user certificate
// (WithValidity changes that; WithPerson is ignored).
func (p *PKI) IssueService(kind Service, kt KeyType, opts ...IssueOption) (*Identity, error) {
	now := p.now()
	ic := issueConfig{notBefore: now.Add(-time.Hour), notAfter: now.AddDate(2, 0, 0)}
	for _, o := range opts {
		o(&ic)
	}
	key, err := GenerateKey(kt, p.rand)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: p.serial(),
		NotBefore:    ic.notBefore.Truncate(time.Second), NotAfter: ic.notAfter.Truncate(time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		SubjectKeyId:          keyID(key.Public()),
	}
	name := pkix.Name{Country: []string{"UZ"}, Organization: []string{"eimzokit TEST"}}
	switch kind {
	case TSA:
		name.CommonName = "eimzokit TEST Time-Stamping Authority"
		eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oidTimeStamping})
		if err != nil {
			return nil, err
		}
		// x509.CreateCertificate marks the ExtKeyUsage it makes non-critical;
		// RFC 3161 §2.3 wants it critical, so it goes in as a raw extension.
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidExtKeyUsage, Critical: true, Value: eku})
		tmpl.KeyUsage |= x509.KeyUsageContentCommitment
	case OCSPResponder:
		name.CommonName = "eimzokit TEST OCSP Responder"
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidOCSPNoCheck, Value: asn1.NullBytes})
	default:
		return nil, fmt.Errorf("testpki: unknown service %q", kind)
	}
	tmpl.Subject = name
	cert, err := sign(p.rand, tmpl, p.CA, key.Public(), p.caKey)
	if err != nil {
		return nil, err
	}
	return &Identity{Cert: cert, Key: key, Chain: []*x509.Certificate{p.CA, p.Root}}, nil
}

// Links are the URLs of the PKI's online services that a certificate names.
type Links struct {
	OCSP string // authority information access, id-ad-ocsp (RFC 5280 §4.2.2.1)
	CRL  string // CRL distribution point (RFC 5280 §4.2.1.13)
}

// IssueLinked is [PKI.Issue] for a certificate that names the OCSP responder
// and the CRL of links, so a relying party finds them on its own.
func (p *PKI) IssueLinked(profile Profile, kt KeyType, n int, links Links, opts ...IssueOption) (*Identity, error) {
	id, err := p.Issue(profile, kt, n, opts...)
	if err != nil {
		return nil, err
	}
	tmpl := *id.Cert
	tmpl.SerialNumber = p.serial()
	tmpl.OCSPServer, tmpl.CRLDistributionPoints = nil, nil
	if links.OCSP != "" {
		tmpl.OCSPServer = []string{links.OCSP}
	}
	if links.CRL != "" {
		tmpl.CRLDistributionPoints = []string{links.CRL}
	}
	if id.Cert, err = sign(p.rand, &tmpl, p.CA, id.Key.Public(), p.caKey); err != nil {
		return nil, err
	}
	return id, nil
}

// IssuerKey returns the private key of the root (issuer == p.Root) or of the
// issuing CA (issuer == p.CA), for the services that sign as the CA: CRLs
// (RFC 5280 §5) and OCSP responses signed by the CA itself (RFC 6960
// §4.2.2.2).
func (p *PKI) IssuerKey(issuer *x509.Certificate) (crypto.Signer, error) {
	switch {
	case issuer == nil:
	case issuer.Equal(p.Root):
		return p.rootKey, nil
	case issuer.Equal(p.CA):
		return p.caKey, nil
	}
	return nil, errUnknownIssuer
}
