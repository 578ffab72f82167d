// Package tsp is the client side of the Time-Stamp Protocol (RFC 3161):
// requests (§2.4.1), responses (§2.4.2), TSTInfo, and a [Client] that asks
// an authority over HTTP (§3.4).
//
// Entry points: [Client.Timestamp] returns a token (a DER ContentInfo
// holding a SignedData over a TSTInfo) whose imprint and nonce it checked;
// [ParseResponse], [ParseInfo] and [TokenInfo] read what an authority sent.
// Verifying a token's signature and its TSA's certificate is web/verify's
// job.
//
// Errors: [ErrUnavailable] (transport, HTTP status), [ErrMalformed]
// (unparseable or not what was asked for), [*RejectedError] (the authority
// refused, with its PKIStatus and PKIFailureInfo).
package tsp
