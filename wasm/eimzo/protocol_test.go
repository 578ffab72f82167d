//go:build !js

package eimzo_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/wasm/eimzo/eimzotest"
)

// TestV5Daemon drives the paths of daemons older than v6 against a fake
// that speaks like one (version 4.11: apikey needed, ftjc tokens listed,
// attach_timestamp_token_pkcs7 present, replies without status) and
// forwards key listing and signing to the simulator.
func TestV5Daemon(t *testing.T) {
	s := simtest.Start(t)
	var attachArgs []string
	d := eimzotest.NewDaemon(t, s.URL, func(c eimzotest.Call) (string, bool) {
		switch c.Plugin + "." + c.Name {
		case ".version":
			return `{"success":true,"major":"4","minor":"11"}`, true // no status, no patch
		case ".apikey":
			return `{"success":true}`, true
		case "ftjc.list_all_keys":
			return `{"success":true,"tokens":[{"cardUID":"0123456789ABCDEF","statusInfo":"ok","ownerName":"TOKEN","info":"cn=token egasi,uid=555555555,1.2.860.3.16.1.2=31111111111111,serialnumber=abc123,validfrom=2025.01.01 09:00:00,validto=2027.01.01 09:00:00"}]}`, true
		case "ftjc.load_key":
			return `{"success":true,"keyId":"FTJC-1"}`, true
		case "ftjc.verify_pin":
			if c.Arguments[0] != "FTJC-1" || c.Arguments[1] != "1" {
				return `{"success":false,"reason":"bad arguments"}`, true
			}
			return `{"success":true}`, true
		case "pkcs7.attach_timestamp_token_pkcs7":
			attachArgs = c.Arguments
			return `{"success":true,"pkcs7_64":"ATTACHED"}`, true
		}
		return "", false
	})
	keys := map[string]string{"localhost": "LOCALKEY", "other.uz": "OTHERKEY"}
	c := eimzo.New(eimzo.WithURL(d.URL), eimzo.WithAPIKeys(keys), eimzo.WithDomain("localhost"))
	ctx := context.Background()
	v, err := c.Install(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "4.11" {
		t.Errorf("version %s", v)
	}
	calls := d.Calls()
	if len(calls) != 2 || calls[1].Name != "apikey" || !slices.Equal(calls[1].Arguments, []string{"localhost", "LOCALKEY"}) {
		t.Fatalf("install sent %+v; want version, then apikey with this domain's pair only", calls)
	}

	certs, err := c.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 7 {
		t.Fatalf("listed %d keys, want the simulator's 6 and one ftjc token", len(certs))
	}
	tok := certs[6]
	if tok.Type != eimzo.KeyFTJC || tok.CardUID != "0123456789ABCDEF" || tok.CN != "TOKEN EGASI" || tok.PINFL != "31111111111111" || tok.ValidTo.IsZero() {
		t.Errorf("ftjc token %+v", tok)
	}
	if id, err := c.LoadKey(ctx, tok, eimzo.LoadKeyOptions{Verify: true}); err != nil || id != "FTJC-1" {
		t.Errorf("load ftjc: %q, %v", id, err)
	}

	res, err := c.Sign(ctx, certs[0], eimzo.Bytes("v5"), eimzo.SignOptions{Timestamp: func(_ context.Context, sigHex string) (string, error) {
		return base64.StdEncoding.EncodeToString(tokenFor(t, sigHex)), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.PKCS7.String() != "ATTACHED" {
		t.Errorf("the daemon's attached CMS was not returned: %.40s", res.PKCS7)
	}
	if len(attachArgs) != 3 || !strings.HasPrefix(attachArgs[0], "MI") || attachArgs[1] != res.SignerSerialNumber || attachArgs[2] == "" {
		t.Errorf("attach_timestamp_token_pkcs7 got %.60q", attachArgs)
	}
}

// tokenFor makes a real token over a signature.
func tokenFor(t *testing.T, sigHex string) []byte {
	t.Helper()
	tok, err := eimzotest.NewTSA(t, nil).Token(mustHex(t, sigHex))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestV5WithoutAttachFallsBack: a pre-v6 daemon that lacks the attach
// function gets the token attached by the client.
func TestV5WithoutAttachFallsBack(t *testing.T) {
	s := simtest.Start(t)
	d := eimzotest.NewDaemon(t, s.URL, func(c eimzotest.Call) (string, bool) {
		switch c.Name {
		case "version":
			return eimzotest.Version("5", "20"), true
		case "attach_timestamp_token_pkcs7":
			return `{"success":false,"status":0,"reason":"В данной версии E-IMZO функция отключена"}`, true
		}
		return "", false
	})
	c := eimzo.New(eimzo.WithURL(d.URL))
	ctx := context.Background()
	certs, err := c.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Sign(ctx, certs[0], eimzo.Bytes("x"), eimzo.SignOptions{Timestamp: func(_ context.Context, h string) (string, error) {
		return base64.StdEncoding.EncodeToString(tokenFor(t, h)), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	p7 := parseCMS(t, res.PKCS7)
	timestampAttribute(t, p7)
	if err := p7.VerifyWithChain(s.Data.Roots()); err != nil {
		t.Error(err)
	}
}

func TestDevicesAreGatedOnTheVersion(t *testing.T) {
	listing := map[string]string{
		"idcard.list_readers": `{"success":true,"status":1,"readers":[{"name":"ACS ACR39U"}]}`,
		"baikey.list_tokens":  `{"success":true,"status":1,"tokens":[]}`,
		"ckc.list_ckc":        `{"success":true,"status":1,"devices":[{"type":"EIMZO","deviceID":"FeiTian Ltd JavaCard Token V1.0 0"}]}`,
		"pkcs7.create_pkcs7":  `{"success":true,"status":1,"pkcs7_64":"MIIB","signer_serial_number":"1f","signature_hex":"00"}`,
	}
	tests := []struct {
		major, minor string
		want         map[eimzo.Device]bool
		asked        []string
	}{
		{"4", "11", map[eimzo.Device]bool{eimzo.DeviceIDCard: false, eimzo.DeviceBAIK: false, eimzo.DeviceCKC: false}, nil},
		{"4", "12", map[eimzo.Device]bool{eimzo.DeviceIDCard: true, eimzo.DeviceBAIK: false, eimzo.DeviceCKC: false}, []string{"idcard.list_readers"}},
		{"4", "86", map[eimzo.Device]bool{eimzo.DeviceIDCard: true, eimzo.DeviceBAIK: false, eimzo.DeviceCKC: true}, []string{"idcard.list_readers", "baikey.list_tokens", "ckc.list_ckc"}},
	}
	for _, tt := range tests {
		t.Run(tt.major+"."+tt.minor, func(t *testing.T) {
			replies := map[string]string{".version": eimzotest.Version(tt.major, tt.minor)}
			for k, v := range listing {
				replies[k] = v
			}
			d := eimzotest.Answering(t, "", replies)
			c := eimzo.New(eimzo.WithURL(d.URL))
			for _, dev := range []eimzo.Device{eimzo.DeviceIDCard, eimzo.DeviceBAIK, eimzo.DeviceCKC} {
				got, err := c.DeviceConnected(context.Background(), dev)
				if err != nil || got != tt.want[dev] {
					t.Errorf("%s connected = %v, %v; want %v", dev, got, err, tt.want[dev])
				}
			}
			var asked []string
			for _, n := range d.Names() {
				if n != ".version" {
					asked = append(asked, n)
				}
			}
			if !slices.Equal(asked, tt.asked) {
				t.Errorf("asked %v, want %v", asked, tt.asked)
			}
		})
	}
	// Signing with a device passes its fixed id as the key id.
	d := eimzotest.Answering(t, "", listing)
	c := eimzo.New(eimzo.WithURL(d.URL))
	for _, dev := range []eimzo.Device{eimzo.DeviceIDCard, eimzo.DeviceBAIK, eimzo.DeviceCKC} {
		if _, err := c.AuthenticateWithDevice(context.Background(), dev, "challenge"); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for _, call := range d.Calls() {
		if call.Name == "create_pkcs7" {
			ids = append(ids, call.Arguments[1]+"/"+call.Arguments[2])
		}
	}
	if !slices.Equal(ids, []string{"idcard/no", "baikey/no", "ckc/no"}) {
		t.Errorf("create_pkcs7 ids %v", ids)
	}
}

func TestCertificateChainReloadsAnExpiredKey(t *testing.T) {
	chain := `{"success":true,"status":1,"certificates":["USER","CA","ROOT"]}`
	d := eimzotest.NewDaemon(t, "", func(c eimzotest.Call) (string, bool) {
		switch c.Plugin + "." + c.Name {
		case ".version":
			return eimzotest.Version("6", "4"), true
		case "pfx.load_key":
			return `{"success":true,"status":1,"keyId":"FRESH"}`, true
		case "x509.get_certificate_chain":
			if c.Arguments[0] != "FRESH" {
				return `{"success":false,"status":-1010,"reason":"Ключ по идентификатору не найден"}`, true
			}
			return chain, true
		}
		return "", false
	})
	c := eimzo.New(eimzo.WithURL(d.URL))
	got, err := c.CertificateChain(context.Background(), "EXPIRED", &pfxCert)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"USER", "CA", "ROOT"}) {
		t.Errorf("chain %v", got)
	}
	// Without the certificate the expired id is a plain KEY_NOT_FOUND.
	if _, err := c.CertificateChain(context.Background(), "EXPIRED", nil); eimzo.CodeOf(err) != eimzo.CodeKeyNotFound {
		t.Errorf("got %v", err)
	}
}

// TestDuplicateListingsAreMerged: the macOS quirk lists the same key under
// /Volumes/ + DSKEYS and /Volumes/DSKEYS/ + "".
func TestDuplicateListingsAreMerged(t *testing.T) {
	alias := "cn=test,1.2.860.3.16.1.2=31234567890123,serialnumber=1f,validfrom=2025.01.01 00:00:00,validto=2027.01.01 00:00:00"
	d := eimzotest.Answering(t, "", map[string]string{"pfx.list_all_certificates": `{"success":true,"status":1,"certificates":[` +
		`{"disk":"/Volumes/","path":"DSKEYS","name":"DS1","alias":"` + alias + `"},` +
		`{"disk":"/Volumes/DSKEYS/","path":"","name":"DS1","alias":"` + alias + `"},` +
		`{"disk":"/Volumes/","path":"DSKEYS","name":"DS2","alias":"` + alias + `"}]}`})
	certs, err := eimzo.New(eimzo.WithURL(d.URL)).ListKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 || certs[0].Name != "DS1" || certs[1].Name != "DS2" {
		t.Errorf("listed %+v", certs)
	}
}
