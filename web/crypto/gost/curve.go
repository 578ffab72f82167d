package gost

import (
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"sync"
)

// Curve is one of the GOST R 34.10-2001 curves y² = x³ + ax + b over GF(p)
// with a = −3, a base point P of prime order q and cofactor 1: the
// CryptoPro parameter sets of RFC 4357 §11.4. A Curve is immutable and safe
// for concurrent use; compare curves by pointer.
type Curve struct {
	name   string
	fp, fq *field
	b      elem // Montgomery domain
	gx, gy elem // Montgomery domain, affine
	params CurveParams

	// oid is the Uzbek parameter-set OID (1.2.860.3.15.1.1.2.1.N) or nil
	// when none is known; cpOID is the RFC 4357 one.
	oid, cpOID asn1.ObjectIdentifier

	tableOnce sync.Once
	table     *[64][16]point // table[i][j] = j·16^i·P
}

// CurveParams are the domain parameters of a Curve as integers.
type CurveParams struct {
	Name       string
	P, A, B, Q *big.Int
	X, Y       *big.Int // base point
}

// Name returns the RFC 4357 name of the parameter set, e.g.
// "id-GostR3410-2001-CryptoPro-A-ParamSet".
func (c *Curve) Name() string { return c.name }

func (c *Curve) String() string { return c.name }

// Params returns a copy of the curve's domain parameters.
func (c *Curve) Params() *CurveParams {
	p := c.params
	cp := func(x *big.Int) *big.Int { return new(big.Int).Set(x) }
	return &CurveParams{p.Name, cp(p.P), cp(p.A), cp(p.B), cp(p.Q), cp(p.X), cp(p.Y)}
}

// OID returns the Uzbek parameter-set OID of the curve
// (1.2.860.3.15.1.1.2.1.1 for A, .2 for C), or nil for B, which has none
// known.
func (c *Curve) OID() asn1.ObjectIdentifier { return clone(c.oid) }

// CryptoProOID returns the RFC 4357 §10.5 parameter-set OID of the curve
// (1.2.643.2.2.35.1, .2, .3).
func (c *Curve) CryptoProOID() asn1.ObjectIdentifier { return clone(c.cpOID) }

func clone(o asn1.ObjectIdentifier) asn1.ObjectIdentifier {
	if o == nil {
		return nil
	}
	return append(asn1.ObjectIdentifier(nil), o...)
}

func mustElem(s string) elem {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) > 32 {
		panic("gost: bad constant " + s)
	}
	var buf [32]byte
	copy(buf[32-len(b):], b)
	return elemFromBE(buf[:])
}

func toBig(e elem) *big.Int {
	var b [32]byte
	e.putBE(b[:])
	return new(big.Int).SetBytes(b[:])
}

func newCurve(name string, oid, cpOID asn1.ObjectIdentifier, p, b, q, x, y string) *Curve {
	c := &Curve{name: name, oid: oid, cpOID: cpOID}
	pe, be, qe, xe, ye := mustElem(p), mustElem(b), mustElem(q), mustElem(x), mustElem(y)
	c.fp = newField(pe)
	c.fq = newField(qe)
	c.fp.fromInt(&c.b, &be)
	c.fp.fromInt(&c.gx, &xe)
	c.fp.fromInt(&c.gy, &ye)
	if !c.onCurve(&c.gx, &c.gy) {
		panic("gost: base point of " + name + " is not on the curve")
	}
	pb := toBig(pe)
	c.params = CurveParams{
		Name: name, P: pb, A: new(big.Int).Sub(pb, big.NewInt(3)),
		B: toBig(be), Q: toBig(qe), X: toBig(xe), Y: toBig(ye),
	}
	return c
}

// The parameter sets of RFC 4357 §11.4.
var (
	curveA = newCurve("id-GostR3410-2001-CryptoPro-A-ParamSet",
		asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 1, 1},
		asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1},
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		"A6",
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
		"01",
		"8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14")
	curveB = newCurve("id-GostR3410-2001-CryptoPro-B-ParamSet",
		nil,
		asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 2},
		"8000000000000000000000000000000000000000000000000000000000000C99",
		"3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
		"800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
		"01",
		"3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC")
	curveC = newCurve("id-GostR3410-2001-CryptoPro-C-ParamSet",
		asn1.ObjectIdentifier{1, 2, 860, 3, 15, 1, 1, 2, 1, 2},
		asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 3},
		"9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
		"805A",
		"9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
		"00",
		"41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67")
)

// CurveA returns id-GostR3410-2001-CryptoPro-A-ParamSet, the curve of
// every known E-IMZO key (Uzbek parameter set 1.2.860.3.15.1.1.2.1.1).
func CurveA() *Curve { return curveA }

// CurveB returns id-GostR3410-2001-CryptoPro-B-ParamSet. No Uzbek OID is
// known for it.
func CurveB() *Curve { return curveB }

// CurveC returns id-GostR3410-2001-CryptoPro-C-ParamSet (Uzbek parameter
// set 1.2.860.3.15.1.1.2.1.2: a real certificate's key lies on C).
func CurveC() *Curve { return curveC }

// CurveXchA returns id-GostR3410-2001-CryptoPro-XchA-ParamSet, which has
// the same parameters as A (RFC 4357 §11.4).
func CurveXchA() *Curve { return curveA }

// CurveXchB returns id-GostR3410-2001-CryptoPro-XchB-ParamSet, which has
// the same parameters as C.
func CurveXchB() *Curve { return curveC }

// point is a projective point (X:Y:Z), x = X/Z, y = Y/Z, coordinates in
// the Montgomery domain. The identity is (0:1:0).
type point struct{ x, y, z elem }

func (c *Curve) identity() point { return point{y: c.fp.one} }

func (c *Curve) affine(x, y *elem) point { return point{*x, *y, c.fp.one} }

// onCurve reports whether the affine Montgomery-domain (x, y) satisfies
// y² = x³ − 3x + b.
func (c *Curve) onCurve(x, y *elem) bool {
	f := c.fp
	var l, r, t elem
	f.sqr(&l, y)
	f.sqr(&r, x)
	f.mul(&r, &r, x)
	f.add(&t, x, x)
	f.add(&t, &t, x)
	f.sub(&r, &r, &t)
	f.add(&r, &r, &c.b)
	return equal(&l, &r) == 1
}

// add sets r = p1 + p2 with the complete addition formulas for prime-order
// short Weierstrass curves with a = −3 (Renes, Costello, Batina, "Complete
// addition formulas for prime order elliptic curves", EUROCRYPT 2016,
// Algorithm 4). They have no exceptional cases: doubling and the identity
// need no branches. r may alias p1 or p2.
func (c *Curve) add(r, p1, p2 *point) {
	f := c.fp
	var t0, t1, t2, t3, t4, x3, y3, z3 elem
	f.mul(&t0, &p1.x, &p2.x)
	f.mul(&t1, &p1.y, &p2.y)
	f.mul(&t2, &p1.z, &p2.z)
	f.add(&t3, &p1.x, &p1.y)
	f.add(&t4, &p2.x, &p2.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4)
	f.add(&t4, &p1.y, &p1.z)
	f.add(&x3, &p2.y, &p2.z)
	f.mul(&t4, &t4, &x3)
	f.add(&x3, &t1, &t2)
	f.sub(&t4, &t4, &x3)
	f.add(&x3, &p1.x, &p1.z)
	f.add(&y3, &p2.x, &p2.z)
	f.mul(&x3, &x3, &y3)
	f.add(&y3, &t0, &t2)
	f.sub(&y3, &x3, &y3)
	f.mul(&z3, &c.b, &t2)
	f.sub(&x3, &y3, &z3)
	f.add(&z3, &x3, &x3)
	f.add(&x3, &x3, &z3)
	f.sub(&z3, &t1, &x3)
	f.add(&x3, &t1, &x3)
	f.mul(&y3, &c.b, &y3)
	f.add(&t1, &t2, &t2)
	f.add(&t2, &t1, &t2)
	f.sub(&y3, &y3, &t2)
	f.sub(&y3, &y3, &t0)
	f.add(&t1, &y3, &y3)
	f.add(&y3, &t1, &y3)
	f.add(&t1, &t0, &t0)
	f.add(&t0, &t1, &t0)
	f.sub(&t0, &t0, &t2)
	f.mul(&t1, &t4, &y3)
	f.mul(&t2, &t0, &y3)
	f.mul(&y3, &x3, &z3)
	f.add(&y3, &y3, &t2)
	f.mul(&x3, &x3, &t3)
	f.sub(&x3, &x3, &t1)
	f.mul(&z3, &z3, &t4)
	f.mul(&t1, &t3, &t0)
	f.add(&z3, &z3, &t1)
	r.x, r.y, r.z = x3, y3, z3
}

// double sets r = 2·p with the exception-free doubling formulas for a = −3
// (Renes, Costello, Batina 2016, Algorithm 6): 8M + 3S instead of the 12M
// of add(p, p), with the same result. r may alias p.
func (c *Curve) double(r, p *point) {
	f := c.fp
	var t0, t1, t2, t3, x3, y3, z3 elem
	f.sqr(&t0, &p.x)
	f.sqr(&t1, &p.y)
	f.sqr(&t2, &p.z)
	f.mul(&t3, &p.x, &p.y)
	f.add(&t3, &t3, &t3)
	f.mul(&z3, &p.x, &p.z)
	f.add(&z3, &z3, &z3)
	f.mul(&y3, &c.b, &t2)
	f.sub(&y3, &y3, &z3)
	f.add(&x3, &y3, &y3)
	f.add(&y3, &x3, &y3)
	f.sub(&x3, &t1, &y3)
	f.add(&y3, &t1, &y3)
	f.mul(&y3, &x3, &y3)
	f.mul(&x3, &x3, &t3)
	f.add(&t3, &t2, &t2)
	f.add(&t2, &t2, &t3)
	f.mul(&z3, &c.b, &z3)
	f.sub(&z3, &z3, &t2)
	f.sub(&z3, &z3, &t0)
	f.add(&t3, &z3, &z3)
	f.add(&z3, &z3, &t3)
	f.add(&t3, &t0, &t0)
	f.add(&t0, &t3, &t0)
	f.sub(&t0, &t0, &t2)
	f.mul(&t0, &t0, &z3)
	f.add(&y3, &y3, &t0)
	f.mul(&t0, &p.y, &p.z)
	f.add(&t0, &t0, &t0)
	f.mul(&z3, &t0, &z3)
	f.sub(&x3, &x3, &z3)
	f.mul(&z3, &t0, &t1)
	f.add(&z3, &z3, &z3)
	f.add(&z3, &z3, &z3)
	r.x, r.y, r.z = x3, y3, z3
}

// selectPoint sets r = table[idx] without a data-dependent memory access.
func selectPoint(r *point, table *[16]point, idx uint64) {
	*r = point{}
	for i := range table {
		bit := equalWord(uint64(i), idx)
		selectElem(&r.x, &table[i].x, bit)
		selectElem(&r.y, &table[i].y, bit)
		selectElem(&r.z, &table[i].z, bit)
	}
}

// equalWord returns 1 if a = b, else 0, in constant time.
func equalWord(a, b uint64) uint64 {
	d := a ^ b
	return 1 ^ ((d | -d) >> 63)
}

// scalarMult sets r = k·p for a 256-bit k (a plain integer, not in the
// Montgomery domain), with a fixed 4-bit window and constant-time table
// lookups.
func (c *Curve) scalarMult(r *point, p *point, k *elem) {
	var table [16]point
	table[0] = c.identity()
	table[1] = *p
	for i := 2; i < 16; i++ {
		c.add(&table[i], &table[i-1], p)
	}
	acc := c.identity()
	var t point
	for i := 63; i >= 0; i-- {
		c.double(&acc, &acc)
		c.double(&acc, &acc)
		c.double(&acc, &acc)
		c.double(&acc, &acc)
		nib := (k[i/16] >> (4 * uint(i%16))) & 15
		selectPoint(&t, &table, nib)
		c.add(&acc, &acc, &t)
	}
	*r = acc
}

// baseMult sets r = k·P for the base point with a precomputed comb table
// (64 additions, no doublings). The table (~98 KB) is built on first use.
func (c *Curve) baseMult(r *point, k *elem) {
	c.tableOnce.Do(func() {
		t := new([64][16]point)
		base := c.affine(&c.gx, &c.gy)
		for i := range 64 {
			t[i][0] = c.identity()
			t[i][1] = base
			for j := 2; j < 16; j++ {
				c.add(&t[i][j], &t[i][j-1], &base)
			}
			c.double(&base, &t[i][8]) // 16·(16^i·P)
		}
		c.table = t
	})
	acc := c.identity()
	var t point
	for i := range 64 {
		nib := (k[i/16] >> (4 * uint(i%16))) & 15
		selectPoint(&t, &c.table[i], nib)
		c.add(&acc, &acc, &t)
	}
	*r = acc
}

// toAffine returns the affine Montgomery-domain coordinates of p and
// whether p is not the identity.
func (c *Curve) toAffine(p *point) (x, y elem, ok bool) {
	var zinv elem
	c.fp.inv(&zinv, &p.z)
	c.fp.mul(&x, &p.x, &zinv)
	c.fp.mul(&y, &p.y, &zinv)
	return x, y, isZero(&p.z) == 0
}
