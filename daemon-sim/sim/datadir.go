package sim

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
)

// Layout of a data folder.
const (
	PKIDir  = "pki"  // root.pem (the trust anchor), ca.pem and the CA keys
	KeysDir = "keys" // <name>.pfx key files and passwords.json
	TLSDir  = "tls"  // the wss listener's certificate
	// GOSTPKIDir holds the GOST test PKI (O'zDSt 1092), made with the GOST
	// keys (AddGOSTKeys): root.pem is the trust anchor of GOST signatures.
	GOSTPKIDir = "pki-gost"
)

// DefaultPassword protects the default keys. The simulated user knows it.
const DefaultPassword = "test1234"

// DefaultKey describes one key of the default set.
type DefaultKey struct {
	Profile testpki.Profile
	KeyType testpki.KeyType
}

// DefaultKeys is the set a new data folder gets: every profile, both key
// types for the common ones.
var DefaultKeys = []DefaultKey{
	{testpki.Physical, testpki.RSA2048},
	{testpki.Physical, testpki.P256},
	{testpki.Legal, testpki.RSA2048},
	{testpki.Legal, testpki.P256},
	{testpki.YATT, testpki.RSA2048},
	{testpki.Expired, testpki.RSA2048},
}

// ExtraKeys are the keys [AddExtraKeys] adds for tests that need them: a
// physical person whose certificate the CA lists as revoked, and a
// certificate with neither TIN nor PINFL (the official client hides it).
// They are not in the default set, whose six keys other suites count.
var ExtraKeys = []DefaultKey{
	{testpki.Revoked, testpki.RSA2048},
	{testpki.NoTIN, testpki.P256},
}

// NoTINKeyName is the file name of the extra key without TIN and PINFL.
const NoTINKeyName = "DSNOTIN"

// GOSTKeys are the keys [AddGOSTKeys] adds: O'zDSt 1092 (GOST R 34.10-2001)
// keys from the GOST test PKI, as real E-IMZO keys are. They are not in
// the default set either.
var GOSTKeys = []DefaultKey{
	{testpki.Physical, testpki.GOST},
	{testpki.Legal, testpki.GOST},
}

// Data is an opened data folder.
type Data struct {
	Dir   string
	PKI   *testpki.PKI
	Store *softtoken.Store
	// GOST is the GOST test PKI, nil until AddGOSTKeys (or
	// OpenGOSTPKI) made it.
	GOST *testpki.PKI
}

// RootPath is the trust anchor a backend should be given.
func (d *Data) RootPath() string { return filepath.Join(d.Dir, PKIDir, testpki.RootCertFile) }

// GOSTRootPath is the trust anchor of the GOST keys' signatures.
func (d *Data) GOSTRootPath() string { return filepath.Join(d.Dir, GOSTPKIDir, testpki.RootCertFile) }

// Roots returns a pool holding the test root.
func (d *Data) Roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(d.PKI.Root)
	return p
}

// OpenData opens dir, filling it with a test PKI and the default keys when
// it has no PKI yet.
func OpenData(dir string, pkiOpts []testpki.Option, storeOpts ...softtoken.Option) (*Data, error) {
	pkiDir := filepath.Join(dir, PKIDir)
	keysDir := filepath.Join(dir, KeysDir)
	pki, err := testpki.Load(pkiDir, pkiOpts...)
	if errors.Is(err, os.ErrNotExist) {
		if pki, err = testpki.New(pkiOpts...); err != nil {
			return nil, err
		}
		if err := fillKeys(pki, keysDir); err != nil {
			return nil, err
		}
		// The PKI is saved last: a folder interrupted while filling is
		// filled again from scratch on the next start.
		err = pki.Save(pkiDir)
	}
	if err != nil {
		return nil, err
	}
	store, err := softtoken.Open(keysDir, storeOpts...)
	if err != nil {
		return nil, err
	}
	d := &Data{Dir: dir, PKI: pki, Store: store}
	if d.GOST, err = testpki.Load(filepath.Join(dir, GOSTPKIDir), pkiOpts...); errors.Is(err, os.ErrNotExist) {
		d.GOST, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// OpenGOSTPKI returns the data folder's GOST test PKI, making and saving it
// on first use.
func (d *Data) OpenGOSTPKI(pkiOpts ...testpki.Option) (*testpki.PKI, error) {
	if d.GOST != nil {
		return d.GOST, nil
	}
	p, err := testpki.New(append([]testpki.Option{testpki.WithCAKeyType(testpki.GOST)}, pkiOpts...)...)
	if err != nil {
		return nil, err
	}
	if err := p.Save(filepath.Join(d.Dir, GOSTPKIDir)); err != nil {
		return nil, err
	}
	d.GOST = p
	return p, nil
}

// AddGOSTKeys adds [GOSTKeys] to an opened data folder, making its GOST
// test PKI first when there is none; keys already there are left alone.
func AddGOSTKeys(d *Data) error {
	p, err := d.OpenGOSTPKI()
	if err != nil {
		return err
	}
	for i, k := range GOSTKeys {
		n := len(DefaultKeys) + len(ExtraKeys) + i + 1
		name := "DS" + testpki.DefaultPerson(k.Profile, n).PINFL
		if _, ok := d.Store.Password(name); ok {
			continue
		}
		id, err := p.Issue(k.Profile, k.KeyType, n)
		if err != nil {
			return err
		}
		file, err := id.PKCS12(DefaultPassword)
		if err != nil {
			return err
		}
		if err := d.Store.Add(name, file, DefaultPassword); err != nil {
			return err
		}
	}
	return nil
}

// AddExtraKeys adds [ExtraKeys] to an opened data folder, once: a folder
// that has them already is left alone.
func AddExtraKeys(d *Data) error {
	for i, k := range ExtraKeys {
		n := len(DefaultKeys) + i + 1
		name := NoTINKeyName
		if k.Profile != testpki.NoTIN {
			name = "DS" + testpki.DefaultPerson(k.Profile, n).PINFL
		}
		if _, ok := d.Store.Password(name); ok {
			continue
		}
		id, err := d.PKI.Issue(k.Profile, k.KeyType, n)
		if err != nil {
			return err
		}
		pfx, err := id.PKCS12(DefaultPassword)
		if err != nil {
			return err
		}
		if err := d.Store.Add(name, pfx, DefaultPassword); err != nil {
			return err
		}
	}
	return d.PKI.SaveRevocations(filepath.Join(d.Dir, PKIDir))
}

func fillKeys(pki *testpki.PKI, keysDir string) error {
	if err := os.RemoveAll(keysDir); err != nil {
		return err
	}
	store, err := softtoken.Open(keysDir)
	if err != nil {
		return err
	}
	for i, k := range DefaultKeys {
		id, err := pki.Issue(k.Profile, k.KeyType, i+1)
		if err != nil {
			return err
		}
		pfx, err := id.PKCS12(DefaultPassword)
		if err != nil {
			return err
		}
		if err := store.Add("DS"+id.Person.PINFL, pfx, DefaultPassword); err != nil {
			return err
		}
	}
	return nil
}
