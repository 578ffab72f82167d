package pkisvc

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"golang.org/x/crypto/ocsp"
)

// Paths the handler serves, relative to where it is mounted.
const (
	PathTSA     = "/tsa"          // POST application/timestamp-query (RFC 3161 §3.4)
	PathOCSP    = "/ocsp"         // POST application/ocsp-request, or GET /ocsp/{base64} (RFC 6960 A.1)
	PathCACRL   = "/crl/ca.crl"   // GET: the issuing CA's CRL (RFC 5280 §5), DER
	PathRootCRL = "/crl/root.crl" // GET: the root's CRL, which covers the issuing CA
)

// maxRequest bounds TSA and OCSP request bodies: both are a few hundred bytes.
const maxRequest = 64 << 10

// DefaultPolicy is the TSA policy of the tokens the service issues: an OID
// under 2.999, the arc ITU-T X.660 reserves for examples, because this TSA
// is a test.
var DefaultPolicy = asn1.ObjectIdentifier{2, 999, 3161, 1}

// Reason is a CRLReason (RFC 5280 §5.3.1).
type Reason int

// Revocation reasons. 7 is not used by RFC 5280.
const (
	Unspecified          Reason = 0
	KeyCompromise        Reason = 1
	CACompromise         Reason = 2
	AffiliationChanged   Reason = 3
	Superseded           Reason = 4
	CessationOfOperation Reason = 5
	CertificateHold      Reason = 6
	RemoveFromCRL        Reason = 8
	PrivilegeWithdrawn   Reason = 9
	AACompromise         Reason = 10
)

// Revocation is a revoked certificate.
type Revocation struct {
	Serial *big.Int
	Reason Reason
	At     time.Time
}

// Requests counts the requests each service answered.
type Requests struct{ TSA, OCSP, CRL int64 }

// Option configures [New].
type Option func(*Service)

// WithClock sets the clock that dates tokens, CRLs and OCSP responses.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithUpdateInterval sets how long CRLs and OCSP responses stay current:
// nextUpdate = thisUpdate + d. The default is 24 hours.
func WithUpdateInterval(d time.Duration) Option { return func(s *Service) { s.interval = d } }

// WithTSAPolicy sets the TSA policy OID of the tokens.
func WithTSAPolicy(oid asn1.ObjectIdentifier) Option { return func(s *Service) { s.policy = oid } }

// WithKeyType sets the key type of the TSA and OCSP responder certificates
// (default ECDSA P-256).
func WithKeyType(kt testpki.KeyType) Option { return func(s *Service) { s.keyType = kt } }

// Service is the test PKI's time-stamping authority, CRL distribution point
// and OCSP responder, as one http.Handler.
type Service struct {
	pki      *testpki.PKI
	tsa      *testpki.Identity
	ocsp     *testpki.Identity
	now      func() time.Time
	interval time.Duration
	policy   asn1.ObjectIdentifier
	keyType  testpki.KeyType
	mux      *http.ServeMux

	mu         sync.Mutex
	thisUpdate time.Time // zero: the clock
	nextUpdate time.Time // zero: thisUpdate + interval
	crlNumber  int64

	down                   atomic.Bool
	nTSA, nOCSP, nCRL      atomic.Int64
	rootKey, caKey         crypto.Signer
	rootKeyHash, caKeyHash map[crypto.Hash][]byte
}

// New makes the services of pki: it issues a TSA certificate and a delegated
// OCSP responder certificate from pki's issuing CA.
func New(pki *testpki.PKI, opts ...Option) (*Service, error) {
	s := &Service{pki: pki, now: time.Now, interval: 24 * time.Hour, policy: DefaultPolicy,
		keyType: testpki.P256}
	for _, o := range opts {
		o(s)
	}
	var err error
	if s.rootKey, err = pki.IssuerKey(pki.Root); err != nil {
		return nil, err
	}
	if s.caKey, err = pki.IssuerKey(pki.CA); err != nil {
		return nil, err
	}
	if s.tsa, err = pki.IssueService(testpki.TSA, s.keyType); err != nil {
		return nil, err
	}
	if s.ocsp, err = pki.IssueService(testpki.OCSPResponder, s.keyType); err != nil {
		return nil, err
	}
	if s.rootKeyHash, err = keyHashes(pki.Root); err != nil {
		return nil, err
	}
	if s.caKeyHash, err = keyHashes(pki.CA); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST "+PathTSA, s.serveTSA)
	s.mux.HandleFunc("POST "+PathOCSP, s.serveOCSP)
	s.mux.HandleFunc("GET "+PathOCSP+"/", s.serveOCSP)
	s.mux.HandleFunc("GET "+PathCACRL, func(w http.ResponseWriter, r *http.Request) { s.serveCRL(w, pki.CA) })
	s.mux.HandleFunc("GET "+PathRootCRL, func(w http.ResponseWriter, r *http.Request) { s.serveCRL(w, pki.Root) })
	return s, nil
}

// ServeHTTP serves the paths above; while the service is unavailable
// ([Service.SetUnavailable]) every request gets 503.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.down.Load() {
		http.Error(w, "pkisvc: unavailable (test switch)", http.StatusServiceUnavailable)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// TSACertificate is the certificate the tokens are signed with.
func (s *Service) TSACertificate() *x509.Certificate { return s.tsa.Cert }

// OCSPCertificate is the delegated responder's certificate, which signs the
// answers about certificates of the issuing CA. Answers about the issuing
// CA itself are signed by the root.
func (s *Service) OCSPCertificate() *x509.Certificate { return s.ocsp.Cert }

// Links returns the URLs under base (where the handler is mounted, e.g.
// http://127.0.0.1:PORT/pki) that user certificates should name.
func (s *Service) Links(base string) testpki.Links {
	base = strings.TrimSuffix(base, "/")
	return testpki.Links{OCSP: base + PathOCSP, CRL: base + PathCACRL}
}

// Revoke revokes the certificate with serial, from time at, for reason.
// It applies to the issuing CA's certificates and, for the issuing CA's own
// serial, to the root's CRL and OCSP answers. The revocation goes into the
// PKI's own list (testpki.PKI.RevokeSerial), the one the services publish:
// certificates the PKI revoked itself (the Revoked profile, or a list
// loaded from its RevokedFile) are answered as revoked too.
func (s *Service) Revoke(serial *big.Int, reason Reason, at time.Time) {
	s.pki.RevokeSerial(serial, at, int(reason))
}

// Reinstate takes a serial off the revocation list (as after a certificate
// hold is released).
func (s *Service) Reinstate(serial *big.Int) { s.pki.Reinstate(serial) }

// SetUpdate pins thisUpdate and nextUpdate of the CRLs and OCSP answers, to
// make them stale or from the future. Zero values return to the clock.
func (s *Service) SetUpdate(thisUpdate, nextUpdate time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.thisUpdate, s.nextUpdate = thisUpdate, nextUpdate
}

// SetUnavailable makes every service answer 503 (down = true) or work again.
func (s *Service) SetUnavailable(down bool) { s.down.Store(down) }

// Requests returns how many requests each service has answered.
func (s *Service) Requests() Requests {
	return Requests{TSA: s.nTSA.Load(), OCSP: s.nOCSP.Load(), CRL: s.nCRL.Load()}
}

// updateTimes returns thisUpdate and nextUpdate for a CRL or OCSP answer.
func (s *Service) updateTimes() (time.Time, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	this, next := s.thisUpdate, s.nextUpdate
	if this.IsZero() {
		this = s.now().UTC().Truncate(time.Second)
	}
	if next.IsZero() {
		next = this.Add(s.interval)
	}
	return this, next
}

// revocation returns the revocation of serial issued by issuer, if any.
func (s *Service) revocation(issuer *x509.Certificate, serial *big.Int) (Revocation, bool) {
	r, ok := s.pki.Revoked(serial)
	if !ok || !issuedBy(s.pki, issuer, serial) {
		return Revocation{}, false
	}
	return Revocation{Serial: new(big.Int).Set(serial), Reason: Reason(r.Reason), At: r.RevokedAt}, true
}

// issuedBy tells whether serial is a certificate of issuer: the root issued
// only the issuing CA (and itself); the issuing CA issued everything else.
func issuedBy(pki *testpki.PKI, issuer *x509.Certificate, serial *big.Int) bool {
	isCA := serial.Cmp(pki.CA.SerialNumber) == 0
	isRoot := serial.Cmp(pki.Root.SerialNumber) == 0
	if issuer.Equal(pki.Root) {
		return isCA
	}
	return !isCA && !isRoot
}

// serveCRL answers with a freshly signed CRL of issuer (RFC 5280 §5).
func (s *Service) serveCRL(w http.ResponseWriter, issuer *x509.Certificate) {
	s.nCRL.Add(1)
	this, next := s.updateTimes()
	s.mu.Lock()
	s.crlNumber++
	tmpl := &x509.RevocationList{Number: big.NewInt(s.crlNumber), ThisUpdate: this, NextUpdate: next}
	s.mu.Unlock()
	for _, r := range s.pki.Revocations() {
		serial, ok := new(big.Int).SetString(r.Serial, 16)
		if ok && issuedBy(s.pki, issuer, serial) {
			tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
				x509.RevocationListEntry{SerialNumber: serial, RevocationTime: r.RevokedAt, ReasonCode: r.Reason})
		}
	}
	key := s.caKey
	if issuer.Equal(s.pki.Root) {
		key = s.rootKey
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, issuer, key)
	if err != nil {
		http.Error(w, "pkisvc: signing the CRL: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	_, _ = w.Write(der)
}

// serveOCSP answers an OCSP request (RFC 6960 §4.2, transport A.1). Errors
// are OCSP error responses with HTTP 200, as the RFC has it.
func (s *Service) serveOCSP(w http.ResponseWriter, r *http.Request) {
	s.nOCSP.Add(1)
	w.Header().Set("Content-Type", "application/ocsp-response")
	var der []byte
	var err error
	if r.Method == http.MethodGet {
		enc := strings.TrimPrefix(r.URL.Path, PathOCSP+"/")
		der, err = base64.StdEncoding.DecodeString(enc)
	} else {
		der, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	}
	if err != nil {
		_, _ = w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	req, err := ocsp.ParseRequest(der)
	if err != nil {
		_, _ = w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	var issuer, responder *x509.Certificate
	var key crypto.Signer
	switch {
	case bytes.Equal(req.IssuerKeyHash, s.caKeyHash[req.HashAlgorithm]):
		issuer, responder, key = s.pki.CA, s.ocsp.Cert, s.ocsp.Key
	case bytes.Equal(req.IssuerKeyHash, s.rootKeyHash[req.HashAlgorithm]):
		issuer, responder, key = s.pki.Root, s.pki.Root, s.rootKey
	default:
		_, _ = w.Write(ocsp.UnauthorizedErrorResponse)
		return
	}
	this, next := s.updateTimes()
	tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: req.SerialNumber, ThisUpdate: this, NextUpdate: next, IssuerHash: req.HashAlgorithm}
	if responder != issuer {
		tmpl.Certificate = responder
	}
	if rev, ok := s.revocation(issuer, req.SerialNumber); ok {
		tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, rev.At, int(rev.Reason)
	}
	resp, err := ocsp.CreateResponse(issuer, responder, tmpl, key)
	if err != nil {
		_, _ = w.Write(ocsp.InternalErrorErrorResponse)
		return
	}
	_, _ = w.Write(resp)
}

// keyHashes returns the hashes of cert's public key that OCSP requests name
// the issuer by (RFC 6960 §4.1.1: the hash of the subjectPublicKey BIT
// STRING's value), for each hash a request may use.
func keyHashes(cert *x509.Certificate) (map[crypto.Hash][]byte, error) {
	var spki struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, err
	}
	out := map[crypto.Hash][]byte{}
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		d := h.New()
		d.Write(spki.PublicKey.RightAlign())
		out[h] = d.Sum(nil)
	}
	return out, nil
}

// serveTSA answers a time-stamp request (RFC 3161 §2.4) with a token over
// its message imprint, dated by the clock. Requests it cannot serve get a
// rejection TimeStampResp (§2.4.2), with HTTP 200.
func (s *Service) serveTSA(w http.ResponseWriter, r *http.Request) {
	s.nTSA.Add(1)
	w.Header().Set("Content-Type", "application/timestamp-reply")
	reject := func(info timestamp.FailureInfo) {
		resp, err := timestamp.CreateErrorResponse(timestamp.Rejection, info)
		if err != nil {
			http.Error(w, "pkisvc: "+err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(resp)
	}
	der, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	if err != nil {
		reject(timestamp.BadDataFormat)
		return
	}
	req, err := timestamp.ParseRequest(der)
	if err != nil {
		reject(timestamp.BadDataFormat)
		return
	}
	if req.HashAlgorithm == crypto.SHA1 || !req.HashAlgorithm.Available() {
		reject(timestamp.BadAlgorithm)
		return
	}
	if len(req.HashedMessage) != req.HashAlgorithm.Size() {
		reject(timestamp.BadDataFormat)
		return
	}
	if req.TSAPolicyOID != nil && !req.TSAPolicyOID.Equal(s.policy) {
		reject(timestamp.UnacceptedPolicy)
		return
	}
	ts := timestamp.Timestamp{
		HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage,
		Time: s.now().UTC(), Accuracy: time.Second, Policy: s.policy, Nonce: req.Nonce,
		AddTSACertificate: req.Certificates,
	}
	if req.Certificates {
		ts.Certificates = []*x509.Certificate{s.pki.CA}
	}
	resp, err := ts.CreateResponseWithOpts(s.tsa.Cert, s.tsa.Key, crypto.SHA256)
	if err != nil {
		reject(timestamp.SystemFailure)
		return
	}
	_, _ = w.Write(resp)
}
