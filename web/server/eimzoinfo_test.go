package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/tsp"
)

// TestPingAndInfo: E-IMZO-SERVER's /ping and /info, with and without a
// certificate to report as vpnKeyInfo.
func TestPingAndInfo(t *testing.T) {
	e := newEnv(t)
	now := "2026-05-20 14:00:00" // epoch in Tashkent time
	r := do(t, e.url, req{method: "GET", path: "/ping"})
	vpn, _ := r.json["vpnKeyInfo"].(map[string]any)
	if r.status != 200 || r.str("serverDateTime") != now || r.str("yourIP") != "127.0.0.1" || vpn == nil || len(vpn) != 0 || status(r) != 1 {
		t.Errorf("ping: %d %s", r.status, r.body)
	}
	r = do(t, e.url, req{method: "GET", path: "/info"})
	trusted, _ := r.json["trustedCertificates"].([]any)
	if r.status != 200 || r.str("serverTime") != now || r.str("version") != "devel" || len(trusted) != 1 || status(r) != 1 {
		t.Fatalf("info: %d %s", r.status, r.body)
	}
	root := trusted[0].(map[string]any)
	if root["serialNumber"] != e.pki.Root.SerialNumber.Text(16) || root["X500Name"] != e.pki.Root.Subject.String() ||
		root["subjectName"].(map[string]any)["CN"] != e.pki.Root.Subject.CommonName || !eimzoDate.MatchString(root["validTo"].(string)) {
		t.Errorf("trusted certificate %v", root)
	}

	// Configured: the certificate the operator watches, and a version.
	e.start(t, e.st, func(c *server.Config) { c.VPNKeyCert, c.Version = e.pki.CA, "1.2.3" })
	r = do(t, e.url, req{method: "GET", path: "/ping"})
	vpn, _ = r.json["vpnKeyInfo"].(map[string]any)
	if vpn["serialNumber"] != e.pki.CA.SerialNumber.Text(16) || vpn["X500Name"] != e.pki.CA.Subject.String() || vpn["validTo"] != "2036-05-20 14:00:00" {
		t.Errorf("ping vpnKeyInfo: %s", r.body)
	}
	if r := do(t, e.url, req{method: "GET", path: "/info"}); r.str("version") != "1.2.3" || r.json["vpnKeyInfo"].(map[string]any)["serialNumber"] != vpn["serialNumber"] {
		t.Errorf("info: %s", r.body)
	}
	if r := do(t, e.url, req{method: "POST", path: "/ping"}); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /ping: %d", r.status)
	}
}

// TestEIMZOTimestampData: POST /frontend/timestamp/data time-stamps the
// data it is given (a token over its SHA-256, verified), so an app's
// timestamper can send a signature value and attach the token to its
// signer: /api/verify then reports level T. Bad bodies and a missing or
// failing authority get E-IMZO-SERVER's statuses.
func TestEIMZOTimestampData(t *testing.T) {
	e := newEnv(t)
	data := []byte("vaqt tamg'asi uchun ma'lumot")
	r := do(t, e.url, req{method: "POST", path: "/frontend/timestamp/data", body: b64(data), header: map[string]string{"X-Real-IP": "203.0.113.7", "Host": "shop.example.uz"}})
	info, _ := r.json["timeStampInfo"].(map[string]any)
	if r.status != 200 || status(r) != 1 || info == nil || info["verified"] != true || info["digestVerified"] != true || info["time"] != "2026-05-20 14:00:00" {
		t.Fatalf("timestamp/data: %d %s", r.status, r.body)
	}
	token, _ := base64.StdEncoding.DecodeString(r.str("timeStampTokenB64"))
	ti, err := tsp.TokenInfo(token)
	sum := sha256.Sum256(data)
	if err != nil || !bytes.Equal(ti.HashedMessage, sum[:]) {
		t.Errorf("token imprint %x, want %x (%v)", ti.HashedMessage, sum, err)
	}
	if !strings.Contains(e.audit.String(), `"event":"timestamp","result":"OK"`) {
		t.Errorf("audit: %s", e.audit.String())
	}

	// The timestamper use: the signature value in, its token attached.
	der := e.sign(t, e.legal, []byte("hujjat"), false)
	sd, _ := cms.Parse(der)
	r = do(t, e.url, req{method: "POST", path: "/frontend/timestamp/data", body: b64(sd.Signers[0].Signature)})
	token, _ = base64.StdEncoding.DecodeString(r.str("timeStampTokenB64"))
	if err := sd.Signers[0].AddTimestamp(token); err != nil {
		t.Fatal(err)
	}
	stamped, _ := sd.Marshal()
	if r := do(t, e.url, req{method: "POST", path: "/api/verify", body: map[string]string{"pkcs7": b64(stamped)}}); r.json["valid"] != true || r.str("level") != "T" {
		t.Errorf("a signature stamped through timestamp/data: %d %s", r.status, r.body)
	}

	tests := []struct {
		name   string
		body   string
		http   int
		status int
		code   string
	}{
		{"not base64", "!!!", 400, 0, "BASE64_INVALID"},
		{"empty", "", 400, 0, "BASE64_INVALID"},
		{"two parts", b64(data) + "|" + b64(data), 400, 0, "BAD_REQUEST"},
	}
	for _, tt := range tests {
		r := do(t, e.url, req{method: "POST", path: "/frontend/timestamp/data", body: tt.body})
		if r.status != tt.http || status(r) != tt.status || r.str("code") != tt.code || r.json["timeStampTokenB64"] != nil {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
	big := strings.Repeat("A", server.MaxBodyBytes+4)
	if r := do(t, e.url, req{method: "POST", path: "/frontend/timestamp/data", body: big}); r.status != http.StatusRequestEntityTooLarge || r.str("code") != "BODY_TOO_LARGE" {
		t.Errorf("too large: %d %s", r.status, r.body)
	}
	e.svc.SetUnavailable(true)
	if r := do(t, e.url, req{method: "POST", path: "/frontend/timestamp/data", body: b64(data)}); r.status != 503 || status(r) != -1 || r.str("code") != "TSA_UNAVAILABLE" {
		t.Errorf("authority down: %d %s", r.status, r.body)
	}
	e.svc.SetUnavailable(false)
	e.start(t, e.st, func(c *server.Config) { c.TSA = nil })
	if r := do(t, e.url, req{method: "POST", path: "/frontend/timestamp/data", body: b64(data)}); r.status != 503 || r.str("code") != "TSA_UNAVAILABLE" {
		t.Errorf("no authority: %d %s", r.status, r.body)
	}
}
