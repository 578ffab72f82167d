// Package cms parses, edits and makes CMS SignedData (RFC 5652 §5), the
// format of E-IMZO's pkcs7_64.
//
// Entry points: [Parse] reads a ContentInfo in DER or BER (real E-IMZO
// signatures are BER: indefinite lengths, segmented OCTET STRINGs; [ToDER]
// normalises them); [SignedData.Marshal] writes DER again, keeping signed
// attributes and certificates byte for byte; [SignerInfo.SetUnsigned] adds
// an unsigned attribute (a time-stamp token, RFC 3161 App. A);
// [SignedData.Attach] and [SignedData.Join] are E-IMZO-SERVER's make-attached
// and join; [Sign] makes SignedData with RSA (PKCS#1 v1.5 or PSS) or ECDSA
// keys, for tests and for servers that sign.
//
// The package parses; it does not judge. Signatures, digests and chains are
// checked by web/verify.
//
// Errors: every parse error matches [ErrMalformed] ("cms: malformed: …");
// Join returns [ErrContentDiffers]. Parse refuses more than [MaxSigners]
// signers or [MaxCertificates] certificates.
package cms
