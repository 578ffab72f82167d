//go:build !js

package eimzo_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/wasm/eimzo/eimzotest"
)

// calls lists "plugin.function" of the simulator's event log.
func calls(s *simtest.Sim) []string {
	var out []string
	for _, e := range s.Events() {
		if e.Kind == "call" {
			out = append(out, e.Plugin+"."+e.Function)
		}
	}
	return out
}

// TestV5Daemon drives the paths of daemons older than v6 against
// daemon-sim's v5 profile (5.20: apikey needed by every domain, replies
// without status, attach_timestamp_token_pkcs7, BadPaddingException after
// three wrong passwords).
func TestV5Daemon(t *testing.T) {
	s := simtest.Start(t, simtest.WithV5())
	keys := map[string]string{"localhost": sim.PublishedKeys["localhost"], "other.uz": "NOT A KEY"}
	c := eimzo.New(eimzo.WithURL(s.URL), eimzo.WithAPIKeys(keys), eimzo.WithDomain("localhost"))
	ctx := context.Background()
	v, err := c.Install(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "5.20" {
		t.Errorf("version %s", v)
	}
	certs, err := c.ListKeys(ctx)
	if err != nil {
		t.Fatalf("listing after install sent this domain's key: %v", err)
	}
	// The timestamp goes through the daemon.
	signTimestamped(t, c, certs[0], s)
	if !slices.Contains(calls(s), "pkcs7.attach_timestamp_token_pkcs7") {
		t.Errorf("the client did not ask the v5 daemon to attach the token: %v", calls(s))
	}
	// Three wrong passwords: a reason with BadPaddingException and no status.
	s.Script("*", softtoken.Script{Answers: []softtoken.Step{softtoken.Wrong, softtoken.Wrong, softtoken.Wrong}})
	_, err = c.Sign(ctx, certs[1], eimzo.Bytes("x"), eimzo.SignOptions{})
	if eimzo.CodeOf(err) != eimzo.CodeWrongPassword {
		t.Errorf("three wrong passwords on v5: %v", err)
	}

	// Without this domain's key in apiKeys, install sends nothing and the
	// daemon refuses the domain.
	c2 := eimzo.New(eimzo.WithURL(s.URL), eimzo.WithAPIKeys(map[string]string{"other.uz": "X"}), eimzo.WithDomain("mysite.uz"), eimzo.WithTransport(&eimzo.WSTransport{Origin: "https://mysite.uz"}))
	if _, err := c2.Install(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.ListKeys(ctx); eimzo.CodeOf(err) != eimzo.CodeAPIKeyRejected {
		t.Errorf("an unregistered domain on v5: %v", err)
	}
}

// TestFTJCTokensBelow412 lists and uses a legacy ftjc token on a v5
// daemon that reports 4.11.
func TestFTJCTokensBelow412(t *testing.T) {
	s := simtest.Start(t, simtest.WithV5(), simtest.WithServer(sim.WithVersion(sim.Version{Major: "4", Minor: "11"}), sim.WithAllowedDomains("localhost")))
	s.Plug(sim.DeviceSpec{Kind: softtoken.FTJC})
	c := eimzo.New(eimzo.WithURL(s.URL))
	ctx := context.Background()
	certs, err := c.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tok *eimzo.Certificate
	for i := range certs {
		if certs[i].Type == eimzo.KeyFTJC {
			tok = &certs[i]
		}
	}
	if len(certs) != 7 || tok == nil || tok.CardUID == "" || tok.CN == "" || tok.ValidTo.IsZero() {
		t.Fatalf("listed %d, ftjc token %+v", len(certs), tok)
	}
	if _, err := c.LoadKey(ctx, *tok, eimzo.LoadKeyOptions{Verify: true}); err != nil {
		t.Fatalf("load the token and verify its PIN: %v", err)
	}
	if !slices.Contains(calls(s), "ftjc.verify_pin") {
		t.Errorf("no verify_pin: %v", calls(s))
	}
	res, err := c.Sign(ctx, *tok, eimzo.Bytes("token"), eimzo.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p7 := parseCMS(t, res.PKCS7); string(p7.Content) != "token" || p7.VerifyWithChain(s.Data.Roots()) != nil {
		t.Error("the token's CMS does not verify")
	}
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
	signTimestamped(t, c, certs[0], s)
}

// signTimestamped signs with a real token over the signature and checks
// that the CMS carries it and still verifies against the simulator's root.
func signTimestamped(t *testing.T, c *eimzo.Client, cert eimzo.Certificate, s *simtest.Sim) {
	t.Helper()
	res, err := c.Sign(context.Background(), cert, eimzo.Bytes("timestamped"), eimzo.SignOptions{Timestamp: func(_ context.Context, h string) (string, error) {
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

// tokenFor makes a real token over a signature.
func tokenFor(t *testing.T, sigHex string) []byte {
	t.Helper()
	tok, err := eimzotest.NewTSA(t, nil).Token(mustHex(t, sigHex))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestDevicesAreGatedOnTheVersion: with an ID card plugged into the
// simulator, what each daemon version lets the client see and ask.
func TestDevicesAreGatedOnTheVersion(t *testing.T) {
	tests := []struct {
		major, minor string
		want         map[eimzo.Device]bool
		asked        []string
	}{
		{"4", "11", map[eimzo.Device]bool{eimzo.DeviceIDCard: false, eimzo.DeviceBAIK: false, eimzo.DeviceCKC: false}, nil},
		{"4", "12", map[eimzo.Device]bool{eimzo.DeviceIDCard: true, eimzo.DeviceBAIK: false, eimzo.DeviceCKC: false}, []string{"idcard.list_readers"}},
		{"6", "4", map[eimzo.Device]bool{eimzo.DeviceIDCard: true, eimzo.DeviceBAIK: false, eimzo.DeviceCKC: true}, []string{"idcard.list_readers", "baikey.list_tokens", "ckc.list_ckc"}},
	}
	for _, tt := range tests {
		t.Run(tt.major+"."+tt.minor, func(t *testing.T) {
			s := simtest.Start(t, simtest.WithServer(sim.WithVersion(sim.Version{Major: tt.major, Minor: tt.minor})))
			s.Plug(sim.DeviceSpec{Kind: softtoken.IDCard})
			c := eimzo.New(eimzo.WithURL(s.URL))
			for _, dev := range []eimzo.Device{eimzo.DeviceIDCard, eimzo.DeviceBAIK, eimzo.DeviceCKC} {
				got, err := c.DeviceConnected(context.Background(), dev)
				if err != nil || got != tt.want[dev] {
					t.Errorf("%s connected = %v, %v; want %v", dev, got, err, tt.want[dev])
				}
			}
			var asked []string
			for _, n := range calls(s) {
				if n != ".version" {
					asked = append(asked, n)
				}
			}
			if !slices.Equal(asked, tt.asked) {
				t.Errorf("asked %v, want %v", asked, tt.asked)
			}
		})
	}
	// Signing with a device: the card's key (PIN typed by the simulated
	// user), through its fixed id; CKC picks the plugged card.
	s := simtest.Start(t)
	s.Plug(sim.DeviceSpec{Kind: softtoken.IDCard})
	c := eimzo.New(eimzo.WithURL(s.URL))
	for _, dev := range []eimzo.Device{eimzo.DeviceIDCard, eimzo.DeviceCKC} {
		p, err := c.AuthenticateWithDevice(context.Background(), dev, "challenge")
		if err != nil {
			t.Fatalf("%s: %v", dev, err)
		}
		if p7 := parseCMS(t, p); string(p7.Content) != "challenge" || p7.VerifyWithChain(s.Data.Roots()) != nil {
			t.Errorf("%s: the CMS does not verify", dev)
		}
	}
	if _, err := c.SignWithDevice(context.Background(), eimzo.DeviceBAIK, eimzo.Bytes("x"), eimzo.SignOptions{}); eimzo.CodeOf(err) != eimzo.CodeDeviceNotFound {
		t.Errorf("no BAIK token plugged: %v", err)
	}
}

// TestCertificateChainReloadsAnExpiredKey: a key id the daemon does not
// know is loaded again when the certificate comes with it.
func TestCertificateChainReloadsAnExpiredKey(t *testing.T) {
	s, c, certs := simClient(t)
	ctx := context.Background()
	chain, err := c.CertificateChain(ctx, "00000000000000000000000000000000", &certs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 3 {
		t.Fatalf("chain of %d", len(chain))
	}
	var parsed []*x509.Certificate
	for _, b64 := range chain {
		der, _ := base64.StdEncoding.DecodeString(b64)
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, cert)
	}
	if !strings.EqualFold(parsed[0].SerialNumber.Text(16), certs[0].SerialNumber) || !parsed[2].Equal(s.Data.PKI.Root) || parsed[0].CheckSignatureFrom(parsed[1]) != nil {
		t.Error("not the signer → CA → root chain")
	}
	// Without the certificate, the unknown id is a plain KEY_NOT_FOUND.
	if _, err := c.CertificateChain(ctx, "00000000000000000000000000000000", nil); eimzo.CodeOf(err) != eimzo.CodeKeyNotFound {
		t.Errorf("got %v", err)
	}
}

// TestDuplicateListingsAreMerged: on macOS the daemon lists every key under
// /Volumes/ + DSKEYS and /Volumes/DSKEYS/ + "".
func TestDuplicateListingsAreMerged(t *testing.T) {
	s := simtest.Start(t, simtest.WithStore(softtoken.WithLayout(softtoken.MacOS)))
	certs, err := eimzo.New(eimzo.WithURL(s.URL)).ListKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 6 {
		t.Errorf("listed %d keys, want the 6 once each", len(certs))
	}
	for _, c := range certs {
		if !strings.HasPrefix(c.Disk, "/Volumes/") {
			t.Errorf("disk %q", c.Disk)
		}
	}
}
