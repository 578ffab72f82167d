package gost

import (
	"crypto"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// Sizes in bytes.
const (
	DigestSize     = 32 // GOST R 34.11-94 digest
	SignatureSize  = 64 // s ‖ r
	PublicKeySize  = 64 // x ‖ y
	PrivateKeySize = 32 // d
)

// Errors. Match them with errors.Is; most are returned wrapped with detail.
var (
	// ErrUnsupportedAlgorithm: the OID is recognised but not implemented
	// (the O'zMSt 286:2024 family, parameter sets 1.2.860.3.15.1.1.2.1.3
	// and .4) or not recognised at all.
	ErrUnsupportedAlgorithm = errors.New("gost: unsupported algorithm")
	// ErrVerification: the signature is well formed but does not verify.
	ErrVerification = errors.New("gost: signature verification failed")
	// ErrSignatureLength: a signature is not 64 bytes.
	ErrSignatureLength = errors.New("gost: signature must be 64 bytes")
	// ErrSignatureRange: r or s is not in [1, q−1].
	ErrSignatureRange = errors.New("gost: signature value out of range")
	// ErrDigestLength: a digest is not 32 bytes.
	ErrDigestLength = errors.New("gost: digest must be 32 bytes")
	// ErrPublicKeyLength: a public key is not 64 bytes.
	ErrPublicKeyLength = errors.New("gost: public key must be 64 bytes")
	// ErrNotOnCurve: a public key's point does not lie on its curve.
	ErrNotOnCurve = errors.New("gost: public key point is not on the curve")
	// ErrPrivateKey: a private key is not in [1, q−1] or not 32 bytes.
	ErrPrivateKey = errors.New("gost: invalid private key")
	// ErrMalformed: DER input is not the expected structure.
	ErrMalformed = errors.New("gost: malformed encoding")
)

// PublicKey is a GOST R 34.10-2001 public key Q = d·P.
type PublicKey struct {
	curve *Curve
	x, y  elem // affine, Montgomery domain
}

// PrivateKey is a GOST R 34.10-2001 private key d ∈ [1, q−1]. It
// implements crypto.Signer.
type PrivateKey struct {
	pub PublicKey
	d   elem // plain integer
}

// NewPublicKey decodes a 64-byte public key, x ‖ y with each coordinate
// little-endian: the content of the OCTET STRING inside a
// SubjectPublicKeyInfo (RFC 4491 §2.3.2). It checks that the point lies on
// the curve. Errors: ErrPublicKeyLength, ErrNotOnCurve.
func NewPublicKey(c *Curve, b []byte) (*PublicKey, error) {
	if len(b) != PublicKeySize {
		return nil, fmt.Errorf("%w: got %d bytes", ErrPublicKeyLength, len(b))
	}
	x, y := elemFromLE(b[:32]), elemFromLE(b[32:])
	if !less(&x, &c.fp.m) || !less(&y, &c.fp.m) {
		return nil, fmt.Errorf("%w: coordinate ≥ p on %s", ErrNotOnCurve, c.name)
	}
	pub := &PublicKey{curve: c}
	c.fp.fromInt(&pub.x, &x)
	c.fp.fromInt(&pub.y, &y)
	if !c.onCurve(&pub.x, &pub.y) {
		return nil, fmt.Errorf("%w: %s", ErrNotOnCurve, c.name)
	}
	return pub, nil
}

// Curve returns the key's curve.
func (k *PublicKey) Curve() *Curve { return k.curve }

// Bytes returns x ‖ y, each 32 bytes little-endian (RFC 4491 §2.3.2).
func (k *PublicKey) Bytes() []byte {
	var x, y elem
	k.curve.fp.toInt(&x, &k.x)
	k.curve.fp.toInt(&y, &k.y)
	b := make([]byte, PublicKeySize)
	x.putLE(b[:32])
	y.putLE(b[32:])
	return b
}

// Equal reports whether k and x are the same key on the same curve.
func (k *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	return ok && o.curve == k.curve && subtle.ConstantTimeCompare(k.Bytes(), o.Bytes()) == 1
}

// NewPrivateKey decodes d from 32 big-endian bytes. Error: ErrPrivateKey.
func NewPrivateKey(c *Curve, d []byte) (*PrivateKey, error) {
	if len(d) != PrivateKeySize {
		return nil, fmt.Errorf("%w: got %d bytes", ErrPrivateKey, len(d))
	}
	e := elemFromBE(d)
	if isZero(&e) == 1 || !less(&e, &c.fq.m) {
		return nil, fmt.Errorf("%w: d not in [1, q−1]", ErrPrivateKey)
	}
	return newPrivateKey(c, e), nil
}

func newPrivateKey(c *Curve, d elem) *PrivateKey {
	var q point
	c.baseMult(&q, &d)
	x, y, _ := c.toAffine(&q)
	return &PrivateKey{pub: PublicKey{curve: c, x: x, y: y}, d: d}
}

// GenerateKey returns a new private key with d uniform in [1, q−1], read
// from rand (crypto/rand.Reader in production).
func GenerateKey(c *Curve, rand io.Reader) (*PrivateKey, error) {
	d, err := randScalar(c, rand)
	if err != nil {
		return nil, err
	}
	return newPrivateKey(c, d), nil
}

// randScalar returns k uniform in [1, q−1] by rejection sampling.
func randScalar(c *Curve, rand io.Reader) (elem, error) {
	q := &c.fq.m
	// Mask the top word to the bit length of q so that at least half of
	// the candidates are accepted.
	top := q[3]
	mask := ^uint64(0)
	for mask>>1 >= top && mask != 0 {
		mask >>= 1
	}
	var buf [32]byte
	for range 100 {
		if _, err := io.ReadFull(rand, buf[:]); err != nil {
			return elem{}, fmt.Errorf("gost: reading randomness: %w", err)
		}
		k := elemFromBE(buf[:])
		k[3] &= mask
		if isZero(&k) == 0 && less(&k, q) {
			return k, nil
		}
	}
	return elem{}, errors.New("gost: randomness source keeps returning out-of-range values")
}

// Curve returns the key's curve.
func (k *PrivateKey) Curve() *Curve { return k.pub.curve }

// Bytes returns d as 32 big-endian bytes.
func (k *PrivateKey) Bytes() []byte {
	b := make([]byte, PrivateKeySize)
	k.d.putBE(b)
	return b
}

// PublicKey returns the public key Q = d·P.
func (k *PrivateKey) PublicKey() *PublicKey { p := k.pub; return &p }

// Public implements crypto.Signer; it returns a *PublicKey.
func (k *PrivateKey) Public() crypto.PublicKey { return k.PublicKey() }

// Equal reports whether k and x are the same private key.
func (k *PrivateKey) Equal(x crypto.PrivateKey) bool {
	o, ok := x.(*PrivateKey)
	return ok && o.pub.curve == k.pub.curve && equal(&k.d, &o.d) == 1
}

// Sign implements crypto.Signer: digest is the 32-byte GOST R 34.11-94
// digest of the message (in the byte order the hash emits). GOST R
// 34.11-94 has no crypto.Hash value, so opts must be nil or have
// HashFunc() == 0; anything else (say, a SHA-256 digest handed over by
// generic code) is refused rather than signed. The signature is s ‖ r,
// 64 bytes.
func (k *PrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != 0 {
		return nil, fmt.Errorf("%w: a %v digest cannot be signed with GOST R 34.10-2001; pass a GOST R 34.11-94 digest with nil opts", ErrUnsupportedAlgorithm, opts.HashFunc())
	}
	return Sign(rand, k, digest)
}

// digestScalar returns e = digest read little-endian, reduced mod q, with
// e = 0 replaced by 1 (GOST R 34.10-2001 §6.1 step 2; RFC 5832 §6.1). The
// result is in the Montgomery domain of q.
func digestScalar(c *Curve, digest []byte) elem {
	e := elemFromLE(digest)
	var em elem
	c.fq.fromInt(&em, &e) // reduces mod q
	selectElem(&em, &c.fq.one, isZero(&em))
	return em
}

// Sign signs a 32-byte GOST R 34.11-94 digest with GOST R 34.10-2001
// (RFC 5832 §6.1): for a random k, C = k·P, r = x_C mod q,
// s = (r·d + k·e) mod q, where e is the digest read little-endian (0
// becomes 1). It returns s ‖ r, each 32 bytes big-endian. The scalar
// arithmetic and k·P run in constant time.
func Sign(rand io.Reader, priv *PrivateKey, digest []byte) ([]byte, error) {
	if len(digest) != DigestSize {
		return nil, fmt.Errorf("%w: got %d bytes", ErrDigestLength, len(digest))
	}
	c := priv.pub.curve
	fq := c.fq
	e := digestScalar(c, digest)
	var d elem
	fq.fromInt(&d, &priv.d)
	for {
		k, err := randScalar(c, rand)
		if err != nil {
			return nil, err
		}
		var cp point
		c.baseMult(&cp, &k)
		x, _, _ := c.toAffine(&cp)
		var xi, r, s, t elem
		c.fp.toInt(&xi, &x)
		fq.fromInt(&r, &xi) // r = x mod q, Montgomery domain
		if isZero(&r) == 1 {
			continue
		}
		var km elem
		fq.fromInt(&km, &k)
		fq.mul(&s, &r, &d)
		fq.mul(&t, &km, &e)
		fq.add(&s, &s, &t)
		if isZero(&s) == 1 {
			continue
		}
		sig := make([]byte, SignatureSize)
		fq.toInt(&t, &s)
		t.putBE(sig[:32])
		fq.toInt(&t, &r)
		t.putBE(sig[32:])
		return sig, nil
	}
}

// Verify checks a GOST R 34.10-2001 signature s ‖ r (64 bytes, each
// big-endian) over a 32-byte digest (RFC 5832 §6.2): with v = e⁻¹ mod q,
// z1 = s·v, z2 = −r·v, C = z1·P + z2·Q, it accepts iff x_C mod q = r.
// Errors: ErrDigestLength, ErrSignatureLength, ErrSignatureRange,
// ErrVerification.
func Verify(pub *PublicKey, digest, sig []byte) error {
	if len(digest) != DigestSize {
		return fmt.Errorf("%w: got %d bytes", ErrDigestLength, len(digest))
	}
	if len(sig) != SignatureSize {
		return fmt.Errorf("%w: got %d bytes", ErrSignatureLength, len(sig))
	}
	c := pub.curve
	fq := c.fq
	s, r := elemFromBE(sig[:32]), elemFromBE(sig[32:])
	if isZero(&s) == 1 || !less(&s, &fq.m) {
		return fmt.Errorf("%w: s not in [1, q−1]", ErrSignatureRange)
	}
	if isZero(&r) == 1 || !less(&r, &fq.m) {
		return fmt.Errorf("%w: r not in [1, q−1]", ErrSignatureRange)
	}
	e := digestScalar(c, digest)
	var v, sm, rm, z1, z2 elem
	fq.inv(&v, &e)
	fq.fromInt(&sm, &s)
	fq.fromInt(&rm, &r)
	fq.mul(&z1, &sm, &v)
	fq.mul(&z2, &rm, &v)
	fq.neg(&z2, &z2)
	fq.toInt(&z1, &z1)
	fq.toInt(&z2, &z2)

	var p1, p2 point
	c.baseMult(&p1, &z1)
	q := c.affine(&pub.x, &pub.y)
	c.scalarMult(&p2, &q, &z2)
	c.add(&p1, &p1, &p2)
	x, _, ok := c.toAffine(&p1)
	if !ok {
		return ErrVerification
	}
	var xi, rr elem
	c.fp.toInt(&xi, &x)
	fq.fromInt(&rr, &xi)
	fq.toInt(&rr, &rr)
	if equal(&rr, &r) != 1 {
		return ErrVerification
	}
	return nil
}

// Verify is the package function Verify with k as the key.
func (k *PublicKey) Verify(digest, sig []byte) error { return Verify(k, digest, sig) }
