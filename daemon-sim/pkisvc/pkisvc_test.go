package pkisvc_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"golang.org/x/crypto/ocsp"
)

var epoch = time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)

type fixture struct {
	pki  *testpki.PKI
	user *testpki.Identity
	svc  *pkisvc.Service
	url  string
	now  *time.Time
}

func start(t *testing.T, opts ...pkisvc.Option) *fixture {
	t.Helper()
	now := epoch
	clock := func() time.Time { return now }
	pki, err := testpki.New(testpki.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := pkisvc.New(pki, append([]pkisvc.Option{pkisvc.WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(http.StripPrefix("/pki", svc))
	t.Cleanup(hs.Close)
	user, err := pki.IssueLinked(testpki.Physical, testpki.P256, 1, svc.Links(hs.URL+"/pki"))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{pki: pki, user: user, svc: svc, url: hs.URL + "/pki", now: &now}
}

func get(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", u, resp.Status, b)
	}
	return b
}

func post(t *testing.T, u, ctype string, body []byte) []byte {
	t.Helper()
	resp, err := http.Post(u, ctype, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s %s", u, resp.Status, b)
	}
	return b
}

func crl(t *testing.T, f *fixture, path string, issuer *x509.Certificate) *x509.RevocationList {
	t.Helper()
	l, err := x509.ParseRevocationList(get(t, f.url+path))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CheckSignatureFrom(issuer); err != nil {
		t.Fatalf("%s: signature: %v", path, err)
	}
	return l
}

func TestLinks(t *testing.T) {
	f := start(t)
	if got := f.user.Cert.OCSPServer; len(got) != 1 || got[0] != f.url+pkisvc.PathOCSP {
		t.Errorf("OCSP server %v", got)
	}
	if got := f.user.Cert.CRLDistributionPoints; len(got) != 1 || got[0] != f.url+pkisvc.PathCACRL {
		t.Errorf("CRL DP %v", got)
	}
	if _, err := f.user.Cert.Verify(x509.VerifyOptions{Roots: pool(f.pki.Root), Intermediates: pool(f.pki.CA),
		CurrentTime: epoch, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("linked certificate does not chain: %v", err)
	}
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

func TestCRL(t *testing.T) {
	f := start(t, pkisvc.WithUpdateInterval(6*time.Hour))
	l := crl(t, f, pkisvc.PathCACRL, f.pki.CA)
	if len(l.RevokedCertificateEntries) != 0 || !l.ThisUpdate.Equal(epoch) || !l.NextUpdate.Equal(epoch.Add(6*time.Hour)) {
		t.Fatalf("fresh CRL: %d entries, %v..%v", len(l.RevokedCertificateEntries), l.ThisUpdate, l.NextUpdate)
	}
	at := epoch.Add(-time.Minute)
	f.svc.Revoke(f.user.Cert.SerialNumber, pkisvc.KeyCompromise, at)
	f.svc.Revoke(f.pki.CA.SerialNumber, pkisvc.CACompromise, at)
	l2 := crl(t, f, pkisvc.PathCACRL, f.pki.CA)
	if len(l2.RevokedCertificateEntries) != 1 {
		t.Fatalf("CA CRL after revocation: %d entries", len(l2.RevokedCertificateEntries))
	}
	e := l2.RevokedCertificateEntries[0]
	if e.SerialNumber.Cmp(f.user.Cert.SerialNumber) != 0 || e.ReasonCode != int(pkisvc.KeyCompromise) || !e.RevocationTime.Equal(at) {
		t.Errorf("entry %+v", e)
	}
	if l2.Number.Cmp(l.Number) <= 0 {
		t.Errorf("CRL number %v after %v", l2.Number, l.Number)
	}
	root := crl(t, f, pkisvc.PathRootCRL, f.pki.Root)
	if len(root.RevokedCertificateEntries) != 1 || root.RevokedCertificateEntries[0].SerialNumber.Cmp(f.pki.CA.SerialNumber) != 0 ||
		root.RevokedCertificateEntries[0].ReasonCode != int(pkisvc.CACompromise) {
		t.Errorf("root CRL entries %+v", root.RevokedCertificateEntries)
	}
	this, next := epoch.Add(-72*time.Hour), epoch.Add(-48*time.Hour)
	f.svc.SetUpdate(this, next)
	f.svc.Reinstate(f.user.Cert.SerialNumber)
	l3 := crl(t, f, pkisvc.PathCACRL, f.pki.CA)
	if !l3.ThisUpdate.Equal(this) || !l3.NextUpdate.Equal(next) || len(l3.RevokedCertificateEntries) != 0 {
		t.Errorf("pinned CRL: %v..%v, %d entries", l3.ThisUpdate, l3.NextUpdate, len(l3.RevokedCertificateEntries))
	}
	if n := f.svc.Requests().CRL; n != 4 {
		t.Errorf("%d CRL requests counted, want 4", n)
	}
}

func TestOCSP(t *testing.T) {
	f := start(t)
	ask := func(cert, issuer *x509.Certificate, h crypto.Hash, viaGet bool) (*ocsp.Response, error) {
		req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: h})
		if err != nil {
			t.Fatal(err)
		}
		var der []byte
		if viaGet {
			der = get(t, f.url+pkisvc.PathOCSP+"/"+url.PathEscape(base64.StdEncoding.EncodeToString(req)))
		} else {
			der = post(t, f.url+pkisvc.PathOCSP, "application/ocsp-request", req)
		}
		return ocsp.ParseResponseForCert(der, cert, issuer)
	}
	for _, viaGet := range []bool{false, true} {
		r, err := ask(f.user.Cert, f.pki.CA, crypto.SHA1, viaGet)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != ocsp.Good || !r.ThisUpdate.Equal(epoch) || !r.NextUpdate.Equal(epoch.Add(24*time.Hour)) {
			t.Errorf("get=%v: status %d, %v..%v", viaGet, r.Status, r.ThisUpdate, r.NextUpdate)
		}
		if r.Certificate == nil || !r.Certificate.Equal(f.svc.OCSPCertificate()) {
			t.Errorf("get=%v: the delegated responder's certificate is not in the answer", viaGet)
		}
	}
	at := epoch.Add(-time.Hour)
	f.svc.Revoke(f.user.Cert.SerialNumber, pkisvc.Superseded, at)
	r, err := ask(f.user.Cert, f.pki.CA, crypto.SHA256, false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != ocsp.Revoked || !r.RevokedAt.Equal(at) || r.RevocationReason != int(pkisvc.Superseded) {
		t.Errorf("revoked: status %d at %v reason %d", r.Status, r.RevokedAt, r.RevocationReason)
	}
	// The issuing CA's own status comes from the root, signed by the root.
	r, err = ask(f.pki.CA, f.pki.Root, crypto.SHA1, false)
	if err != nil || r.Status != ocsp.Good || r.Certificate != nil {
		t.Fatalf("CA status: %v %+v", err, r)
	}
	f.svc.Revoke(f.pki.CA.SerialNumber, pkisvc.CACompromise, at)
	if r, err = ask(f.pki.CA, f.pki.Root, crypto.SHA1, false); err != nil || r.Status != ocsp.Revoked {
		t.Fatalf("revoked CA: %v %+v", err, r)
	}

	// Errors, as OCSP error responses.
	other, _ := testpki.New()
	otherUser, _ := other.Issue(testpki.Physical, testpki.P256, 1)
	req, _ := ocsp.CreateRequest(otherUser.Cert, other.CA, nil)
	var re ocsp.ResponseError
	if _, err := ocsp.ParseResponse(post(t, f.url+pkisvc.PathOCSP, "application/ocsp-request", req), nil); !errors.As(err, &re) || re.Status != ocsp.Unauthorized {
		t.Errorf("foreign issuer: %v", err)
	}
	if _, err := ocsp.ParseResponse(post(t, f.url+pkisvc.PathOCSP, "application/ocsp-request", []byte("junk")), nil); !errors.As(err, &re) || re.Status != ocsp.Malformed {
		t.Errorf("junk: %v", err)
	}
	if _, err := ocsp.ParseResponse(get(t, f.url+pkisvc.PathOCSP+"/!!notbase64"), nil); !errors.As(err, &re) || re.Status != ocsp.Malformed {
		t.Errorf("bad base64: %v", err)
	}
}

func TestTSA(t *testing.T) {
	f := start(t)
	digest := crypto.SHA256.New()
	digest.Write([]byte("signature value"))
	sum := digest.Sum(nil)
	nonce := big.NewInt(0x5eed)
	req := &timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: sum, Certificates: true, Nonce: nonce}
	der, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ts, err := timestamp.ParseResponse(post(t, f.url+pkisvc.PathTSA, "application/timestamp-query", der))
	if err != nil {
		t.Fatal(err)
	}
	if !ts.Time.Equal(epoch) || !bytes.Equal(ts.HashedMessage, sum) || ts.Nonce.Cmp(nonce) != 0 || !ts.Policy.Equal(pkisvc.DefaultPolicy) {
		t.Errorf("token: time %v nonce %v policy %v", ts.Time, ts.Nonce, ts.Policy)
	}
	tsa := f.svc.TSACertificate()
	found := false
	for _, c := range ts.Certificates {
		found = found || c.Equal(tsa)
	}
	if !found {
		t.Error("the TSA certificate is not in the token although certReq was set")
	}
	if _, err := tsa.Verify(x509.VerifyOptions{Roots: pool(f.pki.Root), Intermediates: pool(f.pki.CA), CurrentTime: epoch,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		t.Errorf("TSA certificate: %v", err)
	}
	critical := false
	for _, e := range tsa.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 37}) {
			critical = e.Critical
		}
	}
	if !critical {
		t.Error("the TSA's extended key usage is not critical (RFC 3161 §2.3)")
	}

	rejections := []struct {
		name string
		req  *timestamp.Request
		raw  []byte
		want string
	}{
		{"other policy", &timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: sum, TSAPolicyOID: asn1.ObjectIdentifier{1, 2, 3}}, nil, "policy is not supported"},
		{"SHA-1", &timestamp.Request{HashAlgorithm: crypto.SHA1, HashedMessage: sum[:20]}, nil, "unrecognized or unsupported Algorithm Identifier"},
		{"short imprint", &timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: sum[:5]}, nil, "wrong format"},
		{"junk", nil, []byte("not a request"), "wrong format"},
	}
	for _, tt := range rejections {
		body := tt.raw
		if tt.req != nil {
			body, _ = tt.req.Marshal()
		}
		_, err := timestamp.ParseResponse(post(t, f.url+pkisvc.PathTSA, "application/timestamp-query", body))
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tt.want)) {
			t.Errorf("%s: %v, want a rejection saying %q", tt.name, err, tt.want)
		}
	}
}

func TestUnavailable(t *testing.T) {
	f := start(t)
	f.svc.SetUnavailable(true)
	resp, err := http.Get(f.url + pkisvc.PathCACRL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("unavailable: %s", resp.Status)
	}
	f.svc.SetUnavailable(false)
	crl(t, f, pkisvc.PathCACRL, f.pki.CA)
}
