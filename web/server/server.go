package server

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/web/audit"
	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/static"
	"github.com/eimzokit/eimzokit/web/store"
	"github.com/eimzokit/eimzokit/web/tsp"
	"github.com/eimzokit/eimzokit/web/verify"
)

// Body limits.
const (
	// MaxBodyBytes bounds a request carrying a document: a 32 MiB document,
	// base64-encoded, attached in a CMS, is ~43 MiB.
	MaxBodyBytes = 64 << 20
	// MaxSmallBody bounds login, refresh and time-stamp requests.
	MaxSmallBody = 1 << 20
)

// Defaults of the seeds/002 checks.
const (
	DefaultSignTimeout  = 120 * time.Second // officer and citizen: signed within this of now
	DefaultOwnerTimeout = 60 * time.Second  // owner
	DefaultLoginSkew    = 5 * time.Minute   // a login's signing-time against the server clock
)

// Cookie names. __Host- makes browsers insist on Secure, Path=/ and no
// Domain (RFC 6265bis §4.1.3.2).
const (
	SessionCookie = "__Host-eimzo_session"
	RefreshCookie = "__Secure-eimzo_refresh"
	refreshPath   = "/api/auth"
)

// Config configures [New].
type Config struct {
	Verifier *verify.Verifier // required
	// Auth runs logins; nil makes one with an in-memory store and a fresh
	// ES256 key.
	Auth  *auth.Service
	TSA   *tsp.Client   // nil: the time-stamp endpoints answer 503 TSA_UNAVAILABLE
	Audit *audit.Logger // nil: no audit log
	// Origins are the browser origins (scheme://host[:port]) allowed to log
	// in; empty allows the request's own origin only.
	Origins   []string
	AssetsDir string // the npm package's dist/ folder
	DaemonURL string // handed to the demo page; "" = the client's default
	Logger    *slog.Logger
	Now       func() time.Time

	SignTimeout  time.Duration // seeds/002 officer/citizen timeout-ms (default 120 s)
	OwnerTimeout time.Duration // seeds/002 owner sign.auth.timeout-ms (default 60 s)
	LoginSkew    time.Duration // E-IMZO status -5: a login's signing-time this far from now (default 5 min)

	// VPNKeyCert is the certificate GET /ping and /info report as
	// E-IMZO-SERVER's vpnKeyInfo (nil: {}); Version is /info's version
	// ("": the module's, from the build).
	VPNKeyCert *x509.Certificate
	Version    string
	// Access checks the e-signature endpoints' X-Access-Token when it comes
	// from the site's identity provider (per-endpoint options); nil: only
	// eimzo-web's own session JWTs.
	Access *auth.AccessVerifier
}

type server struct {
	cfg Config
	mux *http.ServeMux
}

// New returns the backend's handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Verifier == nil {
		return nil, errors.New("server: no verifier")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SignTimeout == 0 {
		cfg.SignTimeout = DefaultSignTimeout
	}
	if cfg.OwnerTimeout == 0 {
		cfg.OwnerTimeout = DefaultOwnerTimeout
	}
	if cfg.LoginSkew == 0 {
		cfg.LoginSkew = DefaultLoginSkew
	}
	if cfg.Auth == nil {
		key, err := auth.GenerateKey()
		if err != nil {
			return nil, err
		}
		if cfg.Auth, err = auth.New(store.NewMemory(store.WithClock(cfg.Now)), key, auth.WithClock(cfg.Now)); err != nil {
			return nil, err
		}
	}
	_ = mime.AddExtensionType(".wasm", "application/wasm")
	s := &server{cfg: cfg, mux: http.NewServeMux()}
	page := http.FileServerFS(static.FS)
	for _, p := range []string{"GET /{$}", "GET /app.js", "GET /style.css"} {
		s.mux.Handle(p, page)
	}
	s.mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, map[string]string{"daemonUrl": cfg.DaemonURL})
	})
	var assets fs.FS = emptyFS{}
	if cfg.AssetsDir != "" {
		assets = os.DirFS(cfg.AssetsDir)
	}
	s.mux.Handle("GET /eimzokit/", http.StripPrefix("/eimzokit/", http.FileServerFS(assets)))
	s.routesAPI()
	s.routesESignature()
	s.routesEIMZOServer()
	return securityHeaders(s.mux), nil
}

// securityHeaders sets a strict CSP that still lets the page compile the
// .wasm and reach the daemon on loopback.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws://127.0.0.1:* wss://127.0.0.1:*; style-src 'self'; img-src 'self' data:")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

type emptyFS struct{}

func (emptyFS) Open(string) (fs.File, error) { return nil, fs.ErrNotExist }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiError is the error body of the /api routes; a JWT's errors add
// jsonwebtoken's dates: expiredAt (TokenExpiredError) or date
// (NotBeforeError).
type apiError struct {
	Code             string     `json:"code,omitempty"`
	Message          string     `json:"message,omitempty"`
	LocalizedMessage string     `json:"localizedMessage,omitempty"`
	Detail           string     `json:"detail,omitempty"`
	ExpiredAt        *time.Time `json:"expiredAt,omitempty"`
	Date             *time.Time `json:"date,omitempty"`
}

func newAPIError(r *http.Request, code, detail string) apiError {
	en, loc := localize(r, code)
	return apiError{Code: code, Message: en, LocalizedMessage: loc, Detail: detail}
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, status int, code, detail string) {
	writeJSON(w, status, newAPIError(r, code, detail))
}

// failAuth answers a web/auth error with its status, code and dates.
func (s *server) failAuth(w http.ResponseWriter, r *http.Request, err error) {
	code := authCode(err)
	e := newAPIError(r, code, "")
	var ae *auth.Error
	if errors.As(err, &ae) {
		e.ExpiredAt, e.Date = timePtr(ae.ExpiredAt), timePtr(ae.Date)
	}
	writeJSON(w, authStatus(code), e)
}

// errBodyTooLarge marks a body over its limit.
var errBodyTooLarge = errors.New("body too large")

// readBody reads at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errBodyTooLarge
	}
	return b, err
}

// decodeJSON reads a JSON body of at most limit bytes into v, refusing
// unknown fields and trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	b, err := readBody(w, r, limit)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON")
	}
	return nil
}

// bodyStatus maps a body error to its status and code.
func bodyStatus(err error) (int, string) {
	if errors.Is(err, errBodyTooLarge) {
		return http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE"
	}
	return http.StatusBadRequest, "BAD_REQUEST"
}

// decodeB64 decodes standard base64, tolerating surrounding whitespace and
// line breaks (E-IMZO wraps nothing, but copy-paste does).
func decodeB64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return nil, errors.New("empty")
	}
	return base64.StdEncoding.DecodeString(s)
}

// requestOrigin is the browser origin of a request: its Origin header, or
// the origin of what it asked for.
func requestOrigin(r *http.Request) string {
	if o := r.Header.Get("Origin"); o != "" {
		return o
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// loginOrigin is the origin a login request belongs to, and whether it may
// log in: one of cfg.Origins, or (none configured) the request's own.
func (s *server) loginOrigin(r *http.Request) (string, bool) {
	origin := requestOrigin(r)
	if len(s.cfg.Origins) > 0 {
		if r.Header.Get("Origin") == "" && len(s.cfg.Origins) == 1 {
			origin = s.cfg.Origins[0] // a same-origin GET behind a proxy sends no Origin
		}
		return origin, slices.Contains(s.cfg.Origins, origin)
	}
	u, err := url.Parse(origin)
	return origin, err == nil && u.Host == r.Host && (u.Scheme == "http" || u.Scheme == "https")
}

func remote(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *server) audit(r *http.Request, e audit.Event) {
	e.Endpoint = r.Method + " " + r.URL.Path
	e.Remote, e.RealIP = remote(r), r.Header.Get("X-Real-IP")
	s.cfg.Audit.Log(e)
}

// verifyCode returns the code of a web/verify error.
func verifyCode(err error) string {
	var ve *verify.Error
	if errors.As(err, &ve) {
		return string(ve.Code)
	}
	return "INTERNAL"
}

// sessionToken finds the session JWT: the session cookie, an
// "Authorization: Bearer" header, or X-Access-Token (seeds/002).
func sessionToken(r *http.Request) string {
	if t := r.Header.Get("X-Access-Token"); t != "" {
		return t
	}
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func authCode(err error) string {
	var ae *auth.Error
	if errors.As(err, &ae) {
		return string(ae.Code)
	}
	return "INTERNAL"
}

func authStatus(code string) int {
	switch code {
	case string(auth.CodeStoreUnavailable), string(auth.CodeJWTKeysUnavailable):
		return http.StatusServiceUnavailable
	case string(auth.CodeOriginMismatch):
		return http.StatusForbidden
	}
	return http.StatusUnauthorized
}

// ctxTimeout bounds the network calls a request may make (revocation,
// time-stamps).
func ctxTimeout(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 30*time.Second)
}
