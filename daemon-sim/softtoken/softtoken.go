package softtoken

import (
	"context"
	"crypto"
	"crypto/x509"
	"sync"
	"time"

	"github.com/eimzokit/eimzokit/wasm/capiws"
)

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
	password string  // what the simulated user types; never logged
	signing  Signing // from SigningFile
}

// Key is an unlocked key, ready to sign.
type Key struct {
	Signer crypto.Signer
	Cert   *x509.Certificate
	Chain  []*x509.Certificate // issuing CA, then root, as stored in the file
	// Signing is how the daemon signs with it (digest, RSA padding).
	Signing Signing
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
