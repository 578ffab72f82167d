// Package eimzo is the E-IMZO client core in plain Go: the whole client API
// (install, list keys, load a key, sign) over a small [Transport], with
// errors that carry stable codes. It does not import syscall/js, so it runs
// natively (its tests talk to an in-process daemon-sim) and in the browser,
// where wasm/jsapi gives it the page's WebSocket.
//
// Entry points: [New] and its options, [Client.Install], [Client.ListKeys],
// [Client.LoadKey], [Client.Sign]. [Catalogue] lists every error code; the
// JavaScript error classes are generated from it (go generate).
//
// Errors are *[Error] with a [Code]; use [CodeOf] or errors.Is with an
// *Error of the same code. Codes are grouped by who must act: the user
// (WRONG_PASSWORD, PASSWORD_CANCELLED, KEY_NOT_FOUND, VERSION_UNSUPPORTED),
// the site's developer (API_KEY_REJECTED, DATA_TOO_LARGE, BAD_ARGUMENT,
// ABORTED) or the environment (NOT_INSTALLED, TRANSPORT, TIMEOUT,
// RESPONSE_TOO_LARGE, PROTOCOL).
package eimzo
