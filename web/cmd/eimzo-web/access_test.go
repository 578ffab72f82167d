package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAccessFlags(t *testing.T) {
	dir := t.TempDir()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(k.Public())
	keyPath := filepath.Join(dir, "idp.pem")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "access.json")
	if err := os.WriteFile(cfgPath, []byte(`{"keys":["idp.pem"],"default":{"issuer":"https://id.example.uz"},"endpoints":{"owner":{"audience":"owners"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name string
		args []string
		set  bool   // a verifier is made
		err  string // in the error
	}{
		{"none", nil, false, ""},
		{"a file", []string{"-access-config", cfgPath}, true, ""},
		{"flags", []string{"-access-keys", keyPath, "-access-issuer", "https://id.example.uz", "-access-audience", "eimzo-web,/urn:.+/"}, true, ""},
		{"a JWKS on loopback", []string{"-access-jwks", "http://127.0.0.1:9/jwks"}, true, ""},
		{"a JWKS over http", []string{"-access-jwks", "http://id.example.uz/jwks"}, false, "only https"},
		{"both", []string{"-access-config", cfgPath, "-access-issuer", "x"}, false, "exclude each other"},
		{"not a PEM file", []string{"-access-keys", cfgPath}, false, "no PEM public key"},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		f := addAccessFlags(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		v, err := f.verifier(logger)
		if (v != nil) != tt.set || (tt.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: %v %v", tt.name, v != nil, err)
		}
	}
}
