//go:build !js

package eimzo_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/wasm/eimzo/eimzotest"
)

// vectors is testdata/certificate-vectors.json, which the browser tests
// of the TypeScript helpers read too.
type vectors struct {
	Roles []struct {
		Name string            `json:"name"`
		Cert map[string]string `json:"cert"`
		Role eimzo.Role        `json:"role"`
	} `json:"roles"`
	Status []struct {
		Name      string     `json:"name"`
		ValidFrom *time.Time `json:"validFrom"`
		ValidTo   *time.Time `json:"validTo"`
		Now       time.Time  `json:"now"`
		Status    string     `json:"status"`
		DaysLeft  int        `json:"daysLeft"`
	} `json:"status"`
}

func readVectors(t *testing.T) vectors {
	t.Helper()
	var v vectors
	if err := json.Unmarshal(readFile(t, "certificate-vectors.json"), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Roles) < 5 || len(v.Status) < 5 {
		t.Fatal("the vectors file is nearly empty")
	}
	return v
}

func TestRolesFromSharedVectors(t *testing.T) {
	for _, v := range readVectors(t).Roles {
		got := eimzo.RoleOf(v.Cert["TIN"], v.Cert["UID"], v.Cert["O"])
		if got != v.Role {
			t.Errorf("%s: %s, want %s", v.Name, got, v.Role)
		}
		c := eimzo.Certificate{TIN: v.Cert["TIN"], UID: v.Cert["UID"], O: v.Cert["O"]}
		if c.IsLegalEntity() != (v.Role == eimzo.RoleLegal) || c.IsYATT() != (v.Role == eimzo.RoleYATT) || c.IsPhysicalPerson() == (v.Role == eimzo.RoleLegal) {
			t.Errorf("%s: flags disagree with the role", v.Name)
		}
	}
}

func TestStatusFromSharedVectors(t *testing.T) {
	for _, v := range readVectors(t).Status {
		var from, to time.Time
		if v.ValidFrom != nil {
			from = *v.ValidFrom
		}
		if v.ValidTo != nil {
			to = *v.ValidTo
		}
		got := eimzo.StatusOf(from, to, v.Now)
		if got.State != v.Status || got.DaysLeft != v.DaysLeft {
			t.Errorf("%s: %+v, want %s %d", v.Name, got, v.Status, v.DaysLeft)
		}
	}
}

// TestAliasesEIMZOClientGetsWrong lists aliases that break the official
// client's parser (PROTOCOL.md §5.2, §11.2 points 4 and 11) and checks the
// fields that come out.
func TestAliasesEIMZOClientGetsWrong(t *testing.T) {
	tests := []struct {
		name, alias string
		want        eimzo.Certificate
	}{
		{
			name:  "a comma and an x= inside the organisation name",
			alias: `cn=aliyev vali,o="mchj, x=test o‘zbek",uid=412345678,1.2.860.3.16.1.2=30101900000011,1.2.860.3.16.1.1=301234567,serialnumber=77ebb2ed,validfrom=2023.02.16 17:09:57,validto=2025.02.16 23:59:59`,
			want:  eimzo.Certificate{CN: "ALIYEV VALI", O: `"MCHJ, X=TEST O‘ZBEK"`, UID: "412345678", TIN: "301234567", PINFL: "30101900000011", SerialNumber: "77EBB2ED"},
		},
		{
			name:  "Cyrillic title and names, apostrophes",
			alias: "cn=олимов олим,name=олим,surname=олимов,t=директор,o=oʻzbekiston ʼtest‘,uid=412345678,1.2.860.3.16.1.2=31111111111111,serialnumber=1f,validfrom=2025.01.01 00:00:00,validto=2026.01.01 00:00:00",
			want:  eimzo.Certificate{CN: "ОЛИМОВ ОЛИМ", GivenName: "ОЛИМ", Surname: "ОЛИМОВ", T: "ДИРЕКТОР", O: "OʻZBEKISTON ʼTEST‘", UID: "412345678", TIN: "412345678", PINFL: "31111111111111", SerialNumber: "1F"},
		},
		{
			name:  "no TIN and no PINFL: kept, not hidden",
			alias: "cn=test,serialnumber=2,validfrom=2025.01.01 00:00:00,validto=2026.01.01 00:00:00",
			want:  eimzo.Certificate{CN: "TEST", SerialNumber: "2"},
		},
	}
	listing := `{"success":true,"status":1,"certificates":[`
	for i, tt := range tests {
		if i > 0 {
			listing += ","
		}
		b, _ := json.Marshal(tt.alias)
		listing += `{"disk":"C:\\","path":"DSKEYS","name":"DS` + string(rune('0'+i)) + `","alias":` + string(b) + `}`
	}
	listing += "]}"
	d := eimzotest.Answering(t, "", map[string]string{"pfx.list_all_certificates": listing})
	certs, err := eimzo.New(eimzo.WithURL(d.URL)).ListKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != len(tests) {
		t.Fatalf("listed %d", len(certs))
	}
	for i, tt := range tests {
		got := certs[i]
		if got.Alias != tt.alias || got.Disk != `C:\` || got.Path != "DSKEYS" {
			t.Errorf("%s: the key's location changed: %+v", tt.name, got)
		}
		w := tt.want
		if got.CN != w.CN || got.O != w.O || got.T != w.T || got.UID != w.UID || got.TIN != w.TIN || got.PINFL != w.PINFL || got.SerialNumber != w.SerialNumber || got.GivenName != w.GivenName || got.Surname != w.Surname {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, w)
		}
	}
	// Dates are Tashkent time (UTC+5), whatever the machine's zone.
	if want := time.Date(2025, 2, 16, 18, 59, 59, 0, time.UTC); !certs[0].ValidTo.Equal(want) {
		t.Errorf("validTo %v, want %v", certs[0].ValidTo, want)
	}
	if !strings.Contains(certs[0].Alias, "x=test") {
		t.Error("the alias was changed")
	}
}
