package testpki_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

func TestProfiles(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	p, err := testpki.New(testpki.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		profile            testpki.Profile
		wantPINFL, wantTIN bool
		wantOrgTIN         bool
		wantValidNow       bool
		wantRevoked        bool
	}{
		{testpki.Physical, true, true, false, true, false},
		{testpki.Legal, true, true, true, true, false},
		{testpki.YATT, true, true, false, true, false},
		{testpki.Expired, true, true, false, false, false},
		{testpki.Revoked, true, true, false, true, true},
		{testpki.NoTIN, false, false, false, true, false},
	}
	for i, tt := range tests {
		t.Run(string(tt.profile), func(t *testing.T) {
			id, err := p.Issue(tt.profile, testpki.P256, i+1)
			if err != nil {
				t.Fatal(err)
			}
			a := capiws.ParseAlias(id.Alias())
			if (a.PINFL != "") != tt.wantPINFL || (a.TIN() != "") != tt.wantTIN || (a.OrgTIN != "") != tt.wantOrgTIN {
				t.Errorf("alias %q: PINFL %q TIN %q org %q", id.Alias(), a.PINFL, a.TIN(), a.OrgTIN)
			}
			if valid := now.After(id.Cert.NotBefore) && now.Before(id.Cert.NotAfter); valid != tt.wantValidNow {
				t.Errorf("valid now = %v", valid)
			}
			revoked := false
			for _, r := range p.Revocations() {
				revoked = revoked || r.Serial == id.Cert.SerialNumber.Text(16)
			}
			if revoked != tt.wantRevoked {
				t.Errorf("revoked = %v", revoked)
			}
			if !strings.Contains(strings.ToUpper(id.Alias()), "TEST") {
				t.Errorf("alias does not say TEST: %q", id.Alias())
			}
		})
	}
}

func TestRevocationsSurviveSaveAndLoad(t *testing.T) {
	dir := t.TempDir()
	p, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	id, err := p.Issue(testpki.Revoked, testpki.P256, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	q, err := testpki.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := q.Revocations()
	if len(got) != 1 || got[0].Serial != id.Cert.SerialNumber.Text(16) || got[0].Reason != testpki.ReasonKeyCompromise {
		t.Errorf("revocations after load: %+v", got)
	}
	if _, err := testpki.ParseProfile("nope"); err == nil {
		t.Error("unknown profile accepted")
	}
}
