package testpki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/eimzokit/eimzokit/wasm/capiws"
	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
)

// Attribute OIDs of E-IMZO subjects.
var (
	oidCN               = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSurname          = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidCountry          = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidLocality         = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidState            = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidOrganization     = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrgUnit          = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidTitle            = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidBusinessCategory = asn1.ObjectIdentifier{2, 5, 4, 15}
	oidName             = asn1.ObjectIdentifier{2, 5, 4, 41}
	oidGivenName        = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidUID              = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	oidEmail            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// aliasKeys maps attribute OIDs to the names the daemon's alias uses.
var aliasKeys = map[string]string{
	oidCN.String(): "cn", oidName.String(): "name", oidSurname.String(): "surname",
	oidGivenName.String(): "givenname", oidLocality.String(): "l", oidState.String(): "st",
	oidCountry.String(): "c", oidOrganization.String(): "o", oidOrgUnit.String(): "ou",
	oidTitle.String(): "t", oidUID.String(): "uid", oidBusinessCategory.String(): "businesscategory",
	oidEmail.String(): "e",
}

// Person is the subject of a user certificate. Empty fields are left out.
type Person struct {
	CN               string `json:"cn"`
	Name             string `json:"name,omitempty"`
	Surname          string `json:"surname,omitempty"`
	L                string `json:"l,omitempty"`
	ST               string `json:"st,omitempty"`
	O                string `json:"o,omitempty"`
	T                string `json:"t,omitempty"`
	UID              string `json:"uid,omitempty"`   // personal TIN
	PINFL            string `json:"pinfl,omitempty"` // 1.2.860.3.16.1.2
	OrgTIN           string `json:"org_tin,omitempty"`
	BusinessCategory string `json:"business_category,omitempty"`
}

// rdns returns the subject in the order E-IMZO certificates use.
func (p Person) rdns() pkix.RDNSequence {
	var seq pkix.RDNSequence
	add := func(oid asn1.ObjectIdentifier, v string) {
		if v != "" {
			seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: v}})
		}
	}
	add(oidCN, p.CN)
	add(oidName, p.Name)
	add(oidSurname, p.Surname)
	add(oidLocality, p.L)
	add(oidState, p.ST)
	add(oidCountry, "UZ")
	add(oidOrganization, p.O)
	add(oidUID, p.UID)
	add(gostcert.OIDPINFL, p.PINFL)
	add(oidTitle, p.T)
	add(gostcert.OIDTIN, p.OrgTIN)
	add(oidBusinessCategory, p.BusinessCategory)
	return seq
}

// DefaultPerson returns the TEST subject of a profile. n makes the numbers
// (PINFL, TINs) distinct between people of the same profile.
func DefaultPerson(p Profile, n int) Person {
	pinfl := fmt.Sprintf("3%02d019000000%02d", 1+n%99, n%100) // 14 digits
	uid := fmt.Sprintf("5%08d", 10000000+n)                   // 9 digits
	switch p {
	case Legal:
		return Person{CN: "TESTOVA TEST DIREKTOR", Name: "TEST", Surname: "TESTOVA", L: "YUNUSOBOD TUMANI",
			ST: "TOSHKENT SHAHRI", O: "\"TEST EIMZOKIT\" MCHJ", T: "DIREKTOR", UID: uid, PINFL: pinfl,
			OrgTIN: fmt.Sprintf("3%08d", 10000000+n), BusinessCategory: "MAS’ULIYATI CHEKLANGAN JAMIYAT"}
	case YATT:
		return Person{CN: "TESTOV YATT TADBIRKOR", Name: "YATT", Surname: "TESTOV", L: "SAMARQAND SHAHRI",
			ST: "SAMARQAND VILOYATI", O: "YATT TESTOV TEST", UID: uid, PINFL: pinfl}
	case Expired:
		return Person{CN: "ESKIROV TEST MUDDATI", Name: "TEST", Surname: "ESKIROV", L: "CHILONZOR TUMANI",
			ST: "TOSHKENT SHAHRI", UID: uid, PINFL: pinfl}
	case Revoked:
		return Person{CN: "BEKOROV TEST CHAQIRILGAN", Name: "TEST", Surname: "BEKOROV", L: "MIRZO ULUG‘BEK TUMANI",
			ST: "TOSHKENT SHAHRI", UID: uid, PINFL: pinfl}
	case NoTIN:
		return Person{CN: "TEST TIZIM SERTIFIKATI", O: "EIMZOKIT TEST"}
	default:
		return Person{CN: "TESTOV TEST FUQARO", Name: "TEST", Surname: "TESTOV", L: "CHILONZOR TUMANI",
			ST: "TOSHKENT SHAHRI", UID: uid, PINFL: pinfl}
	}
}

// Alias is the alias the daemon lists for the identity.
func (id *Identity) Alias() string { return Alias(id.Cert) }

// Alias computes the daemon's alias of a certificate: the subject fields in
// certificate order, then serial number and validity (PROTOCOL.md §5.1).
func Alias(cert *x509.Certificate) string {
	var seq pkix.RDNSequence
	var fields []capiws.AliasField
	if _, err := asn1.Unmarshal(cert.RawSubject, &seq); err == nil {
		for _, rdn := range seq {
			for _, atv := range rdn {
				key, ok := aliasKeys[atv.Type.String()]
				if !ok {
					key = atv.Type.String()
				}
				fields = append(fields, capiws.AliasField{Key: key, Value: fmt.Sprint(atv.Value)})
			}
		}
	}
	return capiws.FormatAlias(fields, cert.SerialNumber.Text(16), cert.NotBefore, cert.NotAfter)
}
