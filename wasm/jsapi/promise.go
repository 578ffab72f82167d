//go:build js && wasm

package jsapi

import (
	"context"
	"errors"
	"syscall/js"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

var (
	jsPromise = js.Global().Get("Promise")
	jsError   = js.Global().Get("Error")
)

// errAborted is the cause of a context cancelled by an AbortSignal.
var errAborted = errors.New("aborted by the page's AbortSignal")

// Promise runs fn in a goroutine and returns a Promise of its result. When
// signal is an AbortSignal, aborting it cancels fn's context. Rejections
// are JS Errors with messages in lang.
func Promise(signal js.Value, lang eimzo.Lang, fn func(ctx context.Context) (any, error)) js.Value {
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		ctx, cancel := context.WithCancelCause(context.Background())
		release := watchSignal(signal, cancel)
		go func() {
			defer cancel(nil)
			defer release()
			defer func() {
				if r := recover(); r != nil {
					e := eimzo.NewError(eimzo.CodeInternal, "")
					e.Err = panicError(r)
					reject.Invoke(ErrorValue(e, lang))
				}
			}()
			if ctx.Err() != nil {
				reject.Invoke(ErrorValue(eimzo.NewError(eimzo.CodeAborted, ""), lang))
				return
			}
			v, err := fn(ctx)
			if err != nil {
				if ctx.Err() != nil && eimzo.CodeOf(err) != eimzo.CodeTimeout {
					err = eimzo.NewError(eimzo.CodeAborted, "")
				}
				reject.Invoke(ErrorValue(err, lang))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	defer executor.Release()
	return jsPromise.New(executor)
}

// watchSignal cancels ctx when signal aborts, and returns a function that
// stops watching.
func watchSignal(signal js.Value, cancel context.CancelCauseFunc) func() {
	if signal.Type() != js.TypeObject || signal.Get("aborted").Type() != js.TypeBoolean {
		return func() {}
	}
	if signal.Get("aborted").Bool() {
		cancel(errAborted)
		return func() {}
	}
	onAbort := safeFunc(func(js.Value, []js.Value) any {
		cancel(errAborted)
		return nil
	})
	signal.Call("addEventListener", "abort", onAbort)
	return func() {
		signal.Call("removeEventListener", "abort", onAbort)
		onAbort.Release()
	}
}

// safeFunc is js.FuncOf for event callbacks: a panic in fn is logged to the
// console instead of ending the Go program (and every call in flight).
func safeFunc(fn func(this js.Value, args []js.Value) any) js.Func {
	return js.FuncOf(func(this js.Value, args []js.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				js.Global().Get("console").Call("error", "eimzokit: "+panicError(r).Error())
				result = nil
			}
		}()
		return fn(this, args)
	})
}

type panicValue struct{ v any }

func (p panicValue) Error() string {
	if e, ok := p.v.(error); ok {
		return "panic: " + e.Error()
	}
	if s, ok := p.v.(string); ok {
		return "panic: " + s
	}
	return "panic"
}

func panicError(v any) error { return panicValue{v} }

// ErrorValue turns err into a JS Error with the fields the npm package
// reads: code, message (in lang), hint, detail, status, reason, closeCode.
func ErrorValue(err error, lang eimzo.Lang) js.Value {
	e := eimzo.Localize(err, lang)
	msg := e.Message
	if e.Err != nil && (e.Code == eimzo.CodeInternal || e.Code == eimzo.CodeTransport || e.Code == eimzo.CodeTimestampFailed) {
		msg += ": " + e.Err.Error()
	}
	v := jsError.New(msg)
	v.Set("code", string(e.Code))
	if e.Hint != "" {
		v.Set("hint", e.Hint)
	}
	if e.Detail != "" {
		v.Set("detail", e.Detail)
	}
	if e.Status != 0 || e.Code == eimzo.CodeFunctionNotFound {
		v.Set("status", e.Status)
	}
	if e.Reason != "" {
		v.Set("reason", e.Reason)
	}
	if e.CloseCode != 0 {
		v.Set("closeCode", e.CloseCode)
	}
	return v
}

// await waits for a JS promise from a goroutine. The callbacks are released
// only once the promise settles, even when ctx ends first.
func await(ctx context.Context, p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var onOK, onErr js.Func
	onOK = safeFunc(func(_ js.Value, args []js.Value) any {
		ch <- result{v: args[0]}
		return nil
	})
	onErr = safeFunc(func(_ js.Value, args []js.Value) any {
		msg := "promise rejected"
		if len(args) > 0 && args[0].Type() == js.TypeObject {
			msg = args[0].Get("message").String()
		}
		ch <- result{err: errors.New(msg)}
		return nil
	})
	release := func() { onOK.Release(); onErr.Release() }
	p.Call("then", onOK, onErr)
	select {
	case r := <-ch:
		release()
		return r.v, r.err
	case <-ctx.Done():
		go func() { <-ch; release() }()
		return js.Undefined(), ctx.Err()
	}
}
