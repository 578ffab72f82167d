// Package hexstr is lowercase hexadecimal for the browser client's
// packages. It stands in for encoding/hex, which imports fmt: about 110 kB
// of the gzipped WebAssembly client for four small functions.
package hexstr

import "errors"

// ErrSyntax is returned for an odd length or a character that is not a
// hex digit.
var ErrSyntax = errors.New("hexstr: not hexadecimal")

const digits = "0123456789abcdef"

// AppendEncode appends the lowercase hex of b to dst.
func AppendEncode(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, digits[c>>4], digits[c&15])
	}
	return dst
}

// Encode returns the lowercase hex of b.
func Encode(b []byte) string { return string(AppendEncode(make([]byte, 0, 2*len(b)), b)) }

// Decode reads hex of either case.
func Decode(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, ErrSyntax
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		hi, ok1 := digit(s[2*i])
		lo, ok2 := digit(s[2*i+1])
		if !ok1 || !ok2 {
			return nil, ErrSyntax
		}
		out[i] = hi<<4 | lo
	}
	return out, nil
}

// Valid reports whether s is n hex digits of either case.
func Valid(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := digit(s[i]); !ok {
			return false
		}
	}
	return true
}

func digit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
