// Package audit writes the backend's audit log: one JSON object per line,
// per login, logout, refresh, verification and time-stamp, saying who,
// which document (its SHA-256), from where, and the result.
//
// Entry point: [New] wraps a writer; [Logger.Log] writes an [Event]. It
// never writes a secret: JWTs, refresh tokens and challenges appear only as
// SHA-256 hashes, and callers pass no key material. A nil *Logger discards.
package audit

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Event is one audit record.
type Event struct {
	Time       time.Time `json:"time"`
	Event      string    `json:"event"`  // login, logout, refresh, verify, timestamp
	Result     string    `json:"result"` // "OK" or an error code
	Endpoint   string    `json:"endpoint"`
	Subject    string    `json:"subject,omitempty"` // PINFL, or serial:…
	Name       string    `json:"name,omitempty"`
	Serial     string    `json:"serial,omitempty"`  // signer certificate serial, hex
	Session    string    `json:"session,omitempty"` // SHA-256 of the session id
	Document   string    `json:"documentSha256,omitempty"`
	Challenge  string    `json:"challengeSha256,omitempty"`
	Indication string    `json:"indication,omitempty"`
	Level      string    `json:"level,omitempty"`
	Signers    int       `json:"signers,omitempty"`
	Origin     string    `json:"origin,omitempty"`
	Remote     string    `json:"remote,omitempty"`
	RealIP     string    `json:"realIp,omitempty"` // X-Real-IP, as a proxy reports it
}

// Logger writes events as JSON lines.
type Logger struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

// New returns a logger writing to w; now dates events (time.Now if nil).
func New(w io.Writer, now func() time.Time) *Logger {
	if now == nil {
		now = time.Now
	}
	return &Logger{w: w, now: now}
}

// Log writes e, dated now when e.Time is zero. Write errors are dropped:
// an audit sink failing must not fail the request (watch the sink).
func (l *Logger) Log(e Event) {
	if l == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = l.now().UTC()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(append(b, '\n'))
}
