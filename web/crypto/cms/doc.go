// Package cms is eimzokit's one CMS layer: it parses, checks, makes and
// edits CMS SignedData (RFC 5652 §5), the format of E-IMZO's pkcs7_64, for
// the simulator (daemon-sim), the backend (web) and the GOST tests alike.
// The browser client does not import it (it keeps a tiny DER walker of its
// own, for size).
//
// Reading: [Parse] takes a ContentInfo in DER or BER (real E-IMZO
// signatures are BER: indefinite lengths, a segmented content OCTET
// STRING; [ToDER] normalises them without re-sorting anything, so signed
// bytes stay the signer's), attached or detached, with any number of
// signers identified by issuer and serial number or by subject key
// identifier. [SignedData.Marshal] writes DER again, keeping signed
// attributes, signer identifiers and certificates byte for byte.
//
// Checking: [SignerInfo.CheckSignature] (or [SignerInfo.CheckDigest] with
// a digest computed elsewhere) verifies one signer through an algorithm
// registry ([sigalg.Registry]): RSA PKCS#1 v1.5 and PSS, ECDSA, and
// O'zDSt 1092 / GOST R 34.10-2001 with the O'zDSt 1106 / GOST R 34.11-94
// digest from web/crypto/gost. Certificate chains, time-stamps and revocation
// are web/verify's.
//
// Making: [Sign] and [SignWith] (attached or detached, several signers,
// any content type), [SignDigest] (detached, from a precomputed digest),
// [SignedData.AddSigner] (co-sign), [SignedData.Join] and
// [SignedData.Attach] (E-IMZO-SERVER's join and make-attached), and
// [SignerInfo.AddTimestamp] or [Signer].Timestamp for an RFC 3161 token as
// the unsigned attribute 1.2.840.113549.1.9.16.2.14. The signing time is a
// field ([Signer].SigningTime), so callers with a clock get reproducible
// CMS. [ParseTimeStampToken] and [ParseTSTInfo] read RFC 3161 tokens.
//
// Errors (errors.Is): every parse error matches [ErrMalformed] ("cms:
// malformed: …"; a ContentInfo of another type also [ErrNotSignedData]);
// checks return [ErrUnsupported], [ErrAttributes], [ErrDigestMismatch] or
// [ErrSignature] (wrapping the sigalg and algorithm errors); Join returns
// [ErrContentDiffers]; co-signing a detached CMS without its content
// [ErrNoContent]. Parse refuses more than [MaxSigners] signers or
// [MaxCertificates] certificates.
package cms
