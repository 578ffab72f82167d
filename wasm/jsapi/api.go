//go:build js && wasm

package jsapi

import (
	"context"
	"syscall"
	"syscall/js"
	"time"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

// HandshakeEnv names the environment variable through which the loader
// tells the module which temporary global function to hand its API to.
const HandshakeEnv = "EIMZOKIT_HANDSHAKE"

// Serve hands the API object to the loader and keeps the module alive.
func Serve() {
	api := API()
	if name, ok := syscall.Getenv(HandshakeEnv); ok && name != "" {
		if fn := js.Global().Get(name); fn.Type() == js.TypeFunction {
			fn.Invoke(api)
		}
	}
	select {}
}

// API returns the object the npm package wraps.
func API() js.Value {
	api := newObject()
	api.Set("newClient", js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer recoverInto(&result)
		var opts js.Value
		if len(args) > 0 {
			opts = args[0]
		}
		return newClient(opts)
	}))
	return api
}

// recoverInto turns a panic in a synchronous call into a thrown INTERNAL
// error value.
func recoverInto(result *any) {
	if r := recover(); r != nil {
		*result = ErrorValue(&eimzo.Error{Code: eimzo.CodeInternal, Message: "internal error", Err: panicError(r)})
	}
}

func newClient(opts js.Value) js.Value {
	options := []eimzo.Option{eimzo.WithTransport(wsTransport{})}
	if opts.Type() == js.TypeObject {
		if u := opts.Get("url"); u.Type() == js.TypeString && u.String() != "" {
			options = append(options, eimzo.WithURL(u.String()))
		}
		if t := opts.Get("timeoutMs"); t.Type() == js.TypeNumber && t.Float() > 0 {
			options = append(options, eimzo.WithTimeout(time.Duration(t.Float()*float64(time.Millisecond))))
		}
		if n := opts.Get("maxDataBytes"); n.Type() == js.TypeNumber && n.Int() > 0 {
			options = append(options, eimzo.WithMaxDataBytes(n.Int()))
		}
		if keys := opts.Get("apiKeys"); keys.Type() == js.TypeObject {
			m := map[string]string{}
			names := jsObject.Call("keys", keys)
			for i := 0; i < names.Length(); i++ {
				k := names.Index(i).String()
				if v := keys.Get(k); v.Type() == js.TypeString {
					m[k] = v.String()
				}
			}
			options = append(options, eimzo.WithAPIKeys(m))
		}
	}
	c := eimzo.New(options...)
	maxData := eimzo.DefaultMaxDataBytes
	if opts.Type() == js.TypeObject && opts.Get("maxDataBytes").Type() == js.TypeNumber && opts.Get("maxDataBytes").Int() > 0 {
		maxData = opts.Get("maxDataBytes").Int()
	}

	obj := newObject()
	method := func(name string, fn func(ctx context.Context, args []js.Value) (any, error), optsIndex int) {
		obj.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
			defer recoverInto(&result)
			var o js.Value
			if len(args) > optsIndex {
				o = args[optsIndex]
			}
			return Promise(signalOpt(o), func(ctx context.Context) (any, error) { return fn(ctx, args) })
		}))
	}
	arg := func(args []js.Value, i int) js.Value {
		if i < len(args) {
			return args[i]
		}
		return js.Undefined()
	}
	method("install", func(ctx context.Context, _ []js.Value) (any, error) {
		v, err := c.Install(ctx)
		if err != nil {
			return nil, err
		}
		return versionValue(v), nil
	}, 0)
	method("listKeys", func(ctx context.Context, _ []js.Value) (any, error) {
		certs, err := c.ListKeys(ctx)
		if err != nil {
			return nil, err
		}
		arr := js.Global().Get("Array").New(len(certs))
		for i, cert := range certs {
			arr.SetIndex(i, certificateValue(cert))
		}
		return arr, nil
	}, 0)
	method("loadKey", func(ctx context.Context, args []js.Value) (any, error) {
		cert, err := certificateFrom(arg(args, 0))
		if err != nil {
			return nil, err
		}
		return c.LoadKey(ctx, cert)
	}, 1)
	method("sign", func(ctx context.Context, args []js.Value) (any, error) {
		cert, err := certificateFrom(arg(args, 0))
		if err != nil {
			return nil, err
		}
		o := arg(args, 2)
		data, err := Bytes(ctx, arg(args, 1), maxData*2) // base64 input is 4/3 longer; the core checks the decoded size
		if err != nil {
			return nil, err
		}
		res, err := c.Sign(ctx, cert, data, eimzo.SignOptions{Detached: boolOpt(o, "detached"), IsBase64: boolOpt(o, "isBase64")})
		if err != nil {
			return nil, err
		}
		out := newObject()
		out.Set("pkcs7", res.PKCS7)
		out.Set("signerSerialNumber", res.SignerSerialNumber)
		out.Set("signatureHex", res.SignatureHex)
		return out, nil
	}, 2)
	return obj
}

func versionValue(v eimzo.Version) js.Value {
	o := newObject()
	o.Set("major", v.Major)
	o.Set("minor", v.Minor)
	o.Set("patch", v.Patch)
	o.Set("edition", v.Edition)
	o.Set("version", v.String())
	return o
}
