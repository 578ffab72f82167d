package hexstr

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func TestAgreesWithEncodingHex(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	if got, want := Encode(all), hex.EncodeToString(all); got != want {
		t.Fatalf("Encode = %s, want %s", got, want)
	}
	for _, s := range []string{hex.EncodeToString(all), "ABCDEF0123", ""} {
		got, err := Decode(s)
		want, _ := hex.DecodeString(s)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Decode(%q) = %x, %v; want %x", s, got, err, want)
		}
	}
	for _, bad := range []string{"a", "0g", "zz", " 0"} {
		if _, err := Decode(bad); err != ErrSyntax {
			t.Errorf("Decode(%q) = %v, want ErrSyntax", bad, err)
		}
	}
	if !Valid("00aF", 4) || Valid("00aF", 2) || Valid("00ag", 4) {
		t.Error("Valid")
	}
}
