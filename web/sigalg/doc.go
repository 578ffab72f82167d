// Package sigalg is the pluggable signature layer of the verifier: a
// [Registry] of accepted digest algorithms ([Hash]) and signature algorithms
// ([Signature]), used for CMS SignerInfos (RFC 5652 §5.6), certificates
// (RFC 5280 §6.1.3), CRLs, OCSP responses and time-stamp tokens alike.
//
// [Default] accepts SHA-256/384/512, RSA PKCS#1 v1.5 and RSASSA-PSS
// (RFC 8017, RFC 4055) and ECDSA; SHA-1 and MD5 are refused. Other families
// plug in without touching the verifier, e.g. GOST R 34.10-2001 with
// GOST R 34.11-94 for real E-IMZO signatures:
//
//	reg := sigalg.Default()
//	reg.AddHash(sigalg.Hash{OID: gostDigestOID, Name: "GOST R 34.11-94", New: gost94.New})
//	reg.AddSignature(gostSignatureOID, "GOST R 34.10-2001", gostSignature{})
//	reg.AddSignature(gostKeyOID, "GOST R 34.10-2001", gostSignature{}) // as some CMS carry it
//
// A [Signature] receives the signer's certificate (its PublicKey, or
// RawSubjectPublicKeyInfo for keys crypto/x509 does not parse), the
// algorithm's parameters and the digest of the signed bytes.
//
// Errors: [ErrUnsupported] (an [UnsupportedError]: an algorithm, key size or
// parameter set that is not accepted) and [ErrInvalid] (an [InvalidError]:
// the signature does not verify).
package sigalg
