// Package redistest starts a real redis-server for tests: its own process,
// listening only on a Unix socket in a temporary folder, with persistence
// off, stopped when the test ends.
//
//	url := redistest.Start(t) // unix:///tmp/…/redis.sock
//
// A missing redis-server fails the test with a hint (make test installs
// Debian's redis-server); Redis paths are never skipped or mocked.
package redistest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Start runs redis-server until t ends and returns its URL.
func Start(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is not installed: run `make test` (scripts/deps.sh installs Debian's redis-server) or `apt-get install redis-server`")
	}
	// A short folder: Unix socket paths are limited to about 100 bytes.
	dir, err := os.MkdirTemp("", "redis")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--loglevel", "warning")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = os.RemoveAll(dir)
	})
	// Wait until it accepts connections (a bounded poll, not a sleep the
	// test depends on).
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
			return "unix://" + sock
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v\n%s", err, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
