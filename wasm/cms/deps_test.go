package cms_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestNotInTheBrowserBuild guards the claim of the package doc: the
// browser client (the js/wasm main) does not import this layer, nor its
// algorithm registry, which bring encoding/asn1, crypto/x509 and math/big.
// It runs `go list -deps`, so it is skipped with -short and where the go
// tool is not available.
func TestNotInTheBrowserBuild(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("runs the go tool")
	}
	gotool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gotool); err != nil {
		t.Skip("go tool not found:", err)
	}
	cmd := exec.Command(gotool, "list", "-deps", "../cmd/eimzo-wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/eimzokit/eimzokit/wasm/eimzo") {
		t.Fatalf("the list does not hold the client core:\n%s", out)
	}
	for _, dep := range deps {
		if strings.HasPrefix(dep, "github.com/eimzokit/eimzokit/wasm/cms") {
			t.Errorf("the browser build imports %s", dep)
		}
	}
}
