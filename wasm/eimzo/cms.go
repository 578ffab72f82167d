package eimzo

import (
	"bytes"
	"errors"
)

// This file is a minimal BER/DER walker for one job: putting an RFC 3161
// timestamp token into a SignerInfo of a CMS SignedData (RFC 5652 §5), as
// the unsigned attribute id-aa-timeStampToken (RFC 3161 Appendix A). It is
// written by hand because encoding/asn1 works by reflection, which would
// cost the WebAssembly client far more than this file.
//
// Only the elements on the path to the SignerInfo are rebuilt, with
// definite lengths; every other element (certificates, the content, the
// signed attributes) is copied byte for byte, so the signature still
// verifies. BER indefinite lengths (some E-IMZO builds emit them) are read.

var (
	errDER       = errors.New("cms: malformed BER")
	errNotCMS    = errors.New("cms: not a CMS SignedData (RFC 5652 ContentInfo)")
	errNoSigner  = errors.New("cms: no SignerInfo with that signature")
	errTooNested = errors.New("cms: nested too deeply")
)

// Object identifiers, as DER (tag, length, value).
var (
	oidSignedData     = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}             // 1.2.840.113549.1.7.2
	oidTimeStampToken = []byte{0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0e} // 1.2.840.113549.1.9.16.2.14
)

// Identifier octets of the elements on the path (X.690 §8.1.2).
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagSequence    = 0x30 // constructed
	tagSet         = 0x31 // constructed
	tagContext0    = 0xa0 // [0] constructed
	tagContext1    = 0xa1 // [1] constructed
)

const maxDepth = 32

// element is one BER TLV.
type element struct {
	id         byte   // the identifier octet (low-tag-number form only on the path)
	raw        []byte // the whole element, header and end-of-contents included
	content    []byte // the content octets, end-of-contents excluded
	indefinite bool
}

// parseElement reads the element at the start of b.
func parseElement(b []byte, depth int) (element, error) {
	if depth > maxDepth {
		return element{}, errTooNested
	}
	if len(b) < 2 {
		return element{}, errDER
	}
	e := element{id: b[0]}
	p := 1
	if b[0]&0x1f == 0x1f { // high-tag-number form: base-128 octets
		for n := 0; ; n++ {
			if p >= len(b) || n == 4 {
				return element{}, errDER
			}
			c := b[p]
			p++
			if c&0x80 == 0 {
				break
			}
		}
	}
	if p >= len(b) {
		return element{}, errDER
	}
	l := int(b[p])
	p++
	switch {
	case l < 0x80:
	case l == 0x80:
		if b[0]&0x20 == 0 {
			return element{}, errDER // indefinite length only for constructed elements
		}
		e.indefinite = true
	default:
		n := l & 0x7f
		if n > 4 || p+n > len(b) {
			return element{}, errDER
		}
		l = 0
		for _, c := range b[p : p+n] {
			l = l<<8 | int(c)
		}
		p += n
		if l < 0 {
			return element{}, errDER
		}
	}
	if !e.indefinite {
		if l > len(b)-p {
			return element{}, errDER
		}
		e.content = b[p : p+l]
		e.raw = b[:p+l]
		return e, nil
	}
	// Indefinite: children up to the end-of-contents octets 00 00.
	q := p
	for {
		if q+2 > len(b) {
			return element{}, errDER
		}
		if b[q] == 0 && b[q+1] == 0 {
			e.content = b[p:q]
			e.raw = b[:q+2]
			return e, nil
		}
		child, err := parseElement(b[q:], depth+1)
		if err != nil {
			return element{}, err
		}
		q += len(child.raw)
	}
}

// children splits a constructed element's content into elements.
func (e element) children(depth int) ([]element, error) {
	if e.id&0x20 == 0 {
		return nil, errDER
	}
	var out []element
	for b := e.content; len(b) > 0; {
		c, err := parseElement(b, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		b = b[len(c.raw):]
	}
	return out, nil
}

// only parses b as exactly one element.
func only(b []byte) (element, error) {
	e, err := parseElement(b, 0)
	if err != nil {
		return e, err
	}
	if len(e.raw) != len(b) {
		return e, errDER
	}
	return e, nil
}

// encode writes a definite-length element (X.690 §8.1.3).
func encode(id byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n+6)
	out = append(out, id)
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
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// signedData is the path from a ContentInfo to its SignerInfos.
type signedData struct {
	oid     element   // contentType
	sd      []element // SignedData's fields; the last is signerInfos
	signers []element
}

// parseSignedData walks ContentInfo → [0] → SignedData → signerInfos
// (RFC 5652 §3, §5.1).
func parseSignedData(der []byte) (*signedData, error) {
	ci, err := only(der)
	if err != nil {
		return nil, err
	}
	if ci.id != tagSequence {
		return nil, errNotCMS
	}
	kids, err := ci.children(0)
	if err != nil {
		return nil, err
	}
	if len(kids) != 2 || !bytes.Equal(kids[0].raw, oidSignedData) || kids[1].id != tagContext0 {
		return nil, errNotCMS
	}
	inner, err := kids[1].children(1)
	if err != nil {
		return nil, err
	}
	if len(inner) != 1 || inner[0].id != tagSequence {
		return nil, errNotCMS
	}
	sd, err := inner[0].children(2)
	if err != nil {
		return nil, err
	}
	// version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
	if len(sd) < 4 || sd[0].id != tagInteger || sd[1].id != tagSet || sd[2].id != tagSequence || sd[len(sd)-1].id != tagSet {
		return nil, errNotCMS
	}
	signers, err := sd[len(sd)-1].children(3)
	if err != nil {
		return nil, err
	}
	return &signedData{oid: kids[0], sd: sd, signers: signers}, nil
}

// signerFields splits a SignerInfo (RFC 5652 §5.3) and returns its fields,
// the index of its signature and of its unsignedAttrs (-1 when absent).
func signerFields(si element) (fields []element, sig, unsigned int, err error) {
	if si.id != tagSequence {
		return nil, 0, 0, errNotCMS
	}
	if fields, err = si.children(4); err != nil {
		return nil, 0, 0, err
	}
	// version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature, [1] unsignedAttrs?
	sig = 4
	if len(fields) > 3 && fields[3].id == tagContext0 {
		sig = 5
	}
	if len(fields) <= sig || fields[sig].id&0xdf != tagOctetString {
		return nil, 0, 0, errNotCMS
	}
	unsigned = -1
	if len(fields) > sig+1 {
		if fields[sig+1].id != tagContext1 || len(fields) > sig+2 {
			return nil, 0, 0, errNotCMS
		}
		unsigned = sig + 1
	}
	return fields, sig, unsigned, nil
}

// octets returns an OCTET STRING's value, joining the pieces of a
// constructed (BER) one.
func octets(e element) ([]byte, error) {
	if e.id&0x20 == 0 {
		return e.content, nil
	}
	kids, err := e.children(maxDepth - 2)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, k := range kids {
		if k.id != tagOctetString {
			return nil, errDER
		}
		out = append(out, k.content...)
	}
	return out, nil
}

// SignatureOf returns the signature value of the first SignerInfo of a
// CMS SignedData (DER or BER).
func SignatureOf(cms []byte) ([]byte, error) {
	p, err := parseSignedData(cms)
	if err != nil {
		return nil, err
	}
	if len(p.signers) == 0 {
		return nil, errNoSigner
	}
	fields, sig, _, err := signerFields(p.signers[0])
	if err != nil {
		return nil, err
	}
	return octets(fields[sig])
}

// checkToken checks that token is one ContentInfo of a SignedData, the
// shape of an RFC 3161 TimeStampToken (§2.4.2).
func checkToken(token []byte) error {
	_, err := parseSignedData(token)
	return err
}

// AttachTimestamp returns cms with token added as the unsigned attribute
// id-aa-timeStampToken of the SignerInfo whose signature value is
// signature (RFC 3161 Appendix A); with an empty signature, of the only
// SignerInfo. The signature, the signed attributes and every certificate
// are left untouched, so the CMS still verifies.
func AttachTimestamp(cms, signature, token []byte) ([]byte, error) {
	p, err := parseSignedData(cms)
	if err != nil {
		return nil, err
	}
	if err := checkToken(token); err != nil {
		return nil, err
	}
	target := -1
	for i, si := range p.signers {
		fields, sig, _, err := signerFields(si)
		if err != nil {
			return nil, err
		}
		value, err := octets(fields[sig])
		if err != nil {
			return nil, err
		}
		if len(signature) > 0 && bytes.Equal(value, signature) || len(signature) == 0 && len(p.signers) == 1 {
			target = i
			break
		}
	}
	if target < 0 {
		return nil, errNoSigner
	}
	fields, sig, unsigned, _ := signerFields(p.signers[target])
	attr := encode(tagSequence, oidTimeStampToken, encode(tagSet, token))
	attrs := [][]byte{attr}
	if unsigned >= 0 {
		old, err := fields[unsigned].children(5)
		if err != nil {
			return nil, err
		}
		for _, a := range old {
			attrs = append(attrs, a.raw)
		}
	}
	sortSetOf(attrs)
	parts := make([][]byte, 0, sig+2)
	for _, f := range fields[:sig+1] {
		parts = append(parts, f.raw)
	}
	parts = append(parts, encode(tagContext1, attrs...))
	signerParts := make([][]byte, len(p.signers))
	for i, si := range p.signers {
		signerParts[i] = si.raw
	}
	signerParts[target] = encode(tagSequence, parts...)
	sdParts := make([][]byte, 0, len(p.sd))
	for _, f := range p.sd[:len(p.sd)-1] {
		sdParts = append(sdParts, f.raw)
	}
	sdParts = append(sdParts, encode(tagSet, signerParts...))
	return encode(tagSequence, p.oid.raw, encode(tagContext0, encode(tagSequence, sdParts...))), nil
}

// sortSetOf orders the encodings of a SET OF as DER requires (X.690
// §11.6): ascending, as octet strings.
func sortSetOf(items [][]byte) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && bytes.Compare(items[j], items[j-1]) < 0; j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}
