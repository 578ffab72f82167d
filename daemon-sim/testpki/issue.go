package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken/pfx"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
)

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
