package verify

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"sync"
	"time"
)

// maxChain bounds a path: leaf, intermediates, trust anchor.
const maxChain = 6

// chainError is why no chain was accepted, and its ETSI sub-indication.
type chainError struct {
	sub string
	err error
}

func (e *chainError) Error() string { return e.err.Error() }

// buildChain finds a path from leaf to a trust anchor (RFC 5280 §6.1) among
// pool, every certificate valid at t, every issuer a CA allowed to sign
// certificates, every signature verified through the registry. It returns
// leaf first, the anchor last.
func (v *Verifier) buildChain(leaf *x509.Certificate, pool []*x509.Certificate, t time.Time) ([]*x509.Certificate, error) {
	var best *chainError
	note := func(e *chainError) {
		// Keep the most telling reason: a constraint or validity failure
		// says more than "no issuer found".
		if best == nil || best.sub == SubNoChainFound {
			best = e
		}
	}
	var walk func(path []*x509.Certificate) []*x509.Certificate
	walk = func(path []*x509.Certificate) []*x509.Certificate {
		cur := path[len(path)-1]
		if len(cur.UnhandledCriticalExtensions) != 0 {
			note(&chainError{SubChainConstraints, fmt.Errorf("%q has an unhandled critical extension %v", cur.Subject.CommonName, cur.UnhandledCriticalExtensions[0])})
			return nil
		}
		if t.Before(cur.NotBefore) || t.After(cur.NotAfter) {
			note(&chainError{SubOutOfBoundsNoPOE, fmt.Errorf("%q is valid %s to %s, not at %s", cur.Subject.CommonName,
				stamp(cur.NotBefore), stamp(cur.NotAfter), stamp(t))})
			return nil
		}
		for _, r := range v.roots {
			if r.Equal(cur) {
				return path
			}
		}
		if len(path) >= maxChain {
			note(&chainError{SubChainConstraints, fmt.Errorf("no trust anchor within %d certificates", maxChain)})
			return nil
		}
		for _, cands := range [][]*x509.Certificate{v.roots, pool} {
			for _, parent := range cands {
				if !sameName(parent.RawSubject, cur.RawIssuer) || inPath(path, parent) {
					continue
				}
				if len(cur.AuthorityKeyId) != 0 && len(parent.SubjectKeyId) != 0 && !bytes.Equal(cur.AuthorityKeyId, parent.SubjectKeyId) {
					continue
				}
				if err := canIssue(parent, len(path)-1); err != nil {
					note(&chainError{SubChainConstraints, err})
					continue
				}
				if err := v.checkSignature(cur, parent); err != nil {
					note(&chainError{SubNoChainFound, fmt.Errorf("%q is not signed by %q: %w", cur.Subject.CommonName, parent.Subject.CommonName, err)})
					continue
				}
				if found := walk(append(path[:len(path):len(path)], parent)); found != nil {
					return found
				}
			}
		}
		note(&chainError{SubNoChainFound, fmt.Errorf("no trusted issuer found for %q (issuer %q)", cur.Subject.CommonName, cur.Issuer.CommonName)})
		return nil
	}
	if path := walk([]*x509.Certificate{leaf}); path != nil {
		return path, nil
	}
	return nil, best
}

// sameName compares an issuer name with a subject name (RFC 5280 §7.1):
// equal encodings, or the same attributes in the same order whose string
// values match ignoring case and runs of spaces, whatever string type each
// side chose (PrintableString or UTF8String, as Uzbek CAs mix them). Real
// E-IMZO CAs carry no key identifiers (the YT CA has neither SKI nor AKI),
// so names are all chains have to go by.
func sameName(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var ra, rb pkix.RDNSequence
	if rest, err := asn1.Unmarshal(a, &ra); err != nil || len(rest) != 0 {
		return false
	}
	if rest, err := asn1.Unmarshal(b, &rb); err != nil || len(rest) != 0 || len(ra) != len(rb) || len(ra) == 0 {
		return false
	}
	for i := range ra {
		if len(ra[i]) != len(rb[i]) {
			return false
		}
		for j := range ra[i] {
			x, y := ra[i][j], rb[i][j]
			xs, ok1 := x.Value.(string)
			ys, ok2 := y.Value.(string)
			if !x.Type.Equal(y.Type) || !ok1 || !ok2 || !strings.EqualFold(strings.Join(strings.Fields(xs), " "), strings.Join(strings.Fields(ys), " ")) {
				return false
			}
		}
	}
	return true
}

func inPath(path []*x509.Certificate, c *x509.Certificate) bool {
	for _, p := range path {
		if p.Equal(c) {
			return true
		}
	}
	return false
}

// canIssue checks that parent may issue certificates at this depth
// (RFC 5280 §6.1.4 (k), (l), (n)); below counts the CA certificates under
// parent in the path.
func canIssue(parent *x509.Certificate, below int) error {
	name := parent.Subject.CommonName
	switch {
	case parent.Version >= 3 && (!parent.BasicConstraintsValid || !parent.IsCA):
		return fmt.Errorf("%q is not a CA", name)
	case parent.KeyUsage != 0 && parent.KeyUsage&x509.KeyUsageCertSign == 0:
		return fmt.Errorf("%q may not sign certificates (key usage)", name)
	case parent.BasicConstraintsValid && (parent.MaxPathLen > 0 || parent.MaxPathLenZero) && below > parent.MaxPathLen:
		return fmt.Errorf("%q allows %d CAs below it, the path has %d", name, parent.MaxPathLen, below)
	}
	return nil
}

// checkSignature verifies child's signature by parent, remembering
// successes: the same few CA certificates sign every user certificate, and
// the result depends on nothing but the two encodings.
func (v *Verifier) checkSignature(child, parent *x509.Certificate) error {
	key := pairKey(child, parent)
	if v.sigCache.has(key) {
		return nil
	}
	if err := v.reg.CheckCertificate(child, parent); err != nil {
		return err
	}
	v.sigCache.add(key)
	return nil
}

func pairKey(child, parent *x509.Certificate) [64]byte {
	var k [64]byte
	a, b := sha256.Sum256(child.Raw), sha256.Sum256(parent.Raw)
	copy(k[:32], a[:])
	copy(k[32:], b[:])
	return k
}

// sigCache is a bounded set of verified (child, parent) pairs.
type sigCache struct {
	mu sync.RWMutex
	m  map[[64]byte]struct{}
}

const sigCacheSize = 4096

func (c *sigCache) has(k [64]byte) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.m[k]
	return ok
}

func (c *sigCache) add(k [64]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= sigCacheSize {
		c.m = map[[64]byte]struct{}{} // start over: cheap, and bounded
	}
	c.m[k] = struct{}{}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
