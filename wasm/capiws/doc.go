// Package capiws holds the wire types of the E-IMZO daemon protocol
// ("CAPIWS": one JSON request per WebSocket connection on 127.0.0.1), shared
// by the browser client (wasm/eimzo) and the simulator (daemon-sim).
//
// Entry points:
//
//   - [Request] and [Request.AppendJSON]: the frame a client sends.
//   - [ParseReply] and [Reply]: the frame the daemon answers, read without
//     encoding/json (it costs ~0.25 MB gzip in the .wasm) and without
//     building any JavaScript object, so hostile keys such as "__proto__" are
//     only ever strings here.
//   - [Status] codes and their Russian and Uzbek reasons (PROTOCOL.md §2.3).
//   - [ParseAlias] and [FormatAlias]: the certificate alias of
//     pfx.list_all_certificates (PROTOCOL.md §5), parsed without the bugs of
//     the official EIMZOClient (commas, Cyrillic, apostrophes, time zones).
//
// Errors: [ParseReply] and [ParseJSON] return *SyntaxError for malformed
// frames and [ErrTooDeep] for nesting beyond [MaxDepth].
//
// The package uses the standard library only and no reflection.
package capiws
