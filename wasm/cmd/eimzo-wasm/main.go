//go:build js && wasm

// Command eimzo-wasm is the browser client compiled to WebAssembly. The npm
// package's loader instantiates it and receives its API through the
// handshake described in wasm/jsapi.
package main

import "github.com/eimzokit/eimzokit/wasm/jsapi"

func main() { jsapi.Serve() }
