package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/e2e/browser"
	"github.com/eimzokit/eimzokit/web/verify"
)

// strictCSP is the policy of js/README.md's CSP section: the apps are
// served with it, so a build that needs more (eval, inline scripts, another
// origin) fails here.
const strictCSP = "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws://127.0.0.1:* wss://127.0.0.1:*"

// npmApp is one example app of e2e/apps, built from the packed npm package
// by e2e/apps/build.sh.
type npmApp struct {
	name string
	// serve starts the built app and returns its page URL for the simulator.
	serve func(t *testing.T, simURL string) string
	// noSelection is the message of the error when nothing is selected.
	noSelection string
	// ready, when set, is a JS condition that holds once the page is
	// interactive (for server-rendered pages: hydrated).
	ready string
	// check, when set, runs app-specific checks once the page is ready.
	check func(t *testing.T, ctx context.Context, page, simURL string)
}

var npmApps = []npmApp{
	{name: "vue", serve: staticApp("vue/dist"), noSelection: "Sertifikat tanlanmagan"},
	{name: "react", serve: staticApp("react/dist"), noSelection: "Sertifikat tanlanmagan"},
	{name: "angular", serve: staticApp("angular/dist/browser"), noSelection: "Sertifikat tanlanmagan"},
	// lang "en" comes from the module's `eimzo` key in nuxt.config.ts.
	{name: "nuxt", serve: nuxtApp, noSelection: "No certificate is selected", ready: `document.getElementById('nuxt').dataset.sameClient === 'true'`, check: checkNuxt},
}

// appDir is a folder of e2e/apps; it fails the test when the app is not built.
func appDir(t *testing.T, rel string) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "e2e", "apps", filepath.FromSlash(rel))
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("%s is missing: run `scripts/build.sh && e2e/apps/build.sh` (make test does)", dir)
	}
	return dir
}

// staticApp serves a built single-page app from http://localhost:PORT
// under the strict CSP; the simulator's URL goes in ?daemon=.
func staticApp(rel string) func(t *testing.T, simURL string) string {
	return func(t *testing.T, simURL string) string {
		return serveDir(t, appDir(t, rel), strictCSP) + "/?daemon=" + url.QueryEscape(simURL)
	}
}

func serveDir(t *testing.T, dir, csp string) string {
	t.Helper()
	files := http.FileServer(http.Dir(dir))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		files.ServeHTTP(w, r)
	})
	return serveLocalhost(t, h)
}

// appState is the dataset of the apps' #state element: what the wrapper's
// reactive state shows.
type appState struct {
	Done     string `json:"done"`
	Loading  string `json:"loading"`
	Count    string `json:"count"`
	Selected string `json:"selected"`
	Error    string `json:"error"`
	Version  string `json:"version"`
}

type keyOption struct {
	Name    string `json:"name"`
	Serial  string `json:"serial"`
	ValidTo string `json:"validTo"`
}

// TestNpmApps drives each example app (Vue, React, Angular, Nuxt), built
// with its own tooling from the npm pack tarball, through one scenario in
// headless Chromium against daemon-sim: sign, signHash and authenticate
// with nothing selected (the core's EimzoNoCertificateSelectedError, its
// class name intact after the app's minifier); list the keys; select one
// and sign, sign the hash of a file chosen in an <input type=file>, and
// authenticate with a challenge; signWithSerial of another key than the
// selected one; a cancelled password dialog. Every CMS is verified in Go
// against the test root by web/verify. All under the strict CSP, leaving
// no Go globals behind.
func TestNpmApps(t *testing.T) {
	file := filepath.Join(t.TempDir(), "hujjat.bin")
	content := pattern(1<<20 + 7)
	if err := os.WriteFile(file, content, 0o600); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(content)
	for _, app := range npmApps {
		t.Run(app.name, func(t *testing.T) {
			sim := simtest.Start(t)
			page := app.serve(t, sim.URL)
			ctx := browser.New(t)
			if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("list"))); err != nil {
				t.Fatalf("open %s: %v", page, err)
			}
			if app.ready != "" {
				if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](app.ready, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
					t.Fatalf("%s: the page did not get ready: %v", app.name, err)
				}
			}
			if app.check != nil {
				app.check(t, ctx, page, sim.URL)
			}
			// The user picks the file (CDP DOM.setFileInputFiles) and types
			// a challenge, as a login page gets it from its backend.
			challenge := "login-" + strconv.FormatInt(time.Now().UnixNano(), 36)
			if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}), chromedp.SendKeys(chromedp.ID("challenge"), challenge)); err != nil {
				t.Fatal(err)
			}

			// Nothing selected: the core's typed error, before any daemon call.
			for _, id := range []string{"sign", "sign-hash", "authenticate"} {
				st := clickAndWait(t, ctx, id)
				caught := text(t, ctx, "caught")
				if want := "EimzoNoCertificateSelectedError|EimzoNoCertificateSelectedError|NO_CERTIFICATE_SELECTED|true|false|true|" + app.noSelection; caught != want || st.Error != "NO_CERTIFICATE_SELECTED" {
					t.Fatalf("#%s with nothing selected: caught %q, state %+v; want %q", id, caught, st, want)
				}
			}
			for _, e := range sim.Events() {
				if e.Key != "" { // React's provider installs on mount: that call names no key
					t.Fatalf("with nothing selected, %s.%s reached the daemon with key %s", e.Plugin, e.Function, e.Key)
				}
			}

			// List: install + loadCertificates.
			st := clickAndWait(t, ctx, "list")
			if st.Count != "6" || st.Version != "6.4.7" || st.Error != "" || st.Loading != "false" {
				t.Fatalf("after listing: state %+v, caught %q", st, text(t, ctx, "caught"))
			}
			opts, err := chromedp.Run(ctx, chromedp.Evaluate[[]keyOption](`[...document.querySelectorAll('#keys option')].filter(o => o.dataset.name).map(o => ({...o.dataset}))`))
			if err != nil {
				t.Fatal(err)
			}
			var valid []keyOption
			for _, o := range opts {
				if to, err := time.Parse(time.RFC3339, o.ValidTo); err == nil && to.After(time.Now()) {
					valid = append(valid, o)
				}
			}
			if len(opts) != 6 || len(valid) < 2 {
				t.Fatalf("options: %+v", opts)
			}
			signer, canceller := valid[0], valid[1]
			// The simulated user will cancel the other key's password dialog.
			sim.Script(canceller.Name, softtoken.Script{Then: softtoken.Cancel})
			verifier := verify.New(verify.WithRoots(sim.Data.PKI.Root))

			// Select and sign: an attached CMS of the text.
			selectKey(t, ctx, signer)
			want, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('text').value`))
			if err != nil {
				t.Fatal(err)
			}
			res := appStep(t, ctx, verifier, "sign", nil)
			if res.Detached || string(res.Content) != want || !strings.EqualFold(res.Signers[0].SerialNumber, signer.Serial) {
				t.Fatalf("sign: content %q signer %s; want %q by %s", res.Content, res.Signers[0].SerialNumber, want, signer.Serial)
			}

			// signHash of the chosen file: the page reports the SHA-256 of
			// the file's bytes, and the detached CMS verifies over it.
			res = appStep(t, ctx, verifier, "sign-hash", digest[:])
			if got := attr(t, ctx, "result", "hash"); got != hex.EncodeToString(digest[:]) {
				t.Fatalf("signHash reported %s, want the SHA-256 of the file %x", got, digest)
			}
			if !res.Detached || !strings.EqualFold(res.Signers[0].SerialNumber, signer.Serial) {
				t.Fatalf("signHash: detached %v, signer %s; want a detached CMS by %s", res.Detached, res.Signers[0].SerialNumber, signer.Serial)
			}

			// authenticate: an attached CMS whose content is the challenge.
			res = appStep(t, ctx, verifier, "authenticate", nil)
			if res.Detached || string(res.Content) != challenge || !strings.EqualFold(res.Signers[0].SerialNumber, signer.Serial) {
				t.Fatalf("authenticate: content %q signer %s; want %q by %s", res.Content, res.Signers[0].SerialNumber, challenge, signer.Serial)
			}

			// signWithSerial ignores the selection: with the other key
			// selected (its dialog would be cancelled), the key with the
			// serial typed in signs.
			selectKey(t, ctx, canceller)
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("serial"), strings.ToLower(signer.Serial))); err != nil {
				t.Fatal(err)
			}
			res = appStep(t, ctx, verifier, "sign-serial", nil)
			if string(res.Content) != want || !strings.EqualFold(res.Signers[0].SerialNumber, signer.Serial) || !strings.EqualFold(attr(t, ctx, "result", "serial"), signer.Serial) {
				t.Fatalf("signWithSerial: content %q signer %s; want %q by %s", res.Content, res.Signers[0].SerialNumber, want, signer.Serial)
			}

			// The user cancels the password dialog of the selected key.
			st = clickAndWait(t, ctx, "sign")
			caught := text(t, ctx, "caught")
			if !strings.HasPrefix(caught, "EimzoWrongPasswordError|EimzoWrongPasswordError|PASSWORD_CANCELLED|true|true|false|") || st.Error != "PASSWORD_CANCELLED" || st.Loading != "false" {
				t.Fatalf("cancelled password: caught %q, state %+v", caught, st)
			}

			// The Go glue left nothing on the page's globals.
			leaked, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`['Go', 'fs', 'path', 'process'].filter(k => k in globalThis)`))
			if err != nil || len(leaked) != 0 {
				t.Fatalf("globals left by the wasm glue: %v (%v)", leaked, err)
			}
		})
	}
}

// appStep clicks a button of the scenario that signs, and verifies the CMS
// the app shows in #result against the simulator's root; detached is the
// data of a detached CMS. It returns the report of the one signer.
func appStep(t *testing.T, ctx context.Context, v *verify.Verifier, id string, detached []byte) *verify.Report {
	t.Helper()
	if st := clickAndWait(t, ctx, id); st.Error != "" {
		t.Fatalf("#%s: state %+v, caught %q", id, st, text(t, ctx, "caught"))
	}
	pkcs7 := text(t, ctx, "result")
	der, err := base64.StdEncoding.DecodeString(pkcs7)
	if err != nil || len(der) == 0 {
		t.Fatalf("#%s: result %q: %v", id, pkcs7, err)
	}
	res, err := v.Verify(context.Background(), der, detached)
	if err == nil {
		err = res.Err()
	}
	if err != nil {
		t.Fatalf("#%s: the app's CMS does not verify: %v", id, err)
	}
	if len(res.Signers) != 1 {
		t.Fatalf("#%s: %d signers", id, len(res.Signers))
	}
	return res
}

// TestNpmAppCSPIsEnforced serves the Vue app under a CSP without
// 'wasm-unsafe-eval': the module must fail to compile, with a typed error,
// which shows the strict-CSP runs above do check the policy.
func TestNpmAppCSPIsEnforced(t *testing.T) {
	sim := simtest.Start(t)
	page := serveDir(t, appDir(t, "vue/dist"), "script-src 'self'; connect-src 'self' ws://127.0.0.1:*") + "/?daemon=" + url.QueryEscape(sim.URL)
	ctx := browser.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("list"))); err != nil {
		t.Fatal(err)
	}
	st := clickAndWait(t, ctx, "list")
	if caught := text(t, ctx, "caught"); st.Error != "INTERNAL" || !strings.Contains(caught, "eimzo.wasm") {
		t.Fatalf("without 'wasm-unsafe-eval': state %+v, caught %q", st, caught)
	}
}

// clickAndWait clicks a button and waits until the app counts one more
// finished action, then returns the state.
func clickAndWait(t *testing.T, ctx context.Context, id string) appState {
	t.Helper()
	before := state(t, ctx).Done
	n, _ := strconv.Atoi(before)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID(id)),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`Number(document.getElementById('state').dataset.done) > %d`, n), chromedp.WithPollingTimeout(90*time.Second)),
	); err != nil {
		t.Fatalf("click #%s: %v (state %+v, caught %q)", id, err, state(t, ctx), text(t, ctx, "caught"))
	}
	return state(t, ctx)
}

// selectKey picks a key in the <select> as a user does: the option, then a
// change event, which each framework's binding listens to.
func selectKey(t *testing.T, ctx context.Context, key keyOption) appState {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const s = document.getElementById('keys')
		const i = [...s.options].findIndex(o => o.dataset.name === %q)
		s.selectedIndex = i
		s.dispatchEvent(new Event('change', { bubbles: true }))
		return i
	})()`, key.Name)
	i, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
	if err != nil || i < 0 {
		t.Fatalf("select %s: index %d, %v", key.Name, i, err)
	}
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById('state').dataset.selected === %q`, key.Serial), chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("select %+v: the state did not follow: %v (state %+v)", key, err, state(t, ctx))
	}
	return state(t, ctx)
}

func state(t *testing.T, ctx context.Context) appState {
	t.Helper()
	st, err := chromedp.Run(ctx, chromedp.Evaluate[appState](`({...document.getElementById('state').dataset})`))
	if err != nil {
		t.Fatalf("reading #state: %v", err)
	}
	return st
}

func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.getElementById(%q).textContent.trim()`, id)))
	if err != nil {
		t.Fatalf("reading #%s: %v", id, err)
	}
	return s
}

// attr reads a data- attribute of an element.
func attr(t *testing.T, ctx context.Context, id, key string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.getElementById(%q).dataset[%q] ?? ''`, id, key)))
	if err != nil {
		t.Fatalf("reading #%s data-%s: %v", id, key, err)
	}
	return s
}
