package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/eimzokit/eimzokit/e2e/browser"
	"github.com/eimzokit/eimzokit/web/server"
)

// waitAuth waits until the sign-in section's status is final.
func waitAuth() chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`(s => s !== '' && !s.endsWith('…'))(document.getElementById('auth-status').textContent)`,
		chromedp.WithPollingTimeout(60*time.Second))
}

// openPage opens the demo page in a fresh browser and lists the
// simulator's keys.
func openPage(t *testing.T, url string) context.Context {
	t.Helper()
	ctx := browser.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.Click(chromedp.ID("list")), waitStatus()); err != nil {
		t.Fatalf("list keys: %v", err)
	}
	return ctx
}

// TestLoginInBrowser drives the demo page in headless Chromium: the page gets
// a challenge, the wasm client signs it with a simulated key, the page posts
// it to /api/auth/login and gets the session cookie, and a protected call
// succeeds; then logout, after which the protected call fails and a replay
// of the same signed challenge is refused.
func TestLoginInBrowser(t *testing.T) {
	st := startWebStack(t)
	ctx := openPage(t, st.PageURL)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("login")), waitAuth()); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("auth-status")))
	if !strings.HasPrefix(status, "Signed in as ") {
		raw, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("auth-result")))
		t.Fatalf("after sign-in: %q %s", status, raw)
	}
	// The session cookie is HttpOnly, Secure and SameSite=Strict: the page
	// cannot read it, the browser holds it.
	if c, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`)); strings.Contains(c, "eimzo") {
		t.Errorf("the page can read a session cookie: %q", c)
	}
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{st.PageURL + "/", st.PageURL + "/api/auth/refresh"}})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, c := range res.Cookies {
		if c.Name == server.SessionCookie || c.Name == server.RefreshCookie {
			found[c.Name] = c.HTTPOnly && c.Secure && c.SameSite == network.CookieSameSiteStrict
		}
	}
	if !found[server.SessionCookie] || !found[server.RefreshCookie] {
		t.Errorf("cookies in the browser: %+v", found)
	}
	var who struct {
		Subject, Name, PINFL string
	}
	raw, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("auth-result")))
	if err := json.Unmarshal([]byte(raw), &who); err != nil || who.PINFL == "" || who.Subject != who.PINFL || who.Name == "" {
		t.Fatalf("the protected call's answer %q: %v", raw, err)
	}
	// The protected call again, from a click.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('auth-status').textContent = ''`),
		chromedp.Click(chromedp.ID("whoami")), waitAuth()); err != nil {
		t.Fatal(err)
	}
	if status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("auth-status"))); !strings.HasPrefix(status, "Signed in as ") {
		t.Errorf("who am I: %q", status)
	}

	// Sign out: the protected call fails, and the signed challenge cannot
	// be used again.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('auth-status').textContent = ''`),
		chromedp.Click(chromedp.ID("logout")), waitAuth()); err != nil {
		t.Fatal(err)
	}
	if status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("auth-status"))); status != "Signed out" {
		t.Fatalf("sign out: %q", status)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('auth-status').textContent = ''`),
		chromedp.Click(chromedp.ID("whoami")), waitAuth()); err != nil {
		t.Fatal(err)
	}
	if status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("auth-status"))); status != "Not signed in: SESSION_MISSING" {
		t.Errorf("after sign-out: %q", status)
	}
	replay, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch('/api/auth/login', {method: 'POST', body: document.getElementById('auth-result').dataset.pkcs7})
		.then(async r => r.status + ' ' + (await r.json()).code)`, chromedp.EvalAwaitPromise))
	if err != nil || replay != "401 CHALLENGE_INVALID" {
		t.Errorf("replayed login: %q %v", replay, err)
	}
	// The audit log saw it all, with the signer and never the challenge.
	log := st.Audit.String()
	for _, want := range []string{`"event":"login","result":"OK"`, `"event":"logout","result":"OK"`, `"event":"login","result":"CHALLENGE_INVALID"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit log lacks %s:\n%s", want, log)
		}
	}
}

// TestTimestampedSignatureInBrowser signs in the page, has the backend add
// an RFC 3161 token from daemon-sim's TSA, and verifies it at level T with
// the revocation status from daemon-sim's OCSP responder.
func TestTimestampedSignatureInBrowser(t *testing.T) {
	st := startWebStack(t)
	ctx := openPage(t, st.PageURL)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("timestamp")),
		chromedp.Click(chromedp.ID("sign")),
		waitStatus(),
	); err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
	raw, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result")))
	if !strings.HasPrefix(status, "Verified (level T)") {
		t.Fatalf("status %q\n%s", status, raw)
	}
	var rep struct {
		Signers []struct {
			Timestamp struct {
				Verified bool `json:"verified"`
			} `json:"timestamp"`
			Chain []struct {
				Status *struct {
					Status string `json:"status"`
					Source string `json:"source"`
				} `json:"status"`
			} `json:"chain"`
		} `json:"signers"`
	}
	if err := json.Unmarshal([]byte(raw), &rep); err != nil || len(rep.Signers) != 1 || !rep.Signers[0].Timestamp.Verified ||
		len(rep.Signers[0].Chain) != 3 || rep.Signers[0].Chain[0].Status == nil || rep.Signers[0].Chain[0].Status.Source != "OCSP" {
		t.Fatalf("report %s: %v", raw, err)
	}
	if n := st.PKI.Requests(); n.TSA != 1 || n.OCSP == 0 {
		t.Errorf("daemon-sim's services answered %+v", n)
	}
}
