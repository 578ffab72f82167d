//go:build !js

package eimzo_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSyscallJSStaysInTheBridge keeps syscall/js inside wasm/jsapi, so the
// core stays testable natively and the browser boundary stays in one place.
func TestSyscallJSStaysInTheBridge(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}: {{join .Imports " "}} {{join .TestImports " "}}`, "github.com/eimzokit/eimzokit/...")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ": ")
		checked++
		if pkg == "github.com/eimzokit/eimzokit/wasm/jsapi" {
			continue
		}
		for _, imp := range strings.Fields(imports) {
			if imp == "syscall/js" {
				t.Errorf("%s imports syscall/js; only wasm/jsapi may", pkg)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("go list returned %d packages", checked)
	}
}
