package sim_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/smallstep/pkcs7"
)

func TestVersionReply(t *testing.T) {
	s := simtest.Start(t)
	r, _, _ := roundTrip(t, s.URL, "", `{"name":"version"}`)
	want := `{"success":true,"status":1,"major":"6","minor":"4","patch":"7","edition":"Standard"}`
	if got := string(r.AppendJSON(nil)); got != want {
		t.Errorf("version reply = %s, want %s", got, want)
	}
}

func TestApikeyReplyCarriesOrigin(t *testing.T) {
	s := simtest.Start(t, simtest.WithServer(sim.WithAllowedDomains("example.uz")))
	r, _, _ := roundTrip(t, s.URL, "https://example.uz", `{"name":"apikey","arguments":["example.uz","ABCD"]}`)
	if !r.Success() || r.Field("message") != "https://example.uz" {
		t.Errorf("reply = %s", r.AppendJSON(nil))
	}
}

func TestDeveloperModeOpensTheGate(t *testing.T) {
	s := simtest.Start(t, simtest.WithServer(sim.WithDeveloperMode(true)))
	r, _, _ := roundTrip(t, s.URL, "https://evil.example", `{"plugin":"pfx","name":"list_all_certificates"}`)
	if !r.Success() {
		t.Errorf("reply = %s", r.AppendJSON(nil))
	}
}

type keyFile struct{ Disk, Path, Name, Alias string }

func listKeys(t testing.TB, url string) []keyFile {
	t.Helper()
	r, _, _ := roundTrip(t, url, localhost, `{"plugin":"pfx","name":"list_all_certificates"}`)
	v, _ := r.Get("certificates")
	var out []keyFile
	for _, it := range v.Items() {
		get := func(k string) string { x, _ := it.Get(k); return x.Str() }
		out = append(out, keyFile{get("disk"), get("path"), get("name"), get("alias")})
	}
	if len(out) != len(sim.DefaultKeys) {
		t.Fatalf("listed %d keys, want %d: %s", len(out), len(sim.DefaultKeys), r.AppendJSON(nil))
	}
	return out
}

func TestListingShape(t *testing.T) {
	s := simtest.Start(t)
	for _, k := range listKeys(t, s.URL) {
		if k.Disk != `C:\` || k.Path != "DSKEYS" || !strings.HasPrefix(k.Name, "DS") {
			t.Errorf("key %+v: want disk C:\\, path DSKEYS, name DS…", k)
		}
		if k.Alias != strings.ToLower(k.Alias) {
			t.Errorf("alias %q is not lowercase", k.Alias)
		}
		a := capiws.ParseAlias(k.Alias)
		if a.PINFL == "" || a.CN == "" || a.SerialNumber == "" || a.ValidTo.IsZero() || a.C != "uz" {
			t.Errorf("alias %q lacks fields: %+v", k.Alias, a)
		}
		if !strings.Contains(a.CN, "test") && !strings.Contains(a.O, "test") {
			t.Errorf("alias %q does not say TEST", k.Alias)
		}
	}
}

func TestSignAttachedAndDetached(t *testing.T) {
	s := simtest.Start(t)
	roots := s.Data.Roots()
	content := []byte("Ўзбекистон: imzo sinovi ✓")
	for _, k := range listKeys(t, s.URL) {
		a := capiws.ParseAlias(k.Alias)
		if a.ValidTo.Before(time.Now()) {
			continue // the expired key signs too, but its chain does not verify now
		}
		for _, detached := range []bool{false, true} {
			r, _, _ := roundTrip(t, s.URL, localhost, string(capiws.Request{Plugin: "pfx", Name: "load_key", Arguments: []string{k.Disk, k.Path, k.Name, k.Alias}}.AppendJSON(nil)))
			keyID := r.Field("keyId")
			if !r.Success() || len(keyID) != 32 || r.Field("type") != "PFX_KEY_STORE" {
				t.Fatalf("load_key = %s", r.AppendJSON(nil))
			}
			flag := "no"
			if detached {
				flag = "yes"
			}
			r, _, _ = roundTrip(t, s.URL, localhost, string(capiws.Request{Plugin: "pkcs7", Name: "create_pkcs7",
				Arguments: []string{base64.StdEncoding.EncodeToString(content), keyID, flag}}.AppendJSON(nil)))
			if !r.Success() {
				t.Fatalf("create_pkcs7 = %s", r.AppendJSON(nil))
			}
			der, err := base64.StdEncoding.DecodeString(r.Field("pkcs7_64"))
			if err != nil {
				t.Fatal(err)
			}
			p7, err := pkcs7.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if detached {
				if len(p7.Content) != 0 {
					t.Fatal("detached CMS carries the content")
				}
				p7.Content = content
			} else if string(p7.Content) != string(content) {
				t.Fatalf("content = %q", p7.Content)
			}
			if err := p7.VerifyWithChain(roots); err != nil {
				t.Fatalf("%s detached=%v: %v", k.Name, detached, err)
			}
			signer := p7.GetOnlySigner()
			if got, want := r.Field("signer_serial_number"), signer.SerialNumber.Text(16); got != want || got != strings.ToLower(got) || strings.HasPrefix(got, "0") {
				t.Errorf("signer_serial_number = %q, want %q", got, want)
			}
			if got, want := r.Field("signer_serial_number"), a.SerialNumber; got != want {
				t.Errorf("signer_serial_number %q differs from the alias serial %q", got, want)
			}
			sig, err := hex.DecodeString(r.Field("signature_hex"))
			if err != nil || len(sig) == 0 || r.Field("signature_hex") != strings.ToLower(r.Field("signature_hex")) {
				t.Errorf("signature_hex = %q", r.Field("signature_hex"))
			}
			if n := len(p7.Certificates); n != 2 {
				t.Errorf("CMS carries %d certificates, want the signer and the issuing CA", n)
			}
			var st time.Time
			if err := p7.UnmarshalSignedAttribute(asn1SigningTime, &st); err != nil || time.Since(st) > time.Minute {
				t.Errorf("signing time %v, %v", st, err)
			}
			// The signature_hex is the SignerInfo's signature: check it over the signed attributes.
			if err := signer.CheckSignature(sigAlg(signer), signedAttrs(t, der), sig); err != nil {
				t.Errorf("signature_hex does not verify over the signed attributes: %v", err)
			}
		}
	}
}

func TestKeyIDSurvivesConnections(t *testing.T) {
	s := simtest.Start(t)
	k := listKeys(t, s.URL)[0]
	r, _, _ := roundTrip(t, s.URL, localhost, string(capiws.Request{Plugin: "pfx", Name: "load_key", Arguments: []string{k.Disk, k.Path, k.Name, k.Alias}}.AppendJSON(nil)))
	id := r.Field("keyId")
	for i := 0; i < 3; i++ {
		r, _, _ = roundTrip(t, s.URL, "http://127.0.0.1", `{"plugin":"pkcs7","name":"create_pkcs7","arguments":["YQ==","`+id+`"]}`)
		if !r.Success() {
			t.Fatalf("sign %d: %s", i, r.AppendJSON(nil))
		}
	}
}

func TestBinaryFramesAreIgnored(t *testing.T) {
	s := simtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, s.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageBinary, []byte(`{"name":"version"}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"name":"version"}`)); err != nil {
		t.Fatal(err)
	}
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"major":"6"`) {
		t.Errorf("reply %s", data)
	}
}

func TestHTTPPages(t *testing.T) {
	s := simtest.Start(t)
	base := s.HTTP.URL
	resp, err := http.Get(base + "/nope")
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 64)
	n, _ := resp.Body.Read(body)
	resp.Body.Close()
	if resp.StatusCode != 404 || string(body[:n]) != "404 - Not Found" {
		t.Errorf("unknown path: %d %q", resp.StatusCode, body[:n])
	}
	req, _ := http.NewRequest(http.MethodOptions, base+capiws.Path, nil)
	req.Header.Set("Origin", "https://example.uz")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Private-Network") != "true" || resp.Header.Get("Access-Control-Allow-Origin") != "https://example.uz" {
		t.Errorf("preflight headers: %v", resp.Header)
	}
}

func sigAlg(c *x509.Certificate) x509.SignatureAlgorithm {
	if c.PublicKeyAlgorithm == x509.ECDSA {
		return x509.ECDSAWithSHA256
	}
	return x509.SHA256WithRSA
}

// TestAPIKeysVerifiedForReal: every published key verifies as a GOST R
// 34.10-2001 signature by the vendor (PROTOCOL.md §3.2), after which its
// domain passes the gate; a tampered key does not; the test overrides
// (a table of keys, the allow-list) still work.
func TestAPIKeysVerifiedForReal(t *testing.T) {
	list := `{"plugin":"pfx","name":"list_disks"}`
	for domain, key := range sim.PublishedKeys {
		t.Run(domain, func(t *testing.T) {
			s := simtest.Start(t)
			origin := "http://" + domain + ":8080"
			if domain == "null" {
				origin = "" // file:// pages send no Origin
			}
			if r, _, _ := roundTrip(t, s.URL, origin, req("", "apikey", domain, tamper(key, 40))); status(r) != -1020 {
				t.Fatalf("tampered key: %s", r.AppendJSON(nil))
			}
			if domain == "null" {
				if r, _, _ := roundTrip(t, s.URL, origin, list); status(r) != -1022 {
					t.Fatalf("null passed the gate before its key: %s", r.AppendJSON(nil))
				}
			}
			if r, _, _ := roundTrip(t, s.URL, origin, req("", "apikey", domain, key)); status(r) != 1 {
				t.Fatalf("published key: %s", r.AppendJSON(nil))
			}
			if r, _, _ := roundTrip(t, s.URL, origin, list); status(r) != 1 {
				t.Errorf("the gate after a verified key: %s", r.AppendJSON(nil))
			}
		})
	}
	// esi.uz's key verifies too by PROTOCOL.md, but it is not in our sources.

	// Overrides: a table accepts its own key and nothing the vendor signed.
	s := simtest.Start(t, simtest.WithServer(sim.WithAPIKeyVerifier(sim.KnownKeys{"example.uz": "ab12"})))
	if r, _, _ := roundTrip(t, s.URL, "https://example.uz", req("", "apikey", "example.uz", "AB12")); status(r) != 1 {
		t.Errorf("table override: %s", r.AppendJSON(nil))
	}
	if r, _, _ := roundTrip(t, s.URL, "http://localhost", req("", "apikey", "localhost", sim.PublishedKeys["localhost"])); status(r) != -1020 {
		t.Errorf("table override took a key outside the table: %s", r.AppendJSON(nil))
	}
	if !(sim.VendorKeys{}).VerifyAPIKey("localhost", sim.PublishedKeys["localhost"]) || (sim.VendorKeys{}).VerifyAPIKey("example.uz", "AB12") {
		t.Error("VendorKeys")
	}
}
