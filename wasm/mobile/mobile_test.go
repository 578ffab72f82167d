package mobile

import (
	"errors"
	"testing"

	"github.com/eimzokit/eimzokit/wasm/gost94"
)

func TestCode(t *testing.T) {
	tests := []struct {
		name, site, doc, text string
		want                  string
		err                   error
	}{
		{"PROTOCOL §7 auth vector", "0000", "2944F1F2", "F8D2181DC6C02EA819B88FF3EF49BE0C",
			"00002944F1F2735ed03ef3aab35ee4bb80c9e94fa787112befa7ff57fe4b9b73a2710398dd7e0404a2e3", nil},
		{"PROTOCOL §7 text vector", "0000", "850FF727", "Hello, E-IMZO",
			"0000850FF7275d5ea005a5d742122d6e4a170cc98682400e4e2d501326c5e1a4e643681008d6bae4af74", nil},
		{"short siteId", "000", "850FF727", "x", "", ErrSiteID},
		{"non-hex siteId", "00g0", "850FF727", "x", "", ErrSiteID},
		{"empty documentId", "0000", "", "x", "", ErrDocumentID},
		{"long documentId", "0000", "850FF7270", "x", "", ErrDocumentID},
		{"non-hex documentId", "0000", "850FF72Z", "x", "", ErrDocumentID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Code(tc.site, tc.doc, []byte(tc.text))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("code = %s, want %s", got, tc.want)
			}
			if tc.err != nil {
				return
			}
			p, err := Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			if p.SiteID != tc.site || p.DocumentID != tc.doc || p.Digest != gost94.Sum([]byte(tc.text)) {
				t.Fatalf("Parse = %+v", p)
			}
		})
	}
}

func TestParse(t *testing.T) {
	const good = "00002944F1F2735ed03ef3aab35ee4bb80c9e94fa787112befa7ff57fe4b9b73a2710398dd7e0404a2e3"
	tests := []struct {
		name, code string
		err        error
	}{
		{"good", good, nil},
		{"upper-case checksum", good[:76] + "0404A2E3", nil},
		{"short", good[:83], ErrCode},
		{"non-hex", good[:10] + "x" + good[11:], ErrCode},
		{"flipped digest digit", good[:20] + "0" + good[21:], ErrChecksum},
		{"wrong checksum", good[:83] + "4", ErrChecksum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.code); !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestDeeplinkAndFormat(t *testing.T) {
	if got := Deeplink("ab"); got != "eimzo://sign?qc=ab" {
		t.Error(got)
	}
	d := gost94.Sum([]byte("F8D2181DC6C02EA819B88FF3EF49BE0C"))
	const want = "735ed03ef3aab35e e4bb80c9e94fa787 112befa7ff57fe4b 9b73a2710398dd7e"
	if got := FormatDigest(d); got != want {
		t.Errorf("FormatDigest = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("00002944F1F2735ed03ef3aab35ee4bb80c9e94fa787112befa7ff57fe4b9b73a2710398dd7e0404a2e3")
	f.Add("0000850FF7275d5ea005a5d742122d6e4a170cc98682400e4e2d501326c5e1a4e643681008d6bae4af74")
	f.Fuzz(func(t *testing.T, code string) {
		p, err := Parse(code)
		if err != nil {
			return
		}
		again, err := CodeFromDigest(p.SiteID, p.DocumentID, p.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if !equalFold(again, code) && !equalFold(code, again) {
			// Parse accepts any hex case; the rebuilt code differs only in case.
			if len(again) != len(code) {
				t.Fatalf("rebuilt %q from %q", again, code)
			}
		}
	})
}
