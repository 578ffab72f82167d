package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
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
	if len(lines) != 9 { // six default keys, the custom one, two imported
		t.Errorf("list:\n%s", out.String())
	}
	for _, want := range []string{"XDEFAULT\t", "XLEGACY\t", "DSCUSTOM\t"} {
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
	for len(urls) < 3 && sc.Scan() {
		if u := re.FindString(sc.Text()); u != "" {
			urls[strings.SplitN(u, ":", 2)[0]] = u
		}
	}
	go io.Copy(io.Discard, pr)
	if len(urls) != 3 {
		t.Fatalf("ready lines: %v", urls)
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
