package eimzo_test

import (
	"testing"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

// TestMobileCode checks the vectors of PROTOCOL.md §7 (computed with the
// vendor's own JavaScript) and the mapping of bad input to BAD_ARGUMENT.
func TestMobileCode(t *testing.T) {
	tests := []struct {
		site, doc, text string
		code            string
		code2           string // error code when the code is empty
	}{
		{site: "0000", doc: "2944F1F2", text: "F8D2181DC6C02EA819B88FF3EF49BE0C",
			code: "00002944F1F2735ed03ef3aab35ee4bb80c9e94fa787112befa7ff57fe4b9b73a2710398dd7e0404a2e3"},
		{site: "0000", doc: "850FF727", text: "Hello, E-IMZO",
			code: "0000850FF7275d5ea005a5d742122d6e4a170cc98682400e4e2d501326c5e1a4e643681008d6bae4af74"},
		{site: "000", doc: "850FF727", text: "x", code2: "BAD_ARGUMENT"},
		{site: "0000", doc: "850FF72G", text: "x", code2: "BAD_ARGUMENT"},
	}
	for _, tt := range tests {
		code, digest, err := eimzo.MobileCode(tt.site, tt.doc, []byte(tt.text))
		if tt.code2 != "" {
			if string(eimzo.CodeOf(err)) != tt.code2 {
				t.Errorf("%s/%s: %v, want %s", tt.site, tt.doc, err, tt.code2)
			}
			continue
		}
		if err != nil || code != tt.code || digest != tt.code[12:76] {
			t.Errorf("MobileCode(%q) = %s, %s, %v; want %s", tt.text, code, digest, err, tt.code)
		}
		if eimzo.MobileDeeplink(code) != "eimzo://sign?qc="+code {
			t.Error("deeplink")
		}
	}
}
