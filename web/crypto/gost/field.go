package gost

import "math/bits"

// Arithmetic modulo an odd 256-bit modulus m (the curve's p or its order q)
// in the Montgomery domain, R = 2^256. An element is four 64-bit limbs,
// least significant first. Every operation below runs in time that does not
// depend on the values of its operands: the only branches are on loop
// counters, and reductions pick their result with masks.
//
// Moduli may be close to 2^256 (CryptoPro-A has p = 2^256 − 617), so sums
// keep their carry word before the final reduction.

type elem [4]uint64

type field struct {
	m   elem   // modulus
	n0  uint64 // −m⁻¹ mod 2^64
	rr  elem   // R² mod m
	one elem   // R mod m, i.e. 1 in the Montgomery domain
	mm2 elem   // m − 2, the exponent for inversion
}

func newField(m elem) *field {
	f := &field{m: m}
	// Newton's iteration doubles the number of correct low bits of m⁻¹.
	inv := uint64(1)
	for range 6 {
		inv *= 2 - m[0]*inv
	}
	f.n0 = -inv
	// R² mod m by doubling 1 five hundred and twelve times.
	r := elem{1}
	for range 512 {
		f.add(&r, &r, &r)
	}
	f.rr = r
	f.fromInt(&f.one, &elem{1})
	var b uint64
	f.mm2[0], b = bits.Sub64(m[0], 2, 0)
	f.mm2[1], b = bits.Sub64(m[1], 0, b)
	f.mm2[2], b = bits.Sub64(m[2], 0, b)
	f.mm2[3], _ = bits.Sub64(m[3], 0, b)
	return f
}

// reduce sets z to t − m if t (with carry word hi) ≥ m, else to t.
func (f *field) reduce(z *elem, t *elem, hi uint64) {
	var r elem
	var b uint64
	r[0], b = bits.Sub64(t[0], f.m[0], 0)
	r[1], b = bits.Sub64(t[1], f.m[1], b)
	r[2], b = bits.Sub64(t[2], f.m[2], b)
	r[3], b = bits.Sub64(t[3], f.m[3], b)
	_, b = bits.Sub64(hi, 0, b)
	keep := -b // all ones when t < m
	z[0] = t[0]&keep | r[0]&^keep
	z[1] = t[1]&keep | r[1]&^keep
	z[2] = t[2]&keep | r[2]&^keep
	z[3] = t[3]&keep | r[3]&^keep
}

// add sets z = x + y mod m, for x, y < m.
func (f *field) add(z, x, y *elem) {
	var t elem
	var c uint64
	t[0], c = bits.Add64(x[0], y[0], 0)
	t[1], c = bits.Add64(x[1], y[1], c)
	t[2], c = bits.Add64(x[2], y[2], c)
	t[3], c = bits.Add64(x[3], y[3], c)
	f.reduce(z, &t, c)
}

// sub sets z = x − y mod m, for x, y < m.
func (f *field) sub(z, x, y *elem) {
	var t elem
	var b uint64
	t[0], b = bits.Sub64(x[0], y[0], 0)
	t[1], b = bits.Sub64(x[1], y[1], b)
	t[2], b = bits.Sub64(x[2], y[2], b)
	t[3], b = bits.Sub64(x[3], y[3], b)
	mask := -b
	var c uint64
	z[0], c = bits.Add64(t[0], f.m[0]&mask, 0)
	z[1], c = bits.Add64(t[1], f.m[1]&mask, c)
	z[2], c = bits.Add64(t[2], f.m[2]&mask, c)
	z[3], _ = bits.Add64(t[3], f.m[3]&mask, c)
}

// neg sets z = −x mod m.
func (f *field) neg(z, x *elem) {
	var zero elem
	f.sub(z, &zero, x)
}

// mul sets z = x·y·R⁻¹ mod m (Montgomery multiplication, coarsely
// integrated operand scanning). It needs y < m and x < 2^256; the result
// is then fully reduced. z may alias x or y.
func (f *field) mul(z, x, y *elem) {
	var t0, t1, t2, t3, t4 uint64
	for i := range 4 {
		yi := y[i]
		// t += x·yi
		var c, hi, lo, cc uint64
		hi, lo = bits.Mul64(x[0], yi)
		t0, cc = bits.Add64(lo, t0, 0)
		c = hi + cc
		hi, lo = bits.Mul64(x[1], yi)
		lo, cc = bits.Add64(lo, t1, 0)
		hi += cc
		t1, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		hi, lo = bits.Mul64(x[2], yi)
		lo, cc = bits.Add64(lo, t2, 0)
		hi += cc
		t2, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		hi, lo = bits.Mul64(x[3], yi)
		lo, cc = bits.Add64(lo, t3, 0)
		hi += cc
		t3, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		var t5 uint64
		t4, t5 = bits.Add64(t4, c, 0)

		// t = (t + u·m) / 2^64 with u chosen so that the low word vanishes.
		u := t0 * f.n0
		hi, lo = bits.Mul64(u, f.m[0])
		_, cc = bits.Add64(lo, t0, 0)
		c = hi + cc
		hi, lo = bits.Mul64(u, f.m[1])
		lo, cc = bits.Add64(lo, t1, 0)
		hi += cc
		t0, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		hi, lo = bits.Mul64(u, f.m[2])
		lo, cc = bits.Add64(lo, t2, 0)
		hi += cc
		t1, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		hi, lo = bits.Mul64(u, f.m[3])
		lo, cc = bits.Add64(lo, t3, 0)
		hi += cc
		t2, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		t3, cc = bits.Add64(t4, c, 0)
		t4 = t5 + cc
	}
	f.reduce(z, &elem{t0, t1, t2, t3}, t4)
}

// sqr sets z = x²·R⁻¹ mod m.
func (f *field) sqr(z, x *elem) { f.mul(z, x, x) }

// fromInt sets z = x·R mod m for any 256-bit x (so it also reduces x).
func (f *field) fromInt(z, x *elem) { f.mul(z, x, &f.rr) }

// toInt sets z to the plain integer of the Montgomery element x.
func (f *field) toInt(z, x *elem) { f.mul(z, x, &elem{1}) }

// inv sets z = x⁻¹ mod m by Fermat's little theorem (m is prime), with a
// fixed sequence of squarings and multiplications since m − 2 is public.
// inv(0) = 0.
func (f *field) inv(z, x *elem) {
	acc := f.one
	base := *x
	for i := 3; i >= 0; i-- {
		w := f.mm2[i]
		for j := 63; j >= 0; j-- {
			f.sqr(&acc, &acc)
			var t elem
			f.mul(&t, &acc, &base)
			mask := -((w >> uint(j)) & 1)
			acc[0] = t[0]&mask | acc[0]&^mask
			acc[1] = t[1]&mask | acc[1]&^mask
			acc[2] = t[2]&mask | acc[2]&^mask
			acc[3] = t[3]&mask | acc[3]&^mask
		}
	}
	*z = acc
}

// isZero returns 1 if x = 0 and 0 otherwise, in constant time.
func isZero(x *elem) uint64 {
	v := x[0] | x[1] | x[2] | x[3]
	return 1 ^ ((v | -v) >> 63)
}

// equal returns 1 if x = y and 0 otherwise, in constant time.
func equal(x, y *elem) uint64 {
	d := elem{x[0] ^ y[0], x[1] ^ y[1], x[2] ^ y[2], x[3] ^ y[3]}
	return isZero(&d)
}

// less reports whether x < y (variable time is fine: used on public values
// and in rejection sampling).
func less(x, y *elem) bool {
	var b uint64
	_, b = bits.Sub64(x[0], y[0], 0)
	_, b = bits.Sub64(x[1], y[1], b)
	_, b = bits.Sub64(x[2], y[2], b)
	_, b = bits.Sub64(x[3], y[3], b)
	return b == 1
}

// selectElem sets z = x if bit = 1 and leaves z otherwise.
func selectElem(z, x *elem, bit uint64) {
	mask := -bit
	z[0] = x[0]&mask | z[0]&^mask
	z[1] = x[1]&mask | z[1]&^mask
	z[2] = x[2]&mask | z[2]&^mask
	z[3] = x[3]&mask | z[3]&^mask
}

// elemFromBE reads 32 big-endian bytes.
func elemFromBE(b []byte) elem {
	_ = b[31]
	var e elem
	for i := range 4 {
		o := 24 - 8*i
		e[i] = uint64(b[o])<<56 | uint64(b[o+1])<<48 | uint64(b[o+2])<<40 | uint64(b[o+3])<<32 |
			uint64(b[o+4])<<24 | uint64(b[o+5])<<16 | uint64(b[o+6])<<8 | uint64(b[o+7])
	}
	return e
}

// elemFromLE reads 32 little-endian bytes.
func elemFromLE(b []byte) elem {
	_ = b[31]
	var e elem
	for i := range 4 {
		o := 8 * i
		e[i] = uint64(b[o]) | uint64(b[o+1])<<8 | uint64(b[o+2])<<16 | uint64(b[o+3])<<24 |
			uint64(b[o+4])<<32 | uint64(b[o+5])<<40 | uint64(b[o+6])<<48 | uint64(b[o+7])<<56
	}
	return e
}

func (e *elem) putBE(b []byte) {
	_ = b[31]
	for i := range 4 {
		o := 24 - 8*i
		w := e[i]
		for j := range 8 {
			b[o+7-j] = byte(w >> (8 * j))
		}
	}
}

func (e *elem) putLE(b []byte) {
	_ = b[31]
	for i := range 4 {
		w := e[i]
		for j := range 8 {
			b[8*i+j] = byte(w >> (8 * j))
		}
	}
}
