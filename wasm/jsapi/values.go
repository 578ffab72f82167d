//go:build js && wasm

package jsapi

import (
	"context"
	"encoding/base64"
	"strconv"
	"syscall/js"
	"time"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

var (
	jsObject      = js.Global().Get("Object")
	jsArray       = js.Global().Get("Array")
	jsUint8Array  = js.Global().Get("Uint8Array")
	jsArrayBuffer = js.Global().Get("ArrayBuffer")
	jsDate        = js.Global().Get("Date")
	jsBlob        = js.Global().Get("Blob")
	jsJSON        = js.Global().Get("JSON")
	jsString      = js.Global().Get("String")
	jsEncoder     = js.Global().Get("TextEncoder").New()
	// base64Text matches standard base64 with its padding.
	base64Text = js.Global().Get("RegExp").New(`^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$`)
	whitespace = js.Global().Get("RegExp").New(`\s+`, "g")
)

func badArgument(msg string) error { return eimzo.NewError(eimzo.CodeBadArgument, msg) }

// newObject returns a plain object.
func newObject() js.Value { return jsObject.New() }

// strObject wraps a JS string primitive in a String object: syscall/js
// reads properties and calls methods on objects only.
func strObject(s js.Value) js.Value { return jsObject.Invoke(s) }

// stringLength is the length of a JS string in UTF-16 units, read without
// copying the string into Go.
func stringLength(s js.Value) int { return strObject(s).Get("length").Int() }

// jsData is data to sign that stays in JavaScript: a Uint8Array (from a
// string's UTF-8, an ArrayBuffer, any ArrayBufferView or a Blob), or a
// base64 string (isBase64, or a CMS from an earlier reply). Its bytes are
// never copied into Go: the transport puts its base64 into the frame with
// the browser's native Uint8Array.prototype.toBase64 where it exists.
type jsData struct {
	bytes js.Value // a Uint8Array, or undefined
	text  js.Value // base64 text, or undefined
	size  int
}

func (d jsData) Size() int { return d.size }

// base64 returns the data's base64 as a JS string.
func (d jsData) base64() js.Value {
	if d.text.Type() == js.TypeString {
		return d.text
	}
	return bytesToBase64(d.bytes)
}

// bytesToBase64 encodes a Uint8Array in JavaScript: natively with
// toBase64 (Chromium 140+, Firefox 133+, Safari 18.2+), else with btoa over
// 32 KiB pieces, which keeps the bytes out of Go's memory either way.
func bytesToBase64(u8 js.Value) js.Value {
	if u8.Get("toBase64").Type() == js.TypeFunction {
		return u8.Call("toBase64")
	}
	const piece = 0x8000
	n := u8.Get("length").Int()
	parts := jsArray.New()
	fromCharCode := jsString.Get("fromCharCode")
	for i := 0; i < n; i += piece {
		parts.Call("push", fromCharCode.Call("apply", js.Null(), u8.Call("subarray", i, min(i+piece, n))))
	}
	return js.Global().Get("btoa").Invoke(parts.Call("join", "")) // Invoke: see fetch in page.go
}

// dataFrom turns what the page passes to sign into data: a string (its
// UTF-8 bytes, or with isBase64 the bytes it encodes), an ArrayBuffer, any
// ArrayBufferView or a Blob/File. maxLen is checked before anything large
// is copied or read.
func dataFrom(ctx context.Context, v js.Value, isBase64 bool, maxLen int) (eimzo.Data, error) {
	switch {
	case v.Type() == js.TypeString && isBase64:
		s := v
		if whitespace.Call("test", s).Bool() {
			s = strObject(s).Call("replace", whitespace, "")
		}
		n := stringLength(s)
		if n%4 != 0 || !base64Text.Call("test", s).Bool() {
			return nil, badArgument("isBase64: the data is not standard base64")
		}
		size := n / 4 * 3
		if n > 0 && strObject(s).Call("charCodeAt", n-1).Int() == '=' {
			size--
			if strObject(s).Call("charCodeAt", n-2).Int() == '=' {
				size--
			}
		}
		return jsData{text: s, size: size}, nil
	case v.Type() == js.TypeString:
		// A string of n UTF-16 units is at least n bytes in UTF-8.
		if stringLength(v) > maxLen {
			return nil, tooLarge(stringLength(v), maxLen)
		}
		u8 := jsEncoder.Call("encode", v)
		return jsData{bytes: u8, size: u8.Get("length").Int()}, nil
	case isBase64:
		return nil, badArgument("isBase64 needs the data as a string")
	case v.Type() != js.TypeObject:
		return nil, badArgument("data must be a string, ArrayBuffer, ArrayBufferView or Blob")
	case jsBlob.Type() == js.TypeFunction && v.InstanceOf(jsBlob):
		if n := v.Get("size").Int(); n > maxLen {
			return nil, tooLarge(n, maxLen)
		}
		buf, err := await(ctx, v.Call("arrayBuffer"))
		if err != nil {
			return nil, err
		}
		u8 := jsUint8Array.New(buf)
		return jsData{bytes: u8, size: u8.Get("length").Int()}, nil
	case v.InstanceOf(jsArrayBuffer):
		u8 := jsUint8Array.New(v)
		return jsData{bytes: u8, size: u8.Get("length").Int()}, nil
	case v.Get("buffer").Type() == js.TypeObject && v.Get("byteLength").Type() == js.TypeNumber:
		u8 := jsUint8Array.New(v.Get("buffer"), v.Get("byteOffset"), v.Get("byteLength"))
		return jsData{bytes: u8, size: u8.Get("length").Int()}, nil
	}
	return nil, badArgument("data must be a string, ArrayBuffer, ArrayBufferView or Blob")
}

func tooLarge(n, limit int) error {
	return eimzo.NewError(eimzo.CodeDataTooLarge, strconv.Itoa(n)+" > "+strconv.Itoa(limit)+" bytes")
}

// Bytes copies a JS value into Go: a string as its UTF-8 bytes, an
// ArrayBuffer, any ArrayBufferView or a Blob. For small inputs only (the
// mobile QR code's document); signing keeps data in JavaScript.
func Bytes(ctx context.Context, v js.Value, maxLen int) ([]byte, error) {
	d, err := dataFrom(ctx, v, false, maxLen)
	if err != nil {
		return nil, err
	}
	u8 := d.(jsData).bytes
	if n := u8.Get("length").Int(); n > maxLen {
		return nil, tooLarge(n, maxLen)
	}
	b := make([]byte, u8.Get("length").Int())
	js.CopyBytesToGo(b, u8)
	return b, nil
}

// jsReply is a daemon reply parsed by JSON.parse in the page. Fields are
// read one by one, typed, and only when they are the object's own: a
// reply with "__proto__" or "constructor" keys (JSON.parse makes them
// plain own properties) can never reach Object.prototype, and nothing is
// copied from the reply into the objects handed to the page.
type jsReply struct{ v js.Value }

func (r jsReply) get(key string) js.Value {
	if r.v.Type() != js.TypeObject || !jsObject.Call("hasOwn", r.v, key).Bool() {
		return js.Undefined()
	}
	return r.v.Get(key)
}

func (r jsReply) Bool(key string) bool {
	v := r.get(key)
	return v.Type() == js.TypeBoolean && v.Bool()
}

func (r jsReply) Int(key string) (int, bool) {
	v := r.get(key)
	switch v.Type() {
	case js.TypeNumber:
		f := v.Float()
		if f != float64(int(f)) {
			return 0, false
		}
		return int(f), true
	case js.TypeString: // a status sent as a string, as older daemons may
		return eimzo.ParseInt(v.String())
	}
	return 0, false
}

func (r jsReply) Str(key string) string {
	if v := r.get(key); v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

func (r jsReply) Text(key string) eimzo.Text {
	if v := r.get(key); v.Type() == js.TypeString {
		return jsText{v}
	}
	return eimzo.String("")
}

func (r jsReply) array(key string) js.Value {
	if v := r.get(key); jsArray.Call("isArray", v).Bool() {
		return v
	}
	return js.Undefined()
}

func (r jsReply) Len(key string) int {
	if a := r.array(key); !a.IsUndefined() {
		return a.Length()
	}
	return 0
}

func (r jsReply) elem(key string, i int) js.Value {
	a := r.array(key)
	if a.IsUndefined() || i < 0 || i >= a.Length() {
		return js.Undefined()
	}
	return a.Index(i)
}

func (r jsReply) Elem(key string, i int) eimzo.Reply { return jsReply{r.elem(key, i)} }

func (r jsReply) ElemStr(key string, i int) string {
	if v := r.elem(key, i); v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

// jsText is a reply string left in JavaScript (a CMS can be 45 MB). It is
// also data: base64 text that a later call (attach_timestamp_token_pkcs7)
// sends back as it is.
type jsText struct{ v js.Value }

func (t jsText) String() string { return t.v.String() }
func (t jsText) Len() int       { return stringLength(t.v) }

// Size implements eimzo.Data: the bytes the base64 text decodes to.
func (t jsText) Size() int {
	n := t.Len()
	size := n / 4 * 3
	for i := n - 1; i >= 0 && i >= n-2 && strObject(t.v).Call("charCodeAt", i).Int() == '='; i-- {
		size--
	}
	return size
}

// textValue returns a Text as a JS string, without a copy when it already
// is one.
func textValue(t eimzo.Text) js.Value {
	if j, ok := t.(jsText); ok {
		return j.v
	}
	if t == nil {
		return js.ValueOf("")
	}
	return js.ValueOf(t.String())
}

// dataBase64 returns the base64 text of any data as a JS string.
func dataBase64(d eimzo.Data) js.Value {
	switch d := d.(type) {
	case jsData:
		return d.base64()
	case jsText:
		return d.v
	case eimzo.Bytes:
		return js.ValueOf(base64.StdEncoding.EncodeToString(d))
	case eimzo.Base64:
		return js.ValueOf(string(d))
	}
	return js.ValueOf("")
}

func date(t time.Time) js.Value {
	if t.IsZero() {
		return js.Null()
	}
	return jsDate.New(float64(t.UnixMilli()))
}

// certificateValue is the JS shape of a certificate: the fields of the
// official EIMZOClient plus the role flags of eimzo-client, set one by one
// from typed Go values.
func certificateValue(c eimzo.Certificate) js.Value {
	o := newObject()
	o.Set("type", c.Type)
	o.Set("disk", c.Disk)
	o.Set("path", c.Path)
	o.Set("name", c.Name)
	o.Set("alias", c.Alias)
	if c.Type == eimzo.KeyFTJC {
		o.Set("cardUID", c.CardUID)
	}
	o.Set("serialNumber", c.SerialNumber)
	o.Set("validFrom", date(c.ValidFrom))
	o.Set("validTo", date(c.ValidTo))
	o.Set("CN", c.CN)
	o.Set("O", c.O)
	o.Set("T", c.T)
	o.Set("UID", c.UID)
	o.Set("TIN", c.TIN)
	o.Set("PINFL", c.PINFL)
	o.Set("isLegalEntity", c.IsLegalEntity())
	o.Set("isPhysicalPerson", c.IsPhysicalPerson())
	o.Set("isYATT", c.IsYATT())
	return o
}

// certificateFrom reads back a certificate the page got from listKeys:
// the fields the daemon needs to load the key.
func certificateFrom(v js.Value) (eimzo.Certificate, error) {
	if v.Type() != js.TypeObject {
		return eimzo.Certificate{}, badArgument("cert must be a certificate from listKeys()")
	}
	str := func(k string, required bool) (string, error) {
		f := v.Get(k)
		if f.Type() == js.TypeString {
			return f.String(), nil
		}
		if required || !f.IsUndefined() && !f.IsNull() {
			return "", badArgument("cert." + k + " must be a string: pass a certificate from listKeys()")
		}
		return "", nil
	}
	var c eimzo.Certificate
	var err error
	if c.Type, err = str("type", false); err != nil {
		return c, err
	}
	if c.Type == "" {
		c.Type = eimzo.KeyPFX
	}
	pfx := c.Type != eimzo.KeyFTJC
	for _, f := range []struct {
		key      string
		dst      *string
		required bool
	}{
		{"disk", &c.Disk, pfx}, {"path", &c.Path, pfx}, {"name", &c.Name, pfx}, {"alias", &c.Alias, pfx},
		{"cardUID", &c.CardUID, !pfx}, {"serialNumber", &c.SerialNumber, false},
	} {
		if *f.dst, err = str(f.key, f.required); err != nil {
			return c, err
		}
	}
	return c, nil
}

func boolOpt(o js.Value, key string) bool {
	return o.Type() == js.TypeObject && o.Get(key).Truthy()
}

func signalOpt(o js.Value) js.Value {
	if o.Type() != js.TypeObject {
		return js.Undefined()
	}
	return o.Get("signal")
}
