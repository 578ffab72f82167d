// Package simtest starts an E-IMZO daemon simulator in-process, on a free
// loopback port, for Go tests:
//
//	s := simtest.Start(t)
//	client := eimzo.New(eimzo.WithURL(s.URL))
//
// Each call gets its own copy of a data folder (test PKI and default keys)
// that is generated once per test binary, so starting is cheap; the server
// stops when the test ends.
package simtest

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// Sim is a running simulator.
type Sim struct {
	URL    string // ws://127.0.0.1:PORT/service/cryptapi
	Data   *sim.Data
	Server *sim.Server
	HTTP   *httptest.Server
}

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// Start runs a simulator until the test ends. opts configure the server;
// WithStore options configure its key store.
func Start(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	templateOnce.Do(func() {
		templateDir, templateErr = os.MkdirTemp("", "eimzo-sim-template-")
		if templateErr == nil {
			_, templateErr = sim.OpenData(templateDir, nil)
		}
	})
	if templateErr != nil {
		t.Fatalf("simtest: making the template data folder: %v", templateErr)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(templateDir)); err != nil {
		t.Fatalf("simtest: copying the data folder: %v", err)
	}
	data, err := sim.OpenData(dir, nil, c.store...)
	if err != nil {
		t.Fatalf("simtest: %v", err)
	}
	srv := sim.New(data.Store, c.server...)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &Sim{URL: "ws" + strings.TrimPrefix(hs.URL, "http") + capiws.Path, Data: data, Server: srv, HTTP: hs}
}

// Option configures [Start].
type Option func(*config)

type config struct {
	server []sim.Option
	store  []softtoken.Option
}

// WithServer passes options to the server.
func WithServer(opts ...sim.Option) Option {
	return func(c *config) { c.server = append(c.server, opts...) }
}

// WithStore passes options to the key store.
func WithStore(opts ...softtoken.Option) Option {
	return func(c *config) { c.store = append(c.store, opts...) }
}

// KeyPath returns the path of a key file in the simulator's data folder.
func (s *Sim) KeyPath(name string) string {
	return filepath.Join(s.Data.Dir, sim.KeysDir, name+".pfx")
}
