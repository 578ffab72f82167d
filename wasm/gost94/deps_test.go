package gost94

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestDepsStayLight guards the browser budget: the hash package, and a
// trivial js/wasm main that imports it and package mobile, must not pull
// in math/big (and with it most of crypto); the client's own main must not
// import the simulator's and backend's crypto (web/crypto/...),
// which the browser does not need. It runs `go list -deps`, so it is
// skipped with -short and where the go tool is not available.
func TestDepsStayLight(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("runs the go tool")
	}
	gotool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gotool); err != nil {
		t.Skip("go tool not found:", err)
	}
	// fmt and reflect come in through encoding/hex and encoding/binary, and
	// the client needs them anyway (encoding/json); math/big and the
	// crypto/x509 stack are what would cost the browser hundreds of KB.
	heavy := []string{"math/big", "crypto/x509", "crypto/ecdsa", "encoding/asn1"}
	serverSide := []string{"github.com/eimzokit/eimzokit/web/crypto/cms", "github.com/eimzokit/eimzokit/web/crypto/sigalg", "github.com/eimzokit/eimzokit/web/crypto/gost"}
	for _, tt := range []struct {
		pkg       string
		forbidden []string
		mustHave  string // proves the list is the real one
	}{
		{".", heavy, "github.com/eimzokit/eimzokit/wasm/gost94"},
		{"../mobile", heavy, "github.com/eimzokit/eimzokit/wasm/mobile"},
		{"./internal/wasmcheck", heavy, "github.com/eimzokit/eimzokit/wasm/mobile"},
		{"../cmd/eimzo-wasm", serverSide, "github.com/eimzokit/eimzokit/wasm/eimzo"},
	} {
		cmd := exec.Command(gotool, "list", "-deps", tt.pkg)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", tt.pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if !slices.Contains(deps, tt.mustHave) {
			t.Errorf("go list -deps %s lacks %s", tt.pkg, tt.mustHave)
		}
		for _, f := range tt.forbidden {
			if slices.Contains(deps, f) {
				t.Errorf("%s pulls in %s under GOOS=js GOARCH=wasm", tt.pkg, f)
			}
		}
	}
}
