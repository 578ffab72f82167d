package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds of JWKS fetching and of the keys a token may be tried against.
const (
	DefaultJWKSRefresh     = 15 * time.Minute // a fetched set is used this long before it is fetched again
	DefaultJWKSTimeout     = 5 * time.Second  // one fetch, connection to last byte
	DefaultJWKSMaxBytes    = 256 << 10        // a larger JWKS document is refused
	DefaultJWKSMinInterval = time.Minute      // fetches caused by unknown kids are at most this frequent
	// MaxJWKSStale is how long past its refresh time a set is still used
	// while the URL cannot be reached; after that tokens fail with
	// JWT_KEYS_UNAVAILABLE.
	MaxJWKSStale = 24 * time.Hour
	// MaxJWKSKeys bounds the keys of one JWKS document.
	MaxJWKSKeys = 64
	// MaxConfiguredKeys bounds the keys given as PEM.
	MaxConfiguredKeys = 8
	// MaxCandidates bounds the JWKS keys a token without kid is tried
	// against: with more keys fitting its alg, it is JWT_KEY_UNKNOWN.
	MaxCandidates = 4
)

// verifyKey is a public key that may verify access tokens.
type verifyKey struct {
	id  string // kid: as configured or published, else the RFC 7638 thumbprint
	alg string // the JWK's alg, "" when it names none
	pub crypto.PublicKey
	own bool // a configured key: tried when the token's kid names no key
}

// fits reports whether k may verify a token signed with alg (RFC 7518 §3:
// the key type and, for ECDSA, the curve the algorithm names).
func (k *verifyKey) fits(alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch p := k.pub.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		return alg == map[elliptic.Curve]string{elliptic.P256(): "ES256", elliptic.P384(): "ES384", elliptic.P521(): "ES512"}[p.Curve]
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}

// checkPublicKey accepts RSA ≥ 2048 bits, ECDSA on P-256/384/521 and
// Ed25519.
func checkPublicKey(pub crypto.PublicKey) error {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if p.N.BitLen() < 2048 {
			return fmt.Errorf("an RSA key of %d bits (at least 2048)", p.N.BitLen())
		}
		return nil
	case *ecdsa.PublicKey:
		switch p.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return fmt.Errorf("an ECDSA key on %s (want P-256, P-384 or P-521)", p.Curve.Params().Name)
	case ed25519.PublicKey:
		if len(p) != ed25519.PublicKeySize {
			return errors.New("an Ed25519 key of the wrong size")
		}
		return nil
	}
	return fmt.Errorf("a public key of type %T (want RSA, ECDSA or Ed25519)", pub)
}

// ParsePublicKeys reads PEM public keys: PUBLIC KEY (PKIX), RSA PUBLIC KEY
// (PKCS#1) or CERTIFICATE (its key). Private keys are refused: give the
// public half.
func ParsePublicKeys(pemBytes []byte) ([]crypto.PublicKey, error) {
	var out []crypto.PublicKey
	for {
		var b *pem.Block
		b, pemBytes = pem.Decode(pemBytes)
		if b == nil {
			break
		}
		var pub any
		var err error
		switch b.Type {
		case "PUBLIC KEY":
			pub, err = x509.ParsePKIXPublicKey(b.Bytes)
		case "RSA PUBLIC KEY":
			pub, err = x509.ParsePKCS1PublicKey(b.Bytes)
		case "CERTIFICATE":
			var c *x509.Certificate
			if c, err = x509.ParseCertificate(b.Bytes); err == nil {
				pub = c.PublicKey
			}
		default:
			if strings.Contains(b.Type, "PRIVATE") {
				return nil, errors.New("auth: a private key where a public key is wanted")
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("auth: %s: %v", b.Type, err)
		}
		if err := checkPublicKey(pub); err != nil {
			return nil, fmt.Errorf("auth: %v", err)
		}
		out = append(out, pub)
	}
	if len(out) == 0 {
		return nil, errors.New("auth: no PEM public key")
	}
	return out, nil
}

// Thumbprint is the RFC 7638 JWK thumbprint of a public key (base64url of
// the SHA-256 of its required members, in lexicographic order), the kid a
// configured key answers to besides its own.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	var members string
	switch p := pub.(type) {
	case *rsa.PublicKey:
		members = fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, b64.EncodeToString(big.NewInt(int64(p.E)).Bytes()), b64.EncodeToString(p.N.Bytes()))
	case *ecdsa.PublicKey:
		raw, err := p.Bytes()
		if err != nil {
			return "", err
		}
		n := (len(raw) - 1) / 2
		members = fmt.Sprintf(`{"crv":%q,"kty":"EC","x":%q,"y":%q}`, p.Curve.Params().Name, b64.EncodeToString(raw[1:1+n]), b64.EncodeToString(raw[1+n:]))
	case ed25519.PublicKey:
		members = fmt.Sprintf(`{"crv":"Ed25519","kty":"OKP","x":%q}`, b64.EncodeToString(p))
	default:
		return "", fmt.Errorf("auth: a public key of type %T", pub)
	}
	sum := sha256.Sum256([]byte(members))
	return b64.EncodeToString(sum[:]), nil
}

// rawJWK is a JWK as published (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2).
type rawJWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Crv string `json:"crv"`
	N   string `json:"n"`
	E   string `json:"e"`
	X   string `json:"x"`
	Y   string `json:"y"`
	D   string `json:"d"`
}

// errSkip marks a JWK that is not a signature key of ours (an encryption
// key, a symmetric key, an unknown type): left out, not an error.
var errSkip = errors.New("skipped")

func decodeInt(s string) (*big.Int, error) {
	b, err := b64.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, errors.New("not base64url")
	}
	return new(big.Int).SetBytes(b), nil
}

// publicKeyOf decodes one published JWK.
func publicKeyOf(j rawJWK) (crypto.PublicKey, error) {
	if j.Use != "" && j.Use != "sig" {
		return nil, errSkip
	}
	if j.D != "" {
		return nil, errors.New("a private key in a public key set")
	}
	var pub crypto.PublicKey
	switch j.Kty {
	case "RSA":
		n, err := decodeInt(j.N)
		if err != nil {
			return nil, fmt.Errorf("n: %v", err)
		}
		e, err := decodeInt(j.E)
		if err != nil || !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
			return nil, errors.New("e is not an odd exponent that fits")
		}
		pub = &rsa.PublicKey{N: n, E: int(e.Int64())}
	case "EC":
		curve := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[j.Crv]
		if curve == nil {
			return nil, errSkip
		}
		x, err := b64.DecodeString(j.X)
		y, err2 := b64.DecodeString(j.Y)
		size := (curve.Params().BitSize + 7) / 8
		if err != nil || err2 != nil || len(x) != size || len(y) != size {
			return nil, errors.New("x and y are not coordinates of the curve's size")
		}
		k, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, errors.New("the point is not on the curve")
		}
		pub = k
	case "OKP":
		if j.Crv != "Ed25519" {
			return nil, errSkip
		}
		x, err := b64.DecodeString(j.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, errors.New("x is not an Ed25519 public key")
		}
		pub = ed25519.PublicKey(x)
	default: // "oct" among them: symmetric keys never come from a URL
		return nil, errSkip
	}
	if err := checkPublicKey(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

// parseJWKS reads a JWK set: keys that cannot sign are left out; a
// malformed signature key fails the whole set (a publisher's mistake is
// better seen than half-used).
func parseJWKS(data []byte) ([]verifyKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("not a JWK set: %v", err)
	}
	if set.Keys == nil {
		return nil, errors.New(`not a JWK set: no "keys"`)
	}
	if len(set.Keys) > MaxJWKSKeys {
		return nil, fmt.Errorf("%d keys, more than %d", len(set.Keys), MaxJWKSKeys)
	}
	var out []verifyKey
	for i, raw := range set.Keys {
		var j rawJWK
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, fmt.Errorf("key %d: %v", i+1, err)
		}
		pub, err := publicKeyOf(j)
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("key %d (kid %q): %v", i+1, j.Kid, err)
		}
		id := j.Kid
		if id == "" {
			id, _ = Thumbprint(pub)
		}
		out = append(out, verifyKey{id: id, alg: j.Alg, pub: pub})
	}
	return out, nil
}

// jwksSource is a JWK set fetched from a URL and cached: fetched again when
// it is older than refresh, or when a token names a kid it lacks (at most
// once per minInterval); concurrent needs share one fetch.
type jwksSource struct {
	url         string
	client      *http.Client
	maxBytes    int64
	refresh     time.Duration
	minInterval time.Duration
	now         func() time.Time

	mu        sync.Mutex
	keys      []verifyKey
	fetchedAt time.Time     // of the keys
	triedAt   time.Time     // the last fetch, successful or not
	lastErr   error         // of the last fetch
	inflight  chan struct{} // closed when the running fetch ends

	fetches atomic.Int64
}

// errKeysUnavailable: no key set to check a token with.
var errKeysUnavailable = errors.New("the key set cannot be fetched")

// lookup returns the current keys, fetching first when the set is missing
// or old, or when kid names no key and the last fetch is at least
// minInterval ago.
func (j *jwksSource) lookup(ctx context.Context, kid string) ([]verifyKey, error) {
	for {
		j.mu.Lock()
		now := j.now()
		gapOK := j.triedAt.IsZero() || now.Sub(j.triedAt) >= j.minInterval
		old := j.keys == nil || now.Sub(j.fetchedAt) >= j.refresh
		unknown := kid != "" && !hasKid(j.keys, kid)
		if !(gapOK && (old || unknown)) {
			keys, fetchedAt, lastErr := j.keys, j.fetchedAt, j.lastErr
			j.mu.Unlock()
			if keys == nil || now.Sub(fetchedAt) > j.refresh+MaxJWKSStale {
				return nil, fmt.Errorf("%w: %s: %v", errKeysUnavailable, j.url, lastErr)
			}
			return keys, nil
		}
		if wait := j.inflight; wait != nil {
			j.mu.Unlock()
			select {
			case <-wait:
				continue // look again at what that fetch brought
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		j.inflight, j.triedAt = done, now
		j.mu.Unlock()

		keys, err := j.fetch(ctx)
		j.mu.Lock()
		if err == nil {
			j.keys, j.fetchedAt, j.lastErr = keys, j.now(), nil
		} else {
			j.lastErr = err
		}
		j.inflight = nil
		close(done)
		j.mu.Unlock()
		// Loop once more: the gap now holds, so the answer comes from the
		// state just stored.
	}
}

func hasKid(keys []verifyKey, kid string) bool {
	for _, k := range keys {
		if k.id == kid {
			return true
		}
	}
	return false
}

// fetch GETs the set, within the timeout and the size limit, following no
// redirect. A request that ends early does not end the fetch others wait
// for.
func (j *jwksSource) fetch(ctx context.Context) ([]verifyKey, error) {
	j.fetches.Add(1)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), j.client.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := j.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, j.maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > j.maxBytes {
		return nil, fmt.Errorf("the key set is larger than %d bytes", j.maxBytes)
	}
	return parseJWKS(body)
}
