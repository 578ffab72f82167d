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
func (t *WSTransport) RoundTrip(ctx context.Context, url string, frame []byte, maxReply int64) ([]byte, error) {
	h := http.Header{}
	if t.Origin != "" {
		h.Set("Origin", t.Origin)
	}
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			e := newError(CodeNotInstalled, err)
			e.CloseCode = capiws.CloseAbnormal
			return nil, e
		}
		return nil, newError(CodeTransport, err)
	}
	defer c.CloseNow()
	c.SetReadLimit(-1) // the limit is applied below, with its own error
	if err := c.Write(ctx, websocket.MessageText, frame); err != nil {
		return nil, newError(CodeTransport, err)
	}
	for {
		typ, r, err := c.Reader(ctx)
		if err != nil {
			e := newError(CodeTransport, err)
			if code := websocket.CloseStatus(err); code != -1 {
				e.CloseCode = int(code)
				e.Message += " (closed with " + strconv.Itoa(int(code)) + " before replying)"
			}
			return nil, e
		}
		if typ != websocket.MessageText {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(r, maxReply+1))
		if err != nil {
			return nil, newError(CodeTransport, err)
		}
		if int64(len(data)) > maxReply {
			return nil, newError(CodeResponseTooLarge, nil)
		}
		_ = c.Close(websocket.StatusNormalClosure, "")
		return data, nil
	}
}
