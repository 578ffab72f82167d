package sim_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/ws"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// rawConn is a hand-made client for frames no library sends.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, s *simtest.Sim, query string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", s.HTTP.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(60 * time.Second))
	hs := "GET " + capiws.Path + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost\r\nUpgrade: websocket\r\n" +
		"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := nc.Write([]byte(hs)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	return &rawConn{t, nc, br}
}

func (c *rawConn) send(op ws.Opcode, payload []byte) {
	h := ws.Header{Fin: true, Op: op, Masked: true, Mask: [4]byte{7, 7, 7, 7}, Length: int64(len(payload))}
	p := append([]byte(nil), payload...)
	ws.Mask(h.Mask, 0, p)
	if _, err := c.nc.Write(append(ws.AppendHeader(nil, h), p...)); err != nil {
		c.t.Fatal(err)
	}
}

// next reads a server frame.
func (c *rawConn) next() (ws.Header, []byte) {
	c.t.Helper()
	h, err := ws.ReadHeader(c.br)
	if err != nil {
		c.t.Fatalf("reading a frame: %v", err)
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(c.br, p); err != nil {
		c.t.Fatal(err)
	}
	return h, p
}

func closeCode(p []byte) int {
	if len(p) < 2 {
		return ws.StatusNoStatus
	}
	return int(binary.BigEndian.Uint16(p))
}

func TestKeepConnectionAndTheBareCloseEcho(t *testing.T) {
	s := simtest.Start(t)
	c := dialRaw(t, s, "?keepConnection")
	for i := 0; i < 3; i++ {
		c.send(ws.OpText, []byte(`{"name":"version"}`))
		h, p := c.next()
		if h.Op != ws.OpText || !strings.Contains(string(p), `"major":"6"`) {
			t.Fatalf("reply %d: %v %q", i, h.Op, p)
		}
	}
	// socket.close() in a browser sends a close frame without a code: the
	// daemon must answer with an explicit 1000, never an empty echo (1005).
	c.send(ws.OpClose, nil)
	h, p := c.next()
	if h.Op != ws.OpClose || closeCode(p) != 1000 {
		t.Errorf("close echo %v code %d, want 1000", h.Op, closeCode(p))
	}
}

func TestOneRequestPerConnection(t *testing.T) {
	s := simtest.Start(t)
	c := dialRaw(t, s, "")
	c.send(ws.OpText, []byte(`{"name":"version"}`))
	c.send(ws.OpText, []byte(`{"name":"version"}`)) // never answered
	if h, _ := c.next(); h.Op != ws.OpText {
		t.Fatalf("first frame %v", h.Op)
	}
	h, p := c.next()
	if h.Op != ws.OpClose || closeCode(p) != 1000 || string(p[2:]) != "Done" {
		t.Fatalf("then %v %q, want close 1000 Done", h.Op, p)
	}
	c.send(ws.OpClose, []byte{0x03, 0xe8})
	if _, err := c.br.ReadByte(); err != io.EOF {
		t.Errorf("the daemon kept the TCP connection: %v", err)
	}
	if n := len(s.Events()); n != 1 {
		t.Errorf("%d calls logged, want 1", n)
	}
}

func TestFrameSizeLimit(t *testing.T) {
	s := simtest.Start(t)
	// Exactly 64 MiB is accepted: a version request padded with spaces.
	frame := []byte(`{"name":"version"}`)
	frame = append(frame, []byte(strings.Repeat(" ", capiws.MaxFrameBytes-len(frame)))...)
	c := dialRaw(t, s, "")
	c.send(ws.OpText, frame)
	if h, p := c.next(); h.Op != ws.OpText || !strings.Contains(string(p), `"success":true`) {
		t.Fatalf("64 MiB frame: %v %.100q", h.Op, p)
	}
	// One byte more closes with 1009, before the payload is read.
	c = dialRaw(t, s, "")
	_, _ = c.nc.Write(ws.AppendHeader(nil, ws.Header{Fin: true, Op: ws.OpText, Masked: true, Length: capiws.MaxFrameBytes + 1}))
	h, p := c.next()
	if h.Op != ws.OpClose || closeCode(p) != 1009 {
		t.Fatalf("oversized frame: %v code %d, want 1009", h.Op, closeCode(p))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var evs []sim.Event
	for ctx.Err() == nil && (len(evs) == 0 || evs[len(evs)-1].Kind != sim.EventBadFrame) {
		evs = s.Server.WaitEvents(ctx, int64(len(evs)))
	}
	if last := evs[len(evs)-1]; last.Kind != sim.EventBadFrame || last.Outcome != "closed:1009" {
		t.Errorf("event %+v", last)
	}
}

// keyFileHashes hashes every file of the keys folder.
func keyFileHashes(t *testing.T, s *simtest.Sim) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	files, _ := filepath.Glob(filepath.Join(s.Data.Dir, sim.KeysDir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = sha256.Sum256(b)
	}
	return out
}

func TestHostileCallsLeaveKeyFilesAlone(t *testing.T) {
	s := simtest.Start(t)
	before := keyFileHashes(t, s)
	keys := listKeys(t, s.URL)
	k := keys[0]
	id := loadKey(t, s.URL, k)
	kp := mustOK(t, call(t, s.URL, "pkcs10", "generate_keypair", "P-256")).Field("kpId")
	s.Script(k.Name, softtoken.Script{Answers: []softtoken.Step{softtoken.Right, softtoken.Right, softtoken.Mismatch, softtoken.Right, softtoken.Cancel, softtoken.Wrong, softtoken.Wrong, softtoken.Wrong}, NewPassword: "boshqa"})
	hostile := []string{
		req("pfx", "change_password", id), // confirmation differs
		req("pfx", "change_password", id), // cancelled at the new password
		req("pfx", "change_password", id), // three wrong current passwords
		req("pfx", "save_temporary_pfx", `C:\`, "DSKEYS", k.Name, "a", kp, "x", "CN=X"),
		req("pfx", "save_temporary_pfx", `C:\`, "DSKEYS", "../../"+k.Name, "a", kp, "x", "CN=X"),
		req("pfx", "save_temporary_pfx", `C:\`, "DSKEYS", "passwords", "a", kp, "x", "CN=X"),
		req("pfx", "save_temporary_pfx", `C:\`, "DSKEYS", "DSNEW", "a", kp, "x", "=X,CN"),
		req("pfx", "load_key", `C:\`, "DSKEYS", "../keys/"+k.Name, k.Alias),
		req("pfx", "save_pfx", `C:\`, "DSKEYS", k.Name, "a", kp, "x", "MII=", "MII=", "MII="),
		`{"plugin":"pfx","name":"change_password","arguments":[{"__proto__":1}]}`,
		strings.Repeat("[", 10000),
	}
	for _, f := range hostile {
		if r, _, _ := roundTrip(t, s.URL, localhost, f); r.Success() {
			t.Errorf("%.80s succeeded", f)
		}
	}
	after := keyFileHashes(t, s)
	for name, h := range before {
		if after[name] != h {
			t.Errorf("%s changed", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("files: %d before, %d after", len(before), len(after))
	}
	// And every key still signs with the password the user knows.
	for _, k := range keys {
		mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", loadKey(t, s.URL, k)))
	}
}

// TestManyConcurrentClients runs many clients at once (meant for -race):
// listing, loading and signing with keys whose password is cached, and
// first signings that meet each other at the modal dialog.
func TestManyConcurrentClients(t *testing.T) {
	s := simtest.Start(t)
	keys := listKeys(t, s.URL)
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = loadKey(t, s.URL, k)
		mustOK(t, call(t, s.URL, "pfx", "verify_password", ids[i]))
		s.Script(k.Name, softtoken.Script{Then: softtoken.Remember})
		mustOK(t, call(t, s.URL, "x509", "get_certificate_chain", ids[i])) // unlock, remembered
	}
	const clients, rounds = 40, 5
	var wg sync.WaitGroup
	errs := make(chan string, clients*rounds*4)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				id := ids[(c+r)%len(ids)]
				for _, f := range []string{`{"name":"version"}`, req("pfx", "list_all_certificates"), req("pkcs7", "create_pkcs7", "YQ==", id, "yes")} {
					ex := roundTripRaw(t, s.URL, localhost, f)
					if !ex.reply.Success() || ex.code != 1000 {
						errs <- string(ex.raw)
					}
				}
				// A fresh key id needs the dialog: either it gets it, or another
				// client holds it (-3001).
				ex := roundTripRaw(t, s.URL, localhost, req("pfx", "load_key", keys[c%6].Disk, keys[c%6].Path, keys[c%6].Name, keys[c%6].Alias))
				fresh := ex.reply.Field("keyId")
				ex = roundTripRaw(t, s.URL, localhost, req("pkcs7", "create_pkcs7", "YQ==", fresh))
				if st := status(ex.reply); st != 1 && st != -3001 {
					errs <- string(ex.raw)
				}
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("unexpected reply %.200s", e)
	}
}

// TestClientLeavingMidDialog: a call waiting in a dialog must not hold up
// other connections, and when its client goes the dialog is abandoned and
// nothing is left running.
func TestClientLeavingMidDialog(t *testing.T) {
	s := simtest.Start(t)
	k := listKeys(t, s.URL)[0]
	id := loadKey(t, s.URL, k)
	s.Script(k.Name, softtoken.Script{Then: softtoken.Wait})
	settle := func() int {
		runtime.GC()
		return runtime.NumGoroutine()
	}
	before := settle()
	// abandoned counts the calls logged as abandoned, and returns the last
	// event's sequence number.
	abandoned := func() (n int, last int64) {
		for _, ev := range s.Server.Events(0) {
			if ev.Outcome == "abandoned" && dialogs(ev) == "password:abandoned" {
				n++
			}
			last = ev.Seq
		}
		return n, last
	}
	var lastDialog int64
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		// The previous call is logged once its dialog has closed.
		for n, last := abandoned(); n < i && ctx.Err() == nil; n, last = abandoned() {
			s.Server.WaitEvents(ctx, last)
		}
		c, _, err := websocket.Dial(ctx, s.URL, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {localhost}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Write(ctx, websocket.MessageText, []byte(req("pkcs7", "create_pkcs7", "YQ==", id))); err != nil {
			t.Fatal(err)
		}
		open, err := s.Data.Store.WaitDialog(ctx, lastDialog)
		if err != nil {
			t.Fatal(err)
		}
		lastDialog = open.ID
		mustOK(t, call(t, s.URL, "pfx", "list_all_certificates")) // not blocked by the dialog
		if i%2 == 0 {
			_ = c.Close(websocket.StatusNormalClosure, "") // the page closed the socket
		} else {
			_ = c.CloseNow() // the tab went away
		}
		cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for n, last := abandoned(); n < 20 && ctx.Err() == nil; n, last = abandoned() {
		s.Server.WaitEvents(ctx, last)
	}
	if n, _ := abandoned(); n != 20 {
		t.Errorf("%d abandoned calls logged, want 20", n)
	}
	if len(s.Data.Store.OpenDialogs()) != 0 {
		t.Error("a dialog is still open")
	}
	n := settle()
	for i := 0; i < 500 && n > before; i++ {
		time.Sleep(10 * time.Millisecond) // waiting for goroutines to exit, nothing timed
		n = settle()
	}
	if n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
