package server_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/web/audit"
	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/store"
	"github.com/eimzokit/eimzokit/web/store/redistest"
)

func challenge(t *testing.T, base string, header map[string]string) string {
	t.Helper()
	r := do(t, base, req{method: "GET", path: "/api/auth/challenge", header: header})
	if r.status != http.StatusOK {
		t.Fatalf("challenge: %d %s", r.status, r.body)
	}
	return string(r.body)
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	mem := e.st.(*store.Memory)
	origin := map[string]string{"Origin": e.url}

	// The challenge: text by default, JSON on request.
	ch := challenge(t, e.url, nil)
	if raw, err := base64.RawURLEncoding.DecodeString(ch); err != nil || len(raw) != 32 {
		t.Fatalf("challenge %q", ch)
	}
	j := do(t, e.url, req{method: "GET", path: "/api/auth/challenge", header: map[string]string{"Accept": "application/json"}})
	if j.str("challenge") == "" || j.json["ttl"].(float64) != 120 || j.header.Get("Cache-Control") != "no-store" {
		t.Errorf("JSON challenge %s", j.body)
	}

	login := func(body any, header map[string]string) response {
		return do(t, e.url, req{method: "POST", path: "/api/auth/login", body: body, header: header})
	}
	good := e.sign(t, e.physical, []byte(ch), false)
	tampered := append([]byte{}, good...)
	tampered[len(tampered)-4] ^= 1
	skewed := func() []byte {
		e.clock.Add(-time.Hour)
		defer e.clock.Add(time.Hour)
		return e.sign(t, e.physical, []byte(ch), false)
	}()

	// Rejections first: none may use the challenge up or store anything.
	before := mem.Len()
	rejections := []struct {
		name   string
		body   any
		header map[string]string
		status int
		code   string
	}{
		{"foreign origin", b64(good), map[string]string{"Origin": "https://evil.example"}, 403, "ORIGIN_MISMATCH"},
		{"not base64", "%%%", origin, 400, "BASE64_INVALID"},
		{"JSON with an unknown field", map[string]string{"pkcs7": b64(good), "x": "y"}, origin, 400, "BAD_REQUEST"},
		{"not a CMS", b64([]byte("hello")), origin, 400, "CMS_MALFORMED"},
		{"detached", b64(e.sign(t, e.physical, []byte(ch), true)), origin, 400, "BAD_REQUEST"},
		{"unknown challenge", b64(e.sign(t, e.physical, []byte("made-up"), false)), origin, 401, "CHALLENGE_INVALID"},
		{"signature changed", b64(tampered), origin, 401, "SIGNATURE_INVALID"},
		{"foreign PKI", b64(e.sign(t, e.foreign, []byte(ch), false)), origin, 401, "CERT_CHAIN_INVALID"},
		{"expired certificate", b64(e.sign(t, e.expired, []byte(ch), false)), origin, 401, "CERT_NOT_VALID_AT_SIGNING_TIME"},
		{"client clock an hour off", b64(skewed), origin, 401, "SIGNING_TIME_INVALID"},
		{"body over 1 MiB", strings.Repeat("A", server.MaxSmallBody+1), origin, 413, "BODY_TOO_LARGE"},
	}
	for _, tt := range rejections {
		r := login(tt.body, tt.header)
		if r.status != tt.status || r.code() != tt.code || r.cookie(server.SessionCookie) != nil {
			t.Errorf("%s: %d %s, want %d %s", tt.name, r.status, r.code(), tt.status, tt.code)
		}
	}
	if mem.Len() != before {
		t.Errorf("rejected logins changed the store: %d → %d records", before, mem.Len())
	}

	// The login, as JSON; the cookies.
	r := login(map[string]string{"pkcs7": b64(good)}, origin)
	if r.status != http.StatusOK || r.str("subject") != e.physical.Person.PINFL {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	sc, rc := r.cookie(server.SessionCookie), r.cookie(server.RefreshCookie)
	if sc == nil || !sc.HttpOnly || !sc.Secure || sc.SameSite != http.SameSiteStrictMode || sc.Path != "/" || sc.MaxAge != 900 {
		t.Fatalf("session cookie %+v", sc)
	}
	if rc == nil || !rc.HttpOnly || !rc.Secure || rc.SameSite != http.SameSiteStrictMode || rc.Path != "/api/auth" {
		t.Fatalf("refresh cookie %+v", rc)
	}
	if r := login(b64(good), origin); r.status != 401 || r.code() != "CHALLENGE_INVALID" {
		t.Errorf("replay: %d %s", r.status, r.code())
	}
	s := do(t, e.url, req{method: "GET", path: "/api/auth/session", cookies: []*http.Cookie{sc}})
	if s.status != 200 || s.str("pinfl") != e.physical.Person.PINFL || s.str("name") != e.physical.Person.CN || s.str("serial") != e.physical.Cert.SerialNumber.Text(16) {
		t.Errorf("session: %d %s", s.status, s.body)
	}
	bearer := do(t, e.url, req{method: "GET", path: "/api/auth/session", header: map[string]string{"Authorization": "Bearer " + sc.Value}})
	if bearer.status != 200 {
		t.Errorf("bearer: %d %s", bearer.status, bearer.body)
	}

	// Forged and expired JWTs are refused, each with its code.
	parts := strings.Split(sc.Value, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
	for _, tt := range []struct {
		name, token, code string
		skew              time.Duration
	}{
		{"alg none", none, "JWT_ALGORITHM_REJECTED", 0},
		{"signature cut", parts[0] + "." + parts[1] + ".", "JWT_SIGNATURE_INVALID", 0},
		{"garbage", "abc", "JWT_MALFORMED", 0},
		{"expired", sc.Value, "JWT_EXPIRED", 16 * time.Minute},
	} {
		e.clock.Add(tt.skew)
		r := do(t, e.url, req{method: "GET", path: "/api/auth/session", cookies: []*http.Cookie{{Name: server.SessionCookie, Value: tt.token}}})
		e.clock.Add(-tt.skew)
		if r.status != 401 || r.code() != tt.code {
			t.Errorf("%s: %d %s", tt.name, r.status, r.code())
		}
	}
	if r := do(t, e.url, req{method: "GET", path: "/api/auth/session"}); r.status != 401 || r.code() != "SESSION_MISSING" {
		t.Errorf("no session: %d %s", r.status, r.code())
	}

	// Refresh rotates; the old refresh token again revokes everything.
	r2 := do(t, e.url, req{method: "POST", path: "/api/auth/refresh", cookies: []*http.Cookie{rc}, header: origin})
	if r2.status != 200 || r2.cookie(server.RefreshCookie) == nil || r2.cookie(server.RefreshCookie).Value == rc.Value {
		t.Fatalf("refresh: %d %s", r2.status, r2.body)
	}
	if r := do(t, e.url, req{method: "POST", path: "/api/auth/refresh", cookies: []*http.Cookie{rc}, header: map[string]string{"Origin": "https://evil.example"}}); r.status != 403 {
		t.Errorf("refresh from another origin: %d", r.status)
	}
	r3 := do(t, e.url, req{method: "POST", path: "/api/auth/refresh", cookies: []*http.Cookie{rc}})
	if r3.status != 401 || r3.code() != "REFRESH_REUSED" || r3.cookie(server.SessionCookie) == nil || r3.cookie(server.SessionCookie).MaxAge >= 0 {
		t.Errorf("reused refresh token: %d %s", r3.status, r3.code())
	}
	if r := do(t, e.url, req{method: "GET", path: "/api/auth/session", cookies: []*http.Cookie{r2.cookie(server.SessionCookie)}}); r.status != 401 || r.code() != "SESSION_REVOKED" {
		t.Errorf("session after reuse: %d %s", r.status, r.code())
	}

	// Logout.
	ch2 := challenge(t, e.url, nil)
	r4 := login(b64(e.sign(t, e.physical, []byte(ch2), false)), origin)
	sc4 := r4.cookie(server.SessionCookie)
	out := do(t, e.url, req{method: "POST", path: "/api/auth/logout", cookies: []*http.Cookie{sc4}, header: origin})
	if out.status != 200 || out.json["loggedOut"] != true {
		t.Errorf("logout: %d %s", out.status, out.body)
	}
	if r := do(t, e.url, req{method: "GET", path: "/api/auth/session", cookies: []*http.Cookie{sc4}}); r.status != 401 || r.code() != "SESSION_REVOKED" {
		t.Errorf("after logout: %d %s", r.status, r.code())
	}
	// An expired challenge.
	ch3 := challenge(t, e.url, nil)
	e.clock.Add(auth.DefaultChallengeTTL)
	if r := login(b64(e.sign(t, e.physical, []byte(ch3), false)), origin); r.status != 401 || r.code() != "CHALLENGE_INVALID" {
		t.Errorf("expired challenge: %d %s", r.status, r.code())
	}

	// The audit log: logins with their results, hashes, never secrets.
	log := e.audit.String()
	for _, secret := range []string{ch, ch2, sc.Value, rc.Value, sc4.Value} {
		if strings.Contains(log, secret) {
			t.Fatal("the audit log contains a secret")
		}
	}
	results := map[string]int{}
	sc2 := bufio.NewScanner(strings.NewReader(log))
	for sc2.Scan() {
		var ev audit.Event
		if err := json.Unmarshal(sc2.Bytes(), &ev); err != nil {
			t.Fatalf("audit line %q: %v", sc2.Text(), err)
		}
		results[ev.Event+" "+ev.Result]++
		if ev.Event == "login" && ev.Result == "OK" && (ev.Challenge != auth.Hash(ch) && ev.Challenge != auth.Hash(ch2) || ev.Subject != e.physical.Person.PINFL || ev.Session == "") {
			t.Errorf("login audit %+v", ev)
		}
	}
	for _, want := range []string{"login OK", "login ORIGIN_MISMATCH", "login CHALLENGE_INVALID", "login SIGNATURE_INVALID", "refresh OK", "refresh REFRESH_REUSED", "logout OK"} {
		if results[want] == 0 {
			t.Errorf("no %q in the audit log: %v", want, results)
		}
	}
}

func TestConfiguredOrigins(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.Origins = []string{"https://app.example.uz"} })
	// Behind a proxy the GET has no Origin: the one configured origin binds.
	ch := challenge(t, e.url, nil)
	r := do(t, e.url, req{method: "POST", path: "/api/auth/login", body: b64(e.sign(t, e.legal, []byte(ch), false)), header: map[string]string{"Origin": "https://app.example.uz"}})
	if r.status != 200 {
		t.Errorf("configured origin: %d %s", r.status, r.body)
	}
	if r := do(t, e.url, req{method: "GET", path: "/api/auth/challenge", header: map[string]string{"Origin": "https://evil.example"}}); r.status != 403 || r.code() != "ORIGIN_MISMATCH" {
		t.Errorf("challenge for another origin: %d %s", r.status, r.code())
	}
}

// TestTwoInstancesOneRedis runs two backends on one Redis, as behind a
// balancer: a challenge from one logs in on the other, once; a session from
// one works on the other, and a logout on one ends it on both.
func TestTwoInstancesOneRedis(t *testing.T) {
	e := newEnv(t)
	url := redistest.Start(t)
	open := func() store.Store {
		r, err := store.OpenRedis(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	a := e.start(t, open())
	b := e.start(t, open())
	ch := challenge(t, a, nil)
	cms := b64(e.sign(t, e.physical, []byte(ch), false))
	// Each instance sees its own origin; the browser would send the page's.
	r := do(t, b, req{method: "POST", path: "/api/auth/login", body: cms, header: map[string]string{"Origin": a, "Host": strings.TrimPrefix(a, "http://")}})
	if r.status != 200 {
		t.Fatalf("login on the other instance: %d %s", r.status, r.body)
	}
	if r := do(t, a, req{method: "POST", path: "/api/auth/login", body: cms, header: map[string]string{"Origin": a}}); r.status != 401 || r.code() != "CHALLENGE_INVALID" {
		t.Errorf("replay on the first instance: %d %s", r.status, r.code())
	}
	sc := r.cookie(server.SessionCookie)
	if r := do(t, a, req{method: "GET", path: "/api/auth/session", cookies: []*http.Cookie{sc}}); r.status != 200 {
		t.Errorf("the session on the first instance: %d %s", r.status, r.body)
	}
	if r := do(t, a, req{method: "POST", path: "/api/auth/logout", cookies: []*http.Cookie{sc}}); r.json["loggedOut"] != true {
		t.Errorf("logout: %s", r.body)
	}
	if r := do(t, b, req{method: "GET", path: "/api/auth/session", cookies: []*http.Cookie{sc}}); r.status != 401 || r.code() != "SESSION_REVOKED" {
		t.Errorf("after logout elsewhere: %d %s", r.status, r.code())
	}
}

func TestJWKS(t *testing.T) {
	e := newEnv(t)
	r := do(t, e.url, req{method: "GET", path: "/.well-known/jwks.json"})
	keys, _ := r.json["keys"].([]any)
	if r.status != 200 || len(keys) != 1 || keys[0].(map[string]any)["kid"] != e.key.ID {
		t.Errorf("JWKS: %d %s", r.status, r.body)
	}
}
