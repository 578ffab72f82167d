// Package mobile computes and checks the code that links a web page to the
// E-IMZO ID-CARD phone app (PROTOCOL.md §7, "mobile signing"). The page
// shows the code as a QR code, or opens it as the deeplink
// eimzo://sign?qc=<code> on a phone.
//
// A code is siteId (4 hex) + documentId (8 hex) + the lowercase hex GOST
// R 34.11-94 CryptoPro digest of the challenge or document (64 hex) + the
// CRC-32 (IEEE) of the hex-decoded bytes of those three parts (8 hex): 84
// hex characters in all.
//
// Like package gost94, which it builds on, it stays free of math/big and
// fmt so the WebAssembly browser client can import it cheaply.
//
// Entry points: [Code] and [CodeFromDigest] build a code, [Deeplink] wraps
// it, [Parse] checks and splits one (for a simulated phone), and
// [FormatDigest] groups a digest for display.
//
// Errors, for errors.Is: [ErrSiteID], [ErrDocumentID] (bad input to Code),
// [ErrCode] and [ErrChecksum] (bad input to Parse).
package mobile
