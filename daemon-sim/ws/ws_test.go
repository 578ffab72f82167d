package ws

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// echoServer echoes every message and records how each connection ended.
func echoServer(t *testing.T, limit int64) (*httptest.Server, chan error) {
	t.Helper()
	ends := make(chan error, 16)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Upgrade(w, r)
		if err != nil {
			return
		}
		defer c.Close()
		if limit > 0 {
			c.SetReadLimit(limit)
		}
		for {
			op, msg, err := c.ReadMessage()
			if err != nil {
				ends <- err
				return
			}
			if err := c.WriteMessage(op, msg); err != nil {
				ends <- err
				return
			}
		}
	}))
	t.Cleanup(hs.Close)
	return hs, ends
}

// rawClient is a hand-made client that can send frames no library would.
type rawClient struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, hs *httptest.Server) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
	req := "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The RFC 6455 §1.3 example key and its accept value.
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("handshake: %d %v", resp.StatusCode, resp.Header)
	}
	return &rawClient{t: t, nc: nc, br: br}
}

func (c *rawClient) send(h Header, payload []byte) {
	c.t.Helper()
	if h.Length == 0 {
		h.Length = int64(len(payload))
	}
	buf := AppendHeader(nil, h)
	p := append([]byte(nil), payload...)
	if h.Masked {
		Mask(h.Mask, 0, p)
	}
	if _, err := c.nc.Write(append(buf, p...)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawClient) frame(op Opcode, fin bool, payload string) {
	c.t.Helper()
	c.send(Header{Fin: fin, Op: op, Masked: true, Mask: [4]byte{1, 2, 3, 4}}, []byte(payload))
}

func (c *rawClient) read() (Header, []byte) {
	c.t.Helper()
	h, err := ReadHeader(c.br)
	if err != nil {
		c.t.Fatalf("reading a frame: %v", err)
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(c.br, p); err != nil {
		c.t.Fatal(err)
	}
	if h.Masked {
		c.t.Errorf("server frame is masked")
	}
	return h, p
}

// readClose reads frames up to a close frame and returns its code (1005
// when it has none).
func (c *rawClient) readClose() int {
	c.t.Helper()
	for {
		h, p := c.read()
		if h.Op != OpClose {
			continue
		}
		if len(p) < 2 {
			return StatusNoStatus
		}
		return int(binary.BigEndian.Uint16(p))
	}
}

func TestEchoWithLibraryClient(t *testing.T) {
	hs, _ := echoServer(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, hs.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	for _, msg := range []string{"", "a", strings.Repeat("ю", 200), strings.Repeat("x", 70000)} {
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		typ, got, err := c.Read(ctx)
		if err != nil || typ != websocket.MessageText || string(got) != msg {
			t.Fatalf("echo of %d bytes: %v %d bytes, %v", len(msg), typ, len(got), err)
		}
	}
	if err := c.Write(ctx, websocket.MessageBinary, []byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if typ, got, err := c.Read(ctx); err != nil || typ != websocket.MessageBinary || !bytes.Equal(got, []byte{0, 1, 2}) {
		t.Fatalf("binary echo: %v %v %v", typ, got, err)
	}
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatalf("close handshake: %v", err)
	}
}

func TestReadRules(t *testing.T) {
	tests := []struct {
		name      string
		limit     int64
		send      func(c *rawClient)
		wantEcho  string // a message echoed before the close, if any
		wantClose int
		wantErr   error
	}{
		{"bare close is echoed with 1000", 0, func(c *rawClient) { c.frame(OpClose, true, "") }, "", StatusNormal, &CloseError{Code: StatusNoStatus}},
		{"close 1000 is echoed", 0, func(c *rawClient) { c.frame(OpClose, true, "\x03\xe8bye") }, "", StatusNormal, &CloseError{Code: 1000, Reason: "bye"}},
		{"close 4000 is echoed", 0, func(c *rawClient) { c.frame(OpClose, true, "\x0f\xa0") }, "", 4000, &CloseError{Code: 4000}},
		{"close with a reserved code", 0, func(c *rawClient) { c.frame(OpClose, true, "\x03\xed") }, "", StatusProtocolError, ErrProtocol},
		{"one-byte close", 0, func(c *rawClient) { c.frame(OpClose, true, "\x03") }, "", StatusProtocolError, ErrProtocol},
		{"unmasked frame", 0, func(c *rawClient) { c.send(Header{Fin: true, Op: OpText}, []byte("hi")) }, "", StatusProtocolError, ErrProtocol},
		{"reserved bits", 0, func(c *rawClient) { c.send(Header{Fin: true, RSV: 4, Op: OpText, Masked: true}, []byte("hi")) }, "", StatusProtocolError, ErrProtocol},
		{"unknown opcode", 0, func(c *rawClient) { c.frame(Opcode(3), true, "hi") }, "", StatusProtocolError, ErrProtocol},
		{"continuation first", 0, func(c *rawClient) { c.frame(OpContinuation, true, "hi") }, "", StatusProtocolError, ErrProtocol},
		{"text inside a fragmented message", 0, func(c *rawClient) { c.frame(OpText, false, "a"); c.frame(OpText, true, "b") }, "", StatusProtocolError, ErrProtocol},
		{"fragmented ping", 0, func(c *rawClient) { c.frame(OpPing, false, "") }, "", StatusProtocolError, ErrProtocol},
		{"long ping", 0, func(c *rawClient) { c.frame(OpPing, true, strings.Repeat("p", 126)) }, "", StatusProtocolError, ErrProtocol},
		{"invalid UTF-8", 0, func(c *rawClient) { c.frame(OpText, true, "\xff\xfe") }, "", StatusInvalidData, ErrInvalidUTF8},
		{"header over the limit, no payload sent", 64 << 20, func(c *rawClient) {
			c.nc.Write(AppendHeader(nil, Header{Fin: true, Op: OpText, Masked: true, Length: 64<<20 + 1}))
		}, "", StatusTooBig, ErrTooBig},
		{"fragments over the limit", 10, func(c *rawClient) { c.frame(OpText, false, "123456"); c.frame(OpContinuation, true, "789012") }, "", StatusTooBig, ErrTooBig},
		{"fragments with a ping between", 0, func(c *rawClient) {
			c.frame(OpText, false, "Ўз")
			c.frame(OpPing, true, "p")
			c.frame(OpContinuation, false, "бе")
			c.frame(OpPong, true, "")
			c.frame(OpContinuation, true, "к")
			c.frame(OpClose, true, "")
		}, "Ўзбек", StatusNormal, &CloseError{Code: StatusNoStatus}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, ends := echoServer(t, tt.limit)
			c := dialRaw(t, hs)
			tt.send(c)
			if tt.wantEcho != "" {
				h, p := c.read()
				if h.Op == OpPong {
					if string(p) != "p" {
						t.Errorf("pong %q", p)
					}
					h, p = c.read()
				}
				if h.Op != OpText || string(p) != tt.wantEcho {
					t.Fatalf("echo %v %q, want %q", h.Op, p, tt.wantEcho)
				}
			}
			if got := c.readClose(); got != tt.wantClose {
				t.Errorf("close code %d, want %d", got, tt.wantClose)
			}
			err := <-ends
			var want *CloseError
			if errors.As(tt.wantErr, &want) {
				var got *CloseError
				if !errors.As(err, &got) || *got != *want {
					t.Errorf("error %v, want %v", err, want)
				}
			} else if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestHandshakeRefusals(t *testing.T) {
	hs, _ := echoServer(t, 0)
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"plain GET", map[string]string{}, http.StatusBadRequest},
		{"old version", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "8", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}, http.StatusUpgradeRequired},
		{"short key", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "YQ=="}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, hs.URL, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestMaskMatchesBytewise(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 500; i++ {
		n, pos := r.IntN(100), r.IntN(8)
		key := [4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())}
		b := make([]byte, n)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		want := append([]byte(nil), b...)
		for j := range want {
			want[j] ^= key[(pos+j)&3]
		}
		if end := Mask(key, pos, b); end != pos+n || !bytes.Equal(b, want) {
			t.Fatalf("n=%d pos=%d: mask differs (end %d)", n, pos, end)
		}
	}
}

func TestWriteAfterCloseIsRefused(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go io.Copy(io.Discard, b)
	c := NewConn(a, nil)
	if err := c.WriteClose(StatusNormal, "Done"); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteMessage(OpText, []byte("late")); !errors.Is(err, ErrClosed) {
		t.Errorf("write after close: %v, want ErrClosed", err)
	}
}
