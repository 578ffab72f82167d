//go:build js && wasm

package jsapi

import (
	"context"
	"errors"
	"strconv"
	"syscall/js"

	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

// wsTransport is the client's transport in the browser: the page's own
// WebSocket, one connection per call, as the daemon expects.
type wsTransport struct{}

type wsOutcome struct {
	data      []byte
	err       error
	closeCode int
	opened    bool
	closed    bool
}

func wsError(code eimzo.Code, msg string) *eimzo.Error {
	return &eimzo.Error{Code: code, Message: eimzo.Describe(code).Message(eimzo.LangEN) + msg, Hint: eimzo.Describe(code).Hint}
}

// RoundTrip implements eimzo.Transport.
func (wsTransport) RoundTrip(ctx context.Context, url string, frame []byte, maxReply int64) (_ []byte, err error) {
	ctor := js.Global().Get("WebSocket")
	if ctor.Type() != js.TypeFunction {
		return nil, wsError(eimzo.CodeNotInstalled, ": this environment has no WebSocket")
	}
	var ws js.Value
	if err := catch(func() { ws = ctor.New(url) }); err != nil {
		// A bad URL or a blocked scheme (ws:// from an https page) throws.
		e := wsError(eimzo.CodeTransport, "")
		e.Err = err
		return nil, e
	}
	msgs := make(chan wsOutcome, 1) // the first reply or error; later frames are dropped
	closed := make(chan wsOutcome, 1)
	opened := false
	var onOpen, onMessage, onClose js.Func
	onOpen = safeFunc(func(js.Value, []js.Value) any {
		opened = true
		ws.Call("send", string(frame))
		return nil
	})
	onMessage = safeFunc(func(_ js.Value, args []js.Value) any {
		data := args[0].Get("data")
		if data.Type() != js.TypeString {
			return nil // the daemon's replies are text; other frames are ignored
		}
		// A UTF-16 string of n units is at least n bytes in UTF-8: refuse
		// before copying a huge reply into Go.
		if int64(stringLength(data)) > maxReply {
			send(msgs, wsOutcome{err: wsError(eimzo.CodeResponseTooLarge, "")})
			return nil
		}
		b := []byte(data.String())
		if int64(len(b)) > maxReply {
			send(msgs, wsOutcome{err: wsError(eimzo.CodeResponseTooLarge, "")})
			return nil
		}
		send(msgs, wsOutcome{data: b})
		return nil
	})
	onClose = safeFunc(func(_ js.Value, args []js.Value) any {
		send(closed, wsOutcome{closed: true, closeCode: args[0].Get("code").Int(), opened: opened})
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
		return o.data, o.err
	case o := <-closed:
		release()
		if !o.opened {
			// Closed before it opened (1006): nothing listens, or the
			// browser refused to connect.
			e := wsError(eimzo.CodeNotInstalled, "")
			e.CloseCode = o.closeCode
			return nil, e
		}
		// The reply may have arrived just before the close event.
		select {
		case m := <-msgs:
			return m.data, m.err
		default:
		}
		e := wsError(eimzo.CodeTransport, " (closed with "+strconv.Itoa(o.closeCode)+" before replying)")
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
