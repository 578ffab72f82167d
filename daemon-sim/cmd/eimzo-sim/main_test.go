package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

func TestKeygenImportList(t *testing.T) {
	dir := t.TempDir()
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"keygen", "-dir", dir, "-profile", "legal", "-key", "p256", "-name", "DSCUSTOM",
		"-cn", "ALIYEV VALI TEST", "-pinfl", "31111111111111", "-uid", "511111111", "-org", "TEST MCHJ", "-org-tin", "311111111", "-days", "30"}, &out, &errs)
	if err != nil {
		t.Fatalf("keygen: %v %s", err, errs.String())
	}
	if !strings.HasPrefix(out.String(), "DSCUSTOM\tC:\\DSKEYS\tcn=aliyev vali test,") || !strings.Contains(out.String(), "1.2.860.3.16.1.1=311111111") {
		t.Errorf("keygen printed %q", out.String())
	}
	// A GOST key: the data folder gets its GOST test PKI on the way.
	out.Reset()
	if err := run(context.Background(), []string{"keygen", "-dir", dir, "-profile", "physical", "-key", "gost", "-name", "DSGOST"}, &out, &errs); err != nil {
		t.Fatalf("keygen -key gost: %v %s", err, errs.String())
	}
	if _, err := os.Stat(filepath.Join(dir, sim.GOSTPKIDir, testpki.RootCertFile)); err != nil || !strings.HasPrefix(out.String(), "DSGOST\tC:\\DSKEYS\tcn=") {
		t.Errorf("keygen -key gost: %v, printed %q", err, out.String())
	}
	// A key that signs with RSASSA-PSS over SHA-384, recorded in signing.json.
	out.Reset()
	if err := run(context.Background(), []string{"keygen", "-dir", dir, "-key", "rsa2048", "-name", "DSPSS", "-sign", "pss-sha384"}, &out, &errs); err != nil {
		t.Fatalf("keygen -sign: %v %s", err, errs.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, sim.KeysDir, "signing.json")); err != nil || !strings.Contains(string(b), `"DSPSS": "pss-sha384"`) {
		t.Errorf("signing.json: %s %v", b, err)
	}
	for _, bad := range [][]string{{"-key", "p256", "-sign", "pss-sha256"}, {"-sign", "sha1"}} {
		if err := run(context.Background(), append([]string{"keygen", "-dir", dir, "-name", "DSBAD"}, bad...), &out, &errs); err == nil {
			t.Errorf("keygen %v: no error", bad)
		}
	}
	tests := []struct {
		file, password string
		wantErr        bool
	}{
		{"OPENSSL3DEFAULT.pfx", "openssl3", false},
		{"OPENSSL3LEGACY.pfx", "legacy1", false},
		{"OPENSSL3LEGACY.pfx", "wrong", true},
	}
	for _, tt := range tests {
		out.Reset()
		err := run(context.Background(), []string{"import", "-dir", dir, "-password", tt.password, "-name", "X" + strings.TrimSuffix(tt.file, ".pfx")[8:],
			filepath.Join("..", "..", "softtoken", "testdata", tt.file)}, &out, &errs)
		if (err != nil) != tt.wantErr {
			t.Errorf("import %s with %q: %v", tt.file, tt.password, err)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"list", "-dir", dir}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 11 { // six default keys, the custom, GOST and PSS ones, two imported
		t.Errorf("list:\n%s", out.String())
	}
	for _, want := range []string{"XDEFAULT\t", "XLEGACY\t", "DSCUSTOM\t", "DSGOST\t"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("list lacks %q", want)
		}
	}
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-dir", dir, "-ws", "127.0.0.1:0", "-wss", "127.0.0.1:0", "-control", "127.0.0.1:0",
			"-profile", "v6", "-version", "3.20", "-lang", "uz", "-layout", "linux", "-extra-keys", "-quiet"}, pw, io.Discard)
		pw.Close()
	}()
	urls := map[string]string{}
	sc := bufio.NewScanner(pr)
	re := regexp.MustCompile(`(wss?|http)://[^ ]+`)
	for len(urls) < 4 && sc.Scan() {
		if u := re.FindString(sc.Text()); u != "" {
			kind := strings.SplitN(u, ":", 2)[0]
			if strings.Contains(sc.Text(), "PKI services") {
				kind = "pki"
			}
			urls[kind] = u
		}
	}
	go io.Copy(io.Discard, pr)
	if len(urls) != 4 {
		t.Fatalf("ready lines: %v", urls)
	}
	// The PKI's services are on the ws port, and the CRL lists the
	// revoked extra key (testpki's revocation list, saved in revoked.json).
	if !strings.HasPrefix(urls["pki"], strings.Replace(strings.TrimSuffix(urls["ws"], "/service/cryptapi"), "ws://", "http://", 1)+"/pki") {
		t.Errorf("PKI services at %s, daemon at %s", urls["pki"], urls["ws"])
	}
	crlResp, err := http.Get(urls["pki"] + pkisvc.PathCACRL)
	if err != nil {
		t.Fatal(err)
	}
	crlDER, _ := io.ReadAll(crlResp.Body)
	crlResp.Body.Close()
	crl, err := x509.ParseRevocationList(crlDER)
	if err != nil {
		t.Fatalf("CRL: %v", err)
	}
	revokedJSON, _ := os.ReadFile(filepath.Join(dir, sim.PKIDir, testpki.RevokedFile))
	var revoked []testpki.Revocation
	if err := json.Unmarshal(revokedJSON, &revoked); err != nil || len(revoked) != 1 {
		t.Fatalf("revoked.json: %v %s", err, revokedJSON)
	}
	if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Text(16) != revoked[0].Serial {
		t.Errorf("CRL entries %+v, revoked.json %+v", crl.RevokedCertificateEntries, revoked)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer wcancel()
	for _, u := range []string{urls["ws"], urls["wss"]} {
		c, _, err := websocket.Dial(wctx, u, &websocket.DialOptions{
			HTTPClient: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}},
			HTTPHeader: http.Header{"Origin": {"http://localhost"}},
		})
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		_ = c.Write(wctx, websocket.MessageText, []byte(`{"plugin":"pfx","name":"list_all_certificates"}`))
		_, data, err := c.Read(wctx)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := capiws.ParseReply(data)
		v, _ := r.Get("certificates")
		if len(v.Items()) != 8 || !strings.Contains(string(data), `"disk":"/media/"`) {
			t.Errorf("%s: %.300s", u, data)
		}
		c.CloseNow()
	}
	resp, err := http.Get(strings.TrimSuffix(urls["http"], "/v1/state") + "/v1/state")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Version  struct{ Major, Minor string }
		Language string
	}
	_ = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if st.Version.Major != "3" || st.Version.Minor != "20" || st.Language != "uz" {
		t.Errorf("state %+v", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
}

func TestServeRefusesBadFlags(t *testing.T) {
	tests := [][]string{
		{"-ws", "0.0.0.0:0"},
		{"-control", "192.168.1.1:9"},
		{"-profile", "v7"},
		{"-version", "six"},
		{"-layout", "amiga"},
		{"-lang", "en"},
		{"frobnicate"},
		{"import", "-password", "x"},
	}
	for _, args := range tests {
		err := run(context.Background(), append(args, "-dir", t.TempDir()), io.Discard, io.Discard)
		if err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
