package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/web/store"
	"github.com/golang-jwt/jwt/v5"
)

// Defaults and bounds.
const (
	DefaultChallengeTTL = 2 * time.Minute
	MaxChallengeTTL     = 5 * time.Minute
	DefaultSessionTTL   = 15 * time.Minute
	MinSessionTTL       = 15 * time.Minute
	MaxSessionTTL       = 30 * time.Minute
	DefaultRefreshTTL   = 12 * time.Hour
	DefaultLeeway       = 30 * time.Second
	// ChallengeBytes is the entropy of a challenge, from crypto/rand.
	ChallengeBytes = 32
)

// Option configures [New].
type Option func(*Service)

// WithClock sets the clock (challenge TTLs, JWT times).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithIssuer sets the JWT iss (default "eimzokit").
func WithIssuer(iss string) Option { return func(s *Service) { s.issuer = iss } }

// WithAudience sets the JWT aud (default "eimzokit").
func WithAudience(aud string) Option { return func(s *Service) { s.audience = aud } }

// WithChallengeTTL sets how long a challenge lives (at most 5 minutes).
func WithChallengeTTL(d time.Duration) Option { return func(s *Service) { s.challengeTTL = d } }

// WithSessionTTL sets the session JWT's lifetime (15 to 30 minutes).
func WithSessionTTL(d time.Duration) Option { return func(s *Service) { s.sessionTTL = d } }

// WithRefreshTTL sets the absolute lifetime of a refresh-token family.
func WithRefreshTTL(d time.Duration) Option { return func(s *Service) { s.refreshTTL = d } }

// WithLeeway sets the clock tolerance of JWT checks.
func WithLeeway(d time.Duration) Option { return func(s *Service) { s.leeway = d } }

// WithMaxAge sets the longest accepted time since a JWT's iat (default the
// session TTL).
func WithMaxAge(d time.Duration) Option { return func(s *Service) { s.maxAge = d } }

// WithVerificationKeys adds keys whose JWTs are still accepted (the
// previous keys after a rotation); only the signing key signs.
func WithVerificationKeys(keys ...*Key) Option {
	return func(s *Service) { s.extra = append(s.extra, keys...) }
}

// Service issues and checks challenges and sessions.
type Service struct {
	st           store.Store
	key          *Key
	extra        []*Key
	now          func() time.Time
	issuer       string
	audience     string
	challengeTTL time.Duration
	sessionTTL   time.Duration
	refreshTTL   time.Duration
	leeway       time.Duration
	maxAge       time.Duration
}

// New returns a service keeping its state in st and signing with key.
func New(st store.Store, key *Key, opts ...Option) (*Service, error) {
	s := &Service{st: st, key: key, now: time.Now, issuer: "eimzokit", audience: "eimzokit",
		challengeTTL: DefaultChallengeTTL, sessionTTL: DefaultSessionTTL, refreshTTL: DefaultRefreshTTL, leeway: DefaultLeeway}
	for _, o := range opts {
		o(s)
	}
	switch {
	case key == nil:
		return nil, errors.New("auth: no signing key")
	case s.challengeTTL <= 0 || s.challengeTTL > MaxChallengeTTL:
		return nil, fmt.Errorf("auth: challenge TTL %v is not within (0, %v]", s.challengeTTL, MaxChallengeTTL)
	case s.sessionTTL < MinSessionTTL || s.sessionTTL > MaxSessionTTL:
		return nil, fmt.Errorf("auth: session TTL %v is not within [%v, %v]", s.sessionTTL, MinSessionTTL, MaxSessionTTL)
	case s.refreshTTL < s.sessionTTL:
		return nil, fmt.Errorf("auth: refresh TTL %v is shorter than the session's", s.refreshTTL)
	}
	if s.maxAge == 0 {
		s.maxAge = s.sessionTTL
	}
	return s, nil
}

// Key returns the signing key; JWKS publishes it and the verification keys.
func (s *Service) Key() *Key { return s.key }

// JWKS returns the public keys as a JWK set.
func (s *Service) JWKS() ([]byte, error) { return MarshalJWKS(append([]*Key{s.key}, s.extra...)...) }

// ChallengeTTL, SessionTTL and RefreshTTL are the configured lifetimes.
func (s *Service) ChallengeTTL() time.Duration { return s.challengeTTL }
func (s *Service) SessionTTL() time.Duration   { return s.sessionTTL }
func (s *Service) RefreshTTL() time.Duration   { return s.refreshTTL }

func (s *Service) verificationKey(kid string) *Key {
	for _, k := range append([]*Key{s.key}, s.extra...) {
		if k.ID == kid {
			return k
		}
	}
	return nil
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return b64.EncodeToString(b)
}

// Hash is the hex SHA-256 of a secret: stores and logs hold it, never the
// secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func storeError(err error) *Error {
	return &Error{Code: CodeStoreUnavailable, Err: err}
}

// Challenge is a login challenge: the text the user signs.
type Challenge struct {
	Value     string    `json:"challenge"`
	Origin    string    `json:"-"`
	ExpiresAt time.Time `json:"expiresAt"`
}

type challengeRecord struct {
	Origin string `json:"origin"`
}

// NewChallenge issues a single-use challenge bound to origin (the site's
// scheme://host[:port], or a host for E-IMZO-SERVER's API).
func (s *Service) NewChallenge(ctx context.Context, origin string) (*Challenge, error) {
	c := &Challenge{Value: random(ChallengeBytes), Origin: origin, ExpiresAt: s.now().Add(s.challengeTTL)}
	rec, _ := json.Marshal(challengeRecord{Origin: origin})
	if err := s.st.Create(ctx, "ch:"+Hash(c.Value), rec, s.challengeTTL); err != nil {
		return nil, storeError(err)
	}
	return c, nil
}

// CheckChallenge tells whether value is a live challenge issued to origin,
// changing nothing.
func (s *Service) CheckChallenge(ctx context.Context, origin, value string) error {
	b, err := s.st.Get(ctx, "ch:"+Hash(value))
	return s.challengeResult(b, err, origin)
}

// ConsumeChallenge uses the challenge up: of concurrent callers, one
// succeeds.
func (s *Service) ConsumeChallenge(ctx context.Context, origin, value string) error {
	if err := s.CheckChallenge(ctx, origin, value); err != nil {
		return err // a foreign origin must not burn the owner's challenge
	}
	b, err := s.st.Take(ctx, "ch:"+Hash(value))
	return s.challengeResult(b, err, origin)
}

func (s *Service) challengeResult(b []byte, err error, origin string) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return authError(CodeChallengeInvalid, "the challenge is unknown, expired or used")
	case err != nil:
		return storeError(err)
	}
	var rec challengeRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return authError(CodeChallengeInvalid, "a corrupt challenge record")
	}
	if rec.Origin != origin {
		return authError(CodeOriginMismatch, "the challenge was issued to another origin")
	}
	return nil
}

// User is who a session is for, from the login certificate.
type User struct {
	Name         string `json:"name"`
	PINFL        string `json:"pinfl,omitempty"`
	TIN          string `json:"tin,omitempty"`
	OrgTIN       string `json:"orgTin,omitempty"`
	Organization string `json:"organization,omitempty"`
	Serial       string `json:"serial"` // certificate serial, lowercase hex
}

// Subject is the JWT sub: the PINFL, else "serial:" and the certificate
// serial.
func (u User) Subject() string {
	if u.PINFL != "" {
		return u.PINFL
	}
	return "serial:" + u.Serial
}

// Session is what a login or a refresh hands out.
type Session struct {
	Access         string // the JWT
	AccessExpires  time.Time
	Refresh        string // "<sid>.<secret>", opaque to clients
	RefreshExpires time.Time
	Claims         *Claims
}

type familyRecord struct {
	User    User  `json:"user"`
	Expires int64 `json:"exp"`
}

type refreshRecord struct {
	Family string `json:"fam,omitempty"`
	Used   bool   `json:"used,omitempty"`
}

// StartSession opens a session for u: a new refresh-token family, its first
// refresh token, and a session JWT.
func (s *Service) StartSession(ctx context.Context, u User) (*Session, error) {
	sid := random(16)
	exp := s.now().Add(s.refreshTTL).Truncate(time.Second)
	rec, _ := json.Marshal(familyRecord{User: u, Expires: exp.Unix()})
	if err := s.st.Create(ctx, "fam:"+sid, rec, s.refreshTTL); err != nil {
		return nil, storeError(err)
	}
	return s.issue(ctx, sid, u, exp)
}

func (s *Service) issue(ctx context.Context, sid string, u User, familyExp time.Time) (*Session, error) {
	now := s.now()
	refresh := sid + "." + random(32)
	rec, _ := json.Marshal(refreshRecord{Family: sid})
	ttl := familyExp.Sub(now)
	if ttl <= 0 {
		return nil, authError(CodeSessionRevoked, "the session has ended")
	}
	if err := s.st.Create(ctx, "rt:"+Hash(refresh), rec, ttl); err != nil {
		return nil, storeError(err)
	}
	exp := now.Add(s.sessionTTL)
	c := &Claims{
		RegisteredClaims: jwt.RegisteredClaims{Issuer: s.issuer, Audience: jwt.ClaimStrings{s.audience}, Subject: u.Subject(),
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp), ID: random(16)},
		SessionID: sid, Name: u.Name, PINFL: u.PINFL, TIN: u.TIN, OrgTIN: u.OrgTIN, Organization: u.Organization, Serial: u.Serial,
	}
	access, err := s.sign(c)
	if err != nil {
		return nil, err
	}
	return &Session{Access: access, AccessExpires: c.ExpiresAt.Time, Refresh: refresh, RefreshExpires: familyExp, Claims: c}, nil
}

// Refresh trades a refresh token for a new one and a new JWT (rotation).
// Presenting a token that was already traded revokes its whole family: one
// of its holders is not the user.
func (s *Service) Refresh(ctx context.Context, token string) (*Session, error) {
	sid, _, ok := strings.Cut(token, ".")
	if !ok || sid == "" || len(token) > 256 {
		return nil, authError(CodeRefreshInvalid, "not a refresh token")
	}
	used, _ := json.Marshal(refreshRecord{Used: true})
	old, err := s.st.Swap(ctx, "rt:"+Hash(token), used)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, authError(CodeRefreshInvalid, "the refresh token is unknown or expired")
	case err != nil:
		return nil, storeError(err)
	}
	var rec refreshRecord
	if json.Unmarshal(old, &rec) != nil {
		return nil, authError(CodeRefreshInvalid, "a corrupt refresh record")
	}
	if rec.Used {
		// The token is genuine (its hash is on record) and its family is
		// the one it names: end that family.
		if err := s.st.Delete(ctx, "fam:"+sid); err != nil {
			return nil, storeError(err)
		}
		return nil, authError(CodeRefreshReused, "a refresh token was used twice: the session is revoked")
	}
	if rec.Family != sid {
		return nil, authError(CodeRefreshInvalid, "the refresh token names another session")
	}
	fam, err := s.family(ctx, sid)
	if err != nil {
		return nil, err
	}
	return s.issue(ctx, sid, fam.User, time.Unix(fam.Expires, 0))
}

func (s *Service) family(ctx context.Context, sid string) (*familyRecord, error) {
	b, err := s.st.Get(ctx, "fam:"+sid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, authError(CodeSessionRevoked, "the session was ended or revoked")
	case err != nil:
		return nil, storeError(err)
	}
	var f familyRecord
	if json.Unmarshal(b, &f) != nil {
		return nil, authError(CodeSessionRevoked, "a corrupt session record")
	}
	return &f, nil
}

// Authenticate checks a session JWT and that its session is still open.
func (s *Service) Authenticate(ctx context.Context, token string) (*Claims, error) {
	c, err := s.VerifyJWT(token, VerifyOptions{})
	if err != nil {
		return nil, err
	}
	if _, err := s.family(ctx, c.SessionID); err != nil {
		return nil, err
	}
	return c, nil
}

// Logout ends the session sid: its JWTs and refresh tokens stop working.
func (s *Service) Logout(ctx context.Context, sid string) error {
	if err := s.st.Delete(ctx, "fam:"+sid); err != nil {
		return storeError(err)
	}
	return nil
}
