package gost

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/eimzokit/eimzokit/wasm/gost94"
)

var allCurves = []*Curve{curveA, curveB, curveC}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// detRand is a deterministic byte stream for reproducible tests (never for
// real keys).
type detRand struct{ r *rand.ChaCha8 }

func newDetRand(seed byte) *detRand {
	var s [32]byte
	s[0] = seed
	return &detRand{rand.NewChaCha8(s)}
}

func (d *detRand) Read(p []byte) (int, error) { return d.r.Read(p) }

// --- a slow, obviously-correct affine reference in math/big -------------

type refPoint struct{ x, y *big.Int } // nil x = identity

func refAdd(c *CurveParams, p1, p2 refPoint) refPoint {
	if p1.x == nil {
		return p2
	}
	if p2.x == nil {
		return p1
	}
	p := c.P
	var l *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		if new(big.Int).Add(p1.y, p2.y).Mod(new(big.Int).Add(p1.y, p2.y), p).Sign() == 0 {
			return refPoint{}
		}
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3)).Add(num, c.A)
		den := new(big.Int).Lsh(p1.y, 1)
		l = num.Mul(num, den.ModInverse(den, p))
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.Mod(den, p)
		l = num.Mul(num, den.ModInverse(den, p))
	}
	l.Mod(l, p)
	x3 := new(big.Int).Mul(l, l)
	x3.Sub(x3, p1.x).Sub(x3, p2.x).Mod(x3, p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, l).Sub(y3, p1.y).Mod(y3, p)
	return refPoint{x3, y3}
}

func refMult(c *CurveParams, k *big.Int, p refPoint) refPoint {
	var acc refPoint
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc = refAdd(c, acc, acc)
		if k.Bit(i) == 1 {
			acc = refAdd(c, acc, p)
		}
	}
	return acc
}

func bigToElem(x *big.Int) elem {
	var b [32]byte
	x.FillBytes(b[:])
	return elemFromBE(b[:])
}

func pointToRef(c *Curve, p *point) refPoint {
	x, y, ok := c.toAffine(p)
	if !ok {
		return refPoint{}
	}
	c.fp.toInt(&x, &x)
	c.fp.toInt(&y, &y)
	return refPoint{toBig(x), toBig(y)}
}

// --- tests ----------------------------------------------------------------

func TestCurveParams(t *testing.T) {
	for _, c := range allCurves {
		t.Run(c.Name(), func(t *testing.T) {
			p := c.Params()
			if !p.P.ProbablyPrime(20) || !p.Q.ProbablyPrime(20) {
				t.Fatal("p or q is not prime")
			}
			if p.P.BitLen() > 256 || p.Q.BitLen() > 256 {
				t.Fatal("p or q is wider than 256 bits")
			}
			// Hasse: q (cofactor 1) is within 2√p of p + 1.
			d := new(big.Int).Sub(new(big.Int).Add(p.P, big.NewInt(1)), p.Q)
			if d.Mul(d, d).Cmp(new(big.Int).Lsh(p.P, 2)) > 0 {
				t.Fatal("q is not the order of a curve over GF(p)")
			}
			var r point
			q := bigToElem(p.Q)
			c.baseMult(&r, &q)
			if isZero(&r.z) != 1 {
				t.Fatal("q·P (comb) is not the identity")
			}
			g := c.affine(&c.gx, &c.gy)
			c.scalarMult(&r, &g, &q)
			if isZero(&r.z) != 1 {
				t.Fatal("q·P (window) is not the identity")
			}
			if ref := refMult(p, p.Q, refPoint{p.X, p.Y}); ref.x != nil {
				t.Fatal("reference q·P is not the identity")
			}
		})
	}
}

func TestFieldAgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range allCurves {
		for _, f := range []*field{c.fp, c.fq} {
			m := toBig(f.m)
			rinv := new(big.Int).ModInverse(new(big.Int).Lsh(big.NewInt(1), 256), m)
			edge := []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(m, big.NewInt(1)), new(big.Int).Sub(m, big.NewInt(2))}
			for i := range 300 {
				var x, y *big.Int
				if i < 16 {
					x, y = edge[i%4], edge[i/4]
				} else {
					x = randBelow(rng, m)
					y = randBelow(rng, m)
				}
				xe, ye := bigToElem(x), bigToElem(y)
				var z elem
				f.add(&z, &xe, &ye)
				check(t, "add", toBig(z), new(big.Int).Mod(new(big.Int).Add(x, y), m))
				f.sub(&z, &xe, &ye)
				check(t, "sub", toBig(z), new(big.Int).Mod(new(big.Int).Sub(x, y), m))
				f.mul(&z, &xe, &ye)
				want := new(big.Int).Mul(x, y)
				want.Mul(want, rinv).Mod(want, m)
				check(t, "mul", toBig(z), want)
				var xm, inv elem
				f.fromInt(&xm, &xe)
				f.inv(&inv, &xm)
				f.toInt(&inv, &inv)
				wantInv := new(big.Int).ModInverse(x, m)
				if wantInv == nil {
					wantInv = new(big.Int)
				}
				check(t, "inv", toBig(inv), wantInv)
			}
			// fromInt reduces any 256-bit value.
			all := elem{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
			var z elem
			f.fromInt(&z, &all)
			f.toInt(&z, &z)
			check(t, "reduce", toBig(z), new(big.Int).Mod(toBig(all), m))
		}
	}
}

func randBelow(r *rand.Rand, m *big.Int) *big.Int {
	b := make([]byte, 40)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return new(big.Int).Mod(new(big.Int).SetBytes(b), m)
}

func check(t *testing.T, op string, got, want *big.Int) {
	t.Helper()
	if got.Cmp(want) != 0 {
		t.Fatalf("%s: got %x, want %x", op, got, want)
	}
}

// TestPointArithmeticAgainstReference compares the complete projective
// formulas, the window and the comb multiplications with the affine
// reference.
func TestPointArithmeticAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range allCurves {
		p := c.Params()
		g := refPoint{p.X, p.Y}
		scalars := []*big.Int{big.NewInt(1), big.NewInt(2), big.NewInt(15), big.NewInt(16), big.NewInt(17),
			new(big.Int).Sub(p.Q, big.NewInt(1))}
		for range 6 {
			scalars = append(scalars, randBelow(rng, p.Q))
		}
		other := refMult(p, big.NewInt(12345), g)
		ox, oy := bigToElem(other.x), bigToElem(other.y)
		var oxm, oym elem
		c.fp.fromInt(&oxm, &ox)
		c.fp.fromInt(&oym, &oy)
		op := c.affine(&oxm, &oym)
		for _, k := range scalars {
			want := refMult(p, k, g)
			ke := bigToElem(k)
			var r point
			c.baseMult(&r, &ke)
			if got := pointToRef(c, &r); got.x.Cmp(want.x) != 0 || got.y.Cmp(want.y) != 0 {
				t.Fatalf("%s: comb %v·P differs", c.Name(), k)
			}
			want = refMult(p, k, other)
			c.scalarMult(&r, &op, &ke)
			if got := pointToRef(c, &r); got.x.Cmp(want.x) != 0 || got.y.Cmp(want.y) != 0 {
				t.Fatalf("%s: window %v·Q differs", c.Name(), k)
			}
		}
		// P + P through add and through double equal the reference
		// doubling, also for a point with Z ≠ 1 and for the identity;
		// P + (−P) is the identity.
		gp := c.affine(&c.gx, &c.gy)
		var s, d point
		c.add(&s, &gp, &gp)
		if got, want := pointToRef(c, &s), refAdd(p, g, g); got.x.Cmp(want.x) != 0 || got.y.Cmp(want.y) != 0 {
			t.Fatalf("%s: P+P", c.Name())
		}
		c.double(&d, &s) // s has Z ≠ 1
		if got, want := pointToRef(c, &d), refMult(p, big.NewInt(4), g); got.x.Cmp(want.x) != 0 || got.y.Cmp(want.y) != 0 {
			t.Fatalf("%s: double(2P)", c.Name())
		}
		id := c.identity()
		c.double(&d, &id)
		if isZero(&d.z) != 1 {
			t.Fatalf("%s: double(O) is not O", c.Name())
		}
		var ny elem
		c.fp.neg(&ny, &c.gy)
		np := c.affine(&c.gx, &ny)
		c.add(&s, &gp, &np)
		if isZero(&s.z) != 1 {
			t.Fatalf("%s: P + (−P) is not the identity", c.Name())
		}
	}
}

type vectorFile struct {
	ContentDigest string `json:"eimzo_content_digest"`
	Vectors       []struct {
		Name      string `json:"name"`
		Digest    string `json:"gost3411_94_cryptopro_digest"`
		E         string `json:"e_hex"`
		PubKey    string `json:"pubkey_octets"`
		Qx        string `json:"Qx"`
		Qy        string `json:"Qy"`
		Signature string `json:"signature_octets"`
		S         string `json:"s"`
		R         string `json:"r"`
		Verifies  bool   `json:"verifies"`
	} `json:"vectors"`
}

func loadVectors(t testing.TB) vectorFile {
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRealVectors verifies all six real signatures of testdata/vectors.json
// and checks that any one-bit change makes each fail.
func TestRealVectors(t *testing.T) {
	v := loadVectors(t)
	if len(v.Vectors) != 6 {
		t.Fatalf("expected 6 vectors, got %d", len(v.Vectors))
	}
	for _, tc := range v.Vectors {
		t.Run(tc.Name, func(t *testing.T) {
			pub, err := NewPublicKey(CurveA(), mustHex(t, tc.PubKey))
			if err != nil {
				t.Fatal(err)
			}
			var x, y elem
			pub.curve.fp.toInt(&x, &pub.x)
			pub.curve.fp.toInt(&y, &pub.y)
			if hex.EncodeToString(toBig(x).FillBytes(make([]byte, 32))) != tc.Qx ||
				hex.EncodeToString(toBig(y).FillBytes(make([]byte, 32))) != tc.Qy {
				t.Fatal("public key coordinates differ from Qx/Qy")
			}
			if !bytes.Equal(pub.Bytes(), mustHex(t, tc.PubKey)) {
				t.Fatal("Bytes does not round-trip")
			}
			digest, sig := mustHex(t, tc.Digest), mustHex(t, tc.Signature)
			if err := Verify(pub, digest, sig); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			for _, bit := range []int{0, 100, 255} {
				d := bytes.Clone(digest)
				d[bit/8] ^= 1 << (bit % 8)
				if err := Verify(pub, d, sig); !errors.Is(err, ErrVerification) {
					t.Errorf("flipped digest bit %d: %v", bit, err)
				}
			}
			for _, bit := range []int{0, 255, 256, 511} {
				s := bytes.Clone(sig)
				s[bit/8] ^= 1 << (bit % 8)
				if err := Verify(pub, digest, s); err == nil {
					t.Errorf("flipped signature bit %d verified", bit)
				}
			}
			swapped := append(bytes.Clone(sig[32:]), sig[:32]...)
			if err := Verify(pub, digest, swapped); err == nil {
				t.Error("r and s swapped verified")
			}
			// Same key bytes read on another curve: not on it.
			if _, err := NewPublicKey(CurveC(), mustHex(t, tc.PubKey)); !errors.Is(err, ErrNotOnCurve) {
				t.Errorf("key on curve C: %v", err)
			}
		})
	}
}

// vendorKey is the E-IMZO vendor's API-key public key (PROTOCOL.md §3.2),
// as big-endian coordinates.
const (
	vendorX = "29c7371abeb628c21dea54d24e6f17ad5de119bc495dcd402b27e642efa78cbd"
	vendorY = "be1401d23a79d1270d13332a0b4b1aefa533d2f75133c3cbc0061d8e47869749"
)

// TestAPIKeys verifies the published demo API keys of PROTOCOL.md §3.2
// directly with Verify (VerifyAPIKey has its own test).
func TestAPIKeys(t *testing.T) {
	x, y := mustHex(t, vendorX), mustHex(t, vendorY)
	raw := make([]byte, 64)
	for i := range 32 {
		raw[i], raw[32+i] = x[31-i], y[31-i]
	}
	pub, err := NewPublicKey(CurveA(), raw)
	if err != nil {
		t.Fatal(err)
	}
	for domain, key := range demoAPIKeys {
		h := gost94.Sum([]byte(domain))
		d := gost94.Sum(h[:])
		if err := Verify(pub, d[:], mustHex(t, key)); err != nil {
			t.Errorf("%s: %v", domain, err)
		}
	}
}

var demoAPIKeys = map[string]string{
	"localhost":      "96D0C1491615C82B9A54D9989779DF825B690748224C2B04F500F370D51827CE2644D8D4A82C18184D73AB8530BB8ED537269603F61DB0D03D2104ABF789970B",
	"127.0.0.1":      "A7BCFA5D490B351BE0754130DF03A068F855DB4333D43921125B9CF2670EF6A40370C646B90401955E1F7BC9CDBF59CE0B2C5467D820BE189C845D0B79CFC96F",
	"null":           "E0A205EC4E7B78BBB56AFF83A733A1BB9FD39D562E67978CC5E7D73B0951DB1954595A20672A63332535E13CC6EC1E1FC8857BB09E0855D7E76E411B6FA16E9D",
	"test.e-imzo.uz": "DE783306B4717AFE4AE1B185E1D967C265AA397A35D8955C7D7E38A36F02798AA62FBABE2ABA15C888FE2F057474F35A5FC783D23005E4347A3E34D6C1DDBAE5",
}

func TestSignVerifyRoundTrip(t *testing.T) {
	for i, c := range allCurves {
		t.Run(c.Name(), func(t *testing.T) {
			rng := newDetRand(byte(i))
			priv, err := GenerateKey(c, rng)
			if err != nil {
				t.Fatal(err)
			}
			var signer crypto.Signer = priv
			digest := gost94.Sum([]byte("round trip"))
			sig, err := signer.Sign(rng, digest[:], nil)
			if err != nil {
				t.Fatal(err)
			}
			pub := signer.Public().(*PublicKey)
			if err := pub.Verify(digest[:], sig); err != nil {
				t.Fatal(err)
			}
			// The public key is d·P as the reference computes it.
			p := c.Params()
			want := refMult(p, new(big.Int).SetBytes(priv.Bytes()), refPoint{p.X, p.Y})
			raw := pub.Bytes()
			gx := new(big.Int).SetBytes(reverse(raw[:32]))
			if gx.Cmp(want.x) != 0 {
				t.Fatal("public key differs from reference d·P")
			}
			priv2, err := NewPrivateKey(c, priv.Bytes())
			if err != nil || !priv2.Equal(priv) || !priv2.PublicKey().Equal(pub) {
				t.Fatalf("NewPrivateKey round trip: %v", err)
			}
			// A signature from another key fails.
			other, _ := GenerateKey(c, rng)
			if err := Verify(other.PublicKey(), digest[:], sig); !errors.Is(err, ErrVerification) {
				t.Fatalf("other key: %v", err)
			}
		})
	}
}

func reverse(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}

// TestZeroDigest: e = 0 mod q is replaced by 1 when signing and verifying.
func TestZeroDigest(t *testing.T) {
	priv, _ := GenerateKey(CurveA(), newDetRand(9))
	for _, d := range [][]byte{make([]byte, 32), reverse(curveA.Params().Q.FillBytes(make([]byte, 32)))} {
		sig, err := Sign(newDetRand(1), priv, d)
		if err != nil {
			t.Fatal(err)
		}
		one := make([]byte, 32)
		one[0] = 1
		if err := Verify(priv.PublicKey(), one, sig); err != nil {
			t.Fatalf("signature over e≡0 does not verify as e=1: %v", err)
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	v := loadVectors(t).Vectors[0]
	pub, _ := NewPublicKey(CurveA(), mustHex(t, v.PubKey))
	digest, sig := mustHex(t, v.Digest), mustHex(t, v.Signature)
	q := curveA.Params().Q.FillBytes(make([]byte, 32))
	zero := make([]byte, 32)
	tests := []struct {
		name        string
		digest, sig []byte
		want        error
	}{
		{"valid", digest, sig, nil},
		{"short digest", digest[:31], sig, ErrDigestLength},
		{"short signature", digest, sig[:63], ErrSignatureLength},
		{"long signature", digest, append(bytes.Clone(sig), 0), ErrSignatureLength},
		{"s = 0", digest, append(bytes.Clone(zero), sig[32:]...), ErrSignatureRange},
		{"r = 0", digest, append(bytes.Clone(sig[:32]), zero...), ErrSignatureRange},
		{"s = q", digest, append(bytes.Clone(q), sig[32:]...), ErrSignatureRange},
		{"r = q", digest, append(bytes.Clone(sig[:32]), q...), ErrSignatureRange},
		{"r = 2^256-1", digest, append(bytes.Clone(sig[:32]), bytes.Repeat([]byte{0xff}, 32)...), ErrSignatureRange},
		{"flipped digest", append([]byte{digest[0] ^ 1}, digest[1:]...), sig, ErrVerification},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Verify(pub, tc.digest, tc.sig); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPublicKeyErrors(t *testing.T) {
	good := mustHex(t, loadVectors(t).Vectors[0].PubKey)
	offCurve := bytes.Clone(good)
	offCurve[0] ^= 1
	pBytes := reverse(curveA.Params().P.FillBytes(make([]byte, 32)))
	tests := []struct {
		name  string
		curve *Curve
		key   []byte
		want  error
	}{
		{"valid", CurveA(), good, nil},
		{"short", CurveA(), good[:63], ErrPublicKeyLength},
		{"empty", CurveA(), nil, ErrPublicKeyLength},
		{"not on curve", CurveA(), offCurve, ErrNotOnCurve},
		{"wrong curve", CurveB(), good, ErrNotOnCurve},
		{"x = p", CurveA(), append(bytes.Clone(pBytes), good[32:]...), ErrNotOnCurve},
		{"identity encoding", CurveA(), make([]byte, 64), ErrNotOnCurve},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewPublicKey(tc.curve, tc.key); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPrivateKeyErrors(t *testing.T) {
	q := curveA.Params().Q.FillBytes(make([]byte, 32))
	for name, d := range map[string][]byte{"zero": make([]byte, 32), "q": q, "short": q[:31]} {
		if _, err := NewPrivateKey(CurveA(), d); !errors.Is(err, ErrPrivateKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
	priv, _ := GenerateKey(CurveA(), newDetRand(3))
	if _, err := Sign(newDetRand(4), priv, make([]byte, 31)); !errors.Is(err, ErrDigestLength) {
		t.Errorf("short digest: %v", err)
	}
	if _, err := priv.Sign(newDetRand(4), make([]byte, 32), crypto.SHA256); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("SHA-256 opts: %v", err)
	}
	if _, err := priv.Sign(newDetRand(4), make([]byte, 32), crypto.Hash(0)); err != nil {
		t.Errorf("zero hash opts: %v", err)
	}
	if _, err := GenerateKey(CurveA(), bytes.NewReader(nil)); err == nil {
		t.Error("GenerateKey with an empty reader succeeded")
	}
}

func BenchmarkSign(b *testing.B) {
	for _, c := range allCurves {
		b.Run(c.Name()[28:29], func(b *testing.B) {
			rng := newDetRand(1)
			priv, _ := GenerateKey(c, rng)
			d := gost94.Sum([]byte("bench"))
			for b.Loop() {
				if _, err := Sign(rng, priv, d[:]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, c := range allCurves {
		b.Run(c.Name()[28:29], func(b *testing.B) {
			rng := newDetRand(1)
			priv, _ := GenerateKey(c, rng)
			d := gost94.Sum([]byte("bench"))
			sig, _ := Sign(rng, priv, d[:])
			pub := priv.PublicKey()
			for b.Loop() {
				if err := Verify(pub, d[:], sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReferenceBig is the affine math/big reference doing one k·P, to
// show what hand-written field arithmetic buys.
func BenchmarkReferenceBig(b *testing.B) {
	p := curveA.Params()
	k := new(big.Int).Sub(p.Q, big.NewInt(12345))
	for b.Loop() {
		refMult(p, k, refPoint{p.X, p.Y})
	}
}

// BenchmarkScalarMult is one variable-base k·Q (4-bit window, constant
// time), the counterpart of BenchmarkReferenceBig.
func BenchmarkScalarMult(b *testing.B) {
	c := curveA
	k := bigToElem(new(big.Int).Sub(c.Params().Q, big.NewInt(12345)))
	g := c.affine(&c.gx, &c.gy)
	var r point
	for b.Loop() {
		c.scalarMult(&r, &g, &k)
	}
}

// BenchmarkBaseMult is one fixed-base k·P with the comb table.
func BenchmarkBaseMult(b *testing.B) {
	c := curveA
	k := bigToElem(new(big.Int).Sub(c.Params().Q, big.NewInt(12345)))
	var r point
	c.baseMult(&r, &k)
	for b.Loop() {
		c.baseMult(&r, &k)
	}
}
