package eimzo

import (
	"context"
	"encoding/base64"
)

// Request is one call to the daemon: {"plugin":…,"name":…,"arguments":[…]}
// (PROTOCOL.md §2.1). When Data is set, its base64 text is the first
// argument, before Args. Keeping the data apart lets the browser transport
// encode it where it lives (in JavaScript) without copying it into Go.
type Request struct {
	Plugin string
	Name   string
	Data   Data
	Args   []string
}

// Transport carries one request to the daemon and brings back its reply:
// open a connection to url, send the request as one text frame, read the
// first text frame back (at most maxReply bytes), close. It returns an
// *Error: NOT_INSTALLED when nothing answers at url, TRANSPORT when the
// connection ends without a reply, PROTOCOL when the reply is not a JSON
// object, RESPONSE_TOO_LARGE, TIMEOUT or ABORTED.
//
// Natively the client uses [WSTransport]; in the browser the bridge
// (wasm/jsapi) supplies the page's WebSocket, or window.CAPIWS.
type Transport interface {
	RoundTrip(ctx context.Context, url string, req Request, maxReply int64) (Reply, error)
}

// Reply is one reply object, read by field. Readers never see inherited or
// unexpected fields: a transport answers only for the object's own members.
type Reply interface {
	// Bool reports whether key is the boolean true.
	Bool(key string) bool
	// Int returns key as an integer, and false when it is not a number.
	Int(key string) (int, bool)
	// Str returns key when it is a string, else "".
	Str(key string) string
	// Text returns key when it is a string, possibly without copying it
	// (a large CMS stays a JavaScript string in the browser).
	Text(key string) Text
	// Len returns the length of the array key, 0 when it is not an array.
	Len(key string) int
	// Elem returns element i of the array key as an object.
	Elem(key string, i int) Reply
	// ElemStr returns element i of the array key when it is a string.
	ElemStr(key string, i int) string
}

// Data is what a signing call signs. [Bytes] and [Base64] are the native
// kinds; the browser bridge has its own, whose bytes stay in JavaScript.
type Data interface {
	// Size is the number of bytes signed (after base64 decoding), or -1
	// when base64 text is not valid.
	Size() int
}

// Bytes is data given as raw bytes.
type Bytes []byte

// Size implements [Data].
func (b Bytes) Size() int { return len(b) }

// Base64 is data that is already standard base64 (isBase64 in the
// JavaScript API): the daemon signs the bytes it encodes.
type Base64 string

// Size implements [Data]: the decoded length, or -1 when s is not valid
// standard base64.
func (s Base64) Size() int {
	n := base64.StdEncoding.DecodedLen(len(s))
	if len(s)%4 != 0 {
		return -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
		case c == '=' && i >= len(s)-2:
			if i == len(s)-2 && s[i+1] != '=' {
				return -1
			}
			n--
		default:
			return -1
		}
	}
	return n
}

// Base64Text returns the base64 text of native data, for transports that
// build the frame in Go.
func Base64Text(d Data) (string, bool) {
	switch d := d.(type) {
	case Bytes:
		return base64.StdEncoding.EncodeToString(d), true
	case Base64:
		return string(d), true
	}
	return "", false
}

// Text is a string from a reply. Natively it is a Go string; in the
// browser a large reply field (a 45 MB CMS) stays a JavaScript string and
// reaches the page without a copy through Go's memory.
type Text interface {
	String() string
	Len() int
}

// String is a [Text] held in Go.
type String string

func (s String) String() string { return string(s) }

// Len implements [Text].
func (s String) Len() int { return len(s) }
