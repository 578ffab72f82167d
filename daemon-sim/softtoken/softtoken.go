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

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken/pfx"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// PasswordsFile, in the keys folder, maps key file names (without .pfx) to
// their passwords: what the simulated user remembers.
const PasswordsFile = "passwords.json"

// DefaultDisk and DefaultPath are where the keys folder appears on the wire
// in the default (Windows) layout: C:\DSKEYS\<name>.pfx.
const (
	DefaultDisk = `C:\`
	DefaultPath = "DSKEYS"
)

// Failure is a daemon error: a status code, the arguments of its reason,
// and for some failures a cause the simulator reports in its event log.
type Failure struct {
	Status capiws.Status
	Args   []string
	Cause  string // e.g. CauseWrongPassword; never a secret
}

// Causes of failures that share a status.
const (
	CauseCancelled     = "cancelled"
	CauseWrongPassword = "wrong_password"
	CausePINLocked     = "MAX_ATTEMPTS_EXCEEDED"
	CauseBlocked       = "blocked"
	CauseDialogBusy    = "dialog_busy"
)

func (f *Failure) Error() string {
	if f.Status == capiws.StatusRuntime && len(f.Args) > 0 {
		return "softtoken: status -9999: " + f.Args[0]
	}
	return "softtoken: status " + f.Status.String() + ": " + f.Status.Reason(capiws.LangRU, f.Args...)
}

func fail(s capiws.Status, args ...string) error { return &Failure{Status: s, Args: args} }

// failText is a -9999 failure with free text.
func failText(text, cause string) error {
	return &Failure{Status: capiws.StatusRuntime, Args: []string{text}, Cause: cause}
}

// KeyFile is one key as pfx.list_all_certificates lists it.
type KeyFile struct {
	Disk  string `json:"disk"`
	Path  string `json:"path"`
	Name  string `json:"name"`
	Alias string `json:"alias"`
}

// entry is a key file the store has read.
type entry struct {
	name     string
	alias    string
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

// Layout is how the keys folder appears on the wire: the "disks" of
// PROTOCOL.md §4.1.
type Layout string

// Layouts.
const (
	Windows Layout = "windows" // disk C:\, path DSKEYS
	Linux   Layout = "linux"   // disk /media/, path DSKEYS (keys in /media/DSKEYS)
	// MacOS lists disk /Volumes/ with path DSKEYS and disk /Volumes/DSKEYS/
	// with path "": the same key twice, as the real daemon does on macOS.
	MacOS Layout = "macos"
)

// ParseLayout returns the layout named s.
func ParseLayout(s string) (Layout, error) {
	switch l := Layout(s); l {
	case Windows, Linux, MacOS:
		return l, nil
	}
	return "", fmt.Errorf("softtoken: unknown layout %q (want windows, linux or macos)", s)
}

type location struct{ disk, path string }

func (l Layout) locations() []location {
	switch l {
	case Linux:
		return []location{{"/media/", DefaultPath}}
	case MacOS:
		return []location{{"/Volumes/", DefaultPath}, {"/Volumes/" + DefaultPath + "/", ""}}
	}
	return []location{{DefaultDisk, DefaultPath}}
}

// Disks returns the disks pfx.list_disks reports.
func (l Layout) Disks() []string {
	var out []string
	for _, loc := range l.locations() {
		if len(out) == 0 || out[len(out)-1] != loc.disk {
			out = append(out, loc.disk)
		}
	}
	return out
}

// filePath is the daemon's absolute path of a key file.
func (loc location) filePath(name string) string {
	sep := "/"
	if strings.HasSuffix(loc.disk, `\`) {
		sep = `\`
	}
	p := loc.disk
	if loc.path != "" {
		p += loc.path + sep
	}
	return p + name + ".pfx"
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

// SessionType is a key id's type, as load functions report it.
type SessionType string

// Session types. The device ones are not documented ([?] in PROTOCOL.md
// §4): these names are the simulator's choice.
const (
	PFXSession     SessionType = "PFX_KEY_STORE"
	KeyPairSession SessionType = "KEY_PAIR"
	FTJCSession    SessionType = "FTJC_KEY_STORE"
)

type session struct {
	id       string
	typ      SessionType
	entry    *entry        // PFXSession
	device   *Device       // FTJCSession
	pair     crypto.Signer // KeyPairSession
	created  time.Time
	key      *Key      // set while unlocked
	unlocked time.Time // until when the password is cached
}

// Store is a folder of PKCS#12 key files, the key sessions opened on them,
// the virtual devices plugged in, and the simulated user who answers their
// dialogs.
type Store struct {
	dir        string
	now        func() time.Time
	sleep      func(ctx context.Context, d time.Duration) error
	user       User
	sessionTTL time.Duration
	defLayout  Layout

	fileMu sync.Mutex // serialises writes to the folder

	mu         sync.Mutex
	layout     Layout
	entries    []*entry
	skipped    []string
	stamp      string // what the folder looked like at the last scan
	sessions   map[string]*session
	order      []string // session ids, oldest first
	devices    []*Device
	devSeq     int
	scripts    map[string]*scriptState
	modal      *dialog // the open dialog, if any
	dlgSeq     int64
	dlgChanged chan struct{} // closed when the dialog opens, changes or closes
}

// Option configures [Open].
type Option func(*Store)

// WithClock sets the clock for password caches and key id lifetimes.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithUser sets who answers dialogs for keys and devices without a
// [Script]. The default types the right password or PIN at once.
func WithUser(u User) Option { return func(s *Store) { s.user = u } }

// WithLayout sets how the keys folder appears on the wire.
func WithLayout(l Layout) Option { return func(s *Store) { s.defLayout, s.layout = l, l } }

// WithSessionTTL makes key ids expire d after pfx.load_key (-1010 after
// that); zero, the default, keeps them until unloaded or until 4096 newer
// ones push them out.
func WithSessionTTL(d time.Duration) Option { return func(s *Store) { s.sessionTTL = d } }

// Open reads every .pfx file in dir whose password is known.
func Open(dir string, opts ...Option) (*Store, error) {
	s := &Store{
		dir: dir, now: time.Now, sleep: sleepCtx, user: RightAnswer{}, defLayout: Windows, layout: Windows,
		sessions: map[string]*session{}, scripts: map[string]*scriptState{},
	}
	for _, o := range opts {
		o(s)
	}
	return s, s.Rescan()
}

// Dir is the keys folder.
func (s *Store) Dir() string { return s.dir }

// Layout returns the current layout.
func (s *Store) Layout() Layout {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.layout
}

// SetLayout changes how the keys folder appears on the wire.
func (s *Store) SetLayout(l Layout) {
	s.mu.Lock()
	s.layout = l
	s.mu.Unlock()
}

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
		entries = append(entries, &entry{name: name, alias: testpki.Alias(cert), fullPath: full, cert: cert, password: pw})
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
// open with the password.
func (s *Store) Add(name string, file []byte, password string) error {
	if !ValidName(name) {
		return fail(capiws.StatusBadFileName)
	}
	if _, _, _, err := pfx.Decode(file, password); err != nil {
		return fmt.Errorf("softtoken: %s: not a PKCS#12 file that opens with the given password: %w", name, err)
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

// Load opens a key session without asking for the password, as pfx.load_key
// does: it only checks that the file exists and holds the alias.
func (s *Store) Load(disk, path, name, alias string) (string, error) {
	if path != "" && path != DefaultPath {
		return "", fail(capiws.StatusBadPath)
	}
	if !s.knownDisk(disk) {
		return "", fail(capiws.StatusDiskNotFound)
	}
	s.refresh()
	s.mu.Lock()
	defer s.mu.Unlock()
	var loc *location
	for _, l := range s.layout.locations() {
		if l.disk == disk && l.path == path {
			loc = &l
		}
	}
	found := s.entryLocked(name)
	if loc == nil || found == nil {
		return "", fail(capiws.StatusPFXFileMissing)
	}
	if !strings.EqualFold(found.alias, alias) {
		return "", fail(capiws.StatusAliasNotFound, alias, loc.filePath(name))
	}
	return s.newSessionLocked(&session{typ: PFXSession, entry: found}), nil
}

func (s *Store) newSessionLocked(sess *session) string {
	sess.id = newID()
	sess.created = s.now()
	s.sessions[sess.id] = sess
	s.order = append(s.order, sess.id)
	for len(s.order) > maxSessions {
		delete(s.sessions, s.order[0])
		s.order = s.order[1:]
	}
	return sess.id
}

// sessionLocked returns a live session.
func (s *Store) sessionLocked(id string) (*session, bool) {
	sess, ok := s.sessions[id]
	if ok && s.sessionTTL > 0 && s.now().Sub(sess.created) >= s.sessionTTL {
		delete(s.sessions, id)
		return nil, false
	}
	return sess, ok
}

// SessionInfo describes a key id.
type SessionInfo struct {
	Type SessionType
	Name string // the key file name or device id
}

// Session describes a live key id.
func (s *Store) Session(id string) (SessionInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessionLocked(id)
	if !ok {
		return SessionInfo{}, false
	}
	info := SessionInfo{Type: sess.typ}
	switch {
	case sess.entry != nil:
		info.Name = sess.entry.name
	case sess.device != nil:
		info.Name = sess.device.ID
	}
	return info, true
}

// Unload ends a key id of type typ: -1014 (PFX) or -1013 (other types) when
// there is no such id of that type.
func (s *Store) Unload(id string, typ SessionType) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessionLocked(id)
	if !ok || sess.typ != typ {
		return typeNotFound(typ)
	}
	delete(s.sessions, id)
	return nil
}

func typeNotFound(typ SessionType) error {
	if typ == PFXSession {
		return fail(capiws.StatusPFXIDNotFound, string(typ))
	}
	return fail(capiws.StatusYTKSIDNotFound, string(typ))
}

// Unlock returns the key of a key id, running the password dialog when the
// password is not cached (or the PIN dialog for a token's key id). -1010
// for an unknown id, -1015 for a key pair without a certificate.
func (s *Store) Unlock(ctx context.Context, id string) (*Key, error) {
	s.mu.Lock()
	sess, ok := s.sessionLocked(id)
	if !ok {
		s.mu.Unlock()
		return nil, fail(capiws.StatusKeyIDNotFound)
	}
	if sess.key != nil && s.now().Before(sess.unlocked) {
		k := sess.key
		s.mu.Unlock()
		return k, nil
	}
	s.mu.Unlock()
	switch sess.typ {
	case KeyPairSession:
		return nil, fail(capiws.StatusIDNotForKey)
	case FTJCSession:
		return s.UnlockDevice(ctx, sess.device)
	}
	dlg, err := s.openDialog()
	if err != nil {
		return nil, err
	}
	defer s.closeDialog(dlg)
	key, remember, err := s.passwordDialog(ctx, dlg, sess.entry)
	if err != nil {
		return nil, err
	}
	ttl := CacheShort
	if remember {
		ttl = CacheLong
	}
	s.mu.Lock()
	sess.key, sess.unlocked = key, s.now().Add(ttl)
	s.mu.Unlock()
	return key, nil
}

// VerifyPassword always runs the password dialog, and never caches the
// answer (pfx.verify_password).
func (s *Store) VerifyPassword(ctx context.Context, id string) error {
	return s.passwordThen(ctx, id, nil)
}

// passwordThen opens the dialog for a PFX key id, asks its password, and
// with the right one runs then (when not nil) while the dialog is open.
func (s *Store) passwordThen(ctx context.Context, id string, then func(d *dialog, e *entry) error) error {
	sess, err := s.pfxSession(id)
	if err != nil {
		return err
	}
	dlg, err := s.openDialog()
	if err != nil {
		return err
	}
	defer s.closeDialog(dlg)
	if _, _, err := s.passwordDialog(ctx, dlg, sess.entry); err != nil || then == nil {
		return err
	}
	return then(dlg, sess.entry)
}

func (s *Store) pfxSession(id string) (*session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessionLocked(id)
	if !ok || sess.typ != PFXSession {
		return nil, typeNotFound(PFXSession)
	}
	return sess, nil
}

// ChangePassword runs pfx.change_password's dialogs (current password, new
// password, confirmation) and re-encrypts the key file with the new
// password: -5000 when cancelled or after three wrong passwords, -5004 when
// the confirmation differs. The file and PasswordsFile are replaced
// atomically, so a failure leaves the old file whole.
func (s *Store) ChangePassword(ctx context.Context, id string) error {
	return s.passwordThen(ctx, id, func(dlg *dialog, e *entry) error {
		newPW, err := s.newPasswordDialog(ctx, dlg, e)
		if err != nil {
			return err
		}
		return s.rewrite(e, newPW)
	})
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

// Known reports whether id is a live key id.
func (s *Store) Known(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sessionLocked(id)
	return ok
}

// Reset forgets every key id, script and device, closes no dialog (the
// calls waiting in one end when their clients go), and restores the
// layout given to [Open].
func (s *Store) Reset() {
	s.mu.Lock()
	s.sessions = map[string]*session{}
	s.order = nil
	s.devices = nil
	s.scripts = map[string]*scriptState{}
	s.layout = s.defLayout
	s.mu.Unlock()
}

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("softtoken: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}
