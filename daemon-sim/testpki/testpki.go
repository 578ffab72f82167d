// Package testpki is a small test certificate authority shaped like the
// E-IMZO PKI: a root CA, an issuing CA, and user certificates whose subjects
// carry the fields real E-IMZO certificates carry (CN, name, surname, L, ST,
// C=UZ, O, T, UID, PINFL under 1.2.860.3.16.1.2, organisation TIN under
// 1.2.860.3.16.1.1), for RSA-2048 and ECDSA P-256 keys.
//
// Entry points: [New] makes a fresh PKI, [Load] and [PKI.Save] keep one in a
// folder, [PKI.Issue] makes a user [Identity], [Identity.PKCS12] exports it as
// a password-protected PKCS#12 file (RFC 7292), and [Identity.Alias] is the
// alias the daemon lists for it (PROTOCOL.md §5.1).
//
// Profiles: Physical, Legal, YATT, Expired, Revoked (recorded by
// [PKI.Revoke] and saved as RevokedFile, for a CRL or OCSP responder to
// publish) and NoTIN (no TIN nor PINFL, which the official client hides).
//
// Key types: RSA2048 and P256 from an ECDSA PKI ([New]), GOST (O'zDSt
// 1092:2009) from a GOST one (New(WithCAKeyType(GOST))): a root and an
// issuing CA with GOST keys and Uzbek-looking names, the CA without key
// identifiers as the real YT CA, certificates as E-IMZO's (web/crypto/gost/cert).
//
// Every subject says TEST; nothing made here is trusted anywhere else.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken/pfx"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
)

// KeyType is the algorithm of a key the PKI makes.
type KeyType string

// Key types.
const (
	RSA2048 KeyType = "rsa2048"
	P256    KeyType = "p256"
	// GOST is O'zDSt 1092:2009 (GOST R 34.10-2001 on CryptoPro-A), the
	// algorithm of real E-IMZO keys; only a GOST PKI ([WithCAKeyType])
	// issues it, and it issues nothing else.
	GOST KeyType = "gost"
)

// Profile is the kind of certificate holder.
type Profile string

// Profiles of user certificates.
const (
	Physical Profile = "physical" // a citizen: PINFL and personal TIN, no organisation
	Legal    Profile = "legal"    // an employee of a legal entity: organisation, title, organisation TIN
	YATT     Profile = "yatt"     // an individual entrepreneur: an organisation name but no organisation TIN
	Expired  Profile = "expired"  // a citizen whose certificate expired yesterday
	Revoked  Profile = "revoked"  // a citizen whose certificate the CA lists as revoked (see [PKI.Revoke])
	NoTIN    Profile = "notin"    // a certificate with neither TIN nor PINFL: the official client hides it
)

// Profiles lists every profile, in a stable order.
var Profiles = []Profile{Physical, Legal, YATT, Expired, Revoked, NoTIN}

// ParseProfile returns the profile named s.
func ParseProfile(s string) (Profile, error) {
	for _, p := range Profiles {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("testpki: unknown profile %q (want one of %v)", s, Profiles)
}

// ParseKeyType returns the key type named s.
func ParseKeyType(s string) (KeyType, error) {
	switch KeyType(s) {
	case RSA2048, P256, GOST:
		return KeyType(s), nil
	}
	return "", fmt.Errorf("testpki: unknown key type %q (want rsa2048, p256 or gost)", s)
}

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

// PKI is a root CA and an issuing CA.
type PKI struct {
	Root, CA       *x509.Certificate
	rootKey, caKey crypto.Signer
	now            func() time.Time
	rand           io.Reader
	gost           bool // a GOST PKI: it issues GOST keys only

	mu      sync.Mutex
	revoked []Revocation
}

// Revocation is a certificate the issuing CA has revoked, for a CRL or an
// OCSP responder to publish (RFC 5280 §5.3.1, RFC 6960).
type Revocation struct {
	Serial    string    `json:"serial"` // lowercase hex, no leading zeros
	RevokedAt time.Time `json:"revoked_at"`
	Reason    int       `json:"reason"` // CRLReason code
}

// ReasonKeyCompromise is the CRLReason given to certificates of the
// Revoked profile.
const ReasonKeyCompromise = 1

// Revoke records cert as revoked at the given time.
func (p *PKI) Revoke(cert *x509.Certificate, at time.Time, reason int) {
	p.RevokeSerial(cert.SerialNumber, at, reason)
}

// RevokeSerial records the certificate with serial as revoked at the given
// time, replacing an earlier revocation of the same serial. The list is the
// one source of truth of the PKI's CRLs and OCSP answers (daemon-sim/pkisvc
// reads it on every request); SaveRevocations keeps it in RevokedFile.
func (p *PKI) RevokeSerial(serial *big.Int, at time.Time, reason int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	hex := serial.Text(16)
	p.revoked = slices.DeleteFunc(p.revoked, func(r Revocation) bool { return r.Serial == hex })
	p.revoked = append(p.revoked, Revocation{Serial: hex, RevokedAt: at.UTC().Truncate(time.Second), Reason: reason})
}

// Reinstate takes serial off the revocation list (as after a certificate
// hold is released) and reports whether it was there.
func (p *PKI) Reinstate(serial *big.Int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.revoked)
	hex := serial.Text(16)
	p.revoked = slices.DeleteFunc(p.revoked, func(r Revocation) bool { return r.Serial == hex })
	return len(p.revoked) != n
}

// Revoked returns the revocation of serial, if it is revoked.
func (p *PKI) Revoked(serial *big.Int) (Revocation, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	hex := serial.Text(16)
	for _, r := range p.revoked {
		if r.Serial == hex {
			return r, true
		}
	}
	return Revocation{}, false
}

// Revocations returns every revocation recorded, oldest first.
func (p *PKI) Revocations() []Revocation {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Revocation(nil), p.revoked...)
}

// SaveRevocations writes the revocation list (RevokedFile) into dir.
func (p *PKI) SaveRevocations(dir string) error {
	data, err := json.MarshalIndent(p.Revocations(), "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, RevokedFile), append(data, '\n'), 0o644)
}

func (p *PKI) loadRevocations(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, RevokedFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var list []Revocation
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("testpki: %s: %w", RevokedFile, err)
	}
	p.revoked = list
	return nil
}

// Option configures [New], [Load] and [PKI.Issue].
type Option func(*config)

type config struct {
	now    func() time.Time
	rand   io.Reader
	caType KeyType
}

// WithClock sets the clock the PKI dates certificates from.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithRand sets the source of randomness for keys and serial numbers.
func WithRand(r io.Reader) Option { return func(c *config) { c.rand = r } }

// WithCAKeyType sets the key type of the root and the issuing CA made by
// [New]: P256 (the default), or GOST for a PKI shaped like the Uzbek
// national one (root → issuing CA without key identifiers, like the real
// YT CA → GOST user keys).
func WithCAKeyType(kt KeyType) Option { return func(c *config) { c.caType = kt } }

func newConfig(opts []Option) config {
	c := config{now: time.Now, rand: rand.Reader}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// New makes a fresh root CA and issuing CA: ECDSA P-256 (quick to generate
// and to verify), or GOST with WithCAKeyType(GOST).
func New(opts ...Option) (*PKI, error) {
	c := newConfig(opts)
	if c.caType == "" {
		c.caType = P256
	}
	if c.caType != P256 && c.caType != GOST {
		return nil, fmt.Errorf("testpki: a CA key type of %q (want p256 or gost)", c.caType)
	}
	p := &PKI{now: c.now, rand: c.rand, gost: c.caType == GOST}
	now := c.now()
	var err error
	if p.rootKey, err = GenerateKey(c.caType, c.rand); err != nil {
		return nil, err
	}
	rootName := pkix.Name{Country: []string{"UZ"}, Organization: []string{"eimzokit TEST"}, CommonName: "eimzokit TEST Root CA"}
	caName := pkix.Name{Country: []string{"UZ"}, Organization: []string{"eimzokit TEST"}, CommonName: "eimzokit TEST Issuing CA"}
	if p.gost {
		// Shaped like the national root and the YT CA (TEST all the same).
		rootName = pkix.Name{Country: []string{"UZ"}, Locality: []string{"Toshkent sh."},
			Organization: []string{"eimzokit TEST Axborot texnologiyalari va kommunikatsiyalarini rivojlantirish"},
			CommonName:   "eimzokit TEST ERI markazlarini ro'yxatdan o'tkazuvchi organi"}
		caName = pkix.Name{Country: []string{"UZ"}, Locality: []string{"Toshkent sh."},
			Organization:       []string{"eimzokit TEST YANGI TEXNOLOGIYALAR ILMIY-AXBOROT MARKAZI"},
			OrganizationalUnit: []string{"ERI yaratish va reestrni yuritish"}, CommonName: "eimzokit TEST GOST ERI markazi"}
	}
	root := &x509.Certificate{
		SerialNumber: p.serial(), Subject: rootName,
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true,
		SubjectKeyId: keyID(p.rootKey.Public()),
	}
	if p.Root, err = sign(c.rand, root, root, p.rootKey.Public(), p.rootKey); err != nil {
		return nil, err
	}
	if p.caKey, err = GenerateKey(c.caType, c.rand); err != nil {
		return nil, err
	}
	ca := &x509.Certificate{
		SerialNumber: p.serial(), Subject: caName,
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
		SubjectKeyId: keyID(p.caKey.Public()),
	}
	parent := p.Root
	if p.gost {
		// The real YT CA carries neither SKI nor AKI: chains go by name.
		ca.SubjectKeyId = nil
		ca.KeyUsage |= x509.KeyUsageContentCommitment
		noKeyID := *p.Root
		noKeyID.SubjectKeyId = nil // gostcert.Create writes the parent's SKI as AKI
		parent = &noKeyID
	}
	if p.CA, err = sign(c.rand, ca, parent, p.caKey.Public(), p.rootKey); err != nil {
		return nil, err
	}
	return p, nil
}

// GOST reports whether the PKI is a GOST one (it issues GOST keys only).
func (p *PKI) GOST() bool { return p.gost }

// checkKeyType refuses key types the PKI's CA cannot certify.
func (p *PKI) checkKeyType(kt KeyType) error {
	if (kt == GOST) != p.gost {
		if p.gost {
			return fmt.Errorf("testpki: the GOST PKI issues gost keys, not %s", kt)
		}
		return errors.New("testpki: gost keys come from the GOST PKI (testpki.WithCAKeyType(testpki.GOST))")
	}
	return nil
}

// Identity is a user certificate with its private key.
type Identity struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	Chain   []*x509.Certificate // issuing CA, root
	Profile Profile
	Person  Person
}

// IssueOption adjusts one certificate.
type IssueOption func(*issueConfig)

type issueConfig struct {
	person    *Person
	notBefore time.Time
	notAfter  time.Time
}

// WithPerson replaces the profile's default subject.
func WithPerson(p Person) IssueOption { return func(c *issueConfig) { c.person = &p } }

// WithValidity sets the validity period.
func WithValidity(notBefore, notAfter time.Time) IssueOption {
	return func(c *issueConfig) { c.notBefore, c.notAfter = notBefore, notAfter }
}

// Issue makes a key of type kt and a certificate for profile. n numbers the
// person, so identities of one profile get distinct PINFLs and TINs.
func (p *PKI) Issue(profile Profile, kt KeyType, n int, opts ...IssueOption) (*Identity, error) {
	now := p.now()
	ic := issueConfig{notBefore: now.Add(-time.Hour), notAfter: now.AddDate(2, 0, 0)}
	if profile == Expired {
		ic.notBefore, ic.notAfter = now.AddDate(-2, 0, -1), now.AddDate(0, 0, -1)
	}
	for _, o := range opts {
		o(&ic)
	}
	person := DefaultPerson(profile, n)
	if ic.person != nil {
		person = *ic.person
	}
	if err := p.checkKeyType(kt); err != nil {
		return nil, err
	}
	key, err := GenerateKey(kt, p.rand)
	if err != nil {
		return nil, err
	}
	rawSubject, err := asn1.Marshal(person.rdns())
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: p.serial(),
		RawSubject:   rawSubject,
		NotBefore:    ic.notBefore.Truncate(time.Second), NotAfter: ic.notAfter.Truncate(time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
		BasicConstraintsValid: true,
		SubjectKeyId:          keyID(key.Public()),
	}
	cert, err := sign(p.rand, tmpl, p.CA, key.Public(), p.caKey)
	if err != nil {
		return nil, err
	}
	if profile == Revoked {
		p.Revoke(cert, now, ReasonKeyCompromise)
	}
	return &Identity{Cert: cert, Key: key, Chain: []*x509.Certificate{p.CA, p.Root}, Profile: profile, Person: person}, nil
}

// SignCSR issues a user certificate for a PKCS#10 request (its subject and
// public key), valid from now for two years, as a CA answering an
// enrolment would. A GOST PKI takes GOST requests, the other RSA and ECDSA
// ones.
func (p *PKI) SignCSR(req *x509.CertificateRequest) (*x509.Certificate, error) {
	pub, err := RequestKey(req)
	if err != nil {
		return nil, err
	}
	kt := P256
	if _, ok := pub.(*gost.PublicKey); ok {
		kt = GOST
	}
	if err := p.checkKeyType(kt); err != nil {
		return nil, err
	}
	now := p.now()
	tmpl := &x509.Certificate{
		SerialNumber: p.serial(),
		RawSubject:   req.RawSubject,
		NotBefore:    now.Add(-time.Hour).Truncate(time.Second), NotAfter: now.AddDate(2, 0, 0).Truncate(time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
		BasicConstraintsValid: true,
		SubjectKeyId:          keyID(pub),
	}
	return sign(p.rand, tmpl, p.CA, pub, p.caKey)
}

// RequestKey checks a PKCS#10 request's signature with its own key (RFC
// 2986 §3) and returns that key: RSA, ECDSA, or a *gost.PublicKey.
func RequestKey(req *x509.CertificateRequest) (crypto.PublicKey, error) {
	if req.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
		pub, err := gost.ParsePKIXPublicKey(req.RawSubjectPublicKeyInfo)
		if err != nil {
			return nil, fmt.Errorf("testpki: the request's key: %w", err)
		}
		if err := gostcert.CheckRequestSignature(req); err != nil {
			return nil, fmt.Errorf("testpki: the request's signature: %w", err)
		}
		return pub, nil
	}
	if err := req.CheckSignature(); err != nil {
		return nil, fmt.Errorf("testpki: the request's signature: %w", err)
	}
	return req.PublicKey, nil
}

// GenerateKey makes a private key of type kt.
func GenerateKey(kt KeyType, r io.Reader) (crypto.Signer, error) {
	switch kt {
	case RSA2048:
		return rsa.GenerateKey(r, 2048)
	case P256:
		return ecdsa.GenerateKey(elliptic.P256(), r)
	case GOST:
		return gost.GenerateKey(gost.CurveA(), r)
	}
	return nil, fmt.Errorf("testpki: unknown key type %q", kt)
}

// PKCS12 exports the identity with its chain as a PKCS#12 file protected by
// password (AES-256-CBC with PBKDF2, HMAC-SHA-256 MAC; softtoken/pfx, which
// also carries GOST keys).
func (id *Identity) PKCS12(password string) ([]byte, error) {
	return pfx.Encode(id.Key, id.Cert, id.Chain, password)
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

// serial returns a random positive 40-bit serial, the size real E-IMZO
// serials have (e.g. 218711a92).
func (p *PKI) serial() *big.Int {
	b := make([]byte, 5)
	if _, err := io.ReadFull(p.rand, b); err != nil {
		panic("testpki: no randomness: " + err.Error())
	}
	b[0] |= 0x10 // keep 9+ hex digits
	return new(big.Int).SetBytes(b)
}

// CreateCertificate is x509.CreateCertificate that also signs with GOST
// keys (through web/crypto/gost/cert, for GOST subject keys only), and returns
// the parsed certificate. A self-signed certificate passes the template as
// parent.
func CreateCertificate(r io.Reader, tmpl, parent *x509.Certificate, pub crypto.PublicKey, priv crypto.Signer) (*x509.Certificate, error) {
	return sign(r, tmpl, parent, pub, priv)
}

// sign issues a certificate: with crypto/x509 for RSA and ECDSA issuers,
// with web/crypto/gost/cert for GOST ones (which certify GOST keys only).
func sign(r io.Reader, tmpl, parent *x509.Certificate, pub crypto.PublicKey, priv crypto.Signer) (*x509.Certificate, error) {
	var der []byte
	var err error
	if gk, ok := priv.(*gost.PrivateKey); ok {
		gpub, ok := pub.(*gost.PublicKey)
		if !ok {
			return nil, fmt.Errorf("testpki: a GOST CA certifies GOST keys, not %T", pub)
		}
		der, err = gostcert.Create(r, tmpl, parent, gpub, gk)
	} else {
		der, err = x509.CreateCertificate(r, tmpl, parent, pub, priv)
	}
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// keyID is the RFC 5280 §4.2.1.2 method (1) key identifier: SHA-1 of the
// key bits, or for GOST keys the GOST R 34.11-94 one of gostcert.KeyID.
func keyID(pub crypto.PublicKey) []byte {
	if gk, ok := pub.(*gost.PublicKey); ok {
		return gostcert.KeyID(gk)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil
	}
	sum := sha1.Sum(spki.PublicKey.Bytes)
	return sum[:]
}

// marshalKey and parseKey keep CA keys as PKCS#8 (RFC 5208), GOST ones as
// web/crypto/gost writes them.
func marshalKey(k crypto.Signer) ([]byte, error) {
	if gk, ok := k.(*gost.PrivateKey); ok {
		return gost.MarshalPKCS8PrivateKey(gk)
	}
	return x509.MarshalPKCS8PrivateKey(k)
}

func parseKey(der []byte) (crypto.Signer, error) {
	if gk, err := gost.ParsePKCS8PrivateKey(der); err == nil {
		return gk, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("testpki: not a signing key")
	}
	return s, nil
}

// Files of a saved PKI, relative to its folder. root.pem is the trust anchor.
const (
	RootCertFile = "root.pem"
	RootKeyFile  = "root.key"
	CACertFile   = "ca.pem"
	CAKeyFile    = "ca.key"
	// RevokedFile lists the revoked certificates as JSON [Revocation]s.
	RevokedFile = "revoked.json"
)

// Save writes the PKI's certificates and CA keys (PKCS#8, unencrypted: this
// is a test CA) into dir, creating it.
func (p *PKI) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct {
		name, typ string
		der       func() ([]byte, error)
		mode      os.FileMode
	}{
		{RootCertFile, "CERTIFICATE", func() ([]byte, error) { return p.Root.Raw, nil }, 0o644},
		{CACertFile, "CERTIFICATE", func() ([]byte, error) { return p.CA.Raw, nil }, 0o644},
		{RootKeyFile, "PRIVATE KEY", func() ([]byte, error) { return marshalKey(p.rootKey) }, 0o600},
		{CAKeyFile, "PRIVATE KEY", func() ([]byte, error) { return marshalKey(p.caKey) }, 0o600},
	}
	for _, f := range files {
		der, err := f.der()
		if err != nil {
			return err
		}
		if err := WriteFileAtomic(filepath.Join(dir, f.name), pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: der}), f.mode); err != nil {
			return err
		}
	}
	return p.SaveRevocations(dir)
}

// Load reads a PKI that [PKI.Save] wrote.
func Load(dir string, opts ...Option) (*PKI, error) {
	c := newConfig(opts)
	p := &PKI{now: c.now, rand: c.rand}
	var err error
	if p.Root, err = readCert(filepath.Join(dir, RootCertFile)); err != nil {
		return nil, err
	}
	if p.CA, err = readCert(filepath.Join(dir, CACertFile)); err != nil {
		return nil, err
	}
	if p.rootKey, err = readKey(filepath.Join(dir, RootKeyFile)); err != nil {
		return nil, err
	}
	if p.caKey, err = readKey(filepath.Join(dir, CAKeyFile)); err != nil {
		return nil, err
	}
	if err := p.loadRevocations(dir); err != nil {
		return nil, err
	}
	_, p.gost = p.caKey.(*gost.PrivateKey)
	return p, nil
}

func readPEM(path, typ string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != typ {
		return nil, fmt.Errorf("testpki: %s: no %s PEM block", path, typ)
	}
	return b.Bytes, nil
}

func readCert(path string) (*x509.Certificate, error) {
	der, err := readPEM(path, "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func readKey(path string) (crypto.Signer, error) {
	der, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	k, err := parseKey(der)
	if err != nil {
		return nil, fmt.Errorf("testpki: %s: %w", path, err)
	}
	return k, nil
}

// WriteFileAtomic writes through a temporary file and a rename, so a crash
// never leaves a half-written file where a good one was.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
