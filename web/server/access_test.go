package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/server"
	"github.com/golang-jwt/jwt/v5"
)

// TestESignatureIdPTokens: the e-signature endpoints take the site's
// identity provider's access tokens (keys from its JWKS URL, an HMAC
// secret where an endpoint opts in), with per-endpoint audiences and
// algorithms, the identity read under configured claim names; expired and
// not-yet-valid tokens answer with jsonwebtoken's dates; eimzo-web's own
// sessions still pass; a JWKS that cannot be fetched is a 503.
func TestESignatureIdPTokens(t *testing.T) {
	e := newEnv(t)
	idp, _ := rsa.GenerateKey(rand.Reader, 2048)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var gets atomic.Int64
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		enc := base64.RawURLEncoding.EncodeToString
		raw, _ := ec.PublicKey.Bytes()
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]any{
			{"kty": "RSA", "kid": "idp-rsa", "use": "sig", "alg": "RS256", "n": enc(idp.N.Bytes()), "e": enc(big.NewInt(int64(idp.E)).Bytes())},
			{"kty": "EC", "kid": "idp-ec", "crv": "P-256", "x": enc(raw[1:33]), "y": enc(raw[33:])},
		}})
	}))
	defer jwks.Close()
	secret := []byte("an HMAC secret shared with the IdP, 32+ bytes long")
	access, err := auth.NewAccessVerifier(auth.AccessConfig{JWKSURL: jwks.URL, HMACSecret: secret, AcceptSessions: true, Now: e.clock.Now,
		Claims:  auth.ClaimNames{Name: "fio", PINFL: "jshshir", OrgTIN: "org.stir", Organization: "org.name"},
		Default: auth.TokenOptions{Issuer: []string{"https://id.example.uz"}, ClockTolerance: 30 * time.Second},
		Endpoints: map[string]auth.TokenOptions{
			"officer": {Audience: []string{"officers"}},
			"citizen": {Audience: []string{"/citizens?/"}},
			"owner":   {Audience: []string{"owners"}, Algorithms: []string{"HS256"}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	e.start(t, e.st, func(c *server.Config) { c.Access = access })

	token := func(alg, kid, aud string, id *testpki.Identity, extra jwt.MapClaims) string {
		p := id.Person
		c := jwt.MapClaims{"iss": "https://id.example.uz", "aud": aud, "sub": p.PINFL, "iat": epoch.Unix(), "exp": epoch.Add(15 * time.Minute).Unix(),
			"fio": p.CN, "jshshir": p.PINFL}
		if p.OrgTIN != "" {
			c["org"] = map[string]any{"stir": p.OrgTIN, "name": p.O}
		}
		for k, v := range extra {
			c[k] = v
		}
		tok := jwt.NewWithClaims(jwt.GetSigningMethod(alg), c)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		var key any = idp
		switch alg {
		case "ES256":
			key = ec
		case "HS256":
			key = secret
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	data := []byte(`{"hujjat":"buyruq № 12"}`)
	sLegal := b64(e.stamp(t, e.sign(t, e.legal, data, false)))
	sPhys := b64(e.stamp(t, e.sign(t, e.physical, data, false)))
	officer, citizen, owner := "/api/esignature/officer/verify", "/api/esignature/citizen/verify", "/api/esignature/owner"
	legalTok := token("RS256", "idp-rsa", "officers", e.legal, nil)
	expired := token("RS256", "idp-rsa", "officers", e.legal, jwt.MapClaims{"exp": epoch.Add(-time.Minute).Unix()})
	early := token("ES256", "idp-ec", "officers", e.legal, jwt.MapClaims{"nbf": epoch.Add(time.Hour).Unix()})
	none := b64json(map[string]string{"alg": "none"}) + "." + b64json(map[string]any{"iss": "https://id.example.uz", "aud": "officers",
		"exp": epoch.Add(time.Hour).Unix(), "fio": e.legal.Person.CN, "jshshir": e.legal.Person.PINFL}) + "."
	tests := []struct {
		name   string
		path   string
		token  string
		sig    string
		extra  map[string]any
		status int
		valid  bool
		code   string
		date   string // expiredAt or date wanted, RFC 3339
	}{
		{"officer: IdP token, RS256 from the JWKS", officer, legalTok, sLegal, nil, 200, true, "", ""},
		{"officer: IdP token, ES256 from the JWKS", officer, token("ES256", "idp-ec", "officers", e.legal, nil), sLegal, nil, 200, true, "", ""},
		{"officer: the IdP says another name", officer, token("RS256", "idp-rsa", "officers", e.legal, jwt.MapClaims{"fio": "BOSHQA ODAM"}), sLegal, nil, 200, false,
			"ERROR_SIGNATURE_NAME_MISMATCH", ""},
		{"officer: a citizens' token", officer, token("RS256", "idp-rsa", "citizens", e.legal, nil), sLegal, nil, 401, false, "ERROR_ACCESS_TOKEN_INVALID", ""},
		{"officer: HS256 is not for officers", officer, token("HS256", "", "officers", e.legal, nil), sLegal, nil, 401, false, "ERROR_ACCESS_TOKEN_INVALID", ""},
		{"officer: alg none", officer, none, sLegal, nil, 401, false, "ERROR_ACCESS_TOKEN_INVALID", ""},
		{"officer: expired", officer, expired, sLegal, nil, 401, false, "ERROR_ACCESS_TOKEN_EXPIRED", "2026-05-20T08:59:00Z"},
		{"officer: not active yet", officer, early, sLegal, nil, 401, false, "ERROR_ACCESS_TOKEN_INVALID", "2026-05-20T10:00:00Z"},
		{"officer: another issuer", officer, token("RS256", "idp-rsa", "officers", e.legal, jwt.MapClaims{"iss": "https://evil.example"}), sLegal, nil, 401, false,
			"ERROR_ACCESS_TOKEN_INVALID", ""},
		{"officer: unknown kid", officer, token("RS256", "rotated", "officers", e.legal, nil), sLegal, nil, 401, false, "ERROR_ACCESS_TOKEN_INVALID", ""},
		{"citizen: IdP token (audience pattern)", citizen, token("RS256", "idp-rsa", "citizen", e.physical, nil), sPhys, map[string]any{"allowedSubjects": []string{"CITIZEN"}},
			200, true, "", ""},
		{"citizen: eimzo-web's own session", citizen, sessionFor(t, e, e.physical), sPhys, map[string]any{"allowedSubjects": []string{"CITIZEN"}}, 200, true, "", ""},
		{"owner: HS256, opted in", owner, token("HS256", "", "owners", e.legal, nil), sLegal, nil, 200, false, "", ""},
		{"owner: RS256 is not listed there", owner, token("RS256", "idp-rsa", "owners", e.legal, nil), sLegal, nil, 401, false, "ERROR_ACCESS_TOKEN_INVALID", ""},
	}
	for _, tt := range tests {
		body := map[string]any{"signature": tt.sig, "data": ""}
		for k, v := range tt.extra {
			body[k] = v
		}
		r := do(t, e.url, req{method: "POST", path: tt.path, body: body, header: map[string]string{"X-Access-Token": tt.token}})
		if r.status != tt.status || r.code() != tt.code {
			t.Errorf("%s: %d %s, want %d %s", tt.name, r.status, r.body, tt.status, tt.code)
			continue
		}
		if tt.path != owner && r.status == 200 && (r.json["isValid"] == true) != tt.valid {
			t.Errorf("%s: %s", tt.name, r.body)
		}
		if tt.path == owner && r.status == 200 && (r.str("drfo") != e.legal.Person.PINFL || r.str("edrpou") != e.legal.Person.OrgTIN) {
			t.Errorf("%s: %s", tt.name, r.body)
		}
		got := r.str("expiredAt") + r.str("date")
		if tt.date != "" {
			if d, err := time.Parse(time.RFC3339, got); err != nil || !d.Equal(mustTime(tt.date)) {
				t.Errorf("%s: date %q, want %s", tt.name, got, tt.date)
			}
		} else if got != "" {
			t.Errorf("%s: a date %q", tt.name, got)
		}
	}
	if n := gets.Load(); n != 1 { // the unknown kid came within a minute of the first fetch
		t.Errorf("the JWKS was fetched %d times, want 1", n)
	}

	// The IdP's keys cannot be fetched: a server-side failure.
	dead, err := auth.NewAccessVerifier(auth.AccessConfig{JWKSURL: "http://127.0.0.1:1/jwks", Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.start(t, e.st, func(c *server.Config) { c.Access = dead })
	r := do(t, e.url, req{method: "POST", path: officer, body: map[string]any{"signature": sLegal, "data": ""}, header: map[string]string{"X-Access-Token": legalTok}})
	if r.status != http.StatusServiceUnavailable || r.code() != "JWT_KEYS_UNAVAILABLE" {
		t.Errorf("JWKS down: %d %s", r.status, r.body)
	}
}

// TestSessionErrorDates: /api's JWT errors carry jsonwebtoken's dates.
func TestSessionErrorDates(t *testing.T) {
	e := newEnv(t)
	tok := sessionFor(t, e, e.physical)
	e.clock.Add(time.Hour)
	r := do(t, e.url, req{method: "GET", path: "/api/auth/session", header: map[string]string{"Authorization": "Bearer " + tok}})
	if r.status != 401 || r.code() != "JWT_EXPIRED" || r.str("expiredAt") != "2026-05-20T09:15:00Z" {
		t.Errorf("expired session: %d %s", r.status, r.body)
	}
	e.clock.Add(-2 * time.Hour)
	r = do(t, e.url, req{method: "GET", path: "/api/auth/session", header: map[string]string{"Authorization": "Bearer " + tok}})
	if r.status != 401 || r.code() != "JWT_NOT_ACTIVE" || r.str("date") == "" {
		t.Errorf("a session from the future: %d %s", r.status, r.body)
	}
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
