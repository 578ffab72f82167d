package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	dsim "github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/eimzo/eimzotest"
	"github.com/smallstep/pkcs7"
)

// checkCMS parses a base64 CMS, checks it against the simulator's root
// and returns it; detached content is supplied.
func checkCMS(t *testing.T, sim *simtest.Sim, b64 string, detached []byte) *pkcs7.PKCS7 {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("pkcs7 is not base64: %v", err)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		t.Fatalf("pkcs7: %v", err)
	}
	if detached != nil {
		if len(p7.Content) != 0 {
			t.Error("a detached CMS carries content")
		}
		p7.Content = detached
	}
	if err := p7.VerifyWithChain(sim.Data.Roots()); err != nil {
		t.Errorf("the CMS does not verify: %v", err)
	}
	return p7
}

type signResult struct {
	PKCS7              string `json:"pkcs7"`
	SignerSerialNumber string `json:"signerSerialNumber"`
	SignatureHex       string `json:"signatureHex"`
}

type pageCert struct {
	Type             string  `json:"type"`
	Disk             string  `json:"disk"`
	Name             string  `json:"name"`
	Alias            string  `json:"alias"`
	SerialNumber     string  `json:"serialNumber"`
	ValidFrom        *string `json:"validFrom"`
	ValidTo          *string `json:"validTo"`
	CN               string  `json:"CN"`
	TIN              string  `json:"TIN"`
	PINFL            string  `json:"PINFL"`
	IsLegalEntity    bool    `json:"isLegalEntity"`
	IsPhysicalPerson bool    `json:"isPhysicalPerson"`
	IsYATT           bool    `json:"isYATT"`
	Role             string  `json:"role"`
	Status           string  `json:"status"`
}

// TestClientAPIInThePage calls every method of EimzoClient through the real
// page, against daemon-sim with an ID card plugged in, and checks each CMS
// in Go against the simulator's root.
func TestClientAPIInThePage(t *testing.T) {
	sim := simtest.Start(t)
	sim.Plug(dsim.DeviceSpec{Kind: softtoken.IDCard})
	site := startClientSite(t)
	ctx := clientBrowser(t)
	open(t, ctx, site.page(sim.URL))
	setup := `const c = window.c ??= ek.createEimzo({ url: new URLSearchParams(location.search).get('daemon') }); `

	var version struct {
		Version string `json:"version"`
		Major   int    `json:"major"`
		Prop    string `json:"prop"`
	}
	mustRun(t, ctx, setup+`const v = await c.install(); return { ...v, prop: c.version.version }`, &version)
	if version.Version != "6.4.7" || version.Major != 6 || version.Prop != "6.4.7" {
		t.Errorf("install: %+v", version)
	}

	// A close with 4000 after the reply (PROTOCOL.md §1.2): the reply counts.
	sim.Fault(dsim.Fault{Kind: dsim.FaultClose, Code: 4000, After: true, Function: "version", Times: 1})
	mustRun(t, ctx, setup+`return (await c.install()).version`, nil)

	var certs []pageCert
	mustRun(t, ctx, setup+`const cs = await c.listKeys(); window.certs = cs
		return cs.map(x => ({ ...x, role: ek.getCertificateRole(x), status: ek.getCertificateStatus(x).status, validToIsDate: x.validTo instanceof Date }))`, &certs)
	if len(certs) != 6 {
		t.Fatalf("listKeys: %d", len(certs))
	}
	statuses := map[string]int{}
	for _, c := range certs {
		statuses[c.Status]++
	}
	if statuses["expired"] != 1 || statuses["active"] != 5 {
		t.Errorf("statuses %v: the simulator has one expired key", statuses)
	}
	for _, c := range certs {
		if c.Type != "pfx" || c.CN == "" || c.PINFL == "" || c.ValidTo == nil || c.SerialNumber != strings.ToUpper(c.SerialNumber) {
			t.Errorf("certificate %+v", c)
		}
		if c.IsLegalEntity != (c.Role == "legal") || c.IsYATT != (c.Role == "yatt") || c.IsPhysicalPerson == c.IsLegalEntity {
			t.Errorf("%s: flags from Go and role from TypeScript disagree: %+v", c.CN, c)
		}
	}

	t.Run("sign every kind of input", func(t *testing.T) {
		text := "Hujjat: Ўзбекистон Республикаси, o‘zbek ʼ ✓ 😀"
		tests := []struct {
			name, data, opts string
			content          []byte
			detached         bool
		}{
			{"string", jsString(text), "{}", []byte(text), false},
			{"string, detached", jsString(text), "{ detached: true }", []byte(text), true},
			{"ArrayBuffer", "new Uint8Array([0, 1, 2, 255]).buffer", "{}", []byte{0, 1, 2, 255}, false},
			{"a Uint8Array window", "new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 4)", "{}", []byte{8, 7, 6}, false},
			{"DataView", "new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 2, 2)", "{}", []byte{3, 4}, false},
			{"Uint16Array", "new Uint16Array([0x0201, 0x0403])", "{}", []byte{1, 2, 3, 4}, false},
			{"Blob", "new Blob([" + jsString(text) + "])", "{}", []byte(text), false},
			{"File", "new File(['file body'], 'a.txt')", "{ detached: true }", []byte("file body"), true},
			{"isBase64", jsString(base64.StdEncoding.EncodeToString([]byte(text))), "{ isBase64: true }", []byte(text), false},
		}
		for _, tt := range tests {
			var res signResult
			mustRun(t, ctx, setup+`return await c.sign(window.certs[0], `+tt.data+`, `+tt.opts+`)`, &res)
			var det []byte
			if tt.detached {
				det = tt.content
			}
			p7 := checkCMS(t, sim, res.PKCS7, det)
			if !bytes.Equal(p7.Content, tt.content) {
				t.Errorf("%s: signed %q, want %q", tt.name, p7.Content, tt.content)
			}
			if !strings.EqualFold(res.SignerSerialNumber, certs[0].SerialNumber) || res.SignatureHex != hex.EncodeToString(p7.Signers[0].EncryptedDigest) {
				t.Errorf("%s: serial %s, signature %.16s…", tt.name, res.SignerSerialNumber, res.SignatureHex)
			}
		}
	})

	t.Run("loadKey, getCertificateChain, signWithSerial, authenticate", func(t *testing.T) {
		var h struct {
			ID    string   `json:"id"`
			Same  bool     `json:"same"`
			Chain []string `json:"chain"`
		}
		mustRun(t, ctx, setup+`const h = await c.loadKey(window.certs[1], { verify: true })
			return { id: h.id, same: h.cert === window.certs[1], chain: await c.getCertificateChain(h) }`, &h)
		if h.ID == "" || !h.Same || len(h.Chain) != 3 {
			t.Fatalf("loadKey/chain: %+v", h)
		}
		if root, _ := base64.StdEncoding.DecodeString(h.Chain[2]); !bytes.Equal(root, sim.Data.PKI.Root.Raw) {
			t.Error("the chain does not end at the simulator's root")
		}
		asked := false
		for _, e := range sim.Events() {
			asked = asked || e.Function == "verify_password"
		}
		if !asked {
			t.Error("loadKey({verify: true}) did not ask for the password")
		}
		var res signResult
		mustRun(t, ctx, setup+`return await c.signWithSerial('00' + window.certs[2].serialNumber.toLowerCase(), 'by serial')`, &res)
		if !strings.EqualFold(res.SignerSerialNumber, certs[2].SerialNumber) {
			t.Errorf("signWithSerial used %s", res.SignerSerialNumber)
		}
		var p7 string
		mustRun(t, ctx, setup+`return await c.authenticate('login-challenge-Ўз', window.certs[3])`, &p7)
		if cms := checkCMS(t, sim, p7, nil); string(cms.Content) != "login-challenge-Ўз" {
			t.Errorf("authenticate signed %q", cms.Content)
		}
	})

	t.Run("signHash", func(t *testing.T) {
		for _, n := range []int{5 << 20, 65<<20 + 3} { // whole (crypto.subtle) and streamed (JavaScript SHA-256)
			var res struct {
				PKCS7    string `json:"pkcs7"`
				Hash     string `json:"hash"`
				Progress []int  `json:"progress"`
			}
			mustRun(t, ctx, setup+`const progress = []
				const r = await c.signHash(window.certs[0], patternBlob(`+strconv.Itoa(n)+`), { onProgress: (done, total) => progress.push(done, total) })
				return { pkcs7: r.pkcs7, hash: ek.bytesToHex(r.hash), progress: progress.slice(-2) }`, &res)
			sum := sha256.Sum256(pattern(n))
			if res.Hash != hex.EncodeToString(sum[:]) {
				t.Fatalf("%d bytes: hash %s, want %x", n, res.Hash, sum)
			}
			checkCMS(t, sim, res.PKCS7, sum[:])
			if len(res.Progress) != 2 || res.Progress[0] != n || res.Progress[1] != n {
				t.Errorf("%d bytes: last progress %v", n, res.Progress)
			}
		}
	})

	t.Run("devices", func(t *testing.T) {
		var got struct {
			IDCard, BAIK, CKC bool
			Sign              signResult
			Auth              string
		}
		mustRun(t, ctx, setup+`return { IDCard: await c.isIdCardConnected(), BAIK: await c.isBaikConnected(), CKC: await c.isCkcConnected(),
			Sign: await c.signWithIdCard('card data', { detached: true }), Auth: await c.authenticateWithCkc('device challenge') }`, &got)
		if !got.IDCard || got.BAIK || !got.CKC {
			t.Errorf("connected: %+v", got)
		}
		checkCMS(t, sim, got.Sign.PKCS7, []byte("card data"))
		if p7 := checkCMS(t, sim, got.Auth, nil); string(p7.Content) != "device challenge" {
			t.Errorf("authenticateWithCkc signed %q", p7.Content)
		}
		if o := run(t, ctx, setup+`return await c.signWithBaik('x')`); o.OK || o.Code != "DEVICE_NOT_FOUND" {
			t.Errorf("signWithBaik without a token: ok %v, code %q", o.OK, o.Code)
		}
	})

	t.Run("without the browser's native base64", func(t *testing.T) {
		// Older browsers: the module falls back to btoa in pieces, called
		// through the npm package's proxy of the global object.
		var res signResult
		mustRun(t, ctx, setup+`const saved = Uint8Array.prototype.toBase64
			delete Uint8Array.prototype.toBase64
			try { return await c.sign(window.certs[0], patternBlob(100000)) } finally { Uint8Array.prototype.toBase64 = saved }`, &res)
		if p7 := checkCMS(t, sim, res.PKCS7, nil); !bytes.Equal(p7.Content, pattern(100000)) {
			t.Error("signed other bytes")
		}
	})

	t.Run("timestamp on a v6 daemon", func(t *testing.T) {
		var res signResult
		mustRun(t, ctx, setup+`return await c.sign(window.certs[1], 'with a timestamp', {
			timestamp: async (hex) => (await fetch('/tsa', { method: 'POST', body: hex })).text() })`, &res)
		p7 := checkCMS(t, sim, res.PKCS7, nil)
		checkToken(t, p7)
		opensslPrintsTimestamp(t, res.PKCS7)
	})
}

var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// checkToken checks that the CMS's signer carries a valid RFC 3161 token
// over its signature.
func checkToken(t *testing.T, p7 *pkcs7.PKCS7) {
	t.Helper()
	for _, a := range p7.Signers[0].UnauthenticatedAttributes {
		if !a.Type.Equal(oidTimeStampToken) {
			continue
		}
		ts, err := eimzotest.ParseToken(a.Value.Bytes)
		if err != nil {
			t.Fatalf("the token: %v", err)
		}
		sum := sha256.Sum256(p7.Signers[0].EncryptedDigest)
		if !bytes.Equal(ts.HashedMessage, sum[:]) {
			t.Error("the token is not over the signature")
		}
		return
	}
	t.Fatal("no timestamp token in the CMS")
}

// TestClientTimestampOnV5 runs the timestamp callback against the
// simulator's v5 profile, which attaches the token itself
// (attach_timestamp_token_pkcs7) and needs the page's API key.
func TestClientTimestampOnV5(t *testing.T) {
	sim := simtest.Start(t, simtest.WithV5())
	site := startClientSite(t)
	ctx := clientBrowser(t)
	open(t, ctx, site.page(sim.URL))
	var res signResult
	mustRun(t, ctx, `const c = ek.createEimzo({ url: `+jsString(sim.URL)+`, apiKeys: { localhost: `+jsString(dsim.PublishedKeys["localhost"])+` } })
		const v = await c.install()
		if (v.version !== '5.20') throw new Error('version ' + v.version)
		const [cert] = await c.listKeys()
		return await c.sign(cert, 'v5', { timestamp: (hex) => fetch('/tsa', { method: 'POST', body: hex }).then(r => r.text()) })`, &res)
	attached := false
	for _, e := range sim.Events() {
		attached = attached || e.Function == "attach_timestamp_token_pkcs7"
	}
	if !attached {
		t.Fatal("the client did not ask the v5 daemon to attach the token")
	}
	checkToken(t, checkCMS(t, sim, res.PKCS7, nil))
}

// pattern is what the page's patternBlob(n) holds.
func pattern(n int) []byte {
	piece := make([]byte, min(n, 1<<20))
	for i := range piece {
		piece[i] = byte(i*31 + 7)
	}
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, piece[:min(len(piece), n-len(out))]...)
	}
	return out
}

// opensslPrintsTimestamp checks that OpenSSL parses the CMS and shows its
// timestamp attribute.
func opensslPrintsTimestamp(t *testing.T, b64 string) {
	t.Helper()
	der, _ := base64.StdEncoding.DecodeString(b64)
	f := filepath.Join(t.TempDir(), "ts.der")
	if err := os.WriteFile(f, der, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", f).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "id-smime-aa-timeStampToken") {
		t.Errorf("openssl cms -cmsout -print: %v\n%.400s", err, out)
	}
}
