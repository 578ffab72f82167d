//go:build js && wasm

package jsapi

import (
	"context"
	"errors"
	"syscall/js"
	"time"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

var (
	jsUint8Array  = js.Global().Get("Uint8Array")
	jsArrayBuffer = js.Global().Get("ArrayBuffer")
	jsDate        = js.Global().Get("Date")
	jsBlob        = js.Global().Get("Blob")
)

func badArgument(msg string) error {
	return &eimzo.Error{Code: eimzo.CodeBadArgument, Message: eimzo.Describe(eimzo.CodeBadArgument).Message(eimzo.LangEN) + ": " + msg}
}

// Bytes copies a JS value into Go: a string as its UTF-8 bytes, an
// ArrayBuffer, any ArrayBufferView (typed arrays, DataView) or a Blob/File.
// maxLen bounds the size before anything is copied.
func Bytes(ctx context.Context, v js.Value, maxLen int) ([]byte, error) {
	switch {
	case v.Type() == js.TypeString:
		// A string of n UTF-16 units is at least n bytes in UTF-8.
		if stringLength(v) > maxLen {
			return nil, tooLarge()
		}
		b := []byte(v.String())
		if len(b) > maxLen {
			return nil, tooLarge()
		}
		return b, nil
	case v.Type() != js.TypeObject:
		return nil, badArgument("data must be a string, ArrayBuffer, ArrayBufferView or Blob")
	case jsBlob.Type() == js.TypeFunction && v.InstanceOf(jsBlob):
		if v.Get("size").Int() > maxLen {
			return nil, tooLarge()
		}
		buf, err := await(ctx, v.Call("arrayBuffer"))
		if err != nil {
			return nil, err
		}
		return copyView(jsUint8Array.New(buf)), nil
	case v.InstanceOf(jsArrayBuffer):
		if v.Get("byteLength").Int() > maxLen {
			return nil, tooLarge()
		}
		return copyView(jsUint8Array.New(v)), nil
	case v.Get("buffer").Type() == js.TypeObject && v.Get("byteLength").Type() == js.TypeNumber:
		if v.Get("byteLength").Int() > maxLen {
			return nil, tooLarge()
		}
		return copyView(jsUint8Array.New(v.Get("buffer"), v.Get("byteOffset"), v.Get("byteLength"))), nil
	}
	return nil, badArgument("data must be a string, ArrayBuffer, ArrayBufferView or Blob")
}

// stringLength is the length of a JS string in UTF-16 units, read without
// copying the string into Go (Value.Get does not work on primitives).
func stringLength(s js.Value) int { return jsObject.Invoke(s).Get("length").Int() }

func copyView(u8 js.Value) []byte {
	b := make([]byte, u8.Get("byteLength").Int())
	js.CopyBytesToGo(b, u8)
	return b
}

func tooLarge() error {
	return &eimzo.Error{Code: eimzo.CodeDataTooLarge, Message: eimzo.Describe(eimzo.CodeDataTooLarge).Message(eimzo.LangEN), Hint: eimzo.Describe(eimzo.CodeDataTooLarge).Hint}
}

// newObject returns a plain object.
func newObject() js.Value { return jsObject.New() }

func date(t time.Time) js.Value {
	if t.IsZero() {
		return js.Null()
	}
	return jsDate.New(float64(t.UnixMilli()))
}

// certificateValue is the JS shape of a certificate, the fields of the
// official EIMZOClient plus the role flags of eimzo-client.
func certificateValue(c eimzo.Certificate) js.Value {
	o := newObject()
	for k, v := range map[string]string{
		"disk": c.Disk, "path": c.Path, "name": c.Name, "alias": c.Alias, "type": c.Type,
		"serialNumber": c.SerialNumber, "CN": c.CN, "O": c.O, "T": c.T, "UID": c.UID,
		"TIN": c.TIN, "PINFL": c.PINFL,
	} {
		o.Set(k, v)
	}
	o.Set("validFrom", date(c.ValidFrom))
	o.Set("validTo", date(c.ValidTo))
	o.Set("isLegalEntity", c.IsLegalEntity())
	o.Set("isPhysicalPerson", c.IsPhysicalPerson())
	o.Set("isYATT", c.IsYATT())
	return o
}

// certificateFrom reads back a certificate the page got from listKeys: the
// four fields the daemon needs to load the key.
func certificateFrom(v js.Value) (eimzo.Certificate, error) {
	if v.Type() != js.TypeObject {
		return eimzo.Certificate{}, badArgument("cert must be a certificate from listKeys()")
	}
	str := func(k string) (string, error) {
		f := v.Get(k)
		if f.Type() != js.TypeString {
			return "", errors.New(k)
		}
		return f.String(), nil
	}
	var c eimzo.Certificate
	var err error
	for _, f := range []struct {
		key string
		dst *string
	}{{"disk", &c.Disk}, {"path", &c.Path}, {"name", &c.Name}, {"alias", &c.Alias}} {
		if *f.dst, err = str(f.key); err != nil {
			return eimzo.Certificate{}, badArgument("cert." + f.key + " must be a string: pass a certificate from listKeys()")
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
