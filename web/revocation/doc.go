// Package revocation finds whether a certificate is revoked, by OCSP
// (RFC 6960) and CRLs (RFC 5280 §5, §6.3), over HTTP, with caching and
// freshness limits.
//
// Entry point: [New] makes a [Checker]; [Checker.Check] returns a fresh
// [Result] (GOOD or REVOKED with time and reason, the source, its update
// times, and the raw OCSP response). Sources are tried in order: configured
// OCSP responders ([WithOCSP]), the certificate's AIA OCSP URLs, configured
// CRLs ([WithCRL]), the certificate's CRL distribution points. An UNKNOWN
// answer, a failure, or an answer that is not fresh moves on to the next.
//
// Fresh means: thisUpdate not more than [ClockSkew] ahead, nextUpdate (when
// present) not passed, thisUpdate not older than the max age ([WithMaxAge],
// default 7 days). Answers are cached until the earliest of nextUpdate,
// thisUpdate + max age, and the cache TTL ([WithCacheTTL], default 1 hour);
// concurrent checks of one source make one request.
//
// Signatures are checked through web/crypto/sigalg: an OCSP answer must be signed
// by the issuer or by a responder certificate the issuer issued with
// id-kp-OCSPSigning (RFC 6960 §4.2.2.2; the responder's own status is not
// checked, as id-pkix-ocsp-nocheck allows); a CRL must be signed by the
// issuer with cRLSign, and critical extensions other than the CRL number
// (indirect or partitioned CRLs, delta CRLs) make it unusable.
//
// Errors: [ErrUnavailable], as an [*UnavailableError] listing each attempt.
package revocation
