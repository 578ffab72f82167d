// Package cert reads, verifies and creates X.509 certificates (RFC 5280)
// that carry GOST R 34.10-2001 keys and signatures, as issued by the
// Uzbek national PKI for E-IMZO.
//
// Parsing relies on crypto/x509 for the generic fields (it keeps
// RawTBSCertificate, names, validity, extensions, and leaves GOST keys
// unparsed) and adds the GOST key and signature algorithm on top; when
// crypto/x509 refuses a certificate, a minimal parser of RFC 5280 §4.1
// fills the same fields.
//
// Entry points:
//
//   - [Parse], [ParseAll]: DER to *[Certificate]; Key is the GOST public
//     key (nil for other algorithms), PINFL and TIN read the Uzbek subject
//     attributes [OIDPINFL] (1.2.860.3.16.1.2) and [OIDTIN]
//     (1.2.860.3.16.1.1).
//   - [Certificate.CheckSignatureFrom], [Certificate.CheckSignature].
//   - [Certificate.Verify]: builds and checks the chain to caller-supplied
//     trust anchors at a caller-supplied time. Issuers are matched by name,
//     since the real YT CA has no key identifiers.
//   - [Create]: builds and signs a certificate from an *x509.Certificate
//     template, as x509.CreateCertificate would but with a GOST signer;
//     [KeyID] computes an optional subject key identifier.
//   - [CreateRequest] and [CheckRequestSignature]: PKCS#10 requests (RFC
//     2986) with GOST keys.
//   - [AlgorithmNames], [KeyAlgorithmName]: the names E-IMZO reports for a
//     certificate's algorithms; [HasPublicKey]: whether a key (GOST or not)
//     is a certificate's.
//
// Errors (errors.Is): [ErrMalformed], [ErrNotGOST], [ErrSignature] (also
// wrapping gost.ErrVerification and friends), [ErrExpired],
// [ErrUnknownAuthority], [ErrNotCA], [ErrNoTrustAnchors], [ErrTemplate].
package cert
