package simtest_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
)

func version(t *testing.T, url string, client *http.Client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	_ = c.Write(ctx, websocket.MessageText, []byte(`{"name":"version"}`))
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestStartWithEverything(t *testing.T) {
	s := simtest.Start(t, simtest.WithTLS(), simtest.WithControl(), simtest.WithExtraKeys(), simtest.WithV5())
	if got := version(t, s.URL, nil); got != `{"success":true,"major":"5","minor":"20"}` {
		t.Errorf("ws: %s", got)
	}
	if got := version(t, s.WSSURL, s.TLS.Client()); !strings.Contains(got, `"major":"5"`) {
		t.Errorf("wss: %s", got)
	}
	resp, err := http.Get(s.ControlURL + "/v1/state")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("control: %v %v", resp, err)
	}
	resp.Body.Close()
	if n := len(s.Data.Store.List()); n != 8 {
		t.Errorf("%d keys with the extra ones", n)
	}
	s.Script("DSNOTIN", softtoken.Script{Then: softtoken.Cancel})
	d := s.Plug(sim.DeviceSpec{Kind: softtoken.UzGuard})
	f := s.Fault(sim.Fault{Kind: sim.FaultDelay})
	if d.ID == "" || f.ID == 0 || len(s.Events()) != 2 {
		t.Errorf("device %+v fault %+v events %d", d, f, len(s.Events()))
	}
}

// TestCleanupEndsHangingConnections: when a test ends, connections the
// simulator holds (here a hang fault) end with it, even if the client never
// closes its side.
func TestCleanupEndsHangingConnections(t *testing.T) {
	var s *simtest.Sim
	var c *websocket.Conn
	before := runtime.NumGoroutine()
	t.Run("hanging", func(t *testing.T) {
		s = simtest.Start(t)
		s.Fault(sim.Fault{Kind: sim.FaultHang})
		var err error
		if c, _, err = websocket.Dial(context.Background(), s.URL, nil); err != nil {
			t.Fatal(err)
		}
		_ = c.Write(context.Background(), websocket.MessageText, []byte(`{"name":"version"}`))
		for s.Server.Faults()[0].Hits == 0 {
			time.Sleep(time.Millisecond) // polling a state, nothing timed
		}
	})
	// The subtest's cleanup closed the server: the hanging call has ended
	// and is logged, though the client is still open.
	if evs := s.Events(); len(evs) != 1 || evs[0].Outcome != "fault:hang" {
		t.Errorf("events %+v", evs)
	}
	c.CloseNow()
	n := runtime.NumGoroutine()
	for i := 0; i < 500 && n > before; i++ {
		time.Sleep(10 * time.Millisecond) // waiting for goroutines to exit, nothing timed
		n = runtime.NumGoroutine()
	}
	if n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
