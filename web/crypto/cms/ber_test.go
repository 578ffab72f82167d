package cms

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// These rows came with web/crypto/gost's BER converter, which this one replaced.

func h(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// toDER is ToDER for one value that must span all of b.
func toDER(b []byte) ([]byte, error) {
	der, rest, err := ToDER(b)
	if err == nil && len(rest) != 0 {
		return nil, berError("%d bytes of trailing data", len(rest))
	}
	return der, err
}

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "gost", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestToDERTable(t *testing.T) {
	tests := []struct {
		name    string
		in, out string
		err     error
	}{
		{"DER unchanged", "300602010104010a", "300602010104010a", nil},
		{"indefinite sequence", "30800201010000", "3003020101", nil},
		{"nested indefinite", "3080a08002010100000000", "3005a003020101", nil},
		{"chunked octet string", "2480040241420401430000", "0403414243", nil},
		{"definite chunked octet string", "24070402414204014300"[:18], "0403414243", nil},
		{"nested chunks", "2480248004014100000401420000", "04024142", nil},
		{"chunked bit string", "2380030200ff0302040f0000", "030304ff0f", nil},
		{"non-minimal length", "308103020101", "3003020101", nil},
		{"long form, 200 bytes", "0481c8" + string(bytes.Repeat([]byte("00"), 200)), "0481c8" + string(bytes.Repeat([]byte("00"), 200)), nil},
		{"high tag number", "bf8a3b03020101", "bf8a3b03020101", nil},
		{"truncated", "300602010104", "", ErrMalformed},
		{"trailing data", "300000", "", ErrMalformed},
		{"indefinite primitive", "0480414200", "", ErrMalformed},
		{"missing EOC", "3080020101", "", ErrMalformed},
		{"stray EOC", "0000", "", ErrMalformed},
		{"length overflows", "3084ffffffff", "", ErrMalformed},
		{"reserved length", "30ff", "", ErrMalformed},
		{"mixed segment type", "24800201010000", "", ErrMalformed},
		{"bit string unused bits mid-way", "2380030204ff03020000" + "0000", "", ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := toDER(h(tc.in))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err == nil && !bytes.Equal(got, h(tc.out)) {
				t.Fatalf("got %x, want %s", got, tc.out)
			}
		})
	}
}

func TestDeepNesting(t *testing.T) {
	var b []byte
	for range maxDepth + 2 {
		b = append(b, 0x30, 0x80)
	}
	for range maxDepth + 2 {
		b = append(b, 0, 0)
	}
	if _, err := toDER(b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v", err)
	}
}

// TestRealCMSToDER converts the real E-IMZO CMS (BER, indefinite lengths)
// and checks the result is DER that encoding/asn1 accepts, with the content
// flattened, and that converting again changes nothing.
func TestRealCMSToDER(t *testing.T) {
	der, err := toDER(testdata(t, "eimzo-pkcs7-attached-777a2a2b.p7b"))
	if err != nil {
		t.Fatal(err)
	}
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &v); err != nil || len(rest) != 0 {
		t.Fatalf("asn1: %v, rest %d", err, len(rest))
	}
	content := testdata(t, "eimzo-pkcs7-attached-777a2a2b.content.bin")
	if !bytes.Contains(der, append([]byte{0x04, 0x81, byte(len(content))}, content...)) {
		t.Fatal("content is not a single primitive OCTET STRING")
	}
	again, err := toDER(der)
	if err != nil || !bytes.Equal(again, der) {
		t.Fatalf("not idempotent: %v", err)
	}
	for _, f := range []string{"cert-root-575a613a.der", "styx-cms-director.p7b"} {
		b := testdata(t, f)
		if got, err := toDER(b); err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: DER input changed: %v", f, err)
		}
	}
}

func FuzzToDER(f *testing.F) {
	for _, name := range []string{"eimzo-pkcs7-attached-777a2a2b.p7b", "styx-cms-director.p7b", "styx-cms-finance.p7b", "cert-mvd-3935ac8c20665b6cf8d8aa37.der"} {
		f.Add(testdata(f, name))
	}
	f.Add(h("2480248004014100000401420000"))
	f.Fuzz(func(t *testing.T, in []byte) {
		der, rest, err := ToDER(in)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		if len(der)+len(rest) > len(in)+len(in)/2+16 {
			t.Fatalf("output grew from %d to %d", len(in), len(der))
		}
		again, rest2, err := ToDER(der)
		if err != nil || len(rest2) != 0 {
			t.Fatalf("output does not convert again: %v", err)
		}
		if !bytes.Equal(again, der) {
			t.Fatalf("not idempotent:\n%x\n%x", der, again)
		}
	})
}
