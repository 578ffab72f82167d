//go:build js && wasm

package jsapi

import (
	"context"
	"os"
	"strings"
	"syscall/js"
	"testing"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

// simURL is the daemon-sim the test script started: wasmbrowsertest hands
// the host's environment to the module.
func simURL(t *testing.T) string {
	u := os.Getenv("EIMZO_SIM_URL")
	if u == "" {
		t.Fatal("EIMZO_SIM_URL is not set: run the browser tests with `make test` (scripts/test.sh starts eimzo-sim)")
	}
	return u
}

// awaitValue waits for a promise and returns its value or its rejection.
func awaitValue(t *testing.T, p js.Value) (js.Value, js.Value) {
	t.Helper()
	type out struct{ ok, err js.Value }
	ch := make(chan out, 1)
	onOK := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- out{ok: a[0], err: js.Undefined()}; return nil })
	onErr := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- out{ok: js.Undefined(), err: a[0]}; return nil })
	defer onOK.Release()
	defer onErr.Release()
	p.Call("then", onOK, onErr)
	o := <-ch
	return o.ok, o.err
}

func TestBytesFromEveryInputType(t *testing.T) {
	ctx := context.Background()
	u8 := jsUint8Array.New(4)
	for i := 0; i < 4; i++ {
		u8.SetIndex(i, i+1)
	}
	blob := jsBlob.New(js.ValueOf([]any{"Ўз"}))
	dv := js.Global().Get("DataView").New(u8.Get("buffer"), 1, 2)
	tests := []struct {
		name string
		v    js.Value
		want string
	}{
		{"string is UTF-8", js.ValueOf("Ўз ʼ✓"), "Ўз ʼ✓"},
		{"Uint8Array", u8, "\x01\x02\x03\x04"},
		{"ArrayBuffer", u8.Get("buffer"), "\x01\x02\x03\x04"},
		{"DataView window", dv, "\x02\x03"},
		{"Uint16Array", js.Global().Get("Uint16Array").New(u8.Get("buffer")), "\x01\x02\x03\x04"},
		{"Blob", blob, "Ўз"},
	}
	for _, tt := range tests {
		b, err := Bytes(ctx, tt.v, 1<<20)
		if err != nil || string(b) != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.name, b, err, tt.want)
		}
	}
	for _, bad := range []js.Value{js.ValueOf(42), js.Null(), js.Undefined(), newObject()} {
		if _, err := Bytes(ctx, bad, 10); eimzo.CodeOf(err) != eimzo.CodeBadArgument {
			t.Errorf("Bytes(%v) = %v, want BAD_ARGUMENT", bad.Type(), err)
		}
	}
	for _, big := range []js.Value{js.ValueOf(strings.Repeat("a", 11)), u8, blob} {
		if _, err := Bytes(ctx, big, 3); eimzo.CodeOf(err) != eimzo.CodeDataTooLarge {
			t.Errorf("Bytes(over the limit) = %v, want DATA_TOO_LARGE", err)
		}
	}
}

func TestPromiseResolvesRejectsAndRecovers(t *testing.T) {
	v, e := awaitValue(t, Promise(js.Undefined(), eimzo.LangEN, func(context.Context) (any, error) { return "ok", nil }))
	if v.String() != "ok" || !e.IsUndefined() {
		t.Errorf("resolve: %v %v", v, e)
	}
	_, e = awaitValue(t, Promise(js.Undefined(), eimzo.LangEN, func(context.Context) (any, error) {
		e := eimzo.NewError(eimzo.CodeKeyNotFound, "")
		e.Status = -1010
		return nil, e
	}))
	if e.Get("code").String() != "KEY_NOT_FOUND" || e.Get("status").Int() != -1010 || !e.InstanceOf(jsError) {
		t.Errorf("reject: code %v status %v", e.Get("code"), e.Get("status"))
	}
	_, e = awaitValue(t, Promise(js.Undefined(), eimzo.LangEN, func(context.Context) (any, error) { panic("boom") }))
	if e.Get("code").String() != "INTERNAL" {
		t.Errorf("panic: %v", e.Get("code"))
	}
}

func TestAbortSignal(t *testing.T) {
	ac := js.Global().Get("AbortController").New()
	started := make(chan struct{})
	p := Promise(ac.Get("signal"), eimzo.LangEN, func(ctx context.Context) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	<-started
	ac.Call("abort")
	_, e := awaitValue(t, p)
	if e.Get("code").String() != "ABORTED" {
		t.Errorf("abort: %v", e.Get("code"))
	}
	// An already aborted signal rejects without running.
	ran := false
	_, e = awaitValue(t, Promise(ac.Get("signal"), eimzo.LangEN, func(context.Context) (any, error) { ran = true; return nil, nil }))
	if ran || e.Get("code").String() != "ABORTED" {
		t.Errorf("pre-aborted: ran %v, code %v", ran, e.Get("code"))
	}
}

// TestClientThroughThePageWebSocket runs the API object as the npm package
// does, against the daemon-sim the test script started.
func TestClientThroughThePageWebSocket(t *testing.T) {
	opts := newObject()
	opts.Set("url", simURL(t))
	c := API().Call("newClient", opts)
	v, e := awaitValue(t, c.Call("install"))
	if !e.IsUndefined() {
		t.Fatalf("install: %v", e.Get("message"))
	}
	if v.Get("version").String() != "6.4.7" {
		t.Errorf("version %v", v.Get("version"))
	}
	certs, e := awaitValue(t, c.Call("listKeys"))
	if !e.IsUndefined() || certs.Length() != 6 {
		t.Fatalf("listKeys: %v", e)
	}
	cert := certs.Index(0)
	if cert.Get("validTo").Get("getTime").Type() != js.TypeFunction || cert.Get("PINFL").String() == "" {
		t.Errorf("certificate shape: PINFL %v", cert.Get("PINFL"))
	}
	res, e := awaitValue(t, c.Call("sign", cert, "Ўзбекистон", map[string]any{"detached": true}))
	if !e.IsUndefined() {
		t.Fatalf("sign: %v", e.Get("message"))
	}
	if len(res.Get("pkcs7").String()) < 100 || res.Get("signerSerialNumber").String() == "" {
		t.Errorf("sign result %v", res)
	}
	_, e = awaitValue(t, c.Call("sign", map[string]any{"disk": 1}, "x"))
	if e.Get("code").String() != "BAD_ARGUMENT" {
		t.Errorf("a bad certificate: %v", e.Get("code"))
	}
}

func TestNothingListens(t *testing.T) {
	opts := newObject()
	opts.Set("url", "ws://127.0.0.1:9/service/cryptapi")
	_, e := awaitValue(t, API().Call("newClient", opts).Call("install"))
	if e.IsUndefined() || e.Get("code").String() != "NOT_INSTALLED" {
		t.Fatalf("got %v, want NOT_INSTALLED", e)
	}
}
