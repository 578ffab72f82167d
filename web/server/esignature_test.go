package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/auth"
)

// sessionFor logs id in through the auth service and returns its JWT.
func sessionFor(t *testing.T, e *env, id *testpki.Identity) string {
	t.Helper()
	p := id.Person
	u := auth.User{Name: p.CN, PINFL: p.PINFL, TIN: p.UID, OrgTIN: p.OrgTIN, Organization: p.O, Serial: id.Cert.SerialNumber.Text(16)}
	s, err := e.auth.StartSession(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return s.Access
}

func TestESignature(t *testing.T) {
	e := newEnv(t)
	data := []byte(`{"hujjat":"buyruq № 12","sana":"2026-05-20"}`)
	stamped := func(id *testpki.Identity, detached bool) string {
		return b64(e.stamp(t, e.sign(t, id, data, detached)))
	}
	phys, legal, yatt, other := sessionFor(t, e, e.physical), sessionFor(t, e, e.legal), sessionFor(t, e, e.yatt), sessionFor(t, e, e.other)
	sPhys, sPhysDetached, sLegal, sYatt := stamped(e.physical, false), stamped(e.physical, true), stamped(e.legal, false), stamped(e.yatt, false)
	plainLegal := b64(e.sign(t, e.legal, data, false))
	e.svc.Revoke(e.other.Cert.SerialNumber, 1, epoch.Add(-time.Hour))
	sRevoked := stamped(e.other, false)

	type row struct {
		name   string
		path   string
		token  string
		body   any
		lang   string
		status int
		valid  bool
		code   string
	}
	officer, citizen := "/api/esignature/officer/verify", "/api/esignature/citizen/verify"
	body := func(sig string, d []byte, subjects ...string) map[string]any {
		m := map[string]any{"signature": sig, "data": b64(d)}
		if d == nil {
			m["data"] = ""
		}
		if subjects != nil {
			m["allowedSubjects"] = subjects
		}
		return m
	}
	rows := []row{
		{"officer: legal entity signs", officer, legal, body(sLegal, data), "", 200, true, ""},
		{"officer: attached, no data", officer, legal, body(sLegal, nil), "", 200, true, ""},
		{"officer: a citizen's signature", officer, phys, body(sPhys, data), "", 200, false, "ERROR_EMPTY_EDRPOU"},
		{"officer: no time-stamp", officer, legal, body(plainLegal, data), "", 200, false, "ERROR_NO_TIMESTAMP"},
		{"officer: other data", officer, legal, body(sLegal, []byte("other")), "", 200, false, "ERROR_DATA_HASH_MISMATCH"},
		{"officer: signed by someone else", officer, phys, body(sLegal, data), "", 200, false, "ERROR_SIGNATURE_NAME_MISMATCH"},
		{"officer: revoked certificate", officer, other, body(sRevoked, data), "", 200, false, "ERROR_CERTIFICATE_REVOKED"},
		{"officer: no token", officer, "", body(sLegal, data), "", 401, false, "ERROR_ACCESS_TOKEN_MISSING"},
		{"officer: forged token", officer, legal[:len(legal)-4] + "AAAA", body(sLegal, data), "", 401, false, "ERROR_ACCESS_TOKEN_INVALID"},
		{"officer: allowedSubjects is not its field", officer, legal, body(sLegal, data, "LEGAL"), "", 400, false, "ERROR_BAD_REQUEST"},
		{"officer: not JSON", officer, legal, "{", "", 400, false, "ERROR_BAD_REQUEST"},
		{"officer: signature not base64", officer, legal, body("%%%", data), "", 400, false, "ERROR_SIGNATURE_FORMAT"},
		{"officer: signature not a CMS", officer, legal, body(b64([]byte("x")), data), "", 400, false, "ERROR_SIGNATURE_FORMAT"},
		{"officer: data not base64", officer, legal, map[string]any{"signature": sLegal, "data": "%%"}, "", 400, false, "ERROR_DATA_FORMAT"},
		{"officer: detached without data", officer, phys, body(sPhysDetached, nil), "", 400, false, "ERROR_DATA_FORMAT"},
		{"citizen: citizen", citizen, phys, body(sPhysDetached, data, "CITIZEN"), "", 200, true, ""},
		{"citizen: a legal entity's signature", citizen, legal, body(sLegal, data, "CITIZEN"), "", 200, false, "ERROR_SIGNATURE_HAS_EDRPOU"},
		{"citizen: a legal entity's session", citizen, legal, body(sPhys, data, "CITIZEN"), "", 200, false, "ERROR_USER_HAS_EDRPOU"},
		{"citizen: another citizen", citizen, other, body(sPhys, data, "CITIZEN"), "", 200, false, "ERROR_SIGNATURE_DRFO_MISMATCH"},
		{"citizen or legal: legal", citizen, legal, body(sLegal, data, "CITIZEN", "LEGAL"), "", 200, true, ""},
		{"legal or citizen: citizen", citizen, phys, body(sPhys, data, "LEGAL", "CITIZEN"), "", 200, true, ""},
		{"legal or entrepreneur: citizen, the first error", citizen, phys, body(sPhys, data, "LEGAL", "ENTREPRENEUR"), "", 200, false, "ERROR_EMPTY_EDRPOU"},
		{"entrepreneur: YATT", citizen, yatt, body(sYatt, data, "ENTREPRENEUR"), "", 200, true, ""},
		{"legal: YATT has no organisation TIN", citizen, yatt, body(sYatt, data, "LEGAL"), "", 200, false, "ERROR_EMPTY_EDRPOU"},
		{"citizen: unknown subject", citizen, phys, body(sPhys, data, "ROBOT"), "", 400, false, "ERROR_ALLOWED_SUBJECTS"},
		{"citizen: no subjects", citizen, phys, body(sPhys, data), "", 400, false, "ERROR_ALLOWED_SUBJECTS"},
	}
	for _, tt := range rows {
		h := map[string]string{}
		if tt.token != "" {
			h["X-Access-Token"] = tt.token
		}
		r := do(t, e.url, req{method: "POST", path: tt.path, body: tt.body, header: h})
		valid, _ := r.json["isValid"].(bool)
		if r.status != tt.status || valid != tt.valid || r.code() != tt.code {
			t.Errorf("%s: %d valid=%v %s, want %d valid=%v %s (%s)", tt.name, r.status, valid, r.code(), tt.status, tt.valid, tt.code, r.body)
		}
		if tt.status == 200 {
			if _, ok := r.json["error"]; !ok {
				t.Errorf("%s: no error key: %s", tt.name, r.body)
			}
			if tt.valid && r.json["error"] != nil {
				t.Errorf("%s: error is not null: %s", tt.name, r.body)
			}
		}
	}

	// The exact body shapes, and messages by Accept-Language.
	for lang, want := range map[string]string{"uz": "Imzoda tashkilot STIRi yo‘q", "ru-RU,ru;q=0.9": "Подпись не содержит ИНН организации",
		"en-US": "Signature does not contain EDRPOU", "de, ru;q=0.5": "Подпись не содержит ИНН организации", "": "Imzoda tashkilot STIRi yo‘q"} {
		r := do(t, e.url, req{method: "POST", path: officer, body: body(sPhys, data), header: map[string]string{"X-Access-Token": phys, "Accept-Language": lang}})
		er, _ := r.json["error"].(map[string]any)
		if len(r.json) != 2 || len(er) != 3 || er["message"] != "Signature does not contain EDRPOU" || er["localizedMessage"] != want {
			t.Errorf("Accept-Language %q: %s", lang, r.body)
		}
	}
	r := do(t, e.url, req{method: "POST", path: officer, body: "{", header: map[string]string{"X-Access-Token": legal}})
	if len(r.json) != 3 || r.str("message") == "" || r.str("localizedMessage") == "" {
		t.Errorf("400 body %s", r.body)
	}

	// Owner: who signed, within a minute.
	owner := "/api/esignature/owner"
	r = do(t, e.url, req{method: "POST", path: owner, body: body(sLegal, data), header: map[string]string{"X-Access-Token": phys}})
	if r.status != 200 || len(r.json) != 3 || r.str("fullName") != e.legal.Person.CN || r.str("drfo") != e.legal.Person.PINFL || r.str("edrpou") != e.legal.Person.OrgTIN {
		t.Errorf("owner: %d %s", r.status, r.body)
	}
	r = do(t, e.url, req{method: "POST", path: owner, body: body(plainLegal, data), header: map[string]string{"X-Access-Token": phys}})
	if r.status != 200 {
		t.Errorf("owner by signing-time: %d %s", r.status, r.body)
	}
	e.clock.Add(61 * time.Second)
	r = do(t, e.url, req{method: "POST", path: owner, body: body(sLegal, data), header: map[string]string{"X-Access-Token": phys}})
	if r.status != 400 || r.code() != "ERROR_SIGNATURE_TIMEOUT" {
		t.Errorf("owner after 61 s: %d %s", r.status, r.body)
	}
	// Officer: two minutes.
	r = do(t, e.url, req{method: "POST", path: officer, body: body(sLegal, data), header: map[string]string{"X-Access-Token": legal}})
	if valid, _ := r.json["isValid"].(bool); !valid {
		t.Errorf("officer after 61 s: %s", r.body)
	}
	e.clock.Add(60 * time.Second)
	r = do(t, e.url, req{method: "POST", path: officer, body: body(sLegal, data), header: map[string]string{"X-Access-Token": legal}})
	if r.code() != "ERROR_SIGNATURE_TIMEOUT" {
		t.Errorf("officer after 121 s: %s", r.body)
	}
	e.clock.Add(auth.DefaultSessionTTL)
	r = do(t, e.url, req{method: "POST", path: officer, body: body(sLegal, data), header: map[string]string{"X-Access-Token": legal}})
	if r.status != http.StatusUnauthorized || r.code() != "ERROR_ACCESS_TOKEN_EXPIRED" {
		t.Errorf("expired token: %d %s", r.status, r.body)
	}
}
