// Package ws is the daemon side of the WebSocket protocol (RFC 6455), just
// what the E-IMZO simulator needs, with control over every frame it sends.
//
// The simulator cannot use a general-purpose WebSocket library unchanged: a
// browser's socket.close() sends a close frame without a status code, and
// libraries echo it without one, which Chromium reports as 1005 and the
// official e-imzo.js turns into an error after a successful reply
// (PROTOCOL.md §1.2, §13). Fault injection also needs exact close codes,
// replies that are not JSON, binary replies and connections dropped without
// a close frame. So the simulator speaks the protocol itself:
//
//   - [Upgrade] performs the opening handshake (RFC 6455 §4.2) on an
//     http.Handler's connection, without extensions or subprotocols.
//   - [Conn.ReadMessage] returns whole text and binary messages, joining
//     fragments (§5.4), unmasking client frames (§5.3), answering pings
//     (§5.5.2) and echoing a peer's close frame with an explicit status
//     (1000 when the peer gave none, §5.5.1).
//   - [Conn.WriteMessage], [Conn.WriteClose] and [Conn.WriteFrame] send frames;
//     [Conn.Close] ends the TCP connection and [Conn.Drop] resets it.
//
// Errors: a message over the read limit closes with 1009 and returns
// [ErrTooBig]; a protocol violation closes with 1002 and returns an error
// wrapping [ErrProtocol]; a text message that is not UTF-8 closes with 1007
// and returns [ErrInvalidUTF8]; the peer's close frame is returned as a
// *[CloseError] with its code (1005 when it had none).
package ws
