//go:build !js

package eimzo

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"syscall"

	"github.com/coder/websocket"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// WSTransport is the native WebSocket transport. Origin is sent with the
// handshake, as a browser would: the daemon authorises calls by the
// Origin's domain (PROTOCOL.md §1.2).
type WSTransport struct {
	Origin string
}

func defaultTransport() Transport { return &WSTransport{Origin: "http://localhost"} }

// RoundTrip implements [Transport].
func (t *WSTransport) RoundTrip(ctx context.Context, url string, req Request, maxReply int64) (Reply, error) {
	frame, err := Frame(req)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if t.Origin != "" {
		h.Set("Origin", t.Origin)
	}
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			e := wrapError(CodeNotInstalled, "", err)
			e.CloseCode = capiws.CloseAbnormal
			return nil, e
		}
		return nil, wrapError(CodeTransport, "", err)
	}
	defer c.CloseNow()
	c.SetReadLimit(-1) // the limit is applied below, with its own error
	if err := c.Write(ctx, websocket.MessageText, frame); err != nil {
		return nil, wrapError(CodeTransport, "", err)
	}
	for {
		typ, r, err := c.Reader(ctx)
		if err != nil {
			e := wrapError(CodeTransport, "", err)
			if code := websocket.CloseStatus(err); code != -1 {
				e.CloseCode = int(code)
				e.Detail = "closed with " + strconv.Itoa(int(code)) + " before replying"
				e.localize(LangEN)
			}
			return nil, e
		}
		if typ != websocket.MessageText {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(r, maxReply+1))
		if err != nil {
			return nil, wrapError(CodeTransport, "", err)
		}
		if int64(len(data)) > maxReply {
			return nil, NewError(CodeResponseTooLarge, strconv.FormatInt(maxReply, 10)+" bytes at most")
		}
		_ = c.Close(websocket.StatusNormalClosure, "")
		return ParseReply(data)
	}
}

// Frame builds the text frame of req, with the base64 of native data.
func Frame(req Request) ([]byte, error) {
	r := capiws.Request{Plugin: req.Plugin, Name: req.Name, Arguments: req.Args}
	if req.Data != nil {
		text, ok := Base64Text(req.Data)
		if !ok {
			return nil, NewError(CodeInternal, "the native transport cannot send this kind of data")
		}
		r.Arguments = append([]string{text}, req.Args...)
	}
	return r.AppendJSON(make([]byte, 0, r.Size())), nil
}

// ParseReply reads a reply frame; anything but a JSON object is PROTOCOL.
func ParseReply(frame []byte) (Reply, error) {
	v, err := capiws.ParseReply(frame)
	if err != nil {
		return nil, wrapError(CodeProtocol, "the reply is not JSON", err)
	}
	if v.Kind() != capiws.Object {
		return nil, NewError(CodeProtocol, "the reply is not a JSON object")
	}
	return valueReply{v.Value}, nil
}

// valueReply is a [Reply] over a parsed JSON value.
type valueReply struct{ v capiws.Value }

func (r valueReply) get(key string) capiws.Value { v, _ := r.v.Get(key); return v }

func (r valueReply) Bool(key string) bool { return r.get(key).BoolValue() }

func (r valueReply) Int(key string) (int, bool) {
	v := r.get(key)
	if v.Kind() != capiws.Number {
		return 0, false
	}
	n, ok := v.Int()
	return int(n), ok
}

func (r valueReply) Str(key string) string {
	if v := r.get(key); v.Kind() == capiws.String {
		return v.Str()
	}
	return ""
}

func (r valueReply) Text(key string) Text { return String(r.Str(key)) }

func (r valueReply) Len(key string) int {
	if v := r.get(key); v.Kind() == capiws.Array {
		return len(v.Items())
	}
	return 0
}

func (r valueReply) elem(key string, i int) capiws.Value {
	v := r.get(key)
	if v.Kind() != capiws.Array || i < 0 || i >= len(v.Items()) {
		return capiws.Value{}
	}
	return v.Items()[i]
}

func (r valueReply) Elem(key string, i int) Reply { return valueReply{r.elem(key, i)} }

func (r valueReply) ElemStr(key string, i int) string {
	if v := r.elem(key, i); v.Kind() == capiws.String {
		return v.Str()
	}
	return ""
}
