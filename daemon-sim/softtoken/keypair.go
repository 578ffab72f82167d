package softtoken

import (
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken/pfx"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// AddKeyPair keeps a freshly generated key pair under a KEY_PAIR id
// (pkcs10.generate_keypair).
func (s *Store) AddKeyPair(priv crypto.Signer) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newSessionLocked(&session{typ: KeyPairSession, pair: priv})
}

// KeyPair returns the key of a KEY_PAIR id: -1011 when there is none.
func (s *Store) KeyPair(id string) (crypto.Signer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessionLocked(id)
	if !ok || sess.typ != KeyPairSession {
		return nil, fail(capiws.StatusKeyPairNotFound)
	}
	return sess.pair, nil
}

// SaveKey writes a new key file at disk/path/name (save_pfx,
// save_temporary_pfx): -1002 for a bad path, -2011 for an unknown disk,
// -1003 for a bad name, exists when the file is already there.
func (s *Store) SaveKey(disk, path, name string, priv crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, password string, exists capiws.Status) error {
	if path != "" && path != DefaultPath {
		return fail(capiws.StatusBadPath)
	}
	if !s.knownDisk(disk) {
		return fail(capiws.StatusDiskNotFound)
	}
	var loc *location
	for _, l := range s.Layout().locations() {
		if l.disk == disk && l.path == path {
			loc = &l
		}
	}
	if loc == nil {
		return fail(capiws.StatusBadPath)
	}
	if !ValidName(name) {
		return fail(capiws.StatusBadFileName)
	}
	if _, err := os.Stat(filepath.Join(s.dir, name+".pfx")); err == nil {
		if exists == capiws.StatusFileExists {
			return fail(exists)
		}
		return fail(exists, loc.filePath(name))
	}
	pfx, err := pfx.Encode(priv, cert, chain, password)
	if err != nil {
		return err
	}
	return s.Add(name, pfx, password)
}
