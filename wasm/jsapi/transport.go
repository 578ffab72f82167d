//go:build js && wasm

package jsapi

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"syscall/js"

	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

// frame builds a request frame as a JS string. The small parts are JSON
// written in Go; the data's base64 is made and joined in JavaScript, so a
// 32 MB document never passes through Go's memory (which grows and never
// shrinks).
func frame(req eimzo.Request) js.Value {
	head := []byte{'{'}
	if req.Plugin != "" {
		head = append(head, `"plugin":`...)
		head = capiws.AppendString(head, req.Plugin)
		head = append(head, ',')
	}
	head = append(head, `"name":`...)
	head = capiws.AppendString(head, req.Name)
	if req.Data == nil && len(req.Args) == 0 {
		return js.ValueOf(string(append(head, '}')))
	}
	head = append(head, `,"arguments":[`...)
	var tail []byte
	for i, a := range req.Args {
		if i > 0 || req.Data != nil {
			tail = append(tail, ',')
		}
		tail = capiws.AppendString(tail, a)
	}
	tail = append(tail, "]}"...)
	if req.Data == nil {
		return js.ValueOf(string(append(head, tail...)))
	}
	head = append(head, '"')
	return strObject(js.ValueOf(string(head))).Call("concat", dataBase64(req.Data), `"`+string(tail))
}

// parseReply parses a reply frame with the page's JSON.parse.
func parseReply(data js.Value, maxReply int64) (eimzo.Reply, error) {
	// A UTF-16 string of n units is at least n bytes in UTF-8.
	if n := stringLength(data); int64(n) > maxReply {
		return nil, eimzo.NewError(eimzo.CodeResponseTooLarge, strconv.Itoa(n)+" > "+strconv.FormatInt(maxReply, 10)+" bytes")
	}
	var v js.Value
	if err := catch(func() { v = jsJSON.Call("parse", data) }); err != nil {
		e := eimzo.NewError(eimzo.CodeProtocol, "the reply is not JSON")
		e.Err = err
		return nil, e
	}
	return objectReply(v)
}

func objectReply(v js.Value) (eimzo.Reply, error) {
	if v.Type() != js.TypeObject || jsArray.Call("isArray", v).Bool() {
		return nil, eimzo.NewError(eimzo.CodeProtocol, "the reply is not a JSON object")
	}
	return jsReply{v}, nil
}

// wsTransport is the client's transport in the browser: the page's own
// WebSocket, one connection per call, as the daemon expects.
type wsTransport struct{}

type wsOutcome struct {
	reply     eimzo.Reply
	err       error
	closeCode int
	opened    bool
}

// RoundTrip implements eimzo.Transport.
func (wsTransport) RoundTrip(ctx context.Context, url string, req eimzo.Request, maxReply int64) (eimzo.Reply, error) {
	ctor := js.Global().Get("WebSocket")
	if ctor.Type() != js.TypeFunction {
		return nil, eimzo.NewError(eimzo.CodeNotInstalled, "this environment has no WebSocket")
	}
	text := frame(req)
	var ws js.Value
	if err := catch(func() { ws = ctor.New(url) }); err != nil {
		// A bad URL or a blocked scheme (ws:// from an https page) throws.
		e := eimzo.NewError(eimzo.CodeTransport, "")
		e.Err = err
		return nil, e
	}
	msgs := make(chan wsOutcome, 1) // the first reply; later frames are dropped
	closed := make(chan wsOutcome, 1)
	opened := false
	var onOpen, onMessage, onClose js.Func
	onOpen = safeFunc(func(js.Value, []js.Value) any {
		opened = true
		ws.Call("send", text)
		return nil
	})
	onMessage = safeFunc(func(_ js.Value, args []js.Value) any {
		data := args[0].Get("data")
		if data.Type() != js.TypeString {
			return nil // the daemon's replies are text; other frames are ignored
		}
		r, err := parseReply(data, maxReply)
		send(msgs, wsOutcome{reply: r, err: err})
		return nil
	})
	onClose = safeFunc(func(_ js.Value, args []js.Value) any {
		send(closed, wsOutcome{closeCode: args[0].Get("code").Int(), opened: opened})
		return nil
	})
	ws.Set("onopen", onOpen)
	ws.Set("onmessage", onMessage)
	ws.Set("onclose", onClose)

	release := func() {
		ws.Set("onopen", js.Null())
		ws.Set("onmessage", js.Null())
		ws.Set("onclose", js.Null())
		onOpen.Release()
		onMessage.Release()
		onClose.Release()
	}
	// closeAndRelease closes the socket (as e-imzo.js does after its reply)
	// and releases the callbacks once the close event has fired.
	closeAndRelease := func() {
		_ = catch(func() { ws.Call("close", capiws.CloseNormal) })
		go func() { <-closed; release() }()
	}
	select {
	case <-ctx.Done():
		closeAndRelease()
		return nil, ctx.Err()
	case o := <-msgs:
		closeAndRelease()
		return o.reply, o.err
	case o := <-closed:
		release()
		if !o.opened {
			// Closed before it opened (1006): nothing listens, or the
			// browser refused to connect (Chrome's Local Network Access).
			return nil, notInstalled(ctx, "", o.closeCode)
		}
		// The reply may have arrived just before the close event.
		select {
		case m := <-msgs:
			return m.reply, m.err
		default:
		}
		e := eimzo.NewError(eimzo.CodeTransport, "closed with "+strconv.Itoa(o.closeCode)+" before replying")
		e.CloseCode = o.closeCode
		return nil, e
	}
}

func send(ch chan wsOutcome, o wsOutcome) {
	select {
	case ch <- o:
	default:
	}
}

// catch runs fn and turns a JavaScript exception into an error.
func catch(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				err = errors.New(je.Value.Get("message").String())
				return
			}
			panic(r)
		}
	}()
	fn()
	return nil
}

// capiwsTransport calls the daemon through window.CAPIWS, the official
// e-imzo.js (transport: 'external'), which it loads first with SRI:
// callFunction(funcDef, ok(event, data), fail(e, reason)) (PROTOCOL.md
// §1.2, §6). The script cannot be cancelled, so an aborted or timed-out
// call is abandoned and its late answer dropped.
type capiwsTransport struct {
	script script

	once     sync.Once
	ok, fail js.Func // kept for the life of the page: the script may call late

	mu    sync.Mutex
	next  int
	calls map[int]pending
}

// pending is a call waiting for the script's answer.
type pending struct {
	ch       chan wsOutcome
	maxReply int64
}

func (t *capiwsTransport) init() {
	t.calls = map[int]pending{}
	// Both callbacks get the call's id first, bound with
	// Function.prototype.bind (no eval, so a strict CSP is fine).
	t.ok = safeFunc(func(_ js.Value, args []js.Value) any {
		if len(args) < 3 {
			return nil
		}
		id := args[0].Int()
		event, data := args[1], args[2]
		o := wsOutcome{}
		t.mu.Lock()
		p := t.calls[id]
		t.mu.Unlock()
		if event.Type() == js.TypeObject && event.Get("data").Type() == js.TypeString && int64(stringLength(event.Get("data"))) > p.maxReply {
			o.err = eimzo.NewError(eimzo.CodeResponseTooLarge, "")
		} else {
			o.reply, o.err = objectReply(data)
		}
		t.deliver(id, o)
		return nil
	})
	t.fail = safeFunc(func(_ js.Value, args []js.Value) any {
		if len(args) < 1 {
			return nil
		}
		id := args[0].Int()
		var e *eimzo.Error
		switch {
		case len(args) > 1 && args[1].Type() == js.TypeNumber:
			code := args[1].Int()
			if code == capiws.CloseAbnormal {
				e = eimzo.NewError(eimzo.CodeNotInstalled, "")
			} else {
				e = eimzo.NewError(eimzo.CodeTransport, "closed with "+strconv.Itoa(code))
			}
			e.CloseCode = code
		case len(args) > 2 && args[2].Type() == js.TypeString:
			e = eimzo.NewError(eimzo.CodeSignFailed, args[2].String())
		case len(args) > 1 && args[1].Type() == js.TypeObject:
			e = eimzo.NewError(eimzo.CodeTransport, jsString.Invoke(args[1]).String())
		default:
			// e-imzo.js calls fail() with nothing when window.WebSocket is missing.
			e = eimzo.NewError(eimzo.CodeNotInstalled, "e-imzo.js reported no WebSocket")
		}
		t.deliver(id, wsOutcome{err: e})
		return nil
	})
}

func (t *capiwsTransport) deliver(id int, o wsOutcome) {
	t.mu.Lock()
	p, ok := t.calls[id]
	delete(t.calls, id)
	t.mu.Unlock()
	if ok {
		p.ch <- o // buffered
	}
}

// RoundTrip implements eimzo.Transport. url is ignored: CAPIWS.URL decides.
func (t *capiwsTransport) RoundTrip(ctx context.Context, _ string, req eimzo.Request, maxReply int64) (eimzo.Reply, error) {
	t.once.Do(t.init)
	cw, err := t.script.capiws(ctx)
	if err != nil {
		return nil, err
	}
	fn := cw.Get("callFunction")
	def := newObject()
	if req.Plugin != "" {
		def.Set("plugin", req.Plugin)
	}
	def.Set("name", req.Name)
	if req.Data != nil || len(req.Args) > 0 {
		args := jsArray.New()
		if req.Data != nil {
			args.Call("push", dataBase64(req.Data))
		}
		for _, a := range req.Args {
			args.Call("push", a)
		}
		def.Set("arguments", args)
	}
	ch := make(chan wsOutcome, 1)
	t.mu.Lock()
	t.next++
	id := t.next
	t.calls[id] = pending{ch: ch, maxReply: maxReply}
	t.mu.Unlock()
	if err := catch(func() {
		fn.Call("call", cw, def, t.ok.Call("bind", js.Null(), id), t.fail.Call("bind", js.Null(), id))
	}); err != nil {
		t.deliver(id, wsOutcome{})
		e := eimzo.NewError(eimzo.CodeTransport, "CAPIWS.callFunction threw")
		e.Err = err
		return nil, e
	}
	select {
	case <-ctx.Done():
		t.mu.Lock()
		delete(t.calls, id)
		t.mu.Unlock()
		return nil, ctx.Err()
	case o := <-ch:
		var e *eimzo.Error
		if errors.As(o.err, &e) && e.Code == eimzo.CodeNotInstalled && e.CloseCode != 0 {
			return nil, notInstalled(ctx, "", e.CloseCode)
		}
		return o.reply, o.err
	}
}
