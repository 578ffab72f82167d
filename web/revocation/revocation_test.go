package revocation_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/internal/pkitest"
	"github.com/eimzokit/eimzokit/web/internal/testclock"
	"github.com/eimzokit/eimzokit/web/revocation"
	"golang.org/x/crypto/ocsp"
)

var epoch = time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)

type fixture struct {
	clock          *testclock.Clock
	pki            *testpki.PKI
	svc            *pkisvc.Service
	base           string
	linked, bare   *testpki.Identity
	ocspURL        string
	caCRL, rootCRL string
}

func start(t *testing.T) *fixture {
	t.Helper()
	w := pkitest.Start(t, epoch)
	f := &fixture{clock: w.Clock, pki: w.PKI, svc: w.Svc, base: w.URL,
		ocspURL: w.URL + pkisvc.PathOCSP, caCRL: w.URL + pkisvc.PathCACRL, rootCRL: w.URL + pkisvc.PathRootCRL}
	f.linked = w.IssueLinked(t, testpki.Physical, testpki.P256, 1)
	f.bare = w.Issue(t, testpki.Legal, testpki.RSA2048, 2)
	return f
}

func (f *fixture) checker(opts ...revocation.Option) *revocation.Checker {
	return revocation.New(sigalg.Default(), append([]revocation.Option{revocation.WithClock(f.clock.Now)}, opts...)...)
}

func TestOCSPAndCache(t *testing.T) {
	f := start(t)
	c := f.checker()
	ctx := context.Background()
	r, err := c.Check(ctx, f.linked.Cert, f.pki.CA)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != revocation.Good || r.Source != "OCSP" || r.URL != f.ocspURL || r.Cached || len(r.OCSP) == 0 || !r.ThisUpdate.Equal(epoch) {
		t.Fatalf("first answer %+v", r)
	}
	if r, err = c.Check(ctx, f.linked.Cert, f.pki.CA); err != nil || !r.Cached || f.svc.Requests().OCSP != 1 {
		t.Fatalf("second answer %+v %v, %d OCSP requests", r, err, f.svc.Requests().OCSP)
	}
	at := epoch.Add(-time.Minute)
	f.svc.Revoke(f.linked.Cert.SerialNumber, pkisvc.KeyCompromise, at)
	// Cached for DefaultCacheTTL: a revocation shows after that.
	if r, _ = c.Check(ctx, f.linked.Cert, f.pki.CA); r.Status != revocation.Good {
		t.Fatalf("within the cache TTL: %v", r.Status)
	}
	f.clock.Add(revocation.DefaultCacheTTL)
	r, err = c.Check(ctx, f.linked.Cert, f.pki.CA)
	if err != nil || r.Status != revocation.Revoked || !r.RevokedAt.Equal(at) || r.Reason != int(pkisvc.KeyCompromise) || r.Cached {
		t.Fatalf("after the TTL: %+v %v", r, err)
	}
}

func TestCRL(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	if _, err := f.checker().Check(ctx, f.bare.Cert, f.pki.CA); !errors.Is(err, revocation.ErrUnavailable) ||
		!strings.Contains(err.Error(), "names no OCSP responder or CRL") {
		t.Fatalf("no source: %v", err)
	}
	c := f.checker(revocation.WithCRL(f.rootCRL, f.caCRL))
	r, err := c.Check(ctx, f.bare.Cert, f.pki.CA)
	if err != nil || r.Status != revocation.Good || r.Source != "CRL" || r.URL != f.caCRL {
		t.Fatalf("CRL: %+v %v", r, err)
	}
	r, err = c.Check(ctx, f.pki.CA, f.pki.Root)
	if err != nil || r.Status != revocation.Good || r.URL != f.rootCRL {
		t.Fatalf("the CA by the root's CRL: %+v %v", r, err)
	}
	n := f.svc.Requests().CRL
	for range 5 {
		if r, _ = c.Check(ctx, f.bare.Cert, f.pki.CA); !r.Cached {
			t.Error("not cached")
		}
	}
	if f.svc.Requests().CRL != n {
		t.Errorf("CRL fetched again within its freshness: %d → %d", n, f.svc.Requests().CRL)
	}
	at := epoch.Add(-2 * time.Hour)
	f.svc.Revoke(f.bare.Cert.SerialNumber, pkisvc.AffiliationChanged, at)
	f.svc.Revoke(f.pki.CA.SerialNumber, pkisvc.CACompromise, at)
	fresh := f.checker(revocation.WithCRL(f.caCRL, f.rootCRL))
	r, err = fresh.Check(ctx, f.bare.Cert, f.pki.CA)
	if err != nil || r.Status != revocation.Revoked || !r.RevokedAt.Equal(at) || r.Reason != int(pkisvc.AffiliationChanged) {
		t.Fatalf("revoked by CRL: %+v %v", r, err)
	}
	if r, err = fresh.Check(ctx, f.pki.CA, f.pki.Root); err != nil || r.Status != revocation.Revoked {
		t.Fatalf("revoked CA: %+v %v", r, err)
	}
	// The configured OCSP responder answers for certificates that name none.
	r, err = f.checker(revocation.WithOCSP(f.ocspURL)).Check(ctx, f.bare.Cert, f.pki.CA)
	if err != nil || r.Source != "OCSP" || r.Status != revocation.Revoked {
		t.Fatalf("configured OCSP: %+v %v", r, err)
	}
}

func TestConcurrentFetchesOnce(t *testing.T) {
	f := start(t)
	c := f.checker(revocation.WithCRL(f.caCRL))
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			r, err := c.Check(context.Background(), f.bare.Cert, f.pki.CA)
			if err == nil && r.Status != revocation.Good {
				err = errors.New(r.Status.String())
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.svc.Requests().CRL; n != 1 {
		t.Errorf("%d CRL fetches for 32 concurrent checks, want 1", n)
	}
}

func TestUnavailable(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func()
		want  string
	}{
		{"stale", func() { f.svc.SetUpdate(epoch.Add(-48*time.Hour), epoch.Add(-24*time.Hour)) }, "nextUpdate"},
		{"from the future", func() { f.svc.SetUpdate(epoch.Add(time.Hour), epoch.Add(25*time.Hour)) }, "in the future"},
		{"older than the max age", func() { f.svc.SetUpdate(epoch.Add(-8*24*time.Hour), epoch.Add(time.Hour)) }, "older than"},
		{"responder down", func() { f.svc.SetUnavailable(true) }, "503"},
	}
	for _, tt := range tests {
		f.svc.SetUpdate(time.Time{}, time.Time{})
		f.svc.SetUnavailable(false)
		tt.setup()
		c := f.checker(revocation.WithCRL(f.caCRL))
		_, err := c.Check(ctx, f.linked.Cert, f.pki.CA)
		if !errors.Is(err, revocation.ErrUnavailable) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want ErrUnavailable saying %q", tt.name, err, tt.want)
		}
		if strings.Count(err.Error(), tt.want) < 2 {
			t.Errorf("%s: both OCSP and CRL should have been tried: %v", tt.name, err)
		}
	}
}

// TestForgedAnswers serves OCSP answers and CRLs signed by an impostor
// whose certificate carries the real CA's name.
func TestForgedAnswers(t *testing.T) {
	f := start(t)
	fakeKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := *f.pki.CA
	tmpl.RawSubject, tmpl.SubjectKeyId, tmpl.PublicKey = f.pki.CA.RawSubject, nil, fakeKey.Public()
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, fakeKey.Public(), fakeKey)
	if err != nil {
		t.Fatal(err)
	}
	fake, _ := x509.ParseCertificate(der)
	mux := http.NewServeMux()
	mux.HandleFunc("/ocsp", func(w http.ResponseWriter, r *http.Request) {
		resp, err := ocsp.CreateResponse(f.pki.CA, fake, ocsp.Response{Status: ocsp.Good, SerialNumber: f.linked.Cert.SerialNumber,
			ThisUpdate: epoch, NextUpdate: epoch.Add(time.Hour), Certificate: fake}, fakeKey)
		if err != nil {
			t.Error(err)
		}
		_, _ = w.Write(resp)
	})
	mux.HandleFunc("/crl", func(w http.ResponseWriter, r *http.Request) {
		crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: epoch, NextUpdate: epoch.Add(time.Hour)}, fake, fakeKey)
		if err != nil {
			t.Error(err)
		}
		_, _ = w.Write(crl)
	})
	// A delegated responder of another CA.
	other, _ := testpki.New()
	otherResponder, err := other.IssueService(testpki.OCSPResponder, testpki.P256)
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("/ocsp2", func(w http.ResponseWriter, r *http.Request) {
		resp, _ := ocsp.CreateResponse(f.pki.CA, otherResponder.Cert, ocsp.Response{Status: ocsp.Good, SerialNumber: f.bare.Cert.SerialNumber,
			ThisUpdate: epoch, NextUpdate: epoch.Add(time.Hour), Certificate: otherResponder.Cert}, otherResponder.Key)
		_, _ = w.Write(resp)
	})
	hs := httptest.NewServer(mux)
	defer hs.Close()
	_, err = f.checker(revocation.WithOCSP(hs.URL+"/ocsp", hs.URL+"/ocsp2"), revocation.WithCRL(hs.URL+"/crl")).Check(context.Background(), f.bare.Cert, f.pki.CA)
	if !errors.Is(err, revocation.ErrUnavailable) || !strings.Contains(err.Error(), "OCSP signature") ||
		!strings.Contains(err.Error(), "the OCSP responder's certificate") || !strings.Contains(err.Error(), "CRL signature") {
		t.Errorf("forged answers: %v", err)
	}
	// A foreign issuer: the responder says unauthorized.
	o, _ := other.Issue(testpki.Physical, testpki.P256, 1)
	if _, err := f.checker(revocation.WithOCSP(f.ocspURL)).Check(context.Background(), o.Cert, other.CA); !errors.Is(err, revocation.ErrUnavailable) || !strings.Contains(err.Error(), "unauthorized") {
		t.Errorf("foreign issuer: %v", err)
	}
}
