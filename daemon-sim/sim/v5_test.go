package sim_test

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/cms/cmstest"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/smallstep/pkcs7"
)

// startV5 starts a v5 daemon and installs the localhost API key, as the
// official client does before anything else.
func startV5(t *testing.T) *simtest.Sim {
	t.Helper()
	s := simtest.Start(t, simtest.WithV5())
	if r := call(t, s.URL, "pfx", "list_all_certificates"); r.Success() {
		t.Fatal("v5: a domain passed the gate without an apikey call")
	}
	mustOK(t, call(t, s.URL, "", "apikey", "localhost", sim.PublishedKeys["localhost"]))
	return s
}

func TestV5Replies(t *testing.T) {
	s := simtest.Start(t, simtest.WithV5())
	tests := []struct {
		name, origin, frame, golden string
	}{
		{"version", "", `{"name":"version"}`, "v5-version"},
		{"unknown function", localhost, req("pfx", "nope"), "v5-not-found"},
		{"domain before apikey", localhost, req("pfx", "list_all_certificates"), "v5-domain-denied"},
		{"apikey", localhost, req("", "apikey", "localhost", sim.PublishedKeys["localhost"]), "v5-apikey-ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := roundTripRaw(t, s.URL, tt.origin, tt.frame)
			if _, has := ex.reply.Get("status"); has {
				t.Errorf("v5 reply with a status: %s", ex.raw)
			}
			golden(t, tt.golden, ex.raw)
		})
	}
}

func TestV5BareNamesAndApidoc(t *testing.T) {
	s := startV5(t)
	r := mustOK(t, call(t, s.URL, "", "list_all_certificates"))
	if v, _ := r.Get("certificates"); len(v.Items()) != 6 {
		t.Errorf("bare name: %s", r.AppendJSON(nil))
	}
	if ev := lastEvent(t, s); ev.Plugin != "pfx" || ev.Function != "list_all_certificates" {
		t.Errorf("resolved to %s.%s", ev.Plugin, ev.Function)
	}
	// main functions keep priority over plugin functions of the same name.
	mustOK(t, call(t, s.URL, "", "version"))
	ex := roundTripRaw(t, s.URL, localhost, `{"name":"apidoc"}`)
	for _, f := range []string{"attach_timestamp_token_pkcs7", "append_pkcs7_attached", `"name":"ftjc"`} {
		if !strings.Contains(string(ex.raw), f) {
			t.Errorf("v5 apidoc lacks %s", f)
		}
	}
}

func TestV5WrongPasswordIsAJavaException(t *testing.T) {
	s := startV5(t)
	k := listKeys(t, s.URL)[0]
	s.Script(k.Name, softtoken.Script{Then: softtoken.Wrong})
	r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", loadKey(t, s.URL, k))
	if r.Success() || !strings.Contains(r.Reason(), "BadPaddingException") {
		t.Errorf("reply %s", r.AppendJSON(nil))
	}
}

func TestV5FTJCToken(t *testing.T) {
	s := startV5(t)
	d := s.Plug(sim.DeviceSpec{Kind: softtoken.FTJC, Profile: testpki.Legal})
	r := mustOK(t, call(t, s.URL, "ftjc", "list_all_keys", ""))
	toks, _ := r.Get("tokens")
	if len(toks.Items()) != 1 {
		t.Fatalf("tokens %s", r.AppendJSON(nil))
	}
	tok := toks.Items()[0]
	get := func(k string) string { v, _ := tok.Get(k); return v.Str() }
	if get("cardUID") != d.Serial || capiws.ParseAlias(get("info")).OrgTIN == "" || get("ownerName") == "" {
		t.Errorf("token %s", tok.AppendJSON(nil))
	}
	if r := mustOK(t, call(t, s.URL, "ftjc", "list_all_keys", d.Serial)); strings.Contains(string(r.AppendJSON(nil)), d.Serial) {
		t.Error("except_cards did not exclude the card")
	}
	id := mustOK(t, call(t, s.URL, "ftjc", "load_key", d.Serial)).Field("keyId")
	mustOK(t, call(t, s.URL, "ftjc", "verify_pin", id, "1"))
	if dialogs(lastEvent(t, s)) != "pin:right" {
		t.Errorf("verify_pin dialogs %q", dialogs(lastEvent(t, s)))
	}
	r = mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id, "no"))
	if got := signerSerial(t, r); got != strings.ToLower(d.Serial) {
		t.Errorf("signed by %s, want the token's %s", got, d.Serial)
	}
	mustOK(t, call(t, s.URL, "ftjc", "unload_key", id))
	if r := call(t, s.URL, "ftjc", "load_key", "FFFF"); r.Reason() != "Устройство не найдено" {
		t.Errorf("unknown card: %s", r.AppendJSON(nil))
	}
}

// token makes an RFC 3161 token with the given imprint, signed by a TEST
// key (its shape is what the daemon checks).
func token(t *testing.T, s *simtest.Sim, sum []byte, alg asn1.ObjectIdentifier) string {
	t.Helper()
	tsa, err := s.Data.PKI.Issue(testpki.NoTIN, testpki.P256, 99)
	if err != nil {
		t.Fatal(err)
	}
	der, err := cmstest.TokenForImprint(alg, sum, cms.Signer{Key: tsa.Key, Certificate: tsa.Cert}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func TestV5AttachTimestamp(t *testing.T) {
	s := startV5(t)
	id := loadKey(t, s.URL, listKeys(t, s.URL)[1])
	r := mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", base64.StdEncoding.EncodeToString([]byte("hujjat")), id, "no"))
	p7, serial, sigHex := r.Field("pkcs7_64"), r.Field("signer_serial_number"), r.Field("signature_hex")
	sig, _ := hex.DecodeString(sigHex)
	sum256 := sha256.Sum256(sig)
	sum1 := sha1.Sum(sig)
	good := token(t, s, sum256[:], sigalg.OIDSHA256)
	tests := []struct {
		name, serial, token string
		want                string // reason; "" for success
	}{
		{"SHA-256 token", serial, good, ""},
		{"SHA-1 token", strings.ToUpper(serial), token(t, s, sum1[:], asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}), ""},
		{"token over other bytes", serial, token(t, s, make([]byte, 32), sigalg.OIDSHA256), "Метка времени не соответствует подписи"},
		{"not a token", serial, p7, "Некорректная метка времени"},
		{"not base64", serial, "***", "Некорректная метка времени"},
		{"unknown signer", "abc", good, "Подписант с указанным серийным номером не найден"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, s.URL, "pkcs7", "attach_timestamp_token_pkcs7", p7, tt.serial, tt.token)
			if tt.want != "" {
				if r.Success() || r.Reason() != tt.want {
					t.Fatalf("reply %s", r.AppendJSON(nil))
				}
				return
			}
			der, _ := base64.StdEncoding.DecodeString(mustOK(t, r).Field("pkcs7_64"))
			sd, err := cms.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			tok, _ := base64.StdEncoding.DecodeString(tt.token)
			if got := sd.Signers[0].TimestampTokens(); len(got) != 1 || !bytes.Equal(got[0], tok) {
				t.Error("the token is not the signer's unsigned attribute 1.2.840.113549.1.9.16.2.14")
			}
			if _, err := pkcs7.Parse(der); err != nil {
				t.Errorf("the stamped CMS no longer parses: %v", err)
			}
		})
	}
}

func TestV5AppendSigners(t *testing.T) {
	s := startV5(t)
	keys := listKeys(t, s.URL)
	a, b := loadKey(t, s.URL, keys[0]), loadKey(t, s.URL, keys[3])
	content := []byte("shartnoma")
	data := base64.StdEncoding.EncodeToString(content)
	for _, detached := range []bool{false, true} {
		flag := map[bool]string{false: "no", true: "yes"}[detached]
		first := mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", data, a, flag)).Field("pkcs7_64")
		var r capiws.Reply
		if detached {
			r = mustOK(t, call(t, s.URL, "pkcs7", "append_pkcs7_detached", data, first, b))
			if bad := call(t, s.URL, "pkcs7", "append_pkcs7_attached", first, b); bad.Success() {
				t.Error("append_pkcs7_attached took a detached CMS")
			}
		} else {
			r = mustOK(t, call(t, s.URL, "pkcs7", "append_pkcs7_attached", first, b))
		}
		der, _ := base64.StdEncoding.DecodeString(r.Field("pkcs7_64"))
		p7, err := pkcs7.Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		if detached {
			p7.Content = content
		}
		if err := p7.VerifyWithChain(s.Data.Roots()); err != nil || len(p7.Signers) != 2 {
			t.Errorf("detached=%v: %d signers, %v", detached, len(p7.Signers), err)
		}
		if r.Field("signer_serial_number") != capiws.ParseAlias(keys[3].Alias).SerialNumber {
			t.Errorf("signer_serial_number %s is not the co-signer's", r.Field("signer_serial_number"))
		}
	}
	if r := call(t, s.URL, "pkcs7", "append_pkcs7_attached", "bm9wZQ==", b); r.Reason() != "Некорректный документ PKCS#7" {
		t.Errorf("garbage CMS: %s", r.AppendJSON(nil))
	}
}
