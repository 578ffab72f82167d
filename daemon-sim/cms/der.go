package cms

import (
	"bytes"
	"errors"
	"slices"
)

// DER tags used here (X.690 §8).
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagOID         = 0x06
	tagSequence    = 0x30
	tagSet         = 0x31
	tagContext0    = 0xA0 // [0] constructed
	tagContext1    = 0xA1 // [1] constructed
)

var errDER = errors.New("cms: malformed DER")

// element is one DER tag-length-value.
type element struct {
	tag  byte
	full []byte // tag, length and body
	body []byte
}

// next splits the first element off b. Only single-byte tags and definite
// lengths are accepted (DER, X.690 §10.1).
func next(b []byte) (element, []byte, error) {
	if len(b) < 2 || b[0]&0x1F == 0x1F {
		return element{}, nil, errDER
	}
	n, hdr := int(b[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7F
		if k == 0 || k > 4 || len(b) < 2+k {
			return element{}, nil, errDER
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		hdr += k
	}
	if n < 0 || len(b)-hdr < n {
		return element{}, nil, errDER
	}
	return element{tag: b[0], full: b[:hdr+n], body: b[hdr : hdr+n]}, b[hdr+n:], nil
}

// children splits a constructed element's body into its elements.
func children(body []byte) ([]element, error) {
	var out []element
	for len(body) > 0 {
		e, rest, err := next(body)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		body = rest
	}
	return out, nil
}

// tlv encodes an element from its tag and body parts.
func tlv(tag byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n+6)
	out = append(out, tag)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n <= 0xFF:
		out = append(out, 0x81, byte(n))
	case n <= 0xFFFF:
		out = append(out, 0x82, byte(n>>8), byte(n))
	case n <= 0xFFFFFF:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		out = append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// setOf encodes a DER SET OF: the elements sorted by their encodings
// (X.690 §11.6).
func setOf(tag byte, elems [][]byte) []byte {
	sorted := slices.Clone(elems)
	slices.SortFunc(sorted, bytes.Compare)
	return tlv(tag, sorted...)
}
