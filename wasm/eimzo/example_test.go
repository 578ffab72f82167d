//go:build !js

package eimzo_test

import (
	"context"
	"fmt"
	"time"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

// Branch on codes, not on messages: the messages are in the client's
// language and may change.
func ExampleCodeOf() {
	c := eimzo.New(eimzo.WithLang(eimzo.LangUZ))
	ctx := context.Background()
	certs, err := c.ListKeys(ctx)
	switch eimzo.CodeOf(err) {
	case "":
		fmt.Println(len(certs), "keys")
	case eimzo.CodeNotInstalled, eimzo.CodeLocalNetworkBlocked:
		fmt.Println(err.(*eimzo.Error).Hint) // what the user can do
	case eimzo.CodeAPIKeyRejected:
		fmt.Println("register this site's domain with the vendor")
	default:
		fmt.Println("E-IMZO:", err)
	}
}

func ExampleMobileCode() {
	code, hash, err := eimzo.MobileCode("0000", "850FF727", []byte("Hello, E-IMZO"))
	if err != nil {
		panic(err)
	}
	fmt.Println(eimzo.MobileDeeplink(code))
	fmt.Println(hash[:16])
	// Output:
	// eimzo://sign?qc=0000850FF7275d5ea005a5d742122d6e4a170cc98682400e4e2d501326c5e1a4e643681008d6bae4af74
	// 5d5ea005a5d74212
}

func ExampleStatusOf() {
	validTo := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	fmt.Printf("%+v %s\n", eimzo.StatusOf(time.Time{}, validTo, now), eimzo.RoleOf("301234567", "412345678", "MCHJ"))
	// Output: {State:expiring DaysLeft:12} legal
}
