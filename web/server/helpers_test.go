package server_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/audit"
	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/internal/pkitest"
	"github.com/eimzokit/eimzokit/web/internal/testclock"
	"github.com/eimzokit/eimzokit/web/revocation"
	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/store"
	"github.com/eimzokit/eimzokit/web/tsp"
	"github.com/eimzokit/eimzokit/web/verify"
)

var epoch = time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)

// syncBuffer is an audit sink tests can read.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// env is a backend on loopback with the test PKI's services behind it.
type env struct {
	clock                          *testclock.Clock
	pki                            *testpki.PKI
	svc                            *pkisvc.Service
	pkiURL                         string
	physical, legal, yatt, expired *testpki.Identity
	other                          *testpki.Identity // same profile as physical, another person
	foreign                        *testpki.Identity // another PKI
	key                            *auth.Key
	st                             store.Store
	auth                           *auth.Service
	audit                          *syncBuffer
	url                            string
}

type envOption func(*server.Config)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	w := pkitest.Start(t, epoch)
	e := &env{clock: w.Clock, pki: w.PKI, svc: w.Svc, pkiURL: w.URL, audit: &syncBuffer{}}
	var err error
	issue := func(p testpki.Profile, kt testpki.KeyType, n int) *testpki.Identity { return w.Issue(t, p, kt, n) }
	e.physical = issue(testpki.Physical, testpki.RSA2048, 1)
	e.legal = issue(testpki.Legal, testpki.P256, 2)
	e.yatt = issue(testpki.YATT, testpki.P256, 3)
	e.expired = issue(testpki.Expired, testpki.P256, 4)
	e.other = issue(testpki.Physical, testpki.P256, 5)
	otherPKI, _ := testpki.New(testpki.WithClock(e.clock.Now))
	if e.foreign, err = otherPKI.Issue(testpki.Physical, testpki.P256, 1); err != nil {
		t.Fatal(err)
	}
	e.st = store.NewMemory(store.WithClock(e.clock.Now))
	if e.key, err = auth.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	e.start(t, e.st, opts...)
	return e
}

// start runs a backend instance over st and sets e.url to it.
func (e *env) start(t *testing.T, st store.Store, opts ...envOption) string {
	t.Helper()
	as, err := auth.New(st, e.key, auth.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	e.auth = as
	chk := revocation.New(sigalg.Default(), revocation.WithClock(e.clock.Now), revocation.WithOCSP(e.pkiURL+pkisvc.PathOCSP))
	cfg := server.Config{
		Verifier: verify.New(verify.WithRoots(e.pki.Root), verify.WithClock(e.clock.Now), verify.WithRevocation(chk, verify.Require)),
		Auth:     as, TSA: &tsp.Client{URL: e.pkiURL + pkisvc.PathTSA}, Audit: audit.New(e.audit, e.clock.Now), Now: e.clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	e.url = hs.URL
	return hs.URL
}

func (e *env) sign(t *testing.T, id *testpki.Identity, content []byte, detached bool) []byte {
	t.Helper()
	sd, err := cms.Sign(content, detached, cms.Signer{Key: id.Key, Certificate: id.Cert, Chain: []*x509.Certificate{e.pki.CA}, SigningTime: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	der, _ := sd.Marshal()
	return der
}

func (e *env) stamp(t *testing.T, der []byte) []byte {
	t.Helper()
	v := verify.New(verify.WithRoots(e.pki.Root), verify.WithClock(e.clock.Now))
	out, _, err := v.Timestamp(context.Background(), der, &tsp.Client{URL: e.pkiURL + pkisvc.PathTSA})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// response is a decoded answer.
type response struct {
	status  int
	body    []byte
	json    map[string]any
	cookies []*http.Cookie
	header  http.Header
}

func (r response) str(key string) string {
	v, _ := r.json[key].(string)
	return v
}

func (r response) code() string {
	if c := r.str("code"); c != "" {
		return c
	}
	if e, ok := r.json["error"].(map[string]any); ok {
		c, _ := e["code"].(string)
		return c
	}
	return ""
}

func (r response) cookie(name string) *http.Cookie {
	for _, c := range r.cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

type req struct {
	method, path string
	body         any // []byte, string, or a value to encode as JSON
	header       map[string]string
	cookies      []*http.Cookie
}

func do(t *testing.T, base string, q req) response {
	t.Helper()
	var body io.Reader
	ctype := ""
	switch b := q.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body, ctype = strings.NewReader(b), "text/plain"
	default:
		j, _ := json.Marshal(b)
		body, ctype = bytes.NewReader(j), "application/json"
	}
	hr, err := http.NewRequest(q.method, base+q.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	for k, v := range q.header {
		if k == "Host" {
			hr.Host = v
			continue
		}
		hr.Header.Set(k, v)
	}
	for _, c := range q.cookies {
		hr.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := response{status: resp.StatusCode, cookies: resp.Cookies(), header: resp.Header}
	out.body, _ = io.ReadAll(resp.Body)
	_ = json.Unmarshal(out.body, &out.json)
	return out
}
