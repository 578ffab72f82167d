package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/tsp"
)

var eimzoDate = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)

func status(r response) int {
	f, _ := r.json["status"].(float64)
	return int(f)
}

func TestEIMZOAuth(t *testing.T) {
	e := newEnv(t)
	site := map[string]string{"Host": "shop.example.uz", "X-Real-IP": "203.0.113.7"}
	get := func() string {
		r := do(t, e.url, req{method: "GET", path: "/frontend/challenge?_uc=1", header: site})
		if r.status != 200 || status(r) != 1 || r.json["ttl"].(float64) != 120 || r.str("challenge") == "" || r.json["message"] != "" {
			t.Fatalf("challenge: %d %s", r.status, r.body)
		}
		return r.str("challenge")
	}
	auth := func(body string, header map[string]string) response {
		return do(t, e.url, req{method: "POST", path: "/backend/auth", body: body, header: header})
	}
	ch := get()
	tampered := e.sign(t, e.physical, []byte(ch), false)
	tampered[len(tampered)-3] ^= 1
	e.svc.Revoke(e.other.Cert.SerialNumber, 0, epoch.Add(-time.Minute))
	rows := []struct {
		name   string
		body   string
		header map[string]string
		http   int
		status int
	}{
		{"another site", b64(e.sign(t, e.physical, []byte(ch), false)), map[string]string{"Host": "other.example.uz"}, 200, -20},
		{"signature changed", b64(tampered), site, 200, -10},
		{"foreign PKI", b64(e.sign(t, e.foreign, []byte(ch), false)), site, 200, -11},
		{"expired certificate", b64(e.sign(t, e.expired, []byte(ch), false)), site, 200, -12},
		{"revoked certificate", b64(e.sign(t, e.other, []byte(ch), false)), site, 200, -1},
		{"not base64", "!!!", site, 400, 0},
		{"not a CMS", b64([]byte("junk")), site, 400, 0},
	}
	for _, tt := range rows {
		r := auth(tt.body, tt.header)
		if r.status != tt.http || status(r) != tt.status {
			t.Errorf("%s: HTTP %d status %d, want %d %d (%s)", tt.name, r.status, status(r), tt.http, tt.status, r.body)
		}
	}
	r := auth(b64(e.sign(t, e.physical, []byte(ch), false)), site)
	info, _ := r.json["subjectCertificateInfo"].(map[string]any)
	names, _ := info["subjectName"].(map[string]any)
	if status(r) != 1 || r.json["message"] != "" || info["serialNumber"] != e.physical.Cert.SerialNumber.Text(16) ||
		names["1.2.860.3.16.1.2"] != e.physical.Person.PINFL || names["CN"] != e.physical.Person.CN ||
		!eimzoDate.MatchString(info["validFrom"].(string)) || !eimzoDate.MatchString(info["validTo"].(string)) {
		t.Fatalf("auth: %s", r.body)
	}
	// validFrom is Tashkent time: UTC+5.
	if want := e.physical.Cert.NotBefore.Add(5 * time.Hour).UTC().Format("2006-01-02 15:04:05"); info["validFrom"] != want {
		t.Errorf("validFrom %v, want %s", info["validFrom"], want)
	}
	if r := auth(b64(e.sign(t, e.physical, []byte(ch), false)), site); status(r) != -20 {
		t.Errorf("replay: %s", r.body)
	}
	// -5: the client's clock is off.
	ch2 := get()
	e.clock.Add(-time.Hour)
	skewed := e.sign(t, e.physical, []byte(ch2), false)
	e.clock.Add(time.Hour)
	if r := auth(b64(skewed), site); status(r) != -5 {
		t.Errorf("clock off: %s", r.body)
	}
}

func TestEIMZOVerifyAndTimestamp(t *testing.T) {
	e := newEnv(t)
	data := []byte("E-IMZO-SERVER hujjati")
	attached := e.sign(t, e.legal, data, false)
	detached := e.sign(t, e.physical, data, true)

	// Time-stamp through the API, then verify.
	r := do(t, e.url, req{method: "POST", path: "/frontend/timestamp/pkcs7", body: b64(attached)})
	list, _ := r.json["timestampedSignerList"].([]any)
	if r.status != 200 || status(r) != 1 || len(list) != 1 || list[0].(map[string]any)["serialNumber"] != e.legal.Cert.SerialNumber.Text(16) {
		t.Fatalf("timestamp: %d %s", r.status, r.body)
	}
	stamped := r.str("pkcs7b64")
	if r := do(t, e.url, req{method: "POST", path: "/frontend/timestamp/pkcs7", body: stamped}); len(r.json["timestampedSignerList"].([]any)) != 0 {
		t.Errorf("stamping twice: %s", r.body)
	}
	r = do(t, e.url, req{method: "POST", path: "/backend/pkcs7/verify/attached", body: stamped})
	p7, _ := r.json["pkcs7Info"].(map[string]any)
	signers, _ := p7["signers"].([]any)
	if status(r) != 1 || p7["documentBase64"] != b64(data) || len(signers) != 1 {
		t.Fatalf("verify attached: %s", r.body)
	}
	s := signers[0].(map[string]any)
	ts, _ := s["timeStampInfo"].(map[string]any)
	certs, _ := s["certificate"].([]any)
	if s["verified"] != true || s["certificateVerified"] != true || s["certificateValidAtSigningTime"] != true || s["exception"] != nil ||
		ts["verified"] != true || ts["digestVerified"] != true || ts["tsaPolicy"] != pkisvc.DefaultPolicy.String() || len(certs) != 3 ||
		s["OCSPResponse"] == "" || s["trustedCertificate"] == nil || !eimzoDate.MatchString(s["signingTime"].(string)) ||
		s["signerId"].(map[string]any)["subjectSerialNumber"] != e.legal.Cert.SerialNumber.Text(16) {
		t.Errorf("signer %v", s)
	}

	rows := []struct {
		name   string
		path   string
		body   string
		http   int
		status int
	}{
		{"detached", "/backend/pkcs7/verify/detached", b64(data) + "|" + b64(detached), 200, 1},
		{"detached, other data", "/backend/pkcs7/verify/detached", b64([]byte("x")) + "|" + b64(detached), 200, -10},
		{"detached at /attached", "/backend/pkcs7/verify/attached", b64(detached), 400, 0},
		{"attached at /detached", "/backend/pkcs7/verify/detached", b64(data) + "|" + b64(attached), 400, 0},
		{"no pipe", "/backend/pkcs7/verify/detached", b64(detached), 400, 0},
		{"expired certificate", "/backend/pkcs7/verify/attached", b64(e.sign(t, e.expired, data, false)), 200, -12},
		{"foreign PKI", "/backend/pkcs7/verify/attached", b64(e.sign(t, e.foreign, data, false)), 200, -11},
		{"make-attached", "/frontend/pkcs7/make-attached", b64(data) + "|" + b64(detached), 200, 1},
		{"make-attached, other data", "/frontend/pkcs7/make-attached", b64([]byte("y")) + "|" + b64(detached), 200, -10},
		{"make-attached of an attached CMS", "/frontend/pkcs7/make-attached", b64(data) + "|" + b64(attached), 400, 0},
		{"join, other content", "/frontend/pkcs7/join", b64(attached) + "|" + b64(e.sign(t, e.physical, []byte("z"), false)), 400, 0},
	}
	for _, tt := range rows {
		r := do(t, e.url, req{method: "POST", path: tt.path, body: tt.body})
		if r.status != tt.http || status(r) != tt.status {
			t.Errorf("%s: HTTP %d status %d, want %d %d (%s)", tt.name, r.status, status(r), tt.http, tt.status, r.body)
		}
	}
	// make-attached gives a CMS that verifies as attached.
	r = do(t, e.url, req{method: "POST", path: "/frontend/pkcs7/make-attached", body: b64(data) + "|" + b64(detached)})
	if v := do(t, e.url, req{method: "POST", path: "/backend/pkcs7/verify/attached", body: r.str("pkcs7b64")}); status(v) != 1 {
		t.Errorf("made attached: %s", v.body)
	}
	// join gives one CMS with both signers.
	r = do(t, e.url, req{method: "POST", path: "/frontend/pkcs7/join", body: stamped + "|" + b64(e.sign(t, e.physical, data, false))})
	v := do(t, e.url, req{method: "POST", path: "/backend/pkcs7/verify/attached", body: r.str("pkcs7b64")})
	if p7, _ := v.json["pkcs7Info"].(map[string]any); status(v) != 1 || len(p7["signers"].([]any)) != 2 {
		t.Errorf("joined: %s", v.body)
	}
	// A forged token: the time-stamp of another signature.
	sd, _ := cms.Parse(mustB64(stamped))
	vals, _, _ := cms.Attr(sd.Signers[0].UnsignedAttrs, cms.OIDAttrTimeStamp)
	other, _ := cms.Parse(e.sign(t, e.legal, []byte("boshqa"), false))
	other.Signers[0].SetUnsigned(cms.OIDAttrTimeStamp, vals...)
	der, _ := other.Marshal()
	if v := do(t, e.url, req{method: "POST", path: "/backend/pkcs7/verify/attached", body: b64(der)}); status(v) != -21 {
		t.Errorf("moved token: %s", v.body)
	}
	e.svc.SetUnavailable(true)
	if r := do(t, e.url, req{method: "POST", path: "/frontend/timestamp/pkcs7", body: b64(detached)}); r.status != 503 || r.code() != "TSA_UNAVAILABLE" {
		t.Errorf("TSA down: %d %s", r.status, r.body)
	}
}

func mustB64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestVerifyAPI(t *testing.T) {
	e := newEnv(t)
	data := []byte("shartnoma")
	attached := e.sign(t, e.legal, data, false)
	detached := e.sign(t, e.physical, data, true)
	bad := append([]byte{}, attached...)
	bad[len(bad)-4] ^= 1
	rows := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"attached", map[string]string{"pkcs7": b64(attached)}, 200, ""},
		{"detached", map[string]string{"pkcs7": b64(detached), "data": b64(data)}, 200, ""},
		{"not JSON", "pkcs7", 400, "BAD_REQUEST"},
		{"unknown field", map[string]string{"pkcs7": b64(attached), "x": "1"}, 400, "BAD_REQUEST"},
		{"trailing JSON", `{"pkcs7":"` + b64(attached) + `"} {}`, 400, "BAD_REQUEST"},
		{"not base64", map[string]string{"pkcs7": "***"}, 400, "BASE64_INVALID"},
		{"data not base64", map[string]string{"pkcs7": b64(detached), "data": "***"}, 400, "BASE64_INVALID"},
		{"not a CMS", map[string]string{"pkcs7": b64([]byte("hello"))}, 400, "CMS_MALFORMED"},
		{"detached without data", map[string]string{"pkcs7": b64(detached)}, 400, "DATA_MISSING"},
		{"detached, other data", map[string]string{"pkcs7": b64(detached), "data": b64([]byte("x"))}, 422, "DATA_MISMATCH"},
		{"signature changed", map[string]string{"pkcs7": b64(bad)}, 422, "SIGNATURE_INVALID"},
	}
	for _, tt := range rows {
		r := do(t, e.url, req{method: "POST", path: "/api/verify", body: tt.body})
		if r.status != tt.status || r.code() != tt.code || (tt.code == "") != (r.json["valid"] == true) {
			t.Errorf("%s: %d %s, want %d %s", tt.name, r.status, r.code(), tt.status, tt.code)
		}
	}
	r := do(t, e.url, req{method: "POST", path: "/api/verify", body: map[string]string{"pkcs7": b64(attached)}})
	signers, _ := r.json["signers"].([]any)
	id, _ := signers[0].(map[string]any)["identity"].(map[string]any)
	if r.str("content") != b64(data) || r.str("indication") != "TOTAL_PASSED" || r.str("level") != "B" || id["pinfl"] != e.legal.Person.PINFL ||
		id["commonName"] != e.legal.Person.CN || id["orgTin"] != e.legal.Person.OrgTIN || r.str("dataSha256") == "" {
		t.Errorf("report: %s", r.body)
	}
}

func TestTimestampAPI(t *testing.T) {
	e := newEnv(t)
	sig := bytes.Repeat([]byte{0xab}, 64)
	r := do(t, e.url, req{method: "POST", path: "/api/timestamp", body: hex.EncodeToString(sig)})
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("hex: %d %s", r.status, r.body)
	}
	token := mustB64(string(r.body))
	info, err := tsp.TokenInfo(token)
	sum := sha256.Sum256(sig)
	if err != nil || !bytes.Equal(info.HashedMessage, sum[:]) || !info.GenTime.Equal(epoch) {
		t.Errorf("token %+v %v", info, err)
	}
	// A raw RFC 3161 request is forwarded.
	q, _ := tsp.NewRequest(sigalg.OIDSHA256, sum[:], big.NewInt(42))
	r = do(t, e.url, req{method: "POST", path: "/api/timestamp", body: q, header: map[string]string{"Content-Type": "application/timestamp-query"}})
	if tok, err := tsp.ParseResponse(r.body); r.status != 200 || err != nil || len(tok) == 0 {
		t.Errorf("forwarded: %d %v", r.status, err)
	}
	for _, tt := range []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"not hex", "xyz", 400, "BAD_REQUEST"},
		{"empty", "", 400, "BAD_REQUEST"},
	} {
		if r := do(t, e.url, req{method: "POST", path: "/api/timestamp", body: tt.body}); r.status != tt.status || r.code() != tt.code {
			t.Errorf("%s: %d %s", tt.name, r.status, r.code())
		}
	}
	e.svc.SetUnavailable(true)
	if r := do(t, e.url, req{method: "POST", path: "/api/timestamp", body: hex.EncodeToString(sig)}); r.status != http.StatusBadGateway || r.code() != "TSA_UNAVAILABLE" {
		t.Errorf("TSA down: %d %s", r.status, r.body)
	}
}
