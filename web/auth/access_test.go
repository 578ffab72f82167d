package auth_test

import (
	"context"
	"encoding/base64"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/internal/testclock"
	"github.com/eimzokit/eimzokit/web/store"
	"github.com/golang-jwt/jwt/v5"
)

// idpKeys are an identity provider's signing keys, one per algorithm
// family, made once per test binary.
type idpKeys struct {
	rsa        *rsa.PrivateKey
	p256, p384 *ecdsa.PrivateKey
	p521       *ecdsa.PrivateKey
	ed         ed25519.PrivateKey
	other      *rsa.PrivateKey // a key nobody configured
}

var (
	idpOnce sync.Once
	idp     idpKeys
)

func keys(t testing.TB) idpKeys {
	t.Helper()
	idpOnce.Do(func() {
		var err error
		must := func(e error) {
			if e != nil && err == nil {
				err = e
			}
		}
		var e error
		idp.rsa, e = rsa.GenerateKey(rand.Reader, 2048)
		must(e)
		idp.other, e = rsa.GenerateKey(rand.Reader, 2048)
		must(e)
		idp.p256, e = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(e)
		idp.p384, e = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		must(e)
		idp.p521, e = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		must(e)
		_, idp.ed, e = ed25519.GenerateKey(rand.Reader)
		must(e)
		if err != nil {
			panic(err)
		}
	})
	return idp
}

// signerFor is the private key of an algorithm.
func (k idpKeys) signerFor(alg string) crypto.Signer {
	switch {
	case alg == "EdDSA":
		return k.ed
	case alg == "ES256":
		return k.p256
	case alg == "ES384":
		return k.p384
	case alg == "ES512":
		return k.p521
	}
	return k.rsa
}

func (k idpKeys) publics() []crypto.PublicKey {
	return []crypto.PublicKey{k.rsa.Public(), k.p256.Public(), k.p384.Public(), k.p521.Public(), k.ed.Public()}
}

// mint signs claims with alg and the matching key of k, with kid when not
// empty.
func mint(t testing.TB, alg, kid string, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.GetSigningMethod(alg), claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("%s: %v", alg, err)
	}
	return s
}

func thumb(t testing.TB, pub crypto.PublicKey) string {
	t.Helper()
	id, err := auth.Thumbprint(pub)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// idClaims are an identity provider's claims about an officer, valid at
// epoch for an hour.
func idClaims(extra jwt.MapClaims) jwt.MapClaims {
	c := jwt.MapClaims{"iss": "https://id.example.uz", "aud": "eimzo-web", "sub": "user-1", "iat": epoch.Unix(), "nbf": epoch.Unix(),
		"exp": epoch.Add(time.Hour).Unix(), "jti": "j-1", "name": "TESTOV TEST FUQARO", "pinfl": "30201900000001"}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

func accessVerifier(t testing.TB, cfg auth.AccessConfig) *auth.AccessVerifier {
	t.Helper()
	a, err := auth.NewAccessVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var hsSecret = []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") // 64 bytes

func pemOf(t testing.TB, pub crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// TestAccessAlgorithms: every asymmetric algorithm verifies with configured
// keys (tokens with and without kid), and HS256/384/512 where an endpoint
// lists them.
func TestAccessAlgorithms(t *testing.T) {
	k := keys(t)
	c := testclock.New(epoch)
	var cfgKeys []auth.AccessKey
	for _, p := range k.publics() {
		cfgKeys = append(cfgKeys, auth.AccessKey{Key: p})
	}
	a := accessVerifier(t, auth.AccessConfig{Keys: cfgKeys, HMACSecret: hsSecret, Now: c.Now,
		Default:   auth.TokenOptions{Audience: []string{"eimzo-web"}, Issuer: []string{"https://id.example.uz"}},
		Endpoints: map[string]auth.TokenOptions{"owner": {Algorithms: append(append([]string{}, auth.AsymmetricAlgorithms...), auth.HMACAlgorithms...)}}})
	for _, alg := range append(append([]string{}, auth.AsymmetricAlgorithms...), auth.HMACAlgorithms...) {
		var key any = k.signerFor(alg)
		kid := ""
		if strings.HasPrefix(alg, "HS") {
			key = hsSecret
		} else {
			kid = thumb(t, k.signerFor(alg).Public())
		}
		for _, withKid := range []string{"", kid} {
			tok := mint(t, alg, withKid, key, idClaims(nil))
			claims, err := a.Verify(context.Background(), tok, "owner")
			if err != nil || claims.Subject != "user-1" || claims.Name != "TESTOV TEST FUQARO" || claims.PINFL != "30201900000001" {
				t.Errorf("%s kid=%q: %+v %v", alg, withKid, claims, err)
			}
		}
	}
	// HS is opt-in: the default endpoint options do not list it.
	if _, err := a.Verify(context.Background(), mint(t, "HS256", "", hsSecret, idClaims(nil)), "officer"); codeOf(err) != auth.CodeJWTAlgorithm {
		t.Errorf("HS256 at officer: %v", err)
	}
}

// forge builds a compact JWS from a header and payload as given, with
// signature sig (base64url), so tests can send what no library signs.
func forge(header, payload any, sig string) string {
	return b64(header) + "." + b64(payload) + "." + sig
}

func TestAccessRefusals(t *testing.T) {
	k := keys(t)
	c := testclock.New(epoch)
	rsaKid := thumb(t, k.rsa.Public())
	p384Kid := thumb(t, k.p384.Public())
	a := accessVerifier(t, auth.AccessConfig{Keys: []auth.AccessKey{{Key: k.rsa.Public()}, {Key: k.p384.Public()}}, HMACSecret: hsSecret, Now: c.Now,
		Default: auth.TokenOptions{Audience: []string{"eimzo-web", "/urn:eimzo:[a-z]+/"}, Issuer: []string{"https://id.example.uz", "https://id2.example.uz"},
			ClockTolerance: 30 * time.Second},
		Endpoints: map[string]auth.TokenOptions{
			"citizen": {Algorithms: []string{"RS256", "HS256"}, Subject: "user-1", JWTID: "j-1", Nonce: "n-1", MaxAge: 10 * time.Minute},
		}})
	good := idClaims(nil)
	rs := func(claims jwt.MapClaims) string { return mint(t, "RS256", rsaKid, k.rsa, claims) }
	pubPEM := pemOf(t, k.rsa.Public())
	parts := strings.Split(rs(good), ".")
	bigTok := rs(idClaims(jwt.MapClaims{"pad": strings.Repeat("x", auth.MaxTokenBytes)}))
	tests := []struct {
		name     string
		endpoint string
		token    string
		code     auth.Code
		at       time.Time // ExpiredAt or Date wanted
	}{
		{"good", "officer", rs(good), "", time.Time{}},
		{"alg none", "officer", forge(map[string]string{"alg": "none", "typ": "JWT"}, good, ""), auth.CodeJWTAlgorithm, time.Time{}},
		{"alg None", "officer", forge(map[string]string{"alg": "None"}, good, ""), auth.CodeJWTAlgorithm, time.Time{}},
		{"alg missing", "officer", forge(map[string]string{"typ": "JWT"}, good, parts[2]), auth.CodeJWTAlgorithm, time.Time{}},
		{"HS256 signed with the RSA public key, RS-only endpoint", "officer", mint(t, "HS256", rsaKid, []byte(pubPEM), good), auth.CodeJWTAlgorithm, time.Time{}},
		{"HS256 signed with the RSA public key, RS+HS endpoint", "citizen", mint(t, "HS256", rsaKid, []byte(pubPEM), idClaims(jwt.MapClaims{"nonce": "n-1"})), auth.CodeJWTSignature, time.Time{}},
		{"RS256 header, P-384 kid", "officer", forge(map[string]string{"alg": "RS256", "kid": p384Kid}, good, parts[2]), auth.CodeJWTSignature, time.Time{}},
		{"ES256 header, P-384 key", "officer", forge(map[string]string{"alg": "ES256", "kid": p384Kid}, good, strings.Split(mint(t, "ES384", p384Kid, k.p384, good), ".")[2]),
			auth.CodeJWTKeyUnknown, time.Time{}},
		{"unknown key", "officer", mint(t, "RS256", "", k.other, good), auth.CodeJWTSignature, time.Time{}},
		{"signature changed", "officer", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])), auth.CodeJWTSignature, time.Time{}},
		{"payload changed", "officer", parts[0] + "." + b64(idClaims(jwt.MapClaims{"pinfl": "30201900000002"})) + "." + parts[2], auth.CodeJWTSignature, time.Time{}},
		{"crit header", "officer", critToken(t, k.rsa, good), auth.CodeJWTMalformed, time.Time{}},
		{"too long", "officer", bigTok, auth.CodeJWTMalformed, time.Time{}},
		{"two parts", "officer", parts[0] + "." + parts[1], auth.CodeJWTMalformed, time.Time{}},
		{"header not JSON", "officer", "bm90IGpzb24." + parts[1] + "." + parts[2], auth.CodeJWTMalformed, time.Time{}},
		{"expired", "officer", rs(idClaims(jwt.MapClaims{"exp": epoch.Add(-time.Minute).Unix()})), auth.CodeJWTExpired, epoch.Add(-time.Minute)},
		{"expired within tolerance", "officer", rs(idClaims(jwt.MapClaims{"exp": epoch.Add(-20 * time.Second).Unix()})), "", time.Time{}},
		{"no exp", "officer", rs(idClaims(jwt.MapClaims{"exp": nil})), auth.CodeJWTClaim, time.Time{}},
		{"not active yet", "officer", rs(idClaims(jwt.MapClaims{"nbf": epoch.Add(time.Hour).Unix()})), auth.CodeJWTNotActive, epoch.Add(time.Hour)},
		{"issued in the future", "officer", rs(idClaims(jwt.MapClaims{"iat": epoch.Add(time.Hour).Unix(), "nbf": nil})), auth.CodeJWTNotActive, epoch.Add(time.Hour)},
		{"audience other", "officer", rs(idClaims(jwt.MapClaims{"aud": "other"})), auth.CodeJWTClaim, time.Time{}},
		{"audience missing", "officer", rs(idClaims(jwt.MapClaims{"aud": nil})), auth.CodeJWTClaim, time.Time{}},
		{"audience pattern", "officer", rs(idClaims(jwt.MapClaims{"aud": []string{"x", "urn:eimzo:web"}})), "", time.Time{}},
		{"audience pattern is anchored", "officer", rs(idClaims(jwt.MapClaims{"aud": "evil-urn:eimzo:web-x"})), auth.CodeJWTClaim, time.Time{}},
		{"second issuer", "officer", rs(idClaims(jwt.MapClaims{"iss": "https://id2.example.uz"})), "", time.Time{}},
		{"issuer other", "officer", rs(idClaims(jwt.MapClaims{"iss": "https://evil.example"})), auth.CodeJWTClaim, time.Time{}},
		{"citizen: all of sub, jti, nonce", "citizen", rs(idClaims(jwt.MapClaims{"nonce": "n-1"})), "", time.Time{}},
		{"citizen: subject other", "citizen", rs(idClaims(jwt.MapClaims{"nonce": "n-1", "sub": "user-2"})), auth.CodeJWTClaim, time.Time{}},
		{"citizen: jti other", "citizen", rs(idClaims(jwt.MapClaims{"nonce": "n-1", "jti": "j-2"})), auth.CodeJWTClaim, time.Time{}},
		{"citizen: nonce missing", "citizen", rs(good), auth.CodeJWTClaim, time.Time{}},
		{"citizen: older than maxAge", "citizen", rs(idClaims(jwt.MapClaims{"nonce": "n-1", "iat": epoch.Add(-11 * time.Minute).Unix(), "nbf": nil})),
			auth.CodeJWTTooOld, epoch.Add(-time.Minute)},
		{"citizen: maxAge without iat", "citizen", rs(idClaims(jwt.MapClaims{"nonce": "n-1", "iat": nil})), auth.CodeJWTClaim, time.Time{}},
		{"citizen: ES384 not listed", "citizen", mint(t, "ES384", p384Kid, k.p384, idClaims(jwt.MapClaims{"nonce": "n-1"})), auth.CodeJWTAlgorithm, time.Time{}},
	}
	for _, tt := range tests {
		_, err := a.Verify(context.Background(), tt.token, tt.endpoint)
		if codeOf(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			continue
		}
		var e *auth.Error
		if err != nil && !asError(err, &e) {
			t.Errorf("%s: untyped %v", tt.name, err)
			continue
		}
		if e != nil {
			got := e.ExpiredAt
			if e.Code == auth.CodeJWTNotActive {
				got = e.Date
			}
			if !got.Equal(tt.at) {
				t.Errorf("%s: date %v, want %v", tt.name, got, tt.at)
			}
			if strings.Contains(e.Error(), tt.token) || strings.Contains(e.Error(), parts[2]) {
				t.Errorf("%s: the error carries the token", tt.name)
			}
		}
	}
}

func asError(err error, e **auth.Error) bool {
	v, ok := err.(*auth.Error)
	*e = v
	return ok
}

// critToken is a properly signed RS256 token with a crit header parameter.
func critToken(t testing.TB, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["crit"] = []string{"exp"}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAccessConfigRefusals(t *testing.T) {
	k := keys(t)
	one := []auth.AccessKey{{Key: k.rsa.Public()}}
	var nine []auth.AccessKey
	for range 9 {
		nine = append(nine, one[0])
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	tests := []struct {
		name string
		cfg  auth.AccessConfig
		want string // in the error
	}{
		{"nothing to verify with", auth.AccessConfig{}, "need keys"},
		{"none listed", auth.AccessConfig{Keys: one, Default: auth.TokenOptions{Algorithms: []string{"none"}}}, `"none" is not accepted`},
		{"HS without a secret", auth.AccessConfig{Keys: one, Endpoints: map[string]auth.TokenOptions{"owner": {Algorithms: []string{"HS256"}}}}, "HMAC secret"},
		{"HS512 with a 32-byte secret", auth.AccessConfig{HMACSecret: hsSecret[:32], Default: auth.TokenOptions{Algorithms: []string{"HS512"}}}, "at least 64 bytes"},
		{"RS256 with a secret only", auth.AccessConfig{HMACSecret: hsSecret}, "needs public keys"},
		{"unknown endpoint", auth.AccessConfig{Keys: one, Endpoints: map[string]auth.TokenOptions{"oficer": {}}}, `no endpoint "oficer"`},
		{"http JWKS", auth.AccessConfig{JWKSURL: "http://id.example.uz/jwks"}, "only https"},
		{"too many keys", auth.AccessConfig{Keys: nine}, "more than 8"},
		{"small RSA key", auth.AccessConfig{Keys: []auth.AccessKey{{Key: small.Public()}}}, "at least 2048"},
		{"bad pattern", auth.AccessConfig{Keys: one, Default: auth.TokenOptions{Audience: []string{"/([/"}}}, "audience pattern"},
	}
	for _, tt := range tests {
		_, err := auth.NewAccessVerifier(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

// jwksServer publishes a JWK set that tests change, counting GETs.
type jwksServer struct {
	mu   sync.Mutex
	body []byte
	code int
	gets atomic.Int64
	hs   *httptest.Server
}

func newJWKSServer(t *testing.T, keys ...map[string]any) *jwksServer {
	j := &jwksServer{code: 200}
	j.set(keys...)
	j.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.gets.Add(1)
		j.mu.Lock()
		body, code := j.body, j.code
		j.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.WriteHeader(code)
		_, _ = w.Write(body)
	}))
	t.Cleanup(j.hs.Close)
	return j
}

func (j *jwksServer) set(keys ...map[string]any) {
	b, _ := json.Marshal(map[string]any{"keys": keys})
	j.mu.Lock()
	j.body = b
	j.mu.Unlock()
}

func (j *jwksServer) fail(code int) {
	j.mu.Lock()
	j.code = code
	j.mu.Unlock()
}

// jwk publishes a public key under kid.
func jwk(t testing.TB, kid string, pub crypto.PublicKey) map[string]any {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "n": enc(p.N.Bytes()), "e": enc(big.NewInt(int64(p.E)).Bytes())}
	case *ecdsa.PublicKey:
		raw, _ := p.Bytes()
		n := (len(raw) - 1) / 2
		return map[string]any{"kty": "EC", "kid": kid, "crv": p.Curve.Params().Name, "x": enc(raw[1 : 1+n]), "y": enc(raw[1+n:])}
	case ed25519.PublicKey:
		return map[string]any{"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": enc(p)}
	}
	t.Fatalf("jwk of %T", pub)
	return nil
}

// TestJWKS: the set is fetched once and cached; a token naming a new kid
// fetches it again (the IdP rotated its key), but a flood of unknown kids
// costs one fetch per minimum interval; an unreachable URL keeps the last
// set until it is too stale; sizes, redirects, private and symmetric keys
// are refused or skipped.
func TestJWKS(t *testing.T) {
	k := keys(t)
	c := testclock.New(epoch)
	j := newJWKSServer(t, jwk(t, "rsa-1", k.rsa.Public()), jwk(t, "ec-1", k.p256.Public()), map[string]any{"kty": "oct", "kid": "sym", "k": "c2VjcmV0"},
		map[string]any{"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"})
	a := accessVerifier(t, auth.AccessConfig{JWKSURL: j.hs.URL, Now: c.Now, JWKSRefresh: 10 * time.Minute, JWKSMinInterval: time.Minute})
	ctx := context.Background()
	verify := func(alg, kid string, key any) error {
		_, err := a.Verify(ctx, mint(t, alg, kid, key, idClaims(jwt.MapClaims{"iat": c.Now().Unix(), "nbf": c.Now().Unix(), "exp": c.Now().Add(time.Hour).Unix()})), "")
		return err
	}
	for range 20 {
		if err := verify("RS256", "rsa-1", k.rsa); err != nil {
			t.Fatal(err)
		}
	}
	if err := verify("ES256", "ec-1", k.p256); err != nil {
		t.Fatal(err)
	}
	if n := j.gets.Load(); n != 1 {
		t.Errorf("%d fetches for 21 tokens, want 1", n)
	}
	if err := verify("HS256", "sym", []byte("secret")); codeOf(err) != auth.CodeJWTAlgorithm {
		t.Errorf("a symmetric JWK: %v", err)
	}
	// Rotation: the IdP publishes a new key; its first token fetches the set.
	c.Add(2 * time.Minute)
	j.set(jwk(t, "rsa-1", k.rsa.Public()), jwk(t, "rsa-2", k.other.Public()))
	if err := verify("RS256", "rsa-2", k.other); err != nil {
		t.Errorf("the new key: %v", err)
	}
	if n := j.gets.Load(); n != 2 {
		t.Errorf("%d fetches after a rotation, want 2", n)
	}
	// A flood of unknown kids: one fetch per minimum interval.
	c.Add(2 * time.Minute)
	before := j.gets.Load()
	for i := range 200 {
		if err := verify("RS256", fmt.Sprintf("nope-%d", i), k.rsa); codeOf(err) != auth.CodeJWTKeyUnknown {
			t.Fatalf("unknown kid: %v", err)
		}
	}
	if n := j.gets.Load() - before; n != 1 {
		t.Errorf("200 unknown kids fetched the set %d times, want 1", n)
	}
	// The URL goes down: the set in hand keeps working until it is too stale.
	j.fail(http.StatusInternalServerError)
	c.Add(11 * time.Minute) // past the refresh time
	if err := verify("RS256", "rsa-1", k.rsa); err != nil {
		t.Errorf("stale set while the URL is down: %v", err)
	}
	c.Add(auth.MaxJWKSStale)
	if err := verify("RS256", "rsa-1", k.rsa); codeOf(err) != auth.CodeJWTKeysUnavailable {
		t.Errorf("too stale: %v", err)
	}
	j.fail(http.StatusOK)
	c.Add(2 * time.Minute)
	if err := verify("RS256", "rsa-1", k.rsa); err != nil {
		t.Errorf("back up: %v", err)
	}

	// Documents that are refused, each fetched by a fresh verifier.
	ed := jwk(t, "ed", k.ed.Public())
	priv := jwk(t, "rsa-1", k.rsa.Public())
	priv["d"] = "AQAB"
	offCurve := jwk(t, "ec", k.p256.Public())
	offCurve["y"] = offCurve["x"]
	var many []map[string]any
	for i := range auth.MaxJWKSKeys + 1 {
		many = append(many, jwk(t, fmt.Sprint(i), k.rsa.Public()))
	}
	redirect := httptest.NewServer(http.RedirectHandler(j.hs.URL, http.StatusFound))
	defer redirect.Close()
	tests := []struct {
		name string
		url  string
		keys []map[string]any
		max  int64
		code auth.Code
	}{
		{"Ed25519 published", "", []map[string]any{ed}, 0, ""},
		{"a private key", "", []map[string]any{priv}, 0, auth.CodeJWTKeysUnavailable},
		{"a point off the curve", "", []map[string]any{offCurve, ed}, 0, auth.CodeJWTKeysUnavailable},
		{"too many keys", "", append(many, ed), 0, auth.CodeJWTKeysUnavailable},
		{"too large", "", []map[string]any{ed}, 64, auth.CodeJWTKeysUnavailable},
		{"a redirect", redirect.URL, nil, 0, auth.CodeJWTKeysUnavailable},
	}
	for _, tt := range tests {
		src := newJWKSServer(t, tt.keys...)
		u := src.hs.URL
		if tt.url != "" {
			u = tt.url
		}
		v := accessVerifier(t, auth.AccessConfig{JWKSURL: u, JWKSMaxBytes: tt.max, Now: c.Now})
		_, err := v.Verify(ctx, mint(t, "EdDSA", "ed", k.ed, idClaims(jwt.MapClaims{"iat": c.Now().Unix(), "nbf": c.Now().Unix(), "exp": c.Now().Add(time.Hour).Unix()})), "")
		if codeOf(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
}

// TestJWKSTimeout: a JWKS URL that never answers costs one bounded fetch,
// then JWT_KEYS_UNAVAILABLE without fetching again within the interval.
func TestJWKSTimeout(t *testing.T) {
	k := keys(t)
	c := testclock.New(epoch)
	release := make(chan struct{})
	var gets atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hs.Close()
	defer close(release)
	a := accessVerifier(t, auth.AccessConfig{JWKSURL: hs.URL, JWKSTimeout: 50 * time.Millisecond, Now: c.Now})
	tok := mint(t, "EdDSA", "ed", k.ed, idClaims(nil))
	for range 5 {
		if _, err := a.Verify(context.Background(), tok, ""); codeOf(err) != auth.CodeJWTKeysUnavailable {
			t.Fatalf("%v", err)
		}
	}
	if n := gets.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

// TestAccessCandidates counts the keys a token is checked against: a kid
// picks one; without kid, the configured keys that fit, and a published
// set with more than MaxCandidates fitting keys is refused, not tried.
func TestAccessCandidates(t *testing.T) {
	k := keys(t)
	c := testclock.New(epoch)
	var published []map[string]any
	for i := range auth.MaxCandidates + 1 {
		published = append(published, jwk(t, fmt.Sprint("k", i), k.rsa.Public()))
	}
	j := newJWKSServer(t, published...)
	a := accessVerifier(t, auth.AccessConfig{JWKSURL: j.hs.URL, Now: c.Now, Keys: []auth.AccessKey{{Key: k.p256.Public()}, {Key: k.p384.Public()}}})
	ctx := context.Background()
	tests := []struct {
		name       string
		token      string
		code       auth.Code
		candidates int64
	}{
		{"kid", mint(t, "RS256", "k2", k.rsa, idClaims(nil)), "", 1},
		{"no kid, configured ES256 key", mint(t, "ES256", "", k.p256, idClaims(nil)), "", 1},
		{"no kid, too many published keys", mint(t, "RS256", "", k.rsa, idClaims(nil)), auth.CodeJWTKeyUnknown, 0},
		{"unknown kid, configured keys tried", mint(t, "ES384", "idp-2025", k.p384, idClaims(nil)), "", 1},
	}
	for _, tt := range tests {
		before := a.Stats().Candidates
		_, err := a.Verify(ctx, tt.token, "")
		if codeOf(err) != tt.code || a.Stats().Candidates-before != tt.candidates {
			t.Errorf("%s: %v, %d candidates, want %s and %d", tt.name, err, a.Stats().Candidates-before, tt.code, tt.candidates)
		}
	}
}

// TestAccessClaimNames: the identity is read under configured names,
// including nested paths, names with dots and numbers.
func TestAccessClaimNames(t *testing.T) {
	k := keys(t)
	c := testclock.New(epoch)
	a := accessVerifier(t, auth.AccessConfig{Keys: []auth.AccessKey{{Key: k.ed.Public()}}, Now: c.Now,
		Claims: auth.ClaimNames{Name: "fio", PINFL: "https://gov.uz/pinfl", TIN: "person.tin", OrgTIN: "org.tin", Organization: "org.name"}})
	tok := mint(t, "EdDSA", "", k.ed, idClaims(jwt.MapClaims{"name": nil, "pinfl": nil, "fio": "ALIYEV VALI", "https://gov.uz/pinfl": json.Number("31111111111111"),
		"person": map[string]any{"tin": 511111111}, "org": map[string]any{"tin": "311111111", "name": "TEST MCHJ"}}))
	got, err := a.Verify(context.Background(), tok, "")
	if err != nil || got.Name != "ALIYEV VALI" || got.PINFL != "31111111111111" || got.TIN != "511111111" || got.OrgTIN != "311111111" || got.Organization != "TEST MCHJ" {
		t.Errorf("%+v %v", got, err)
	}
}

// TestAccessAuthenticate: eimzo-web's own session JWTs still pass where
// sessions are accepted (and their session must be open), not elsewhere;
// without a configuration only they pass.
func TestAccessAuthenticate(t *testing.T) {
	k := keys(t)
	c := testclock.New(epoch)
	st := store.NewMemory(store.WithClock(c.Now))
	svc := service(t, st, c, nil)
	sess, err := svc.StartSession(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	idTok := mint(t, "RS256", "", k.rsa, idClaims(nil))
	with := accessVerifier(t, auth.AccessConfig{Keys: []auth.AccessKey{{Key: k.rsa.Public()}}, AcceptSessions: true, Now: c.Now})
	without := accessVerifier(t, auth.AccessConfig{Keys: []auth.AccessKey{{Key: k.rsa.Public()}}, Now: c.Now})
	var none *auth.AccessVerifier
	tests := []struct {
		name  string
		a     *auth.AccessVerifier
		token string
		code  auth.Code
		pinfl string
	}{
		{"session, accepted", with, sess.Access, "", user.PINFL},
		{"IdP token, sessions accepted too", with, idTok, "", "30201900000001"},
		{"session, not accepted", without, sess.Access, auth.CodeJWTKeyUnknown, ""},
		{"session, no configuration", none, sess.Access, "", user.PINFL},
		{"IdP token, no configuration", none, idTok, auth.CodeJWTKeyUnknown, ""},
	}
	for _, tt := range tests {
		got, err := tt.a.Authenticate(context.Background(), tt.token, "officer", svc)
		if codeOf(err) != tt.code || (err == nil && got.PINFL != tt.pinfl) {
			t.Errorf("%s: %+v %v, want %s", tt.name, got, err, tt.code)
		}
	}
	if err := svc.Logout(context.Background(), sess.Claims.SessionID); err != nil {
		t.Fatal(err)
	}
	if _, err := with.Authenticate(context.Background(), sess.Access, "officer", svc); codeOf(err) != auth.CodeSessionRevoked {
		t.Errorf("a closed session: %v", err)
	}
}

func TestLoadAccessConfig(t *testing.T) {
	k := keys(t)
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("rsa.pem", pemOf(t, k.rsa.Public()))
	write("hs.secret", b64raw(hsSecret)+"\n")
	write("access.json", `{
  "keys": ["rsa.pem", {"pem": `+jsonString(pemOf(t, k.p256.Public()))+`, "kid": "ec-2025"}],
  "jwks": {"url": "https://id.example.uz/certs", "refresh": "5m", "timeout": 3, "maxBytes": 65536, "minInterval": "30s"},
  "hmac": {"secretFile": "hs.secret", "encoding": "base64"},
  "claims": {"name": "fio", "orgTin": "org.tin"},
  "acceptSessions": false,
  "default": {"audience": "eimzo-web", "issuer": ["https://id.example.uz", "https://id2.example.uz"], "clockTolerance": 30, "maxAge": "1h"},
  "endpoints": {"officer": {"audience": ["officers", "/urn:gov:.+/"]}, "owner": {"algorithms": ["HS512", "RS256"]}}
}`)
	cfg, err := auth.LoadAccessConfig(filepath.Join(dir, "access.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Keys) != 2 || cfg.Keys[1].ID != "ec-2025" || cfg.JWKSRefresh != 5*time.Minute || cfg.JWKSTimeout != 3*time.Second ||
		string(cfg.HMACSecret) != string(hsSecret) || cfg.Claims.Name != "fio" || cfg.AcceptSessions || cfg.Default.ClockTolerance != 30*time.Second ||
		cfg.Default.MaxAge != time.Hour || len(cfg.Default.Issuer) != 2 || cfg.Endpoints["officer"].Audience[1] != "/urn:gov:.+/" {
		t.Errorf("config %+v", cfg)
	}
	if _, err := auth.NewAccessVerifier(*cfg); err != nil {
		t.Errorf("the loaded config: %v", err)
	}
	for name, body := range map[string]string{
		"unknown field":        `{"keys": ["rsa.pem"], "audiences": "x"}`,
		"unknown claim name":   `{"keys": ["rsa.pem"], "claims": {"fullName": "x"}}`,
		"a private key":        `{"keys": [{"pem": ` + jsonString(privatePEM(t, k.p256)) + `}]}`,
		"bad duration":         `{"keys": ["rsa.pem"], "default": {"maxAge": "1 day"}}`,
		"missing key file":     `{"keys": ["nope.pem"]}`,
		"bad secret encoding":  `{"hmac": {"secretFile": "hs.secret", "encoding": "hex"}}`,
		"trailing data":        `{"keys": ["rsa.pem"]} {}`,
		"unknown key field":    `{"keys": [{"path": "rsa.pem"}]}`,
		"kid for several keys": `{"keys": [{"pem": ` + jsonString(pemOf(t, k.rsa.Public())+pemOf(t, k.p256.Public())) + `, "kid": "x"}]}`,
	} {
		write("bad.json", body)
		if _, err := auth.LoadAccessConfig(filepath.Join(dir, "bad.json")); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func privatePEM(t testing.TB, k crypto.Signer) string {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func b64raw(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// FuzzAccessVerify: whatever the token, a typed error or the claims of a
// token one of the configured keys signed.
func FuzzAccessVerify(f *testing.F) {
	k := keys(f)
	c := testclock.New(epoch)
	a := accessVerifier(f, auth.AccessConfig{Keys: []auth.AccessKey{{Key: k.rsa.Public()}, {Key: k.p256.Public()}, {Key: k.ed.Public()}}, HMACSecret: hsSecret, Now: c.Now,
		Default: auth.TokenOptions{Algorithms: append(append([]string{}, auth.AsymmetricAlgorithms...), auth.HMACAlgorithms...)}})
	good := mint(f, "RS256", "", k.rsa, idClaims(nil))
	parts := strings.Split(good, ".")
	f.Add(good)
	f.Add(mint(f, "ES256", thumb(f, k.p256.Public()), k.p256, idClaims(nil)))
	f.Add(mint(f, "EdDSA", "", k.ed, idClaims(jwt.MapClaims{"aud": []string{"a", "b"}, "pinfl": json.Number("1")})))
	f.Add(mint(f, "HS256", "", hsSecret, idClaims(nil)))
	f.Add(b64(map[string]string{"alg": "none"}) + "." + parts[1] + ".")
	f.Add(b64(map[string]any{"alg": "RS256", "crit": []string{"x"}}) + "." + parts[1] + "." + parts[2])
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		got, err := a.Verify(context.Background(), token, "")
		if err != nil {
			var e *auth.Error
			if !asError(err, &e) || e == nil || e.Code == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if got.Subject != "user-1" || got.Issuer != "https://id.example.uz" {
			t.Fatalf("accepted a token nobody signed: %+v", got)
		}
	})
}
