// Package sim is the E-IMZO daemon simulator: the WebSocket endpoint
// /service/cryptapi that speaks the real daemon's protocol (PROTOCOL.md
// §1–§6), the plain HTTP pages on the same port, and the control surface
// that tests use to script it.
//
// Entry points:
//
//   - [OpenData] opens (and on first use fills) a data folder with a test
//     PKI and software keys; [AddExtraKeys] adds a revoked and a no-TIN key.
//   - [New] makes a [Server], an http.Handler to serve on loopback
//     listeners, with options for the profile ([V6], [V5]), version,
//     language, gate (allow-list, developer mode, [APIKeyVerifier]), clock
//     and CA.
//   - Scripting, in Go: [Server.AddFault] (refused connections, close codes,
//     malformed, binary, slow, hanging and oversized replies, any status,
//     an old version), [Server.PlugDevice], [Server.IssueKey],
//     [Server.Apply] (settings), [Server.Reset], [Server.Events] and
//     [Server.WaitEvents] (the event log of every call), and the key store's
//     scripts of the simulated user (softtoken.Store.SetScript).
//   - [Server.ControlHandler]: the same over HTTP and JSON, for test
//     runners in any language (daemon-sim/README.md has curl examples).
//
// Wire rules kept here: one request per connection, then a close frame 1000
// "Done" (unless the URL has ?keepConnection); non-text frames are ignored;
// a frame that is not a request, an unknown function or a wrong argument
// count is answered with status 0; frames over 64 MiB close with 1009 and
// arguments over 32 MiB are refused; every function outside the main plugin
// is gated on the domain of the handshake's Origin header. Replies carry
// the status codes and reasons of PROTOCOL.md §2.3 in Russian, or in Uzbek
// after app.change_ui_lang.
package sim
