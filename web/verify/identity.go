package verify

import (
	"crypto/x509"
	"encoding/asn1"
	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
	"strings"
)

// Identity is what a certificate says about its holder.
type Identity struct {
	// FullName is the CN, or "Surname Name" when there is no CN.
	FullName     string `json:"fullName"`
	CommonName   string `json:"commonName"`
	GivenName    string `json:"givenName,omitempty"`
	Surname      string `json:"surname,omitempty"`
	PINFL        string `json:"pinfl,omitempty"`  // 1.2.860.3.16.1.2
	TIN          string `json:"tin,omitempty"`    // personal TIN (UID, 0.9.2342.19200300.100.1.1)
	OrgTIN       string `json:"orgTin,omitempty"` // 1.2.860.3.16.1.1
	Organization string `json:"organization,omitempty"`
	Title        string `json:"title,omitempty"`
	Country      string `json:"country,omitempty"`
}

// Subject attribute OIDs of E-IMZO certificates.
var (
	oidName    = asn1.ObjectIdentifier{2, 5, 4, 41}
	oidGiven   = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSurname = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidTitle   = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidUID     = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
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
		case atv.Type.Equal(gostcert.OIDPINFL):
			set(&id.PINFL)
		case atv.Type.Equal(gostcert.OIDTIN):
			set(&id.OrgTIN)
		}
	}
	id.FullName = id.CommonName
	if id.FullName == "" {
		id.FullName = strings.TrimSpace(id.Surname + " " + id.GivenName)
	}
	return id
}
