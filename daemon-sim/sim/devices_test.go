package sim_test

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/smallstep/pkcs7"
)

// signerSerial returns the serial of the only signer of a pkcs7_64.
func signerSerial(t *testing.T, r capiws.Reply) string {
	t.Helper()
	der, _ := base64.StdEncoding.DecodeString(r.Field("pkcs7_64"))
	p7, err := pkcs7.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if p7.Content == nil {
		t.Fatal("no content")
	}
	if err := p7.Verify(); err != nil {
		t.Fatalf("verify: %v", err)
	}
	return p7.GetOnlySigner().SerialNumber.Text(16)
}

func TestDevicesOnTheWire(t *testing.T) {
	s := simtest.Start(t)
	card := s.Plug(sim.DeviceSpec{Kind: softtoken.IDCard, Profile: testpki.Legal, PIN: "4321"})
	token := s.Plug(sim.DeviceSpec{Kind: softtoken.BAIK, KeyType: testpki.RSA2048})
	ex := roundTripRaw(t, s.URL, localhost, req("idcard", "list_readers"))
	if !strings.Contains(string(ex.raw), `"readers":[{"name":"ACS ACR39U ICC Reader 0","serialNumber":"`+card.Serial+`"}]`) {
		t.Errorf("readers: %s", ex.raw)
	}
	if r := mustOK(t, call(t, s.URL, "baikey", "list_tokens")); !strings.Contains(string(r.AppendJSON(nil)), token.Serial) {
		t.Errorf("tokens: %s", r.AppendJSON(nil))
	}
	ex = roundTripRaw(t, s.URL, localhost, req("ckc", "list_ckc"))
	if !strings.Contains(string(ex.raw), `"devices":[{"type":"EIMZO","deviceID":"ACS ACR39U ICC Reader 0"},{"type":"BAIK","deviceID":"BAIK Token 1"}]`) {
		t.Errorf("ckc: %s", ex.raw)
	}
	cardSerial := strings.ToLower(card.Serial)
	tokenSerial := strings.ToLower(token.Serial)
	tests := []struct {
		id, want string
	}{
		{"idcard", cardSerial},
		{"baikey", tokenSerial},
		{"ckc", cardSerial}, // the simulated user picks the first container
	}
	for _, tt := range tests {
		r := mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", base64.StdEncoding.EncodeToString([]byte("hujjat")), tt.id, "no"))
		if got := signerSerial(t, r); got != tt.want || r.Field("signer_serial_number") != tt.want {
			t.Errorf("%s signed with %s, want %s", tt.id, got, tt.want)
		}
		ev := lastEvent(t, s)
		if dialogs(ev) != "pin:right" || ev.Key == "" {
			t.Errorf("%s: event %+v", tt.id, ev)
		}
	}
	if err := s.Server.UnplugDevice(card.ID); err != nil {
		t.Fatal(err)
	}
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", "idcard"); r.Reason() != "Устройство не найдено" {
		t.Errorf("after unplugging: %s", r.AppendJSON(nil))
	}
	if r := mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", "ckc")); r.Field("signer_serial_number") != tokenSerial {
		t.Errorf("ckc after unplugging the card: %s", r.Field("signer_serial_number"))
	}
}

func TestDevicePINLockoutAndPUK(t *testing.T) {
	s := simtest.Start(t)
	d := s.Plug(sim.DeviceSpec{Kind: softtoken.IDCard, PINAttempts: 3})
	sign := func() capiws.Reply { return call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", "idcard") }
	W, R, M := softtoken.Wrong, softtoken.Right, softtoken.Remember
	steps := []struct {
		name    string
		answers []softtoken.Step
		want    capiws.Status
		cause   string
		prompts string // kind:answer:attempts_left:error shown
	}{
		{"one wrong PIN", []softtoken.Step{W, R}, 1, "", "pin:wrong:3:,pin:right:2:INVALID_PIN"},
		{"three wrong PINs lock the card", []softtoken.Step{W, W, W}, -9999, "MAX_ATTEMPTS_EXCEEDED", "pin:wrong:3:,pin:wrong:2:INVALID_PIN,pin:wrong:1:INVALID_PIN"},
		{"locked: PUK, then PIN, saved", []softtoken.Step{R, M}, 1, "", "puk:right:10:MAX_ATTEMPTS_EXCEEDED,pin:remember:3:"},
		{"saved PIN", nil, 1, "", ""},
	}
	for _, st := range steps {
		s.Script(d.ID, softtoken.Script{Answers: st.answers})
		r := sign()
		ev := lastEvent(t, s)
		var prompts []string
		for _, p := range ev.Dialogs {
			prompts = append(prompts, strings.Join([]string{string(p.Kind), string(p.Answer), strconv.Itoa(p.AttemptsLeft), p.Error}, ":"))
		}
		if status(r) != st.want || ev.Cause != st.cause || strings.Join(prompts, ",") != st.prompts {
			t.Errorf("%s: %s, cause %q, prompts %s", st.name, r.AppendJSON(nil), ev.Cause, strings.Join(prompts, ","))
		}
	}
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", "idcard"); status(r) != 1 {
		t.Fatal(r.AppendJSON(nil))
	}
	mustOK(t, call(t, s.URL, "idcard", "clear_saved_pin_codes"))
	sign()
	if dialogs(lastEvent(t, s)) != "pin:right" {
		t.Error("clear_saved_pin_codes did not forget the PIN")
	}
}
