//go:build js && wasm

// Package jsapi is the bridge between JavaScript and the client core
// (wasm/eimzo), and the only package of eimzokit that imports syscall/js.
//
// It turns JavaScript values into Go values (strings, ArrayBuffer, typed
// arrays and Blob into []byte, copied once), runs every call in a goroutine
// behind a Promise, maps an AbortSignal to a context, gives the core a
// transport built on the page's own WebSocket, and turns errors into real JS
// Error objects carrying .code, .hint, .status and .closeCode. The npm
// package rebuilds those into the EimzoError subclasses. Panics never reach
// JavaScript: they become INTERNAL errors.
//
// Entry point: [Serve], called by the wasm main.
package jsapi
