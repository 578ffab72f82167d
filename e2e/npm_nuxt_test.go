package e2e

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var listening = regexp.MustCompile(`Listening on http://127\.0\.0\.1:(\d+)`)

// nuxtApp runs the Nuxt app's production server (Nitro's node-server, as
// `nuxi build` made it) on a free loopback port, with the simulator's
// address in NUXT_PUBLIC_EIMZO_URL: the module merges its `eimzo` key into
// runtimeConfig.public.eimzo, which the environment overrides at run time.
//
// It is served without the strict CSP: Nuxt's server-rendered page carries
// an inline script (window.__NUXT__.config) that needs a nonce or a hash,
// which js/README.md's CSP section explains.
func nuxtApp(t *testing.T, simURL string) string {
	t.Helper()
	dir := appDir(t, "nuxt/.output")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not on PATH")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "server", "index.mjs"))
	cmd.Env = append(os.Environ(), "PORT=0", "HOST=127.0.0.1", "NUXT_PUBLIC_EIMZO_URL="+simURL)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("nuxt server stderr:\n%s", stderr.String())
		}
	})
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				port <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case p := <-port:
		return "http://localhost:" + p + "/"
	case <-time.After(60 * time.Second):
		t.Fatalf("the Nuxt server did not start: %s", stderr.String())
		return ""
	}
}

// checkNuxt checks what only the Nuxt module does: the page is rendered on
// the server with useEimzo() (an empty state, no error; a call there is
// BROWSER_ONLY, handed to the page by useState), the options merged
// from the `eimzo` key, runtimeConfig and the environment reach the
// browser, and useNuxtApp().$eimzo is useEimzo()'s client.
func checkNuxt(t *testing.T, ctx context.Context, page, simURL string) {
	t.Helper()
	res, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(res.Body)
	res.Body.Close()
	// A call during server rendering is BROWSER_ONLY, in the app's lang.
	const serverCall = "EimzoError|BROWSER_ONLY|eimzokit runs in the browser only"
	for _, want := range []string{`id="state" data-done="0" data-loading="false" data-count="0"`, `data-rendered="server"`, `data-server-call="` + serverCall + `"`} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the server-rendered page lacks %s:\n%s", want, html)
		}
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`({...document.getElementById('nuxt').dataset})`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sameClient": "true", "timeout": "60000", "lang": "en", "url": simURL, "serverCall": serverCall}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("#nuxt data-%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}
