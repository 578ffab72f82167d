// Package softtoken is the simulator's key store: PKCS#12 key files in a
// folder, presented as the daemon's "disks" (PROTOCOL.md §4.1), key sessions
// ("keyId") that survive across connections, and the password dialog of the
// real daemon played by a simulated user.
//
// Entry points: [Open] reads a folder of .pfx files, [Store.List] is
// pfx.list_all_certificates, [Store.Load] is pfx.load_key, and [Store.Unlock]
// runs the password dialog before a key signs. Failures are *[Failure]
// values carrying the daemon's status code.
//
// Passwords are checked for real: the dialog's answer decrypts the PKCS#12
// file, and nothing here writes a password to a log or an error.
package softtoken

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"software.sslmate.com/src/go-pkcs12"
)

// PasswordsFile, in the keys folder, maps key file names (without .pfx) to
// their passwords: what the simulated user remembers.
const PasswordsFile = "passwords.json"

// DefaultDisk and DefaultPath are where the keys folder appears on the wire:
// C:\DSKEYS\<name>.pfx, the most common layout on users' machines.
const (
	DefaultDisk = `C:\`
	DefaultPath = "DSKEYS"
)

// Failure is a daemon error: a status code and the arguments of its reason.
type Failure struct {
	Status capiws.Status
	Args   []string
}

func (f *Failure) Error() string {
	return "softtoken: status " + f.Status.String() + ": " + f.Status.Reason(capiws.LangRU, f.Args...)
}

func fail(s capiws.Status, args ...string) error { return &Failure{Status: s, Args: args} }

// KeyFile is one key as pfx.list_all_certificates lists it.
type KeyFile struct {
	Disk  string `json:"disk"`
	Path  string `json:"path"`
	Name  string `json:"name"`
	Alias string `json:"alias"`
}

// entry is a key file the store has read.
type entry struct {
	file     KeyFile
	fullPath string
	cert     *x509.Certificate
	password string // what the simulated user types; never logged
}

// Key is an unlocked key, ready to sign.
type Key struct {
	Signer crypto.Signer
	Cert   *x509.Certificate
	Chain  []*x509.Certificate // issuing CA, then root, as stored in the file
}

// Prompt is what the password dialog shows.
type Prompt struct {
	KeyName string // file name without .pfx
	Alias   string
	Attempt int // 1, 2 or 3
}

// Answer is what the simulated user does with a prompt.
type Answer struct {
	Password string
	Remember bool // "Запомнить на 6 час." ticked
	Cancel   bool
}

// User plays the person in front of the password dialog.
type User interface {
	AnswerPassword(ctx context.Context, p Prompt, correct string) (Answer, error)
}

// RightPassword is the default user: types the right password at once.
type RightPassword struct{}

// AnswerPassword returns the correct password.
func (RightPassword) AnswerPassword(_ context.Context, _ Prompt, correct string) (Answer, error) {
	return Answer{Password: correct}, nil
}

// Password cache lifetimes of the real dialog (PROTOCOL.md §4.1).
const (
	CacheShort = time.Minute
	CacheLong  = 6 * time.Hour
	// MaxAttempts is how many passwords the dialog takes before -5000.
	MaxAttempts = 3
	// maxSessions bounds the key ids kept in memory; the oldest go first.
	maxSessions = 4096
)

type session struct {
	id       string
	entry    *entry
	created  time.Time
	key      *Key      // set while unlocked
	unlocked time.Time // until when the password is cached
}

// Store is a folder of PKCS#12 key files.
type Store struct {
	dir  string
	disk string
	path string
	now  func() time.Time
	user User

	mu       sync.Mutex
	entries  []*entry
	sessions map[string]*session
	order    []string // session ids, oldest first
}

// Option configures [Open].
type Option func(*Store)

// WithClock sets the clock for the password cache.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithUser sets the simulated user who answers password dialogs.
func WithUser(u User) Option { return func(s *Store) { s.user = u } }

// Open reads every .pfx file in dir whose password is known.
func Open(dir string, opts ...Option) (*Store, error) {
	s := &Store{dir: dir, disk: DefaultDisk, path: DefaultPath, now: time.Now, user: RightPassword{}, sessions: map[string]*session{}}
	for _, o := range opts {
		o(s)
	}
	return s, s.Rescan()
}

// Rescan re-reads the folder. Sessions of keys that are still there survive.
func (s *Store) Rescan() error {
	passwords, err := readPasswords(filepath.Join(s.dir, PasswordsFile))
	if err != nil {
		return err
	}
	names, err := filepath.Glob(filepath.Join(s.dir, "*.pfx"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	var entries []*entry
	for _, full := range names {
		name := strings.TrimSuffix(filepath.Base(full), ".pfx")
		pw, ok := passwords[name]
		if !ok {
			continue // the simulated user does not know this key's password
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		_, cert, _, err := pkcs12.DecodeChain(data, pw)
		if err != nil {
			return fmt.Errorf("softtoken: %s: cannot open with the password in %s", filepath.Base(full), PasswordsFile)
		}
		entries = append(entries, &entry{
			file:     KeyFile{Disk: s.disk, Path: s.path, Name: name, Alias: testpki.Alias(cert)},
			fullPath: full, cert: cert, password: pw,
		})
	}
	s.mu.Lock()
	s.entries = entries
	s.mu.Unlock()
	return nil
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

// Add writes a new key file and its password, atomically.
func (s *Store) Add(name string, pfx []byte, password string) error {
	for _, c := range name {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return fail(capiws.StatusBadFileName)
		}
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return err
	}
	pwPath := filepath.Join(s.dir, PasswordsFile)
	passwords, err := readPasswords(pwPath)
	if err != nil {
		return err
	}
	full := filepath.Join(s.dir, name+".pfx")
	if _, err := os.Stat(full); err == nil {
		return fail(capiws.StatusKeyFileExists, full)
	}
	if err := testpki.WriteFileAtomic(full, pfx, 0o600); err != nil {
		return err
	}
	passwords[name] = password
	data, _ := json.MarshalIndent(passwords, "", "  ")
	if err := testpki.WriteFileAtomic(pwPath, data, 0o600); err != nil {
		return err
	}
	return s.Rescan()
}

// List returns every key, as pfx.list_all_certificates does.
func (s *Store) List() []KeyFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]KeyFile, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.file
	}
	return out
}

// Load opens a key session without asking for the password, as pfx.load_key
// does: it only checks that the file exists and holds the alias.
func (s *Store) Load(disk, path, name, alias string) (string, error) {
	if path != "" && path != DefaultPath {
		return "", fail(capiws.StatusBadPath)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if disk != s.disk {
		return "", fail(capiws.StatusDiskNotFound)
	}
	var found *entry
	for _, e := range s.entries {
		if e.file.Name == name && e.file.Path == path {
			found = e
			break
		}
	}
	if found == nil {
		return "", fail(capiws.StatusPFXFileMissing)
	}
	if !strings.EqualFold(found.file.Alias, alias) {
		return "", fail(capiws.StatusAliasNotFound, alias, found.fullPath)
	}
	id := newID()
	s.sessions[id] = &session{id: id, entry: found, created: s.now()}
	s.order = append(s.order, id)
	for len(s.order) > maxSessions {
		delete(s.sessions, s.order[0])
		s.order = s.order[1:]
	}
	return id, nil
}

// Unlock returns the key of session id, running the password dialog when
// the password is not cached: up to three attempts; a cancel or a third
// wrong password is -5000. Each answer is checked by decrypting the file.
func (s *Store) Unlock(ctx context.Context, id string) (*Key, error) {
	s.mu.Lock()
	sess, ok := s.sessions[id]
	if ok && sess.key != nil && s.now().Before(sess.unlocked) {
		k := sess.key
		s.mu.Unlock()
		return k, nil
	}
	s.mu.Unlock()
	if !ok {
		return nil, fail(capiws.StatusKeyIDNotFound)
	}
	data, err := os.ReadFile(sess.entry.fullPath)
	if err != nil {
		return nil, fail(capiws.StatusPFXFileMissing)
	}
	for attempt := 1; attempt <= MaxAttempts; attempt++ {
		ans, err := s.user.AnswerPassword(ctx, Prompt{KeyName: sess.entry.file.Name, Alias: sess.entry.file.Alias, Attempt: attempt}, sess.entry.password)
		if err != nil {
			return nil, err
		}
		if ans.Cancel {
			break
		}
		priv, cert, chain, err := pkcs12.DecodeChain(data, ans.Password)
		if err != nil {
			continue // "Пароль ключа неверный или файл ключа поврежден", shown in the dialog
		}
		signer, ok := priv.(crypto.Signer)
		if !ok {
			return nil, fail(capiws.StatusIDNotForKey)
		}
		key := &Key{Signer: signer, Cert: cert, Chain: chain}
		ttl := CacheShort
		if ans.Remember {
			ttl = CacheLong
		}
		s.mu.Lock()
		sess.key, sess.unlocked = key, s.now().Add(ttl)
		s.mu.Unlock()
		return key, nil
	}
	return nil, fail(capiws.StatusPasswordCancelled)
}

// Known reports whether id is a live key session.
func (s *Store) Known(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sessions[id]
	return ok
}

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("softtoken: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}
