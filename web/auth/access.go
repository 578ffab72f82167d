package auth

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Codes of access-token verification besides the JWT_* ones. Append-only.
const (
	// CodeJWTKeysUnavailable: the JWKS URL cannot be reached and no fresh
	// enough copy of the set is at hand (a server-side failure, HTTP 503).
	CodeJWTKeysUnavailable Code = "JWT_KEYS_UNAVAILABLE"
)

// Algorithm families of access tokens (RFC 7518 §3.1, RFC 8037 §3.1).
var (
	// AsymmetricAlgorithms are accepted with public keys (configured PEM
	// keys, or a JWKS URL); the default allow-list of an endpoint.
	AsymmetricAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
	// HMACAlgorithms are accepted only where an endpoint lists them and a
	// secret is configured.
	HMACAlgorithms = []string{"HS256", "HS384", "HS512"}
)

// AccessEndpoints are the endpoints that take access tokens, each with its
// own TokenOptions.
var AccessEndpoints = []string{"officer", "citizen", "owner"}

// TokenOptions are the checks of access tokens at one endpoint, after
// jsonwebtoken's verify options. Zero fields take AccessConfig.Default's.
type TokenOptions struct {
	// Algorithms is the allow-list (default AsymmetricAlgorithms). HS* need
	// AccessConfig.HMACSecret; "none" is refused.
	Algorithms []string
	// Audience: aud must contain one of these: an exact string, or a
	// pattern written /regexp/ that must match a whole aud value.
	Audience []string
	Issuer   []string // iss must be one of these
	Subject  string   // sub must equal it
	JWTID    string   // jti must equal it
	Nonce    string   // nonce must equal it (OpenID Connect ID tokens)
	// ClockTolerance is the leeway of exp, nbf, iat and maxAge.
	ClockTolerance time.Duration
	// MaxAge is the longest accepted time since iat (iat then required).
	MaxAge time.Duration
}

// merge fills o's zero fields from d.
func (o TokenOptions) merge(d TokenOptions) TokenOptions {
	if o.Algorithms == nil {
		o.Algorithms = d.Algorithms
	}
	if o.Audience == nil {
		o.Audience = d.Audience
	}
	if o.Issuer == nil {
		o.Issuer = d.Issuer
	}
	if o.Subject == "" {
		o.Subject = d.Subject
	}
	if o.JWTID == "" {
		o.JWTID = d.JWTID
	}
	if o.Nonce == "" {
		o.Nonce = d.Nonce
	}
	if o.ClockTolerance == 0 {
		o.ClockTolerance = d.ClockTolerance
	}
	if o.MaxAge == 0 {
		o.MaxAge = d.MaxAge
	}
	return o
}

// ClaimNames say where an access token carries the identity the
// e-signature checks compare with the signer's certificate. A name is a
// top-level claim, or, when no claim has that name, a dotted path into
// nested objects ("user.pinfl"). String and number values are read.
type ClaimNames struct {
	Name         string `json:"name"`         // full name (default "name")
	PINFL        string `json:"pinfl"`        // personal number (default "pinfl")
	TIN          string `json:"tin"`          // personal TIN (default "tin")
	OrgTIN       string `json:"orgTin"`       // organisation code, seeds' ЄДРПОУ (default "org_tin")
	Organization string `json:"organization"` // organisation name (default "org")
}

// DefaultClaimNames are the names eimzo-web's own session JWTs use.
var DefaultClaimNames = ClaimNames{Name: "name", PINFL: "pinfl", TIN: "tin", OrgTIN: "org_tin", Organization: "org"}

// AccessKey is a configured public key, with the kid it answers to ("":
// its RFC 7638 thumbprint).
type AccessKey struct {
	ID  string
	Key crypto.PublicKey
}

// AccessConfig says whose access tokens are accepted: an identity
// provider's, checked with configured public keys, a JWKS URL, or (opt-in
// per endpoint) an HMAC secret.
type AccessConfig struct {
	Keys []AccessKey
	// JWKSURL is fetched over HTTPS (HTTP only to a loopback address),
	// without redirects, within JWKSTimeout and JWKSMaxBytes, and cached
	// for JWKSRefresh; a token naming an unknown kid fetches it again, at
	// most once per JWKSMinInterval.
	JWKSURL         string
	JWKSRefresh     time.Duration
	JWKSTimeout     time.Duration
	JWKSMaxBytes    int64
	JWKSMinInterval time.Duration
	// HMACSecret verifies HS256/384/512 where an endpoint lists them; it
	// must be at least as long as the hash (RFC 7518 §3.2).
	HMACSecret []byte
	Claims     ClaimNames
	Default    TokenOptions
	Endpoints  map[string]TokenOptions // by AccessEndpoints name
	// AcceptSessions also accepts eimzo-web's own session JWTs (those whose
	// kid is one of its keys), checked as before.
	AcceptSessions bool

	HTTPClient *http.Client     // for the JWKS; nil: a client with JWKSTimeout
	Now        func() time.Time // nil: time.Now
}

// endpointCheck is one endpoint's options, compiled.
type endpointCheck struct {
	TokenOptions
	audience []*regexp.Regexp // nil entries: exact match against TokenOptions.Audience[i]
}

// AccessVerifier checks access tokens. It is safe for concurrent use.
type AccessVerifier struct {
	keys           []verifyKey
	jwks           *jwksSource
	secret         []byte
	claims         ClaimNames
	def            endpointCheck
	endpoints      map[string]endpointCheck
	acceptSessions bool
	now            func() time.Time

	candidates atomic.Int64 // keys handed to signature checks, for tests
}

// AccessStats count the work access-token checks caused.
type AccessStats struct {
	JWKSFetches int64 // GETs of the JWKS URL
	Candidates  int64 // keys signatures were checked against (an upper bound of the checks)
}

// Stats returns what the verifier has done so far.
func (a *AccessVerifier) Stats() AccessStats {
	s := AccessStats{Candidates: a.candidates.Load()}
	if a.jwks != nil {
		s.JWKSFetches = a.jwks.fetches.Load()
	}
	return s
}

// NewAccessVerifier checks cfg and returns its verifier. Every endpoint's
// algorithms must be known and have a key: HS* a long enough secret, the
// others a configured key or a JWKS URL.
func NewAccessVerifier(cfg AccessConfig) (*AccessVerifier, error) {
	a := &AccessVerifier{secret: cfg.HMACSecret, claims: cfg.Claims, acceptSessions: cfg.AcceptSessions, now: cfg.Now,
		endpoints: map[string]endpointCheck{}}
	if a.now == nil {
		a.now = time.Now
	}
	if a.claims.Name == "" {
		a.claims.Name = DefaultClaimNames.Name
	}
	if a.claims.PINFL == "" {
		a.claims.PINFL = DefaultClaimNames.PINFL
	}
	if a.claims.TIN == "" {
		a.claims.TIN = DefaultClaimNames.TIN
	}
	if a.claims.OrgTIN == "" {
		a.claims.OrgTIN = DefaultClaimNames.OrgTIN
	}
	if a.claims.Organization == "" {
		a.claims.Organization = DefaultClaimNames.Organization
	}
	if len(cfg.Keys) > MaxConfiguredKeys {
		return nil, fmt.Errorf("auth: %d configured keys, more than %d", len(cfg.Keys), MaxConfiguredKeys)
	}
	for i, k := range cfg.Keys {
		if err := checkPublicKey(k.Key); err != nil {
			return nil, fmt.Errorf("auth: key %d: %v", i+1, err)
		}
		id := k.ID
		if id == "" {
			id, _ = Thumbprint(k.Key)
		}
		a.keys = append(a.keys, verifyKey{id: id, pub: k.Key, own: true})
	}
	if cfg.JWKSURL != "" {
		j, err := newJWKSSource(cfg)
		if err != nil {
			return nil, err
		}
		a.jwks = j
	}
	if len(a.keys) == 0 && a.jwks == nil && len(a.secret) == 0 {
		return nil, errors.New("auth: access tokens need keys, a JWKS URL or an HMAC secret")
	}
	var err error
	if a.def, err = a.compile("default", cfg.Default); err != nil {
		return nil, err
	}
	for name, o := range cfg.Endpoints {
		if !slices.Contains(AccessEndpoints, name) {
			return nil, fmt.Errorf("auth: no endpoint %q (want one of %v)", name, AccessEndpoints)
		}
		if a.endpoints[name], err = a.compile(name, o.merge(cfg.Default)); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func newJWKSSource(cfg AccessConfig) (*jwksSource, error) {
	u, err := url.Parse(cfg.JWKSURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("auth: JWKS URL %q is not an absolute URL", cfg.JWKSURL)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname())) {
		return nil, fmt.Errorf("auth: JWKS URL %q: only https (http to a loopback address for tests)", cfg.JWKSURL)
	}
	j := &jwksSource{url: cfg.JWKSURL, maxBytes: cfg.JWKSMaxBytes, refresh: cfg.JWKSRefresh, minInterval: cfg.JWKSMinInterval, now: cfg.Now}
	if j.now == nil {
		j.now = time.Now
	}
	if j.maxBytes <= 0 {
		j.maxBytes = DefaultJWKSMaxBytes
	}
	if j.refresh <= 0 {
		j.refresh = DefaultJWKSRefresh
	}
	if j.minInterval <= 0 {
		j.minInterval = DefaultJWKSMinInterval
	}
	timeout := cfg.JWKSTimeout
	if timeout <= 0 {
		timeout = DefaultJWKSTimeout
	}
	base := cfg.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
	c := *base
	c.Timeout = timeout
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	j.client = &c
	return j, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// compile checks one endpoint's options and compiles its audience patterns.
func (a *AccessVerifier) compile(name string, o TokenOptions) (endpointCheck, error) {
	if o.Algorithms == nil {
		o.Algorithms = AsymmetricAlgorithms
	}
	if len(o.Algorithms) == 0 {
		return endpointCheck{}, fmt.Errorf("auth: %s: an empty algorithm list", name)
	}
	for _, alg := range o.Algorithms {
		switch {
		case slices.Contains(HMACAlgorithms, alg):
			if need := map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}[alg]; len(a.secret) < need {
				return endpointCheck{}, fmt.Errorf("auth: %s: %s needs an HMAC secret of at least %d bytes (RFC 7518 §3.2), have %d", name, alg, need, len(a.secret))
			}
		case slices.Contains(AsymmetricAlgorithms, alg):
			if len(a.keys) == 0 && a.jwks == nil {
				return endpointCheck{}, fmt.Errorf("auth: %s: %s needs public keys or a JWKS URL", name, alg)
			}
		default:
			return endpointCheck{}, fmt.Errorf("auth: %s: algorithm %q is not accepted (want %v or %v)", name, alg, AsymmetricAlgorithms, HMACAlgorithms)
		}
	}
	if o.ClockTolerance < 0 || o.MaxAge < 0 {
		return endpointCheck{}, fmt.Errorf("auth: %s: negative clock tolerance or max age", name)
	}
	c := endpointCheck{TokenOptions: o}
	for _, aud := range o.Audience {
		if len(aud) >= 2 && strings.HasPrefix(aud, "/") && strings.HasSuffix(aud, "/") {
			re, err := regexp.Compile(`^(?:` + aud[1:len(aud)-1] + `)$`)
			if err != nil {
				return endpointCheck{}, fmt.Errorf("auth: %s: audience pattern %s: %v", name, aud, err)
			}
			c.audience = append(c.audience, re)
			continue
		}
		c.audience = append(c.audience, nil)
	}
	return c, nil
}

// Authenticate checks the access token of an e-signature endpoint: with a
// nil AccessVerifier, or for a session JWT of sessions (its kid is one of
// sessions' keys) when AcceptSessions, as sessions.Authenticate does; else
// with Verify.
func (a *AccessVerifier) Authenticate(ctx context.Context, token, endpoint string, sessions *Service) (*Claims, error) {
	if a == nil || (a.acceptSessions && sessions != nil && sessions.verificationKey(headerKid(token)) != nil) {
		if sessions == nil {
			return nil, authError(CodeJWTKeyUnknown, "no session service and no access-token configuration")
		}
		return sessions.Authenticate(ctx, token)
	}
	return a.Verify(ctx, token, endpoint)
}

// headerKid is the kid of a token's header, "" when there is none or the
// header does not decode.
func headerKid(token string) string {
	var hdr struct {
		Kid string `json:"kid"`
	}
	i := strings.IndexByte(token, '.')
	if i < 0 || i > MaxTokenBytes {
		return ""
	}
	raw, err := b64.DecodeString(token[:i])
	if err != nil || json.Unmarshal(raw, &hdr) != nil || hdr.Kid == "" {
		return ""
	}
	return hdr.Kid
}

// Verify checks an access token for endpoint (one of AccessEndpoints, or
// "" for the default options), in jsonwebtoken's order: the header (alg in
// the allow-list, never none; no crit), the key (kid; key type and curve
// fit alg; HS only with the secret), the signature, nbf and exp (exp
// required) and iat not in the future with the clock tolerance, then aud,
// iss, sub, jti, nonce and maxAge. The identity claims are read with
// ClaimNames into the returned Claims (SessionID empty).
//
// Errors are *Error: JWT_MALFORMED, JWT_ALGORITHM_REJECTED,
// JWT_KEY_UNKNOWN, JWT_KEYS_UNAVAILABLE, JWT_SIGNATURE_INVALID,
// JWT_EXPIRED (ExpiredAt = exp), JWT_NOT_ACTIVE (Date = nbf, or iat),
// JWT_CLAIM_INVALID, JWT_TOO_OLD (ExpiredAt = iat + maxAge).
func (a *AccessVerifier) Verify(ctx context.Context, token, endpoint string) (*Claims, error) {
	opt, ok := a.endpoints[endpoint]
	if !ok {
		opt = a.def
	}
	if len(token) > MaxTokenBytes || strings.Count(token, ".") != 2 {
		return nil, authError(CodeJWTMalformed, "not a compact JWS of at most %d bytes", MaxTokenBytes)
	}
	var hdr struct {
		Alg  string          `json:"alg"`
		Kid  string          `json:"kid"`
		Crit json.RawMessage `json:"crit"`
	}
	raw, err := b64.DecodeString(token[:strings.IndexByte(token, '.')])
	if err != nil || json.Unmarshal(raw, &hdr) != nil {
		return nil, authError(CodeJWTMalformed, "the header is not base64url JSON")
	}
	if !slices.Contains(opt.Algorithms, hdr.Alg) {
		return nil, authError(CodeJWTAlgorithm, "alg %q is not accepted here", hdr.Alg)
	}
	if hdr.Crit != nil {
		// RFC 7515 §4.1.11: extensions we do not understand make the JWS invalid.
		return nil, authError(CodeJWTMalformed, "a crit header parameter")
	}
	var key any
	if slices.Contains(HMACAlgorithms, hdr.Alg) {
		key = a.secret // never a public key: HS/RS confusion cannot happen
		a.candidates.Add(1)
	} else {
		keys, err := a.keysFor(ctx, hdr.Alg, hdr.Kid)
		if err != nil {
			return nil, err
		}
		a.candidates.Add(int64(len(keys)))
		key = jwt.VerificationKeySet{Keys: keys}
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{hdr.Alg}), jwt.WithLeeway(opt.ClockTolerance), jwt.WithTimeFunc(a.now),
		jwt.WithIssuedAt(), jwt.WithExpirationRequired(), jwt.WithJSONNumber())
	mc := jwt.MapClaims{}
	if _, err := parser.ParseWithClaims(token, mc, func(*jwt.Token) (any, error) { return key, nil }); err != nil {
		e := classify(err)
		exp, _ := mc.GetExpirationTime()
		nbf, _ := mc.GetNotBefore()
		iat, _ := mc.GetIssuedAt()
		return nil, withTimes(e, exp, nbf, iat)
	}
	return a.checkClaims(mc, opt)
}

// keysFor returns the keys a token signed with alg and naming kid is tried
// against: the configured and published keys with that kid; with no such
// key, the set is fetched again (rate-limited) and, failing that, the
// configured keys are tried (as jsonwebtoken, given one key, ignores kid);
// a token without kid is tried against the configured keys and at most
// MaxCandidates published ones.
func (a *AccessVerifier) keysFor(ctx context.Context, alg, kid string) ([]jwt.VerificationKey, error) {
	var published []verifyKey
	if a.jwks != nil {
		var err error
		published, err = a.jwks.lookup(ctx, kid)
		if err != nil && len(a.keys) == 0 {
			return nil, &Error{Code: CodeJWTKeysUnavailable, Err: err}
		}
	}
	fitting := func(keys []verifyKey, kid string) []jwt.VerificationKey {
		var out []jwt.VerificationKey
		for _, k := range keys {
			if k.fits(alg) && (kid == "" || k.id == kid) {
				out = append(out, k.pub)
			}
		}
		return out
	}
	if kid != "" {
		if out := append(fitting(a.keys, kid), fitting(published, kid)...); len(out) > 0 {
			return out, nil
		}
		if out := fitting(a.keys, ""); len(out) > 0 {
			return out, nil
		}
		return nil, authError(CodeJWTKeyUnknown, "no key with kid %q for %s", kid, alg)
	}
	pub := fitting(published, "")
	if len(pub) > MaxCandidates {
		return nil, authError(CodeJWTKeyUnknown, "the token names no kid and %d published keys fit %s (at most %d are tried)", len(pub), alg, MaxCandidates)
	}
	if out := append(fitting(a.keys, ""), pub...); len(out) > 0 {
		return out, nil
	}
	return nil, authError(CodeJWTKeyUnknown, "no key for %s", alg)
}

// withTimes adds jsonwebtoken's error dates: expiredAt for an expired
// token, date for one not active yet.
func withTimes(e *Error, exp, nbf, iat *jwt.NumericDate) *Error {
	switch e.Code {
	case CodeJWTExpired:
		if exp != nil {
			e.ExpiredAt = exp.UTC()
		}
	case CodeJWTNotActive:
		if errors.Is(e.Err, jwt.ErrTokenNotValidYet) && nbf != nil {
			e.Date = nbf.UTC()
		} else if iat != nil {
			e.Date = iat.UTC()
		}
	}
	return e
}

// checkClaims runs the checks after the signature and times, in
// jsonwebtoken's order, and reads the identity.
func (a *AccessVerifier) checkClaims(mc jwt.MapClaims, opt endpointCheck) (*Claims, error) {
	c := &Claims{}
	c.Issuer, _ = mc.GetIssuer()
	c.Subject, _ = mc.GetSubject()
	c.Audience, _ = mc.GetAudience()
	if exp, _ := mc.GetExpirationTime(); exp != nil {
		c.ExpiresAt = exp
	}
	c.NotBefore, _ = mc.GetNotBefore()
	c.IssuedAt, _ = mc.GetIssuedAt()
	c.ID = claimString(mc, "jti")
	if len(opt.Audience) > 0 && !audienceMatches(c.Audience, opt) {
		return nil, authError(CodeJWTClaim, "aud %q is not one of %q", []string(c.Audience), opt.Audience)
	}
	if len(opt.Issuer) > 0 && !slices.Contains(opt.Issuer, c.Issuer) {
		return nil, authError(CodeJWTClaim, "iss %q is not one of %q", c.Issuer, opt.Issuer)
	}
	if opt.Subject != "" && c.Subject != opt.Subject {
		return nil, authError(CodeJWTClaim, "sub does not match")
	}
	if opt.JWTID != "" && c.ID != opt.JWTID {
		return nil, authError(CodeJWTClaim, "jti does not match")
	}
	if opt.Nonce != "" && claimString(mc, "nonce") != opt.Nonce {
		return nil, authError(CodeJWTClaim, "nonce does not match")
	}
	if opt.MaxAge > 0 {
		if c.IssuedAt == nil {
			return nil, authError(CodeJWTClaim, "iat is required with maxAge")
		}
		limit := c.IssuedAt.Add(opt.MaxAge)
		if !a.now().Before(limit.Add(opt.ClockTolerance)) {
			return nil, &Error{Code: CodeJWTTooOld, Err: fmt.Errorf("issued %s, more than %s ago", c.IssuedAt.UTC().Format(time.RFC3339), opt.MaxAge),
				ExpiredAt: limit.UTC()}
		}
	}
	c.Name = claimString(mc, a.claims.Name)
	c.PINFL = claimString(mc, a.claims.PINFL)
	c.TIN = claimString(mc, a.claims.TIN)
	c.OrgTIN = claimString(mc, a.claims.OrgTIN)
	c.Organization = claimString(mc, a.claims.Organization)
	return c, nil
}

func audienceMatches(auds []string, opt endpointCheck) bool {
	for _, aud := range auds {
		for i, want := range opt.Audience {
			if re := opt.audience[i]; re != nil && re.MatchString(aud) || re == nil && aud == want {
				return true
			}
		}
	}
	return false
}

// claimString reads a string or number claim by name, or by a dotted path
// into nested objects when no top-level claim has the name.
func claimString(mc jwt.MapClaims, name string) string {
	v, ok := mc[name]
	if !ok && strings.Contains(name, ".") {
		var cur any = map[string]any(mc)
		for _, part := range strings.Split(name, ".") {
			m, isMap := cur.(map[string]any)
			if !isMap {
				return ""
			}
			if cur, ok = m[part]; !ok {
				return ""
			}
		}
		v = cur
	}
	switch s := v.(type) {
	case string:
		return s
	case json.Number:
		return s.String()
	}
	return ""
}
