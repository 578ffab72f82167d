package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/eimzokit/eimzokit/e2e/browser"
	"github.com/eimzokit/eimzokit/wasm/eimzo/eimzotest"
)

// clientCSP is the policy the client pages are served with: no inline
// script, wasm allowed, sockets to the daemon only.
const clientCSP = "default-src 'self'; img-src 'self' data:; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws://127.0.0.1:* wss://127.0.0.1:*"

// clientSite serves the client's test pages (e2e/testdata/client under
// /client/), the built npm package (js/dist under /eimzokit/), a TSA at
// /tsa, and whatever extra handlers a test adds.
type clientSite struct {
	URL  string // http://localhost:PORT
	Port string
	TSA  *eimzotest.TSA
	mux  *http.ServeMux
}

func startClientSite(t testing.TB) *clientSite {
	t.Helper()
	s := &clientSite{TSA: eimzotest.NewTSA(t, nil), mux: http.NewServeMux()}
	static := func(dir string) http.Handler {
		fs := http.FileServer(http.Dir(dir))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", clientCSP)
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Access-Control-Allow-Origin", "*")
			fs.ServeHTTP(w, r)
		})
	}
	s.mux.Handle("/eimzokit/", http.StripPrefix("/eimzokit/", static(assetsDir(t))))
	s.mux.Handle("/client/", http.StripPrefix("/client/", static(filepath.Join(repoRoot(t), "e2e", "testdata", "client"))))
	s.mux.Handle("/tsa", s.TSA.Handler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}}
	hs.Start()
	t.Cleanup(hs.Close)
	_, s.Port, _ = net.SplitHostPort(ln.Addr().String())
	s.URL = "http://localhost:" + s.Port
	return s
}

// Handle adds a handler.
func (s *clientSite) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// page is the test page's URL with the daemon's URL as a parameter.
func (s *clientSite) page(daemon string) string {
	return s.URL + "/client/index.html?daemon=" + url.QueryEscape(daemon)
}

// open navigates ctx to the test page and waits for the module to load.
func open(t testing.TB, ctx context.Context, pageURL string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(pageURL),
		chromedp.Poll[chromedp.Void](`document.getElementById('state').textContent === 'ready'`, chromedp.WithPollingTimeout(30*time.Second)),
	); err != nil {
		t.Fatalf("open %s: %v", pageURL, err)
	}
}

// pageOutcome is what the page's outcome() returns.
type pageOutcome struct {
	OK           bool            `json:"ok"`
	Value        json.RawMessage `json:"value"`
	Code         string          `json:"code"`
	Name         string          `json:"name"`
	Message      string          `json:"message"`
	Hint         string          `json:"hint"`
	Status       *int            `json:"status"`
	CloseCode    *int            `json:"closeCode"`
	IsEimzoError bool            `json:"isEimzoError"`
	ClassName    string          `json:"className"`
}

// run evaluates an async JavaScript function body on the page (with
// eimzokit's exports in scope as `ek`) and settles its result.
func run(t testing.TB, ctx context.Context, body string) pageOutcome {
	t.Helper()
	expr := `outcome((async () => { const ek = window.eimzokit; ` + body + ` })()).then(o => JSON.stringify(o))`
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate: %v\n%s", err, body)
	}
	var o pageOutcome
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		t.Fatalf("outcome %q: %v", raw, err)
	}
	return o
}

// mustRun is run for a call that must succeed; it decodes the value into v.
func mustRun(t testing.TB, ctx context.Context, body string, v any) {
	t.Helper()
	o := run(t, ctx, body)
	if !o.OK {
		t.Fatalf("%s: %s %s", strings.TrimSpace(body), o.Code, o.Message)
	}
	if v != nil {
		if err := json.Unmarshal(o.Value, v); err != nil {
			t.Fatalf("value %s: %v", o.Value, err)
		}
	}
}

// clientBrowser starts Chromium for the client tests.
func clientBrowser(t testing.TB, opts ...browser.Option) context.Context {
	t.Helper()
	return browser.New(t, opts...)
}
