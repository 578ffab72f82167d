package softtoken

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
)

// SigningFile, in the keys folder, maps key file names (without .pfx) to
// how they sign ([Signing] in its text form). Keys it does not name sign
// with SHA-256 and, for RSA, PKCS#1 v1.5.
const SigningFile = "signing.json"

// Signing is how a key signs a CMS: the digest and, for RSA keys, the
// padding. The zero value is SHA-256 (with PKCS#1 v1.5 for RSA), what
// E-IMZO's RSA and ECDSA keys do. The set is the one Chrome's
// certificateProvider lets a token announce (RSASSA-PKCS1-v1_5 and
// RSASSA-PSS over SHA-256/384/512), with ECDSA over the same digests;
// SHA-1 is left out, as the backend refuses it. GOST keys always sign with
// GOST R 34.11-94 and take only the zero value.
type Signing struct {
	Hash crypto.Hash // 0 (= SHA-256), crypto.SHA256, SHA384 or SHA512
	PSS  bool        // RSASSA-PSS (RFC 8017 §8.1) instead of PKCS#1 v1.5; RSA keys only
}

// Signings lists every signing in its text form, default first.
var Signings = []string{"sha256", "sha384", "sha512", "pss-sha256", "pss-sha384", "pss-sha512"}

// ParseSigning reads a signing's text form: sha256 (or ""), sha384,
// sha512, pss-sha256, pss-sha384 or pss-sha512.
func ParseSigning(s string) (Signing, error) {
	var sg Signing
	rest, pss := strings.CutPrefix(strings.ToLower(strings.TrimSpace(s)), "pss-")
	sg.PSS = pss
	switch rest {
	case "", "sha256":
		if pss && rest == "" {
			break
		}
		sg.Hash = crypto.SHA256
		return sg.normal(), nil
	case "sha384":
		sg.Hash = crypto.SHA384
		return sg, nil
	case "sha512":
		sg.Hash = crypto.SHA512
		return sg, nil
	}
	return Signing{}, fmt.Errorf("softtoken: unknown signing %q (want one of %s)", s, strings.Join(Signings, ", "))
}

// normal maps SHA-256 to the zero hash, so equal signings compare equal.
func (sg Signing) normal() Signing {
	if sg.Hash == crypto.SHA256 {
		sg.Hash = 0
	}
	return sg
}

// IsZero reports the default (SHA-256, PKCS#1 v1.5).
func (sg Signing) IsZero() bool { return sg.normal() == Signing{} }

// String is the text form ParseSigning reads.
func (sg Signing) String() string {
	h := map[crypto.Hash]string{0: "sha256", crypto.SHA256: "sha256", crypto.SHA384: "sha384", crypto.SHA512: "sha512"}[sg.Hash]
	if h == "" {
		h = sg.Hash.String()
	}
	if sg.PSS {
		return "pss-" + h
	}
	return h
}

// MarshalText writes the text form (JSON strings).
func (sg Signing) MarshalText() ([]byte, error) { return []byte(sg.String()), nil }

// UnmarshalText reads the text form.
func (sg *Signing) UnmarshalText(b []byte) error {
	v, err := ParseSigning(string(b))
	if err != nil {
		return err
	}
	*sg = v
	return nil
}

// Check refuses a signing the key cannot do: PSS on a key that is not RSA,
// anything but the default on a GOST key (or any key that is neither RSA
// nor ECDSA), a digest outside SHA-256/384/512.
func (sg Signing) Check(pub crypto.PublicKey) error {
	switch sg.Hash {
	case 0, crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return fmt.Errorf("softtoken: signing with %v: only SHA-256, SHA-384 and SHA-512", sg.Hash)
	}
	switch pub.(type) {
	case *rsa.PublicKey:
		return nil
	case *ecdsa.PublicKey:
		if sg.PSS {
			return errors.New("softtoken: RSASSA-PSS needs an RSA key, this one is ECDSA")
		}
		return nil
	}
	// GOST keys (and what crypto/x509 does not parse, which is how a
	// GOST certificate's key looks to it) sign one way only.
	if !sg.IsZero() {
		return errors.New("softtoken: GOST keys sign with GOST R 34.11-94 only; leave signing out")
	}
	return nil
}

// readSignings reads SigningFile: a missing file names no key.
func readSignings(path string) (map[string]string, error) {
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

// setSigningFile records (or, for the default, forgets) a key's signing in
// SigningFile; fileMu is held.
func (s *Store) setSigningFile(name string, sg Signing) error {
	path := filepath.Join(s.dir, SigningFile)
	m, err := readSignings(path)
	if err != nil {
		return err
	}
	if _, had := m[name]; !had && sg.IsZero() {
		return nil
	}
	if sg.IsZero() {
		delete(m, name)
	} else {
		m[name] = sg.String()
	}
	data, _ := json.MarshalIndent(m, "", "  ")
	return testpki.WriteFileAtomic(path, data, 0o644)
}

// Signing returns how a key file signs.
func (s *Store) Signing(name string) (Signing, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.entryLocked(name); e != nil {
		return e.signing, true
	}
	return Signing{}, false
}

// SetSigning changes how a key file signs, from its next signature on
// (key ids already unlocked included). It is recorded in SigningFile.
func (s *Store) SetSigning(name string, sg Signing) error {
	s.refresh()
	s.mu.Lock()
	e := s.entryLocked(name)
	s.mu.Unlock()
	if e == nil {
		return fmt.Errorf("softtoken: no key file %q", name)
	}
	if err := sg.Check(e.cert.PublicKey); err != nil {
		return err
	}
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	if err := s.setSigningFile(name, sg); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e.signing = sg.normal()
	for _, sess := range s.sessions {
		if sess.entry == e && sess.key != nil {
			k := *sess.key
			k.Signing = e.signing
			sess.key = &k
		}
	}
	s.stamp = folderStamp(s.dir)
	return nil
}
