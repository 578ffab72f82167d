//go:build js && wasm

package jsapi

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"syscall/js"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

// This file is what the client asks of the page itself: whether Chrome's
// Local Network Access explains a failed connection, and loading e-imzo.js
// for transport 'external'. Both live in the lazily loaded .wasm rather
// than in the npm package's JavaScript, which every page loads up front.

func isLoopbackHost(h string) bool {
	h = strings.Trim(strings.ToLower(h), "[]")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "::1" {
		return true
	}
	return strings.HasPrefix(h, "127.") && strings.Count(h, ".") == 3
}

// localNetworkBlocked reports whether Chrome's Local Network Access (Chrome
// 147+ for WebSockets), rather than a stopped daemon, explains a failed
// connection to 127.0.0.1, where both look the same (close 1006): the
// browser implements LNA (fetch knows targetAddressSpace), the page is not
// on loopback (such pages are exempt), and it lacks the "loopback-network"
// permission, or is insecure, which LNA always refuses.
func localNetworkBlocked(ctx context.Context) bool {
	g := js.Global()
	req, loc := g.Get("Request"), g.Get("location")
	if req.Type() != js.TypeFunction || loc.Type() != js.TypeObject ||
		!g.Get("Reflect").Call("has", req.Get("prototype"), "targetAddressSpace").Bool() {
		return false
	}
	if isLoopbackHost(loc.Get("hostname").String()) {
		return false
	}
	if !g.Get("isSecureContext").Truthy() {
		return true
	}
	perms := g.Get("navigator").Get("permissions")
	if perms.Type() != js.TypeObject {
		return false
	}
	// The permission's name since Chrome 142; earlier builds called it
	// local-network-access.
	for _, name := range []string{"loopback-network", "local-network-access"} {
		desc := newObject()
		desc.Set("name", name)
		var p js.Value
		if catch(func() { p = perms.Call("query", desc) }) != nil {
			continue
		}
		st, err := await(ctx, p)
		if err != nil {
			continue // a name this browser does not know
		}
		return st.Get("state").String() != "granted"
	}
	return false
}

// notInstalled is NOT_INSTALLED, or LOCAL_NETWORK_BLOCKED when LNA is the
// cause.
func notInstalled(ctx context.Context, detail string, closeCode int) *eimzo.Error {
	code := eimzo.CodeNotInstalled
	if localNetworkBlocked(ctx) {
		code = eimzo.CodeLocalNetworkBlocked
	}
	e := eimzo.NewError(code, detail)
	e.CloseCode = closeCode
	return e
}

// DefaultScriptURL is eimzo-client's default scriptUrl.
const DefaultScriptURL = "https://e-imzo.uz/e-imzo-cm/e-imzo.js"

// script is the page's e-imzo.js for transport 'external'.
type script struct {
	url, integrity string
	skip           bool
}

var (
	scriptsMu sync.Mutex
	scripts   = map[string]*scriptLoad{} // url#integrity → a load in progress or done
)

type scriptLoad struct {
	done chan struct{}
	err  error
}

func capiwsObject() (js.Value, bool) {
	c := js.Global().Get("CAPIWS")
	return c, c.Type() == js.TypeObject && c.Get("callFunction").Type() == js.TypeFunction
}

// capiws returns window.CAPIWS, first loading the script once per URL and
// integrity (unless skip is set). A failed load is not remembered.
func (s script) capiws(ctx context.Context) (js.Value, error) {
	if s.skip {
		if c, ok := capiwsObject(); ok {
			return c, nil
		}
		return js.Value{}, eimzo.NewError(eimzo.CodeScriptLoadFailed, "skipScriptLoad is set but window.CAPIWS is missing")
	}
	doc := js.Global().Get("document")
	if doc.Type() != js.TypeObject {
		return js.Value{}, eimzo.NewError(eimzo.CodeScriptLoadFailed, "no document")
	}
	url := js.Global().Get("URL").New(s.url, doc.Get("baseURI")).Get("href").String()
	key := url + "#" + s.integrity
	scriptsMu.Lock()
	l, ok := scripts[key]
	if !ok {
		l = &scriptLoad{done: make(chan struct{})}
		scripts[key] = l
		go func() {
			l.err = inject(url, s.integrity)
			if l.err != nil {
				scriptsMu.Lock()
				delete(scripts, key)
				scriptsMu.Unlock()
			}
			close(l.done)
		}()
	}
	scriptsMu.Unlock()
	select {
	case <-ctx.Done():
		return js.Value{}, ctx.Err()
	case <-l.done:
	}
	if l.err != nil {
		return js.Value{}, l.err
	}
	if c, ok := capiwsObject(); ok {
		return c, nil
	}
	return js.Value{}, eimzo.NewError(eimzo.CodeScriptLoadFailed, url+" did not define window.CAPIWS")
}

// inject adds a <script> with Subresource Integrity and waits for it.
func inject(url, integrity string) error {
	doc := js.Global().Get("document")
	el := doc.Call("createElement", "script")
	el.Set("src", url)
	el.Set("async", true)
	if integrity != "" {
		el.Set("integrity", integrity)
		el.Set("crossOrigin", "anonymous")
	}
	result := make(chan bool, 1)
	var onLoad, onError js.Func
	onLoad = safeFunc(func(js.Value, []js.Value) any { result <- true; return nil })
	onError = safeFunc(func(js.Value, []js.Value) any { result <- false; return nil })
	el.Set("onload", onLoad)
	el.Set("onerror", onError)
	doc.Get("head").Call("appendChild", el)
	ok := <-result
	el.Set("onload", js.Null())
	el.Set("onerror", js.Null())
	onLoad.Release()
	onError.Release()
	if ok {
		return nil
	}
	el.Call("remove")
	return eimzo.NewError(why(url, integrity), url)
}

// why tells an integrity mismatch from a load failure: a script element's
// error event says nothing about its cause. When an integrity hash was
// given, fetch the script and hash it: if it arrives but no hash matches,
// the integrity check is what failed.
func why(url, integrity string) eimzo.Code {
	if integrity == "" {
		return eimzo.CodeScriptLoadFailed
	}
	ctx := context.Background()
	opts := newObject()
	opts.Set("mode", "cors")
	opts.Set("credentials", "omit")
	opts.Set("cache", "no-store")
	r, err := await(ctx, js.Global().Get("fetch").Invoke(url, opts)) // not Call: under the npm package the global is a proxy, and fetch wants the real window as this
	if err != nil || !r.Get("ok").Bool() {
		return eimzo.CodeScriptLoadFailed
	}
	body, err := await(ctx, r.Call("arrayBuffer"))
	if err != nil {
		return eimzo.CodeScriptLoadFailed
	}
	subtle := js.Global().Get("crypto").Get("subtle")
	algs := map[string]string{"sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512"}
	for _, tok := range strings.Fields(integrity) {
		alg, want, _ := strings.Cut(tok, "-")
		want, _, _ = strings.Cut(want, "?")
		if algs[alg] == "" || subtle.Type() != js.TypeObject {
			continue
		}
		sum, err := await(ctx, subtle.Call("digest", algs[alg], body))
		if err != nil {
			continue
		}
		b := make([]byte, sum.Get("byteLength").Int())
		js.CopyBytesToGo(b, jsUint8Array.New(sum))
		if base64.StdEncoding.EncodeToString(b) == want {
			return eimzo.CodeScriptLoadFailed // it matches: something else failed
		}
	}
	return eimzo.CodeScriptIntegrity
}
