// Package ber converts BER-encoded ASN.1 (X.690 §8) to DER (X.690 §10)
// so that encoding/asn1, which reads only definite lengths, can parse it.
// Real E-IMZO CMS messages are BER: indefinite lengths and a chunked
// (constructed) OCTET STRING for the content.
//
// ToDER rewrites every length in its minimal definite form, replaces
// indefinite lengths by definite ones, and flattens constructed OCTET
// STRINGs, BIT STRINGs and character strings into primitive ones. It does
// not reorder SET OF elements or canonicalise values (booleans, times):
// input that is already DER comes back byte for byte.
//
// Errors: every failure wraps ErrMalformed.
package ber

import (
	"errors"
	"fmt"
)

// ErrMalformed is returned (wrapped, with the offset) for any input that
// is not well-formed BER, nests deeper than MaxDepth, or has trailing data.
var ErrMalformed = errors.New("ber: malformed encoding")

// MaxDepth bounds the nesting of constructed values.
const MaxDepth = 64

// ToDER converts one BER value, which must span all of b, to DER.
func ToDER(b []byte) ([]byte, error) {
	var c converter
	out, n, err := c.value(b, 0, 0)
	if err != nil {
		return nil, err
	}
	if n != len(b) {
		return nil, fmt.Errorf("%w: %d bytes of trailing data at offset %d", ErrMalformed, len(b)-n, n)
	}
	return out, nil
}

type converter struct{}

type header struct {
	tag         []byte // raw identifier octets
	class       byte
	constructed bool
	number      uint64
	length      int // -1 for indefinite
	hlen        int
}

func errAt(off int, format string, args ...any) error {
	return fmt.Errorf("%w: at offset %d: %s", ErrMalformed, off, fmt.Sprintf(format, args...))
}

// parseHeader reads the identifier and length octets (X.690 §8.1.2–8.1.3).
func parseHeader(b []byte, off int) (header, error) {
	var h header
	if len(b) < 2 {
		return h, errAt(off, "truncated header")
	}
	h.class = b[0] >> 6
	h.constructed = b[0]&0x20 != 0
	i := 1
	if b[0]&0x1f == 0x1f {
		for {
			if i >= len(b) {
				return h, errAt(off, "truncated tag")
			}
			if i > 5 {
				return h, errAt(off, "tag number too large")
			}
			h.number = h.number<<7 | uint64(b[i]&0x7f)
			i++
			if b[i-1]&0x80 == 0 {
				break
			}
		}
	} else {
		h.number = uint64(b[0] & 0x1f)
	}
	h.tag = b[:i]
	if i >= len(b) {
		return h, errAt(off, "truncated length")
	}
	l := b[i]
	i++
	switch {
	case l < 0x80:
		h.length = int(l)
	case l == 0x80:
		if !h.constructed {
			return h, errAt(off, "indefinite length on a primitive value")
		}
		h.length = -1
	case l == 0xff:
		return h, errAt(off, "reserved length octet")
	default:
		n := int(l & 0x7f)
		if n > 4 {
			return h, errAt(off, "length of %d octets is too large", n)
		}
		if i+n > len(b) {
			return h, errAt(off, "truncated length")
		}
		v := 0
		for _, c := range b[i : i+n] {
			v = v<<8 | int(c)
		}
		i += n
		h.length = v
	}
	h.hlen = i
	if h.length > len(b)-i {
		return h, errAt(off, "length %d exceeds the %d bytes available", h.length, len(b)-i)
	}
	return h, nil
}

// Universal tags whose constructed form is a concatenation of segments
// (X.690 §8.6, §8.7, §8.23).
func isString(number uint64) bool {
	switch number {
	case 3, 4, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30:
		return true
	}
	return false
}

// value converts the value at the start of b and returns its DER encoding
// and the number of input bytes consumed.
func (c *converter) value(b []byte, off, depth int) ([]byte, int, error) {
	if depth > MaxDepth {
		return nil, 0, errAt(off, "nesting deeper than %d", MaxDepth)
	}
	h, err := parseHeader(b, off)
	if err != nil {
		return nil, 0, err
	}
	if h.class == 0 && h.number == 0 {
		return nil, 0, errAt(off, "unexpected end-of-contents")
	}
	if !h.constructed {
		end := h.hlen + h.length
		return encode(h.tag, b[h.hlen:end]), end, nil
	}
	var content []byte
	var children [][]byte
	pos := h.hlen
	for {
		if h.length >= 0 && pos == h.hlen+h.length {
			break
		}
		if h.length < 0 && len(b)-pos >= 2 && b[pos] == 0 && b[pos+1] == 0 {
			pos += 2
			break
		}
		if pos >= len(b) || (h.length >= 0 && pos > h.hlen+h.length) {
			return nil, 0, errAt(off, "truncated constructed value")
		}
		limit := len(b)
		if h.length >= 0 {
			limit = h.hlen + h.length
		}
		child, n, err := c.value(b[pos:limit], off+pos, depth+1)
		if err != nil {
			return nil, 0, err
		}
		children = append(children, child)
		pos += n
	}
	if h.class == 0 && isString(h.number) {
		flat, err := flatten(h.number, children, off)
		if err != nil {
			return nil, 0, err
		}
		return encode([]byte{byte(h.number)}, flat), pos, nil
	}
	for _, ch := range children {
		content = append(content, ch...)
	}
	return encode(h.tag, content), pos, nil
}

// flatten joins the DER segments of a constructed string. Each segment
// must be a primitive value of the same universal type (after conversion
// they all are primitive).
func flatten(number uint64, segs [][]byte, off int) ([]byte, error) {
	var out []byte
	if number == 3 {
		out = append(out, 0) // unused-bits octet
	}
	for i, s := range segs {
		h, err := parseHeader(s, off)
		if err != nil {
			return nil, err
		}
		if h.class != 0 || h.number != number {
			return nil, errAt(off, "segment of a constructed string has another type")
		}
		body := s[h.hlen:]
		if number == 3 {
			if len(body) == 0 {
				return nil, errAt(off, "empty BIT STRING segment")
			}
			if body[0] != 0 && i != len(segs)-1 {
				return nil, errAt(off, "unused bits in a non-final BIT STRING segment")
			}
			out[0] = body[0]
			body = body[1:]
		}
		out = append(out, body...)
	}
	return out, nil
}

// encode returns tag ‖ minimal definite length ‖ content.
func encode(tag, content []byte) []byte {
	out := make([]byte, 0, len(tag)+5+len(content))
	out = append(out, tag...)
	n := len(content)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 1<<8:
		out = append(out, 0x81, byte(n))
	case n < 1<<16:
		out = append(out, 0x82, byte(n>>8), byte(n))
	case n < 1<<24:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		out = append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, content...)
}
