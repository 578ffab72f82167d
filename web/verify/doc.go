// Package verify checks CMS SignedData signatures (RFC 5652) the way a
// relying party must, with EU DSS (ETSI EN 319 102-1) as the yardstick, and
// reports who signed with the Uzbek identity fields (PINFL, personal TIN,
// organisation TIN).
//
// Entry points: [New] with [WithRoots] (trust anchors), [WithRevocation]
// (a web/revocation Checker and a [RevocationPolicy]), [WithAlgorithms]
// (the web/crypto/sigalg registry; GOST is in its Default), [WithClock] and
// [WithValidationTime]; then
// [Verifier.Verify] returns a [Report]: an [Indication] (TOTAL_PASSED,
// TOTAL_FAILED, INDETERMINATE) with an ETSI sub-indication, the level
// reached (B, or T with a verified time-stamp), and per signer its
// identity, times, algorithms, chain, revocation answers and time-stamp.
// [Verifier.Timestamp] adds RFC 3161 tokens to a CMS. [Verifier.VerifyHash]
// checks a detached CMS against a file's SHA-256 digest (signHash's
// uploads: the CMS over the 32 digest bytes, or a SHA-256 signature of the
// file itself), [ParseSHA256Hex] reads such a digest and [MatchSHA256]
// compares a stored file with it in constant time.
//
// Per signer, in order: the signer's certificate is in the CMS; the digest
// and signature algorithms are accepted; content-type and message-digest
// attributes match the data; the signature verifies; time-stamp tokens
// verify (imprint = hash of the signature value, TSA certificate with
// id-kp-timeStamping chaining to an anchor at the token's time, not
// revoked before it); the signing time is not in the future nor after the
// time-stamp; the key usage allows signing; the certificate and its chain
// (intermediates from the CMS) are valid at the best signature time (the
// time-stamp's, else the signing-time attribute's, else now); and no
// certificate of the chain is revoked, unless a time-stamp proves the
// signature existed before the revocation.
//
// Errors: Verify returns an *[Error] with a stable [Code] whenever the
// report is not TOTAL_PASSED (the first failing signer's), and no report
// at all for CMS_MALFORMED, DATA_MISSING, CMS_NO_SIGNER (no SignerInfo) and
// a DATA_MISMATCH between an attached content and the data given;
// VerifyHash adds HASH_LENGTH_INVALID, CMS_NOT_DETACHED and
// HASH_ALGORITHM_MISMATCH (ParseSHA256Hex: HASH_MALFORMED).
package verify
