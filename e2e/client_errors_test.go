package e2e

import (
	"slices"
	"strings"
	"testing"

	dsim "github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/wasm/eimzo/eimzotest"
)

// closedPort is a daemon URL where nothing listens.
func closedPort(t *testing.T) string { return eimzotest.ClosedURL(t) }

// withFault and withScript are the eimzotest simulators as table fields.
func withFault(f dsim.Fault) func(t *testing.T) string {
	return func(t *testing.T) string { return eimzotest.SimWithFault(t, f) }
}

func withScript(sc softtoken.Script) func(t *testing.T) string {
	return func(t *testing.T) string { return eimzotest.SimWithScript(t, sc) }
}

// codesTestedElsewhere are the codes whose page tests need their own
// browser flags or pages.
var codesTestedElsewhere = map[eimzo.Code]string{
	eimzo.CodeLocalNetworkBlocked: "TestClientLocalNetworkAccess",
	eimzo.CodeScriptLoadFailed:    "TestClientExternalTransport",
	eimzo.CodeScriptIntegrity:     "TestClientExternalTransport",
	eimzo.CodeMobileUnsupported:   "TestClientOnMobile",
	// Raised by the framework wrappers and on the server, not by the client
	// in a page.
	eimzo.CodeNoCertificateSelected: "TestNpmApps",
	eimzo.CodeBrowserOnly:           "TestNpmApps (Nuxt's server rendering), js/test/ssr.test.ts",
}

// TestClientErrorCodesInThePage makes every error code happen in the real
// page and checks the code, the class (from the Go catalogue), instanceof
// EimzoError and the message language.
func TestClientErrorCodesInThePage(t *testing.T) {
	sim := simtest.Start(t)
	site := startClientSite(t)
	ctx := clientBrowser(t)
	open(t, ctx, site.page(sim.URL))

	// First, before anything has loaded the module: a .wasm that does not
	// load is INTERNAL, and the failure is not remembered.
	if o := run(t, ctx, `return await ek.createEimzo({ url: 'ws://127.0.0.1:9', wasmUrl: '/nope/eimzo.wasm' }).install()`); o.Code != "INTERNAL" || !o.IsEimzoError {
		t.Errorf("a missing eimzo.wasm: %+v", o)
	}
	mustRun(t, ctx, `return await ek.createEimzo({ url: `+jsString(sim.URL)+` }).install()`, nil)
	covered := map[eimzo.Code]bool{eimzo.CodeInternal: true}

	var dataSim *simtest.Sim
	tests := []struct {
		name   string
		daemon func(t *testing.T) string // "" for the simulator
		opts   string                    // createEimzo options besides url
		body   string                    // JavaScript with c, the client
		want   eimzo.Code
		check  func(t *testing.T, o pageOutcome)
	}{
		{name: "nothing listens", daemon: closedPort, body: `return c.install()`, want: eimzo.CodeNotInstalled,
			check: func(t *testing.T, o pageOutcome) {
				if o.CloseCode == nil || *o.CloseCode != 1006 {
					t.Errorf("closeCode %v, want 1006", o.CloseCode)
				}
			}},
		{name: "closed with 1011", daemon: withFault(dsim.Fault{Kind: dsim.FaultClose, Code: 1011}), body: `return c.install()`, want: eimzo.CodeTransport},
		{name: "the connection dropped mid-call", daemon: withFault(dsim.Fault{Kind: dsim.FaultDrop}), body: `return c.install()`, want: eimzo.CodeTransport},
		{name: "a binary reply frame", daemon: withFault(dsim.Fault{Kind: dsim.FaultBinary}), opts: `timeoutMs: 3000`, body: `return c.install()`, want: eimzo.CodeTransport},
		{name: "an old daemon", daemon: withFault(dsim.Fault{Kind: dsim.FaultVersion, Version: &dsim.Version{Major: "3", Minor: "20"}}), body: `return c.install()`, want: eimzo.CodeVersionUnsupported},
		{name: "the API key is refused (v5)", daemon: func(t *testing.T) string { return simtest.Start(t, simtest.WithV5()).URL },
			opts: `apiKeys: { localhost: 'BAD', 'other.uz': 'OTHER' }`, body: `return c.install()`, want: eimzo.CodeAPIKeyRejected},
		{name: "no answer in time", daemon: withFault(dsim.Fault{Kind: dsim.FaultHang}), opts: `timeoutMs: 300`, body: `return c.install()`, want: eimzo.CodeTimeout},
		{name: "a wrong password three times (v5: an exception text, no status)", daemon: func(t *testing.T) string {
			s := simtest.Start(t, simtest.WithV5(), simtest.WithServer(dsim.WithAllowedDomains("localhost")))
			s.Script("*", softtoken.Script{Then: softtoken.Wrong})
			return s.URL
		}, body: `const [k] = await c.listKeys(); return c.sign(k, 'x')`, want: eimzo.CodeWrongPassword},
		{name: "password entry cancelled", daemon: withScript(softtoken.Script{Answers: []softtoken.Step{softtoken.Cancel}}),
			body: `const [k] = await c.listKeys(); return c.sign(k, 'x')`, want: eimzo.CodePasswordCancelled,
			check: func(t *testing.T, o pageOutcome) {
				if o.Status == nil || *o.Status != -5000 || !strings.Contains(o.Message, "Ввод пароля отменен") {
					t.Errorf("status %v, message %q", o.Status, o.Message)
				}
			}},
		{name: "signing fails", daemon: withFault(dsim.Fault{Kind: dsim.FaultStatus, Status: -9999, Reason: "Ошибка при подписании", Function: "create_pkcs7"}),
			body: `const [k] = await c.listKeys(); return c.sign(k, 'x')`, want: eimzo.CodeSignFailed},
		{name: "no key with that serial", body: `return c.signWithSerial('deadbeef', 'x')`, want: eimzo.CodeKeyNotFound},
		{name: "data over maxDataBytes, before a byte is sent", daemon: func(t *testing.T) string {
			dataSim = simtest.Start(t)
			return dataSim.URL
		}, opts: `maxDataBytes: 10`, body: `const [k] = await c.listKeys()
			for (const d of ['Ўзбекистон!', new Uint8Array(11), new Blob(['12345678901']), 'MTIzNDU2Nzg5MDEy']) {
				const o = await outcome(c.sign(k, d, { isBase64: d === 'MTIzNDU2Nzg5MDEy' }))
				if (o.code !== 'DATA_TOO_LARGE') throw new Error('not refused: ' + JSON.stringify(o))
			}
			return c.sign(k, '12345678901')`, want: eimzo.CodeDataTooLarge,
			check: func(t *testing.T, o pageOutcome) {
				for _, e := range dataSim.Events() {
					if e.Function == "load_key" || e.Function == "create_pkcs7" {
						t.Errorf("data over the limit reached the daemon: %s", e.Function)
					}
				}
			}},
		{name: "a reply over maxReplyBytes", daemon: withFault(dsim.Fault{Kind: dsim.FaultOversized, Size: 5000, Function: "list_all_certificates"}),
			opts: `maxReplyBytes: 4096`, body: `return c.listKeys()`, want: eimzo.CodeResponseTooLarge},
		{name: "a callback on another host", body: `return ek.buildEimzoMobileDeeplink({ sessionId: 's', callbackUrl: 'https://api.evil.uz/cb', allowedHosts: ['api.mysite.uz'] })`, want: eimzo.CodeDeeplinkHost},
		{name: "an http callback", body: `return ek.buildEimzoMobileDeeplink({ sessionId: 's', callbackUrl: 'http://api.mysite.uz/cb', allowedHosts: ['api.mysite.uz'] })`, want: eimzo.CodeDeeplinkInsecure},
		{name: "a function the daemon lacks", daemon: withFault(dsim.Fault{Kind: dsim.FaultStatus, Status: 0, Function: "create_pkcs7"}),
			body: `const [k] = await c.listKeys(); return c.sign(k, 'x')`, want: eimzo.CodeFunctionNotFound},
		{name: "a reply that is not JSON", daemon: withFault(dsim.Fault{Kind: dsim.FaultMalformed}), body: `return c.install()`, want: eimzo.CodeProtocol},
		{name: "aborted by the page", daemon: withFault(dsim.Fault{Kind: dsim.FaultHang}), body: `const pre = new AbortController(); pre.abort()
			const o = await outcome(c.install({ signal: pre.signal }))
			if (o.code !== 'ABORTED') throw new Error('an aborted signal: ' + JSON.stringify(o))
			const ac = new AbortController(); setTimeout(() => ac.abort(), 100)
			return c.install({ signal: ac.signal })`, want: eimzo.CodeAborted},
		{name: "a bad argument", body: `const [k] = await c.listKeys(); return c.sign(k, 42)`, want: eimzo.CodeBadArgument},
		{name: "a device that is not connected", body: `return c.signWithIdCard('x')`, want: eimzo.CodeDeviceNotFound},
		{name: "the timestamp callback throws", body: `const [k] = await c.listKeys()
			return c.sign(k, 'x', { timestamp: () => { throw new Error('TSA is down') } })`, want: eimzo.CodeTimestampFailed},
		{name: "messages in Russian", daemon: closedPort, opts: `lang: 'ru'`, body: `return c.install()`, want: eimzo.CodeNotInstalled,
			check: func(t *testing.T, o pageOutcome) {
				if !strings.HasPrefix(o.Message, "E-IMZO не установлен или не запущен") || !strings.Contains(o.Hint, "запустите E-IMZO") {
					t.Errorf("message %q, hint %q", o.Message, o.Hint)
				}
			}},
		{name: "messages in Uzbek by default", daemon: closedPort, body: `return c.install()`, want: eimzo.CodeNotInstalled,
			check: func(t *testing.T, o pageOutcome) {
				if !strings.HasPrefix(o.Message, "E-IMZO o‘rnatilmagan") {
					t.Errorf("message %q", o.Message)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := sim.URL
			if tt.daemon != nil {
				url = tt.daemon(t)
			}
			o := run(t, ctx, `const c = ek.createEimzo({ url: `+jsString(url)+`, `+tt.opts+` }); `+tt.body)
			if o.OK {
				t.Fatalf("succeeded: %s", o.Value)
			}
			if o.Code != string(tt.want) {
				t.Fatalf("code %q (%s), want %q", o.Code, o.Message, tt.want)
			}
			want := eimzo.Describe(tt.want)
			if o.ClassName != want.Class || o.Name != want.Class || !o.IsEimzoError {
				t.Errorf("class %q name %q instanceof EimzoError %v; want %s", o.ClassName, o.Name, o.IsEimzoError, want.Class)
			}
			if o.Message == "" {
				t.Error("no message")
			}
			if tt.check != nil {
				tt.check(t, o)
			}
			covered[tt.want] = true
		})
	}
	for _, d := range eimzo.Catalogue {
		if !covered[d.Code] && codesTestedElsewhere[d.Code] == "" {
			t.Errorf("no page test makes %s happen", d.Code)
		}
	}
}

// TestClientRepliesCannotPolluteThePage: a daemon whose replies carry
// "__proto__" and "constructor" keys cannot reach Object.prototype, and
// the certificates handed to the page have only their own typed fields.
func TestClientRepliesCannotPolluteThePage(t *testing.T) {
	hostile := `{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"success":true,"status":1,`
	d := eimzotest.Answering(t, "", map[string]string{
		".version": hostile + `"major":"6","minor":"4","patch":"7"}`,
		"pfx.list_all_certificates": hostile + `"certificates":[{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"y":2}},` +
			`"disk":"C:\\","path":"DSKEYS","name":"DS1","alias":"cn=a,1.2.860.3.16.1.2=31111111111111,serialnumber=1,validfrom=2025.01.01 00:00:00,validto=2027.01.01 00:00:00"}]}`,
	})
	site := startClientSite(t)
	ctx := clientBrowser(t)
	open(t, ctx, site.page(d.URL))
	var got struct {
		Polluted, X, Y, IsAdmin any
		Keys                    []string
		Proto                   bool
	}
	mustRun(t, ctx, `const c = ek.createEimzo({ url: `+jsString(d.URL)+` })
		await c.install()
		const [k] = await c.listKeys()
		return { Polluted: ({}).polluted ?? null, X: ({}).x ?? null, Y: ({}).y ?? null, IsAdmin: k.isAdmin ?? null,
			Keys: Object.keys(k).sort(), Proto: Object.getPrototypeOf(k) === Object.prototype }`, &got)
	if got.Polluted != nil || got.X != nil || got.Y != nil || got.IsAdmin != nil || !got.Proto {
		t.Errorf("the page was polluted: %+v", got)
	}
	want := []string{"CN", "O", "PINFL", "T", "TIN", "UID", "alias", "disk", "isLegalEntity", "isPhysicalPerson", "isYATT", "name", "path", "serialNumber", "type", "validFrom", "validTo"}
	if !slices.Equal(got.Keys, want) {
		t.Errorf("certificate keys %v, want %v", got.Keys, want)
	}
}
