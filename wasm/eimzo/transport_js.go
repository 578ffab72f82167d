//go:build js

package eimzo

// In the browser the bridge (wasm/jsapi) supplies the transport, built on
// the page's own WebSocket: coder/websocket would add ~0.6 MB to the .wasm.
func defaultTransport() Transport { return nil }
