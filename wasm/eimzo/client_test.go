//go:build !js

package eimzo_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/smallstep/pkcs7"
)

func TestInstallListSign(t *testing.T) {
	s := simtest.Start(t)
	c := eimzo.New(eimzo.WithURL(s.URL))
	ctx := context.Background()
	v, err := c.Install(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Number() != 604 || v.String() != "6.4.7" {
		t.Errorf("version = %+v", v)
	}
	certs, err := c.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 6 {
		t.Fatalf("listed %d keys", len(certs))
	}
	var legal, yatt, physical int
	for _, cert := range certs {
		if cert.CN == "" || cert.PINFL == "" || cert.TIN == "" || cert.SerialNumber != strings.ToUpper(cert.SerialNumber) || cert.ValidTo.IsZero() {
			t.Errorf("certificate fields missing: %+v", cert)
		}
		switch {
		case cert.IsLegalEntity():
			legal++
			if cert.TIN != cert.OrgTIN || cert.IsPhysicalPerson() || cert.IsYATT() {
				t.Errorf("legal entity roles wrong: %+v", cert)
			}
		case cert.IsYATT():
			yatt++
		default:
			physical++
		}
	}
	if legal != 2 || yatt != 1 || physical != 3 {
		t.Errorf("roles: legal %d, yatt %d, physical %d", legal, yatt, physical)
	}
	text := "Hujjat matni: Ўзбекистон, o‘zbek ʼ"
	for _, detached := range []bool{false, true} {
		res, err := c.Sign(ctx, certs[0], []byte(text), eimzo.SignOptions{Detached: detached})
		if err != nil {
			t.Fatal(err)
		}
		der, _ := base64.StdEncoding.DecodeString(res.PKCS7)
		p7, err := pkcs7.Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		if detached {
			p7.Content = []byte(text)
		}
		if string(p7.Content) != text {
			t.Errorf("signed content %q", p7.Content)
		}
		if err := p7.VerifyWithChain(s.Data.Roots()); err != nil {
			t.Errorf("verify: %v", err)
		}
		if !strings.EqualFold(res.SignerSerialNumber, certs[0].SerialNumber) {
			t.Errorf("signer serial %s, certificate %s", res.SignerSerialNumber, certs[0].SerialNumber)
		}
	}
	// Already-base64 data is signed as the bytes it encodes.
	res, err := c.Sign(ctx, certs[0], []byte(base64.StdEncoding.EncodeToString([]byte(text))), eimzo.SignOptions{IsBase64: true})
	if err != nil {
		t.Fatal(err)
	}
	der, _ := base64.StdEncoding.DecodeString(res.PKCS7)
	if p7, err := pkcs7.Parse(der); err != nil || string(p7.Content) != text {
		t.Errorf("isBase64 signed %q, %v", p7.Content, err)
	}
}

func TestSignReloadsAForgottenKey(t *testing.T) {
	s := simtest.Start(t)
	c := eimzo.New(eimzo.WithURL(s.URL))
	certs, err := c.ListKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.SetKeyID(certs[0], "00000000000000000000000000000000")
	if _, err := c.Sign(context.Background(), certs[0], []byte("x"), eimzo.SignOptions{}); err != nil {
		t.Fatalf("sign after the daemon forgot the key: %v", err)
	}
}

// fakeDaemon is a WebSocket server that misbehaves in one way.
func fakeDaemon(t *testing.T, serve func(ctx context.Context, c *websocket.Conn)) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		if _, _, err := c.Read(r.Context()); err != nil {
			return
		}
		serve(r.Context(), c)
	}))
	t.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http") + "/service/cryptapi"
}

func freeClosedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "ws://" + addr + "/service/cryptapi"
}

func TestErrorCodes(t *testing.T) {
	s := simtest.Start(t)
	tests := []struct {
		name   string
		client func(t *testing.T) *eimzo.Client
		call   func(ctx context.Context, c *eimzo.Client) error
		want   eimzo.Code
		status int
	}{
		{
			name:   "nothing listens",
			client: func(t *testing.T) *eimzo.Client { return eimzo.New(eimzo.WithURL(freeClosedPort(t))) },
			want:   eimzo.CodeNotInstalled,
		},
		{
			name: "foreign domain",
			client: func(t *testing.T) *eimzo.Client {
				return eimzo.New(eimzo.WithURL(s.URL), eimzo.WithTransport(&eimzo.WSTransport{Origin: "https://evil.example"}))
			},
			call:   func(ctx context.Context, c *eimzo.Client) error { _, err := c.ListKeys(ctx); return err },
			want:   eimzo.CodeAPIKeyRejected,
			status: -1022,
		},
		{
			name: "data too large is refused before a byte is sent",
			client: func(t *testing.T) *eimzo.Client {
				return eimzo.New(eimzo.WithURL(freeClosedPort(t)), eimzo.WithMaxDataBytes(4))
			},
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.Sign(ctx, eimzo.Certificate{}, []byte("12345"), eimzo.SignOptions{})
				return err
			},
			want: eimzo.CodeDataTooLarge,
		},
		{
			name:   "bad base64",
			client: func(t *testing.T) *eimzo.Client { return eimzo.New(eimzo.WithURL(freeClosedPort(t))) },
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.Sign(ctx, eimzo.Certificate{}, []byte("***"), eimzo.SignOptions{IsBase64: true})
				return err
			},
			want: eimzo.CodeBadArgument,
		},
		{
			name: "no reply at all",
			client: func(t *testing.T) *eimzo.Client {
				url := fakeDaemon(t, func(ctx context.Context, c *websocket.Conn) { <-ctx.Done() })
				return eimzo.New(eimzo.WithURL(url), eimzo.WithTimeout(300*time.Millisecond))
			},
			want: eimzo.CodeTimeout,
		},
		{
			name: "closed with 1011 instead of a reply",
			client: func(t *testing.T) *eimzo.Client {
				return eimzo.New(eimzo.WithURL(fakeDaemon(t, func(ctx context.Context, c *websocket.Conn) {
					c.Close(websocket.StatusInternalError, "boom")
				})))
			},
			want: eimzo.CodeTransport,
		},
		{
			name: "a reply that is not JSON",
			client: func(t *testing.T) *eimzo.Client {
				return eimzo.New(eimzo.WithURL(fakeDaemon(t, func(ctx context.Context, c *websocket.Conn) {
					c.Write(ctx, websocket.MessageText, []byte("<html>"))
				})))
			},
			want: eimzo.CodeProtocol,
		},
		{
			name: "an oversized reply",
			client: func(t *testing.T) *eimzo.Client {
				return eimzo.New(eimzo.WithMaxReplyBytes(1024), eimzo.WithURL(fakeDaemon(t, func(ctx context.Context, c *websocket.Conn) {
					c.Write(ctx, websocket.MessageText, []byte(`{"success":true,"x":"`+strings.Repeat("a", 4096)+`"}`))
				})))
			},
			want: eimzo.CodeResponseTooLarge,
		},
		{
			name: "an old daemon",
			client: func(t *testing.T) *eimzo.Client {
				return eimzo.New(eimzo.WithURL(fakeDaemon(t, func(ctx context.Context, c *websocket.Conn) {
					c.Write(ctx, websocket.MessageText, []byte(`{"success":true,"major":"3","minor":"20"}`))
				})))
			},
			want: eimzo.CodeVersionUnsupported,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.client(t)
			call := tt.call
			if call == nil {
				call = func(ctx context.Context, c *eimzo.Client) error { _, err := c.Install(ctx); return err }
			}
			err := call(context.Background(), c)
			if got := eimzo.CodeOf(err); got != tt.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.want)
			}
			if !errors.Is(err, &eimzo.Error{Code: tt.want}) {
				t.Error("errors.Is does not match by code")
			}
			var e *eimzo.Error
			errors.As(err, &e)
			if e.Status != tt.status {
				t.Errorf("status = %d, want %d", e.Status, tt.status)
			}
			if e.Message == "" {
				t.Error("no message")
			}
		})
	}
}

func TestAbortedCall(t *testing.T) {
	url := fakeDaemon(t, func(ctx context.Context, c *websocket.Conn) { <-ctx.Done() })
	c := eimzo.New(eimzo.WithURL(url))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	_, err := c.Install(ctx)
	if eimzo.CodeOf(err) != eimzo.CodeAborted {
		t.Fatalf("got %v, want ABORTED", err)
	}
}

func TestCatalogueIsComplete(t *testing.T) {
	seen := map[eimzo.Code]bool{}
	for _, d := range eimzo.Catalogue {
		if seen[d.Code] {
			t.Errorf("%s listed twice", d.Code)
		}
		seen[d.Code] = true
		for _, l := range []eimzo.Lang{eimzo.LangUZ, eimzo.LangRU, eimzo.LangEN} {
			if d.Messages[l] == "" {
				t.Errorf("%s has no %s message", d.Code, l)
			}
		}
		if !strings.HasPrefix(d.Class, "Eimzo") || !strings.HasSuffix(d.Class, "Error") {
			t.Errorf("%s: class %q", d.Code, d.Class)
		}
	}
	if eimzo.Describe("NO_SUCH_CODE").Code != eimzo.CodeInternal {
		t.Error("unknown codes must describe as INTERNAL")
	}
}
