//go:build js && wasm

// Package jsapi is the bridge between JavaScript and the client core
// (wasm/eimzo), and the only package of eimzokit that imports syscall/js.
//
// It runs every call in a goroutine behind a Promise, maps an AbortSignal
// to a context, and gives the core two transports: the page's own
// WebSocket (one connection per call), and window.CAPIWS for transport
// 'external', whose script it loads with Subresource Integrity. When
// nothing answers, it asks whether Chrome's Local Network Access is the
// cause (LOCAL_NETWORK_BLOCKED rather than NOT_INSTALLED). Data to sign stays in JavaScript: a string's UTF-8, an
// ArrayBuffer, any ArrayBufferView or a Blob becomes a Uint8Array whose
// base64 is made with the browser's native toBase64 and joined into the
// request frame there; replies are parsed with JSON.parse and read field by
// field, typed and own properties only, so a daemon's "__proto__" or
// "constructor" keys can never reach Object.prototype and a 45 MB CMS is
// handed to the page without passing through Go's memory.
//
// Errors become real JS Error objects carrying .code, .hint, .status,
// .reason and .closeCode, with messages in the client's language; the npm
// package rebuilds them into the EimzoError subclasses. Panics never reach
// JavaScript: they become INTERNAL errors.
//
// Entry point: [Serve], called by the wasm main; [API] is the object it
// hands to the loader (newClient, mobileQrCode).
package jsapi
