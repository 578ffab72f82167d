// Package cms reads, verifies and creates CMS SignedData messages (RFC
// 5652) signed with GOST R 34.10-2001 / GOST R 34.11-94, the PKCS#7 that
// E-IMZO produces (pkcs7.create_pkcs7, the mobile upload, E-IMZO-SERVER).
//
// Parsing accepts BER (real E-IMZO messages use indefinite lengths and a
// chunked content OCTET STRING) and DER. Verification follows RFC 5652
// §5.4 and §11: the message-digest attribute must equal the GOST R
// 34.11-94 digest of the content, and the signature covers the DER signed
// attributes re-tagged from [0] to SET. The signature algorithm may be the
// GOST signature OID or the key OID (other vendors write that).
//
// Entry points:
//
//   - [Parse]: BER/DER ContentInfo → *[SignedData] with Content,
//     Certificates (parsed by package cert) and SignerInfos.
//   - [SignedData.Verify] with [VerifyOptions]: detached content, trust
//     anchors, intermediates, and the verification time (or the signer's
//     signing time); [SignerInfo.CheckSignature] for a bare key.
//   - [SignerInfo.MessageDigest], [SignerInfo.SigningTime],
//     [SignerInfo.ContentTypeAttr], [SignerInfo.TimestampToken].
//   - [Sign] (attached or detached) and [SignDigest] (detached, from a
//     precomputed digest) create DER messages with content-type,
//     signing-time and message-digest attributes and the signer and CA
//     certificates; [SignOptions].Timestamp or [AddTimestamp] add an RFC
//     3161 token as the unsigned attribute 1.2.840.113549.1.9.16.2.14.
//   - [SignedData.Marshal] re-encodes a parsed message as DER.
//
// Errors (errors.Is): [ErrMalformed], [ErrNotSignedData], [ErrNoContent],
// [ErrDigestMismatch], [ErrAttributes], [ErrSignature], [ErrNoCertificate],
// [ErrUnsupported] (also matching gost.ErrUnsupportedAlgorithm for the
// O'zMSt 286:2024 family), [ErrNoSigners], and the chain errors of package
// cert (cert.ErrExpired, cert.ErrUnknownAuthority, …).
package cms
