// Package simtest starts an E-IMZO daemon simulator in-process, on free
// loopback ports, for Go tests:
//
//	s := simtest.Start(t)
//	client := eimzo.New(eimzo.WithURL(s.URL))
//
// Each call gets its own copy of a data folder (test PKI and default keys)
// made once per test binary and kept in memory, so starting is cheap and
// nothing is left in the temporary folder; the servers stop when the test
// ends.
//
// The test PKI's online services (daemon-sim/pkisvc: TSA, OCSP, CRLs) are
// served on the daemon's port under /pki ([Sim.PKIURL]). Options add a wss
// listener ([WithTLS]), the HTTP control API ([WithControl]), the revoked
// and no-TIN keys ([WithExtraKeys]), GOST keys ([WithGOSTKeys]), keys that
// sign with SHA-384/512 or RSASSA-PSS ([WithKeySigning], [Sim.IssueKey]) or
// the v5 profile ([WithV5]). Helpers script the simulated user ([Sim.Script]),
// inject faults ([Sim.Fault]), plug devices ([Sim.Plug]) and read the event
// log ([Sim.Events]), failing the test on a bad request.
package simtest

import (
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// Sim is a running simulator.
type Sim struct {
	URL        string // ws://127.0.0.1:PORT/service/cryptapi
	WSSURL     string // wss://127.0.0.1:PORT/service/cryptapi, with WithTLS
	ControlURL string // http://127.0.0.1:PORT, the control API, with WithControl
	// PKIURL is where the test PKI's online services are served, on the
	// daemon's port: PKIURL+pkisvc.PathOCSP, PathTSA, PathCACRL, PathRootCRL.
	PKIURL string
	// Services are those services (TSA, OCSP, CRLs); Services.Revoke and
	// the revoked extra key go into the PKI's one revocation list.
	Services *pkisvc.Service
	Data     *sim.Data
	Server   *sim.Server
	HTTP     *httptest.Server
	TLS      *httptest.Server // with WithTLS; TLS.Client() trusts it
	Control  *httptest.Server // with WithControl

	t testing.TB
}

// keySet says which keys a data folder holds besides the default six.
type keySet struct{ extra, gost bool }

var (
	templateMu sync.Mutex
	templates  = map[keySet]fstest.MapFS{}
)

// template returns the in-memory data folder, making it on first use.
func template(set keySet) (fstest.MapFS, error) {
	templateMu.Lock()
	defer templateMu.Unlock()
	if m, ok := templates[set]; ok {
		return m, nil
	}
	dir, err := os.MkdirTemp("", "eimzo-sim-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	data, err := sim.OpenData(dir, nil)
	if err != nil {
		return nil, err
	}
	if set.extra {
		if err := sim.AddExtraKeys(data); err != nil {
			return nil, err
		}
	}
	if set.gost {
		if err := sim.AddGOSTKeys(data); err != nil {
			return nil, err
		}
	}
	m := fstest.MapFS{}
	err = fs.WalkDir(os.DirFS(dir), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		m[path] = &fstest.MapFile{Data: b, Mode: info.Mode()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	templates[set] = m
	return m, nil
}

// Start runs a simulator until the test ends.
func Start(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	tmpl, err := template(keySet{c.extra, c.gost})
	if err != nil {
		t.Fatalf("simtest: making the template data folder: %v", err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, tmpl); err != nil {
		t.Fatalf("simtest: copying the data folder: %v", err)
	}
	data, err := sim.OpenData(dir, nil, c.store...)
	if err != nil {
		t.Fatalf("simtest: %v", err)
	}
	for _, ks := range c.signings {
		if err := data.Store.SetSigning(ks.name, ks.signing); err != nil {
			t.Fatalf("simtest: WithKeySigning: %v", err)
		}
	}
	svc, err := pkisvc.New(data.PKI, c.services...)
	if err != nil {
		t.Fatalf("simtest: PKI services: %v", err)
	}
	srvOpts := []sim.Option{sim.WithPKI(data.PKI, filepath.Join(dir, sim.PKIDir)), sim.WithServices(svc)}
	if data.GOST != nil {
		srvOpts = append(srvOpts, sim.WithGOSTPKI(data.GOST, filepath.Join(dir, sim.GOSTPKIDir)))
	}
	srvOpts = append(srvOpts, c.server...)
	srv := sim.New(data.Store, srvOpts...)
	s := &Sim{Data: data, Server: srv, Services: svc, t: t}
	t.Cleanup(srv.Close) // runs after the listeners close (cleanups run last-in first-out)
	s.HTTP = httptest.NewServer(srv)
	t.Cleanup(s.HTTP.Close)
	s.URL = "ws" + strings.TrimPrefix(s.HTTP.URL, "http") + capiws.Path
	s.PKIURL = s.HTTP.URL + sim.ServicesPath
	if c.tls {
		s.TLS = httptest.NewUnstartedServer(srv)
		s.TLS.EnableHTTP2 = false
		s.TLS.StartTLS()
		t.Cleanup(s.TLS.Close)
		s.WSSURL = "wss" + strings.TrimPrefix(s.TLS.URL, "https") + capiws.Path
	}
	if c.control {
		s.Control = httptest.NewServer(srv.ControlHandler())
		t.Cleanup(s.Control.Close)
		s.ControlURL = s.Control.URL
	}
	return s
}

// Option configures [Start].
type Option func(*config)

type config struct {
	server   []sim.Option
	store    []softtoken.Option
	services []pkisvc.Option
	tls      bool
	control  bool
	extra    bool
	gost     bool
	signings []keySigning
}

type keySigning struct {
	name    string
	signing softtoken.Signing
}

// WithKeySigning makes the key file name (e.g. "DS" + a default person's
// PINFL) sign as sg: SHA-384/512, or RSASSA-PSS for RSA keys. New keys
// take it in their spec ([Sim.IssueKey], sim.KeySpec.Signing).
func WithKeySigning(name string, sg softtoken.Signing) Option {
	return func(c *config) { c.signings = append(c.signings, keySigning{name, sg}) }
}

// WithServer passes options to the server.
func WithServer(opts ...sim.Option) Option {
	return func(c *config) { c.server = append(c.server, opts...) }
}

// WithStore passes options to the key store.
func WithStore(opts ...softtoken.Option) Option {
	return func(c *config) { c.store = append(c.store, opts...) }
}

// WithTLS also serves wss on a second port (Sim.WSSURL), with a
// certificate that Sim.TLS.Client() trusts.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithControl also serves the HTTP control API (Sim.ControlURL).
func WithControl() Option { return func(c *config) { c.control = true } }

// WithExtraKeys adds sim.ExtraKeys (a revoked key and one without TIN or
// PINFL) to the default six.
func WithExtraKeys() Option { return func(c *config) { c.extra = true } }

// WithGOSTKeys adds sim.GOSTKeys: O'zDSt 1092 (GOST) keys from the data
// folder's GOST test PKI (Sim.Data.GOST; its root is Data.GOSTRootPath()),
// which also issues the "gost" key type of POST /v1/keys and devices.
func WithGOSTKeys() Option { return func(c *config) { c.gost = true } }

// WithV5 simulates an older (v5) daemon.
func WithV5() Option { return WithServer(sim.WithProfile(sim.V5)) }

// WithClock sets the clock of the key store (password cache, key ids), of
// the server (signing times, the event log) and of the PKI services
// (tokens, CRLs, OCSP answers).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		c.store = append(c.store, softtoken.WithClock(now))
		c.server = append(c.server, sim.WithClock(now))
		c.services = append(c.services, pkisvc.WithClock(now))
	}
}

// WithServices passes options to the PKI services (daemon-sim/pkisvc).
func WithServices(opts ...pkisvc.Option) Option {
	return func(c *config) { c.services = append(c.services, opts...) }
}

// KeyPath returns the path of a key file in the simulator's data folder.
func (s *Sim) KeyPath(name string) string {
	return filepath.Join(s.Data.Dir, sim.KeysDir, name+".pfx")
}

// Script scripts the simulated user for a key file name, a device id or
// softtoken.DefaultTarget.
func (s *Sim) Script(target string, sc softtoken.Script) {
	s.t.Helper()
	if err := s.Data.Store.SetScript(target, sc); err != nil {
		s.t.Fatalf("simtest: script %s: %v", target, err)
	}
}

// Fault installs a fault and returns it with its id.
func (s *Sim) Fault(f sim.Fault) sim.Fault {
	s.t.Helper()
	added, err := s.Server.AddFault(f)
	if err != nil {
		s.t.Fatalf("simtest: fault: %v", err)
	}
	return added
}

// IssueKey issues a key file from the simulator's CA (sim.KeySpec: profile,
// key type, signing, …), listed at once.
func (s *Sim) IssueKey(spec sim.KeySpec) softtoken.KeyFile {
	s.t.Helper()
	k, err := s.Server.IssueKey(spec)
	if err != nil {
		s.t.Fatalf("simtest: issue key: %v", err)
	}
	return k
}

// Plug plugs in a virtual device with a freshly issued key.
func (s *Sim) Plug(spec sim.DeviceSpec) softtoken.DeviceInfo {
	s.t.Helper()
	d, err := s.Server.PlugDevice(spec)
	if err != nil {
		s.t.Fatalf("simtest: plug: %v", err)
	}
	return d
}

// Events returns every call logged so far.
func (s *Sim) Events() []sim.Event { return s.Server.Events(0) }
