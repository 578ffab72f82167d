package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/internal/testclock"
	"github.com/eimzokit/eimzokit/web/store"
	"github.com/eimzokit/eimzokit/web/store/redistest"
	"github.com/golang-jwt/jwt/v5"
)

var epoch = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

var user = auth.User{Name: "TESTOV TEST FUQARO", PINFL: "30201900000001", TIN: "510000001", Serial: "1a2b3c4d5e"}

func service(t testing.TB, st store.Store, c *testclock.Clock, key *auth.Key, opts ...auth.Option) *auth.Service {
	t.Helper()
	if key == nil {
		var err error
		if key, err = auth.GenerateKey(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := auth.New(st, key, append([]auth.Option{auth.WithClock(c.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func codeOf(err error) auth.Code {
	var e *auth.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return "UNTYPED: " + auth.Code(err.Error())
	}
	return ""
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestKeys(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(ec)
	k, err := auth.LoadKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil || k.Alg != "ES256" || len(k.ID) != 43 {
		t.Fatalf("PKCS#8 EC: %+v %v", k, err)
	}
	// The RFC 7638 §3.1 example key and thumbprint.
	n, _ := base64.RawURLEncoding.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	rk := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: new(bigInt).SetBytes(n), E: 65537}}
	if k, err := auth.NewKey(signerOf{rk}); err != nil || k.ID != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" || k.Alg != "RS256" {
		t.Errorf("RFC 7638 example: %+v %v", k, err)
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	if k, err := auth.LoadKey(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})); err != nil || k.Alg != "RS256" {
		t.Errorf("PKCS#1 RSA: %v", err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := auth.NewKey(p384); err == nil {
		t.Error("a P-384 key was accepted for ES256")
	}
	if _, err := auth.LoadKey([]byte("no pem")); err == nil {
		t.Error("junk accepted")
	}
	s := service(t, store.NewMemory(), testclock.New(epoch), k)
	set, _ := s.JWKS()
	var jwks auth.JWKS
	if json.Unmarshal(set, &jwks) != nil || len(jwks.Keys) != 1 || jwks.Keys[0].Kid != k.ID || jwks.Keys[0].Crv != "P-256" || strings.Contains(string(set), `"d"`) {
		t.Errorf("JWKS %s", set)
	}
}

func TestVerifyJWT(t *testing.T) {
	c := testclock.New(epoch)
	st := store.NewMemory(store.WithClock(c.Now))
	key, _ := auth.GenerateKey()
	s := service(t, st, c, key)
	sess, err := s.StartSession(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	good := sess.Access
	parts := strings.Split(good, ".")
	var claims map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	_ = json.Unmarshal(raw, &claims)

	// Tokens an attacker can make.
	none := b64(map[string]string{"alg": "none", "typ": "JWT"}) + "." + parts[1] + "."
	pubDER, _ := x509.MarshalPKIXPublicKey(key.Signer.Public())
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(claims))
	hs.Header["kid"] = key.ID
	hsToken, _ := hs.SignedString(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	rsHeader := b64(map[string]string{"alg": "RS256", "kid": key.ID}) + "." + parts[1] + "." + parts[2]
	other, _ := auth.GenerateKey()
	foreign := service(t, st, c, other)
	foreignSess, _ := foreign.StartSession(context.Background(), user)
	ownKid := func() string { // another key, claiming our kid
		tk := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims(claims))
		tk.Header["kid"] = key.ID
		out, _ := tk.SignedString(other.Signer)
		return out
	}()
	tampered := parts[0] + "." + b64(map[string]any{"sub": "someone else", "iss": claims["iss"], "aud": claims["aud"], "exp": claims["exp"],
		"iat": claims["iat"], "nbf": claims["nbf"], "jti": claims["jti"], "sid": claims["sid"]}) + "." + parts[2]
	otherAud := service(t, st, c, key, auth.WithAudience("another-app"))
	otherIss := service(t, st, c, key, auth.WithIssuer("another-issuer"))

	tests := []struct {
		name  string
		s     *auth.Service
		token string
		opt   auth.VerifyOptions
		skew  time.Duration
		want  auth.Code
	}{
		{"valid", s, good, auth.VerifyOptions{}, 0, ""},
		{"valid, subject and jwtid as expected", s, good, auth.VerifyOptions{Subject: user.PINFL, JWTID: claims["jti"].(string)}, 0, ""},
		{"alg none", s, none, auth.VerifyOptions{}, 0, auth.CodeJWTAlgorithm},
		{"alg none explicitly allowed", s, none, auth.VerifyOptions{Algorithms: []string{"none"}}, 0, auth.CodeJWTAlgorithm},
		{"HS256 keyed with the public key", s, hsToken, auth.VerifyOptions{}, 0, auth.CodeJWTAlgorithm},
		{"HS256 explicitly allowed", s, hsToken, auth.VerifyOptions{Algorithms: []string{"HS256", "ES256"}}, 0, auth.CodeJWTAlgorithm},
		{"RS256 header on an ES256 key", s, rsHeader, auth.VerifyOptions{}, 0, auth.CodeJWTAlgorithm},
		{"another service's key", s, foreignSess.Access, auth.VerifyOptions{}, 0, auth.CodeJWTKeyUnknown},
		{"another key claiming our kid", s, ownKid, auth.VerifyOptions{}, 0, auth.CodeJWTSignature},
		{"payload changed", s, tampered, auth.VerifyOptions{}, 0, auth.CodeJWTSignature},
		{"expired", s, good, auth.VerifyOptions{}, auth.DefaultSessionTTL + auth.DefaultLeeway + time.Second, auth.CodeJWTExpired},
		{"expired but within leeway", s, good, auth.VerifyOptions{}, auth.DefaultSessionTTL + auth.DefaultLeeway - time.Second, ""},
		{"not yet active", s, good, auth.VerifyOptions{}, -time.Minute, auth.CodeJWTNotActive},
		{"other audience", otherAud, good, auth.VerifyOptions{}, 0, auth.CodeJWTClaim},
		{"other issuer", otherIss, good, auth.VerifyOptions{}, 0, auth.CodeJWTClaim},
		{"subject mismatch", s, good, auth.VerifyOptions{Subject: "30201900000002"}, 0, auth.CodeJWTClaim},
		{"jwtid mismatch", s, good, auth.VerifyOptions{JWTID: "other"}, 0, auth.CodeJWTClaim},
		{"older than maxAge", s, good, auth.VerifyOptions{MaxAge: time.Minute}, 2 * time.Minute, auth.CodeJWTTooOld},
		{"empty", s, "", auth.VerifyOptions{}, 0, auth.CodeJWTMalformed},
		{"two parts", s, parts[0] + "." + parts[1], auth.VerifyOptions{}, 0, auth.CodeJWTMalformed},
		{"header not base64", s, "!!." + parts[1] + "." + parts[2], auth.VerifyOptions{}, 0, auth.CodeJWTMalformed},
		{"payload not JSON", s, parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte("x")) + "." + parts[2], auth.VerifyOptions{}, 0, auth.CodeJWTMalformed},
		{"too long", s, good + strings.Repeat("A", auth.MaxTokenBytes), auth.VerifyOptions{}, 0, auth.CodeJWTMalformed},
	}
	for _, tt := range tests {
		c.Add(tt.skew)
		got, err := tt.s.VerifyJWT(tt.token, tt.opt)
		c.Add(-tt.skew)
		if codeOf(err) != tt.want {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		if err == nil && (got.Subject != user.PINFL || got.PINFL != user.PINFL || got.Name != user.Name || got.SessionID == "") {
			t.Errorf("%s: claims %+v", tt.name, got)
		}
		if err != nil && strings.Contains(err.Error(), tt.token) && tt.token != "" {
			t.Errorf("%s: the error quotes the token", tt.name)
		}
	}

	// RS256 keys, and a rotation that keeps the old key for verification.
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rk, _ := auth.NewKey(rsaKey)
	rs := service(t, st, c, rk)
	rsSess, _ := rs.StartSession(context.Background(), user)
	if _, err := rs.VerifyJWT(rsSess.Access, auth.VerifyOptions{}); err != nil {
		t.Errorf("RS256: %v", err)
	}
	rotated := service(t, st, c, other, auth.WithVerificationKeys(key))
	if _, err := rotated.VerifyJWT(good, auth.VerifyOptions{}); err != nil {
		t.Errorf("a token of the previous key after rotation: %v", err)
	}
}

func TestConfig(t *testing.T) {
	key, _ := auth.GenerateKey()
	for _, opt := range []auth.Option{auth.WithChallengeTTL(6 * time.Minute), auth.WithSessionTTL(10 * time.Minute),
		auth.WithSessionTTL(31 * time.Minute), auth.WithRefreshTTL(time.Minute)} {
		if _, err := auth.New(store.NewMemory(), key, opt); err == nil {
			t.Error("an out-of-bounds lifetime was accepted")
		}
	}
	if _, err := auth.New(store.NewMemory(), nil); err == nil {
		t.Error("no key accepted")
	}
}

func stores(t *testing.T, c *testclock.Clock) map[string]store.Store {
	r, err := store.OpenRedis(context.Background(), redistest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return map[string]store.Store{"memory": store.NewMemory(store.WithClock(c.Now)), "redis": r}
}

func TestChallenges(t *testing.T) {
	c := testclock.New(epoch)
	for name, st := range stores(t, c) {
		t.Run(name, func(t *testing.T) {
			s := service(t, st, c, nil)
			ctx := context.Background()
			const origin = "http://localhost:8080"
			ch, err := s.NewChallenge(ctx, origin)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := base64.RawURLEncoding.DecodeString(ch.Value)
			if err != nil || len(raw) != auth.ChallengeBytes || !ch.ExpiresAt.Equal(epoch.Add(auth.DefaultChallengeTTL)) {
				t.Fatalf("challenge %q (%d bytes) expires %v", ch.Value, len(raw), ch.ExpiresAt)
			}
			other, _ := s.NewChallenge(ctx, origin)
			steps := []struct {
				name   string
				do     func() error
				want   auth.Code
				origin string
			}{
				{"foreign origin", func() error { return s.ConsumeChallenge(ctx, "https://evil.example", ch.Value) }, auth.CodeOriginMismatch, ""},
				{"unknown", func() error { return s.ConsumeChallenge(ctx, origin, "A"+ch.Value[1:]+"x") }, auth.CodeChallengeInvalid, ""},
				{"check", func() error { return s.CheckChallenge(ctx, origin, ch.Value) }, "", ""},
				{"consume", func() error { return s.ConsumeChallenge(ctx, origin, ch.Value) }, "", ""},
				{"replay", func() error { return s.ConsumeChallenge(ctx, origin, ch.Value) }, auth.CodeChallengeInvalid, ""},
			}
			for _, st := range steps {
				if got := codeOf(st.do()); got != st.want {
					t.Errorf("%s: %q, want %q", st.name, got, st.want)
				}
			}
			if name == "memory" { // Redis enforces its own TTLs; the clock steers the memory store
				c.Add(auth.DefaultChallengeTTL)
				if err := s.ConsumeChallenge(ctx, origin, other.Value); codeOf(err) != auth.CodeChallengeInvalid {
					t.Errorf("expired: %v", err)
				}
				c.Add(-auth.DefaultChallengeTTL)
			}
			// One of many concurrent logins with the same challenge wins.
			race, _ := s.NewChallenge(ctx, origin)
			var wins atomic.Int32
			var wg sync.WaitGroup
			for range 40 {
				wg.Go(func() {
					if s.ConsumeChallenge(ctx, origin, race.Value) == nil {
						wins.Add(1)
					}
				})
			}
			wg.Wait()
			if wins.Load() != 1 {
				t.Errorf("%d concurrent consumers won, want 1", wins.Load())
			}
		})
	}
}

func TestSessions(t *testing.T) {
	c := testclock.New(epoch)
	for name, st := range stores(t, c) {
		t.Run(name, func(t *testing.T) {
			s := service(t, st, c, nil)
			ctx := context.Background()
			first, err := s.StartSession(ctx, user)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Authenticate(ctx, first.Access); err != nil {
				t.Fatal(err)
			}
			second, err := s.Refresh(ctx, first.Refresh)
			if err != nil {
				t.Fatal(err)
			}
			if second.Refresh == first.Refresh || second.Claims.SessionID != first.Claims.SessionID || second.Claims.ID == first.Claims.ID {
				t.Error("refresh did not rotate within the family")
			}
			third, err := s.Refresh(ctx, second.Refresh)
			if err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				name string
				err  func() error
				want auth.Code
			}{
				{"the latest JWT works", func() error { _, err := s.Authenticate(ctx, third.Access); return err }, ""},
				{"an old refresh token again", func() error { _, err := s.Refresh(ctx, first.Refresh); return err }, auth.CodeRefreshReused},
				{"the family's latest refresh token", func() error { _, err := s.Refresh(ctx, third.Refresh); return err }, auth.CodeSessionRevoked},
				{"the family's JWT", func() error { _, err := s.Authenticate(ctx, third.Access); return err }, auth.CodeSessionRevoked},
				{"junk refresh token", func() error { _, err := s.Refresh(ctx, "junk"); return err }, auth.CodeRefreshInvalid},
				{"forged refresh token of the family", func() error { _, err := s.Refresh(ctx, first.Claims.SessionID+".forged"); return err }, auth.CodeRefreshInvalid},
			}
			for _, st := range steps {
				if got := codeOf(st.err()); got != st.want {
					t.Errorf("%s: %q, want %q", st.name, got, st.want)
				}
			}
			// Logout ends another session, and only it.
			a, _ := s.StartSession(ctx, user)
			b, _ := s.StartSession(ctx, user)
			if err := s.Logout(ctx, a.Claims.SessionID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Authenticate(ctx, a.Access); codeOf(err) != auth.CodeSessionRevoked {
				t.Errorf("after logout: %v", err)
			}
			if _, err := s.Refresh(ctx, a.Refresh); codeOf(err) != auth.CodeSessionRevoked {
				t.Errorf("refresh after logout: %v", err)
			}
			if _, err := s.Authenticate(ctx, b.Access); err != nil {
				t.Errorf("the other session: %v", err)
			}
		})
	}
}

func FuzzVerifyJWT(f *testing.F) {
	c := testclock.New(epoch)
	s := service(f, store.NewMemory(store.WithClock(c.Now)), c, nil)
	sess, err := s.StartSession(context.Background(), user)
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(sess.Access, ".")
	f.Add(sess.Access)
	f.Add(b64(map[string]string{"alg": "none"}) + "." + parts[1] + ".")
	f.Add(b64(map[string]string{"alg": "HS256"}) + "." + parts[1] + "." + parts[2])
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		got, err := s.VerifyJWT(token, auth.VerifyOptions{})
		var e *auth.Error
		if err != nil {
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if got.Subject != user.PINFL || got.SessionID != sess.Claims.SessionID {
			t.Fatalf("accepted a token we did not sign: %+v", got)
		}
	})
}
