package revocation

import (
	"bytes"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"golang.org/x/crypto/ocsp"
)

// FuzzParseOCSP feeds OCSP responses (seeded with pkisvc's good, revoked
// and error answers) to the parser: it must never panic, and never accept
// an answer that is not signed by the CA or its responder.
func FuzzParseOCSP(f *testing.F) {
	pki, err := testpki.New()
	if err != nil {
		f.Fatal(err)
	}
	user, _ := pki.Issue(testpki.Physical, testpki.P256, 1)
	svc, _ := pkisvc.New(pki)
	hs := httptest.NewServer(svc)
	defer hs.Close()
	ask := func(cert, issuer *x509.Certificate) []byte {
		req, _ := ocsp.CreateRequest(cert, issuer, nil)
		resp, err := http.Post(hs.URL+pkisvc.PathOCSP, "application/ocsp-request", bytes.NewReader(req))
		if err != nil {
			f.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	good := ask(user.Cert, pki.CA)
	f.Add(good)
	svc.Revoke(user.Cert.SerialNumber, pkisvc.KeyCompromise, time.Now())
	f.Add(ask(user.Cert, pki.CA))
	f.Add(ask(pki.CA, pki.Root))
	f.Add(ocsp.UnauthorizedErrorResponse)
	reg := sigalg.Default()
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := parseOCSP(in, user.Cert, pki.CA, reg, time.Now())
		if err == nil && a == nil {
			t.Fatal("no answer and no error")
		}
	})
}
