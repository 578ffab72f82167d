package revocation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"golang.org/x/crypto/ocsp"
)

// Status is what a source says about a certificate.
type Status int

// Statuses.
const (
	Unknown Status = iota // the source does not know the certificate
	Good
	Revoked
)

func (s Status) String() string {
	return [...]string{"UNKNOWN", "GOOD", "REVOKED"}[s]
}

// MarshalText writes the status by name in JSON reports.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Result is a fresh answer about one certificate.
type Result struct {
	Status     Status    `json:"status"`
	Source     string    `json:"source"` // "OCSP" or "CRL"
	URL        string    `json:"url"`
	RevokedAt  time.Time `json:"revokedAt,omitzero"`
	Reason     int       `json:"reason,omitempty"` // CRLReason (RFC 5280 §5.3.1)
	ThisUpdate time.Time `json:"thisUpdate"`
	NextUpdate time.Time `json:"nextUpdate,omitzero"`
	ProducedAt time.Time `json:"producedAt,omitzero"` // OCSP only
	Cached     bool      `json:"cached"`
	// OCSP is the DER OCSPResponse the answer came from, nil for a CRL.
	OCSP []byte `json:"-"`
}

// ErrUnavailable is matched by the error Check returns when no source gave
// a fresh answer.
var ErrUnavailable = errors.New("revocation: no fresh status")

// UnavailableError lists what was tried.
type UnavailableError struct{ Attempts []string }

func (e *UnavailableError) Error() string {
	if len(e.Attempts) == 0 {
		return "revocation: no fresh status: the certificate names no OCSP responder or CRL, and none is configured"
	}
	return "revocation: no fresh status: " + strings.Join(e.Attempts, "; ")
}

// Is makes errors.Is(err, ErrUnavailable) hold.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Defaults.
const (
	DefaultMaxAge   = 7 * 24 * time.Hour
	DefaultCacheTTL = time.Hour
	DefaultTimeout  = 10 * time.Second
	// ClockSkew is how far in the future a thisUpdate may be.
	ClockSkew = 5 * time.Minute
	// MaxCRLBytes and MaxOCSPBytes bound what is downloaded.
	MaxCRLBytes  = 64 << 20
	MaxOCSPBytes = 1 << 20
)

// Option configures [New].
type Option func(*Checker)

// WithClock sets the clock freshness and validity are judged by.
func WithClock(now func() time.Time) Option { return func(c *Checker) { c.now = now } }

// WithHTTPClient sets the HTTP client (default: one with DefaultTimeout).
func WithHTTPClient(hc *http.Client) Option { return func(c *Checker) { c.http = hc } }

// WithOCSP adds OCSP responders to ask before those certificates name
// (e.g. a local mirror, or daemon-sim's responder for certificates that
// name none).
func WithOCSP(urls ...string) Option {
	return func(c *Checker) { c.ocspURLs = append(c.ocspURLs, urls...) }
}

// WithCRL adds CRLs to consult before those certificates name; a CRL is
// used for the certificates of its issuer only.
func WithCRL(urls ...string) Option {
	return func(c *Checker) { c.crlURLs = append(c.crlURLs, urls...) }
}

// WithMaxAge sets the freshness limit: an answer whose thisUpdate is older
// than d is not used (default 7 days).
func WithMaxAge(d time.Duration) Option { return func(c *Checker) { c.maxAge = d } }

// WithCacheTTL caps how long an answer is cached (default 1 hour); it is
// never kept past its nextUpdate nor past thisUpdate + max age.
func WithCacheTTL(d time.Duration) Option { return func(c *Checker) { c.cacheTTL = d } }

// Checker finds the revocation status of certificates by OCSP (RFC 6960)
// and CRLs (RFC 5280 §5, §6.3), caching fresh answers. It is safe for
// concurrent use.
type Checker struct {
	reg      *sigalg.Registry
	http     *http.Client
	now      func() time.Time
	ocspURLs []string
	crlURLs  []string
	maxAge   time.Duration
	cacheTTL time.Duration

	mu       sync.Mutex
	crls     map[string]*crlEntry
	answers  map[string]*cachedAnswer // OCSP, by URL and certificate
	inflight map[string]*flight
}

type flight struct {
	done chan struct{}
	err  error
}

type cachedAnswer struct {
	r       Result
	expires time.Time
}

type crlEntry struct {
	issuer     []byte // RawIssuer of the CRL
	signer     []byte // Raw of the issuer certificate that verified it, nil until one did
	list       *x509.RevocationList
	thisUpdate time.Time
	nextUpdate time.Time
	revoked    map[string]x509.RevocationListEntry
	expires    time.Time
	hits       int
}

// New returns a Checker that verifies CRL and OCSP signatures with reg.
func New(reg *sigalg.Registry, opts ...Option) *Checker {
	c := &Checker{reg: reg, now: time.Now, maxAge: DefaultMaxAge, cacheTTL: DefaultCacheTTL,
		crls: map[string]*crlEntry{}, answers: map[string]*cachedAnswer{}, inflight: map[string]*flight{}}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	return c
}

// Check returns a fresh status of cert, issued by issuer: from the OCSP
// responders (configured ones first, then the certificate's), then from the
// CRLs (likewise). An Unknown from one source lets the next one answer. When
// none answers, the error matches ErrUnavailable.
func (c *Checker) Check(ctx context.Context, cert, issuer *x509.Certificate) (*Result, error) {
	var attempts []string
	for _, u := range urls(c.ocspURLs, cert.OCSPServer) {
		r, err := c.ocsp(ctx, u, cert, issuer)
		if err == nil && r.Status != Unknown {
			return r, nil
		}
		if err == nil {
			err = errors.New("status unknown")
		}
		attempts = append(attempts, "OCSP "+u+": "+err.Error())
	}
	for _, u := range urls(c.crlURLs, cert.CRLDistributionPoints) {
		r, err := c.crl(ctx, u, cert, issuer)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, errOtherIssuer) {
			attempts = append(attempts, "CRL "+u+": "+err.Error())
		}
	}
	return nil, &UnavailableError{Attempts: attempts}
}

// urls joins configured and certificate URLs, HTTP(S) only, once each.
func urls(configured, fromCert []string) []string {
	var out []string
	for _, u := range append(append([]string{}, configured...), fromCert...) {
		if (strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) && !contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fresh checks an answer's update times against now (RFC 5280 §6.3.3 (a),
// RFC 6960 §4.2.2.1, §3.2 (5)).
func (c *Checker) fresh(this, next, now time.Time) error {
	switch {
	case this.After(now.Add(ClockSkew)):
		return fmt.Errorf("thisUpdate %s is in the future", this.UTC().Format(time.RFC3339))
	case !next.IsZero() && now.After(next):
		return fmt.Errorf("stale: nextUpdate %s has passed", next.UTC().Format(time.RFC3339))
	case now.Sub(this) > c.maxAge:
		return fmt.Errorf("stale: thisUpdate %s is older than %s", this.UTC().Format(time.RFC3339), c.maxAge)
	}
	return nil
}

// expiry is when a cached answer must be fetched again.
func (c *Checker) expiry(this, next, now time.Time) time.Time {
	e := now.Add(c.cacheTTL)
	if lim := this.Add(c.maxAge); lim.Before(e) {
		e = lim
	}
	if !next.IsZero() && next.Before(e) {
		e = next
	}
	return e
}

// once runs fetch for key unless another goroutine is running it; then it
// waits for that one.
func (c *Checker) once(ctx context.Context, key string, fetch func() error) error {
	c.mu.Lock()
	if f, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-f.done:
			return f.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	c.inflight[key] = f
	c.mu.Unlock()
	f.err = fetch()
	c.mu.Lock()
	delete(c.inflight, key)
	c.mu.Unlock()
	close(f.done)
	return f.err
}

func (c *Checker) get(ctx context.Context, method, u string, body []byte, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/ocsp-request")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("over %d bytes", limit)
	}
	return b, nil
}

func (c *Checker) ocsp(ctx context.Context, u string, cert, issuer *x509.Certificate) (*Result, error) {
	key := u + "\x00" + string(issuer.RawSubjectPublicKeyInfo) + "\x00" + cert.SerialNumber.String()
	if r := c.cached(key); r != nil {
		return r, nil
	}
	err := c.once(ctx, "ocsp\x00"+key, func() error {
		req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA1})
		if err != nil {
			return err
		}
		der, err := c.get(ctx, http.MethodPost, u, req, MaxOCSPBytes)
		if err != nil {
			return err
		}
		now := c.now()
		a, err := parseOCSP(der, cert, issuer, c.reg, now)
		if err != nil {
			return err
		}
		if err := c.fresh(a.thisUpdate, a.nextUpdate, now); err != nil {
			return err
		}
		r := Result{Status: a.status, Source: "OCSP", URL: u, RevokedAt: a.revokedAt, Reason: a.reason,
			ThisUpdate: a.thisUpdate, NextUpdate: a.nextUpdate, ProducedAt: a.producedAt, OCSP: der}
		c.mu.Lock()
		c.answers[key] = &cachedAnswer{r: r, expires: c.expiry(a.thisUpdate, a.nextUpdate, now)}
		c.mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if r := c.cached(key); r != nil {
		r.Cached = false
		return r, nil
	}
	return nil, errors.New("no answer")
}

func (c *Checker) cached(key string) *Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.answers[key]
	if !ok {
		return nil
	}
	now := c.now()
	if !now.Before(a.expires) || c.fresh(a.r.ThisUpdate, a.r.NextUpdate, now) != nil {
		delete(c.answers, key)
		return nil
	}
	r := a.r
	r.Cached = true
	return &r
}

var errOtherIssuer = errors.New("the CRL is of another issuer")

func (c *Checker) crl(ctx context.Context, u string, cert, issuer *x509.Certificate) (*Result, error) {
	e, err := c.crlFor(ctx, u, issuer)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(e.issuer, cert.RawIssuer) {
		return nil, errOtherIssuer
	}
	r := &Result{Status: Good, Source: "CRL", URL: u, ThisUpdate: e.thisUpdate, NextUpdate: e.nextUpdate, Cached: e.hits > 0}
	c.mu.Lock()
	e.hits++
	c.mu.Unlock()
	if ent, ok := e.revoked[cert.SerialNumber.String()]; ok {
		r.Status, r.RevokedAt, r.Reason = Revoked, ent.RevocationTime, ent.ReasonCode
	}
	return r, nil
}

// crlFor returns a fresh, verified CRL from u, from the cache or fetched.
func (c *Checker) crlFor(ctx context.Context, u string, issuer *x509.Certificate) (*crlEntry, error) {
	lookup := func() *crlEntry {
		c.mu.Lock()
		defer c.mu.Unlock()
		e, ok := c.crls[u]
		now := c.now()
		if !ok || !now.Before(e.expires) || c.fresh(e.thisUpdate, e.nextUpdate, now) != nil {
			return nil
		}
		return e
	}
	if e := lookup(); e != nil {
		return c.checkSigner(e, issuer)
	}
	err := c.once(ctx, "crl\x00"+u, func() error {
		der, err := c.get(ctx, http.MethodGet, u, nil, MaxCRLBytes)
		if err != nil {
			return err
		}
		l, err := x509.ParseRevocationList(der)
		if err != nil {
			return fmt.Errorf("CRL: %v", err)
		}
		now := c.now()
		if err := c.fresh(l.ThisUpdate, l.NextUpdate, now); err != nil {
			return err
		}
		e := &crlEntry{issuer: l.RawIssuer, list: l, thisUpdate: l.ThisUpdate, nextUpdate: l.NextUpdate,
			revoked: make(map[string]x509.RevocationListEntry, len(l.RevokedCertificateEntries)),
			expires: c.expiry(l.ThisUpdate, l.NextUpdate, now)}
		if bytes.Equal(l.RawIssuer, issuer.RawSubject) {
			// A CRL that does not verify is not cached.
			if err := c.verifyCRL(l, issuer); err != nil {
				return err
			}
			e.signer = issuer.Raw
		}
		for _, ent := range l.RevokedCertificateEntries {
			e.revoked[ent.SerialNumber.String()] = ent
		}
		c.mu.Lock()
		c.crls[u] = e
		c.mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if e := lookup(); e != nil {
		return c.checkSigner(e, issuer)
	}
	return nil, errors.New("no fresh CRL")
}

// checkSigner makes sure a cached CRL was verified with issuer's key: a
// CRL fetched while checking a certificate of another issuer is cached
// unverified, and verified when its own issuer comes.
func (c *Checker) checkSigner(e *crlEntry, issuer *x509.Certificate) (*crlEntry, error) {
	if !bytes.Equal(e.issuer, issuer.RawSubject) {
		return e, nil // the caller sees errOtherIssuer
	}
	c.mu.Lock()
	ok := bytes.Equal(e.signer, issuer.Raw)
	c.mu.Unlock()
	if ok {
		return e, nil
	}
	if err := c.verifyCRL(e.list, issuer); err != nil {
		return nil, err
	}
	c.mu.Lock()
	e.signer = issuer.Raw
	c.mu.Unlock()
	return e, nil
}

// verifyCRL checks a CRL's signature and that its issuer may sign CRLs
// (RFC 5280 §6.3.3 (f), (g)).
func (c *Checker) verifyCRL(l *x509.RevocationList, issuer *x509.Certificate) error {
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return errors.New("the CRL's issuer may not sign CRLs")
	}
	if err := c.reg.CheckSigned(l.Raw, issuer); err != nil {
		return fmt.Errorf("CRL signature: %w", err)
	}
	for _, ext := range l.Extensions {
		// issuingDistributionPoint with scope limits, deltaCRLIndicator: not
		// handled, so a CRL that marks them critical is not used.
		if ext.Critical && !ext.Id.Equal(oidCRLNumber) {
			return fmt.Errorf("the CRL has an unhandled critical extension %v", ext.Id)
		}
	}
	return nil
}

var oidCRLNumber = asn1.ObjectIdentifier{2, 5, 29, 20}
