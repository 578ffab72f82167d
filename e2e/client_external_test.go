package e2e

import (
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
)

// TestClientExternalTransport runs transport: 'external' with a
// CAPIWS-compatible script written for the tests (the official e-imzo.js
// may not be committed or downloaded), loaded by the client with
// Subresource Integrity.
func TestClientExternalTransport(t *testing.T) {
	sim := simtest.Start(t)
	site := startClientSite(t)
	script, err := os.ReadFile(filepath.Join(repoRoot(t), "e2e", "testdata", "client", "capiws-test.js"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum384(script)
	integrity := "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
	site.Handle("/other/no-capiws.js", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write([]byte("window.notCapiws = 1\n"))
	}))
	ctx := clientBrowser(t)
	open(t, ctx, site.page(sim.URL))
	external := func(extra string) string {
		return `const c = ek.createEimzo({ transport: 'external', ` + extra + ` }); `
	}
	for _, tt := range []struct {
		name, opts, want string
	}{
		{"a tampered script (integrity mismatch)", `scriptUrl: '/client/capiws-test.js', scriptIntegrity: 'sha384-` + base64.StdEncoding.EncodeToString(make([]byte, 48)) + `'`, "SCRIPT_INTEGRITY"},
		{"a script that is not there", `scriptUrl: '/client/missing.js', scriptIntegrity: ` + jsString(integrity), "SCRIPT_LOAD_FAILED"},
		{"a script that does not define CAPIWS", `scriptUrl: '/other/no-capiws.js'`, "SCRIPT_LOAD_FAILED"},
		{"skipScriptLoad with no CAPIWS on the page", `skipScriptLoad: true`, "SCRIPT_LOAD_FAILED"},
	} {
		o := run(t, ctx, external(tt.opts)+`return c.install()`)
		if o.Code != tt.want || o.ClassName != "EimzoTransportError" {
			t.Errorf("%s: %q (%s) %s; want %s", tt.name, o.Code, o.ClassName, o.Message, tt.want)
		}
	}

	// The real thing: the script loads with its integrity hash, and every
	// call goes through window.CAPIWS.callFunction.
	var got struct {
		Version   string `json:"version"`
		Keys      int    `json:"keys"`
		PKCS7     string `json:"pkcs7"`
		Integrity string `json:"integrity"`
		Calls     int    `json:"calls"`
	}
	mustRun(t, ctx, `let calls = 0
		const wrap = () => { const f = window.CAPIWS.callFunction; window.CAPIWS.callFunction = function (...a) { calls++; return f.apply(this, a) } }
		`+external(`scriptUrl: '/client/capiws-test.js', scriptIntegrity: `+jsString(integrity))+`
		const v = await c.install()
		wrap()
		const keys = await c.listKeys()
		const r = await c.sign(keys[0], 'через CAPIWS', { detached: false })
		const s = document.querySelector('script[src$="/client/capiws-test.js"]')
		return { version: v.version, keys: keys.length, pkcs7: r.pkcs7, integrity: s?.integrity, calls }`, &got)
	if got.Version != "6.4.7" || got.Keys != 6 || got.Integrity != integrity || got.Calls < 2 {
		t.Fatalf("external transport: %+v", got)
	}
	if p7 := checkCMS(t, sim, got.PKCS7, nil); string(p7.Content) != "через CAPIWS" {
		t.Errorf("signed %q", p7.Content)
	}
	// Now that the page has CAPIWS, skipScriptLoad uses it; and a daemon
	// that is not running is reported through the script's close code.
	var v string
	mustRun(t, ctx, external(`skipScriptLoad: true`)+`return (await c.install()).version`, &v)
	if o := run(t, ctx, `window.CAPIWS.URL = `+jsString(closedPort(t))+`; `+external(`skipScriptLoad: true`)+`return c.install()`); o.Code != "NOT_INSTALLED" {
		t.Errorf("a stopped daemon through CAPIWS: %q %s", o.Code, o.Message)
	}
}
