// Command wasmcheck is a trivial main that imports only the hash and the
// mobile-code packages. It exists so that a test can list its dependencies
// under GOOS=js GOARCH=wasm and so that the README can measure how many
// bytes the hash adds to a WebAssembly build:
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o /tmp/w.wasm ./wasm/gost/gost94/internal/wasmcheck
package main

import (
	"os"

	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/wasm/mobile"
)

func main() {
	d := gost94.Sum([]byte(os.Args[0]))
	code, err := mobile.Code("0000", "2944F1F2", d[:1])
	if err != nil {
		os.Exit(1)
	}
	os.Stdout.WriteString(code + "\n")
}
