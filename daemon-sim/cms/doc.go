// Package cms builds and edits CMS SignedData (RFC 5652) the way the E-IMZO
// daemon's pkcs7 plugin does: SHA-256, the signed attributes contentType,
// signingTime and messageDigest (§5.3, §11), the signer's certificate and
// its issuing CA embedded, attached or detached content.
//
// Entry points: [Sign] makes a SignedData with one signer (create_pkcs7);
// [AddSigner] adds a co-signer over the same content (the v5 daemon's
// append_pkcs7_attached and append_pkcs7_detached); [AddUnsignedAttribute]
// puts an attribute such as an RFC 3161 timestamp token
// (1.2.840.113549.1.9.16.2.14, RFC 3161 Appendix A) into a signer's
// unsigned attributes (attach_timestamp_token_pkcs7); [Parse] reads a
// SignedData back, and [ParseTimeStampToken] reads a token's TSTInfo.
//
// The signing time is a parameter, so callers with a fake clock get
// reproducible CMS. Output is DER; input must be DER too (what this package
// and most tools produce), not BER with indefinite lengths.
//
// Errors: [ErrNotSignedData] for input that is not a DER SignedData,
// [ErrSignerNotFound] when no signer has the serial number asked for,
// [ErrNoContent] when a detached CMS is co-signed without its content.
package cms
