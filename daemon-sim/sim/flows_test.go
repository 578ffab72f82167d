package sim_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/smallstep/pkcs7"
)

func loadKey(t *testing.T, url string, k keyFile) string {
	t.Helper()
	return mustOK(t, call(t, url, "pfx", "load_key", k.Disk, k.Path, k.Name, k.Alias)).Field("keyId")
}

// lastEvent returns the newest call event.
func lastEvent(t *testing.T, s *simtest.Sim) sim.Event {
	t.Helper()
	evs := s.Events()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == sim.EventCall {
			return evs[i]
		}
	}
	t.Fatal("no call event")
	return sim.Event{}
}

func dialogs(ev sim.Event) string {
	var out []string
	for _, d := range ev.Dialogs {
		out = append(out, string(d.Kind)+":"+string(d.Answer))
	}
	return strings.Join(out, ",")
}

func TestSigningTimeFollowsTheClock(t *testing.T) {
	at := time.Date(2026, 2, 14, 8, 0, 0, 0, time.UTC)
	s := simtest.Start(t, simtest.WithClock(func() time.Time { return at }))
	id := loadKey(t, s.URL, listKeys(t, s.URL)[0])
	r := mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id, "no"))
	der, _ := base64.StdEncoding.DecodeString(r.Field("pkcs7_64"))
	p7, err := pkcs7.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	var st time.Time
	if err := p7.UnmarshalSignedAttribute(asn1SigningTime, &st); err != nil || !st.Equal(at) {
		t.Errorf("signing time %v (%v), want %v", st, err, at)
	}
}

func TestPasswordDialogOverTheWire(t *testing.T) {
	W, C, R := softtoken.Wrong, softtoken.Cancel, softtoken.Right
	tests := []struct {
		name      string
		script    softtoken.Script
		want      capiws.Status
		reason    string
		cause     string
		dialogs   string
		wantAgain bool // a second signing asks again (nothing cached)
	}{
		{"right", softtoken.Script{}, 1, "", "", "password:right", false},
		{"wrong twice, then right", softtoken.Script{Answers: []softtoken.Step{W, W, R}}, 1, "", "", "password:wrong,password:wrong,password:right", false},
		{"three wrong", softtoken.Script{Answers: []softtoken.Step{W, W, W}}, -5000, "Ввод пароля отменен", "wrong_password", "password:wrong,password:wrong,password:wrong", true},
		{"cancel", softtoken.Script{Answers: []softtoken.Step{C}}, -5000, "Ввод пароля отменен", "cancelled", "password:cancel", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := simtest.Start(t)
			k := listKeys(t, s.URL)[0]
			s.Script(k.Name, tt.script)
			id := loadKey(t, s.URL, k)
			if ev := lastEvent(t, s); len(ev.Dialogs) != 0 {
				t.Errorf("load_key asked for the password: %s", dialogs(ev))
			}
			r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id, "no")
			if status(r) != tt.want || r.Reason() != tt.reason {
				t.Fatalf("reply %s", r.AppendJSON(nil))
			}
			ev := lastEvent(t, s)
			if dialogs(ev) != tt.dialogs || ev.Cause != tt.cause || ev.Key != k.Name || ev.Status != int(tt.want) {
				t.Errorf("event %+v", ev)
			}
			mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id, "no"))
			if asked := len(lastEvent(t, s).Dialogs) > 0; asked != tt.wantAgain {
				t.Errorf("second signing asked for the password: %v", asked)
			}
		})
	}
}

func TestVerifyAndChangePassword(t *testing.T) {
	s := simtest.Start(t)
	k := listKeys(t, s.URL)[0]
	id := loadKey(t, s.URL, k)
	mustOK(t, call(t, s.URL, "pfx", "verify_password", id))
	mustOK(t, call(t, s.URL, "pfx", "verify_password", id))
	if d := dialogs(lastEvent(t, s)); d != "password:right" {
		t.Errorf("verify_password does not ask every time: %q", d)
	}
	s.Script(k.Name, softtoken.Script{NewPassword: "yangi-parol-2026"})
	mustOK(t, call(t, s.URL, "pfx", "change_password", id))
	if d := dialogs(lastEvent(t, s)); d != "password:right,new_password:right,confirm_password:right" {
		t.Errorf("change_password dialogs %q", d)
	}
	if pw, _ := s.Data.Store.Password(k.Name); pw != "yangi-parol-2026" {
		t.Errorf("the simulated user remembers %q", pw)
	}
	// The user now types the new password, and the file opens with it.
	id2 := loadKey(t, s.URL, k)
	mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id2))
	s.Script(k.Name, softtoken.Script{Answers: []softtoken.Step{softtoken.Right, softtoken.Right, softtoken.Mismatch}})
	if r := call(t, s.URL, "pfx", "change_password", id2); status(r) != -5004 || r.Reason() != "Новые пароли не соответствуют" {
		t.Errorf("mismatch: %s", r.AppendJSON(nil))
	}
	mustOK(t, call(t, s.URL, "pfx", "unload_key", id2))
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id2); status(r) != -1010 {
		t.Errorf("after unload_key: %s", r.AppendJSON(nil))
	}
}

func TestCertificateChainAndInfo(t *testing.T) {
	s := simtest.Start(t)
	keys := listKeys(t, s.URL)
	id := loadKey(t, s.URL, keys[2]) // a legal entity
	r := mustOK(t, call(t, s.URL, "x509", "get_certificate_chain", id))
	v, _ := r.Get("certificates")
	var chain []*x509.Certificate
	for _, it := range v.Items() {
		der, _ := base64.StdEncoding.DecodeString(it.Str())
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, c)
	}
	if len(chain) != 3 || !chain[2].Equal(s.Data.PKI.Root) || !chain[1].Equal(s.Data.PKI.CA) {
		t.Fatalf("chain of %d, want signer, CA, root", len(chain))
	}
	if d := dialogs(lastEvent(t, s)); d != "password:right" {
		t.Errorf("get_certificate_chain did not open the key: %q", d)
	}
	user := base64.StdEncoding.EncodeToString(chain[0].Raw)
	ca := base64.StdEncoding.EncodeToString(chain[1].Raw)
	info, _ := mustOK(t, call(t, s.URL, "x509", "get_certificate_info", user)).Get("certificate_info")
	get := func(path ...string) string {
		x := info
		for _, p := range path {
			x, _ = x.Get(p)
		}
		return x.Str()
	}
	a := capiws.ParseAlias(keys[2].Alias)
	if get("serialNumber") != a.SerialNumber || get("validTo") != capiws.FormatDate(a.ValidTo) ||
		get("publicKey", "keyAlgName") != "RSA" || get("signature", "signAlgName") != "SHA256withECDSA" ||
		!strings.HasPrefix(get("subjectName"), "CN=TESTOVA TEST DIREKTOR,NAME=TEST,SURNAME=TESTOVA,") ||
		!strings.Contains(get("subjectName"), ",1.2.860.3.16.1.1="+strings.ToUpper(a.OrgTIN)) ||
		get("issuerName") != "C=UZ,O=eimzokit TEST,CN=eimzokit TEST Issuing CA" {
		t.Errorf("certificate_info %s", info.AppendJSON(nil))
	}
	// PEM, and base64 of PEM, are accepted too.
	pemText := "-----BEGIN CERTIFICATE-----\n" + user + "\n-----END CERTIFICATE-----\n"
	mustOK(t, call(t, s.URL, "x509", "get_certificate_info", pemText))
	mustOK(t, call(t, s.URL, "x509", "get_certificate_info", base64.StdEncoding.EncodeToString([]byte(pemText))))
	mustOK(t, call(t, s.URL, "x509", "verify_certificate", user, ca))
	if r := call(t, s.URL, "x509", "verify_certificate", ca, user); status(r) != -9999 {
		t.Errorf("verify_certificate with the wrong issuer: %s", r.AppendJSON(nil))
	}
}

func TestCertificateInfoOfARealEIMZOCertificate(t *testing.T) {
	s := simtest.Start(t)
	der, err := os.ReadFile(filepath.Join("testdata", "eimzo-real", "cert-user-777a2a2b.der"))
	if err != nil {
		t.Fatal(err)
	}
	ex := roundTripRaw(t, s.URL, localhost, req("x509", "get_certificate_info", base64.StdEncoding.EncodeToString(der)))
	golden(t, "certificate-info-eimzo-777a2a2b", ex.raw)
}

// TestEnrolment runs save_pfx's enrolment with a key pair of each kind: the
// GOST names make an O'zDSt 1092 key pair, which the GOST CA certifies.
func TestEnrolment(t *testing.T) {
	for _, alg := range []string{"OZMST-286-2024-2", "OZDST-1092-2009-2", "P-256"} {
		t.Run(alg, func(t *testing.T) { enrol(t, alg) })
	}
}

func enrol(t *testing.T, alg string) {
	s := simtest.Start(t)
	ca := s.Data.PKI
	if alg != "P-256" {
		var err error
		if ca, err = s.Data.OpenGOSTPKI(); err != nil {
			t.Fatal(err)
		}
	}
	kp := mustOK(t, call(t, s.URL, "pkcs10", "generate_keypair", alg)).Field("kpId")
	csr64 := mustOK(t, call(t, s.URL, "pkcs10", "create_pkcs10", kp, "CN=YANGI TEST FUQARO,UID=512000001,1.2.860.3.16.1.2=32000000000001,C=UZ")).Field("pkcs10_64")
	info := mustOK(t, call(t, s.URL, "pkcs10", "get_pkcs10_info", csr64))
	if v, _ := info.Get("pkcs10_info"); !strings.Contains(string(v.AppendJSON(nil)), "CN=YANGI TEST FUQARO,UID=512000001,1.2.860.3.16.1.2=32000000000001,C=UZ") {
		t.Errorf("pkcs10_info %s", v.AppendJSON(nil))
	}
	wantAlg := map[bool]string{true: "OZDST-1092-2009-2", false: "EC"}[alg != "P-256"]
	if v, _ := info.Get("pkcs10_info"); !strings.Contains(string(v.AppendJSON(nil)), `"keyAlgName":"`+wantAlg+`"`) {
		t.Errorf("pkcs10_info %s, want key %s", v.AppendJSON(nil), wantAlg)
	}
	der, _ := base64.StdEncoding.DecodeString(csr64)
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.SignCSR(csr)
	if err != nil {
		t.Fatal(err)
	}
	b64 := func(c *x509.Certificate) string { return base64.StdEncoding.EncodeToString(c.Raw) }
	user, caB64, root := b64(cert), b64(ca.CA), b64(ca.Root)
	other := mustOK(t, call(t, s.URL, "pkcs10", "generate_keypair", "P-256")).Field("kpId")
	tests := []struct {
		name string
		args []string
		want capiws.Status
	}{
		{"certificate of another key pair", []string{`C:\`, "DSKEYS", "DSENROLLED", "a", other, "p", user, caB64, root}, -2020},
		{"CA and root swapped", []string{`C:\`, "DSKEYS", "DSENROLLED", "a", kp, "p", user, root, caB64}, -9999},
		{"bad name", []string{`C:\`, "DSKEYS", "dsenrolled", "a", kp, "p", user, caB64, root}, -1003},
		{"saved", []string{`C:\`, "DSKEYS", "DSENROLLED", "a", kp, "yangi-parol", user, caB64, root}, 1},
		{"file exists", []string{`C:\`, "DSKEYS", "DSENROLLED", "a", kp, "p", user, caB64, root}, -1004},
	}
	for _, tt := range tests {
		if r := call(t, s.URL, "pfx", "save_pfx", tt.args...); status(r) != tt.want {
			t.Errorf("%s: %s", tt.name, r.AppendJSON(nil))
		}
	}
	// The enrolled key is listed, and signs after its password dialog.
	var enrolled *keyFile
	for _, k := range listKeysN(t, s.URL, 7) {
		if k.Name == "DSENROLLED" {
			enrolled = &k
		}
	}
	if enrolled == nil || capiws.ParseAlias(enrolled.Alias).PINFL != "32000000000001" {
		t.Fatalf("enrolled key not listed: %+v", enrolled)
	}
	signedReply := mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", loadKey(t, s.URL, *enrolled)))
	if want := map[bool]int{true: 128}[alg != "P-256"]; want != 0 && len(signedReply.Field("signature_hex")) != want {
		t.Errorf("signature_hex %q", signedReply.Field("signature_hex"))
	}

	tmpAlg := "RSA-2048"
	if alg != "P-256" {
		tmpAlg = alg // a self-signed GOST certificate
	}
	tmp := mustOK(t, call(t, s.URL, "pkcs10", "generate_keypair", tmpAlg)).Field("kpId")
	mustOK(t, call(t, s.URL, "pfx", "save_temporary_pfx", `C:\`, "DSKEYS", "DSTEMP", "a", tmp, "vaqtinchalik", "CN=VAQTINCHALIK TEST,UID=512000002"))
	if r := call(t, s.URL, "pfx", "save_temporary_pfx", `C:\`, "DSKEYS", "DSTEMP", "a", tmp, "x", "CN=X"); status(r) != -2009 {
		t.Errorf("temporary over an existing file: %s", r.AppendJSON(nil))
	}
	if n := len(listKeysN(t, s.URL, 8)); n != 8 {
		t.Errorf("%d keys after enrolment", n)
	}
}

// listKeysN lists the keys, expecting n of them.
func listKeysN(t testing.TB, url string, n int) []keyFile {
	t.Helper()
	r := mustOK(t, call(t, url, "pfx", "list_all_certificates"))
	v, _ := r.Get("certificates")
	var out []keyFile
	for _, it := range v.Items() {
		get := func(k string) string { x, _ := it.Get(k); return x.Str() }
		out = append(out, keyFile{get("disk"), get("path"), get("name"), get("alias")})
	}
	if len(out) != n {
		t.Fatalf("listed %d keys, want %d", len(out), n)
	}
	return out
}

func TestUzbekReasons(t *testing.T) {
	s := simtest.Start(t)
	mustOK(t, call(t, s.URL, "app", "change_ui_lang", "uz"))
	if r := call(t, s.URL, "pfx", "nope"); r.Reason() != "Funksiya topilmadi yoki E-IMZO versiyasi eskirgan. E-IMZO ni yangilang." {
		t.Errorf("uz reason %q", r.Reason())
	}
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", "idcard"); r.Reason() != "Qurilma topilmadi" {
		t.Errorf("uz free text %q", r.Reason())
	}
	r, _, _ := roundTrip(t, s.URL, "https://evil.example", req("pfx", "list_disks"))
	if r.Reason() != "evil.example domeni uchun API-key yaroqsiz." {
		t.Errorf("uz gate %q", r.Reason())
	}
	ex := roundTripRaw(t, s.URL, localhost, `{"name":"apidoc"}`)
	if !strings.Contains(string(ex.raw), `"description":"PFX (PKCS#12) fayllaridagi kalitlar"`) ||
		!strings.Contains(string(ex.raw), `"description":"Загружает ключ и возвращает его идентификатор"`) {
		t.Errorf("apidoc in uz: plugin descriptions follow the language, function descriptions stay Russian")
	}
	mustOK(t, call(t, s.URL, "app", "change_ui_lang", "ru"))
	if r := call(t, s.URL, "pfx", "nope"); r.Reason() != notFound {
		t.Errorf("back to ru: %q", r.Reason())
	}
}

func TestApidoc(t *testing.T) {
	s := simtest.Start(t)
	ex := roundTripRaw(t, s.URL, "", `{"name":"apidoc"}`)
	if ex.reply.Kind() != capiws.Array {
		t.Fatalf("apidoc is not a bare array: %.200s", ex.raw)
	}
	var names []string
	for _, p := range ex.reply.Items() {
		n, _ := p.Get("name")
		names = append(names, n.Str())
		fns, _ := p.Get("functions")
		for _, f := range fns.Items() {
			if pl, _ := f.Get("plugin"); pl.Str() != n.Str() {
				t.Errorf("function of %q says plugin %q", n.Str(), pl.Str())
			}
		}
	}
	if got := strings.Join(names, ","); got != ",app,pfx,pkcs7,x509,baikey,idcard,ckc,pkcs10,ytks,uzgrd" {
		t.Errorf("plugins %q", got)
	}
	if strings.Contains(string(ex.raw), "attach_timestamp_token_pkcs7") {
		t.Error("v6 apidoc lists a v5 function")
	}
}

func TestLayoutsOnTheWire(t *testing.T) {
	s := simtest.Start(t)
	if err := s.Server.Apply(sim.Settings{Layout: softtoken.MacOS}); err != nil {
		t.Fatal(err)
	}
	keys := listKeysN(t, s.URL, 12)
	if keys[0].Disk != "/Volumes/" || keys[0].Path != "DSKEYS" || keys[6].Disk != "/Volumes/DSKEYS/" || keys[6].Path != "" || keys[0].Name != keys[6].Name {
		t.Errorf("macOS listing %+v / %+v", keys[0], keys[6])
	}
	mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", loadKey(t, s.URL, keys[6])))
	if d, _ := mustOK(t, call(t, s.URL, "pfx", "list_disks")).Get("disks"); string(d.AppendJSON(nil)) != `["/Volumes/","/Volumes/DSKEYS/"]` {
		t.Errorf("disks %s", d.AppendJSON(nil))
	}
	if err := s.Server.Apply(sim.Settings{Layout: softtoken.Linux}); err != nil {
		t.Fatal(err)
	}
	if k := listKeysN(t, s.URL, 6)[0]; k.Disk != "/media/" || k.Path != "DSKEYS" {
		t.Errorf("linux listing %+v", k)
	}
}

func TestDialogBusyAndManualAnswer(t *testing.T) {
	s := simtest.Start(t)
	keys := listKeys(t, s.URL)
	s.Script(keys[0].Name, softtoken.Script{Answers: []softtoken.Step{softtoken.Wait}})
	id0, id1 := loadKey(t, s.URL, keys[0]), loadKey(t, s.URL, keys[1])
	done := make(chan capiws.Reply, 1)
	go func() {
		r, _, _ := roundTrip(t, s.URL, localhost, req("pkcs7", "create_pkcs7", "YQ==", id0))
		done <- r
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	open, err := s.Data.Store.WaitDialog(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Other calls go on; one that needs a dialog meets -3001.
	mustOK(t, call(t, s.URL, "pfx", "list_all_certificates"))
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id1); status(r) != -3001 || r.Reason() != "В ожидании ввода пользователя" {
		t.Errorf("second dialog: %s", r.AppendJSON(nil))
	}
	if err := s.Data.Store.AnswerDialog(open.ID, softtoken.Right); err != nil {
		t.Fatal(err)
	}
	if r := <-done; !r.Success() {
		t.Errorf("answered by hand: %s", r.AppendJSON(nil))
	}
}

func TestExtraKeys(t *testing.T) {
	s := simtest.Start(t, simtest.WithExtraKeys())
	keys := listKeysN(t, s.URL, 8)
	var noTIN, revoked int
	for _, k := range keys {
		a := capiws.ParseAlias(k.Alias)
		if a.TIN() == "" && a.PINFL == "" {
			noTIN++
		}
		for _, rv := range s.Data.PKI.Revocations() {
			if rv.Serial == a.SerialNumber {
				revoked++
			}
		}
	}
	if noTIN != 1 || revoked != 1 {
		t.Errorf("%d keys without TIN/PINFL, %d revoked", noTIN, revoked)
	}
	if _, err := os.Stat(filepath.Join(s.Data.Dir, sim.PKIDir, "revoked.json")); err != nil {
		t.Errorf("revocation list not saved: %v", err)
	}
}
