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
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
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
