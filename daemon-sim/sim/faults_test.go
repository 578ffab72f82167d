package sim_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// attempt is what a client saw: the reply (if any) and how the connection
// ended.
type attempt struct {
	dialErr error
	typ     websocket.MessageType
	raw     []byte
	readErr error
	code    websocket.StatusCode // -1: no close frame
}

func try(t *testing.T, url, frame string, wait time.Duration) attempt {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	h := http.Header{"Origin": {localhost}}
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return attempt{dialErr: err}
	}
	defer c.CloseNow()
	c.SetReadLimit(128 << 20)
	if err := c.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		t.Fatal(err)
	}
	var a attempt
	a.typ, a.raw, a.readErr = c.Read(ctx)
	a.code = websocket.CloseStatus(a.readErr)
	if a.readErr == nil {
		_, _, err = c.Read(ctx)
		a.code = websocket.CloseStatus(err)
	}
	return a
}

func TestFaults(t *testing.T) {
	version := `{"name":"version"}`
	list := req("pfx", "list_all_certificates")
	tests := []struct {
		name  string
		fault sim.Fault
		frame string
		check func(t *testing.T, a attempt)
	}{
		{"refuse", sim.Fault{Kind: sim.FaultRefuse}, version, func(t *testing.T, a attempt) {
			if a.dialErr == nil {
				t.Error("the handshake succeeded")
			}
		}},
		{"close 4000 instead of the reply", sim.Fault{Kind: sim.FaultClose, Code: 4000, Reason: "boom"}, version, func(t *testing.T, a attempt) {
			if a.raw != nil || a.code != 4000 {
				t.Errorf("reply %q, close %d", a.raw, a.code)
			}
		}},
		{"close 1011 after the reply", sim.Fault{Kind: sim.FaultClose, Code: 1011, After: true}, version, func(t *testing.T, a attempt) {
			if !strings.Contains(string(a.raw), `"major":"6"`) || a.code != 1011 {
				t.Errorf("reply %q, close %d", a.raw, a.code)
			}
		}},
		{"close without a status", sim.Fault{Kind: sim.FaultClose, After: true}, version, func(t *testing.T, a attempt) {
			if a.raw == nil || a.code != websocket.StatusNoStatusRcvd {
				t.Errorf("reply %q, close %d, want 1005", a.raw, a.code)
			}
		}},
		{"drop instead of the reply", sim.Fault{Kind: sim.FaultDrop}, version, func(t *testing.T, a attempt) {
			if a.raw != nil || a.code != -1 || a.readErr == nil {
				t.Errorf("reply %q, close %d, err %v", a.raw, a.code, a.readErr)
			}
		}},
		{"drop after the reply", sim.Fault{Kind: sim.FaultDrop, After: true}, version, func(t *testing.T, a attempt) {
			if a.raw == nil || a.code != -1 {
				t.Errorf("reply %q, close %d", a.raw, a.code)
			}
		}},
		{"malformed JSON", sim.Fault{Kind: sim.FaultMalformed}, list, func(t *testing.T, a attempt) {
			if _, err := capiws.ParseReply(a.raw); err == nil || len(a.raw) == 0 || a.code != 1000 {
				t.Errorf("reply %q parses (%v), close %d", a.raw, err, a.code)
			}
		}},
		{"binary reply", sim.Fault{Kind: sim.FaultBinary}, version, func(t *testing.T, a attempt) {
			if a.typ != websocket.MessageBinary || !strings.Contains(string(a.raw), `"success":true`) {
				t.Errorf("type %v reply %q", a.typ, a.raw)
			}
		}},
		{"slow reply", sim.Fault{Kind: sim.FaultDelay, Delay: softtoken.Duration(50 * time.Millisecond)}, version, func(t *testing.T, a attempt) {
			if !strings.Contains(string(a.raw), `"success":true`) || a.code != 1000 {
				t.Errorf("reply %q close %d", a.raw, a.code)
			}
		}},
		{"oversized reply", sim.Fault{Kind: sim.FaultOversized, Size: 70 << 20}, version, func(t *testing.T, a attempt) {
			if len(a.raw) != 70<<20 {
				t.Fatalf("reply of %d bytes", len(a.raw))
			}
			if r, err := capiws.ParseReply(a.raw); err != nil || !r.Success() {
				t.Errorf("padded reply is not the version reply: %v", err)
			}
		}},
		{"status -5000", sim.Fault{Kind: sim.FaultStatus, Status: -5000}, list, func(t *testing.T, a attempt) {
			if string(a.raw) != `{"success":false,"status":-5000,"reason":"Ввод пароля отменен"}` {
				t.Errorf("reply %s", a.raw)
			}
		}},
		{"status -1021", sim.Fault{Kind: sim.FaultStatus, Status: -1021}, list, func(t *testing.T, a attempt) {
			if string(a.raw) != `{"success":false,"status":-1021,"reason":"Не удалось идентифицировать домен."}` {
				t.Errorf("reply %s", a.raw)
			}
		}},
		{"apikey rejection", sim.Fault{Kind: sim.FaultStatus, Function: "apikey", Status: -1020},
			req("", "apikey", "localhost", sim.PublishedKeys["localhost"]), func(t *testing.T, a attempt) {
				if string(a.raw) != `{"success":false,"status":-1020,"reason":"API-key для домена localhost недействителен."}` {
					t.Errorf("reply %s", a.raw)
				}
			}},
		{"custom reason", sim.Fault{Kind: sim.FaultStatus, Status: -9999, Reason: "java.lang.NullPointerException"}, list, func(t *testing.T, a attempt) {
			if string(a.raw) != `{"success":false,"status":-9999,"reason":"java.lang.NullPointerException"}` {
				t.Errorf("reply %s", a.raw)
			}
		}},
		{"old version", sim.Fault{Kind: sim.FaultVersion, Version: &sim.Version{Major: "3", Minor: "20"}}, version, func(t *testing.T, a attempt) {
			if string(a.raw) != `{"success":true,"status":1,"major":"3","minor":"20"}` {
				t.Errorf("reply %s", a.raw)
			}
		}},
		{"a fault for another function", sim.Fault{Kind: sim.FaultDrop, Function: "load_key"}, version, func(t *testing.T, a attempt) {
			if a.code != 1000 {
				t.Errorf("close %d", a.code)
			}
		}},
		{"a fault for another domain", sim.Fault{Kind: sim.FaultDrop, Domain: "example.uz"}, version, func(t *testing.T, a attempt) {
			if a.code != 1000 {
				t.Errorf("close %d", a.code)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := simtest.Start(t)
			f := s.Fault(tt.fault)
			tt.check(t, try(t, s.URL, tt.frame, 60*time.Second))
			evs := s.Events()
			if len(evs) != 1 {
				t.Fatalf("%d events", len(evs))
			}
			hit := evs[0].Fault == f.ID
			if matched := !strings.HasPrefix(tt.name, "a fault for"); hit != matched || (hit && !strings.HasPrefix(evs[0].Outcome, "fault:")) {
				t.Errorf("event %+v", evs[0])
			}
		})
	}
}

func TestHangKeepsTheConnectionUntilTheClientLeaves(t *testing.T) {
	s := simtest.Start(t)
	s.Fault(sim.Fault{Kind: sim.FaultHang})
	a := try(t, s.URL, `{"name":"version"}`, 300*time.Millisecond)
	if !errors.Is(a.readErr, context.DeadlineExceeded) || a.raw != nil {
		t.Fatalf("got %q, %v", a.raw, a.readErr)
	}
	// The client went away: the call is logged as hung.
	var evs []sim.Event
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for len(evs) == 0 && ctx.Err() == nil {
		evs = s.Server.WaitEvents(ctx, 0)
	}
	if len(evs) != 1 || evs[0].Outcome != "fault:hang" {
		t.Errorf("events %+v", evs)
	}
}

func TestFaultTimesAndKeys(t *testing.T) {
	s := simtest.Start(t)
	keys := listKeys(t, s.URL)
	s.Fault(sim.Fault{Kind: sim.FaultStatus, Status: -5000, Function: "create_pkcs7", Key: keys[1].Name, Times: 2})
	id0, id1 := loadKey(t, s.URL, keys[0]), loadKey(t, s.URL, keys[1])
	mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id0))
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id1); status(r) != -5000 {
		t.Errorf("key-matched fault did not fire: %s", r.AppendJSON(nil))
	}
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id1); status(r) != -5000 {
		t.Errorf("second hit: %s", r.AppendJSON(nil))
	}
	mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id1))
	if len(s.Server.Faults()) != 0 {
		t.Error("the fault outlived its two hits")
	}
	// By device kind.
	s.Plug(sim.DeviceSpec{Kind: softtoken.BAIK})
	s.Fault(sim.Fault{Kind: sim.FaultStatus, Status: -5002, Key: "baikey"})
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", "baikey"); status(r) != -5002 || r.Reason() != "Отменено пользователем" {
		t.Errorf("device fault: %s", r.AppendJSON(nil))
	}
	for _, bad := range []sim.Fault{
		{Kind: "explode"},
		{Kind: sim.FaultClose, Code: 1006},
		{Kind: sim.FaultVersion},
		{Kind: sim.FaultStatus, Status: 1},
		{Kind: sim.FaultDrop, Times: -1},
	} {
		if _, err := s.Server.AddFault(bad); err == nil {
			t.Errorf("fault %+v accepted", bad)
		}
	}
}
