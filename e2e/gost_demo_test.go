package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/e2e/browser"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/verify"
)

// TestGOSTSignInBrowser drives the demo page in headless Chromium against a
// simulator with GOST keys: the wasm client lists them, signs with an
// O'zDSt 1092 key through the daemon protocol, and the backend, whose trust
// anchors are the simulator's two roots, verifies the GOST CMS up to the
// GOST root; then the same key signs in (challenge → GOST CMS → session).
func TestGOSTSignInBrowser(t *testing.T) {
	s := simtest.Start(t, simtest.WithGOSTKeys())
	h, err := server.New(server.Config{Verifier: verify.New(verify.WithRoots(s.Data.PKI.Root, s.Data.GOST.Root)), AssetsDir: assetsDir(t), DaemonURL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	page := serveLocalhost(t, h)
	ctx := browser.New(t)
	want := len(sim.DefaultKeys) + len(sim.GOSTKeys)
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.Click(chromedp.ID("list")), waitStatus()); err != nil {
		t.Fatalf("list keys: %v", err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#keys option').length`)); err != nil || n != want {
		t.Fatalf("the page lists %d keys (%v), want %d", n, err, want)
	}
	physical := testpki.DefaultPerson(testpki.Physical, len(sim.DefaultKeys)+len(sim.ExtraKeys)+1)
	selectGOST(t, ctx, physical.PINFL)

	text := "GOST hujjati: O‘zDSt 1092:2009 ✓"
	for _, detached := range []bool{false, true} {
		actions := []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.ID("text"), text)}
		if detached {
			actions = append(actions, chromedp.Click(chromedp.ID("detached")))
		}
		actions = append(actions, chromedp.Click(chromedp.ID("sign")), waitStatus())
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("sign: %v", err)
		}
		status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
		raw, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result")))
		if !strings.HasPrefix(status, "Verified") {
			t.Fatalf("detached=%v: status %q\n%s", detached, status, raw)
		}
		var rep struct {
			Valid   bool   `json:"valid"`
			Content string `json:"content"`
			Signers []struct {
				Identity           verify.Identity `json:"identity"`
				SignatureAlgorithm string          `json:"signatureAlgorithm"`
				Signature          string          `json:"signature"`
				Chain              []struct {
					Subject string `json:"subject"`
				} `json:"chain"`
			} `json:"signers"`
		}
		if err := json.Unmarshal([]byte(raw), &rep); err != nil {
			t.Fatalf("report %q: %v", raw, err)
		}
		content, _ := base64.StdEncoding.DecodeString(rep.Content)
		sr := rep.Signers[0]
		if !rep.Valid || string(content) != text || sr.Identity.PINFL != physical.PINFL || sr.SignatureAlgorithm != gost.SignatureAlgorithmName ||
			len(sr.Signature) != 128 || len(sr.Chain) != 3 || sr.Chain[2].Subject != s.Data.GOST.Root.Subject.String() {
			t.Fatalf("report %+v", rep)
		}
		// What the page posted is a GOST SignedData made by the simulator.
		p7, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('result').dataset.pkcs7`))
		der, _ := base64.StdEncoding.DecodeString(p7)
		sd, err := cms.Parse(der)
		if err != nil || sd.Detached() != detached || !sd.Signers[0].SignatureAlgorithm.Algorithm.Equal(gost.OIDSignature) {
			t.Fatalf("the CMS: %v", err)
		}
	}

	// Sign in with the GOST key.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("login")),
		chromedp.Poll[chromedp.Void](`(s => s.startsWith('Signed in') || s.startsWith('Sign-in refused') || s.includes(':'))(document.getElementById('auth-status').textContent)`,
			chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		t.Fatalf("login: %v", err)
	}
	auth, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("auth-status")))
	if !strings.HasPrefix(auth, "Signed in as "+physical.CN) || !strings.Contains(auth, physical.PINFL) {
		t.Errorf("after login: %q", auth)
	}
}

// selectGOST picks the key whose option names pinfl.
func selectGOST(t *testing.T, ctx context.Context, pinfl string) {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const o = [...document.querySelectorAll('#keys option')].find((o) => o.textContent.includes(`+jsString(pinfl)+`))
		if (!o) return false
		document.getElementById('keys').value = o.value
		return true
	})()`))
	if err != nil || !ok {
		t.Fatalf("no key with PINFL %s (%v)", pinfl, err)
	}
}
