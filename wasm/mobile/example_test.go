package mobile_test

import (
	"errors"
	"fmt"

	"github.com/eimzokit/eimzokit/wasm/mobile"
)

func ExampleCode() {
	// siteId, documentId and challange as returned by POST /frontend/mobile/auth.
	code, err := mobile.Code("0000", "2944F1F2", []byte("F8D2181DC6C02EA819B88FF3EF49BE0C"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(code)
	fmt.Println(mobile.Deeplink(code)[:24] + "…")

	_, err = mobile.Code("0", "2944F1F2", nil)
	fmt.Println(errors.Is(err, mobile.ErrSiteID), err)
	// Output:
	// 00002944F1F2735ed03ef3aab35ee4bb80c9e94fa787112befa7ff57fe4b9b73a2710398dd7e0404a2e3
	// eimzo://sign?qc=00002944…
	// true mobile: siteId must be 4 hex digits: got "0"
}
