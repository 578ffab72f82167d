// Package pkisvc serves the online services of daemon-sim's test PKI over
// HTTP, for relying parties under test: an RFC 3161 time-stamping authority,
// CRLs (RFC 5280 §5) of the root and of the issuing CA, and an OCSP responder
// (RFC 6960) that answers for both, the issuing CA's certificates through a
// delegated responder and the issuing CA itself signed by the root.
//
// Entry point: [New] returns a [Service], an http.Handler serving
// [PathTSA], [PathOCSP], [PathCACRL] and [PathRootCRL] relative to where it
// is mounted:
//
//	svc, err := pkisvc.New(pki, pkisvc.WithClock(clock))
//	mux.Handle("/pki/", http.StripPrefix("/pki", svc))
//	svc.Revoke(serial, pkisvc.KeyCompromise, when)
//
// Revocations are the PKI's own list (testpki.PKI.RevokeSerial, saved as
// revoked.json), read on every request: certificates the PKI revoked
// itself are published as revoked, and Revoke writes to that list.
//
// Tests steer it: [Service.Revoke] and [Service.Reinstate] any serial,
// [Service.SetUpdate] pins thisUpdate/nextUpdate (stale or future answers),
// [Service.SetUnavailable] makes every service answer 503, and
// [Service.Requests] counts what was asked (to observe a client's cache).
//
// Errors are answered the way each protocol wants them: a rejection
// TimeStampResp (badDataFormat, badAlg, unacceptedPolicy, systemFailure)
// and OCSP error responses (malformedRequest, unauthorized for an issuer it
// does not serve, internalError), both with HTTP 200. Everything it makes
// is TEST: it is meant to listen on loopback only.
package pkisvc
