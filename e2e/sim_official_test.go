package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/e2e/browser"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/cms/cmstest"
	"github.com/smallstep/pkcs7"
)

// scripts is a pair of client scripts: e-imzo.js (CAPIWS) and
// e-imzo-client.js (EIMZOClient), the clean-room replicas of
// testdata/sim or the official files.
type scripts struct {
	name     string
	eimzo    string // path of e-imzo.js
	client   string // path of e-imzo-client.js
	rev      string // "2023" for the older revision of the replica
	official bool
}

func replica(rev string) scripts {
	return scripts{name: "replica " + rev, eimzo: filepath.Join("testdata", "sim", "replica-e-imzo.js"),
		client: filepath.Join("testdata", "sim", "replica-e-imzo-client.js"), rev: rev}
}

// scenarioPage serves the scenario page with the given scripts from
// http://localhost:PORT, and /tst, a stand-in timestamp source for the 2023
// client's timestamper (an RFC 3161 token over the signature, made with a
// TEST key).
func scenarioPage(t *testing.T, set scripts, s *simtest.Sim) string {
	t.Helper()
	return scenarioPageOver(t, set, s, false)
}

// scenarioPageOver serves the page over https (and points it at the
// simulator's wss listener) when useTLS is set.
func scenarioPageOver(t *testing.T, set scripts, s *simtest.Sim, useTLS bool) string {
	t.Helper()
	tsa, err := s.Data.PKI.Issue(testpki.NoTIN, testpki.P256, 77)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"/harness.js":       filepath.Join("testdata", "sim", "harness.js"),
		"/e-imzo.js":        set.eimzo,
		"/e-imzo-client.js": set.client,
		"/scenario.js":      filepath.Join("testdata", "sim", "scenario.js"),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if f, ok := files[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			http.ServeFile(w, r, f)
			return
		}
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>eimzo-sim scenarios</title>
<script src="/harness.js"></script><script src="/e-imzo.js"></script><script src="/e-imzo-client.js"></script><script src="/scenario.js"></script>`))
	})
	mux.HandleFunc("/tst", func(w http.ResponseWriter, r *http.Request) {
		sig, err := hex.DecodeString(r.URL.Query().Get("sig"))
		if err != nil || len(sig) == 0 {
			http.Error(w, "sig", http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte(timestampToken(t, tsa, sig)))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	scheme, simURL := "http", s.URL
	if useTLS {
		hs.StartTLS()
		scheme, simURL = "https", s.WSSURL
	} else {
		hs.Start()
	}
	t.Cleanup(hs.Close)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	q := url.Values{"sim": {simURL}}
	if set.rev != "" {
		q.Set("rev", set.rev)
	}
	return scheme + "://localhost:" + port + "/?" + q.Encode()
}

// timestampToken is a TEST RFC 3161 token whose message imprint is
// SHA-256 of sig.
func timestampToken(t *testing.T, tsa *testpki.Identity, sig []byte) string {
	der, err := cmstest.Token(sig, cms.Signer{Key: tsa.Key, Certificate: tsa.Cert}, time.Now())
	if err != nil {
		t.Error(err)
		return ""
	}
	return base64.StdEncoding.EncodeToString(der)
}

// entry is one callback the scenario saw.
type entry struct {
	Step string          `json:"step"`
	Cb   string          `json:"cb"` // ok, fail, called
	E    any             `json:"e"`
	R    *string         `json:"r"`
	Args json.RawMessage `json:"args"`
	Sig  string          `json:"signatureHex"`
}

type outcome struct {
	Log        []entry          `json:"log"`
	CloseCodes []int            `json:"closeCodes"`
	Items      []map[string]any `json:"items"`
	Picked     string           `json:"picked"`
	Attached   string           `json:"attached"`
	Detached   string           `json:"detached"`
	Base64     string           `json:"base64"`
	Error      string           `json:"error"`
}

func (o outcome) calls(step, cb string) []entry {
	var out []entry
	for _, e := range o.Log {
		if e.Step == step && e.Cb == cb {
			out = append(out, e)
		}
	}
	return out
}

func (o outcome) fails() []entry {
	var out []entry
	for _, e := range o.Log {
		if e.Cb == "fail" {
			out = append(out, e)
		}
	}
	return out
}

// play opens the page and runs one scenario expression.
func play(t *testing.T, ctx context.Context, pageURL, expr string) outcome {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr+".then(JSON.stringify)", chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	var o outcome
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		t.Fatalf("%s: %v in %.300s", expr, err, raw)
	}
	return o
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

const signText = "Shartnoma №17: Ўзбекистон Республикаси, o‘zbek tili ʼ — imzo ✓"

// verifyCMS checks a pkcs7_64 from the page against the simulator's root
// and the UTF-8 bytes of text.
func verifyCMS(t *testing.T, s *simtest.Sim, b64 string, detached bool) *pkcs7.PKCS7 {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("pkcs7_64: %v", err)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if detached {
		if len(p7.Content) != 0 {
			t.Fatal("the detached CMS carries content")
		}
		p7.Content = []byte(signText)
	} else if string(p7.Content) != signText {
		t.Fatalf("signed content %q, want the UTF-8 of %q", p7.Content, signText)
	}
	if err := p7.VerifyWithChain(s.Data.Roots()); err != nil {
		t.Fatalf("verify: %v", err)
	}
	return p7
}

// checkSignFlow checks the outcome of scenario.sign on a v6 simulator with
// the extra keys: eight listed, seven shown (no TIN/PINFL hidden), every
// socket closed with 1000 and no error callback anywhere.
func checkSignFlow(t *testing.T, s *simtest.Sim, o outcome, wantVersion string) {
	t.Helper()
	if f := o.fails(); len(f) > 0 || o.Error != "" {
		t.Fatalf("error callbacks %+v %s", f, o.Error)
	}
	if v := o.calls("checkVersion", "ok"); len(v) != 1 || string(v[0].Args) != wantVersion {
		t.Errorf("checkVersion %+v", v)
	}
	if l := o.calls("listAllUserKeys", "ok"); len(l) != 1 {
		t.Errorf("listAllUserKeys succeeded %d times", len(l))
	}
	if len(o.Items) != 7 {
		t.Errorf("the page shows %d keys, want 7 of the 8 (the one without TIN or PINFL is hidden)", len(o.Items))
	}
	for _, it := range o.Items {
		if it["TIN"] == "" && it["PINFL"] == "" || it["serialNumber"] == "" || it["type"] != "pfx" {
			t.Errorf("item %v", it)
		}
	}
	if len(o.CloseCodes) != 7 { // version, apikey, list, load_key, three create_pkcs7
		t.Errorf("the browser saw %d sockets close, want 7: %v", len(o.CloseCodes), o.CloseCodes)
	}
	for _, c := range o.CloseCodes {
		if c != 1000 {
			t.Fatalf("the browser saw close code %d (all: %v)", c, o.CloseCodes)
		}
	}
	verifyCMS(t, s, o.Attached, false)
	verifyCMS(t, s, o.Detached, true)
	verifyCMS(t, s, o.Base64, false)
}

// TestSimOfficialClientReplica drives the clean-room replica of the
// official scripts, in headless Chromium, through the simulator: the happy
// path and the documented failure paths.
func TestSimOfficialClientReplica(t *testing.T) {
	ctx := browser.New(t)
	set := replica("")

	t.Run("sign", func(t *testing.T) {
		s := simtest.Start(t, simtest.WithExtraKeys())
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.sign({text: "+jsString(signText)+"})")
		checkSignFlow(t, s, o, `["6","4"]`)
	})

	t.Run("close 4000 after the reply fails after success", func(t *testing.T) {
		s := simtest.Start(t)
		s.Fault(sim.Fault{Kind: sim.FaultClose, Code: 4000, After: true, Function: "version"})
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.version()")
		if len(o.Log) != 2 || o.Log[0].Cb != "ok" || o.Log[1].Cb != "fail" || o.Log[1].E != float64(4000) || o.Log[1].R != nil {
			t.Errorf("log %+v", o.Log)
		}
	})

	t.Run("a late error lists the keys twice", func(t *testing.T) {
		s := simtest.Start(t)
		s.Fault(sim.Fault{Kind: sim.FaultClose, Code: 1011, After: true, Function: "list_all_certificates"})
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.list()")
		if n := len(o.calls("listAllUserKeys", "ok")); n != 2 {
			t.Errorf("listAllUserKeys succeeded %d times, want twice (PROTOCOL.md §13): %+v", n, o.Log)
		}
	})

	t.Run("three wrong passwords", func(t *testing.T) {
		s := simtest.Start(t)
		s.Script(softtoken.DefaultTarget, softtoken.Script{Then: softtoken.Wrong})
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.sign({text: 'x', once: true})")
		f := o.calls("createPkcs7", "fail")
		if len(f) != 1 || f[0].E != nil || f[0].R == nil || *f[0].R != "Ввод пароля отменен" {
			t.Errorf("log %+v", o.Log)
		}
	})

	t.Run("cancelled at verify_password", func(t *testing.T) {
		s := simtest.Start(t)
		s.Script(softtoken.DefaultTarget, softtoken.Script{Then: softtoken.Cancel})
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.sign({text: 'x', once: true, verifyPassword: true})")
		if f := o.calls("loadKey", "fail"); len(f) != 1 || *f[0].R != "Ввод пароля отменен" {
			t.Errorf("log %+v", o.Log)
		}
	})

	t.Run("refused: not installed", func(t *testing.T) {
		s := simtest.Start(t)
		s.Fault(sim.Fault{Kind: sim.FaultRefuse})
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.version()")
		if f := o.fails(); len(f) != 1 || f[0].E != float64(1006) {
			t.Errorf("log %+v", o.Log)
		}
	})

	t.Run("old version", func(t *testing.T) {
		s := simtest.Start(t)
		s.Fault(sim.Fault{Kind: sim.FaultVersion, Version: &sim.Version{Major: "3", Minor: "20"}})
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.list()")
		v := o.calls("checkVersion", "ok")
		l := o.calls("listAllUserKeys", "fail")
		if len(v) != 1 || string(v[0].Args) != `["3","20"]` || len(l) != 1 || *l[0].R != "Please install new version of E-IMZO" {
			t.Errorf("log %+v", o.Log)
		}
	})

	t.Run("malformed reply", func(t *testing.T) {
		s := simtest.Start(t)
		s.Fault(sim.Fault{Kind: sim.FaultMalformed, Function: "version"})
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.version()")
		// JSON.parse throws inside onmessage: no callback at all, and the
		// page's console shows the exception.
		if len(o.Log) != 1 || o.Log[0].Cb != "none" {
			t.Errorf("log %+v", o.Log)
		}
	})

	t.Run("devices", func(t *testing.T) {
		s := simtest.Start(t)
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.devices({})")
		for _, step := range []string{"idCardIsPLuggedIn", "isBAIKTokenPLuggedIn", "isCKCPLuggedIn"} {
			if c := o.calls(step, "ok"); len(c) != 1 || string(c[0].Args) != "[false]" {
				t.Errorf("%s with nothing plugged in: %+v", step, c)
			}
		}
		card := s.Plug(sim.DeviceSpec{Kind: softtoken.IDCard})
		o = play(t, ctx, scenarioPage(t, set, s), "scenario.devices({signWith: 'idcard', text: "+jsString(signText)+"})")
		if c := o.calls("idCardIsPLuggedIn", "ok"); len(c) != 1 || string(c[0].Args) != "[true]" {
			t.Errorf("idCardIsPLuggedIn with a card: %+v", c)
		}
		if c := o.calls("isCKCPLuggedIn", "ok"); len(c) != 1 || string(c[0].Args) != "[true]" {
			t.Errorf("isCKCPLuggedIn with a card: %+v", c)
		}
		p7 := verifyCMS(t, s, o.Attached, false)
		if got := p7.GetOnlySigner().SerialNumber.Text(16); !strings.EqualFold(got, card.Serial) {
			t.Errorf("signed by %s, want the card's %s", got, card.Serial)
		}
	})
}

// TestSimOverTLS: an https page must use wss (PROTOCOL.md §1.3); the
// simulator's TLS listener serves it the same way. The browser is told to
// accept the test certificates, as users trust E-IMZO's own.
func TestSimOverTLS(t *testing.T) {
	ctx := browser.New(t, chromedp.IgnoreCertErrors)
	s := simtest.Start(t, simtest.WithTLS(), simtest.WithExtraKeys())
	o := play(t, ctx, scenarioPageOver(t, replica(""), s, true), "scenario.sign({text: "+jsString(signText)+"})")
	checkSignFlow(t, s, o, `["6","4"]`)
}

// TestSimOfficialClientReplica2023 drives the 2023 revision against the v5
// profile: the timestamper path (signature_hex, signer_serial_number,
// attach_timestamp_token_pkcs7) and the legacy ftjc token listing.
func TestSimOfficialClientReplica2023(t *testing.T) {
	ctx := browser.New(t)
	set := replica("2023")
	t.Run("timestamped signature", func(t *testing.T) {
		s := simtest.Start(t, simtest.WithV5())
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.sign({text: "+jsString(signText)+", timestamp: true})")
		checkTimestamped(t, s, o)
	})
	t.Run("ftjc token below 4.12", func(t *testing.T) {
		s := simtest.Start(t, simtest.WithV5())
		s.Fault(sim.Fault{Kind: sim.FaultVersion, Version: &sim.Version{Major: "4", Minor: "11"}})
		tok := s.Plug(sim.DeviceSpec{Kind: softtoken.FTJC, Profile: testpki.Legal})
		o := play(t, ctx, scenarioPage(t, set, s), "scenario.sign({text: "+jsString(signText)+", name: "+jsString(tok.Serial)+", verifyPassword: true, once: true})")
		if f := o.fails(); len(f) > 0 || o.Picked != tok.Serial {
			t.Fatalf("picked %q, errors %+v", o.Picked, f)
		}
		if len(o.Items) != 7 {
			t.Errorf("%d keys shown, want the six files and the token", len(o.Items))
		}
		p7 := verifyCMS(t, s, o.Attached, false)
		if got := p7.GetOnlySigner().SerialNumber.Text(16); !strings.EqualFold(got, tok.Serial) {
			t.Errorf("signed by %s, want the token's %s", got, tok.Serial)
		}
		var pin bool
		for _, ev := range s.Events() {
			pin = pin || (ev.Plugin == "ftjc" && ev.Function == "verify_pin" && ev.Success && len(ev.Dialogs) == 1 && ev.Dialogs[0].Kind == softtoken.AskPIN)
		}
		if !pin {
			t.Error("no PIN dialog for ftjc.verify_pin in the event log")
		}
	})
}

// checkTimestamped checks the 2023 flow: the timestamper got signature_hex,
// and every CMS carries the token on its signer.
func checkTimestamped(t *testing.T, s *simtest.Sim, o outcome) {
	t.Helper()
	if f := o.fails(); len(f) > 0 || o.Error != "" {
		t.Fatalf("error callbacks %+v %s", f, o.Error)
	}
	if v := o.calls("checkVersion", "ok"); len(v) != 1 || string(v[0].Args) != `["5","20"]` {
		t.Errorf("checkVersion %+v", v)
	}
	if n := len(o.calls("timestamper", "called")); n != 3 {
		t.Errorf("the timestamper was called %d times, want 3", n)
	}
	for i, b64 := range []string{o.Attached, o.Detached, o.Base64} {
		verifyCMS(t, s, b64, i == 1)
		der, _ := base64.StdEncoding.DecodeString(b64)
		sd, err := cms.Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		tok := sd.Signers[0].TimestampTokens()
		if len(tok) != 1 {
			t.Fatalf("CMS %d has no timestamp token on its signer", i)
		}
		_, info, err := cms.ParseTimeStampToken(tok[0])
		if err != nil {
			t.Fatal(err)
		}
		want := sha256.Sum256(sd.Signers[0].Signature)
		if string(info.HashedMessage) != string(want[:]) {
			t.Errorf("CMS %d: the token is not over the signature", i)
		}
	}
}

// TestSimOfficialScripts runs the same scenarios on the official E-IMZO
// files, when their paths are given. They cannot be committed nor
// downloaded at test time, so this test is opt-in.
func TestSimOfficialScripts(t *testing.T) {
	var sets []scripts
	if js, cl := os.Getenv("EIMZO_OFFICIAL_JS"), os.Getenv("EIMZO_OFFICIAL_CLIENT_JS"); js != "" && cl != "" {
		sets = append(sets, scripts{name: "official current", eimzo: js, client: cl, official: true})
	}
	if js, cl := os.Getenv("EIMZO_OFFICIAL_JS_2023"), os.Getenv("EIMZO_OFFICIAL_CLIENT_JS_2023"); js != "" && cl != "" {
		sets = append(sets, scripts{name: "official 2023", eimzo: js, client: cl, rev: "2023", official: true})
	}
	if len(sets) == 0 {
		t.Skip("opt-in: set EIMZO_OFFICIAL_JS and EIMZO_OFFICIAL_CLIENT_JS (current e-imzo.js and e-imzo-client.js), " +
			"and/or EIMZO_OFFICIAL_JS_2023 and EIMZO_OFFICIAL_CLIENT_JS_2023, to files of the official scripts")
	}
	ctx := browser.New(t)
	for _, set := range sets {
		for _, f := range []string{set.eimzo, set.client} {
			if _, err := os.Stat(f); err != nil {
				t.Fatalf("%s: %v", set.name, err)
			}
		}
		t.Run(set.name, func(t *testing.T) {
			if set.rev == "2023" {
				s := simtest.Start(t, simtest.WithV5())
				checkTimestamped(t, s, play(t, ctx, scenarioPage(t, set, s), "scenario.sign({text: "+jsString(signText)+", timestamp: true})"))
				return
			}
			s := simtest.Start(t, simtest.WithExtraKeys())
			checkSignFlow(t, s, play(t, ctx, scenarioPage(t, set, s), "scenario.sign({text: "+jsString(signText)+"})"), `["6","4"]`)
			s = simtest.Start(t)
			s.Fault(sim.Fault{Kind: sim.FaultClose, Code: 4000, After: true, Function: "version"})
			o := play(t, ctx, scenarioPage(t, set, s), "scenario.version()")
			if f := o.fails(); len(f) != 1 || f[0].E != float64(4000) {
				t.Errorf("close 4000 after the reply: %+v", o.Log)
			}
		})
	}
}
