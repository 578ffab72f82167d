package softtoken

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken/pfx"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// PasswordsFile, in the keys folder, maps key file names (without .pfx) to
// their passwords: what the simulated user remembers.
const PasswordsFile = "passwords.json"

// folderStamp summarises the folder's files, to notice files dropped in
// while the simulator runs.
func folderStamp(dir string) string {
	var b strings.Builder
	list, _ := os.ReadDir(dir)
	for _, e := range list {
		if info, err := e.Info(); err == nil {
			fmt.Fprintf(&b, "%s:%d:%d;", e.Name(), info.Size(), info.ModTime().UnixNano())
		}
	}
	return b.String()
}

// Rescan re-reads the folder. Sessions of keys that are still there survive.
func (s *Store) Rescan() error {
	stamp := folderStamp(s.dir)
	passwords, err := readPasswords(filepath.Join(s.dir, PasswordsFile))
	if err != nil {
		return err
	}
	signings, err := readSignings(filepath.Join(s.dir, SigningFile))
	if err != nil {
		return err
	}
	names, err := filepath.Glob(filepath.Join(s.dir, "*.pfx"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	var entries []*entry
	var skipped []string
	for _, full := range names {
		name := strings.TrimSuffix(filepath.Base(full), ".pfx")
		data, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		pw, ok := passwords[name]
		if !ok {
			skipped = append(skipped, name+": no password in "+PasswordsFile)
			continue // the simulated user does not know this key's password
		}
		_, cert, _, err := pfx.Decode(data, pw)
		if err != nil {
			skipped = append(skipped, name+": cannot be opened with its password in "+PasswordsFile)
			continue
		}
		sg, err := ParseSigning(signings[name])
		if err == nil {
			err = sg.Check(cert.PublicKey)
		}
		if err != nil {
			skipped = append(skipped, name+": "+SigningFile+": "+err.Error())
			continue
		}
		entries = append(entries, &entry{name: name, alias: testpki.Alias(cert), fullPath: full, cert: cert, password: pw, signing: sg})
	}
	s.mu.Lock()
	s.entries, s.skipped, s.stamp = entries, skipped, stamp
	s.mu.Unlock()
	return nil
}

// Skipped lists the .pfx files the last scan could not open, and why.
func (s *Store) Skipped() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.skipped...)
}

// refresh rescans when files were added, removed or changed since the last
// scan, so keys dropped into the folder appear without a restart.
func (s *Store) refresh() {
	s.mu.Lock()
	old := s.stamp
	s.mu.Unlock()
	if folderStamp(s.dir) != old {
		_ = s.Rescan()
	}
}

func readPasswords(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("softtoken: %s: %w", path, err)
	}
	return m, nil
}

// ValidName reports whether name may name a new key file: only [A-Z0-9],
// as the daemon demands (status -1003).
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Add writes a new key file and its password, atomically. The file must
// open with the password. The key signs the default way (SHA-256).
func (s *Store) Add(name string, file []byte, password string) error {
	return s.AddSigning(name, file, password, Signing{})
}

// AddSigning is Add for a key that signs as sg (recorded in SigningFile
// before the password, so the key never appears signing another way).
func (s *Store) AddSigning(name string, file []byte, password string, sg Signing) error {
	if !ValidName(name) {
		return fail(capiws.StatusBadFileName)
	}
	_, cert, _, err := pfx.Decode(file, password)
	if err != nil {
		return fmt.Errorf("softtoken: %s: not a PKCS#12 file that opens with the given password: %w", name, err)
	}
	if err := sg.Check(cert.PublicKey); err != nil {
		return err
	}
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return err
	}
	full := filepath.Join(s.dir, name+".pfx")
	if _, err := os.Stat(full); err == nil {
		return fail(capiws.StatusKeyFileExists, s.Layout().locations()[0].filePath(name))
	}
	if err := testpki.WriteFileAtomic(full, file, 0o600); err != nil {
		return err
	}
	if err := s.setSigningFile(name, sg); err != nil {
		return err
	}
	if err := s.setPassword(name, password); err != nil {
		return err
	}
	return s.Rescan()
}

// setPassword records a key's password in PasswordsFile; fileMu is held.
func (s *Store) setPassword(name, password string) error {
	pwPath := filepath.Join(s.dir, PasswordsFile)
	passwords, err := readPasswords(pwPath)
	if err != nil {
		return err
	}
	passwords[name] = password
	data, _ := json.MarshalIndent(passwords, "", "  ")
	return testpki.WriteFileAtomic(pwPath, data, 0o600)
}

// List returns every key on every disk, as pfx.list_all_certificates does.
func (s *Store) List() []KeyFile {
	s.refresh()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []KeyFile
	for _, loc := range s.layout.locations() {
		for _, e := range s.entries {
			out = append(out, KeyFile{Disk: loc.disk, Path: loc.path, Name: e.name, Alias: e.alias})
		}
	}
	return out
}

// ListDisk returns the keys on one disk (pfx.list_certificates): -2011 for
// an unknown disk.
func (s *Store) ListDisk(disk string) ([]KeyFile, error) {
	if !s.knownDisk(disk) {
		return nil, fail(capiws.StatusDiskNotFound)
	}
	var out []KeyFile
	for _, k := range s.List() {
		if k.Disk == disk {
			out = append(out, k)
		}
	}
	return out, nil
}

func (s *Store) knownDisk(disk string) bool {
	for _, d := range s.Layout().Disks() {
		if d == disk {
			return true
		}
	}
	return false
}

// rewrite re-encrypts a key file with a new password; the file and
// PasswordsFile are replaced atomically.
func (s *Store) rewrite(e *entry, newPW string) error {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	data, err := os.ReadFile(e.fullPath)
	if err != nil {
		return fail(capiws.StatusPFXFileMissing)
	}
	s.mu.Lock()
	oldPW := e.password
	s.mu.Unlock()
	priv, cert, chain, err := pfx.Decode(data, oldPW)
	if err != nil {
		return failText(capiws.ReasonWrongPassword, "")
	}
	out, err := pfx.Encode(priv, cert, chain, newPW)
	if err != nil {
		return err
	}
	if err := testpki.WriteFileAtomic(e.fullPath, out, 0o600); err != nil {
		return err
	}
	if err := s.setPassword(e.name, newPW); err != nil {
		return err
	}
	s.mu.Lock()
	e.password = newPW
	s.stamp = folderStamp(s.dir)
	s.mu.Unlock()
	return nil
}

// Password returns what the simulated user knows as the password of a key
// file (for tools and tests; the simulator never sends it anywhere).
func (s *Store) Password(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.entryLocked(name); e != nil {
		return e.password, true
	}
	return "", false
}

// Certificate returns the certificate of a key file.
func (s *Store) Certificate(name string) (*x509.Certificate, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.entryLocked(name); e != nil {
		return e.cert, true
	}
	return nil, false
}

func (s *Store) entryLocked(name string) *entry {
	for _, e := range s.entries {
		if e.name == name {
			return e
		}
	}
	return nil
}
