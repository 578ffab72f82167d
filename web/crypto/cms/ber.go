package cms

import "fmt"

// BER to DER, as far as a verifier needs it (X.690 §8 vs §10): indefinite
// lengths become definite, long-form lengths become minimal, and constructed
// (segmented) strings of the universal string types become primitive. SET OF
// elements are left in the order received: the signer's encoding of signed
// attributes is what was signed, and re-sorting could only break it.
//
// Real E-IMZO CMS are BER: indefinite lengths throughout, the content in a
// constructed OCTET STRING.

// maxDepth bounds nesting; CMS with certificates nests about 12 deep.
const maxDepth = 64

func berError(format string, a ...any) error {
	return fmt.Errorf("%w: BER: %s", ErrMalformed, fmt.Sprintf(format, a...))
}

// header is one parsed identifier and length.
type header struct {
	idLen      int  // identifier octets
	hdrLen     int  // identifier and length octets
	length     int  // content length; -1 = indefinite
	class      int  // 0 universal, 1 application, 2 context, 3 private
	tag        int  // tag number
	compound   bool // constructed
	nonMinimal bool // a length DER would encode differently
}

func readHeader(b []byte) (h header, err error) {
	if len(b) < 2 {
		return h, berError("truncated header")
	}
	h.class = int(b[0] >> 6)
	h.compound = b[0]&0x20 != 0
	h.tag = int(b[0] & 0x1f)
	i := 1
	if h.tag == 0x1f { // high tag number form, base 128
		h.tag = 0
		for {
			if i >= len(b) || i > 4 {
				return h, berError("tag number too long")
			}
			c := b[i]
			i++
			h.tag = h.tag<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	h.idLen = i
	if i >= len(b) {
		return h, berError("truncated length")
	}
	l := b[i]
	i++
	switch {
	case l < 0x80:
		h.length = int(l)
	case l == 0x80:
		if !h.compound {
			return h, berError("indefinite length on a primitive element")
		}
		h.length = -1
		h.nonMinimal = true
	case l == 0xff:
		return h, berError("reserved length octet")
	default:
		n := int(l & 0x7f)
		if n > 4 {
			return h, berError("length of %d octets", n)
		}
		if i+n > len(b) {
			return h, berError("truncated length")
		}
		v := 0
		for _, c := range b[i : i+n] {
			v = v<<8 | int(c)
		}
		i += n
		h.length = v
		h.nonMinimal = v < 0x80 || b[i-n] == 0
	}
	h.hdrLen = i
	if h.length > len(b)-i {
		return h, berError("length %d beyond the %d octets left", h.length, len(b)-i)
	}
	return h, nil
}

// isString reports whether a universal tag is a string type that BER may
// segment (X.690 §8.21, §8.6, §8.7).
func isString(tag int) bool {
	switch tag {
	case 3, 4, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30:
		return true
	}
	return false
}

// isDER walks one element and reports whether it needs no conversion.
func isDER(b []byte, depth int) (rest []byte, ok bool, err error) {
	if depth > maxDepth {
		return nil, false, berError("nested deeper than %d", maxDepth)
	}
	h, err := readHeader(b)
	if err != nil {
		return nil, false, err
	}
	if h.nonMinimal || (h.compound && h.class == 0 && isString(h.tag)) {
		return nil, false, nil
	}
	if h.class == 0 && h.tag == 0 {
		return nil, false, berError("end-of-contents outside an indefinite length")
	}
	end := h.hdrLen + h.length
	if h.compound {
		body := b[h.hdrLen:end]
		for len(body) > 0 {
			var ok bool
			if body, ok, err = isDER(body, depth+1); err != nil || !ok {
				return nil, ok, err
			}
		}
	}
	return b[end:], true, nil
}

// node is an element being converted.
type node struct {
	id       []byte
	content  []byte
	children []*node
	size     int
}

func build(b []byte, depth int) (*node, []byte, error) {
	if depth > maxDepth {
		return nil, nil, berError("nested deeper than %d", maxDepth)
	}
	h, err := readHeader(b)
	if err != nil {
		return nil, nil, err
	}
	if h.class == 0 && h.tag == 0 {
		return nil, nil, berError("end-of-contents outside an indefinite length")
	}
	n := &node{id: b[:h.idLen]}
	if !h.compound {
		n.content = b[h.hdrLen : h.hdrLen+h.length]
		n.size = len(n.content)
		return n, b[h.hdrLen+h.length:], nil
	}
	var rest []byte
	body := b[h.hdrLen:]
	if h.length >= 0 {
		body, rest = b[h.hdrLen:h.hdrLen+h.length], b[h.hdrLen+h.length:]
	}
	for {
		if h.length < 0 {
			if len(body) < 2 {
				return nil, nil, berError("missing end-of-contents")
			}
			if body[0] == 0 && body[1] == 0 {
				rest = body[2:]
				break
			}
		} else if len(body) == 0 {
			break
		}
		var c *node
		if c, body, err = build(body, depth+1); err != nil {
			return nil, nil, err
		}
		n.children = append(n.children, c)
		n.size += len(c.id) + lenOfLen(c.size) + c.size
	}
	if h.class == 0 && isString(h.tag) {
		if err := n.flatten(h.tag); err != nil {
			return nil, nil, err
		}
	}
	return n, rest, nil
}

// flatten joins the segments of a constructed string (X.690 §8.6.4, §8.7.3).
func (n *node) flatten(tag int) error {
	var out []byte
	unused := byte(0)
	for i, c := range n.children {
		if c.children != nil || len(c.id) != 1 || int(c.id[0]) != tag {
			return berError("a segment of a constructed string of tag %d is not a primitive of that tag", tag)
		}
		seg := c.content
		if tag == 3 { // BIT STRING: each segment starts with its unused-bits count
			if len(seg) == 0 || seg[0] > 7 || (seg[0] != 0 && i != len(n.children)-1) {
				return berError("bad BIT STRING segment")
			}
			unused, seg = seg[0], seg[1:]
		}
		out = append(out, seg...)
	}
	if tag == 3 {
		out = append([]byte{unused}, out...)
	}
	n.id = []byte{n.id[0] &^ 0x20}
	n.children, n.content, n.size = nil, out, len(out)
	return nil
}

func lenOfLen(n int) int {
	switch {
	case n < 0x80:
		return 1
	case n < 0x100:
		return 2
	case n < 0x10000:
		return 3
	case n < 0x1000000:
		return 4
	}
	return 5
}

func appendLength(out []byte, n int) []byte {
	if n < 0x80 {
		return append(out, byte(n))
	}
	k := lenOfLen(n) - 1
	out = append(out, 0x80|byte(k))
	for i := k - 1; i >= 0; i-- {
		out = append(out, byte(n>>(8*i)))
	}
	return out
}

func (n *node) write(out []byte) []byte {
	out = append(out, n.id...)
	out = appendLength(out, n.size)
	if n.children == nil {
		return append(out, n.content...)
	}
	for _, c := range n.children {
		out = c.write(out)
	}
	return out
}

// ToDER converts one BER element to DER (see above) and returns the bytes
// after it. DER input comes back as the same slice, unchanged. Errors match
// ErrMalformed.
func ToDER(b []byte) (der, rest []byte, err error) {
	rest, ok, err := isDER(b, 0)
	if err != nil {
		return nil, nil, err
	}
	if ok {
		return b[:len(b)-len(rest)], rest, nil
	}
	n, rest, err := build(b, 0)
	if err != nil {
		return nil, nil, err
	}
	return n.write(make([]byte, 0, len(n.id)+lenOfLen(n.size)+n.size)), rest, nil
}
