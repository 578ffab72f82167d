package gost94

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// Vectors with the CryptoPro S-box. Sources: PROTOCOL.md §3.2 and §7
// (checked there against the vendor's own JavaScript), the E-IMZO CMS in
// testdata (messageDigest attribute), and the test-PKI "some document"
// digest from testdata/e-imzo-doc-test-pki-keys.txt. Digests are written
// in the byte order the hash emits.
var cryptoProVectors = []struct {
	name, msg, want string
}{
	{"empty", "", "981e5f3ca30c841487830f84fb433e13ac1101569b9c13584ac483234cd656c0"},
	{"abc", "abc", "b285056dbf18d7392d7677369524dd14747459ed8143997e163b2986f92fd42c"},
	{"localhost", "localhost", "d0314bc0e1991131d8736ec10937cdd7c1bdddd5fd3d6e531d9fdfee8246ba81"},
	{"message digest", "message digest", "bc6041dd2aa401ebfa6e9886734174febdb4729aa972d60f549ac39b29721ba0"},
	{"Привет", "Привет", "64f7180cc34a9ef3650862066cb095367e50d553ff914d135f45858219b0cb10"},
	{"mobile challenge", "F8D2181DC6C02EA819B88FF3EF49BE0C", "735ed03ef3aab35ee4bb80c9e94fa787112befa7ff57fe4b9b73a2710398dd7e"},
	{"some document", "some document", "3369cd520c8e556502b9bc0ac34ca69cafee96f2f4a8371a63d4dd7d3a458d05"},
	// Widely published CryptoPro vectors for the RFC 5831 example messages.
	{"32 bytes", "This is message, length=32 bytes", "2cefc2f7b7bdc514e18ea57fa74ff357e7fa17d652c75f69cb1be7893ede48eb"},
	{"50 bytes", "Suppose the original message has length = 50 bytes", "c3730c5cbccacf915ac292676f21e8bd4ef75331d9405e5f1a61dc3130a65011"},
	{"62 bytes", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "73b70a39497de53a6e08c67b6d4db853540f03e9389299d9b0156ef7e85d0f61"},
}

// RFC 5831 §7.3 examples (test S-box). The RFC prints each digest as a
// big-endian integer; here they are in emitted byte order (reversed).
var testVectors = []struct {
	name, msg, want string
}{
	{"empty", "", "ce85b99cc46752fffee35cab9a7b0278abb4c2d2055cff685af4912c49490f8d"},
	{"RFC 5831 §7.3.1", "This is message, length=32 bytes", "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa"},
	{"RFC 5831 §7.3.2", "Suppose the original message has length = 50 bytes", "471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208"},
	{"fox", "The quick brown fox jumps over the lazy dog", "77b7fa410c9ac58a25f49bca7d0468c9296529315eaca76bd1a10f376d1f4294"},
}

func TestCryptoPro(t *testing.T) {
	for _, tc := range cryptoProVectors {
		t.Run(tc.name, func(t *testing.T) {
			got := Sum([]byte(tc.msg))
			if h := hex.EncodeToString(got[:]); h != tc.want {
				t.Errorf("Sum = %s, want %s", h, tc.want)
			}
			d := New()
			d.Write([]byte(tc.msg))
			if h := hex.EncodeToString(d.Sum(nil)); h != tc.want {
				t.Errorf("New().Sum = %s, want %s", h, tc.want)
			}
		})
	}
}

func TestTestSBox(t *testing.T) {
	for _, tc := range testVectors {
		t.Run(tc.name, func(t *testing.T) {
			d := NewWithSBox(TestSBox())
			d.Write([]byte(tc.msg))
			if h := hex.EncodeToString(d.Sum(nil)); h != tc.want {
				t.Errorf("got %s, want %s", h, tc.want)
			}
		})
	}
}

// TestDoubleHash is the API-key digest of PROTOCOL.md §3.2: d = H(H(domain)).
func TestDoubleHash(t *testing.T) {
	h := Sum([]byte("localhost"))
	d := Sum(h[:])
	const want = "1854ddae818f9f5a68f92cdf626581df7972db966de7f2d7b0af4c18ad5c328b"
	if got := hex.EncodeToString(d[:]); got != want {
		t.Errorf("H(H(localhost)) = %s, want %s", got, want)
	}
}

// TestTimestampImprint: the test-PKI TSA's messageImprint is the GOST
// R 34.11-94 digest of the 64 signature bytes it timestamps
// (testdata/e-imzo-doc-test-pki-keys.txt).
func TestTimestampImprint(t *testing.T) {
	sig, _ := hex.DecodeString("a88ab92b3eed2221925a8532a88ff52d94fc7fa2d0b3579f614822f0723395ee4727de2ed694a21715879637b3181febb94da9016f5a1737d7e9f9920719e90d")
	d := Sum(sig)
	const want = "e96377344d7bab212bcb6c6b82c25fb61600bb4d3f9645aa40c3ec51e4827605"
	if got := hex.EncodeToString(d[:]); got != want {
		t.Errorf("imprint = %s, want %s", got, want)
	}
}

// TestCustomSBox checks that NewWithSBox expands an S-box it has not
// precomputed the same way as the built-in ones.
func TestCustomSBox(t *testing.T) {
	s := CryptoProSBox()
	want := Sum([]byte("abc"))
	d := &digest{t: expand(&s)}
	d.Write([]byte("abc"))
	if !bytes.Equal(d.Sum(nil), want[:]) {
		t.Fatal("expanded CryptoPro S-box differs from the built-in tables")
	}
	s[0][0], s[0][1] = s[0][1], s[0][0]
	h := NewWithSBox(s)
	h.Write([]byte("abc"))
	if bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("a different S-box gave the same digest")
	}
}

// TestStreaming writes the same data in every split and checks that Sum is
// not destructive and that Reset restarts.
func TestStreaming(t *testing.T) {
	data := []byte(strings.Repeat("E-IMZO O'zDSt 1106:2009 ", 11)) // 264 bytes
	want := Sum(data)
	for split := 0; split <= len(data); split++ {
		d := New()
		d.Write(data[:split])
		mid := d.Sum(nil)
		d.Write(data[split:])
		if got := d.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatalf("split %d: %x, want %x", split, got, want)
		}
		if m := Sum(data[:split]); !bytes.Equal(mid, m[:]) {
			t.Fatalf("split %d: intermediate Sum %x, want %x", split, mid, m)
		}
	}
	d := New()
	for i := range data {
		d.Write(data[i : i+1])
	}
	if got := d.Sum([]byte("prefix")); !bytes.Equal(got[6:], want[:]) || string(got[:6]) != "prefix" {
		t.Fatalf("byte-by-byte: %x", got)
	}
	d.Reset()
	if got, e := d.Sum(nil), Sum(nil); !bytes.Equal(got, e[:]) {
		t.Fatal("Reset did not restart the hash")
	}
	if d.Size() != Size || d.BlockSize() != BlockSize {
		t.Fatal("Size/BlockSize")
	}
}

func TestNoAllocs(t *testing.T) {
	d := New()
	buf := make([]byte, 4096)
	out := make([]byte, 0, Size)
	n := testing.AllocsPerRun(10, func() {
		d.Reset()
		d.Write(buf)
		out = d.Sum(out[:0])
	})
	if n != 0 {
		t.Errorf("%v allocations per hash, want 0", n)
	}
}

func FuzzStreaming(f *testing.F) {
	for _, v := range cryptoProVectors {
		f.Add([]byte(v.msg), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		want := Sum(data)
		c := int(chunk) + 1
		d := New()
		for p := data; len(p) > 0; {
			n := min(c, len(p))
			d.Write(p[:n])
			p = p[n:]
		}
		if got := d.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatalf("chunked %d: %x, want %x", c, got, want)
		}
	})
}

func BenchmarkHash(b *testing.B) {
	for _, size := range []int{64, 1024, 1 << 20} {
		buf := make([]byte, size)
		b.Run(byteSize(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			d := New()
			out := make([]byte, 0, Size)
			for b.Loop() {
				d.Reset()
				d.Write(buf)
				out = d.Sum(out[:0])
			}
		})
	}
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}
