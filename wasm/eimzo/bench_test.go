//go:build !js

package eimzo_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/wasm/eimzo/eimzotest"
)

// Native benchmarks of the core; the browser figures come from the harness
// in e2e/client_bench_test.go. Both are in wasm/README.md.

func BenchmarkListKeys(b *testing.B) {
	c := eimzo.New(eimzo.WithURL(simtest.Start(b).URL))
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.ListKeys(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign1MiB(b *testing.B) {
	c := eimzo.New(eimzo.WithURL(simtest.Start(b).URL))
	ctx := context.Background()
	certs, err := c.ListKeys(ctx)
	if err != nil {
		b.Fatal(err)
	}
	data := eimzo.Bytes(bytes.Repeat([]byte("Ўз"), 1<<19))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := c.Sign(ctx, certs[0], data, eimzo.SignOptions{Detached: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAttachTimestamp(b *testing.B) {
	cms := readFile(b, "eimzo-pkcs7-attached-777a2a2b.p7b")
	sig, _ := hex.DecodeString(realSignature)
	token, err := eimzotest.NewTSA(b, nil).Token(sig)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(cms)))
	for b.Loop() {
		if _, err := eimzo.AttachTimestamp(cms, sig, token); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMobileCode1MiB(b *testing.B) {
	doc := bytes.Repeat([]byte{7}, 1<<20)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, _, err := eimzo.MobileCode("0000", "2944F1F2", doc); err != nil {
			b.Fatal(err)
		}
	}
}
