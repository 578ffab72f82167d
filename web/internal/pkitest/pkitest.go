// Package pkitest gives web/ tests daemon-sim's test PKI on a fake clock,
// with its online services (TSA, OCSP, CRLs: daemon-sim/pkisvc) served over
// real HTTP on a free loopback port until the test ends.
//
//	w := pkitest.Start(t, time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
//	user, _ := w.PKI.IssueLinked(testpki.Physical, testpki.P256, 1, w.Links())
//	w.Clock.Add(time.Hour)
package pkitest

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/internal/testclock"
	"github.com/eimzokit/eimzokit/web/tsp"
)

// World is a running test PKI.
type World struct {
	Clock *testclock.Clock
	PKI   *testpki.PKI
	Svc   *pkisvc.Service
	URL   string // where Svc is served: URL+pkisvc.PathOCSP, …
}

// Start makes a PKI dated at now and serves its services.
func Start(t testing.TB, now time.Time) *World {
	t.Helper()
	w := &World{Clock: testclock.New(now)}
	var err error
	if w.PKI, err = testpki.New(testpki.WithClock(w.Clock.Now)); err != nil {
		t.Fatal(err)
	}
	if w.Svc, err = pkisvc.New(w.PKI, pkisvc.WithClock(w.Clock.Now)); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(w.Svc)
	t.Cleanup(hs.Close)
	w.URL = hs.URL
	return w
}

// Links are the service URLs certificates should name.
func (w *World) Links() testpki.Links { return w.Svc.Links(w.URL) }

// TSA is a client of the time-stamping authority.
func (w *World) TSA() *tsp.Client { return &tsp.Client{URL: w.URL + pkisvc.PathTSA} }

// Issue makes a user certificate (that names no service), or fails t.
func (w *World) Issue(t testing.TB, p testpki.Profile, kt testpki.KeyType, n int, opts ...testpki.IssueOption) *testpki.Identity {
	t.Helper()
	id, err := w.PKI.Issue(p, kt, n, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// IssueLinked makes a user certificate naming the services, or fails t.
func (w *World) IssueLinked(t testing.TB, p testpki.Profile, kt testpki.KeyType, n int, opts ...testpki.IssueOption) *testpki.Identity {
	t.Helper()
	id, err := w.PKI.IssueLinked(p, kt, n, w.Links(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
