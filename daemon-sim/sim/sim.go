// Package sim is the E-IMZO daemon simulator's server: the WebSocket
// endpoint /service/cryptapi that speaks the real daemon's protocol
// (PROTOCOL.md §1–§4) and the plain HTTP pages on the same port.
//
// Entry points: [OpenData] opens (and on first use fills) a data folder with
// a test PKI and software keys; [New] makes a [Server], an http.Handler, to
// serve it on any loopback listener.
//
// Wire rules kept here: one request per connection, then a close frame 1000
// "Done" (unless the URL has ?keepConnection); non-text frames are ignored;
// a frame that is not a request, an unknown function or a wrong argument
// count is answered with status 0; every function outside the main plugin is
// gated on the domain of the handshake's Origin header.
package sim

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/coder/websocket"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/smallstep/pkcs7"
)

// PublishedKeys are the API keys the vendor publishes for development
// (PROTOCOL.md §3.2). The v6 daemon knows these domains without an apikey
// call.
var PublishedKeys = map[string]string{
	"localhost":      "96D0C1491615C82B9A54D9989779DF825B690748224C2B04F500F370D51827CE2644D8D4A82C18184D73AB8530BB8ED537269603F61DB0D03D2104ABF789970B",
	"127.0.0.1":      "A7BCFA5D490B351BE0754130DF03A068F855DB4333D43921125B9CF2670EF6A40370C646B90401955E1F7BC9CDBF59CE0B2C5467D820BE189C845D0B79CFC96F",
	"null":           "E0A205EC4E7B78BBB56AFF83A733A1BB9FD39D562E67978CC5E7D73B0951DB1954595A20672A63332535E13CC6EC1E1FC8857BB09E0855D7E76E411B6FA16E9D",
	"test.e-imzo.uz": "DE783306B4717AFE4AE1B185E1D967C265AA397A35D8955C7D7E38A36F02798AA62FBABE2ABA15C888FE2F057474F35A5FC783D23005E4347A3E34D6C1DDBAE5",
}

// Version is what the version function reports. Fields are strings on the
// wire: the official client needs major and minor to be truthy.
type Version struct {
	Major, Minor, Patch, Edition string
}

// DefaultVersion is E-IMZO 6.4.7, the release the protocol notes describe.
var DefaultVersion = Version{Major: "6", Minor: "4", Patch: "7", Edition: "Standard"}

// Server is the simulated daemon.
type Server struct {
	store   *softtoken.Store
	version Version
	devMode bool
	allowed map[string]bool
	lang    capiws.Lang
	log     *slog.Logger

	mu       sync.Mutex
	verified map[string]bool // domains whose API key was verified
}

// Option configures [New].
type Option func(*Server)

// WithDeveloperMode lets every domain through the gate, like the daemon's
// "Режим разработчика" setting.
func WithDeveloperMode(on bool) Option { return func(s *Server) { s.devMode = on } }

// WithAllowedDomains authorises domains without a verified API key (a test
// override; the real daemon has no such list).
func WithAllowedDomains(domains ...string) Option {
	return func(s *Server) {
		for _, d := range domains {
			s.allowed[strings.ToLower(d)] = true
		}
	}
}

// WithVersion sets the version the daemon reports.
func WithVersion(v Version) Option { return func(s *Server) { s.version = v } }

// WithLogger sets where the one-line-per-call log goes.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// New returns a daemon serving the keys of store.
func New(store *softtoken.Store, opts ...Option) *Server {
	s := &Server{
		store: store, version: DefaultVersion, allowed: map[string]bool{}, lang: capiws.LangRU,
		log: slog.New(slog.DiscardHandler), verified: map[string]bool{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// ServeHTTP routes the WebSocket endpoint and the daemon's HTTP pages.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodOptions:
		// Chrome's Private Network Access preflight (PROTOCOL.md §1.1).
		h := w.Header()
		h.Set("Access-Control-Allow-Private-Network", "true")
		h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "*")
		w.WriteHeader(http.StatusOK)
	case r.URL.Path == capiws.Path:
		s.serveWS(w, r)
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>E-IMZO</title><h1>E-IMZO " + s.version.Major + "." + s.version.Minor + "." + s.version.Patch + " (eimzo-sim, TEST)</h1>"))
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("404 - Not Found"))
	}
}

// Domain reduces an Origin header to the daemon's domain: the host without
// scheme or port; "null" when missing, opaque or unparsable (PROTOCOL.md §1.2).
func Domain(origin string) string {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Scheme == "file" {
		return "null"
	}
	return strings.ToLower(u.Hostname())
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	// The daemon accepts every origin at the handshake and gates calls by
	// domain instead.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer c.CloseNow()
	// A frame over the limit closes the socket with 1009.
	c.SetReadLimit(capiws.MaxFrameBytes)
	domain := Domain(r.Header.Get("Origin"))
	keep := r.URL.Query().Has("keepConnection")
	ctx := r.Context()
	for {
		typ, frame, err := c.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			continue // binary frames are ignored
		}
		reply := s.handle(ctx, domain, r.Header.Get("Origin"), frame)
		if err := c.Write(ctx, websocket.MessageText, reply); err != nil {
			return
		}
		if !keep {
			// An explicit 1000: the official e-imzo.js reports any other
			// close code as an error, even after a successful reply.
			_ = c.Close(websocket.StatusNormalClosure, capiws.CloseReasonDone)
			return
		}
	}
}

// call is one request being handled.
type call struct {
	ctx    context.Context
	domain string
	origin string
	req    capiws.Request
}

type function struct {
	min, max int // argument count
	run      func(s *Server, c *call) (capiws.Value, error)
}

var functions = map[string]function{
	".version":                  {0, 0, (*Server).reportVersion},
	".apikey":                   {2, 1 << 20, (*Server).apikey},
	"pfx.list_all_certificates": {0, 0, (*Server).listAllCertificates},
	"pfx.load_key":              {4, 4, (*Server).loadKey},
	"pkcs7.create_pkcs7":        {2, 3, (*Server).createPKCS7},
}

func (s *Server) handle(ctx context.Context, domain, origin string, frame []byte) []byte {
	req, err := capiws.ParseRequest(frame)
	if err != nil {
		s.log.Info("call", "plugin", "", "function", "", "domain", domain, "status", int(capiws.StatusNotFound), "error", "malformed frame")
		return failure(s.lang, &softtoken.Failure{Status: capiws.StatusNotFound})
	}
	status, reply := s.dispatch(&call{ctx: ctx, domain: domain, origin: origin, req: req})
	s.log.Info("call", "plugin", req.Plugin, "function", req.Name, "domain", domain, "status", int(status))
	return reply
}

func (s *Server) dispatch(c *call) (capiws.Status, []byte) {
	fn, ok := functions[c.req.Plugin+"."+c.req.Name]
	if !ok || len(c.req.Arguments) < fn.min || len(c.req.Arguments) > fn.max {
		return capiws.StatusNotFound, failure(s.lang, &softtoken.Failure{Status: capiws.StatusNotFound})
	}
	for _, a := range c.req.Arguments {
		// The 32 MiB limit is on what an argument carries: a 32 MiB
		// document is 4/3 as long once base64-encoded.
		if len(a) > base64.StdEncoding.EncodedLen(capiws.MaxArgumentBytes) {
			f := &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{"argument larger than 32 MiB"}}
			return f.Status, failure(s.lang, f)
		}
	}
	if c.req.Plugin != "" {
		if f := s.gate(c.domain); f != nil {
			return f.Status, failure(s.lang, f)
		}
	}
	v, err := fn.run(s, c)
	if err != nil {
		var f *softtoken.Failure
		if !errors.As(err, &f) {
			f = &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{err.Error()}}
		}
		return f.Status, failure(s.lang, f)
	}
	return capiws.StatusOK, v.AppendJSON(nil)
}

// gate checks the caller's domain before any named plugin runs.
func (s *Server) gate(domain string) *softtoken.Failure {
	if s.devMode || s.allowed[domain] {
		return nil
	}
	if _, ok := PublishedKeys[domain]; ok {
		return nil // known to the vendor's registry: the v6 auto-load succeeds
	}
	s.mu.Lock()
	ok := s.verified[domain]
	s.mu.Unlock()
	if ok {
		return nil
	}
	return &softtoken.Failure{Status: capiws.StatusDomainNotAllowed, Args: []string{domain}}
}

// failure is a reply with success false, the status and the reason.
func failure(lang capiws.Lang, f *softtoken.Failure) []byte {
	reason := f.Status.Reason(lang, f.Args...)
	if f.Status == capiws.StatusRuntime && len(f.Args) > 0 {
		reason = f.Args[0] // -9999 carries free text
	}
	return capiws.MakeObject(
		capiws.Member{Key: "success", Value: capiws.MakeBool(false)},
		capiws.Member{Key: "status", Value: capiws.MakeNumber(int(f.Status))},
		capiws.Member{Key: "reason", Value: capiws.MakeString(reason)},
	).AppendJSON(nil)
}

// ok builds a success reply with extra members.
func ok(members ...capiws.Member) capiws.Value {
	return capiws.MakeObject(append([]capiws.Member{
		{Key: "success", Value: capiws.MakeBool(true)},
		{Key: "status", Value: capiws.MakeNumber(int(capiws.StatusOK))},
	}, members...)...)
}

func str(key, v string) capiws.Member { return capiws.Member{Key: key, Value: capiws.MakeString(v)} }

func (s *Server) reportVersion(*call) (capiws.Value, error) {
	v := s.version
	return ok(str("major", v.Major), str("minor", v.Minor), str("patch", v.Patch), str("edition", v.Edition)), nil
}

// apikey verifies (domain, key) pairs. Until the GOST verification lands,
// a key verifies when it is the published one for its domain, or when the
// domain is on the allow-list.
func (s *Server) apikey(c *call) (capiws.Value, error) {
	args := c.req.Arguments
	if len(args)%2 != 0 {
		return capiws.Value{}, &softtoken.Failure{Status: capiws.StatusNotFound}
	}
	for i := 0; i < len(args); i += 2 {
		domain, key := strings.ToLower(args[i]), args[i+1]
		pub, known := PublishedKeys[domain]
		if !(known && strings.EqualFold(pub, key)) && !s.allowed[domain] {
			return capiws.Value{}, &softtoken.Failure{Status: capiws.StatusAPIKeyInvalid, Args: []string{args[i]}}
		}
	}
	s.mu.Lock()
	for i := 0; i < len(args); i += 2 {
		s.verified[strings.ToLower(args[i])] = true
	}
	s.mu.Unlock()
	return ok(str("message", c.origin)), nil
}

func (s *Server) listAllCertificates(*call) (capiws.Value, error) {
	var certs []capiws.Value
	for _, k := range s.store.List() {
		certs = append(certs, capiws.MakeObject(str("disk", k.Disk), str("path", k.Path), str("name", k.Name), str("alias", k.Alias)))
	}
	return ok(capiws.Member{Key: "certificates", Value: capiws.MakeArray(certs...)}), nil
}

func (s *Server) loadKey(c *call) (capiws.Value, error) {
	a := c.req.Arguments
	id, err := s.store.Load(a[0], a[1], a[2], a[3])
	if err != nil {
		return capiws.Value{}, err
	}
	return ok(str("keyId", id), str("type", "PFX_KEY_STORE")), nil
}

// Device ids that create_pkcs7 accepts in place of a key id.
var deviceIDs = map[string]bool{"idcard": true, "baikey": true, "ckc": true}

func (s *Server) createPKCS7(c *call) (capiws.Value, error) {
	a := c.req.Arguments
	data, err := base64.StdEncoding.DecodeString(a[0])
	if err != nil {
		return capiws.Value{}, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{"Некорректные данные: ожидается base64"}}
	}
	detached := len(a) > 2 && a[2] == "yes"
	if deviceIDs[a[1]] {
		return capiws.Value{}, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{"Устройство не найдено"}}
	}
	if !s.store.Known(a[1]) {
		return capiws.Value{}, &softtoken.Failure{Status: capiws.StatusKeyIDNotFound}
	}
	key, err := s.store.Unlock(c.ctx, a[1])
	if err != nil {
		return capiws.Value{}, err
	}
	sd, err := pkcs7.NewSignedData(data)
	if err != nil {
		return capiws.Value{}, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	// The signer and the issuing CA go into the CMS, the root does not.
	var parents = key.Chain
	if len(parents) > 1 {
		parents = parents[:1]
	}
	if err := sd.AddSignerChain(key.Cert, key.Signer, parents, pkcs7.SignerInfoConfig{}); err != nil {
		return capiws.Value{}, err
	}
	if detached {
		sd.Detach()
	}
	sig := sd.GetSignedData().SignerInfos[0].EncryptedDigest
	der, err := sd.Finish()
	if err != nil {
		return capiws.Value{}, err
	}
	return ok(
		str("pkcs7_64", base64.StdEncoding.EncodeToString(der)),
		str("signer_serial_number", key.Cert.SerialNumber.Text(16)),
		str("signature_hex", hex.EncodeToString(sig)),
	), nil
}
