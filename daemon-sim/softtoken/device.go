package softtoken

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// DeviceKind is a kind of signing device the daemon knows (PROTOCOL.md §4.4).
type DeviceKind string

// Device kinds. The wire names are the plugin ids.
const (
	IDCard  DeviceKind = "idcard" // E-IMZO ID card in a reader
	BAIK    DeviceKind = "baikey" // BAIK USB token
	UzGuard DeviceKind = "uzgrd"  // UZGUARD USB token
	FTJC    DeviceKind = "ftjc"   // legacy FT JavaCard token (v5 profile)
)

// DeviceKinds lists every kind.
var DeviceKinds = []DeviceKind{IDCard, BAIK, UzGuard, FTJC}

// ParseDeviceKind returns the kind named s.
func ParseDeviceKind(s string) (DeviceKind, error) {
	for _, k := range DeviceKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("softtoken: unknown device kind %q (want idcard, baikey, uzgrd or ftjc)", s)
}

// Default PIN policy of a virtual device.
const (
	DefaultPIN         = "12345678"
	DefaultPUK         = "87654321"
	DefaultPINAttempts = 3
	DefaultPUKAttempts = 10
)

// Device is a virtual signing device: a key behind a PIN, with a counter of
// PIN attempts left that survives across calls, a lockout when it reaches
// zero, and a PUK that unblocks it (the chrome.certificateProvider model:
// INVALID_PIN, MAX_ATTEMPTS_EXCEEDED, PUK requests).
type Device struct {
	ID          string     `json:"id"`
	Kind        DeviceKind `json:"kind"`
	Name        string     `json:"name"`   // the reader's or token's name as listed
	Serial      string     `json:"serial"` // the card UID or token serial
	PIN         string     `json:"-"`
	PUK         string     `json:"-"`
	PINAttempts int        `json:"pin_attempts"`
	PUKAttempts int        `json:"puk_attempts"`
	Key         *Key       `json:"-"`

	pinLeft, pukLeft int
	blocked          bool
	pinSaved         bool
}

// DeviceInfo is a device's state, without secrets.
type DeviceInfo struct {
	ID       string     `json:"id"`
	Kind     DeviceKind `json:"kind"`
	Name     string     `json:"name"`
	Serial   string     `json:"serial"`
	Alias    string     `json:"alias"`
	PINLeft  int        `json:"pin_attempts_left"`
	PUKLeft  int        `json:"puk_attempts_left"`
	Locked   bool       `json:"pin_locked"`
	Blocked  bool       `json:"blocked"`
	PINSaved bool       `json:"pin_saved"`
}

func (d *Device) info() DeviceInfo {
	alias := ""
	if d.Key != nil {
		alias = testpki.Alias(d.Key.Cert)
	}
	return DeviceInfo{ID: d.ID, Kind: d.Kind, Name: d.Name, Serial: d.Serial, Alias: alias,
		PINLeft: d.pinLeft, PUKLeft: d.pukLeft, Locked: d.pinLeft == 0, Blocked: d.blocked, PINSaved: d.pinSaved}
}

var defaultNames = map[DeviceKind]string{
	IDCard:  "ACS ACR39U ICC Reader",
	BAIK:    "BAIK Token",
	UzGuard: "UZGUARD Token",
	FTJC:    "FT JavaCard Token",
}

// Plug plugs a device in. Empty fields get defaults (PIN DefaultPIN, three
// PIN attempts, ten PUK attempts, an id like "idcard-1").
func (s *Store) Plug(d Device) (DeviceInfo, error) {
	if _, err := ParseDeviceKind(string(d.Kind)); err != nil {
		return DeviceInfo{}, err
	}
	if d.Key == nil || d.Key.Signer == nil || d.Key.Cert == nil {
		return DeviceInfo{}, errors.New("softtoken: a device needs a key and its certificate")
	}
	if err := d.Key.Signing.Check(d.Key.Signer.Public()); err != nil {
		return DeviceInfo{}, err
	}
	if d.PIN == "" {
		d.PIN = DefaultPIN
	}
	if d.PUK == "" {
		d.PUK = DefaultPUK
	}
	if d.PINAttempts <= 0 {
		d.PINAttempts = DefaultPINAttempts
	}
	if d.PUKAttempts <= 0 {
		d.PUKAttempts = DefaultPUKAttempts
	}
	if d.Serial == "" {
		d.Serial = strings.ToUpper(d.Key.Cert.SerialNumber.Text(16))
	}
	d.pinLeft, d.pukLeft = d.PINAttempts, d.PUKAttempts
	s.mu.Lock()
	defer s.mu.Unlock()
	s.devSeq++
	if d.ID == "" {
		d.ID = string(d.Kind) + "-" + strconv.Itoa(s.devSeq)
	}
	if d.Name == "" {
		d.Name = defaultNames[d.Kind] + " " + strconv.Itoa(s.devSeq-1)
	}
	for _, x := range s.devices {
		if x.ID == d.ID {
			return DeviceInfo{}, fmt.Errorf("softtoken: a device %q is already plugged in", d.ID)
		}
	}
	dev := d
	s.devices = append(s.devices, &dev)
	return dev.info(), nil
}

// Unplug removes a device; key ids opened on it stop working.
func (s *Store) Unplug(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, d := range s.devices {
		if d.ID == id {
			s.devices = append(s.devices[:i], s.devices[i+1:]...)
			for sid, sess := range s.sessions {
				if sess.device == d {
					delete(s.sessions, sid)
				}
			}
			return true
		}
	}
	return false
}

// Devices returns the plugged devices of the given kinds (all when none
// are given), in the order they were plugged.
func (s *Store) Devices(kinds ...DeviceKind) []DeviceInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []DeviceInfo{}
	for _, d := range s.devices {
		if len(kinds) == 0 || hasKind(kinds, d.Kind) {
			out = append(out, d.info())
		}
	}
	return out
}

func hasKind(kinds []DeviceKind, k DeviceKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// FirstDevice returns the first plugged device of the given kinds: what
// create_pkcs7 signs with for the ids "idcard", "baikey" and "ckc" (the
// simulated user picks the first device in the CKC chooser). -9999
// "Устройство не найдено" when none is plugged in.
func (s *Store) FirstDevice(kinds ...DeviceKind) (*Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.devices {
		if hasKind(kinds, d.Kind) {
			return d, nil
		}
	}
	return nil, failText(capiws.ReasonDeviceNotFound, "")
}

// ClearSavedPINs forgets the PINs saved for devices of the given kinds
// (*.clear_saved_pin_codes).
func (s *Store) ClearSavedPINs(kinds ...DeviceKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.devices {
		if hasKind(kinds, d.Kind) {
			d.pinSaved = false
		}
	}
}

// LoadDevice opens a key id on a legacy token by its serial (ftjc.load_key).
func (s *Store) LoadDevice(serial string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.devices {
		if d.Kind == FTJC && strings.EqualFold(d.Serial, serial) {
			return s.newSessionLocked(&session{typ: FTJCSession, device: d}), nil
		}
	}
	return "", failText(capiws.ReasonDeviceNotFound, "")
}

// DeviceOf returns the device behind a token key id.
func (s *Store) DeviceOf(id string) (*Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessionLocked(id)
	if !ok || sess.typ != FTJCSession {
		return nil, typeNotFound(FTJCSession)
	}
	return sess.device, nil
}

// Texts of device failures (-9999). The real daemon's texts are not
// documented; these are the simulator's.
const (
	ReasonPINLocked     = "PIN-код заблокирован. Разблокируйте устройство PUK-кодом"
	ReasonDeviceBlocked = "Устройство заблокировано"
)

// UnlockDevice runs the PIN dialog of a device, unless its PIN is saved.
// A wrong PIN costs one of the device's attempts; at zero the call fails
// (-9999, MAX_ATTEMPTS_EXCEEDED) and the next dialog asks for the PUK,
// which resets the counter. Running out of PUK attempts blocks the device
// for good. A cancel is -5000.
func (s *Store) UnlockDevice(ctx context.Context, d *Device) (*Key, error) {
	s.mu.Lock()
	if d.blocked {
		s.mu.Unlock()
		return nil, failText(ReasonDeviceBlocked, CauseBlocked)
	}
	if d.pinSaved {
		s.mu.Unlock()
		return d.Key, nil
	}
	s.mu.Unlock()
	dlg, err := s.openDialog()
	if err != nil {
		return nil, err
	}
	defer s.closeDialog(dlg)
	shown := ""
	for attempt := 1; ; attempt++ {
		s.mu.Lock()
		pinLeft, pukLeft := d.pinLeft, d.pukLeft
		s.mu.Unlock()
		if pinLeft == 0 {
			if shown == "" {
				shown = ShowMaxAttemptsReached
			}
			p := Prompt{Kind: AskPUK, Target: d.ID, Attempt: attempt, AttemptsLeft: pukLeft, Error: shown}
			ans, _, err := s.ask(ctx, dlg, p, d.PUK, wrongInput(d.PUK))
			if err != nil {
				return nil, err
			}
			if ans.Cancel {
				return nil, &Failure{Status: capiws.StatusPasswordCancelled, Cause: CauseCancelled}
			}
			s.mu.Lock()
			if ans.Input == d.PUK {
				d.pinLeft, d.pukLeft, shown = d.PINAttempts, d.PUKAttempts, ""
				s.mu.Unlock()
				continue
			}
			d.pukLeft--
			blocked := d.pukLeft == 0
			d.blocked = blocked
			s.mu.Unlock()
			if blocked {
				return nil, failText(ReasonDeviceBlocked, CauseBlocked)
			}
			shown = ShowInvalidPUK
			continue
		}
		p := Prompt{Kind: AskPIN, Target: d.ID, Attempt: attempt, AttemptsLeft: pinLeft, Error: shown}
		ans, _, err := s.ask(ctx, dlg, p, d.PIN, wrongInput(d.PIN))
		if err != nil {
			return nil, err
		}
		if ans.Cancel {
			return nil, &Failure{Status: capiws.StatusPasswordCancelled, Cause: CauseCancelled}
		}
		s.mu.Lock()
		if ans.Input == d.PIN {
			d.pinLeft = d.PINAttempts
			d.pinSaved = d.pinSaved || ans.Remember
			s.mu.Unlock()
			return d.Key, nil
		}
		d.pinLeft--
		locked := d.pinLeft == 0
		s.mu.Unlock()
		if locked {
			return nil, failText(ReasonPINLocked, CausePINLocked)
		}
		shown = ShowInvalidPIN
	}
}
