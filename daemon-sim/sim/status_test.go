package sim_test

import (
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

var update = flag.Bool("update", false, "rewrite the golden reply frames in testdata/golden")

const notFound = "Функция не найдена или версия E-IMZO устарела. Обновите E-IMZO."

// tamper changes the hex digit at i of an API key.
func tamper(key string, i int) string {
	b := []byte(key)
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}

// golden compares a reply frame with testdata/golden/name.json.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test -update to write it)", name, err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("reply frame differs from %s:\n got %s\nwant %s", path, got, want)
	}
}

// TestStatusCodes is the table of every function's status codes, from the
// wire. Rows with a golden name also pin the exact reply frame. {KEY}, {KP}
// and {NAME}, {ALIAS} stand for a loaded key id, a key pair id and a listed
// key file.
func TestStatusCodes(t *testing.T) {
	s := simtest.Start(t)
	k := listKeys(t, s.URL)[0]
	keyID := mustOK(t, call(t, s.URL, "pfx", "load_key", k.Disk, k.Path, k.Name, k.Alias)).Field("keyId")
	kpID := mustOK(t, call(t, s.URL, "pkcs10", "generate_keypair", "OZMST-286-2024-2")).Field("kpId")
	fill := func(f string) string {
		return strings.NewReplacer("{KEY}", keyID, "{KP}", kpID, "{NAME}", k.Name, "{ALIAS}", k.Alias).Replace(f)
	}
	const lh = localhost
	big := strings.Repeat("A", base64.StdEncoding.EncodedLen(capiws.MaxArgumentBytes)+4)
	tests := []struct {
		name       string
		origin     string
		frame      string
		want       capiws.Status
		wantReason string
		golden     string
	}{
		// main plugin
		{"version", "", `{"name":"version"}`, 1, "", "version"},
		{"version, null plugin", "", `{"plugin":null,"name":"version"}`, 1, "", ""},
		{"version, empty plugin", "", `{"plugin":"","name":"version","arguments":[]}`, 1, "", ""},
		{"version with an argument", "", `{"name":"version","arguments":["x"]}`, 0, notFound, "not-found"},
		{"apikey, published key", "http://localhost:3000", req("", "apikey", "localhost", sim.PublishedKeys["localhost"]), 1, "", "apikey-ok"},
		{"apikey, lower-case key", lh, req("", "apikey", "127.0.0.1", strings.ToLower(sim.PublishedKeys["127.0.0.1"])), 1, "", ""},
		{"apikey, tampered key", lh, req("", "apikey", "localhost", strings.Repeat("0", 128)), -1020, "API-key для домена localhost недействителен.", "apikey-rejected"},
		{"apikey, second pair fails", lh, req("", "apikey", "localhost", sim.PublishedKeys["localhost"], "example.uz", "AB"), -1020, "API-key для домена example.uz недействителен.", ""},
		{"apikey, test.e-imzo.uz", lh, req("", "apikey", "test.e-imzo.uz", sim.PublishedKeys["test.e-imzo.uz"]), 1, "", ""},
		{"apikey, a domain in capitals", lh, req("", "apikey", "LOCALHOST", sim.PublishedKeys["localhost"]), 1, "", ""},
		{"apikey, one digit of the key changed", lh, req("", "apikey", "localhost", tamper(sim.PublishedKeys["localhost"], 100)), -1020, "API-key для домена localhost недействителен.", ""},
		{"apikey, one digit of s changed", lh, req("", "apikey", "null", tamper(sim.PublishedKeys["null"], 5)), -1020, "API-key для домена null недействителен.", ""},
		{"apikey, r and s swapped", lh, req("", "apikey", "localhost", sim.PublishedKeys["localhost"][64:]+sim.PublishedKeys["localhost"][:64]), -1020, "API-key для домена localhost недействителен.", ""},
		{"apikey, another domain's key", lh, req("", "apikey", "127.0.0.1", sim.PublishedKeys["localhost"]), -1020, "API-key для домена 127.0.0.1 недействителен.", ""},
		{"apikey, a published key for an unpublished domain", lh, req("", "apikey", "example.uz", sim.PublishedKeys["test.e-imzo.uz"]), -1020, "API-key для домена example.uz недействителен.", ""},
		{"apikey, not hex", lh, req("", "apikey", "localhost", strings.Repeat("Z", 128)), -1020, "API-key для домена localhost недействителен.", ""},
		{"apikey, too short", lh, req("", "apikey", "localhost", sim.PublishedKeys["localhost"][:126]), -1020, "API-key для домена localhost недействителен.", ""},
		{"apikey, odd count", lh, req("", "apikey", "localhost", "a", "b"), 0, notFound, ""},
		{"apikey, no arguments", lh, `{"name":"apikey"}`, 0, notFound, ""},

		// frames that are not requests
		{"malformed JSON", lh, `{"name":`, 0, notFound, ""},
		{"not an object", lh, `[1,2]`, 0, notFound, ""},
		{"name is a number", lh, `{"name":5}`, 0, notFound, ""},
		{"plugin is a number", lh, `{"plugin":5,"name":"version"}`, 0, notFound, ""},
		{"arguments is a string", lh, `{"name":"version","arguments":"x"}`, 0, notFound, ""},
		{"argument is a number", lh, `{"plugin":"pfx","name":"list_certificates","arguments":[1]}`, 0, notFound, ""},
		{"unknown function", lh, req("pfx", "nope"), 0, notFound, ""},
		{"unknown plugin", lh, req("nope", "version"), 0, notFound, ""},
		{"main function under a plugin", lh, req("pfx", "version"), 0, notFound, ""},
		{"v5 helper in v6", lh, req("pkcs7", "attach_timestamp_token_pkcs7", "a", "b", "c"), 0, notFound, ""},
		{"ftjc in v6", lh, req("ftjc", "list_all_keys", ""), 0, notFound, ""},
		{"bare name in v6", lh, `{"name":"list_all_certificates"}`, 0, notFound, ""},
		{"argument over 32 MiB", lh, req("pkcs7", "create_pkcs7", big, "{KEY}"), -9999, "Размер аргумента превышает 32 МБ", ""},

		// the domain gate
		{"foreign domain", "https://evil.example", req("pfx", "list_all_certificates"), -1022, "API-key для домена evil.example недействителен.", "domain-denied"},
		{"no Origin is the null domain", "", req("pfx", "list_all_certificates"), -1022, "API-key для домена null недействителен.", ""},
		{"file:// is the null domain", "file:///C:/page.html", req("pfx", "list_disks"), -1022, "API-key для домена null недействителен.", ""},
		{"127.0.0.1 with a port", "http://127.0.0.1:5173", req("pfx", "list_disks"), 1, "", ""},
		{"vendor test site", "https://test.e-imzo.uz", req("pfx", "list_disks"), 1, "", ""},
		{"main plugin is not gated", "https://evil.example", `{"name":"version"}`, 1, "", ""},
		{"arity before the gate", "https://evil.example", req("pfx", "list_disks", "x"), 0, notFound, ""},

		// app
		{"get_jvm_version", lh, req("app", "get_jvm_version"), 1, "", "jvm-version"},
		{"show_menu", lh, req("app", "show_menu"), 1, "", ""},
		{"change_ui_lang, bad code", lh, req("app", "change_ui_lang", "fr"), -1005, "Недействительный код языка", "bad-language"},
		{"change_ui_lang, no code", lh, req("app", "change_ui_lang"), 0, notFound, ""},

		// pfx
		{"list_disks", lh, req("pfx", "list_disks"), 1, "", "list-disks"},
		{"list_certificates", lh, req("pfx", "list_certificates", `C:\`), 1, "", ""},
		{"list_certificates, unknown disk", lh, req("pfx", "list_certificates", `Z:\`), -2011, "Диск не найден", "disk-not-found"},
		{"list_all_certificates, an argument", lh, req("pfx", "list_all_certificates", "x"), 0, notFound, ""},
		{"load_key, three arguments", lh, req("pfx", "load_key", `C:\`, "DSKEYS", "{NAME}"), 0, notFound, ""},
		{"load_key, five arguments", lh, req("pfx", "load_key", `C:\`, "DSKEYS", "{NAME}", "{ALIAS}", ""), 0, notFound, ""},
		{"load_key, bad path", lh, req("pfx", "load_key", `C:\`, "KEYS", "{NAME}", "{ALIAS}"), -1002, "Аргумент path недействителен", "bad-path"},
		{"load_key, unknown disk", lh, req("pfx", "load_key", `Z:\`, "DSKEYS", "{NAME}", "{ALIAS}"), -2011, "Диск не найден", ""},
		{"load_key, no such file", lh, req("pfx", "load_key", `C:\`, "DSKEYS", "DS000", "{ALIAS}"), -2002, "Файл ключа не существует", "key-file-missing"},
		{"load_key, wrong alias", lh, req("pfx", "load_key", `C:\`, "DSKEYS", "{NAME}", "cn=nobody"), -2006, `Сертификат с именем [cn=nobody] не найден в PFX-файле C:\DSKEYS\{NAME}.pfx`, ""},
		{"unload_key, unknown id", lh, req("pfx", "unload_key", "nope"), -1014, "Идентификатор ключа типа 'PFX_KEY_STORE' не найден", "pfx-id-not-found"},
		{"unload_key, a key pair", lh, req("pfx", "unload_key", "{KP}"), -1014, "", ""},
		{"verify_password, unknown id", lh, req("pfx", "verify_password", "nope"), -1014, "", ""},
		{"change_password, unknown id", lh, req("pfx", "change_password", "nope"), -1014, "", ""},
		{"save_pfx, eight arguments", lh, req("pfx", "save_pfx", "1", "2", "3", "4", "5", "6", "7", "8"), 0, notFound, ""},
		{"save_pfx, unknown key pair", lh, req("pfx", "save_pfx", `C:\`, "DSKEYS", "DSNEW", "a", "nope", "pw", "x", "y", "z"), -1011, "Ключевая пара по идентификатору не найдена", ""},
		{"save_temporary_pfx, unknown key pair", lh, req("pfx", "save_temporary_pfx", `C:\`, "DSKEYS", "DSNEW", "a", "nope", "pw", "CN=x"), -1011, "", ""},
		{"save_temporary_pfx, bad name", lh, req("pfx", "save_temporary_pfx", `C:\`, "DSKEYS", "ds-new", "a", "{KP}", "pw", "CN=x"), -1003, "Имя файла содержит неразрешенные символы", ""},
		{"save_temporary_pfx, file exists", lh, req("pfx", "save_temporary_pfx", `C:\`, "DSKEYS", "{NAME}", "a", "{KP}", "pw", "CN=x"), -2009, `Файл уже существует: C:\DSKEYS\{NAME}.pfx`, ""},

		// pkcs7
		{"create_pkcs7, unknown id", lh, req("pkcs7", "create_pkcs7", "YQ==", "0123", "no"), -1010, "Ключ по идентификатору не найден", "key-id-not-found"},
		{"create_pkcs7, a key pair", lh, req("pkcs7", "create_pkcs7", "YQ==", "{KP}", "no"), -1015, "Несоответствующий ключу идентификатор", ""},
		{"create_pkcs7, one argument", lh, req("pkcs7", "create_pkcs7", "YQ=="), 0, notFound, ""},
		{"create_pkcs7, four arguments", lh, req("pkcs7", "create_pkcs7", "YQ==", "{KEY}", "no", "x"), 0, notFound, ""},
		{"create_pkcs7, not base64", lh, req("pkcs7", "create_pkcs7", "***", "{KEY}", "no"), -9999, "Некорректные данные: ожидается base64", ""},
		{"create_pkcs7, no ID card", lh, req("pkcs7", "create_pkcs7", "YQ==", "idcard", "no"), -9999, "Устройство не найдено", "device-not-found"},
		{"create_pkcs7, no BAIK token", lh, req("pkcs7", "create_pkcs7", "YQ==", "baikey"), -9999, "Устройство не найдено", ""},
		{"create_pkcs7, no CKC", lh, req("pkcs7", "create_pkcs7", "YQ==", "ckc", "yes"), -9999, "Устройство не найдено", ""},

		// x509
		{"get_certificate_chain, unknown id", lh, req("x509", "get_certificate_chain", "nope"), -1010, "", ""},
		{"get_certificate_chain, a key pair", lh, req("x509", "get_certificate_chain", "{KP}"), -1018, "Несоответствующий сертификату идентификатор", ""},
		{"get_certificate_info, garbage", lh, req("x509", "get_certificate_info", "bm90IGEgY2VydA=="), -9999, "Некорректный сертификат", ""},
		{"verify_certificate, garbage", lh, req("x509", "verify_certificate", "x", "y"), -9999, "Некорректный сертификат", ""},

		// devices, none plugged in
		{"idcard.list_readers", lh, req("idcard", "list_readers"), 1, "", "list-readers-empty"},
		{"baikey.list_tokens", lh, req("baikey", "list_tokens"), 1, "", ""},
		{"uzgrd.list_tokens", lh, req("uzgrd", "list_tokens"), 1, "", ""},
		{"ckc.list_ckc", lh, req("ckc", "list_ckc"), 1, "", ""},
		{"ckc.supported_ckc", lh, req("ckc", "supported_ckc"), 1, "", "supported-ckc"},
		{"idcard.clear_saved_pin_codes", lh, req("idcard", "clear_saved_pin_codes"), 1, "", ""},
		{"idcard.personalize, no card", lh, req("idcard", "personalize", "1", "2", "3", "4"), -9999, "Устройство не найдено", ""},

		// pkcs10
		{"generate_keypair, unknown algorithm", lh, req("pkcs10", "generate_keypair", "DSA"), -9999, "Алгоритм не поддерживается", ""},
		{"generate_keypair, a seed", lh, req("pkcs10", "generate_keypair", "OZMST-286-2024-2", "seed1"), -1029, "Передан неопределенный источник seed", ""},
		{"create_pkcs10, unknown key pair", lh, req("pkcs10", "create_pkcs10", "nope", "CN=x"), -1011, "", ""},
		{"create_pkcs10, bad subject", lh, req("pkcs10", "create_pkcs10", "{KP}", "CN"), -9999, "Некорректное имя владельца X.500", ""},
		{"create_pkcs10, empty policy list", lh, req("pkcs10", "create_pkcs10", "{KP}", "CN=x", ""), -1023, "", ""},
		{"create_pkcs10, bad policy", lh, req("pkcs10", "create_pkcs10", "{KP}", "CN=x", "1.2.x"), -2023, "", ""},
		{"create_pkcs10", lh, req("pkcs10", "create_pkcs10", "{KP}", "CN=TEST,1.2.860.3.16.1.2=12345678901234", "1.2.860.3.2.2.1.2.1"), 1, "", ""},
		{"get_pkcs10_info, garbage", lh, req("pkcs10", "get_pkcs10_info", "eA=="), -1028, "Не удалось разобрать запрос PKCS#10", ""},

		// ytks: no .yks files
		{"ytks.list_all_certificates", lh, req("ytks", "list_all_certificates"), 1, "", ""},
		{"ytks.load_key, four arguments", lh, req("ytks", "load_key", `C:\`, "DSKEYS", "x", "y"), 0, notFound, ""},
		{"ytks.load_key", lh, req("ytks", "load_key", `C:\`, "DSKEYS", "x", "y", "1a"), -2010, "Файл ключа не существует", ""},
		{"ytks.unload_key", lh, req("ytks", "unload_key", "x"), -1013, "Идентификатор ключа типа 'YTKS_KEY_STORE' не найден", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := roundTripRaw(t, s.URL, tt.origin, fill(tt.frame))
			r := ex.reply
			if got := status(r); got != tt.want {
				t.Fatalf("status = %v, want %v; reply %.300s", got, tt.want, ex.raw)
			}
			if got := r.Success(); got != (tt.want == capiws.StatusOK) {
				t.Errorf("success = %v", got)
			}
			if want := fill(tt.wantReason); want != "" && r.Reason() != want {
				t.Errorf("reason = %q, want %q", r.Reason(), want)
			}
			if tt.want != capiws.StatusOK && r.Reason() == "" {
				t.Error("a failure without a reason")
			}
			if tt.want == capiws.StatusOK && r.Reason() != "" {
				t.Error("a success with a reason")
			}
			if ex.code != 1000 || ex.reason != "Done" {
				t.Errorf("close = %d %q, want 1000 \"Done\"", ex.code, ex.reason)
			}
			if tt.golden != "" {
				golden(t, tt.golden, ex.raw)
			}
		})
	}
}
