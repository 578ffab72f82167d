package sim

import (
	"crypto/rand"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
)

// KeySpec describes a key file to issue from the simulator's CA.
type KeySpec struct {
	Name      string          `json:"name,omitempty"` // file name; default DS<PINFL>, or DS<serial> without a PINFL
	Profile   testpki.Profile `json:"profile,omitempty"`
	KeyType   testpki.KeyType `json:"key_type,omitempty"`
	Person    *testpki.Person `json:"person,omitempty"`   // replaces the profile's TEST subject
	Password  string          `json:"password,omitempty"` // default DefaultPassword
	NotBefore *time.Time      `json:"not_before,omitempty"`
	NotAfter  *time.Time      `json:"not_after,omitempty"`
	// Signing is how the key signs: "sha256" (the default), "sha384",
	// "sha512", or "pss-sha256", "pss-sha384", "pss-sha512" (RSA keys).
	Signing softtoken.Signing `json:"signing,omitzero"`
}

func (k *KeySpec) defaults() error {
	if k.Profile == "" {
		k.Profile = testpki.Physical
	}
	if k.KeyType == "" {
		k.KeyType = testpki.P256
	}
	if _, err := testpki.ParseProfile(string(k.Profile)); err != nil {
		return err
	}
	if _, err := testpki.ParseKeyType(string(k.KeyType)); err != nil {
		return err
	}
	if (k.NotBefore == nil) != (k.NotAfter == nil) {
		return errorf("give both not_before and not_after, or neither")
	}
	return checkSigning(k.KeyType, k.Signing)
}

// checkSigning refuses, before a certificate is issued, a signing the key
// type cannot do.
func checkSigning(kt testpki.KeyType, sg softtoken.Signing) error {
	switch {
	case sg.PSS && kt != testpki.RSA2048:
		return errorf("signing %s needs key_type rsa2048, not %s", sg, kt)
	case kt == testpki.GOST && !sg.IsZero():
		return errorf("gost keys sign with GOST R 34.11-94 only: leave signing out")
	}
	return nil
}

// issue makes an identity for spec, numbered n.
func issue(p *testpki.PKI, spec KeySpec, n int) (*testpki.Identity, error) {
	var opts []testpki.IssueOption
	if spec.Person != nil {
		opts = append(opts, testpki.WithPerson(*spec.Person))
	}
	if spec.NotBefore != nil {
		opts = append(opts, testpki.WithValidity(*spec.NotBefore, *spec.NotAfter))
	}
	return p.Issue(spec.Profile, spec.KeyType, n, opts...)
}

// personNumber returns a number for a new TEST person, away from the
// default keys' 1…99.
func personNumber() int {
	n, _ := rand.Int(rand.Reader, big.NewInt(9000))
	return 100 + int(n.Int64())
}

// KeyName is the file name the simulator gives a new key: DS and the
// PINFL, or DS and the serial number for certificates without a PINFL.
func KeyName(id *testpki.Identity) string {
	if id.Person.PINFL != "" {
		return "DS" + id.Person.PINFL
	}
	return "DS" + strings.ToUpper(id.Cert.SerialNumber.Text(16))
}

// ca returns the CA that issues keys of type kt, and where it is saved:
// the GOST test PKI for "gost", the other for RSA and P-256.
func (s *Server) ca(kt testpki.KeyType) (*testpki.PKI, string, error) {
	if kt == testpki.GOST {
		if s.gostPKI == nil {
			return nil, "", errorf("no GOST CA: start the simulator with -gost (simtest.WithGOSTKeys, sim.WithGOSTPKI)")
		}
		return s.gostPKI, s.gostDir, nil
	}
	if s.pki == nil {
		return nil, "", errorf("no CA: the server was started without WithPKI")
	}
	return s.pki, s.pkiDir, nil
}

// IssueKey issues a certificate from the simulator's CA (its GOST CA for
// key type "gost") and writes a new key file, which the listings show at
// once. Revoked keys go into the CA's revocation list.
func (s *Server) IssueKey(spec KeySpec) (softtoken.KeyFile, error) {
	if err := spec.defaults(); err != nil {
		return softtoken.KeyFile{}, err
	}
	p, dir, err := s.ca(spec.KeyType)
	if err != nil {
		return softtoken.KeyFile{}, err
	}
	return AddIssuedKey(s.store, p, dir, spec)
}

// AddIssuedKey is [Server.IssueKey] on a store and a PKI; pkiDir, when not
// empty, gets the updated revocation list.
func AddIssuedKey(store *softtoken.Store, p *testpki.PKI, pkiDir string, spec KeySpec) (softtoken.KeyFile, error) {
	if err := spec.defaults(); err != nil {
		return softtoken.KeyFile{}, err
	}
	if spec.Password == "" {
		spec.Password = DefaultPassword
	}
	id, err := issue(p, spec, personNumber())
	if err != nil {
		return softtoken.KeyFile{}, err
	}
	name := spec.Name
	if name == "" {
		name = KeyName(id)
	}
	pfx, err := id.PKCS12(spec.Password)
	if err != nil {
		return softtoken.KeyFile{}, err
	}
	if err := store.AddSigning(name, pfx, spec.Password, spec.Signing); err != nil {
		return softtoken.KeyFile{}, err
	}
	if spec.Profile == testpki.Revoked && pkiDir != "" {
		if err := p.SaveRevocations(pkiDir); err != nil {
			return softtoken.KeyFile{}, err
		}
	}
	for _, k := range store.List() {
		if k.Name == name {
			return k, nil
		}
	}
	return softtoken.KeyFile{}, errorf("the new key %s is not listed", name)
}

// RemoveKey deletes a key file (and forgets its password).
func (s *Server) RemoveKey(name string) error {
	if !softtoken.ValidName(name) {
		return errorf("bad key name %q", name)
	}
	if err := os.Remove(filepath.Join(s.store.Dir(), name+".pfx")); err != nil {
		if os.IsNotExist(err) {
			return ErrNotFound
		}
		return err
	}
	return s.store.Rescan()
}

// DeviceSpec describes a virtual device to plug in; its key is issued from
// the simulator's CA.
type DeviceSpec struct {
	Kind        softtoken.DeviceKind `json:"kind"`
	ID          string               `json:"id,omitempty"`
	Name        string               `json:"name,omitempty"`
	Serial      string               `json:"serial,omitempty"`
	PIN         string               `json:"pin,omitempty"` // default softtoken.DefaultPIN
	PUK         string               `json:"puk,omitempty"`
	PINAttempts int                  `json:"pin_attempts,omitempty"`
	PUKAttempts int                  `json:"puk_attempts,omitempty"`
	Profile     testpki.Profile      `json:"profile,omitempty"`
	KeyType     testpki.KeyType      `json:"key_type,omitempty"`
	Person      *testpki.Person      `json:"person,omitempty"`
	Signing     softtoken.Signing    `json:"signing,omitzero"` // as KeySpec.Signing
}

// PlugDevice plugs in a virtual device holding a freshly issued key.
func (s *Server) PlugDevice(spec DeviceSpec) (softtoken.DeviceInfo, error) {
	if _, err := softtoken.ParseDeviceKind(string(spec.Kind)); err != nil {
		return softtoken.DeviceInfo{}, err
	}
	ks := KeySpec{Profile: spec.Profile, KeyType: spec.KeyType, Person: spec.Person, Signing: spec.Signing}
	if err := ks.defaults(); err != nil {
		return softtoken.DeviceInfo{}, err
	}
	p, dir, err := s.ca(ks.KeyType)
	if err != nil {
		return softtoken.DeviceInfo{}, err
	}
	id, err := issue(p, ks, personNumber())
	if err != nil {
		return softtoken.DeviceInfo{}, err
	}
	if ks.Profile == testpki.Revoked && dir != "" {
		if err := p.SaveRevocations(dir); err != nil {
			return softtoken.DeviceInfo{}, err
		}
	}
	return s.store.Plug(softtoken.Device{
		ID: spec.ID, Kind: spec.Kind, Name: spec.Name, Serial: spec.Serial, PIN: spec.PIN, PUK: spec.PUK,
		PINAttempts: spec.PINAttempts, PUKAttempts: spec.PUKAttempts,
		Key: &softtoken.Key{Signer: id.Key, Cert: id.Cert, Chain: id.Chain, Signing: spec.Signing},
	})
}

// UnplugDevice unplugs a device.
func (s *Server) UnplugDevice(id string) error {
	if !s.store.Unplug(id) {
		return ErrNotFound
	}
	return nil
}
