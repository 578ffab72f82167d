package softtoken

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/wasm/capiws"
)

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
