package gost94

import (
	"encoding/binary"
	"hash"
	"math/bits"
)

// Size is the size of a GOST R 34.11-94 digest in bytes.
const Size = 32

// BlockSize is the block size of GOST R 34.11-94 in bytes.
const BlockSize = 32

// SBox is a GOST 28147-89 substitution box: eight 4-bit permutations. Row i
// substitutes the i-th least significant nibble of the 32-bit round input
// (RFC 5830 §5 "K1..K8", with K1 applied to the lowest nibble).
type SBox [8][16]byte

// cryptoPro is id-GostR3411-94-CryptoProParamSet (RFC 4357 §11.2), the S-box
// that E-IMZO calls O'zDSt 1106:2009.
var cryptoPro = SBox{
	{10, 4, 5, 6, 8, 1, 3, 7, 13, 12, 14, 0, 9, 2, 11, 15},
	{5, 15, 4, 0, 2, 13, 11, 9, 1, 7, 6, 3, 12, 14, 10, 8},
	{7, 15, 12, 14, 9, 4, 1, 0, 3, 11, 5, 2, 6, 10, 8, 13},
	{4, 10, 7, 12, 0, 15, 2, 8, 14, 1, 6, 5, 13, 11, 9, 3},
	{7, 6, 4, 11, 9, 12, 2, 10, 1, 8, 0, 14, 15, 13, 3, 5},
	{7, 6, 2, 4, 13, 9, 15, 0, 10, 1, 5, 11, 8, 14, 12, 3},
	{13, 14, 4, 1, 7, 0, 5, 10, 3, 12, 8, 15, 6, 2, 9, 11},
	{1, 3, 10, 9, 5, 11, 4, 15, 8, 6, 7, 14, 13, 0, 2, 12},
}

// testParams is id-GostR3411-94-TestParamSet, the S-box of the examples in
// RFC 5831 §7.3 (also RFC 4357 §11.2).
var testParams = SBox{
	{4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3},
	{14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9},
	{5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11},
	{7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3},
	{6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2},
	{4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14},
	{13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12},
	{1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 12},
}

// CryptoProSBox returns a copy of id-GostR3411-94-CryptoProParamSet
// (OID 1.2.643.2.2.30.1, RFC 4357 §11.2), the S-box used by every E-IMZO
// signature.
func CryptoProSBox() SBox { return cryptoPro }

// TestSBox returns a copy of id-GostR3411-94-TestParamSet (OID
// 1.2.643.2.2.30.0), the S-box of the examples in RFC 5831 §7.3. It is for
// tests only.
func TestSBox() SBox { return testParams }

// tables folds one S-box into four 8-bit lookup tables that also apply the
// 11-bit left rotation of the round function (RFC 5830 §6.1), so one round
// costs four loads and three XORs.
type tables [4][256]uint32

func expand(s *SBox) *tables {
	t := new(tables)
	for j := 0; j < 4; j++ {
		for b := 0; b < 256; b++ {
			v := uint32(s[2*j][b&15]) | uint32(s[2*j+1][b>>4])<<4
			t[j][b] = bits.RotateLeft32(v<<(8*j), 11)
		}
	}
	return t
}

var (
	cryptoProTables = expand(&cryptoPro)
	testTables      = expand(&testParams)
)

// digest is the streaming state of RFC 5831 §7.1: the chaining value H, the
// control sum Σ and the message length, all little-endian 256-bit numbers
// held as four 64-bit words, least significant first.
type digest struct {
	t    *tables
	h    [4]uint64
	sum  [4]uint64
	n    uint64 // bytes written
	buf  [BlockSize]byte
	nbuf int
}

// New returns a GOST R 34.11-94 hash with the CryptoPro S-box and a zero
// starting vector: the digest E-IMZO calls O'zDSt 1106:2009 (OID
// 1.2.860.3.15.1.3.2.1.1).
func New() hash.Hash { return &digest{t: cryptoProTables} }

// NewWithSBox returns a GOST R 34.11-94 hash that uses s and a zero starting
// vector. Use it with TestSBox for the RFC 5831 examples.
func NewWithSBox(s SBox) hash.Hash {
	switch s {
	case cryptoPro:
		return &digest{t: cryptoProTables}
	case testParams:
		return &digest{t: testTables}
	}
	return &digest{t: expand(&s)}
}

// Sum returns the GOST R 34.11-94 (CryptoPro S-box) digest of data, in the
// byte order the hash emits (the order of a CMS messageDigest attribute).
func Sum(data []byte) [Size]byte {
	d := digest{t: cryptoProTables}
	d.Write(data)
	var out [Size]byte
	d.checkSum(&out)
	return out
}

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return BlockSize }

func (d *digest) Reset() {
	d.h = [4]uint64{}
	d.sum = [4]uint64{}
	d.n = 0
	d.nbuf = 0
}

func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	d.n += uint64(n)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize {
			return n, nil
		}
		d.block(d.buf[:])
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.block(p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

func (d *digest) Sum(in []byte) []byte {
	c := *d
	var out [Size]byte
	c.checkSum(&out)
	return append(in, out[:]...)
}

// checkSum runs the final stage of RFC 5831 §7.1: the last partial block
// is padded with zeros (and only its real bits are counted in L), then
// H = f(H, L) and H = f(H, Σ).
func (d *digest) checkSum(out *[Size]byte) {
	if d.nbuf > 0 {
		clear(d.buf[d.nbuf:])
		d.block(d.buf[:])
	}
	l := [4]uint64{d.n << 3, d.n >> 61}
	d.h = step(d.t, d.h, l)
	d.h = step(d.t, d.h, d.sum)
	for i, w := range d.h {
		binary.LittleEndian.PutUint64(out[8*i:], w)
	}
}

// block absorbs one 32-byte block: Σ = Σ + M mod 2^256, H = f(H, M).
func (d *digest) block(p []byte) {
	m := [4]uint64{
		binary.LittleEndian.Uint64(p[0:]),
		binary.LittleEndian.Uint64(p[8:]),
		binary.LittleEndian.Uint64(p[16:]),
		binary.LittleEndian.Uint64(p[24:]),
	}
	var c uint64
	d.sum[0], c = bits.Add64(d.sum[0], m[0], 0)
	d.sum[1], c = bits.Add64(d.sum[1], m[1], c)
	d.sum[2], c = bits.Add64(d.sum[2], m[2], c)
	d.sum[3], _ = bits.Add64(d.sum[3], m[3], c)
	d.h = step(d.t, d.h, m)
}

// c3 is the constant C3 of RFC 5831 §6.1, as four little-endian 64-bit
// words (C2 = C4 = 0).
var c3 = [4]uint64{
	0xff00ff00ff00ff00,
	0x00ff00ff00ff00ff,
	0xff0000ff00ffff00,
	0xff00ffff000000ff,
}

// a is the transformation A of RFC 5831 §6.1: with Y = y4‖y3‖y2‖y1 in 64-bit
// words, A(Y) = (y1 ⊕ y2)‖y4‖y3‖y2.
func a(y [4]uint64) [4]uint64 {
	return [4]uint64{y[1], y[2], y[3], y[0] ^ y[1]}
}

// p is the byte permutation P of RFC 5831 §6.1, φ(i + 1 + 4(k−1)) = 8i + k.
// It returns the GOST 28147-89 key as eight 32-bit words, k1 first: byte i
// of key word m is byte m of 64-bit word i.
func p(w [4]uint64) [8]uint32 {
	var k [8]uint32
	for m := 0; m < 8; m++ {
		s := 8 * m
		k[m] = uint32(byte(w[0]>>s)) | uint32(byte(w[1]>>s))<<8 |
			uint32(byte(w[2]>>s))<<16 | uint32(byte(w[3]>>s))<<24
	}
	return k
}

// encrypt is GOST 28147-89 in simple substitution (ECB) mode, RFC 5830 §6.1:
// N1 is the low half of the block, keys K1..K8 three times, then K8..K1.
// Rounds are written in pairs so that no register swap is needed.
func encrypt(t *tables, k *[8]uint32, block uint64) uint64 {
	n1, n2 := uint32(block), uint32(block>>32)
	g := func(x uint32) uint32 {
		return t[0][x&0xff] ^ t[1][x>>8&0xff] ^ t[2][x>>16&0xff] ^ t[3][x>>24]
	}
	for i := 0; i < 3; i++ {
		n2 ^= g(n1 + k[0])
		n1 ^= g(n2 + k[1])
		n2 ^= g(n1 + k[2])
		n1 ^= g(n2 + k[3])
		n2 ^= g(n1 + k[4])
		n1 ^= g(n2 + k[5])
		n2 ^= g(n1 + k[6])
		n1 ^= g(n2 + k[7])
	}
	n2 ^= g(n1 + k[7])
	n1 ^= g(n2 + k[6])
	n2 ^= g(n1 + k[5])
	n1 ^= g(n2 + k[4])
	n2 ^= g(n1 + k[3])
	n1 ^= g(n2 + k[2])
	n2 ^= g(n1 + k[1])
	n1 ^= g(n2 + k[0])
	return uint64(n2) | uint64(n1)<<32
}

// step is the step hash function f(H, M) of RFC 5831 §6: key generation
// (§6.1), encryption of the four 64-bit words of H (§6.2) and the mixing
// transformation ψ^61(H ⊕ ψ(M ⊕ ψ^12(S))) (§6.3).
func step(t *tables, h, m [4]uint64) [4]uint64 {
	var s [4]uint64

	u, v := h, m
	k := p([4]uint64{u[0] ^ v[0], u[1] ^ v[1], u[2] ^ v[2], u[3] ^ v[3]})
	s[0] = encrypt(t, &k, h[0])

	u = a(u) // C2 = 0
	v = a(a(v))
	k = p([4]uint64{u[0] ^ v[0], u[1] ^ v[1], u[2] ^ v[2], u[3] ^ v[3]})
	s[1] = encrypt(t, &k, h[1])

	u = a(u)
	u[0] ^= c3[0]
	u[1] ^= c3[1]
	u[2] ^= c3[2]
	u[3] ^= c3[3]
	v = a(a(v))
	k = p([4]uint64{u[0] ^ v[0], u[1] ^ v[1], u[2] ^ v[2], u[3] ^ v[3]})
	s[2] = encrypt(t, &k, h[2])

	u = a(u) // C4 = 0
	v = a(a(v))
	k = p([4]uint64{u[0] ^ v[0], u[1] ^ v[1], u[2] ^ v[2], u[3] ^ v[3]})
	s[3] = encrypt(t, &k, h[3])

	// ψ(Y), with Y = y16‖…‖y1 in 16-bit words, shifts every word down one
	// place and puts y1 ⊕ y2 ⊕ y3 ⊕ y4 ⊕ y13 ⊕ y16 on top. Running it n
	// times over a buffer w appends w[i+16] for i < n; the state is then
	// w[n:n+16], so no word is ever moved.
	var w [16 + 61]uint16
	words(&w, s)
	psi(w[:], 12)
	x := w[12:28]
	for i := range 16 {
		x[i] ^= uint16(m[i/4] >> (16 * (i % 4)))
	}
	var w2 [16 + 61]uint16
	copy(w2[:16], x)
	psi(w2[:], 1)
	x = w2[1:17]
	for i := range 16 {
		x[i] ^= uint16(h[i/4] >> (16 * (i % 4)))
	}
	copy(w[:16], x)
	psi(w[:], 61)
	x = w[61:77]
	var out [4]uint64
	for i := range 4 {
		out[i] = uint64(x[4*i]) | uint64(x[4*i+1])<<16 | uint64(x[4*i+2])<<32 | uint64(x[4*i+3])<<48
	}
	return out
}

func words(w *[16 + 61]uint16, s [4]uint64) {
	for i := range 16 {
		w[i] = uint16(s[i/4] >> (16 * (i % 4)))
	}
}

func psi(w []uint16, n int) {
	w = w[:n+16]
	for i := 0; i < n; i++ {
		w[i+16] = w[i] ^ w[i+1] ^ w[i+2] ^ w[i+3] ^ w[i+12] ^ w[i+15]
	}
}
