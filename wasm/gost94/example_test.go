package gost94_test

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/eimzokit/eimzokit/wasm/gost94"
)

func ExampleSum() {
	d := gost94.Sum([]byte("localhost"))
	fmt.Println(hex.EncodeToString(d[:]))
	// The E-IMZO API key for a domain signs H(H(domain)).
	dd := gost94.Sum(d[:])
	fmt.Println(hex.EncodeToString(dd[:]))
	// Output:
	// d0314bc0e1991131d8736ec10937cdd7c1bdddd5fd3d6e531d9fdfee8246ba81
	// 1854ddae818f9f5a68f92cdf626581df7972db966de7f2d7b0af4c18ad5c328b
}

func ExampleNew() {
	h := gost94.New()
	// Stream a document of any size, e.g. a file or an HTTP body.
	if _, err := io.Copy(h, strings.NewReader("message digest")); err != nil {
		fmt.Println("read:", err)
		return
	}
	fmt.Printf("%x\n", h.Sum(nil))
	// Output: bc6041dd2aa401ebfa6e9886734174febdb4729aa972d60f549ac39b29721ba0
}
