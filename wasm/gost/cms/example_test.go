package cms_test

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/eimzokit/eimzokit/wasm/gost/cert"
	"github.com/eimzokit/eimzokit/wasm/gost/cms"
)

// Example verifies the real E-IMZO message in testdata against the
// national root, at a time inside the certificates' validity, and shows
// what an expired chain reports.
func Example() {
	msg, _ := os.ReadFile("../testdata/eimzo-pkcs7-attached-777a2a2b.p7b")
	rootDER, _ := os.ReadFile("../testdata/cert-root-575a613a.der")
	root, err := cert.Parse(rootDER)
	if err != nil {
		fmt.Println(err)
		return
	}
	sd, err := cms.Parse(msg)
	if err != nil {
		fmt.Println(err)
		return
	}
	signers, err := sd.Verify(cms.VerifyOptions{
		Roots: []*cert.Certificate{root},
		Time:  time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := signers[0]
	fmt.Println(s.Certificate.SerialHex(), s.Certificate.PINFL(), s.SigningTime.Format(time.DateOnly), len(s.Chain))

	_, err = sd.Verify(cms.VerifyOptions{Roots: []*cert.Certificate{root}, Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	fmt.Println(errors.Is(err, cert.ErrExpired))
	// Output:
	// 777a2a2b 31707905590011 2020-07-12 3
	// true
}
