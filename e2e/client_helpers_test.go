package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
)

// TestClientCertificateHelpersSharedVectors runs the TypeScript certificate
// helpers over wasm/eimzo/testdata/certificate-vectors.json, the table the
// Go helpers are tested against, so the two cannot drift.
func TestClientCertificateHelpersSharedVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "wasm", "eimzo", "testdata", "certificate-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	site := startClientSite(t)
	ctx := clientBrowser(t)
	open(t, ctx, site.page("ws://127.0.0.1:9"))
	var failures []string
	mustRun(t, ctx, `const v = `+string(raw)+`
		const bad = []
		for (const r of v.roles) {
			const role = ek.getCertificateRole(r.cert)
			if (role !== r.role) bad.push(r.name + ': role ' + role)
			if (ek.isLegalEntity(r.cert) !== (r.role === 'legal') || ek.isYATT(r.cert) !== (r.role === 'yatt') || ek.isPhysicalPerson(r.cert) !== (r.role !== 'legal')) bad.push(r.name + ': flags')
			for (const lang of ['uz', 'ru', 'en']) {
				if (ek.getCertificateRoleLabel(r.cert, lang) !== v.labels[r.role][lang]) bad.push(r.name + ': label ' + lang)
			}
			if (ek.getCertificateRoleLabel(r.cert) !== v.labels[r.role].uz) bad.push(r.name + ': default label')
		}
		for (const s of v.status) {
			// Dates as Date objects, as ISO strings and as milliseconds.
			for (const conv of [x => x && new Date(x), x => x, x => x && Date.parse(x)]) {
				const got = ek.getCertificateStatus({ validFrom: conv(s.validFrom), validTo: conv(s.validTo) }, conv(s.now))
				if (got.status !== s.status || got.daysLeft !== s.daysLeft) bad.push(s.name + ': ' + JSON.stringify(got))
			}
		}
		return bad`, &failures)
	for _, f := range failures {
		t.Error(f)
	}
}

// TestClientEncodingHelpers checks the encoding helpers in the page against
// Go's standard library, with the browser's native fast paths and, after
// deleting them, with the fallbacks.
func TestClientEncodingHelpers(t *testing.T) {
	site := startClientSite(t)
	ctx := clientBrowser(t)
	open(t, ctx, site.page("ws://127.0.0.1:9"))
	rng := rand.New(rand.NewPCG(1, 2))
	type vector struct {
		Bytes  []int  `json:"bytes"`
		B64    string `json:"b64"`
		B64URL string `json:"b64url"`
		Hex    string `json:"hex"`
		SHA    string `json:"sha"`
	}
	var vectors []vector
	for _, n := range []int{0, 1, 2, 3, 31, 64, 65, 1000, 0x8000 + 5} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		ints := make([]int, n)
		for i, c := range b {
			ints[i] = int(c)
		}
		sum := sha256.Sum256(b)
		vectors = append(vectors, vector{ints, base64.StdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b), hex.EncodeToString(b), hex.EncodeToString(sum[:])})
	}
	texts := []string{"", "Salom dunyo", "Ўзбекистон Республикаси", "o‘zbek ʼapostrof", "emoji 😀 and \u2028", "\x00nul"}
	type textVector struct {
		Text  string `json:"text"`
		B64   string `json:"b64"`
		Len   int    `json:"len"`
		SHA   string `json:"sha"`
		Runes int    `json:"runes"`
	}
	var tv []textVector
	for _, s := range texts {
		sum := sha256.Sum256([]byte(s))
		tv = append(tv, textVector{s, base64.StdEncoding.EncodeToString([]byte(s)), len(s), hex.EncodeToString(sum[:]), utf8.RuneCountInString(s)})
	}
	vj, _ := json.Marshal(vectors)
	tj, _ := json.Marshal(tv)
	big := 70<<20 + 11 // over the 64 MiB limit: streamed through the JavaScript SHA-256
	bigSum := sha256.Sum256(pattern(big))
	check := `const vectors = ` + string(vj) + `, texts = ` + string(tj) + `
		const bad = []
		const eq = (name, got, want) => { if (got !== want) bad.push(name + ': ' + String(got).slice(0, 60) + ' != ' + String(want).slice(0, 60)) }
		for (const v of vectors) {
			const b = new Uint8Array(v.bytes), n = v.bytes.length
			eq('encodeBase64 ' + n, ek.encodeBase64(b), v.b64)
			eq('encodeBase64 ArrayBuffer ' + n, ek.encodeBase64(b.buffer), v.b64)
			eq('encodeBase64Url ' + n, ek.encodeBase64Url(b), v.b64url)
			eq('decodeBase64 ' + n, ek.bytesToHex(ek.decodeBase64(v.b64)), v.hex)
			eq('decodeBase64 url ' + n, ek.bytesToHex(ek.decodeBase64(v.b64url)), v.hex)
			eq('bytesToHex ' + n, ek.bytesToHex(b), v.hex)
			eq('hexToBytes ' + n, ek.encodeBase64(ek.hexToBytes(v.hex.toUpperCase())), v.b64)
			eq('sha256Hex ' + n, await ek.sha256Hex(b), v.sha)
			eq('sha256Hex Blob ' + n, await ek.sha256Hex(new Blob([b])), v.sha)
			eq('sha256Base64 ' + n, ek.bytesToHex(ek.decodeBase64(await ek.sha256Base64(b))), v.sha)
			eq('byteLength ' + n, ek.byteLength(new Blob([b])), n)
			eq('encodeBase64Async ' + n, await ek.encodeBase64Async(new Blob([b])), v.b64)
		}
		for (const v of texts) {
			eq('encodeBase64 text ' + v.text, ek.encodeBase64(v.text), v.b64)
			eq('decodeBase64Text ' + v.text, ek.decodeBase64Text(v.b64), v.text)
			eq('byteLength ' + v.text, ek.byteLength(v.text), v.len)
			eq('toUint8Array ' + v.text, ek.toUint8Array(v.text).length, v.len)
			eq('sha256Hex ' + v.text, await ek.sha256Hex(v.text), v.sha)
		}
		const view = new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 3)
		eq('toUint8Array view', ek.bytesToHex(ek.toUint8Array(new DataView(view.buffer, 1, 2))), '0203')
		eq('decodeBase64 whitespace', ek.decodeBase64Text(' U2Fs\nb20= '), 'Salom')
		eq('decodeBase64 unpadded', ek.decodeBase64Text('U2Fsb20'), 'Salom')
		for (const [f, arg] of [['decodeBase64', '***'], ['decodeBase64', 'U2Fsb20=='], ['hexToBytes', 'abc'], ['hexToBytes', 'zz'], ['toUint8Array', new Blob([])], ['toUint8Array', 42]]) {
			const o = await outcome((async () => ek[f](arg))())
			if (o.code !== 'BAD_ARGUMENT') bad.push(f + '(' + String(arg) + '): ' + JSON.stringify(o))
		}
		const progress = []
		eq('sha256Hex streamed ` + strconv.Itoa(big) + `', await ek.sha256Hex(patternBlob(` + strconv.Itoa(big) + `), { onProgress: (d, t) => progress.push(d) }), '` + hex.EncodeToString(bigSum[:]) + `')
		eq('progress ends at the size', progress[progress.length - 1], ` + strconv.Itoa(big) + `)
		eq('progress about every 8 MiB', progress.length >= 8 && progress.length <= Math.ceil(` + strconv.Itoa(big) + ` / (8 << 20)) + 1, true)
		eq('progress grows', progress.every((d, i) => i === 0 || d > progress[i - 1]), true)
		const ac = new AbortController()
		const aborted = await outcome(ek.sha256(patternBlob(` + strconv.Itoa(big) + `), { signal: ac.signal, onProgress: () => ac.abort() }))
		eq('abort while streaming', aborted.code, 'ABORTED')
		return bad`
	var failures []string
	mustRun(t, ctx, check, &failures)
	for _, f := range failures {
		t.Error("native: " + f)
	}
	// The fallbacks: no toBase64/toHex/fromBase64/fromHex, no crypto.subtle,
	// no Blob.prototype.stream.
	mustRun(t, ctx, `for (const k of ['toBase64', 'toHex', 'setFromBase64', 'setFromHex']) delete Uint8Array.prototype[k]
		delete Blob.prototype.stream
		for (const k of ['fromBase64', 'fromHex']) delete Uint8Array[k]
		Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true })
		return typeof new Uint8Array(1).toBase64 + typeof crypto.subtle`, nil)
	failures = nil
	mustRun(t, ctx, check, &failures)
	for _, f := range failures {
		t.Error("fallback: " + f)
	}
}

// TestClientOnMobile: platform detection, install's onMobile, the deeplink
// allow-list, result polling and the real mobile QR code.
func TestClientOnMobile(t *testing.T) {
	sim := simtest.Start(t)
	site := startClientSite(t)
	ctx := clientBrowser(t)
	open(t, ctx, site.page(sim.URL))
	ua := func(agent string, touch int) string {
		return `Object.defineProperty(navigator, 'userAgent', { value: ` + jsString(agent) + `, configurable: true })
			Object.defineProperty(navigator, 'maxTouchPoints', { value: ` + strconv.Itoa(touch) + `, configurable: true })
			Object.defineProperty(navigator, 'userAgentData', { value: undefined, configurable: true }); `
	}
	for _, tt := range []struct {
		agent string
		touch int
		want  string
	}{
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131 Mobile Safari/537.36", 5, "android"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", 5, "ios"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15", 5, "ios"}, // iPadOS
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15", 0, "desktop"},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131 Safari/537.36", 0, "desktop"},
	} {
		var got struct {
			Platform string `json:"platform"`
			Mobile   bool   `json:"mobile"`
		}
		mustRun(t, ctx, ua(tt.agent, tt.touch)+`return { platform: ek.getPlatform(), mobile: ek.isMobilePlatform() }`, &got)
		if got.Platform != tt.want || got.Mobile != (tt.want != "desktop") {
			t.Errorf("%.40s (touch %d): %+v, want %s", tt.agent, tt.touch, got, tt.want)
		}
	}

	// install() on a phone: throw (the default), warn, ignore.
	android := ua("Mozilla/5.0 (Linux; Android 14) Mobile", 5)
	if o := run(t, ctx, android+`return ek.createEimzo({ url: `+jsString(sim.URL)+` }).install()`); o.Code != "MOBILE_UNSUPPORTED" || o.ClassName != "EimzoMobileUnsupportedError" {
		t.Errorf("onMobile throw: %q %q", o.Code, o.ClassName)
	}
	var warned []any
	mustRun(t, ctx, android+`const warns = [], warn = console.warn; console.warn = (...a) => warns.push(a.join(' '))
		try {
			await ek.createEimzo({ url: `+jsString(sim.URL)+`, onMobile: 'warn' }).install()
			await ek.createEimzo({ url: `+jsString(sim.URL)+`, onMobile: 'ignore' }).install()
		} finally { console.warn = warn }
		return warns`, &warned)
	if len(warned) != 1 {
		t.Errorf("onMobile warn/ignore warned %d times: %v", len(warned), warned)
	}

	// Deeplinks: https only, the allow-list, the page's own site by default.
	var links map[string]string
	mustRun(t, ctx, `return {
		explicit: ek.buildEimzoMobileDeeplink({ sessionId: 'S1', callbackUrl: 'https://api.mysite.uz/eimzo/cb?x=1', allowedHosts: ['api.mysite.uz'], params: { mode: 'auth' } }),
		wildcard: ek.buildEimzoMobileDeeplink({ sessionId: 'S2', callbackUrl: 'https://a.b.mysite.uz/cb', allowedHosts: ['*.mysite.uz'], baseUrl: 'eimzo://sign' }),
		ownSite: ek.buildEimzoMobileDeeplink({ sessionId: 'S3', callbackUrl: 'https://localhost/cb' }),
	}`, &links)
	if links["explicit"] != "https://e-imzo.uz/mobile-app/sign?sessionId=S1&callbackUrl=https%3A%2F%2Fapi.mysite.uz%2Feimzo%2Fcb%3Fx%3D1&mode=auth" ||
		!strings.HasPrefix(links["wildcard"], "eimzo://sign?sessionId=S2&callbackUrl=https%3A%2F%2Fa.b.mysite.uz%2Fcb") || !strings.Contains(links["ownSite"], "sessionId=S3") {
		t.Errorf("deeplinks: %v", links)
	}
	for _, tt := range []struct{ opts, want string }{
		{`callbackUrl: 'https://mysite.uz.evil.com/cb', allowedHosts: ['mysite.uz']`, "DEEPLINK_HOST_NOT_ALLOWED"},
		{`callbackUrl: 'https://mysite.uz@evil.com/cb', allowedHosts: ['mysite.uz']`, "DEEPLINK_HOST_NOT_ALLOWED"},
		{`callbackUrl: 'https://user:pw@mysite.uz/cb', allowedHosts: ['mysite.uz']`, "DEEPLINK_HOST_NOT_ALLOWED"},
		{`callbackUrl: 'https://mysite.uz/cb', allowedHosts: ['*.mysite.uz']`, "DEEPLINK_HOST_NOT_ALLOWED"},
		{`callbackUrl: 'https://evil.uz/cb'`, "DEEPLINK_HOST_NOT_ALLOWED"},
		{`callbackUrl: 'javascript:alert(1)', allowedHosts: ['mysite.uz']`, "DEEPLINK_CALLBACK_INSECURE"},
		{`callbackUrl: 'not a url', allowedHosts: ['mysite.uz']`, "BAD_ARGUMENT"},
		{`callbackUrl: 'https://mysite.uz/cb', allowedHosts: ['mysite.uz'], params: { sessionId: 'hijack' }`, "BAD_ARGUMENT"},
	} {
		if o := run(t, ctx, `return ek.buildEimzoMobileDeeplink({ sessionId: 'S', `+tt.opts+` })`); o.Code != tt.want {
			t.Errorf("%s: %q, want %s", tt.opts, o.Code, tt.want)
		}
	}

	// Polling: ready on the third attempt; a timeout; an abort; backoff.
	var polled struct {
		Data     string `json:"data"`
		Attempts int    `json:"attempts"`
	}
	mustRun(t, ctx, `let attempts = 0
		const data = await ek.pollMobileResult(async () => (++attempts < 3 ? { ready: false } : { ready: true, data: 'PKCS7' }), { intervalMs: 10, backoff: 2 })
		return { data, attempts }`, &polled)
	if polled.Data != "PKCS7" || polled.Attempts != 3 {
		t.Errorf("poll: %+v", polled)
	}
	if o := run(t, ctx, `return ek.pollMobileResult(async () => ({ ready: false }), { intervalMs: 10, timeoutMs: 60 })`); o.Code != "TIMEOUT" || o.ClassName != "EimzoTimeoutError" {
		t.Errorf("poll timeout: %q", o.Code)
	}
	if o := run(t, ctx, `const ac = new AbortController(); setTimeout(() => ac.abort(), 30)
		return ek.pollMobileResult(async () => ({ ready: false }), { intervalMs: 10, signal: ac.signal })`); o.Code != "ABORTED" {
		t.Errorf("poll abort: %q", o.Code)
	}
	if o := run(t, ctx, `return ek.pollMobileResult(async () => { throw new Error('server down') }, { intervalMs: 10 })`); o.OK || o.Message != "server down" {
		t.Errorf("a failing check: %+v", o)
	}

	// The real E-IMZO mobile QR code (PROTOCOL.md §7 vectors).
	var qr struct {
		Code       string   `json:"code"`
		Hash       string   `json:"hash"`
		HashGroups []string `json:"hashGroups"`
		Deeplink   string   `json:"deeplink"`
		Bytes      string   `json:"bytes"`
	}
	mustRun(t, ctx, `const a = await ek.buildEimzoMobileQrCode({ siteId: '0000', documentId: '2944F1F2', data: 'F8D2181DC6C02EA819B88FF3EF49BE0C' })
		const b = await ek.buildEimzoMobileQrCode({ siteId: '0000', documentId: '850FF727', data: new TextEncoder().encode('Hello, E-IMZO') })
		return { ...a, bytes: b.code }`, &qr)
	const want = "00002944F1F2735ed03ef3aab35ee4bb80c9e94fa787112befa7ff57fe4b9b73a2710398dd7e0404a2e3"
	if qr.Code != want || qr.Hash != want[12:76] || strings.Join(qr.HashGroups, "") != qr.Hash || len(qr.HashGroups) != 4 || qr.Deeplink != "eimzo://sign?qc="+want ||
		qr.Bytes != "0000850FF7275d5ea005a5d742122d6e4a170cc98682400e4e2d501326c5e1a4e643681008d6bae4af74" {
		t.Errorf("QR code: %+v", qr)
	}
	if o := run(t, ctx, `return ek.buildEimzoMobileQrCode({ siteId: 'xyz', documentId: '850FF727', data: 'x' })`); o.Code != "BAD_ARGUMENT" {
		t.Errorf("a bad siteId: %q", o.Code)
	}
}
