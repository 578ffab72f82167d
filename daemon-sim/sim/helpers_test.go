package sim_test

import (
	"context"
	"encoding/asn1"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

var asn1SigningTime = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}

const localhost = "http://localhost:8080"

// exchange is one request and what came back.
type exchange struct {
	raw    []byte // the reply frame
	typ    websocket.MessageType
	reply  capiws.Reply
	code   websocket.StatusCode // the daemon's close code; -1 when the connection dropped
	reason string
}

// roundTripRaw sends one frame as a page on origin would, and returns the
// reply frame and how the daemon closed the connection.
func roundTripRaw(t testing.TB, url, origin, frame string) exchange {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.CloseNow()
	c.SetReadLimit(capiws.MaxFrameBytes + 1<<20)
	if err := c.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		t.Fatalf("write: %v", err)
	}
	var ex exchange
	ex.typ, ex.raw, err = c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	ex.reply, _ = capiws.ParseReply(ex.raw)
	_, _, err = c.Read(ctx)
	ex.code = -1
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		ex.code, ex.reason = ce.Code, ce.Reason
	}
	return ex
}

// roundTrip sends one frame and returns the parsed reply and the close.
func roundTrip(t testing.TB, url, origin string, frame string) (capiws.Reply, websocket.StatusCode, string) {
	t.Helper()
	ex := roundTripRaw(t, url, origin, frame)
	if ex.typ != websocket.MessageText {
		t.Fatalf("reply frame type = %v, want text", ex.typ)
	}
	if ex.reply.Kind() == capiws.Null {
		t.Fatalf("reply %q is not JSON", ex.raw)
	}
	return ex.reply, ex.code, ex.reason
}

// req builds a request frame.
func req(plugin, name string, args ...string) string {
	return string(capiws.Request{Plugin: plugin, Name: name, Arguments: args}.AppendJSON(nil))
}

// call sends a request from localhost and returns the reply.
func call(t testing.TB, url, plugin, name string, args ...string) capiws.Reply {
	t.Helper()
	r, _, _ := roundTrip(t, url, localhost, req(plugin, name, args...))
	return r
}

// mustOK fails the test unless the reply is a success.
func mustOK(t testing.TB, r capiws.Reply) capiws.Reply {
	t.Helper()
	if !r.Success() {
		t.Fatalf("reply %s", r.AppendJSON(nil))
	}
	return r
}

func status(r capiws.Reply) capiws.Status {
	st, ok := r.Status()
	if !ok {
		return -12345
	}
	return st
}

// signedAttrs digs the DER signed attributes (re-tagged as SET, RFC 5652
// §5.4) out of a SignedData with one signer.
func signedAttrs(t *testing.T, der []byte) []byte {
	t.Helper()
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		t.Fatal(err)
	}
	var sd struct {
		Version     int
		Digests     asn1.RawValue
		Content     asn1.RawValue
		Certs       asn1.RawValue `asn1:"optional,tag:0"`
		SignerInfos []struct {
			Version   int
			SID       asn1.RawValue
			DigestAlg asn1.RawValue
			Attrs     asn1.RawValue `asn1:"optional,tag:0"`
			SigAlg    asn1.RawValue
			Sig       []byte
		} `asn1:"set"`
	}
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		t.Fatal(err)
	}
	attrs := append([]byte(nil), sd.SignerInfos[0].Attrs.FullBytes...)
	attrs[0] = 0x31
	return attrs
}
