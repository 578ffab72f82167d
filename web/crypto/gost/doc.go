// Package gost implements GOST R 34.10-2001 signatures on the CryptoPro
// curves (RFC 5832, parameters from RFC 4357 §11.4), as used by E-IMZO
// under the Uzbek name O'zDSt 1092:2009, together with the key and
// signature encodings of RFC 4491 and the Uzbek object identifiers.
//
// Conventions (they verify every real E-IMZO signature in testdata):
//
//   - The digest is GOST R 34.11-94 with the CryptoPro S-box (package
//     gost94); e is its 32 bytes read as a little-endian integer, reduced
//     mod q, with 0 replaced by 1.
//   - A signature is 64 bytes: s then r, each 32 bytes big-endian.
//   - A public key is 64 bytes: x then y, each 32 bytes little-endian; in
//     a SubjectPublicKeyInfo they are an OCTET STRING inside the BIT STRING.
//
// Entry points:
//
//   - Curves: [CurveA] (every known E-IMZO key), [CurveB], [CurveC],
//     [CurveXchA], [CurveXchB], [CurveByOID].
//   - Keys: [GenerateKey], [NewPrivateKey], [NewPublicKey]; *[PrivateKey]
//     implements crypto.Signer over a 32-byte digest.
//   - [Sign] and [Verify] (also [PublicKey.Verify]).
//   - Encodings: [MarshalPKIXPublicKey], [ParsePKIXPublicKey],
//     [ParsePublicKeyInfo], [MarshalPKCS8PrivateKey],
//     [ParsePKCS8PrivateKey], [ParseSignature], [MarshalSignature], and the
//     AlgorithmIdentifiers [PublicKeyAlgorithm], [SignatureAlgorithm],
//     [DigestAlgorithm].
//   - OIDs and names: [OIDPublicKey], [OIDSignature], [OIDDigest],
//     [IsPublicKeyOID], [IsSignatureOID], [IsDigestOID], [Is2024],
//     [AlgorithmName].
//   - E-IMZO API keys (PROTOCOL.md §3.2): [VerifyAPIKey], [APIKeyDigest].
//
// Errors are sentinels for errors.Is, usually wrapped with detail:
// [ErrVerification] (well-formed signature that does not verify),
// [ErrSignatureLength], [ErrSignatureRange] (r or s not in [1, q−1]),
// [ErrDigestLength], [ErrPublicKeyLength], [ErrNotOnCurve], [ErrPrivateKey],
// [ErrMalformed] (bad DER), and [ErrUnsupportedAlgorithm], carried by an
// *[UnsupportedError] with the OID, for the O'zMSt 286:2024 family
// (1.2.860.3.15.2…), the unknown parameter sets 1.2.860.3.15.1.1.2.1.3 and
// .4, and non-GOST algorithms.
//
// Implementation: the field and scalar arithmetic is hand-written
// Montgomery multiplication on four 64-bit limbs, and points use the
// complete addition and doubling formulas of Renes, Costello and Batina,
// so signing (k·P, s = r·d + k·e) and key generation run in constant time
// with constant-time table lookups. Verification uses only public values.
// The variable-base multiplication is about seven times faster than the
// affine math/big reference in the tests.
package gost
