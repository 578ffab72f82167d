package ws

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Opcode is a frame's opcode (RFC 6455 §5.2).
type Opcode byte

// Opcodes.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

func (o Opcode) control() bool { return o&0x8 != 0 }

// Close status codes (RFC 6455 §7.4.1).
const (
	StatusNormal        = 1000
	StatusGoingAway     = 1001
	StatusProtocolError = 1002
	StatusNoStatus      = 1005 // never sent: a close frame without a code
	StatusAbnormal      = 1006 // never sent: the connection dropped
	StatusInvalidData   = 1007
	StatusTooBig        = 1009
)

// Errors of [Conn.ReadMessage].
var (
	ErrTooBig      = errors.New("ws: message larger than the read limit")
	ErrProtocol    = errors.New("ws: protocol error")
	ErrInvalidUTF8 = errors.New("ws: text message is not UTF-8")
	ErrClosed      = errors.New("ws: close frame already sent")
)

// CloseError is the close frame the peer sent.
type CloseError struct {
	Code   int // StatusNoStatus when the frame had no code
	Reason string
}

func (e *CloseError) Error() string {
	return "ws: peer closed with " + strconv.Itoa(e.Code) + " " + strconv.Quote(e.Reason)
}

// Header is a frame header (RFC 6455 §5.2).
type Header struct {
	Fin    bool
	RSV    byte // the three reserved bits, in the low bits
	Op     Opcode
	Masked bool
	Mask   [4]byte
	Length int64
}

// ReadHeader reads one frame header.
func ReadHeader(r *bufio.Reader) (Header, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:2]); err != nil {
		return Header{}, err
	}
	h := Header{Fin: b[0]&0x80 != 0, RSV: (b[0] >> 4) & 0x7, Op: Opcode(b[0] & 0xF), Masked: b[1]&0x80 != 0}
	switch n := b[1] & 0x7F; n {
	case 126:
		if _, err := io.ReadFull(r, b[:2]); err != nil {
			return Header{}, err
		}
		h.Length = int64(binary.BigEndian.Uint16(b[:2]))
	case 127:
		if _, err := io.ReadFull(r, b[:8]); err != nil {
			return Header{}, err
		}
		u := binary.BigEndian.Uint64(b[:8])
		if u>>63 != 0 {
			return Header{}, protocolError("64-bit length with the top bit set")
		}
		h.Length = int64(u)
	default:
		h.Length = int64(n)
	}
	if h.Masked {
		if _, err := io.ReadFull(r, h.Mask[:]); err != nil {
			return Header{}, err
		}
	}
	return h, nil
}

// AppendHeader appends h in wire form, with the shortest length encoding.
func AppendHeader(dst []byte, h Header) []byte {
	b0 := byte(h.Op) | h.RSV<<4
	if h.Fin {
		b0 |= 0x80
	}
	var m byte
	if h.Masked {
		m = 0x80
	}
	switch {
	case h.Length < 126:
		dst = append(dst, b0, m|byte(h.Length))
	case h.Length <= 0xFFFF:
		dst = append(dst, b0, m|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(h.Length))
	default:
		dst = append(dst, b0, m|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(h.Length))
	}
	if h.Masked {
		dst = append(dst, h.Mask[:]...)
	}
	return dst
}

// Mask XORs b with key, starting at offset pos of the payload (RFC 6455
// §5.3), and returns the offset after b.
func Mask(key [4]byte, pos int, b []byte) int {
	end := pos + len(b)
	if len(b) >= 16 {
		// Rotate the key to the current offset and work a word at a time.
		var k8 [8]byte
		for i := range k8 {
			k8[i] = key[(pos+i)&3]
		}
		kw := binary.LittleEndian.Uint64(k8[:])
		for len(b) >= 8 {
			binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^kw)
			b = b[8:]
		}
	}
	for i := range b {
		b[i] ^= key[(pos+i)&3]
	}
	return end
}

type protoErr string

func (e protoErr) Error() string        { return "ws: protocol error: " + string(e) }
func (e protoErr) Is(target error) bool { return target == ErrProtocol }
func protocolError(msg string) error    { return protoErr(msg) }

// Conn is a server-side WebSocket connection. ReadMessage must be called
// from one goroutine at a time; writes may come from any goroutine.
type Conn struct {
	nc    net.Conn
	br    *bufio.Reader
	limit int64

	wmu       sync.Mutex
	wbuf      []byte
	closeSent bool
}

// DefaultReadLimit bounds a message when [Conn.SetReadLimit] is not called.
const DefaultReadLimit = 64 << 20

// NewConn wraps an established connection whose handshake is done; br
// (which may hold bytes already read) reads from nc when not nil.
func NewConn(nc net.Conn, br *bufio.Reader) *Conn {
	if br == nil {
		br = bufio.NewReaderSize(nc, 4096)
	}
	return &Conn{nc: nc, br: br, limit: DefaultReadLimit}
}

// SetReadLimit sets the largest message ReadMessage accepts, in bytes.
func (c *Conn) SetReadLimit(n int64) { c.limit = n }

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// SetReadDeadline bounds the wait for the peer's next frame.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// ReadMessage returns the next text or binary message. Control frames are
// handled on the way: pings are answered, pongs dropped, and a close frame
// is echoed (with 1000 when it carried no code) and returned as *CloseError.
func (c *Conn) ReadMessage() (Opcode, []byte, error) {
	var (
		op   Opcode
		msg  []byte
		open bool // inside a fragmented message
	)
	for {
		h, err := ReadHeader(c.br)
		if err != nil {
			if errors.Is(err, ErrProtocol) {
				c.fail(StatusProtocolError, "bad frame header")
			}
			return 0, nil, err
		}
		if err := c.check(h, open); err != nil {
			c.fail(StatusProtocolError, "protocol error")
			return 0, nil, err
		}
		if h.Op.control() {
			if err := c.control(h); err != nil {
				return 0, nil, err
			}
			continue
		}
		if int64(len(msg))+h.Length > c.limit {
			c.fail(StatusTooBig, "message too big")
			return 0, nil, ErrTooBig
		}
		if h.Op != OpContinuation {
			op, open = h.Op, true
		}
		start := len(msg)
		if msg, err = readPayload(c.br, msg, h.Length); err != nil {
			return 0, nil, err
		}
		Mask(h.Mask, 0, msg[start:])
		if !h.Fin {
			continue
		}
		if op == OpText && !utf8.Valid(msg) {
			c.fail(StatusInvalidData, "invalid UTF-8")
			return 0, nil, ErrInvalidUTF8
		}
		return op, msg, nil
	}
}

// check applies the framing rules of RFC 6455 §5.2, §5.4 and §5.5 to a
// client frame.
func (c *Conn) check(h Header, open bool) error {
	switch {
	case h.RSV != 0:
		return protocolError("reserved bits set without an extension")
	case !h.Masked:
		return protocolError("client frame not masked")
	case h.Op.control():
		if h.Op != OpClose && h.Op != OpPing && h.Op != OpPong {
			return protocolError("unknown control opcode")
		}
		if !h.Fin || h.Length > 125 {
			return protocolError("fragmented or long control frame")
		}
	case h.Op == OpContinuation:
		if !open {
			return protocolError("continuation without a message")
		}
	case h.Op == OpText || h.Op == OpBinary:
		if open {
			return protocolError("new message inside a fragmented one")
		}
	default:
		return protocolError("unknown data opcode")
	}
	return nil
}

// readPayload appends n bytes from r to dst, growing it as the bytes
// arrive, so a header that merely claims a large length allocates nothing.
func readPayload(r io.Reader, dst []byte, n int64) ([]byte, error) {
	const chunk = 1 << 20
	for n > 0 {
		step := min(n, chunk)
		start := len(dst)
		dst = append(dst, make([]byte, step)...)
		if _, err := io.ReadFull(r, dst[start:]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		n -= step
	}
	return dst, nil
}

func (c *Conn) control(h Header) error {
	var buf [125]byte
	p := buf[:h.Length]
	if _, err := io.ReadFull(c.br, p); err != nil {
		return err
	}
	Mask(h.Mask, 0, p)
	switch h.Op {
	case OpPing:
		// §5.5.2: a pong with the ping's data. After our close frame no
		// more frames go out, so the ping is dropped.
		if err := c.WriteMessage(OpPong, p); err != nil && !errors.Is(err, ErrClosed) {
			return err
		}
		return nil
	case OpPong:
		return nil
	}
	ce := &CloseError{Code: StatusNoStatus}
	switch {
	case len(p) == 1:
		c.fail(StatusProtocolError, "one-byte close payload")
		return protocolError("one-byte close payload")
	case len(p) >= 2:
		ce.Code = int(binary.BigEndian.Uint16(p))
		ce.Reason = string(p[2:])
		if !validCloseCode(ce.Code) || !utf8.ValidString(ce.Reason) {
			c.fail(StatusProtocolError, "invalid close frame")
			return protocolError("invalid close code or reason")
		}
	}
	// §5.5.1: answer with a close frame of our own, with an explicit
	// status: the peer's code, or 1000 when it sent none.
	echo := ce.Code
	if echo == StatusNoStatus {
		echo = StatusNormal
	}
	if err := c.WriteClose(echo, ""); err != nil && !errors.Is(err, ErrClosed) {
		return err
	}
	return ce
}

// validCloseCode reports whether a peer may send code (RFC 6455 §7.4).
func validCloseCode(code int) bool {
	switch {
	case code >= 3000 && code <= 4999:
		return true
	case code >= 1000 && code <= 1014:
		return code != 1004 && code != 1005 && code != 1006
	}
	return false
}

// fail sends a close frame for a failure; errors are ignored, the caller
// is about to drop the connection anyway.
func (c *Conn) fail(code int, reason string) { _ = c.WriteClose(code, reason) }

// WriteMessage sends data as one unfragmented frame of type op.
func (c *Conn) WriteMessage(op Opcode, data []byte) error {
	return c.WriteFrame(Header{Fin: true, Op: op, Length: int64(len(data))}, data)
}

// WriteClose sends a close frame with code and reason; code 0 sends a
// close frame without a status (for fault injection). Nothing can be sent
// after it but raw frames.
func (c *Conn) WriteClose(code int, reason string) error {
	var p []byte
	if code != 0 {
		if len(reason) > 123 {
			reason = reason[:123]
		}
		p = binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(reason)), uint16(code))
		p = append(p, reason...)
	}
	return c.WriteFrame(Header{Fin: true, Op: OpClose, Length: int64(len(p))}, p)
}

// WriteFrame sends one frame as given: h.Length should be len(payload),
// and the payload is masked when h.Masked (a server must not, RFC 6455
// §5.1; fault injection may).
func (c *Conn) WriteFrame(h Header, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent {
		return ErrClosed
	}
	if h.Op == OpClose {
		c.closeSent = true
	}
	buf := AppendHeader(c.wbuf[:0], h)
	if len(payload) <= 64<<10 {
		start := len(buf)
		buf = append(buf, payload...)
		if h.Masked {
			Mask(h.Mask, 0, buf[start:])
		}
		c.wbuf = buf
		_, err := c.nc.Write(buf)
		return err
	}
	if h.Masked {
		payload = append([]byte(nil), payload...)
		Mask(h.Mask, 0, payload)
	}
	bufs := net.Buffers{buf, payload}
	_, err := bufs.WriteTo(c.nc)
	return err
}

// CloseSent reports whether a close frame went out.
func (c *Conn) CloseSent() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.closeSent
}

// Close closes the TCP connection.
func (c *Conn) Close() error { return c.nc.Close() }

// Drop resets the TCP connection without a close frame: a browser reports
// 1006.
func (c *Conn) Drop() error {
	if tc, ok := netConn(c.nc).(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	return c.nc.Close()
}

func netConn(nc net.Conn) net.Conn {
	for {
		u, ok := nc.(interface{ NetConn() net.Conn })
		if !ok {
			return nc
		}
		nc = u.NetConn()
	}
}

// Reset ends a hijacked connection with a TCP reset.
func Reset(nc net.Conn) error { return (&Conn{nc: nc}).Drop() }

// acceptKey is Sec-WebSocket-Accept for key (RFC 6455 §4.2.2).
func acceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// HandshakeError is a refused opening handshake.
type HandshakeError struct {
	Status int
	Msg    string
}

func (e *HandshakeError) Error() string { return "ws: handshake refused: " + e.Msg }

// IsUpgrade reports whether r asks for a WebSocket.
func IsUpgrade(r *http.Request) bool { return hasToken(r.Header, "Upgrade", "websocket") }

// Upgrade answers a WebSocket opening handshake (RFC 6455 §4.2) and takes
// over the connection. No extension or subprotocol is accepted. A request
// that is not a valid handshake gets 400 (426 for another version) and a
// *HandshakeError.
func Upgrade(w http.ResponseWriter, r *http.Request) (*Conn, error) {
	fail := func(status int, msg string) (*Conn, error) {
		if status == http.StatusUpgradeRequired {
			w.Header().Set("Sec-WebSocket-Version", "13")
		}
		http.Error(w, msg, status)
		return nil, &HandshakeError{Status: status, Msg: msg}
	}
	if r.Method != http.MethodGet {
		return fail(http.StatusMethodNotAllowed, "a WebSocket handshake is a GET")
	}
	if !hasToken(r.Header, "Connection", "upgrade") || !IsUpgrade(r) {
		return fail(http.StatusBadRequest, "not a WebSocket handshake")
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		return fail(http.StatusUpgradeRequired, "WebSocket version 13 only")
	}
	key := r.Header.Get("Sec-WebSocket-Key")
	if k, err := base64.StdEncoding.DecodeString(key); err != nil || len(k) != 16 {
		return fail(http.StatusBadRequest, "bad Sec-WebSocket-Key")
	}
	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return fail(http.StatusInternalServerError, "cannot take over the connection")
	}
	_ = nc.SetDeadline(time.Time{})
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n"
	if _, err := nc.Write([]byte(resp)); err != nil {
		nc.Close()
		return nil, err
	}
	return NewConn(nc, brw.Reader), nil
}

// hasToken reports whether a comma-separated header contains token,
// case-insensitively (RFC 7230 §7).
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
