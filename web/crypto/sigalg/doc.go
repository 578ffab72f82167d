// Package sigalg is the pluggable signature layer of package cms and of
// web/verify: a [Registry] of accepted digest algorithms ([Hash]) and
// signature algorithms ([Signature]), used for CMS SignerInfos (RFC 5652
// §5.6), certificates (RFC 5280 §6.1.3), CRLs, OCSP responses and
// time-stamp tokens alike.
//
// [Standard] accepts SHA-256/384/512, RSA PKCS#1 v1.5 and RSASSA-PSS
// (RFC 8017, RFC 4055) and ECDSA; SHA-1 and MD5 are refused. [Default] adds
// [AddGOST]: O'zDSt 1092:2009 / GOST R 34.10-2001 signatures over the
// O'zDSt 1106:2009 / GOST R 34.11-94 digest, from web/crypto/gost, under the
// Uzbek and the RFC 4357 OIDs, which is what real E-IMZO signatures use.
// Other families plug in the same way, without touching the verifier:
//
//	reg := sigalg.Standard()
//	reg.AddHash(sigalg.Hash{OID: digestOID, Name: "…", New: newHash})
//	reg.AddSignature(signatureOID, "…", scheme) // a sigalg.Signature
//
// A [Signature] receives the signer's certificate (its PublicKey, or
// RawSubjectPublicKeyInfo for keys crypto/x509 does not parse), the
// algorithm's parameters and the digest of the signed bytes.
// [Registry.SigningFor] says how a key signs (digest, signatureAlgorithm,
// options), for package cms's builders.
//
// Errors: [ErrUnsupported] (an [UnsupportedError]: an algorithm, key size or
// parameter set that is not accepted) and [ErrInvalid] (an [InvalidError]:
// the signature does not verify; it unwraps to the algorithm's own error,
// e.g. gost.ErrVerification).
package sigalg
