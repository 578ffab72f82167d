package sim

import (
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/daemon-sim/ws"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
)

// PublishedKeys are the API keys the vendor publishes for development
// (PROTOCOL.md §3.2).
var PublishedKeys = map[string]string{
	"localhost":      "96D0C1491615C82B9A54D9989779DF825B690748224C2B04F500F370D51827CE2644D8D4A82C18184D73AB8530BB8ED537269603F61DB0D03D2104ABF789970B",
	"127.0.0.1":      "A7BCFA5D490B351BE0754130DF03A068F855DB4333D43921125B9CF2670EF6A40370C646B90401955E1F7BC9CDBF59CE0B2C5467D820BE189C845D0B79CFC96F",
	"null":           "E0A205EC4E7B78BBB56AFF83A733A1BB9FD39D562E67978CC5E7D73B0951DB1954595A20672A63332535E13CC6EC1E1FC8857BB09E0855D7E76E411B6FA16E9D",
	"test.e-imzo.uz": "DE783306B4717AFE4AE1B185E1D967C265AA397A35D8955C7D7E38A36F02798AA62FBABE2ABA15C888FE2F057474F35A5FC783D23005E4347A3E34D6C1DDBAE5",
}

// RegisteredDomains are the domains the v6 daemon authorises on its own,
// by fetching their key from the vendor's registry ("auto-load",
// PROTOCOL.md §3.2). "null" is not among them: a v6.4.7 capture answers it
// -1022 until the page sends the published null key through apikey.
var RegisteredDomains = []string{"localhost", "127.0.0.1", "test.e-imzo.uz"}

// APIKeyVerifier checks one (domain, key) pair of the apikey function. The
// default, [VendorKeys], verifies as the real daemon does; [KnownKeys]
// accepts a fixed table instead (a test override, like the allow-list).
type APIKeyVerifier interface {
	VerifyAPIKey(domain, key string) bool
}

// VendorKeys verifies API keys as the E-IMZO daemon does (PROTOCOL.md
// §3.2): the key is a GOST R 34.10-2001 signature (s ‖ r, 128 hex digits)
// by the vendor's key over H(H(domain)), H = GOST R 34.11-94 with the
// CryptoPro S-box (gost.VerifyAPIKey). Every genuine key verifies, the
// published ones and those issued to production sites; no other does, and
// the simulator cannot make new ones (it lacks the vendor's private key):
// test sites use the allow-list or developer mode.
type VendorKeys struct{}

// VerifyAPIKey implements [APIKeyVerifier].
func (VendorKeys) VerifyAPIKey(domain, key string) bool { return gost.VerifyAPIKey(domain, key) == nil }

// KnownKeys verifies a key when it is the table's key for its domain
// (compared without regard to case).
type KnownKeys map[string]string

// VerifyAPIKey implements [APIKeyVerifier].
func (k KnownKeys) VerifyAPIKey(domain, key string) bool {
	want, ok := k[strings.ToLower(domain)]
	return ok && strings.EqualFold(want, key)
}

// Version is what the version function reports. Fields are strings on the
// wire: the official client needs major and minor to be truthy.
type Version struct {
	Major   string `json:"major"`
	Minor   string `json:"minor"`
	Patch   string `json:"patch,omitempty"`
	Edition string `json:"edition,omitempty"`
}

func (v Version) String() string {
	s := v.Major + "." + v.Minor
	if v.Patch != "" {
		s += "." + v.Patch
	}
	return s
}

// DefaultVersion is E-IMZO 6.4.7, the release the protocol notes describe.
var DefaultVersion = Version{Major: "6", Minor: "4", Patch: "7", Edition: "Standard"}

// V5Version is what the v5 profile reports unless told otherwise: older
// builds send only major and minor.
var V5Version = Version{Major: "5", Minor: "20"}

// Profile is the generation of daemon simulated.
type Profile string

// Profiles.
const (
	// V6 is E-IMZO 6.x: every reply has a status; the pkcs7 helpers of
	// older versions and the ftjc plugin answer status 0; registered
	// domains pass the gate without an apikey call.
	V6 Profile = "v6"
	// V5 is an older daemon: ftjc tokens, attach_timestamp_token_pkcs7,
	// append_pkcs7_attached/detached, calls without a plugin resolved by
	// name, replies without status, Java exception texts as reasons, and
	// every domain needs an apikey call (no registry auto-load).
	V5 Profile = "v5"
)

// ParseProfile returns the profile named s.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(s); p {
	case V6, V5:
		return p, nil
	}
	return "", errorf("unknown profile %q (want v6 or v5)", s)
}

// Server is the simulated daemon: an http.Handler for the daemon's ports,
// and the state that the control API scripts.
type Server struct {
	store    *softtoken.Store
	pki      *testpki.PKI
	pkiDir   string
	gostPKI  *testpki.PKI
	gostDir  string
	log      *slog.Logger
	verifier APIKeyVerifier
	services http.Handler // the PKI's online services, under ServicesPath
	profile  Profile
	now      func() time.Time
	idle     time.Duration

	initVersion Version
	versionSet  bool
	initLang    capiws.Lang
	initDev     bool
	initAllowed []string
	eventLimit  int
	cat         *catalogue
	connSeq     atomic.Int64
	connWG      sync.WaitGroup
	connMu      sync.Mutex
	conns       map[*ws.Conn]struct{}
	closed      bool

	mu       sync.Mutex
	version  Version
	lang     capiws.Lang
	devMode  bool
	allowed  map[string]bool
	verified map[string]bool // domains whose API key was verified
	faults   []*Fault
	faultSeq int
	events   eventLog
}

// Option configures [New].
type Option func(*Server)

// WithDeveloperMode lets every domain through the gate, like the daemon's
// "Режим разработчика" setting.
func WithDeveloperMode(on bool) Option { return func(s *Server) { s.initDev = on } }

// WithAllowedDomains authorises domains without a verified API key (a test
// override; the real daemon has no such list).
func WithAllowedDomains(domains ...string) Option {
	return func(s *Server) { s.initAllowed = append(s.initAllowed, domains...) }
}

// WithVersion sets the version the daemon reports.
func WithVersion(v Version) Option { return func(s *Server) { s.initVersion, s.versionSet = v, true } }

// WithLogger sets where the one-line-per-call log goes.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithProfile sets the daemon generation (default V6).
func WithProfile(p Profile) Option { return func(s *Server) { s.profile = p } }

// WithLanguage sets the language of reasons at start (default Russian);
// app.change_ui_lang changes it while running.
func WithLanguage(l capiws.Lang) Option { return func(s *Server) { s.initLang = l } }

// WithAPIKeyVerifier replaces the check of apikey pairs (default:
// VendorKeys, the real verification).
func WithAPIKeyVerifier(v APIKeyVerifier) Option { return func(s *Server) { s.verifier = v } }

// WithPKI gives the server a CA, so it can plug devices holding fresh keys
// and issue new key files; dir (optional) is where the PKI is saved, to
// keep its revocation list current.
func WithPKI(p *testpki.PKI, dir string) Option {
	return func(s *Server) { s.pki, s.pkiDir = p, dir }
}

// WithGOSTPKI gives the server the GOST test PKI, which issues the keys of
// key type "gost" (key files, devices); dir as for WithPKI.
func WithGOSTPKI(p *testpki.PKI, dir string) Option {
	return func(s *Server) { s.gostPKI, s.gostDir = p, dir }
}

// ServicesPath is where [WithServices] mounts the PKI's online services on
// the daemon's ports: http://127.0.0.1:64646/pki/tsa, /pki/ocsp, /pki/crl/….
const ServicesPath = "/pki"

// WithServices serves h (daemon-sim/pkisvc: TSA, OCSP, CRLs) under
// ServicesPath on the daemon's own listeners, so relying parties find the
// test PKI's services where the simulator is. Faults do not touch them.
func WithServices(h http.Handler) Option {
	return func(s *Server) { s.services = http.StripPrefix(ServicesPath, h) }
}

// WithClock sets the clock of signing times and the event log.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithEventLimit bounds the event log (default 10000 events; older ones go).
func WithEventLimit(n int) Option { return func(s *Server) { s.eventLimit = n } }

// WithIdleTimeout closes a connection whose client sends nothing for d
// (default 5 minutes).
func WithIdleTimeout(d time.Duration) Option { return func(s *Server) { s.idle = d } }

// New returns a daemon serving the keys of store.
func New(store *softtoken.Store, opts ...Option) *Server {
	s := &Server{
		store: store, log: slog.New(slog.DiscardHandler), verifier: VendorKeys{},
		profile: V6, now: time.Now, idle: 5 * time.Minute, initLang: capiws.LangRU, eventLimit: 10000,
	}
	for _, o := range opts {
		o(s)
	}
	if !s.versionSet {
		s.initVersion = DefaultVersion
		if s.profile == V5 {
			s.initVersion = V5Version
		}
	}
	s.events.limit = s.eventLimit
	s.cat = functions()
	s.resetState()
	return s
}

// resetState restores everything the control API can change.
func (s *Server) resetState() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version, s.lang, s.devMode = s.initVersion, s.initLang, s.initDev
	s.allowed = map[string]bool{}
	for _, d := range s.initAllowed {
		s.allowed[strings.ToLower(strings.TrimSpace(d))] = true
	}
	s.verified = map[string]bool{}
	s.faults = nil
}

// Reset returns the simulator to its state at start: no faults, scripts,
// devices, key ids or verified domains; the initial version, language,
// layout and gate settings; an empty event log. Key files stay.
func (s *Server) Reset() {
	s.resetState()
	s.store.Reset()
	s.events.clear()
}

// track registers a live WebSocket connection; it returns false once the
// server is closed.
func (s *Server) track(c *ws.Conn) bool {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.closed {
		return false
	}
	if s.conns == nil {
		s.conns = map[*ws.Conn]struct{}{}
	}
	s.conns[c] = struct{}{}
	s.connWG.Add(1)
	return true
}

func (s *Server) untrack(c *ws.Conn) {
	s.connMu.Lock()
	delete(s.conns, c)
	s.connMu.Unlock()
	s.connWG.Done()
}

// Close ends every WebSocket connection (http.Server.Shutdown does not see
// them once they are taken over) and waits for their handlers: calls
// waiting in a dialog or in a hang fault are abandoned. The server refuses
// new connections afterwards.
func (s *Server) Close() {
	s.connMu.Lock()
	s.closed = true
	for c := range s.conns {
		_ = c.Close()
	}
	s.connMu.Unlock()
	s.connWG.Wait()
}

// Store returns the key store.
func (s *Server) Store() *softtoken.Store { return s.store }

// ServeHTTP routes the WebSocket endpoint and the daemon's HTTP pages.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.services != nil && strings.HasPrefix(r.URL.Path, ServicesPath+"/") {
		s.services.ServeHTTP(w, r)
		return
	}
	if f := s.refusal(); f != nil {
		s.refuse(w, r, f)
		return
	}
	switch {
	case r.Method == http.MethodOptions:
		// Chrome's Private Network Access preflight (PROTOCOL.md §1.1).
		h := w.Header()
		h.Set("Access-Control-Allow-Private-Network", "true")
		h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "*")
		w.WriteHeader(http.StatusOK)
	case r.URL.Path == capiws.Path && ws.IsUpgrade(r):
		s.serveWS(w, r)
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		s.statusPage(w)
	case r.URL.Path == "/apidoc.html" && r.Method == http.MethodGet:
		s.apidocPage(w)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("404 - Not Found"))
	}
}

func (s *Server) statusPage(w http.ResponseWriter) {
	v := s.currentVersion()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte("<!doctype html><meta charset=utf-8><title>E-IMZO</title><h1>E-IMZO " + html.EscapeString(v.String()) +
		" (eimzo-sim, TEST)</h1><p>WebSocket: <code>" + capiws.Path + "</code>. API: <a href=\"/apidoc.html\">apidoc.html</a>.</p>"))
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

func (s *Server) currentVersion() Version {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

func (s *Server) currentLang() capiws.Lang {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lang
}

// Settings are the simulator's adjustable settings.
type Settings struct {
	Version  *Version         `json:"version,omitempty"`
	Language capiws.Lang      `json:"language,omitempty"`
	Layout   softtoken.Layout `json:"layout,omitempty"`
	DevMode  *bool            `json:"developer_mode,omitempty"`
	Allow    []string         `json:"allow,omitempty"`    // domains added to the allow-list
	Disallow []string         `json:"disallow,omitempty"` // domains removed from the allow-list and the verified set
}

// Apply changes the given settings; absent ones stay.
func (s *Server) Apply(st Settings) error {
	if st.Version != nil && (st.Version.Major == "" || st.Version.Minor == "") {
		return errorf("a version needs major and minor")
	}
	if st.Language != "" && st.Language != capiws.LangRU && st.Language != capiws.LangUZ {
		return errorf("unknown language %q (want ru or uz)", st.Language)
	}
	if st.Layout != "" {
		if _, err := softtoken.ParseLayout(string(st.Layout)); err != nil {
			return err
		}
		s.store.SetLayout(st.Layout)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.Version != nil {
		s.version = *st.Version
	}
	if st.Language != "" {
		s.lang = st.Language
	}
	if st.DevMode != nil {
		s.devMode = *st.DevMode
	}
	for _, d := range st.Allow {
		s.allowed[strings.ToLower(d)] = true
	}
	for _, d := range st.Disallow {
		delete(s.allowed, strings.ToLower(d))
		delete(s.verified, strings.ToLower(d))
	}
	return nil
}

// State is a snapshot of the simulator for the control API.
type State struct {
	Profile         Profile                 `json:"profile"`
	Version         Version                 `json:"version"`
	Language        capiws.Lang             `json:"language"`
	Layout          softtoken.Layout        `json:"layout"`
	DevMode         bool                    `json:"developer_mode"`
	Allowed         []string                `json:"allowed"`
	VerifiedDomains []string                `json:"verified_domains"`
	Keys            []softtoken.KeyFile     `json:"keys"`
	Devices         []softtoken.DeviceInfo  `json:"devices"`
	Scripts         []softtoken.ScriptState `json:"scripts"`
	Faults          []Fault                 `json:"faults"`
	Dialogs         []softtoken.OpenDialog  `json:"dialogs"`
	Revoked         []testpki.Revocation    `json:"revoked,omitempty"`
	Events          int64                   `json:"events"` // sequence number of the last event
}

// Snapshot returns the current state.
func (s *Server) Snapshot() State {
	st := State{
		Profile: s.profile, Layout: s.store.Layout(), Keys: s.store.List(), Devices: s.store.Devices(),
		Scripts: s.store.Scripts(), Faults: s.Faults(), Dialogs: s.store.OpenDialogs(), Events: s.events.last(),
	}
	if st.Keys == nil {
		st.Keys = []softtoken.KeyFile{}
	}
	if s.pki != nil {
		st.Revoked = s.pki.Revocations()
	}
	if s.gostPKI != nil {
		st.Revoked = append(st.Revoked, s.gostPKI.Revocations()...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Version, st.Language, st.DevMode = s.version, s.lang, s.devMode
	st.Allowed, st.VerifiedDomains = sortedKeys(s.allowed), sortedKeys(s.verified)
	return st
}
