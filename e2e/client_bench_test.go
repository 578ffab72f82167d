package e2e

// The browser benchmark harness of the client: headless Chromium against
// daemon-sim, eimzokit side by side with a plain-JS baseline that does what
// the official scripts do (e2e/testdata/client/baseline.js). Times are
// measured in the page (performance.now) and reported as metrics; nothing
// is asserted about them. Run:
//
//	go test ./e2e -run '^$' -bench Client -benchtime 3x
//	go test ./e2e -run '^$' -bench 'ClientSignHash/1GiB' -benchtime 1x
//
// Figures are in wasm/README.md.

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
)

// benchBrowser starts Chromium with a user data folder the harness knows,
// so it can find the browser's processes and sample their memory.
func benchBrowser(b *testing.B) (context.Context, string) {
	dir := b.TempDir()
	return clientBrowser(b, chromedp.UserDataDir(dir)), dir
}

// rssMiB is the resident memory of every process of the browser that uses
// dir, in MiB (Linux /proc).
func rssMiB(dir string) float64 {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	total := 0.0
	for _, p := range procs {
		cmd, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(cmd), "--user-data-dir="+dir) {
			continue
		}
		status, err := os.ReadFile(filepath.Join(filepath.Dir(p), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				total += kb / 1024
			}
		}
	}
	return total
}

// peakRSS samples rssMiB every 50 ms while fn runs and returns the peak
// above what it was before.
func peakRSS(dir string, fn func()) float64 {
	before := rssMiB(dir)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v := uint64(rssMiB(dir)); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return float64(peak.Load()) - before
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// pageMs evaluates body (which returns milliseconds measured in the page).
func pageMs(b *testing.B, ctx context.Context, body string) float64 {
	var ms float64
	mustRun(b, ctx, body, &ms)
	return ms
}

func BenchmarkClientColdFirstSignature(b *testing.B) {
	sim := simtest.Start(b)
	site := startClientSite(b)
	for _, side := range []struct{ name, page string }{{"eimzokit", "bench.html"}, {"baseline", "bench-baseline.html"}} {
		b.Run(side.name, func(b *testing.B) {
			ctx, _ := benchBrowser(b)
			var times []float64
			for i := 0; i < b.N; i++ {
				// A fresh page each time; the site sends no-store, so the
				// module and the .wasm are fetched and compiled again.
				if err := chromedp.Do(ctx, chromedp.Navigate(site.URL+"/client/"+side.page+"?daemon="+sim.URL)); err != nil {
					b.Fatal(err)
				}
				ms, err := chromedp.Run(ctx, chromedp.Poll[float64](`window.result && window.result.ms`, chromedp.WithPollingTimeout(60*time.Second)))
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, ms)
			}
			b.ReportMetric(median(times), "page-ms")
		})
	}
}

func BenchmarkClientSign32MiB(b *testing.B) {
	sim := simtest.Start(b)
	site := startClientSite(b)
	const n = 32 << 20
	for _, side := range []struct{ name, sign string }{
		{"eimzokit", `(await window.c.sign(window.k, data, { detached: true })).pkcs7`},
		{"baseline", `await baseline.signBytes(window.url, window.bk, data, true)`},
	} {
		b.Run(side.name, func(b *testing.B) {
			ctx, dir := benchBrowser(b)
			open(b, ctx, site.page(sim.URL))
			mustRun(b, ctx, `window.url = `+jsString(sim.URL)+`; window.c = ek.createEimzo({ url: window.url }); await c.install()
				window.k = (await c.listKeys())[0]; window.bk = (await baseline.listKeys(window.url))[0]`, nil)
			var times []float64
			var rss float64
			for i := 0; i < b.N; i++ {
				rss = max(rss, peakRSS(dir, func() {
					times = append(times, pageMs(b, ctx, `const data = new Uint8Array(`+strconv.Itoa(n)+`); crypto.getRandomValues(data.subarray(0, 65536))
						const t0 = performance.now(); const p = `+side.sign+`; if (!p) throw new Error('no pkcs7'); return performance.now() - t0`))
				}))
			}
			b.ReportMetric(median(times), "page-ms")
			b.ReportMetric(rss, "peak-rss-MiB")
		})
	}
}

func BenchmarkClientSignHash(b *testing.B) {
	sim := simtest.Start(b)
	site := startClientSite(b)
	for _, size := range []struct {
		name string
		n    int
	}{{"32MiB", 32 << 20}, {"1GiB", 1 << 30}} {
		for _, side := range []struct{ name, sign string }{
			{"eimzokit", `await window.c.signHash(window.k, blob)`},
			{"baseline", `await baseline.signHash(window.url, window.bk, blob)`},
		} {
			b.Run(size.name+"/"+side.name, func(b *testing.B) {
				ctx, dir := benchBrowser(b)
				open(b, ctx, site.page(sim.URL))
				// A File from the disk, as a user picks it: Chromium keeps a
				// Blob built in the page in its blob storage, which refuses
				// 1 GiB.
				if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{patternFile(b, size.n)})); err != nil {
					b.Fatal(err)
				}
				mustRun(b, ctx, `window.url = `+jsString(sim.URL)+`; window.c = ek.createEimzo({ url: window.url }); await c.install()
					window.k = (await c.listKeys())[0]; window.bk = (await baseline.listKeys(window.url))[0]
					window.blob = document.getElementById('file').files[0]
					if (blob.size !== `+strconv.Itoa(size.n)+`) throw new Error('file size ' + blob.size)`, nil)
				var times, hashTimes []float64
				var rss float64
				for i := 0; i < b.N; i++ {
					rss = max(rss, peakRSS(dir, func() {
						times = append(times, pageMs(b, ctx, `const t0 = performance.now(); const r = `+side.sign+`; if (r.hash.length !== 32) throw new Error('hash'); return performance.now() - t0`))
					}))
					if side.name == "eimzokit" {
						hashTimes = append(hashTimes, pageMs(b, ctx, `const t0 = performance.now(); await ek.sha256(window.blob); return performance.now() - t0`))
					}
				}
				ms := median(times)
				b.ReportMetric(ms, "page-ms")
				b.ReportMetric(float64(size.n)/(1<<20)/(ms/1000), "MiB/s")
				b.ReportMetric(rss, "peak-rss-MiB")
				if hashTimes != nil {
					b.ReportMetric(median(hashTimes), "hash-ms")
				}
			})
		}
	}
}

func BenchmarkClientPerCall(b *testing.B) {
	sim := simtest.Start(b)
	site := startClientSite(b)
	for _, side := range []struct{ name, call string }{
		{"eimzokit", `await window.c.install()`}, // one version call
		{"baseline", `await baseline.version(window.url)`},
	} {
		b.Run(side.name, func(b *testing.B) {
			ctx, _ := benchBrowser(b)
			open(b, ctx, site.page(sim.URL))
			mustRun(b, ctx, `window.url = `+jsString(sim.URL)+`; window.c = ek.createEimzo({ url: window.url }); await c.install(); await c.listKeys()`, nil)
			var times []float64
			for i := 0; i < b.N; i++ {
				times = append(times, pageMs(b, ctx, `const t0 = performance.now(); for (let i = 0; i < 50; i++) `+side.call+`; return (performance.now() - t0) / 50`))
			}
			b.ReportMetric(median(times), "page-ms/call")
		})
	}
}

// patternFiles caches the benchmark's files: writing 1 GiB takes a while.
var patternFiles sync.Map

// patternFile writes n bytes of the page's patternBlob pattern to a file.
func patternFile(b *testing.B, n int) string {
	if p, ok := patternFiles.Load(n); ok {
		return p.(string)
	}
	f, err := os.CreateTemp("", "eimzokit-bench-*.bin")
	if err != nil {
		b.Fatal(err)
	}
	piece := pattern(1 << 20)
	for left := n; left > 0; left -= len(piece) {
		if _, err := f.Write(piece[:min(left, len(piece))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	patternFiles.Store(n, f.Name())
	return f.Name()
}

// TestMain removes the benchmark's files.
func TestMain(m *testing.M) {
	code := m.Run()
	patternFiles.Range(func(_, p any) bool { os.Remove(p.(string)); return true })
	os.Exit(code)
}

// BenchmarkClientHashParts splits signHash's streaming path into its two
// costs: reading a 1 GiB File with Blob.stream() (as the client does), and
// the JavaScript SHA-256 over 256 MiB in memory
// (crypto.subtle is hidden so that sha256() takes the JavaScript path).
func BenchmarkClientHashParts(b *testing.B) {
	site := startClientSite(b)
	ctx, _ := benchBrowser(b)
	open(b, ctx, site.page("ws://127.0.0.1:9"))
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{patternFile(b, 1<<30)})); err != nil {
		b.Fatal(err)
	}
	mustRun(b, ctx, `window.mem = new Uint8Array(256 << 20); for (let i = 0; i < mem.length; i += 4096) mem[i] = i
		Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true })
		await ek.sha256(mem.subarray(0, 16 << 20))`, nil)
	var read, hash []float64
	for i := 0; i < b.N; i++ {
		read = append(read, pageMs(b, ctx, `const f = document.getElementById('file').files[0]
			const t0 = performance.now(), rd = f.stream().getReader()
			let n = 0
			for (;;) { const { done, value } = await rd.read(); if (done) break; n += value.length }
			if (n !== f.size) throw new Error('read ' + n)
			return performance.now() - t0`))
		hash = append(hash, pageMs(b, ctx, `const t0 = performance.now(); await ek.sha256(window.mem); return performance.now() - t0`))
	}
	b.ReportMetric(1024/(median(read)/1000), "read-MiB/s")
	b.ReportMetric(256/(median(hash)/1000), "js-sha256-MiB/s")
}
