package testpki

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"github.com/eimzokit/eimzokit/web/crypto/gost"
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

// Files of a saved PKI, relative to its folder. root.pem is the trust anchor.
const (
	RootCertFile = "root.pem"
	RootKeyFile  = "root.key"
	CACertFile   = "ca.pem"
	CAKeyFile    = "ca.key"
	// RevokedFile lists the revoked certificates as JSON [Revocation]s.
	RevokedFile = "revoked.json"
)
