package e2e

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/eimzokit/eimzokit/e2e/browser"
)

type report struct {
	Valid   bool   `json:"valid"`
	Code    string `json:"code"`
	Content string `json:"content"`
	Signers []struct {
		Identity struct {
			CommonName string `json:"commonName"`
			PINFL      string `json:"pinfl"`
		} `json:"identity"`
		SerialNumber string `json:"serialNumber"`
	} `json:"signers"`
}

// TestDemoSignsAndVerifies drives the demo page in headless Chromium: list
// the simulator's keys, sign the text, and check the backend's report; then
// check the same CMS with OpenSSL against the test root.
func TestDemoSignsAndVerifies(t *testing.T) {
	st := startStack(t)
	ctx := browser.New(t)
	text := "Hujjat: 2026-yil 23-noyabr. Ўзбекистон Республикаси — o‘zbek tili ʼ ✓"
	for _, detached := range []bool{false, true} {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(st.PageURL),
			chromedp.Click(chromedp.ID("list")),
			waitStatus(),
		); err != nil {
			t.Fatalf("list keys: %v", err)
		}
		if status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status"))); status != "6 keys" {
			t.Fatalf("status after listing: %q", status)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#keys option').length`))
		if err != nil || n != 6 {
			t.Fatalf("the page lists %d keys (%v), want 6", n, err)
		}
		version, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("version")))
		if !strings.Contains(version, "6.4.7") {
			t.Errorf("version shown: %q", version)
		}
		if detached {
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("detached"))); err != nil {
				t.Fatal(err)
			}
		}
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.ID("sign")),
			waitStatus(),
		); err != nil {
			t.Fatalf("sign: %v", err)
		}
		status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
		if !strings.HasPrefix(status, "Verified") {
			t.Fatalf("detached=%v: status %q", detached, status)
		}
		raw, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result")))
		if err != nil {
			t.Fatal(err)
		}
		var rep report
		if err := json.Unmarshal([]byte(raw), &rep); err != nil {
			t.Fatalf("report %q: %v", raw, err)
		}
		content, _ := base64.StdEncoding.DecodeString(rep.Content)
		if !rep.Valid || string(content) != text || len(rep.Signers) != 1 || rep.Signers[0].Identity.PINFL == "" {
			t.Fatalf("report: %+v (content %q)", rep, content)
		}
		pkcs7, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('result').dataset.pkcs7`))
		if err != nil {
			t.Fatal(err)
		}
		opensslVerify(t, st, pkcs7, text, detached)
	}
}

// opensslVerify checks a CMS with `openssl cms -verify` against the test
// root: the signature, the chain and the content.
func opensslVerify(t *testing.T, st *stack, pkcs7, text string, detached bool) {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(pkcs7)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sig := filepath.Join(dir, "sig.der")
	out := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(sig, der, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"cms", "-verify", "-inform", "DER", "-in", sig, "-CAfile", st.Sim.Data.RootPath(), "-binary", "-out", out}
	if detached {
		data := filepath.Join(dir, "data.txt")
		if err := os.WriteFile(data, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-content", data)
	}
	cmd := exec.Command("openssl", args...)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	if !strings.Contains(string(msg), "Verification successful") {
		t.Errorf("openssl says %q", msg)
	}
	got, _ := os.ReadFile(out)
	if string(got) != text {
		t.Errorf("openssl's content %q, want %q", got, text)
	}
	// And a flipped byte in the content must fail.
	bad := []byte(text)
	bad[0] ^= 1
	if detached {
		_ = os.WriteFile(filepath.Join(dir, "data.txt"), bad, 0o600)
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err == nil {
			t.Errorf("openssl verified changed content: %s", out)
		}
	}
}

// waitStatus waits until the page's status is final: not empty and not a
// progress message ending in "…".
func waitStatus() chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`(s => s !== '' && !s.endsWith('…'))(document.getElementById('status').textContent)`,
		chromedp.WithPollingTimeout(60*time.Second))
}
