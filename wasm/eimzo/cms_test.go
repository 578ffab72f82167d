//go:build !js

package eimzo_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/wasm/eimzo/eimzotest"
	"github.com/smallstep/pkcs7"
)

// The signature of the real E-IMZO CMS in testdata (its README).
const realSignature = "efc303f9188863dd0a185741a9cb53fa16aff5d9a6bb2f59d6465f1649e119d63fc343614867cbcbda50aa9587e7d8b3187496ed9ee6d466321171d9d54cfc1c"

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAttachTimestampToARealEIMZOCMS attaches tokens to a CMS the real
// daemon made (BER, indefinite lengths, GOST): the signed parts stay byte
// for byte, the result parses (OpenSSL and Go) and carries the token.
func TestAttachTimestampToARealEIMZOCMS(t *testing.T) {
	cms := readFile(t, "eimzo-pkcs7-attached-777a2a2b.p7b")
	sig, err := eimzo.SignatureOf(cms)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(sig) != realSignature {
		t.Fatalf("SignatureOf = %x", sig)
	}
	tsa := eimzotest.NewTSA(t, nil)
	token, err := tsa.Token(sig)
	if err != nil {
		t.Fatal(err)
	}
	out, err := eimzo.AttachTimestamp(cms, sig, token)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, token) {
		t.Error("the token is not in the result")
	}
	// Everything the signature covers is copied unchanged: the content, and
	// the SignerInfo from its signed attributes up to the signature's OCTET
	// STRING header (offsets 5413 and 5537 in `openssl asn1parse -inform
	// DER` of the file).
	content := readFile(t, "eimzo-pkcs7-attached-777a2a2b.content.bin")
	if !bytes.Contains(out, content) {
		t.Error("the content changed")
	}
	signed := cms[5413 : bytes.Index(cms, sig)-2]
	if signed[0] != 0xa0 || len(signed) != 5537-5413 {
		t.Fatalf("the testdata changed: % x…", signed[:4])
	}
	if len(signed) < 64 || !bytes.Contains(out, signed) {
		t.Errorf("the signed attributes (%d bytes) changed", len(signed))
	}
	if got, err := eimzo.SignatureOf(out); err != nil || !bytes.Equal(got, sig) {
		t.Errorf("the signature after attaching: %x, %v", got, err)
	}
	p7, err := pkcs7.Parse(out)
	if err != nil {
		t.Fatalf("Go cannot parse the result: %v", err)
	}
	if !bytes.Equal(p7.Content, content) || len(p7.Certificates) != 3 {
		t.Errorf("content %d bytes, %d certificates", len(p7.Content), len(p7.Certificates))
	}
	if _, err := eimzotest.ParseToken(timestampAttribute(t, p7)); err != nil {
		t.Errorf("the attribute holds no valid token: %v", err)
	}
	opensslPrints(t, out, "id-smime-aa-timeStampToken")

	// A second token: both are there, in DER SET OF order.
	token2, _ := tsa.Token(sig)
	out2, err := eimzo.AttachTimestamp(out, sig, token2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out2, token) || !bytes.Contains(out2, token2) {
		t.Error("attaching twice lost a token")
	}
	if p7, err = pkcs7.Parse(out2); err != nil || len(p7.Signers[0].UnauthenticatedAttributes) != 2 {
		t.Errorf("after two tokens: %v", err)
	}
}

// opensslPrints checks that `openssl cms -cmsout -print` parses der and
// shows want; it returns the file it wrote der to.
func opensslPrints(t *testing.T, der []byte, want string) string {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl")
	}
	f := filepath.Join(t.TempDir(), "cms.der")
	if err := os.WriteFile(f, der, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", f).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cms -cmsout -print: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), want) {
		t.Errorf("openssl's print has no %q", want)
	}
	return f
}

func TestAttachTimestampRefuses(t *testing.T) {
	cms := readFile(t, "eimzo-pkcs7-attached-777a2a2b.p7b")
	sig, _ := hex.DecodeString(realSignature)
	token, err := eimzotest.NewTSA(t, nil).Token(sig)
	if err != nil {
		t.Fatal(err)
	}
	other := bytes.Clone(sig)
	other[0] ^= 1
	tests := []struct {
		name            string
		cms, sig, token []byte
	}{
		{"empty", nil, sig, token},
		{"truncated", cms[:len(cms)-3], sig, token},
		{"trailing bytes", append(bytes.Clone(cms), 0), sig, token},
		{"not SignedData", []byte{0x30, 0x03, 0x06, 0x01, 0x00}, sig, token},
		{"no signer with that signature", cms, other, token},
		{"a token that is not a CMS", cms, sig, []byte{0x04, 0x01, 0x00}},
		{"nested too deeply", bytes.Repeat([]byte{0x30, 0x80}, 64), sig, token},
		{"a length past the end", []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}, sig, token},
	}
	for _, tt := range tests {
		if out, err := eimzo.AttachTimestamp(tt.cms, tt.sig, tt.token); err == nil {
			t.Errorf("%s: accepted (%d bytes)", tt.name, len(out))
		}
	}
}

// FuzzAttachTimestamp: no input makes the walker panic, and whatever it
// accepts comes out as a CMS that still has the same signature and the
// token.
func FuzzAttachTimestamp(f *testing.F) {
	cms := readFile(f, "eimzo-pkcs7-attached-777a2a2b.p7b")
	f.Add(cms, []byte{})
	f.Add(cms[:100], []byte{1})
	f.Add([]byte{0x30, 0x80, 0x00, 0x00}, []byte{})
	sig, _ := hex.DecodeString(realSignature)
	token, err := eimzotest.NewTSA(f, nil).Token(sig)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, cms, sig []byte) {
		before, _ := eimzo.SignatureOf(cms)
		out, err := eimzo.AttachTimestamp(cms, sig, token)
		if err != nil {
			return
		}
		after, err := eimzo.SignatureOf(out)
		if err != nil {
			t.Fatalf("the result does not parse: %v", err)
		}
		if len(sig) > 0 && !bytes.Equal(before, after) && !bytes.Contains(out, sig) {
			t.Fatal("the signature changed")
		}
		if !bytes.Contains(out, token) {
			t.Fatal("the token is missing")
		}
	})
}
