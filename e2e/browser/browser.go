// Package browser starts headless Chromium for the end-to-end suites, with
// the flags that work on a closed CI machine, and collects the page's
// console so a failing test can print it.
package browser

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ExecPath finds Chromium: $CHROMIUM, /usr/bin/chromium, or chromium on PATH.
func ExecPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// Option adds allocator flags.
type Option = chromedp.ExecAllocatorOption

// New starts a browser for t and returns a tab's context, cancelled when the
// test ends. On failure the page's console is logged.
func New(t testing.TB, opts ...Option) context.Context {
	t.Helper()
	path := ExecPath()
	if path == "" {
		t.Fatal("no Chromium: run `make test` (it installs Debian's chromium) or set $CHROMIUM")
	}
	all := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
	)
	all = append(all, opts...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), all...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)

	// Start the browser now and drain its console.
	if err := chromedp.Do(ctx); err != nil {
		cancelTimeout()
		cancel()
		cancelAlloc()
		t.Fatalf("starting Chromium: %v", err)
	}
	var mu sync.Mutex
	var lines []string
	done := make(chan struct{})
	msgs := chromedp.Console(ctx)
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			mu.Lock()
			lines = append(lines, string(m.Type)+": "+m.Text)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			mu.Lock()
			t.Logf("browser console:\n  %s", strings.Join(lines, "\n  "))
			mu.Unlock()
		}
		cancelTimeout()
		cancel()
		cancelAlloc()
		<-done
	})
	return ctx
}
