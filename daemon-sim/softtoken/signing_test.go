package softtoken_test

import (
	"context"
	"crypto"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
)

func TestParseSigning(t *testing.T) {
	tests := []struct {
		in   string
		want softtoken.Signing
		text string // String(); "" when ParseSigning refuses in
	}{
		{"", softtoken.Signing{}, "sha256"},
		{"sha256", softtoken.Signing{}, "sha256"},
		{"SHA384", softtoken.Signing{Hash: crypto.SHA384}, "sha384"},
		{"sha512", softtoken.Signing{Hash: crypto.SHA512}, "sha512"},
		{"pss-sha256", softtoken.Signing{PSS: true}, "pss-sha256"},
		{"pss-sha384", softtoken.Signing{Hash: crypto.SHA384, PSS: true}, "pss-sha384"},
		{"pss-sha512", softtoken.Signing{Hash: crypto.SHA512, PSS: true}, "pss-sha512"},
		{"sha1", softtoken.Signing{}, ""},
		{"pss-", softtoken.Signing{}, ""},
		{"pss", softtoken.Signing{}, ""},
		{"md5", softtoken.Signing{}, ""},
	}
	for _, tt := range tests {
		got, err := softtoken.ParseSigning(tt.in)
		if tt.text == "" {
			if err == nil {
				t.Errorf("ParseSigning(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want || got.String() != tt.text {
			t.Errorf("ParseSigning(%q) = %+v (%s), %v; want %+v (%s)", tt.in, got, got, err, tt.want, tt.text)
		}
	}
	var v struct{ S softtoken.Signing }
	if err := json.Unmarshal([]byte(`{"S":"pss-sha512"}`), &v); err != nil || v.S != (softtoken.Signing{Hash: crypto.SHA512, PSS: true}) {
		t.Errorf("JSON: %+v %v", v.S, err)
	}
	if err := json.Unmarshal([]byte(`{"S":"sha1"}`), &v); err == nil {
		t.Error("JSON took sha1")
	}
}

func TestSigningCheck(t *testing.T) {
	p, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	rsaID, err := p.Issue(testpki.Physical, testpki.RSA2048, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, ids := identities(t)
	ec := ids[0]
	tests := []struct {
		key     crypto.PublicKey
		signing string
		ok      bool
	}{
		{rsaID.Key.Public(), "pss-sha384", true},
		{rsaID.Key.Public(), "sha512", true},
		{ec.Key.Public(), "sha384", true},
		{ec.Key.Public(), "pss-sha256", false},
		{nil, "", true}, // a GOST certificate's key, as crypto/x509 sees it
		{nil, "sha384", false},
	}
	for _, tt := range tests {
		sg, _ := softtoken.ParseSigning(tt.signing)
		if err := sg.Check(tt.key); (err == nil) != tt.ok {
			t.Errorf("%T %s: %v, want ok=%v", tt.key, tt.signing, err, tt.ok)
		}
	}
}

// TestSigningPersists: a key's signing is written to signing.json, read
// again by another store on the folder, applied to an unlocked key id when
// changed, and a bad entry makes the scan skip the key, saying why.
func TestSigningPersists(t *testing.T) {
	_, ids := identities(t)
	dir := t.TempDir()
	s, err := softtoken.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	pfx, _ := ids[0].PKCS12(password)
	if err := s.AddSigning("DSEC", pfx, password, softtoken.Signing{Hash: crypto.SHA512}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSigning("DSPSS", pfx, password, softtoken.Signing{PSS: true}); err == nil {
		t.Error("AddSigning took PSS for an ECDSA key")
	}
	if _, err := os.Stat(filepath.Join(dir, "DSPSS.pfx")); !os.IsNotExist(err) {
		t.Errorf("a refused key left its file: %v", err)
	}
	again, err := softtoken.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if sg, ok := again.Signing("DSEC"); !ok || sg.Hash != crypto.SHA512 {
		t.Errorf("reopened: %v %v", sg, ok)
	}
	k := again.List()[0]
	id, err := again.Load(k.Disk, k.Path, k.Name, k.Alias)
	if err != nil {
		t.Fatal(err)
	}
	key, err := again.Unlock(context.Background(), id)
	if err != nil || key.Signing.Hash != crypto.SHA512 {
		t.Fatalf("unlocked: %+v %v", key, err)
	}
	if err := again.SetSigning("DSEC", softtoken.Signing{Hash: crypto.SHA384}); err != nil {
		t.Fatal(err)
	}
	if key, _ := again.Unlock(context.Background(), id); key.Signing.Hash != crypto.SHA384 {
		t.Errorf("the unlocked key id still signs %v", key.Signing)
	}
	if err := again.SetSigning("DSEC", softtoken.Signing{PSS: true}); err == nil {
		t.Error("SetSigning took PSS for an ECDSA key")
	}
	// Back to the default: the entry leaves the file.
	if err := again.SetSigning("DSEC", softtoken.Signing{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, softtoken.SigningFile))
	if strings.Contains(string(b), "DSEC") {
		t.Errorf("%s still names the key: %s", softtoken.SigningFile, b)
	}
	// A hand-edited file naming PSS for the ECDSA key: skipped.
	if err := os.WriteFile(filepath.Join(dir, softtoken.SigningFile), []byte(`{"DSEC":"pss-sha256"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := again.Rescan(); err != nil {
		t.Fatal(err)
	}
	if sk := again.Skipped(); len(sk) != 1 || !strings.Contains(sk[0], "DSEC: "+softtoken.SigningFile) || len(again.List()) != 0 {
		t.Errorf("skipped %q, listed %v", sk, again.List())
	}
}
