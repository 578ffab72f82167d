package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/internal/testclock"
	"github.com/golang-jwt/jwt/v5"
)

// jsonwebtokenDir is the Node project pinning jsonwebtoken (installed by
// scripts/deps.sh with npm ci).
const jsonwebtokenDir = "testdata/jsonwebtoken"

// JSONWebTokenVersion is the pinned version (package.json, package-lock.json).
const JSONWebTokenVersion = "9.0.3"

type nodeError struct {
	Name      string `json:"name"`
	Message   string `json:"message"`
	ExpiredAt string `json:"expiredAt"`
	Date      string `json:"date"`
}

type nodeResult struct {
	Token   string         `json:"token"`
	Payload map[string]any `json:"payload"`
	Valid   bool           `json:"valid"`
	Error   *nodeError     `json:"error"`
}

// node runs the jobs through interop.js in one node process.
func node(t *testing.T, jobs []map[string]any) []nodeResult {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed: the jsonwebtoken interop test needs it (Debian: apt-get install nodejs)")
	}
	if _, err := os.Stat(filepath.Join(jsonwebtokenDir, "node_modules", "jsonwebtoken", "package.json")); err != nil {
		t.Fatalf("jsonwebtoken is not installed in %s: run scripts/deps.sh (npm ci)", jsonwebtokenDir)
	}
	in, _ := json.Marshal(map[string]any{"jobs": jobs})
	cmd := exec.Command("node", "interop.js")
	cmd.Dir = jsonwebtokenDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node interop.js: %v\n%s", err, stderr.String())
	}
	var res struct {
		Results []nodeResult `json:"results"`
		Version string       `json:"version"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.Results) != len(jobs) {
		t.Fatalf("node interop.js answered %s (%v)", out, err)
	}
	if res.Version != JSONWebTokenVersion {
		t.Fatalf("jsonwebtoken %s installed, %s pinned: run scripts/deps.sh", res.Version, JSONWebTokenVersion)
	}
	return res.Results
}

// interopPayload is what both sides sign: an identity provider's claims at
// epoch, valid for an hour.
func interopPayload(extra map[string]any) map[string]any {
	p := map[string]any{"iss": "https://id.example.uz", "aud": "eimzo-web", "sub": "user-1", "jti": "j-1", "iat": epoch.Unix(),
		"nbf": epoch.Unix(), "exp": epoch.Add(time.Hour).Unix(), "name": "TESTOV TEST FUQARO", "pinfl": "30201900000001", "org_tin": "310000003"}
	for k, v := range extra {
		if v == nil {
			delete(p, k)
			continue
		}
		p[k] = v
	}
	return p
}

var secretJSON = map[string]any{"secret": base64.StdEncoding.EncodeToString(hsSecret)}

// TestJSONWebTokenInterop proves interoperability with node's jsonwebtoken
// (the pinned version) both ways, for every algorithm it has: its tokens
// verify here, ours verify there; its alg "none" and HS/RS confusion
// tokens fail here with the right code; its TokenExpiredError.expiredAt
// and NotBeforeError.date are our ExpiredAt and Date; and the same verify
// options accept and refuse the same tokens on both sides. jsonwebtoken
// has no EdDSA (it refuses the algorithm, checked below), so EdDSA is
// proved against node's own crypto.sign/verify with Ed25519.
func TestJSONWebTokenInterop(t *testing.T) {
	k := keys(t)
	c := testclock.New(epoch)
	all := append(append([]string{}, auth.AsymmetricAlgorithms...), auth.HMACAlgorithms...)
	theirs := slices.DeleteFunc(slices.Clone(all), func(a string) bool { return a == "EdDSA" })
	var cfgKeys []auth.AccessKey
	for _, p := range k.publics() {
		cfgKeys = append(cfgKeys, auth.AccessKey{Key: p})
	}
	a := accessVerifier(t, auth.AccessConfig{Keys: cfgKeys, HMACSecret: hsSecret, Now: c.Now, Claims: auth.ClaimNames{OrgTIN: "org_tin"},
		Default: auth.TokenOptions{Audience: []string{"eimzo-web"}, Issuer: []string{"https://id.example.uz"}},
		Endpoints: map[string]auth.TokenOptions{
			"owner":   {Algorithms: all},                       // everything, HS included
			"citizen": {Algorithms: []string{"RS256", "HS256"}}, // RS and HS side by side
		}})
	pemKey := func(alg string) any {
		if strings.HasPrefix(alg, "HS") {
			return secretJSON
		}
		return privatePEM(t, k.signerFor(alg))
	}
	pubKey := func(alg string) any {
		if strings.HasPrefix(alg, "HS") {
			return secretJSON
		}
		return pemOf(t, k.signerFor(alg).Public())
	}
	rsaPub := pemOf(t, k.rsa.Public())

	// One node run: jsonwebtoken signs in every algorithm, with and without
	// kid, and makes the trick tokens and the error cases.
	var jobs []map[string]any
	for _, alg := range theirs {
		jobs = append(jobs, map[string]any{"op": "sign", "payload": interopPayload(nil), "key": pemKey(alg), "options": map[string]any{"algorithm": alg}})
		if !strings.HasPrefix(alg, "HS") {
			jobs = append(jobs, map[string]any{"op": "sign", "payload": interopPayload(nil), "key": pemKey(alg),
				"options": map[string]any{"algorithm": alg, "keyid": thumb(t, k.signerFor(alg).Public())}})
		}
	}
	nSigned := len(jobs)
	tricks := []struct {
		name     string
		job      map[string]any
		endpoint string
		code     auth.Code
	}{
		{"alg none", map[string]any{"op": "sign", "payload": interopPayload(nil), "key": nil, "options": map[string]any{"algorithm": "none"}}, "owner", auth.CodeJWTAlgorithm},
		{"HS256 keyed with the RSA public key, RS-only endpoint", map[string]any{"op": "sign", "payload": interopPayload(nil), "key": map[string]any{"text": rsaPub},
			"options": map[string]any{"algorithm": "HS256"}}, "officer", auth.CodeJWTAlgorithm},
		{"HS256 keyed with the RSA public key, RS+HS endpoint", map[string]any{"op": "sign", "payload": interopPayload(nil), "key": map[string]any{"text": rsaPub},
			"options": map[string]any{"algorithm": "HS256"}}, "citizen", auth.CodeJWTSignature},
		{"HS512 keyed with the RSA public key, every algorithm", map[string]any{"op": "sign", "payload": interopPayload(nil), "key": map[string]any{"text": rsaPub},
			"options": map[string]any{"algorithm": "HS512"}}, "owner", auth.CodeJWTSignature},
	}
	for _, tr := range tricks {
		jobs = append(jobs, tr.job)
	}
	edJob := len(jobs)
	jobs = append(jobs, map[string]any{"op": "sign", "payload": interopPayload(nil), "key": privatePEM(t, k.ed), "options": map[string]any{"algorithm": "EdDSA"}},
		map[string]any{"op": "ed-sign", "header": map[string]string{"alg": "EdDSA", "typ": "JWT"}, "payload": interopPayload(nil), "key": privatePEM(t, k.ed)})
	res := node(t, jobs)

	// Theirs verify here.
	for i := range nSigned {
		if res[i].Error != nil {
			t.Fatalf("jsonwebtoken sign %v: %+v", jobs[i]["options"], res[i].Error)
		}
		got, err := a.Verify(context.Background(), res[i].Token, "owner")
		if err != nil || got.Name != "TESTOV TEST FUQARO" || got.PINFL != "30201900000001" || got.OrgTIN != "310000003" || got.Issuer != "https://id.example.uz" {
			t.Errorf("jsonwebtoken %v: %+v %v", jobs[i]["options"], got, err)
		}
	}
	// Its tricks fail here, with the code that says why.
	for i, tr := range tricks {
		r := res[nSigned+i]
		if r.Error != nil {
			t.Fatalf("%s: jsonwebtoken would not make it: %+v", tr.name, r.Error)
		}
		if _, err := a.Verify(context.Background(), r.Token, tr.endpoint); codeOf(err) != tr.code {
			t.Errorf("%s: %v, want %s", tr.name, err, tr.code)
		}
	}
	// EdDSA: jsonwebtoken refuses it; node's crypto makes one that verifies here.
	if e := res[edJob].Error; e == nil || !strings.Contains(e.Message, `"algorithm" must be a valid string enum value`) {
		t.Errorf("jsonwebtoken %s signed EdDSA (%+v): use it for EdDSA interop", JSONWebTokenVersion, res[edJob])
	}
	if got, err := a.Verify(context.Background(), res[edJob+1].Token, "owner"); err != nil || got.PINFL != "30201900000001" {
		t.Errorf("node crypto EdDSA: %+v %v", got, err)
	}

	// Ours verify there: golang-jwt tokens in every algorithm, through
	// jsonwebtoken.verify with the public key (or secret) and the options.
	jobs = jobs[:0]
	verifyOpts := map[string]any{"audience": "eimzo-web", "issuer": "https://id.example.uz", "clockTimestamp": epoch.Unix()}
	for _, alg := range theirs {
		var key any = k.signerFor(alg)
		if strings.HasPrefix(alg, "HS") {
			key = hsSecret
		}
		opts := map[string]any{"algorithms": []string{alg}}
		for k, v := range verifyOpts {
			opts[k] = v
		}
		jobs = append(jobs, map[string]any{"op": "verify", "token": mint(t, alg, "", key, jwt.MapClaims(interopPayload(nil))), "key": pubKey(alg), "options": opts})
	}
	ourEd := mint(t, "EdDSA", "", k.ed, jwt.MapClaims(interopPayload(nil)))
	jobs = append(jobs, map[string]any{"op": "verify", "token": ourEd, "key": pemOf(t, k.ed.Public()), "options": verifyOpts},
		map[string]any{"op": "ed-verify", "token": ourEd, "key": pemOf(t, k.ed.Public())})
	res = node(t, jobs)
	for i, alg := range theirs {
		if res[i].Error != nil || res[i].Payload["pinfl"] != "30201900000001" {
			t.Errorf("ours in %s through jsonwebtoken: %+v", alg, res[i])
		}
	}
	if e := res[len(theirs)].Error; e == nil || e.Message != "invalid algorithm" {
		t.Errorf("jsonwebtoken verified EdDSA: %+v", res[len(theirs)])
	}
	if !res[len(theirs)+1].Valid {
		t.Errorf("node crypto does not verify our EdDSA token")
	}
}

// TestJSONWebTokenOptions runs the same tokens and verify options through
// jsonwebtoken and here: both accept or both refuse, an expiry is an
// expiry on both sides with the same expiredAt, a not-yet-valid token has
// the same date.
func TestJSONWebTokenOptions(t *testing.T) {
	k := keys(t)
	c := testclock.New(epoch)
	pub := pemOf(t, k.rsa.Public())
	type opts struct {
		node map[string]any
		ours auth.TokenOptions
	}
	tests := []struct {
		name    string
		payload map[string]any
		opts    opts
		// "" accepted; else jsonwebtoken's error name, and our code
		node string
		code auth.Code
	}{
		{"audience string", interopPayload(nil), opts{map[string]any{"audience": "eimzo-web"}, auth.TokenOptions{Audience: []string{"eimzo-web"}}}, "", ""},
		{"audience other", interopPayload(nil), opts{map[string]any{"audience": "other"}, auth.TokenOptions{Audience: []string{"other"}}}, "JsonWebTokenError", auth.CodeJWTClaim},
		{"audience list, one matches", interopPayload(map[string]any{"aud": []string{"a", "eimzo-web"}}),
			opts{map[string]any{"audience": []any{"x", "eimzo-web"}}, auth.TokenOptions{Audience: []string{"x", "eimzo-web"}}}, "", ""},
		{"audience pattern", interopPayload(map[string]any{"aud": "urn:eimzo:web"}),
			opts{map[string]any{"audience": []any{map[string]any{"re": "^urn:eimzo:[a-z]+$"}}}, auth.TokenOptions{Audience: []string{"/urn:eimzo:[a-z]+/"}}}, "", ""},
		{"audience pattern, no match", interopPayload(map[string]any{"aud": "urn:other:web"}),
			opts{map[string]any{"audience": []any{map[string]any{"re": "^urn:eimzo:[a-z]+$"}}}, auth.TokenOptions{Audience: []string{"/urn:eimzo:[a-z]+/"}}}, "JsonWebTokenError", auth.CodeJWTClaim},
		{"issuer list", interopPayload(nil), opts{map[string]any{"issuer": []string{"https://a", "https://id.example.uz"}}, auth.TokenOptions{Issuer: []string{"https://a", "https://id.example.uz"}}}, "", ""},
		{"issuer other", interopPayload(nil), opts{map[string]any{"issuer": "https://a"}, auth.TokenOptions{Issuer: []string{"https://a"}}}, "JsonWebTokenError", auth.CodeJWTClaim},
		{"subject", interopPayload(nil), opts{map[string]any{"subject": "user-1"}, auth.TokenOptions{Subject: "user-1"}}, "", ""},
		{"subject other", interopPayload(nil), opts{map[string]any{"subject": "user-2"}, auth.TokenOptions{Subject: "user-2"}}, "JsonWebTokenError", auth.CodeJWTClaim},
		{"jwtid other", interopPayload(nil), opts{map[string]any{"jwtid": "j-2"}, auth.TokenOptions{JWTID: "j-2"}}, "JsonWebTokenError", auth.CodeJWTClaim},
		{"nonce", interopPayload(map[string]any{"nonce": "n-1"}), opts{map[string]any{"nonce": "n-1"}, auth.TokenOptions{Nonce: "n-1"}}, "", ""},
		{"nonce missing", interopPayload(nil), opts{map[string]any{"nonce": "n-1"}, auth.TokenOptions{Nonce: "n-1"}}, "JsonWebTokenError", auth.CodeJWTClaim},
		{"expired", interopPayload(map[string]any{"exp": epoch.Add(-time.Minute).Unix()}), opts{map[string]any{}, auth.TokenOptions{}}, "TokenExpiredError", auth.CodeJWTExpired},
		{"expired, within clockTolerance", interopPayload(map[string]any{"exp": epoch.Add(-time.Minute).Unix()}),
			opts{map[string]any{"clockTolerance": 90}, auth.TokenOptions{ClockTolerance: 90 * time.Second}}, "", ""},
		{"expires this second", interopPayload(map[string]any{"exp": epoch.Unix()}), opts{map[string]any{}, auth.TokenOptions{}}, "TokenExpiredError", auth.CodeJWTExpired},
		{"not active", interopPayload(map[string]any{"nbf": epoch.Add(time.Minute).Unix()}), opts{map[string]any{}, auth.TokenOptions{}}, "NotBeforeError", auth.CodeJWTNotActive},
		{"not active, within clockTolerance", interopPayload(map[string]any{"nbf": epoch.Add(time.Minute).Unix()}),
			opts{map[string]any{"clockTolerance": 60}, auth.TokenOptions{ClockTolerance: time.Minute}}, "", ""},
		{"maxAge", interopPayload(map[string]any{"iat": epoch.Add(-5 * time.Minute).Unix()}), opts{map[string]any{"maxAge": "10m"}, auth.TokenOptions{MaxAge: 10 * time.Minute}}, "", ""},
		{"maxAge exceeded", interopPayload(map[string]any{"iat": epoch.Add(-11 * time.Minute).Unix()}),
			opts{map[string]any{"maxAge": "10m"}, auth.TokenOptions{MaxAge: 10 * time.Minute}}, "TokenExpiredError", auth.CodeJWTTooOld},
		{"maxAge without iat", interopPayload(map[string]any{"iat": nil}), opts{map[string]any{"maxAge": 600}, auth.TokenOptions{MaxAge: 10 * time.Minute}}, "JsonWebTokenError", auth.CodeJWTClaim},
	}
	var jobs []map[string]any
	for _, tt := range tests {
		o := map[string]any{"algorithms": []string{"RS256"}, "clockTimestamp": epoch.Unix()}
		for k, v := range tt.opts.node {
			o[k] = v
		}
		jobs = append(jobs, map[string]any{"op": "verify", "token": mint(t, "RS256", "", k.rsa, jwt.MapClaims(tt.payload)), "key": pub, "options": o})
	}
	res := node(t, jobs)
	for i, tt := range tests {
		a := accessVerifier(t, auth.AccessConfig{Keys: []auth.AccessKey{{Key: k.rsa.Public()}}, Now: c.Now, Default: tt.opts.ours})
		_, err := a.Verify(context.Background(), jobs[i]["token"].(string), "")
		theirs := ""
		if res[i].Error != nil {
			theirs = res[i].Error.Name
		}
		if theirs != tt.node || codeOf(err) != tt.code {
			t.Errorf("%s: jsonwebtoken %+v, ours %v; want %q and %q", tt.name, res[i].Error, err, tt.node, tt.code)
			continue
		}
		var e *auth.Error
		if !asError(err, &e) || e == nil {
			continue
		}
		if want := res[i].Error.ExpiredAt; want != "" && e.ExpiredAt.Format("2006-01-02T15:04:05.000Z") != want {
			t.Errorf("%s: expiredAt %v here, %s there", tt.name, e.ExpiredAt, want)
		}
		if want := res[i].Error.Date; want != "" && e.Date.Format("2006-01-02T15:04:05.000Z") != want {
			t.Errorf("%s: date %v here, %s there", tt.name, e.Date, want)
		}
		if (e.Code == auth.CodeJWTExpired || e.Code == auth.CodeJWTTooOld) && res[i].Error.ExpiredAt == "" ||
			e.Code == auth.CodeJWTNotActive && res[i].Error.Date == "" {
			t.Errorf("%s: jsonwebtoken gave no date: %+v", tt.name, res[i].Error)
		}
	}
}
