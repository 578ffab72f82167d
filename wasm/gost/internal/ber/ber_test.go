package ber

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"os"
	"testing"
)

func h(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestToDER(t *testing.T) {
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
			got, err := ToDER(h(tc.in))
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
	for range MaxDepth + 2 {
		b = append(b, 0x30, 0x80)
	}
	for range MaxDepth + 2 {
		b = append(b, 0, 0)
	}
	if _, err := ToDER(b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v", err)
	}
}

// TestRealCMS converts the real E-IMZO CMS (BER, indefinite lengths) and
// checks the result is DER that encoding/asn1 accepts, with the content
// flattened, and that converting again changes nothing.
func TestRealCMS(t *testing.T) {
	in, err := os.ReadFile("../../testdata/eimzo-pkcs7-attached-777a2a2b.p7b")
	if err != nil {
		t.Fatal(err)
	}
	der, err := ToDER(in)
	if err != nil {
		t.Fatal(err)
	}
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &v); err != nil || len(rest) != 0 {
		t.Fatalf("asn1: %v, rest %d", err, len(rest))
	}
	content, _ := os.ReadFile("../../testdata/eimzo-pkcs7-attached-777a2a2b.content.bin")
	if !bytes.Contains(der, append([]byte{0x04, 0x81, byte(len(content))}, content...)) {
		t.Fatal("content is not a single primitive OCTET STRING")
	}
	again, err := ToDER(der)
	if err != nil || !bytes.Equal(again, der) {
		t.Fatalf("not idempotent: %v", err)
	}
	for _, f := range []string{"cert-root-575a613a.der", "styx-cms-director.p7b"} {
		b, _ := os.ReadFile("../../testdata/" + f)
		if got, err := ToDER(b); err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: DER input changed: %v", f, err)
		}
	}
}

func FuzzToDER(f *testing.F) {
	for _, name := range []string{"eimzo-pkcs7-attached-777a2a2b.p7b", "styx-cms-director.p7b", "styx-cms-finance.p7b", "cert-mvd-3935ac8c20665b6cf8d8aa37.der"} {
		b, err := os.ReadFile("../../testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(h("2480248004014100000401420000"))
	f.Fuzz(func(t *testing.T, in []byte) {
		der, err := ToDER(in)
		if err != nil {
			return
		}
		again, err := ToDER(der)
		if err != nil {
			t.Fatalf("output does not convert again: %v", err)
		}
		if !bytes.Equal(again, der) {
			t.Fatalf("not idempotent:\n%x\n%x", der, again)
		}
	})
}
