package gost_test

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
)

func Example() {
	priv, err := gost.GenerateKey(gost.CurveA(), rand.Reader)
	if err != nil {
		fmt.Println(err)
		return
	}
	digest := gost94.Sum([]byte("hello"))
	sig, err := priv.Sign(rand.Reader, digest[:], nil) // crypto.Signer
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(sig), gost.Verify(priv.PublicKey(), digest[:], sig))

	other := gost94.Sum([]byte("hullo"))
	err = gost.Verify(priv.PublicKey(), other[:], sig)
	fmt.Println(errors.Is(err, gost.ErrVerification))
	// Output:
	// 64 <nil>
	// true
}

func ExampleVerifyAPIKey() {
	const key = "96D0C1491615C82B9A54D9989779DF825B690748224C2B04F500F370D51827CE2644D8D4A82C18184D73AB8530BB8ED537269603F61DB0D03D2104ABF789970B"
	fmt.Println(gost.VerifyAPIKey("localhost", key))
	err := gost.VerifyAPIKey("evil.example", key)
	fmt.Println(errors.Is(err, gost.ErrVerification))
	// Output:
	// <nil>
	// true
}
