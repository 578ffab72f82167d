// Package gost94 implements the GOST R 34.11-94 hash function (RFC 5831)
// with the CryptoPro S-box of RFC 4357 §11.2, which the Uzbek standard
// O'zDSt 1106:2009 adopts and which every E-IMZO signature uses (digest
// OID 1.2.860.3.15.1.3.2.1.1).
//
// It is kept small on purpose: it imports only encoding/binary, hash and
// math/bits, so the WebAssembly browser client can use it (for the E-IMZO
// mobile QR code) without pulling in math/big or crypto/x509. A test guards
// this.
//
// Entry points:
//
//   - [Sum] hashes a byte slice with the CryptoPro S-box.
//   - [New] returns a streaming [hash.Hash] with the CryptoPro S-box; it
//     does not allocate per block, and Sum does not change its state.
//   - [NewWithSBox] takes any GOST 28147-89 S-box, e.g. [TestSBox] for the
//     examples of RFC 5831 §7.3.
//
// Digests are returned in the byte order the hash emits them, the order
// found in a CMS messageDigest attribute. RFC 5831 prints its example
// digests as big-endian integers, i.e. reversed. GOST R 34.10-2001
// signatures read these bytes as a little-endian integer (RFC 4491 §2.2.2
// and PROTOCOL.md §3.2).
//
// The package returns no errors: Write never fails.
package gost94
