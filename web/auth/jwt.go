package auth

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Code is a stable error code of this package.
type Code string

// Error codes. Append-only.
const (
	CodeChallengeInvalid Code = "CHALLENGE_INVALID"      // unknown, expired or already used
	CodeOriginMismatch   Code = "ORIGIN_MISMATCH"        // the challenge was issued to another origin
	CodeJWTMalformed     Code = "JWT_MALFORMED"          // not three base64url parts of JSON, or too long
	CodeJWTAlgorithm     Code = "JWT_ALGORITHM_REJECTED" // alg outside the allow-list (none, HS*, …)
	CodeJWTKeyUnknown    Code = "JWT_KEY_UNKNOWN"        // kid of no key of ours
	CodeJWTSignature     Code = "JWT_SIGNATURE_INVALID"
	CodeJWTExpired       Code = "JWT_EXPIRED"
	CodeJWTNotActive     Code = "JWT_NOT_ACTIVE" // before nbf, or issued in the future
	CodeJWTClaim         Code = "JWT_CLAIM_INVALID"
	CodeJWTTooOld        Code = "JWT_TOO_OLD" // older than maxAge
	CodeSessionRevoked   Code = "SESSION_REVOKED"
	CodeRefreshInvalid   Code = "REFRESH_INVALID"
	CodeRefreshReused    Code = "REFRESH_REUSED" // an old refresh token: the whole family is revoked
	CodeStoreUnavailable Code = "STORE_UNAVAILABLE"
)

// Error is an authentication failure. It never carries a token, a
// challenge or a key.
type Error struct {
	Code Code
	Err  error
	// ExpiredAt, for JWT_EXPIRED and JWT_TOO_OLD, is when the JWT expired
	// (exp, or iat + maxAge): jsonwebtoken's TokenExpiredError.expiredAt.
	ExpiredAt time.Time
	// Date, for JWT_NOT_ACTIVE, is when the JWT becomes active (nbf, or a
	// future iat): jsonwebtoken's NotBeforeError.date.
	Date time.Time
}

func (e *Error) Error() string { return "auth: " + string(e.Code) + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func authError(code Code, format string, a ...any) *Error {
	return &Error{Code: code, Err: fmt.Errorf(format, a...)}
}

// Claims are the session JWT's claims (RFC 7519 §4.1, and ours).
type Claims struct {
	jwt.RegisteredClaims
	SessionID    string `json:"sid"`
	Name         string `json:"name,omitempty"`
	PINFL        string `json:"pinfl,omitempty"`
	TIN          string `json:"tin,omitempty"`
	OrgTIN       string `json:"org_tin,omitempty"`
	Organization string `json:"org,omitempty"`
	Serial       string `json:"cert_serial,omitempty"`
}

// VerifyOptions are the checks of one verification, after jsonwebtoken's
// verify options. Zero fields take the service's defaults.
type VerifyOptions struct {
	Algorithms []string      // allow-list; default ES256 and RS256 (never none, never HS*)
	Audience   []string      // accepted aud values; default the service's
	Issuer     string        // default the service's
	Subject    string        // when set, sub must equal it
	JWTID      string        // when set, jti must equal it
	Leeway     time.Duration // clock tolerance for exp, nbf, iat; default the service's
	MaxAge     time.Duration // the longest time since iat; default the service's
}

// MaxTokenBytes bounds what Verify parses.
const MaxTokenBytes = 8 << 10

// asymmetric are the only algorithms this package signs or accepts.
var asymmetric = []string{"ES256", "RS256"}

// sign issues a JWT of claims with the service's key.
func (s *Service) sign(c *Claims) (string, error) {
	method := jwt.GetSigningMethod(s.key.Alg)
	t := jwt.NewWithClaims(method, c)
	t.Header["kid"] = s.key.ID
	return t.SignedString(s.key.Signer)
}

// VerifyJWT checks a session JWT without looking at the store: its alg and
// kid, signature, exp/nbf/iat with leeway, iss, aud, sub, jti and maxAge.
func (s *Service) VerifyJWT(token string, opt VerifyOptions) (*Claims, error) {
	if opt.Algorithms == nil {
		opt.Algorithms = asymmetric
	}
	if opt.Audience == nil {
		opt.Audience = []string{s.audience}
	}
	if opt.Issuer == "" {
		opt.Issuer = s.issuer
	}
	if opt.Leeway == 0 {
		opt.Leeway = s.leeway
	}
	if opt.MaxAge == 0 {
		opt.MaxAge = s.maxAge
	}
	if len(token) > MaxTokenBytes || strings.Count(token, ".") != 2 {
		return nil, authError(CodeJWTMalformed, "not a compact JWS of at most %d bytes", MaxTokenBytes)
	}
	// The header first, so a forbidden alg is named as such (RFC 8725 §3.1).
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	raw, err := b64.DecodeString(token[:strings.IndexByte(token, '.')])
	if err != nil || json.Unmarshal(raw, &hdr) != nil {
		return nil, authError(CodeJWTMalformed, "the header is not base64url JSON")
	}
	if !slices.Contains(opt.Algorithms, hdr.Alg) || !slices.Contains(asymmetric, hdr.Alg) {
		return nil, authError(CodeJWTAlgorithm, "alg %q is not accepted", hdr.Alg)
	}
	popts := []jwt.ParserOption{jwt.WithValidMethods(opt.Algorithms), jwt.WithLeeway(opt.Leeway), jwt.WithTimeFunc(s.now),
		jwt.WithIssuedAt(), jwt.WithExpirationRequired(), jwt.WithIssuer(opt.Issuer), jwt.WithAudience(opt.Audience...)}
	if opt.Subject != "" {
		popts = append(popts, jwt.WithSubject(opt.Subject))
	}
	parser := jwt.NewParser(popts...)
	var c Claims
	_, err = parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		k := s.verificationKey(hdr.Kid)
		if k == nil {
			return nil, errUnknownKid
		}
		switch pub := k.Signer.Public().(type) {
		case *ecdsa.PublicKey:
			if t.Method.Alg() != "ES256" {
				return nil, errKeyAlg
			}
			return pub, nil
		case *rsa.PublicKey:
			if t.Method.Alg() != "RS256" {
				return nil, errKeyAlg
			}
			return pub, nil
		}
		return nil, errKeyAlg
	})
	if err != nil {
		return nil, withTimes(classify(err), c.ExpiresAt, c.NotBefore, c.IssuedAt)
	}
	switch {
	case c.Subject == "" || c.ID == "" || c.SessionID == "" || c.IssuedAt == nil:
		return nil, authError(CodeJWTClaim, "sub, jti, sid and iat are required")
	case opt.JWTID != "" && c.ID != opt.JWTID:
		return nil, authError(CodeJWTClaim, "jti does not match")
	case s.now().Sub(c.IssuedAt.Time) > opt.MaxAge+opt.Leeway:
		e := authError(CodeJWTTooOld, "issued %s, more than %s ago", c.IssuedAt.UTC().Format(time.RFC3339), opt.MaxAge)
		e.ExpiredAt = c.IssuedAt.Add(opt.MaxAge).UTC()
		return nil, e
	}
	return &c, nil
}

var (
	errUnknownKid = errors.New("no key with this kid")
	errKeyAlg     = errors.New("alg does not fit the key")
)

// classify maps golang-jwt's errors to codes, most specific first.
func classify(err error) *Error {
	var code Code
	switch {
	case errors.Is(err, errUnknownKid):
		code = CodeJWTKeyUnknown
	case errors.Is(err, errKeyAlg):
		code = CodeJWTAlgorithm
	case errors.Is(err, jwt.ErrTokenMalformed):
		code = CodeJWTMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		code = CodeJWTSignature
	case errors.Is(err, jwt.ErrTokenExpired):
		code = CodeJWTExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		code = CodeJWTNotActive
	case errors.Is(err, jwt.ErrTokenInvalidAudience), errors.Is(err, jwt.ErrTokenInvalidIssuer),
		errors.Is(err, jwt.ErrTokenInvalidSubject), errors.Is(err, jwt.ErrTokenRequiredClaimMissing),
		errors.Is(err, jwt.ErrTokenInvalidClaims):
		code = CodeJWTClaim
	default:
		code = CodeJWTMalformed
	}
	return &Error{Code: code, Err: err}
}
