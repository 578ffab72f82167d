package sim

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/ws"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// FaultKind is a kind of misbehaviour the simulator can be told to show.
type FaultKind string

// Fault kinds.
const (
	// FaultRefuse resets connections before the handshake (the browser
	// reports 1006, as when no daemon runs). It matches connections, not
	// calls: Plugin, Function, Key and Domain are ignored.
	FaultRefuse FaultKind = "refuse"
	// FaultClose closes with Code (0: a close frame without a status,
	// which browsers report as 1005) and Reason, instead of the reply or,
	// with After, after it.
	FaultClose FaultKind = "close"
	// FaultDrop resets the TCP connection (1006 in the browser), instead
	// of the reply or, with After, after it.
	FaultDrop FaultKind = "drop"
	// FaultMalformed cuts the reply in the middle: not JSON.
	FaultMalformed FaultKind = "malformed"
	// FaultBinary sends the reply as a binary frame.
	FaultBinary FaultKind = "binary"
	// FaultDelay waits Delay before replying.
	FaultDelay FaultKind = "delay"
	// FaultHang never replies; the connection stays open until the client
	// leaves.
	FaultHang FaultKind = "hang"
	// FaultOversized pads the reply to Size bytes (default 64 MiB + 1).
	FaultOversized FaultKind = "oversized"
	// FaultStatus answers with a failure: Status, and Reason or the
	// status's reason in the current language (%s is the caller's domain,
	// or for apikey the first domain asked).
	FaultStatus FaultKind = "status"
	// FaultVersion makes the version function report Version.
	FaultVersion FaultKind = "version"
)

var faultKinds = []FaultKind{FaultRefuse, FaultClose, FaultDrop, FaultMalformed, FaultBinary, FaultDelay, FaultHang, FaultOversized, FaultStatus, FaultVersion}

// Fault is a misbehaviour applied to the calls it matches. Empty match
// fields match everything.
type Fault struct {
	ID   int       `json:"id"`
	Kind FaultKind `json:"kind"`

	Plugin   string `json:"plugin,omitempty"`   // "main" for the unnamed plugin
	Function string `json:"function,omitempty"` // function name
	Key      string `json:"key,omitempty"`      // key file name, device id or device kind the call uses
	Domain   string `json:"domain,omitempty"`   // the caller's domain
	Times    int    `json:"times,omitempty"`    // how many calls to hit; 0 = until removed

	After   bool               `json:"after,omitempty"`
	Code    int                `json:"code,omitempty"`
	Reason  string             `json:"reason,omitempty"`
	Delay   softtoken.Duration `json:"delay,omitempty"`
	Size    int                `json:"size,omitempty"`
	Status  int                `json:"status,omitempty"`
	Version *Version           `json:"version,omitempty"`

	Hits int `json:"hits"`
}

func (f *Fault) validate() error {
	if !slices.Contains(faultKinds, f.Kind) {
		return errorf("unknown fault kind %q", f.Kind)
	}
	switch {
	case f.Times < 0:
		return errorf("times must not be negative")
	case f.Kind == FaultClose && f.Code != 0 && (f.Code < 1000 || f.Code > 4999 || f.Code == 1005 || f.Code == 1006):
		return errorf("close code %d cannot be sent", f.Code)
	case f.Kind == FaultVersion && (f.Version == nil || f.Version.Major == "" || f.Version.Minor == ""):
		return errorf("a version fault needs version.major and version.minor")
	case f.Kind == FaultStatus && f.Status == 1:
		return errorf("a status fault needs a failure status")
	case f.Kind == FaultOversized && f.Size < 0, f.Delay < 0:
		return errorf("negative size or delay")
	}
	return nil
}

// AddFault installs a fault and returns it with its id.
func (s *Server) AddFault(f Fault) (Fault, error) {
	if err := f.validate(); err != nil {
		return Fault{}, err
	}
	if f.Kind == FaultOversized && f.Size == 0 {
		f.Size = capiws.MaxFrameBytes + 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultSeq++
	f.ID, f.Hits = s.faultSeq, 0
	s.faults = append(s.faults, &f)
	return f, nil
}

// RemoveFault removes a fault; it reports whether it was there.
func (s *Server) RemoveFault(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.ID == id {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return true
		}
	}
	return false
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// Faults returns the installed faults.
func (s *Server) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, 0, len(s.faults))
	for _, f := range s.faults {
		out = append(out, *f)
	}
	return out
}

// matches reports whether f applies to c.
func (f *Fault) matches(c *call) bool {
	if f.Kind == FaultRefuse {
		return false
	}
	plugin := c.req.Plugin
	if plugin == "" {
		plugin = "main"
	}
	switch {
	case f.Plugin != "" && f.Plugin != plugin:
		return false
	case f.Function != "" && f.Function != c.req.Name:
		return false
	case f.Domain != "" && !strings.EqualFold(f.Domain, c.domain):
		return false
	case f.Key != "" && f.Key != c.key && f.Key != c.keyKind:
		return false
	case f.Kind == FaultVersion && c.req.Name != "version":
		return false
	}
	return true
}

// take returns the first fault matching c, counting the hit.
func (s *Server) take(c *call) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.matches(c) {
			return s.hitLocked(i)
		}
	}
	return nil
}

func (s *Server) hitLocked(i int) *Fault {
	f := s.faults[i]
	f.Hits++
	hit := *f
	if f.Times > 0 && f.Hits >= f.Times {
		s.faults = append(s.faults[:i], s.faults[i+1:]...)
	}
	return &hit
}

// refusal returns the refuse fault that takes this connection, if any.
func (s *Server) refusal() *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Kind == FaultRefuse {
			return s.hitLocked(i)
		}
	}
	return nil
}

// refuse resets the connection without an answer.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, f *Fault) {
	s.events.add(s.now(), Event{Kind: EventRefused, Origin: r.Header.Get("Origin"), Domain: Domain(r.Header.Get("Origin")), Outcome: "fault:refuse", Fault: f.ID})
	nc, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "refused", http.StatusServiceUnavailable)
		return
	}
	_ = ws.Reset(nc)
}

// errorf makes a control error: "sim: detail".
func errorf(format string, args ...any) error { return fmt.Errorf("sim: "+format, args...) }

// ErrNotFound is returned when a fault, device or dialog does not exist.
var ErrNotFound = errors.New("sim: not found")
