package capiws

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    string // re-encoded, or "" when an error is expected
		wantErr bool
	}{
		{in: `{"success":true,"status":1,"major":"6","minor":"4"}`, want: `{"success":true,"status":1,"major":"6","minor":"4"}`},
		{in: ` [1, -2.5e3, "a", null, false, {}] `, want: `[1,-2.5e3,"a",null,false,{}]`},
		{in: `"\u041f\u0440\u0438\u0432\u0435\u0442 \ud83d\ude00 \ud800"`, want: `"Привет 😀 ` + "\ufffd" + `"`},
		{in: `{"__proto__":{"polluted":1}}`, want: `{"__proto__":{"polluted":1}}`},
		{in: `{"a":1,}`, wantErr: true},
		{in: `{"a" 1}`, wantErr: true},
		{in: `[01]`, wantErr: true},
		{in: `"tab	in string"`, wantErr: true},
		{in: `{"a":1} x`, wantErr: true},
		{in: `"unterminated`, wantErr: true},
		{in: ``, wantErr: true},
		{in: `tru`, wantErr: true},
		{in: strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), wantErr: true},
	}
	for _, tt := range tests {
		v, err := ParseJSON([]byte(tt.in))
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseJSON(%.40q) = nil error, want one", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseJSON(%.40q): %v", tt.in, err)
			continue
		}
		if got := string(v.AppendJSON(nil)); got != tt.want {
			t.Errorf("ParseJSON(%.40q) re-encoded = %s, want %s", tt.in, got, tt.want)
		}
	}
	if _, err := ParseJSON([]byte(strings.Repeat("[", 100))); !errors.Is(err, ErrTooDeep) {
		t.Errorf("deep nesting: got %v, want ErrTooDeep", err)
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\ slash", "ctl\x01\x1f\n\r\t", "Ўзбекистон ʼ‘", "\u2028\u2029", "bad\xffutf8"} {
		got := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("AppendString(%q) = %s, not valid JSON: %v", s, got, err)
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if back != want {
			t.Errorf("AppendString(%q) round trip = %q, want %q", s, back, want)
		}
	}
}

func TestRequestRoundTrip(t *testing.T) {
	tests := []struct {
		req  Request
		want string
	}{
		{Request{Name: "version"}, `{"name":"version"}`},
		{Request{Plugin: "pfx", Name: "list_all_certificates"}, `{"plugin":"pfx","name":"list_all_certificates"}`},
		{Request{Plugin: "pfx", Name: "load_key", Arguments: []string{`C:\`, "DSKEYS", "DS1", "cn=a"}},
			`{"plugin":"pfx","name":"load_key","arguments":["C:\\","DSKEYS","DS1","cn=a"]}`},
	}
	for _, tt := range tests {
		got := string(tt.req.AppendJSON(nil))
		if got != tt.want {
			t.Errorf("AppendJSON = %s, want %s", got, tt.want)
		}
		back, err := ParseRequest([]byte(got))
		if err != nil {
			t.Fatalf("ParseRequest(%s): %v", got, err)
		}
		if back.Plugin != tt.req.Plugin || back.Name != tt.req.Name || len(back.Arguments) != len(tt.req.Arguments) {
			t.Errorf("ParseRequest(%s) = %+v, want %+v", got, back, tt.req)
		}
		if n := tt.req.Size(); n < len(got) {
			t.Errorf("Size() = %d, shorter than the frame (%d)", n, len(got))
		}
	}
}

func TestParseRequestRejects(t *testing.T) {
	for _, in := range []string{`[]`, `{"plugin":"pfx"}`, `{"name":1}`, `{"name":"x","arguments":"a"}`, `{"name":"x","arguments":[1]}`, `{"name":"x","plugin":{}}`} {
		if _, err := ParseRequest([]byte(in)); !errors.Is(err, ErrNotRequest) {
			t.Errorf("ParseRequest(%s) = %v, want ErrNotRequest", in, err)
		}
	}
	var se *SyntaxError
	if _, err := ParseRequest([]byte(`{"name":`)); !errors.As(err, &se) {
		t.Errorf("ParseRequest(truncated) = %v, want *SyntaxError", err)
	}
}

func TestReplyFields(t *testing.T) {
	r, err := ParseReply([]byte(`{"success":false,"status":-1022,"reason":"API-key для домена example.uz недействителен."}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Success() {
		t.Error("Success() = true")
	}
	if s, ok := r.Status(); !ok || s != StatusDomainNotAllowed {
		t.Errorf("Status() = %v, %v", s, ok)
	}
	if got, want := r.Reason(), StatusDomainNotAllowed.Reason(LangRU, "example.uz"); got != want {
		t.Errorf("Reason() = %q, want %q", got, want)
	}
	old, _ := ParseReply([]byte(`{"success":"true"}`))
	if old.Success() {
		t.Error(`"success":"true" (a string) must not count as success`)
	}
	if _, ok := old.Status(); ok {
		t.Error("Status() reported a status that is absent")
	}
}

func TestStatusReason(t *testing.T) {
	if got := StatusAliasNotFound.Reason(LangRU, "cn=x", "/keys/DS1.pfx"); got != "Сертификат с именем [cn=x] не найден в PFX-файле /keys/DS1.pfx" {
		t.Errorf("got %q", got)
	}
	if got := StatusPasswordCancelled.Reason("xx"); got != "Ввод пароля отменен" {
		t.Errorf("unknown language should fall back to Russian, got %q", got)
	}
	if StatusPasswordCancelled.Reason(LangUZ) == StatusPasswordCancelled.Reason(LangRU) {
		t.Error("Uzbek reason equals the Russian one")
	}
}

func TestParseAlias(t *testing.T) {
	tests := []struct {
		name  string
		alias string
		check func(t *testing.T, a Alias)
	}{
		{
			name:  "individual",
			alias: "cn=test testov,name=test,surname=testov,l=chilonzor tumani,st=toshkent shahri,c=uz,uid=123456789,1.2.860.3.16.1.2=31234567890123,serialnumber=785d0338,validfrom=2024.05.01 17:49:48,validto=2026.05.01 17:49:48",
			check: func(t *testing.T, a Alias) {
				want := Alias{CN: "test testov", Name: "test", Surname: "testov", L: "chilonzor tumani", ST: "toshkent shahri", C: "uz", UID: "123456789", PINFL: "31234567890123", SerialNumber: "785d0338"}
				if a.CN != want.CN || a.Name != want.Name || a.Surname != want.Surname || a.L != want.L || a.ST != want.ST || a.UID != want.UID || a.PINFL != want.PINFL || a.SerialNumber != want.SerialNumber {
					t.Errorf("got %+v", a)
				}
				if a.TIN() != "123456789" {
					t.Errorf("TIN() = %q, want the UID", a.TIN())
				}
				if !a.ValidTo.Equal(time.Date(2026, 5, 1, 12, 49, 48, 0, time.UTC)) {
					t.Errorf("ValidTo = %v, want 2026-05-01 12:49:48 UTC (17:49:48 in Tashkent)", a.ValidTo)
				}
			},
		},
		{
			name:  "legal entity with Cyrillic title, apostrophe and a comma in the organisation",
			alias: "cn=aliyev vali,name=vali,surname=aliyev,c=uz,o=\"mchj, o‘zbek-test\",uid=987654321,1.2.860.3.16.1.2=30101900000011,t=директор,1.2.860.3.16.1.1=301234567,businesscategory=masʼuliyati cheklangan jamiyat,serialnumber=77ebb2ed,validfrom=2023.02.16 17:09:57,validto=2025.02.16 23:59:59",
			check: func(t *testing.T, a Alias) {
				if a.O != "\"mchj, o‘zbek-test\"" {
					t.Errorf("O = %q", a.O)
				}
				if a.T != "директор" || a.OrgTIN != "301234567" || a.TIN() != "301234567" {
					t.Errorf("T=%q OrgTIN=%q TIN=%q", a.T, a.OrgTIN, a.TIN())
				}
				if a.BusinessCategory != "masʼuliyati cheklangan jamiyat" {
					t.Errorf("BusinessCategory = %q", a.BusinessCategory)
				}
			},
		},
		{
			name:  "a comma followed by x= inside a value stays in the value",
			alias: "cn=a,o=foo,x=bar,serialnumber=1,validfrom=bad,validto=2026.01.01 00:00:00",
			check: func(t *testing.T, a Alias) {
				if a.O != "foo,x=bar" {
					t.Errorf("O = %q", a.O)
				}
				if !a.ValidFrom.IsZero() {
					t.Errorf("bad date parsed as %v", a.ValidFrom)
				}
			},
		},
		{
			name:  "first PINFL wins",
			alias: "cn=a,1.2.860.3.16.1.2=11111111111111,1.2.860.3.16.1.2=22222222222222",
			check: func(t *testing.T, a Alias) {
				if a.PINFL != "11111111111111" {
					t.Errorf("PINFL = %q", a.PINFL)
				}
			},
		},
		{name: "empty", alias: "", check: func(t *testing.T, a Alias) {
			if len(a.Fields) != 0 {
				t.Errorf("fields = %v", a.Fields)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, ParseAlias(tt.alias)) })
	}
}

func TestFormatAliasRoundTrip(t *testing.T) {
	from := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	to := from.AddDate(2, 0, 0)
	s := FormatAlias([]AliasField{{"CN", "TEST Testov"}, {"O", "a, b"}, {OIDPINFL, "31234567890123"}, {"T", ""}}, "7283D8CA", from, to)
	want := "cn=test testov,o=a  b,1.2.860.3.16.1.2=31234567890123,serialnumber=7283d8ca,validfrom=2025.01.02 08:04:05,validto=2027.01.02 08:04:05"
	if s != want {
		t.Fatalf("FormatAlias =\n %s\nwant\n %s", s, want)
	}
	a := ParseAlias(s)
	if !a.ValidFrom.Equal(from) || !a.ValidTo.Equal(to) || a.PINFL != "31234567890123" || a.SerialNumber != "7283d8ca" {
		t.Errorf("round trip = %+v", a)
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{`{"name":"version"}`, `{"plugin":"pfx","name":"load_key","arguments":["C:\\","DSKEYS","DS1","cn=a"]}`, `{"name":"\ud800"}`, `[]`, `{"a":[[[[{}]]]]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		r, err := ParseRequest(frame)
		if err != nil {
			return
		}
		// Whatever parses must re-encode to a frame that parses to the same request.
		back, err := ParseRequest(r.AppendJSON(nil))
		if err != nil {
			t.Fatalf("re-encoded request does not parse: %v", err)
		}
		if back.Name != r.Name || back.Plugin != r.Plugin || len(back.Arguments) != len(r.Arguments) {
			t.Fatalf("round trip changed the request: %+v → %+v", r, back)
		}
	})
}

func FuzzParseAlias(f *testing.F) {
	f.Add("cn=a,name=b,1.2.860.3.16.1.2=1,serialnumber=ff,validfrom=2024.05.01 17:49:48,validto=2026.05.01 17:49:48")
	f.Add(",,==,=,cn=")
	f.Fuzz(func(t *testing.T, s string) {
		a := ParseAlias(s)
		for _, fl := range a.Fields {
			if strings.ContainsRune(fl.Key, ',') && isKey(fl.Key) {
				t.Fatalf("key %q contains a separator", fl.Key)
			}
		}
	})
}
