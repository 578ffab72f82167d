package capiws

import (
	"strings"
	"testing"
)

// Every status with a Russian reason has an Uzbek one with the same
// placeholders, so switching the UI language never loses an argument.
func TestReasonTablesAgree(t *testing.T) {
	ru, uz := reasons[LangRU], reasons[LangUZ]
	if len(ru) != len(uz) {
		t.Errorf("%d Russian reasons, %d Uzbek", len(ru), len(uz))
	}
	for st, r := range ru {
		u, ok := uz[st]
		if !ok {
			t.Errorf("status %v has no Uzbek reason", st)
			continue
		}
		if strings.Count(r, "%s") != strings.Count(u, "%s") {
			t.Errorf("status %v: placeholders differ: %q / %q", st, r, u)
		}
	}
}

func TestReasonFillsArguments(t *testing.T) {
	tests := []struct {
		st   Status
		lang Lang
		args []string
		want string
	}{
		{StatusDomainNotAllowed, LangRU, []string{"evil.uz"}, "API-key для домена evil.uz недействителен."},
		{StatusDomainNotAllowed, LangUZ, []string{"evil.uz"}, "evil.uz domeni uchun API-key yaroqsiz."},
		{StatusPFXIDNotFound, LangRU, []string{"PFX_KEY_STORE"}, "Идентификатор ключа типа 'PFX_KEY_STORE' не найден"},
		{StatusAliasNotFound, LangRU, []string{"cn=x", `C:\DSKEYS\DS1.pfx`}, `Сертификат с именем [cn=x] не найден в PFX-файле C:\DSKEYS\DS1.pfx`},
		{StatusPasswordCancelled, "fr", nil, "Ввод пароля отменен"},
	}
	for _, tt := range tests {
		if got := tt.st.Reason(tt.lang, tt.args...); got != tt.want {
			t.Errorf("%v %s: %q, want %q", tt.st, tt.lang, got, tt.want)
		}
	}
}
