//go:build !js

package eimzo_test

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/wasm/eimzo/eimzotest"
)

// replying is a fake daemon that answers every request with reply.
func replying(t *testing.T, reply string) string {
	return eimzotest.Raw(t, func(ctx context.Context, c *websocket.Conn) {
		_ = c.Write(ctx, websocket.MessageText, []byte(reply))
		_ = c.Close(websocket.StatusNormalClosure, "Done")
	})
}

var pfxCert = eimzo.Certificate{Type: eimzo.KeyPFX, Disk: `C:\`, Path: "DSKEYS", Name: "DS1", Alias: "cn=a,serialnumber=1"}

func sign(ctx context.Context, c *eimzo.Client) error {
	_, err := c.Sign(ctx, pfxCert, eimzo.Bytes("x"), eimzo.SignOptions{})
	return err
}

// signFirst signs with the first listed key.
func signFirst(ctx context.Context, c *eimzo.Client) error {
	certs, err := c.ListKeys(ctx)
	if err != nil {
		return err
	}
	_, err = c.Sign(ctx, certs[0], eimzo.Bytes("x"), eimzo.SignOptions{})
	return err
}

// withFault and withScript are the eimzotest simulators as table fields.
func withFault(f sim.Fault) func(t *testing.T) string {
	return func(t *testing.T) string { return eimzotest.SimWithFault(t, f) }
}

func withScript(sc softtoken.Script) func(t *testing.T) string {
	return func(t *testing.T) string { return eimzotest.SimWithScript(t, sc) }
}

// TestErrorCodes: every way a call can fail, and the code it fails with.
func TestErrorCodes(t *testing.T) {
	s := simtest.Start(t)
	tests := []struct {
		name   string
		url    func(t *testing.T) string // the daemon; nil: nothing listens
		opts   []eimzo.Option
		call   func(ctx context.Context, c *eimzo.Client) error // nil: Install
		want   eimzo.Code
		status int
	}{
		{name: "nothing listens", want: eimzo.CodeNotInstalled},
		{
			name: "foreign domain",
			url:  func(*testing.T) string { return s.URL },
			opts: []eimzo.Option{eimzo.WithTransport(&eimzo.WSTransport{Origin: "https://evil.example"})},
			call: func(ctx context.Context, c *eimzo.Client) error { _, err := c.ListKeys(ctx); return err },
			want: eimzo.CodeAPIKeyRejected, status: -1022,
		},
		{
			name: "data too large is refused before a byte is sent",
			opts: []eimzo.Option{eimzo.WithMaxDataBytes(4)},
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.Sign(ctx, pfxCert, eimzo.Bytes("12345"), eimzo.SignOptions{})
				return err
			},
			want: eimzo.CodeDataTooLarge,
		},
		{
			name: "base64 data too large, counted decoded",
			opts: []eimzo.Option{eimzo.WithMaxDataBytes(5)},
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.Sign(ctx, pfxCert, eimzo.Base64("MTIzNDU2"), eimzo.SignOptions{})
				return err
			},
			want: eimzo.CodeDataTooLarge,
		},
		{
			name: "bad base64",
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.Sign(ctx, pfxCert, eimzo.Base64("***"), eimzo.SignOptions{})
				return err
			},
			want: eimzo.CodeBadArgument,
		},
		{
			name: "an empty challenge",
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.Authenticate(ctx, pfxCert, "")
				return err
			},
			want: eimzo.CodeBadArgument,
		},
		{
			name: "an ftjc certificate without its card",
			url:  func(t *testing.T) string { return eimzotest.Answering(t, "", nil).URL },
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.LoadKey(ctx, eimzo.Certificate{Type: eimzo.KeyFTJC}, eimzo.LoadKeyOptions{})
				return err
			},
			want: eimzo.CodeBadArgument,
		},
		{
			name: "an unknown device",
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.DeviceConnected(ctx, "floppy")
				return err
			},
			want: eimzo.CodeBadArgument,
		},
		{
			name: "no reply at all",
			url:  withFault(sim.Fault{Kind: sim.FaultHang}),
			opts: []eimzo.Option{eimzo.WithTimeout(200 * time.Millisecond)},
			want: eimzo.CodeTimeout,
		},
		{name: "closed with 1011 instead of a reply", url: withFault(sim.Fault{Kind: sim.FaultClose, Code: 1011}), want: eimzo.CodeTransport},
		{name: "a reply that is not JSON", url: withFault(sim.Fault{Kind: sim.FaultMalformed}), want: eimzo.CodeProtocol},
		{name: "a reply that is an array", url: func(t *testing.T) string { return replying(t, `[{"success":true}]`) }, want: eimzo.CodeProtocol},
		{name: "a version without numbers", url: func(t *testing.T) string { return replying(t, `{"success":true,"major":"six"}`) }, want: eimzo.CodeProtocol},
		{
			name: "an oversized reply",
			url:  withFault(sim.Fault{Kind: sim.FaultOversized, Size: 4096}),
			opts: []eimzo.Option{eimzo.WithMaxReplyBytes(1024)},
			want: eimzo.CodeResponseTooLarge,
		},
		{name: "an old daemon", url: withFault(sim.Fault{Kind: sim.FaultVersion, Version: &sim.Version{Major: "3", Minor: "20"}}), want: eimzo.CodeVersionUnsupported},
		{
			name: "success as a string is not success",
			url:  func(t *testing.T) string { return replying(t, `{"success":"true","major":"6","minor":"4"}`) },
			want: eimzo.CodeProtocol,
		},
		{
			name: "a function the daemon lacks",
			url:  withFault(sim.Fault{Kind: sim.FaultStatus, Status: 0, Function: "create_pkcs7"}),
			call: signFirst, want: eimzo.CodeFunctionNotFound,
		},
		{
			name: "apikey rejected on a v5 daemon",
			url:  func(t *testing.T) string { return simtest.Start(t, simtest.WithV5()).URL },
			opts: []eimzo.Option{eimzo.WithAPIKeys(map[string]string{"localhost": "BAD"}), eimzo.WithDomain("localhost")},
			want: eimzo.CodeAPIKeyRejected, // v5 sends no status: the reason decides
		},
		{
			name: "password cancelled",
			url:  withScript(softtoken.Script{Answers: []softtoken.Step{softtoken.Cancel}}),
			call: signFirst, want: eimzo.CodePasswordCancelled, status: -5000,
		},
		{
			name: "wrong three times on a v5 daemon, reported without status",
			url: func(t *testing.T) string {
				s := simtest.Start(t, simtest.WithV5(), simtest.WithServer(sim.WithAllowedDomains("localhost")))
				s.Script("*", softtoken.Script{Then: softtoken.Wrong})
				return s.URL
			},
			call: signFirst, want: eimzo.CodeWrongPassword,
		},
		{
			name: "the key file is gone",
			url: func(t *testing.T) string {
				s := simtest.Start(t)
				names, _ := filepath.Glob(filepath.Join(filepath.Dir(s.KeyPath("x")), "*.pfx"))
				for _, n := range names {
					os.Remove(n)
				}
				return s.URL
			},
			call: sign, want: eimzo.CodeKeyNotFound, status: -2002,
		},
		{
			name: "no device",
			url:  func(t *testing.T) string { return s.URL }, // the simulator has no devices attached
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.SignWithDevice(ctx, eimzo.DeviceIDCard, eimzo.Bytes("x"), eimzo.SignOptions{})
				return err
			},
			want: eimzo.CodeDeviceNotFound, status: -9999,
		},
		{
			name: "a device on a daemon too old for it",
			url: func(t *testing.T) string {
				return eimzotest.Answering(t, "", map[string]string{".version": eimzotest.Version("4", "85")}).URL
			},
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.SignWithDevice(ctx, eimzo.DeviceBAIK, eimzo.Bytes("x"), eimzo.SignOptions{})
				return err
			},
			want: eimzo.CodeVersionUnsupported,
		},
		{
			name: "no key with that serial",
			url:  func(t *testing.T) string { return s.URL },
			call: func(ctx context.Context, c *eimzo.Client) error {
				_, err := c.SignWithSerial(ctx, "deadbeef", eimzo.Bytes("x"), eimzo.SignOptions{})
				return err
			},
			want: eimzo.CodeKeyNotFound,
		},
		{
			name: "the timestamp callback fails",
			url:  func(t *testing.T) string { return s.URL },
			call: signWithTimestamp(func(string) (string, error) { return "", errors.New("TSA down") }),
			want: eimzo.CodeTimestampFailed,
		},
		{
			name: "the timestamp callback returns garbage",
			url:  func(t *testing.T) string { return s.URL },
			call: signWithTimestamp(func(string) (string, error) { return "not base64!", nil }),
			want: eimzo.CodeTimestampFailed,
		},
		{
			name: "the timestamp callback returns DER that is not a token",
			url:  func(t *testing.T) string { return s.URL },
			call: signWithTimestamp(func(string) (string, error) {
				return base64.StdEncoding.EncodeToString([]byte{0x30, 0x03, 0x02, 0x01, 0x01}), nil
			}),
			want: eimzo.CodeTimestampFailed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := eimzotest.ClosedURL(t)
			if tt.url != nil {
				url = tt.url(t)
			}
			c := eimzo.New(append([]eimzo.Option{eimzo.WithURL(url)}, tt.opts...)...)
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
			if e.Message == "" || !strings.HasPrefix(e.Message, eimzo.Describe(tt.want).Message.EN) {
				t.Errorf("message %q", e.Message)
			}
		})
	}
}

func signWithTimestamp(ts func(string) (string, error)) func(ctx context.Context, c *eimzo.Client) error {
	return func(ctx context.Context, c *eimzo.Client) error {
		certs, err := c.ListKeys(ctx)
		if err != nil {
			return err
		}
		_, err = c.Sign(ctx, certs[0], eimzo.Bytes("x"), eimzo.SignOptions{Timestamp: func(_ context.Context, h string) (string, error) { return ts(h) }})
		return err
	}
}

func TestAbortedCall(t *testing.T) {
	arrived := make(chan struct{})
	url := eimzotest.Raw(t, func(ctx context.Context, c *websocket.Conn) { close(arrived); <-ctx.Done() })
	c := eimzo.New(eimzo.WithURL(url))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err := c.Install(ctx)
	if eimzo.CodeOf(err) != eimzo.CodeAborted {
		t.Fatalf("got %v, want ABORTED", err)
	}
}

func TestMessagesInThreeLanguages(t *testing.T) {
	want := map[eimzo.Lang]string{
		eimzo.LangUZ: "E-IMZO o‘rnatilmagan yoki ishga tushirilmagan",
		eimzo.LangRU: "E-IMZO не установлен или не запущен",
		eimzo.LangEN: "E-IMZO is not installed or not running",
	}
	for lang, msg := range want {
		c := eimzo.New(eimzo.WithURL(eimzotest.ClosedURL(t)), eimzo.WithLang(lang))
		_, err := c.Install(context.Background())
		var e *eimzo.Error
		if !errors.As(err, &e) || e.Message != msg || e.Hint != eimzo.Describe(eimzo.CodeNotInstalled).Hint.In(lang) {
			t.Errorf("%s: message %q hint %q", lang, e.Message, e.Hint)
		}
	}
	// The daemon's own reason follows, with its status.
	c := eimzo.New(eimzo.WithURL(eimzotest.Answering(t, "", map[string]string{"pfx.load_key": `{"success":false,"status":-2002,"reason":"Файл ключа не существует"}`}).URL), eimzo.WithLang(eimzo.LangRU))
	err := sign(context.Background(), c)
	var e *eimzo.Error
	if !errors.As(err, &e) || e.Message != "ключ не найден (E-IMZO -2002: Файл ключа не существует)" || e.Reason != "Файл ключа не существует" {
		t.Errorf("got %q", e.Message)
	}
}

func TestCatalogueIsComplete(t *testing.T) {
	seen := map[eimzo.Code]bool{}
	classes := map[string]bool{}
	for _, d := range eimzo.Catalogue {
		if seen[d.Code] {
			t.Errorf("%s listed twice", d.Code)
		}
		seen[d.Code] = true
		classes[d.Class] = true
		for _, l := range []eimzo.Lang{eimzo.LangUZ, eimzo.LangRU, eimzo.LangEN} {
			if d.Message.In(l) == "" {
				t.Errorf("%s has no %s message", d.Code, l)
			}
			if (d.Hint.EN == "") != (d.Hint.In(l) == "") {
				t.Errorf("%s has a hint in English but not in %s", d.Code, l)
			}
		}
		if !strings.HasPrefix(d.Class, "Eimzo") || !strings.HasSuffix(d.Class, "Error") {
			t.Errorf("%s: class %q", d.Code, d.Class)
		}
		switch d.Group {
		case eimzo.GroupUser, eimzo.GroupDeveloper, eimzo.GroupEnvironment:
		default:
			t.Errorf("%s: group %q", d.Code, d.Group)
		}
	}
	// The twelve classes of eimzo-client, the base class, the Local
	// Network Access class and the adapters' missing selection.
	for _, cls := range []string{"EimzoError", "EimzoNotInstalledError", "EimzoTransportError", "EimzoVersionError",
		"EimzoApiKeyError", "EimzoTimeoutError", "EimzoWrongPasswordError", "EimzoSignError", "EimzoKeyNotFoundError",
		"EimzoDataTooLargeError", "EimzoResponseTooLargeError", "EimzoMobileUnsupportedError",
		"EimzoDeeplinkHostNotAllowedError", "EimzoLocalNetworkBlockedError", "EimzoNoCertificateSelectedError"} {
		if !classes[cls] {
			t.Errorf("no code becomes %s", cls)
		}
	}
	if len(classes) != 15 {
		t.Errorf("%d classes, want 15", len(classes))
	}
	if eimzo.Describe("NO_SUCH_CODE").Code != eimzo.CodeInternal {
		t.Error("unknown codes must describe as INTERNAL")
	}
}

// FuzzParseReply: no reply frame makes reading its fields panic.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{`{"success":true,"status":1,"certificates":[{"disk":"C:\\","alias":"cn=a"}]}`, `{"success":false,"status":"-5000","reason":"x"}`, `[]`, `{"certificates":"x","status":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		r, err := eimzo.ParseReply(frame)
		if err != nil {
			return
		}
		r.Bool("success")
		r.Int("status")
		r.Str("reason")
		_ = r.Text("pkcs7_64").Len()
		for i := -1; i <= r.Len("certificates"); i++ {
			r.Elem("certificates", i).Str("alias")
			r.ElemStr("certificates", i)
		}
	})
}
