package sim

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/ws"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// closeWait is how long the daemon waits for the client's answer to its
// close frame before it drops the TCP connection (RFC 6455 §7.1.1).
const closeWait = 3 * time.Second

// connState is what the daemon knows about a connection.
type connState struct {
	id     int64
	origin string
	domain string
	keep   bool // ?keepConnection: answer more than one frame
}

type wsMessage struct {
	op   ws.Opcode
	data []byte
}

// serveWS runs one WebSocket connection: one request and one reply, then a
// close frame 1000 "Done" (PROTOCOL.md §1.2), unless the URL asks to keep
// the connection. A goroutine reads the client's frames meanwhile, so a call
// waiting in a dialog learns when its client goes away.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	c, err := ws.Upgrade(w, r)
	if err != nil {
		return
	}
	if !s.track(c) {
		_ = c.Drop()
		return
	}
	defer s.untrack(c)
	c.SetReadLimit(capiws.MaxFrameBytes)
	cs := &connState{
		id: s.connSeq.Add(1), origin: r.Header.Get("Origin"),
		domain: Domain(r.Header.Get("Origin")), keep: r.URL.Query().Has("keepConnection"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	msgs := make(chan wsMessage)
	stop := make(chan struct{})
	stopReading := sync.OnceFunc(func() { close(stop) })
	readerDone := make(chan struct{})
	go s.readLoop(c, cs, msgs, stop, readerDone, cancel)
	defer func() {
		stopReading()
		_ = c.Close()
		<-readerDone
	}()
	for {
		var m wsMessage
		select {
		case m = <-msgs:
		case <-readerDone:
			return // the client went away
		}
		if m.op != ws.OpText {
			continue // binary frames are ignored
		}
		if ended := s.handle(ctx, c, cs, m.data); ended {
			return
		}
		if !cs.keep {
			// An explicit 1000: the official e-imzo.js reports any other
			// close code as an error, even after a successful reply.
			_ = c.WriteClose(ws.StatusNormal, capiws.CloseReasonDone)
			stopReading() // more frames are not answered; read on to the peer's close
			waitFor(readerDone, closeWait)
			return
		}
	}
}

// readLoop reads the client's frames until the connection ends, handing
// messages to the handler until stop is closed and discarding them after.
func (s *Server) readLoop(c *ws.Conn, cs *connState, msgs chan<- wsMessage, stop <-chan struct{}, done chan<- struct{}, cancel context.CancelFunc) {
	defer close(done)
	defer cancel()
	for {
		_ = c.SetReadDeadline(time.Now().Add(s.idle))
		op, data, err := c.ReadMessage()
		if err != nil {
			code := 0
			switch {
			case errors.Is(err, ws.ErrTooBig):
				code = ws.StatusTooBig
			case errors.Is(err, ws.ErrProtocol):
				code = ws.StatusProtocolError
			case errors.Is(err, ws.ErrInvalidUTF8):
				code = ws.StatusInvalidData
			}
			if code != 0 {
				s.events.add(s.now(), Event{Kind: EventBadFrame, Conn: cs.id, Origin: cs.origin, Domain: cs.domain,
					Outcome: "closed:" + strconv.Itoa(code), Reason: err.Error()})
				s.log.Info("frame", "conn", cs.id, "domain", cs.domain, "closed", code, "error", err.Error())
			}
			return
		}
		select {
		case msgs <- wsMessage{op, data}:
		case <-stop:
		}
	}
}

func waitFor(ch <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	}
}

// handle answers one request frame, applying a matching fault. It reports
// whether the connection has ended.
func (s *Server) handle(ctx context.Context, c *ws.Conn, cs *connState, frame []byte) bool {
	start := time.Now()
	cl := s.newCall(ctx, cs, frame)
	ev := &cl.ev
	recorded := false
	// record logs the call; it runs before a fault ends the connection, so
	// a client that saw the end finds the call in the event log.
	record := func() {
		if recorded {
			return
		}
		recorded = true
		ev.Millis = float64(time.Since(start).Microseconds()) / 1000
		s.events.add(s.now(), *ev)
		s.log.Info("call", "conn", cs.id, "plugin", ev.Plugin, "function", ev.Function, "domain", ev.Domain,
			"status", ev.Status, "outcome", ev.Outcome)
	}
	defer record()
	f := s.take(cl)
	if f != nil {
		ev.Fault = f.ID
	}
	var reply []byte
	switch {
	case f == nil:
	case f.Kind == FaultHang:
		ev.Outcome = "fault:hang"
		<-ctx.Done()
		return true
	case (f.Kind == FaultClose || f.Kind == FaultDrop) && !f.After:
		ev.Outcome = endOutcome(f)
		record()
		s.endWith(c, f)
		return true
	case f.Kind == FaultStatus:
		reply = s.faultStatus(cl, f)
	case f.Kind == FaultVersion:
		reply = s.reply(cl, versionMembers(*f.Version))
	}
	if reply == nil {
		reply = s.dispatch(cl)
	}
	if ctx.Err() != nil {
		ev.Outcome = "abandoned"
		return true
	}
	op := ws.OpText
	if f != nil {
		switch f.Kind {
		case FaultDelay:
			t := time.NewTimer(time.Duration(f.Delay))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				ev.Outcome = "abandoned"
				return true
			}
		case FaultMalformed:
			reply = reply[:len(reply)/2]
		case FaultOversized:
			reply = pad(reply, f.Size)
		case FaultBinary:
			op = ws.OpBinary
		}
		ev.Outcome = "fault:" + string(f.Kind)
	} else {
		ev.Outcome = "replied"
	}
	endAfter := f != nil && (f.Kind == FaultClose || f.Kind == FaultDrop)
	if endAfter {
		ev.Outcome = endOutcome(f) + " after reply"
	}
	// The call is in the event log before its reply leaves, so a client
	// that has the reply finds the call logged (tests read the log right
	// after a call returns).
	record()
	if err := c.WriteMessage(op, reply); err != nil {
		s.log.Info("call", "conn", cs.id, "function", ev.Function, "write", "failed")
		return true
	}
	if endAfter {
		s.endWith(c, f)
		return true
	}
	return false
}

func endOutcome(f *Fault) string {
	if f.Kind == FaultDrop {
		return "fault:drop"
	}
	return "fault:close:" + strconv.Itoa(f.Code)
}

// endWith applies a close or drop fault.
func (s *Server) endWith(c *ws.Conn, f *Fault) {
	if f.Kind == FaultDrop {
		_ = c.Drop()
		return
	}
	_ = c.WriteClose(f.Code, f.Reason)
}

// pad grows a JSON reply to size bytes with a "padding" member.
func pad(reply []byte, size int) []byte {
	const extra = len(`,"padding":""`)
	n := max(size-len(reply)-extra, 0)
	out := make([]byte, 0, len(reply)+extra+n)
	out = append(out, reply[:len(reply)-1]...)
	if reply[0] == '[' {
		out = append(out, `,"`...)
	} else {
		out = append(out, `,"padding":"`...)
	}
	out = append(out, strings.Repeat("x", n)...)
	out = append(out, '"', reply[len(reply)-1])
	return out
}
