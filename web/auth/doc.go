// Package auth runs the login of eimzokit's backend: single-use challenges
// bound to an origin, and sessions as short JWTs with rotating refresh
// tokens, kept in a web/store Store (memory or Redis).
//
// Entry points: [New] (a store, a signing [Key], options with clocks and
// lifetimes); [Service.NewChallenge] (32 bytes from crypto/rand, TTL at
// most 5 minutes) and [Service.ConsumeChallenge] (atomic single use; a
// foreign origin leaves the challenge untouched); [Service.StartSession],
// [Service.Refresh] (rotation; reusing an old refresh token revokes the
// whole family), [Service.Authenticate] and [Service.Logout];
// [Service.VerifyJWT] with [VerifyOptions] after jsonwebtoken's: an
// algorithm allow-list (ES256, RS256; never none, never HS*), leeway,
// maxAge, audience, issuer, subject and jwtid checks.
//
// Keys: ES256 or RS256, generated ([GenerateKey]) or loaded from PEM
// ([LoadKey]); the JWT kid is the key's RFC 7638 thumbprint, and
// [Service.JWKS] publishes the public keys.
//
// Access tokens of a site's identity provider (the e-signature API's
// X-Access-Token): [NewAccessVerifier] with an [AccessConfig] (PEM keys,
// a JWKS URL fetched with a timeout, a size limit, caching and a
// rate-limited refresh on an unknown kid, an HMAC secret for endpoints that
// opt in), [TokenOptions] per endpoint after jsonwebtoken's (algorithms,
// audience strings or /patterns/, issuers, subject, jwtid, nonce, clock
// tolerance, maxAge) and [ClaimNames] for the identity;
// [AccessVerifier.Authenticate] also lets eimzo-web's own sessions through;
// [LoadAccessConfig] reads eimzo-web's -access-config file.
//
// Errors: *[Error] with a [Code]: CHALLENGE_INVALID, ORIGIN_MISMATCH,
// JWT_MALFORMED, JWT_ALGORITHM_REJECTED, JWT_KEY_UNKNOWN,
// JWT_SIGNATURE_INVALID, JWT_EXPIRED, JWT_NOT_ACTIVE, JWT_CLAIM_INVALID,
// JWT_TOO_OLD, JWT_KEYS_UNAVAILABLE, SESSION_REVOKED, REFRESH_INVALID,
// REFRESH_REUSED, STORE_UNAVAILABLE; JWT errors carry jsonwebtoken's
// dates (Error.ExpiredAt, Error.Date). Errors never carry a token, challenge or key; the
// store holds hashes of challenges and refresh tokens, never the secrets.
package auth
