package sim

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
)

// Event kinds.
const (
	EventCall     = "call"      // a request frame and what became of it
	EventRefused  = "refused"   // a connection reset by a refuse fault
	EventBadFrame = "bad_frame" // a frame broke the WebSocket rules or the size limit
)

// Event is one entry of the event log: every call received, with its
// outcome. It never holds arguments, passwords or PINs.
type Event struct {
	Seq      int64                   `json:"seq"`
	Time     time.Time               `json:"time"`
	Conn     int64                   `json:"conn"`
	Kind     string                  `json:"kind"`
	Plugin   string                  `json:"plugin"`
	Function string                  `json:"function"`
	Origin   string                  `json:"origin"`
	Domain   string                  `json:"domain"`
	Key      string                  `json:"key,omitempty"` // key file name or device id the call used
	Status   int                     `json:"status"`
	Success  bool                    `json:"success"`
	Reason   string                  `json:"reason,omitempty"`
	Cause    string                  `json:"cause,omitempty"` // e.g. wrong_password, cancelled, MAX_ATTEMPTS_EXCEEDED
	Outcome  string                  `json:"outcome"`         // replied, abandoned, fault:<kind>, closed:<code>
	Fault    int                     `json:"fault,omitempty"` // the fault applied
	Dialogs  []softtoken.DialogEvent `json:"dialogs,omitempty"`
	Millis   float64                 `json:"ms"`
}

// eventLog is a bounded log that readers can wait on.
type eventLog struct {
	mu      sync.Mutex
	limit   int
	seq     int64
	list    []Event
	changed chan struct{}
}

func (l *eventLog) add(now time.Time, e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	e.Seq = l.seq
	if e.Time.IsZero() {
		e.Time = now
	}
	l.list = append(l.list, e)
	if l.limit > 0 && len(l.list) > l.limit {
		l.list = append(l.list[:0:0], l.list[len(l.list)-l.limit:]...)
	}
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

func (l *eventLog) last() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq
}

func (l *eventLog) clear() {
	l.mu.Lock()
	l.list = nil
	l.mu.Unlock()
}

// since returns the events after seq, and a channel closed when more come.
func (l *eventLog) since(seq int64) ([]Event, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := sort.Search(len(l.list), func(i int) bool { return l.list[i].Seq > seq })
	out := append([]Event{}, l.list[i:]...)
	if l.changed == nil {
		l.changed = make(chan struct{})
	}
	return out, l.changed
}

// Events returns the logged events with a sequence number above since.
func (s *Server) Events(since int64) []Event {
	evs, _ := s.events.since(since)
	return evs
}

// WaitEvents returns the events after since, waiting until there is at
// least one or ctx ends.
func (s *Server) WaitEvents(ctx context.Context, since int64) []Event {
	for {
		evs, changed := s.events.since(since)
		if len(evs) > 0 {
			return evs
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return evs
		}
	}
}

// ClearEvents empties the event log; sequence numbers keep counting.
func (s *Server) ClearEvents() { s.events.clear() }
