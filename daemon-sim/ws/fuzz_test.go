package ws

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// streamConn is a net.Conn that reads a fixed byte stream and records what
// is written.
type streamConn struct {
	r io.Reader
	w bytes.Buffer
}

func (c *streamConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *streamConn) Write(p []byte) (int, error)      { return c.w.Write(p) }
func (c *streamConn) Close() error                     { return nil }
func (c *streamConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *streamConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *streamConn) SetDeadline(time.Time) error      { return nil }
func (c *streamConn) SetReadDeadline(time.Time) error  { return nil }
func (c *streamConn) SetWriteDeadline(time.Time) error { return nil }

func clientFrame(op Opcode, fin bool, payload string) []byte {
	h := Header{Fin: fin, Op: op, Masked: true, Mask: [4]byte{9, 8, 7, 6}, Length: int64(len(payload))}
	p := []byte(payload)
	Mask(h.Mask, 0, p)
	return append(AppendHeader(nil, h), p...)
}

// FuzzReadMessage feeds arbitrary client byte streams to the frame decoder:
// it must never panic, never return a message over the limit, and every
// frame it writes back must be a well-formed, unmasked server frame.
func FuzzReadMessage(f *testing.F) {
	cat := func(fs ...[]byte) []byte { return bytes.Join(fs, nil) }
	f.Add(clientFrame(OpText, true, `{"name":"version"}`))
	f.Add(cat(clientFrame(OpText, false, "ab"), clientFrame(OpPing, true, "x"), clientFrame(OpContinuation, true, "c")))
	f.Add(clientFrame(OpClose, true, ""))
	f.Add(clientFrame(OpClose, true, "\x03\xe8Done"))
	f.Add(clientFrame(OpBinary, true, "\x00\x01"))
	f.Add(AppendHeader(nil, Header{Fin: true, Op: OpText, Masked: true, Length: 1 << 40}))
	f.Add([]byte{0x81, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0})
	f.Add(clientFrame(OpText, true, "\xc3\x28"))
	const limit = 1 << 16
	f.Fuzz(func(t *testing.T, stream []byte) {
		sc := &streamConn{r: bytes.NewReader(stream)}
		c := NewConn(sc, nil)
		c.SetReadLimit(limit)
		for i := 0; i < 64; i++ {
			_, msg, err := c.ReadMessage()
			if err != nil {
				var ce *CloseError
				if !errors.As(err, &ce) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) &&
					!errors.Is(err, ErrProtocol) && !errors.Is(err, ErrTooBig) && !errors.Is(err, ErrInvalidUTF8) {
					t.Fatalf("unexpected error type: %v", err)
				}
				break
			}
			if len(msg) > limit {
				t.Fatalf("message of %d bytes passed a %d-byte limit", len(msg), limit)
			}
		}
		// What the server wrote must parse as server frames.
		br := bufio.NewReader(bytes.NewReader(sc.w.Bytes()))
		closes := 0
		for {
			h, err := ReadHeader(br)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("server wrote a bad header: %v", err)
			}
			if h.Masked {
				t.Fatal("server frame is masked")
			}
			if _, err := io.CopyN(io.Discard, br, h.Length); err != nil {
				t.Fatalf("server frame truncated: %v", err)
			}
			if h.Op == OpClose {
				if closes++; closes > 1 {
					t.Fatal("more than one close frame")
				}
				if h.Length == 0 {
					t.Fatal("server close frame without a status")
				}
			} else if closes > 0 {
				t.Fatal("a frame after the close frame")
			}
		}
	})
}
