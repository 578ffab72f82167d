package cms

import (
	"encoding/asn1"
	"fmt"
)

// Small DER helpers (X.690 §10): encodeTLV writes one value with a
// minimal definite length; readTLV splits one value off the front.

func encodeTLV(tag byte, content ...[]byte) []byte {
	n := 0
	for _, c := range content {
		n += len(c)
	}
	out := make([]byte, 0, n+6)
	out = append(out, tag)
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
	for _, c := range content {
		out = append(out, c...)
	}
	return out
}

const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagOID         = 0x06
	tagSequence    = 0x30
	tagSet         = 0x31
	tagContext0    = 0xa0 // [0] constructed
	tagContext1    = 0xa1 // [1] constructed
	tagContext0Pri = 0x80 // [0] primitive
)

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// readTLV splits the first DER value off b.
func readTLV(b []byte, what string) (asn1.RawValue, []byte, error) {
	var v asn1.RawValue
	rest, err := asn1.Unmarshal(b, &v)
	if err != nil {
		return v, nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	return v, rest, nil
}

// peekTag returns the first identifier octet of b, or 0.
func peekTag(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
