//go:build js && wasm

package jsapi

import (
	"context"
	"encoding/base64"
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

// TestFrameBuiltInJavaScript: the frame made with the data's base64 in
// JavaScript is the frame the native transport makes in Go.
func TestFrameBuiltInJavaScript(t *testing.T) {
	raw := []byte("Ўзбекистон \x00\xff binary")
	u8 := jsUint8Array.New(len(raw))
	js.CopyBytesToJS(u8, raw)
	req := eimzo.Request{Plugin: "pkcs7", Name: "create_pkcs7", Data: jsData{bytes: u8, size: len(raw)}, Args: []string{"id\"1", "no"}}
	got := frame(req).String()
	want := `{"plugin":"pkcs7","name":"create_pkcs7","arguments":["` + base64.StdEncoding.EncodeToString(raw) + `","id\"1","no"]}`
	if got != want {
		t.Errorf("frame\n got %s\nwant %s", got, want)
	}
	if f := frame(eimzo.Request{Name: "version"}).String(); f != `{"name":"version"}` {
		t.Errorf("version frame %s", f)
	}
	// Without Uint8Array.prototype.toBase64 (older browsers): btoa in pieces.
	big := make([]byte, 100_000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	u8 = jsUint8Array.New(len(big))
	js.CopyBytesToJS(u8, big)
	u8.Set("toBase64", js.Undefined())
	if got := bytesToBase64(u8).String(); got != base64.StdEncoding.EncodeToString(big) {
		t.Error("the btoa fallback differs from Go's base64")
	}
}

func TestIsBase64Data(t *testing.T) {
	for _, tt := range []struct {
		in   string
		size int // -1: BAD_ARGUMENT
	}{
		{"SGVsbG8=", 5}, {"SGVsbA==", 4}, {"SGVs", 3}, {"", 0}, {" SGVs\nbG8= ", 5},
		{"SGVsbG8", -1}, {"SGV*bG8=", -1}, {"SGVsbG8=\u0000", -1}, {"=SGV", -1},
	} {
		d, err := dataFrom(context.Background(), js.ValueOf(tt.in), true, 1<<20)
		if tt.size < 0 {
			if eimzo.CodeOf(err) != eimzo.CodeBadArgument {
				t.Errorf("%q: %v, want BAD_ARGUMENT", tt.in, err)
			}
			continue
		}
		if err != nil || d.Size() != tt.size {
			t.Errorf("%q: size %v, %v; want %d", tt.in, d, err, tt.size)
		}
	}
}

// TestRepliesCannotPolluteObjectPrototype: a reply's "__proto__" and
// "constructor" keys stay its own data, and only own fields are read.
func TestRepliesCannotPolluteObjectPrototype(t *testing.T) {
	r, err := parseReply(js.ValueOf(`{"__proto__":{"polluted":true,"success":true},"constructor":{"prototype":{"x":1}},"status":-1}`), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	probe := jsObject.New()
	if !probe.Get("polluted").IsUndefined() || !probe.Get("x").IsUndefined() {
		t.Fatal("Object.prototype was polluted")
	}
	if r.Bool("success") {
		t.Error("success was read through __proto__")
	}
	proto := jsObject.Get("prototype")
	proto.Set("success", true) // a page polluted by someone else
	if r.Bool("success") {
		t.Error("an inherited success was read")
	}
	js.Global().Get("Reflect").Call("deleteProperty", proto, "success")
	for _, bad := range []string{`[]`, `null`, `"x"`, `{"a":`, `1`} {
		if _, err := parseReply(js.ValueOf(bad), 1<<20); eimzo.CodeOf(err) != eimzo.CodeProtocol {
			t.Errorf("%s: %v, want PROTOCOL", bad, err)
		}
	}
	if _, err := parseReply(js.ValueOf(`{"success":true,"x":"`+strings.Repeat("a", 100)+`"}`), 50); eimzo.CodeOf(err) != eimzo.CodeResponseTooLarge {
		t.Errorf("oversized: %v", err)
	}
}

// TestExternalTransport drives capiwsTransport with a CAPIWS stand-in made
// in Go: callFunction(def, ok, fail), as PROTOCOL.md §6 describes it.
func TestExternalTransport(t *testing.T) {
	var lastDef js.Value
	answer := func(def, ok, fail js.Value) {}
	callFunction := js.FuncOf(func(_ js.Value, args []js.Value) any {
		lastDef = args[0]
		answer(args[0], args[1], args[2])
		return nil
	})
	defer callFunction.Release()
	cw := newObject()
	cw.Set("callFunction", callFunction)
	js.Global().Set("CAPIWS", cw)
	defer js.Global().Delete("CAPIWS")
	tr := &capiwsTransport{script: script{skip: true}}
	ctx := context.Background()

	answer = func(def, ok, fail js.Value) {
		ev := newObject()
		ev.Set("data", `{"success":true}`)
		ok.Invoke(ev, jsJSON.Call("parse", `{"success":true,"status":1,"pkcs7_64":"MIIB"}`))
		fail.Invoke(1005) // e-imzo.js calls fail after ok on a bad close: ignored
	}
	r, err := tr.RoundTrip(ctx, "", eimzo.Request{Plugin: "pkcs7", Name: "create_pkcs7", Data: eimzo.Bytes("hi"), Args: []string{"K", "no"}}, 1<<20)
	if err != nil || r.Str("pkcs7_64") != "MIIB" {
		t.Fatalf("ok: %v %v", r, err)
	}
	if lastDef.Get("plugin").String() != "pkcs7" || lastDef.Get("arguments").Index(0).String() != "aGk=" || lastDef.Get("arguments").Length() != 3 {
		t.Errorf("funcDef %v", jsJSON.Call("stringify", lastDef))
	}
	for _, tt := range []struct {
		fail func(fail js.Value)
		want eimzo.Code
	}{
		{func(f js.Value) { f.Invoke(1006) }, eimzo.CodeNotInstalled},
		{func(f js.Value) { f.Invoke(1015) }, eimzo.CodeTransport},
		{func(f js.Value) { f.Invoke() }, eimzo.CodeNotInstalled},
		{func(f js.Value) { f.Invoke(js.Null(), "Ошибка") }, eimzo.CodeSignFailed},
	} {
		answer = func(def, ok, fail js.Value) { tt.fail(fail) }
		if _, err := tr.RoundTrip(ctx, "", eimzo.Request{Name: "version"}, 1<<20); eimzo.CodeOf(err) != tt.want {
			t.Errorf("got %v, want %s", err, tt.want)
		}
	}
	// No answer at all: the context decides, and a late answer is dropped.
	var late js.Value
	answer = func(def, ok, fail js.Value) { late = ok }
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := tr.RoundTrip(cctx, "", eimzo.Request{Name: "version"}, 1<<20); err == nil {
		t.Error("a cancelled call succeeded")
	}
	late.Invoke(newObject(), newObject()) // must not panic or deliver
}

func TestMobileQrCode(t *testing.T) {
	v, e := awaitValue(t, API().Call("mobileQrCode", "0000", "850FF727", "Hello, E-IMZO"))
	if !e.IsUndefined() {
		t.Fatal(e.Get("message"))
	}
	want := "0000850FF7275d5ea005a5d742122d6e4a170cc98682400e4e2d501326c5e1a4e643681008d6bae4af74"
	if v.Get("code").String() != want || v.Get("deeplink").String() != "eimzo://sign?qc="+want || v.Get("hashGroups").Length() != 4 {
		t.Errorf("got %v", jsJSON.Call("stringify", v))
	}
	_, e = awaitValue(t, API().Call("mobileQrCode", "00", "850FF727", "x"))
	if e.IsUndefined() || e.Get("code").String() != "BAD_ARGUMENT" {
		t.Errorf("a bad siteId: %v", e)
	}
}
