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

// API returns the object the npm package wraps: newClient(options), and
// the helpers that need Go (mobileQrCode).
func API() js.Value {
	api := newObject()
	api.Set("newClient", js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer recoverInto(&result)
		return newClient(arg(args, 0))
	}))
	addMobile(api)
	return api
}

// recoverInto turns a panic in a synchronous call into a returned INTERNAL
// error value.
func recoverInto(result *any) {
	if r := recover(); r != nil {
		e := eimzo.NewError(eimzo.CodeInternal, "")
		e.Err = panicError(r)
		*result = ErrorValue(e, eimzo.LangEN)
	}
}

func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// client is one createEimzo() client.
type client struct {
	c       *eimzo.Client
	lang    eimzo.Lang
	maxData int
}

// newClient reads the options the npm package passes: url, timeoutMs,
// maxDataBytes, maxReplyBytes, apiKeys, lang, domain (the page's hostname),
// and for transport: 'external' scriptUrl, scriptIntegrity, skipScriptLoad.
func newClient(opts js.Value) js.Value {
	cl := &client{lang: eimzo.LangUZ, maxData: eimzo.DefaultMaxDataBytes}
	options := []eimzo.Option{eimzo.WithTransport(wsTransport{})}
	if opts.Type() == js.TypeObject {
		if u := opts.Get("url"); u.Type() == js.TypeString && u.String() != "" {
			options = append(options, eimzo.WithURL(u.String()))
		}
		if t := opts.Get("timeoutMs"); t.Type() == js.TypeNumber && t.Float() > 0 {
			options = append(options, eimzo.WithTimeout(time.Duration(t.Float()*float64(time.Millisecond))))
		}
		if n := opts.Get("maxDataBytes"); n.Type() == js.TypeNumber && n.Int() > 0 {
			cl.maxData = n.Int()
		}
		if n := opts.Get("maxReplyBytes"); n.Type() == js.TypeNumber && n.Float() > 0 {
			options = append(options, eimzo.WithMaxReplyBytes(int64(n.Float())))
		}
		if l := opts.Get("lang"); l.Type() == js.TypeString {
			switch lang := eimzo.Lang(l.String()); lang {
			case eimzo.LangUZ, eimzo.LangRU, eimzo.LangEN:
				cl.lang = lang
			}
		}
		if d := opts.Get("domain"); d.Type() == js.TypeString {
			options = append(options, eimzo.WithDomain(d.String()))
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
		if opts.Get("transport").String() == "external" {
			sc := script{url: DefaultScriptURL, skip: opts.Get("skipScriptLoad").Truthy()}
			if u := opts.Get("scriptUrl"); u.Type() == js.TypeString && u.String() != "" {
				sc.url = u.String()
			}
			if i := opts.Get("scriptIntegrity"); i.Type() == js.TypeString {
				sc.integrity = i.String()
			}
			options = append(options, eimzo.WithTransport(&capiwsTransport{script: sc}))
		}
	}
	options = append(options, eimzo.WithMaxDataBytes(cl.maxData), eimzo.WithLang(cl.lang))
	cl.c = eimzo.New(options...)

	obj := newObject()
	// method adds an async method whose options (with signal) are argument optsIndex.
	method := func(name string, optsIndex int, fn func(ctx context.Context, args []js.Value, o js.Value) (any, error)) {
		obj.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
			defer recoverInto(&result)
			o := arg(args, optsIndex)
			return Promise(signalOpt(o), cl.lang, func(ctx context.Context) (any, error) { return fn(ctx, args, o) })
		}))
	}
	method("install", 0, func(ctx context.Context, _ []js.Value, _ js.Value) (any, error) {
		v, err := cl.c.Install(ctx)
		if err != nil {
			return nil, err
		}
		return versionValue(v), nil
	})
	method("listKeys", 0, func(ctx context.Context, _ []js.Value, _ js.Value) (any, error) {
		certs, err := cl.c.ListKeys(ctx)
		if err != nil {
			return nil, err
		}
		arr := jsArray.New(len(certs))
		for i, cert := range certs {
			arr.SetIndex(i, certificateValue(cert))
		}
		return arr, nil
	})
	method("loadKey", 1, func(ctx context.Context, args []js.Value, o js.Value) (any, error) {
		cert, err := certificateFrom(arg(args, 0))
		if err != nil {
			return nil, err
		}
		return cl.c.LoadKey(ctx, cert, eimzo.LoadKeyOptions{Verify: boolOpt(o, "verify")})
	})
	method("sign", 2, func(ctx context.Context, args []js.Value, o js.Value) (any, error) {
		cert, err := certificateFrom(arg(args, 0))
		if err != nil {
			return nil, err
		}
		data, opts, err := cl.signArgs(ctx, arg(args, 1), o)
		if err != nil {
			return nil, err
		}
		return signResult(cl.c.Sign(ctx, cert, data, opts))
	})
	method("signWithSerial", 2, func(ctx context.Context, args []js.Value, o js.Value) (any, error) {
		serial := arg(args, 0)
		if serial.Type() != js.TypeString {
			return nil, badArgument("serial must be a string")
		}
		data, opts, err := cl.signArgs(ctx, arg(args, 1), o)
		if err != nil {
			return nil, err
		}
		return signResult(cl.c.SignWithSerial(ctx, serial.String(), data, opts))
	})
	method("authenticate", 2, func(ctx context.Context, args []js.Value, _ js.Value) (any, error) {
		challenge, err := challengeArg(arg(args, 0))
		if err != nil {
			return nil, err
		}
		cert, err := certificateFrom(arg(args, 1))
		if err != nil {
			return nil, err
		}
		return textResult(cl.c.Authenticate(ctx, cert, challenge))
	})
	method("getCertificateChain", 1, func(ctx context.Context, args []js.Value, _ js.Value) (any, error) {
		h := arg(args, 0)
		if h.Type() != js.TypeObject || h.Get("id").Type() != js.TypeString {
			return nil, badArgument("handle must be what loadKey() returned")
		}
		var cert *eimzo.Certificate
		if h.Get("cert").Type() == js.TypeObject {
			c, err := certificateFrom(h.Get("cert"))
			if err != nil {
				return nil, err
			}
			cert = &c
		}
		chain, err := cl.c.CertificateChain(ctx, h.Get("id").String(), cert)
		if err != nil {
			return nil, err
		}
		arr := jsArray.New(len(chain))
		for i, s := range chain {
			arr.SetIndex(i, s)
		}
		return arr, nil
	})
	method("deviceConnected", 1, func(ctx context.Context, args []js.Value, _ js.Value) (any, error) {
		d, err := deviceArg(arg(args, 0))
		if err != nil {
			return nil, err
		}
		return cl.c.DeviceConnected(ctx, d)
	})
	method("signWithDevice", 2, func(ctx context.Context, args []js.Value, o js.Value) (any, error) {
		d, err := deviceArg(arg(args, 0))
		if err != nil {
			return nil, err
		}
		data, opts, err := cl.signArgs(ctx, arg(args, 1), o)
		if err != nil {
			return nil, err
		}
		return signResult(cl.c.SignWithDevice(ctx, d, data, opts))
	})
	method("authenticateWithDevice", 2, func(ctx context.Context, args []js.Value, _ js.Value) (any, error) {
		d, err := deviceArg(arg(args, 0))
		if err != nil {
			return nil, err
		}
		challenge, err := challengeArg(arg(args, 1))
		if err != nil {
			return nil, err
		}
		return textResult(cl.c.AuthenticateWithDevice(ctx, d, challenge))
	})
	return obj
}

// signArgs reads sign's data and options (detached, isBase64, timestamp).
func (cl *client) signArgs(ctx context.Context, data, o js.Value) (eimzo.Data, eimzo.SignOptions, error) {
	var opts eimzo.SignOptions
	d, err := dataFrom(ctx, data, boolOpt(o, "isBase64"), cl.maxData)
	if err != nil {
		return nil, opts, err
	}
	opts.Detached = boolOpt(o, "detached")
	if o.Type() == js.TypeObject {
		switch ts := o.Get("timestamp"); ts.Type() {
		case js.TypeFunction:
			opts.Timestamp = timestampFunc(ts)
		case js.TypeUndefined, js.TypeNull:
		default:
			return nil, opts, badArgument("timestamp must be a function")
		}
	}
	return d, opts, nil
}

// timestampFunc calls the page's timestamp callback, which may return the
// token or a promise of it.
func timestampFunc(fn js.Value) func(context.Context, string) (string, error) {
	return func(ctx context.Context, sigHex string) (string, error) {
		var v js.Value
		if err := catch(func() { v = fn.Invoke(sigHex) }); err != nil {
			return "", err
		}
		if v.Type() == js.TypeObject && v.Get("then").Type() == js.TypeFunction {
			var err error
			if v, err = await(ctx, v); err != nil {
				return "", err
			}
		}
		if v.Type() != js.TypeString {
			return "", eimzo.NewError(eimzo.CodeTimestampFailed, "the timestamp callback must return a base64 string")
		}
		return v.String(), nil
	}
}

func signResult(res eimzo.SignResult, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	out := newObject()
	out.Set("pkcs7", textValue(res.PKCS7))
	out.Set("signerSerialNumber", res.SignerSerialNumber)
	out.Set("signatureHex", res.SignatureHex)
	return out, nil
}

func textResult(t eimzo.Text, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return textValue(t), nil
}

func challengeArg(v js.Value) (string, error) {
	if v.Type() != js.TypeString {
		return "", badArgument("challenge must be a string")
	}
	return v.String(), nil
}

func deviceArg(v js.Value) (eimzo.Device, error) {
	if v.Type() != js.TypeString {
		return "", badArgument("device must be 'idcard', 'baikey' or 'ckc'")
	}
	return eimzo.Device(v.String()), nil
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
