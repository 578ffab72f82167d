//go:build !js

// Package eimzotest has test doubles for the E-IMZO client's tests: a
// scripted daemon that answers some functions itself and forwards the rest
// to a real daemon-sim, and an RFC 3161 time-stamping authority.
//
// Entry points: [NewDaemon] (and [Answering], [Raw], [ClosedURL] for the
// common cases), [SimWithFault] and [SimWithScript] (a real daemon-sim
// misbehaving or with a scripted user), and [NewTSA]. They are for tests only; the
// WebAssembly client never imports this package.
package eimzotest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/digitorus/timestamp"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// Call is one request the daemon received, with the Origin of its handshake.
type Call struct {
	capiws.Request
	Origin string
}

// Daemon is a scripted E-IMZO daemon on a loopback port. Handle answers a
// request with a raw reply frame and true, or returns false to forward the
// request to Upstream (a real daemon-sim) or, without one, to answer
// status 0 like a daemon that lacks the function.
type Daemon struct {
	URL      string // ws://127.0.0.1:PORT/service/cryptapi
	Upstream string
	Handle   func(c Call) (reply string, ok bool)

	mu    sync.Mutex
	calls []Call
}

// NewDaemon starts a daemon that stops when the test ends.
func NewDaemon(t testing.TB, upstream string, handle func(c Call) (string, bool)) *Daemon {
	t.Helper()
	d := &Daemon{Upstream: upstream, Handle: handle}
	hs := httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(hs.Close)
	d.URL = "ws" + strings.TrimPrefix(hs.URL, "http") + capiws.Path
	return d
}

// Calls returns the requests received so far.
func (d *Daemon) Calls() []Call {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Call(nil), d.calls...)
}

// Names returns "plugin.name" of each request received so far.
func (d *Daemon) Names() []string {
	var out []string
	for _, c := range d.Calls() {
		out = append(out, c.Plugin+"."+c.Name)
	}
	return out
}

func (d *Daemon) serve(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(capiws.MaxFrameBytes)
	ctx := r.Context()
	typ, frame, err := c.Read(ctx)
	if err != nil || typ != websocket.MessageText {
		return
	}
	origin := r.Header.Get("Origin")
	var reply []byte
	req, perr := capiws.ParseRequest(frame)
	call := Call{Request: req, Origin: origin}
	if perr == nil {
		d.mu.Lock()
		d.calls = append(d.calls, call)
		d.mu.Unlock()
	}
	if perr == nil && d.Handle != nil {
		if s, ok := d.Handle(call); ok {
			reply = []byte(s)
		}
	}
	if reply == nil && d.Upstream != "" {
		reply, err = Forward(ctx, d.Upstream, origin, frame)
		if err != nil {
			_ = c.Close(websocket.StatusInternalError, "upstream")
			return
		}
	}
	if reply == nil {
		reply = []byte(`{"success":false,"status":0,"reason":"Функция не найдена или версия E-IMZO устарела. Обновите E-IMZO."}`)
	}
	if err := c.Write(ctx, websocket.MessageText, reply); err != nil {
		return
	}
	_ = c.Close(websocket.StatusNormalClosure, capiws.CloseReasonDone)
}

// Forward sends one frame to a daemon with the given Origin and returns its
// reply frame.
func Forward(ctx context.Context, url, origin string, frame []byte) ([]byte, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, err
	}
	defer c.CloseNow()
	c.SetReadLimit(-1)
	if err := c.Write(ctx, websocket.MessageText, frame); err != nil {
		return nil, err
	}
	_, reply, err := c.Read(ctx)
	return reply, err
}

// Answering is a daemon that answers the functions in replies (keyed
// "plugin.name", ".version" for the main plugin) and forwards the rest to
// upstream; without an upstream it answers version as 6.4 and everything
// else with status 0.
func Answering(t testing.TB, upstream string, replies map[string]string) *Daemon {
	return NewDaemon(t, upstream, func(c Call) (string, bool) {
		if r, ok := replies[c.Plugin+"."+c.Name]; ok {
			return r, true
		}
		if c.Name == "version" && upstream == "" {
			return Version("6", "4"), true
		}
		return "", false
	})
}

// Raw is a WebSocket server that reads the request and then misbehaves as
// serve says (never answers, closes with an error code, sends garbage).
func Raw(t testing.TB, serve func(ctx context.Context, c *websocket.Conn)) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(-1)
		if _, _, err := c.Read(r.Context()); err != nil {
			return
		}
		serve(r.Context(), c)
	}))
	t.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http") + capiws.Path
}

// ClosedURL is a daemon URL on a loopback port where nothing listens.
func ClosedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "ws://" + addr + capiws.Path
}

// SimWithFault starts a daemon-sim with one fault and returns its URL.
func SimWithFault(t testing.TB, f sim.Fault) string {
	s := simtest.Start(t)
	s.Fault(f)
	return s.URL
}

// SimWithScript starts a daemon-sim whose simulated user follows sc for
// every key, and returns its URL.
func SimWithScript(t testing.TB, sc softtoken.Script) string {
	s := simtest.Start(t)
	s.Script("*", sc)
	return s.URL
}

// Version is a reply to "version".
func Version(major, minor string) string {
	return `{"success":true,"status":1,"major":"` + major + `","minor":"` + minor + `","patch":"0","edition":"Standard"}`
}

// TSA is an RFC 3161 time-stamping authority with its own ECDSA key and a
// self-signed certificate for timeStamping.
type TSA struct {
	Cert *x509.Certificate
	key  crypto.Signer
	now  func() time.Time
}

// NewTSA makes a TSA. now is its clock (nil: time.Now).
func NewTSA(t testing.TB, now func() time.Time) *TSA {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(3161),
		Subject:               pkix.Name{CommonName: "eimzokit test TSA (TEST)"},
		NotBefore:             now().Add(-time.Hour),
		NotAfter:              now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &TSA{Cert: cert, key: key, now: now}
}

// Token returns a TimeStampToken (DER ContentInfo) over the SHA-256 of
// signature, as RFC 3161 Appendix A asks for a signature's timestamp.
func (a *TSA) Token(signature []byte) ([]byte, error) {
	sum := sha256.Sum256(signature)
	ts := timestamp.Timestamp{
		HashAlgorithm:     crypto.SHA256,
		HashedMessage:     sum[:],
		Time:              a.now(),
		Policy:            asn1.ObjectIdentifier{1, 2, 860, 3, 2, 11, 1},
		AddTSACertificate: true,
	}
	resp, err := ts.CreateResponseWithOpts(a.Cert, a.key, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	parsed, err := timestamp.ParseResponse(resp)
	if err != nil {
		return nil, err
	}
	return parsed.RawToken, nil
}

// Handler answers POST with a body of a signature in hex with the base64
// of a token over it: what a site's /api/timestamp endpoint does for the
// client's timestamp callback.
func (a *TSA) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil || r.Method != http.MethodPost {
			http.Error(w, "POST a signature in hex", http.StatusBadRequest)
			return
		}
		sig, err := hex.DecodeString(strings.TrimSpace(string(body)))
		if err != nil {
			http.Error(w, "the body is not hex", http.StatusBadRequest)
			return
		}
		token, err := a.Token(sig)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, base64.StdEncoding.EncodeToString(token))
	})
}

// ParseToken parses a token and checks its signature.
func ParseToken(der []byte) (*timestamp.Timestamp, error) { return timestamp.Parse(der) }
