package e2e

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/verify"
)

// repoRoot is the repository's root folder.
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// assetsDir is the built npm package; make build makes it.
func assetsDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "js", "dist")
	for _, f := range []string{"index.js", "eimzo.wasm"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("js/dist/%s is missing: run `make build` (or `make test`) first", f)
		}
	}
	return dir
}

// stack is daemon-sim plus the backend, on free loopback ports.
type stack struct {
	Sim     *simtest.Sim
	PageURL string // http://localhost:PORT, a secure context the daemon knows
}

func startStack(t *testing.T, opts ...simtest.Option) *stack {
	t.Helper()
	s := simtest.Start(t, opts...)
	h, err := server.New(server.Config{Verifier: verify.New(verify.WithRoots(s.Data.PKI.Root)), AssetsDir: assetsDir(t), DaemonURL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	return &stack{Sim: s, PageURL: serveLocalhost(t, h)}
}

// serveLocalhost serves h on a free loopback port until the test ends and
// returns http://localhost:PORT, a secure context the daemon knows.
func serveLocalhost(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	hs.Start()
	t.Cleanup(hs.Close)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return "http://localhost:" + port
}
