package cmstest_test

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/cms"
	"github.com/eimzokit/eimzokit/daemon-sim/cms/cmstest"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
)

func TestTokenParses(t *testing.T) {
	p, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	tsa, err := p.Issue(testpki.NoTIN, testpki.P256, 1)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	tok, err := cmstest.Token([]byte("signature"), cms.Signer{Key: tsa.Key, Cert: tsa.Cert}, at)
	if err != nil {
		t.Fatal(err)
	}
	info, err := cms.ParseTimeStampToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte("signature"))
	if !bytes.Equal(info.HashedMessage, want[:]) || !info.GenTime.Equal(at) || !info.HashAlgorithm.Equal(cms.OIDSHA256) {
		t.Errorf("TSTInfo %+v", info)
	}
	if _, err := cmstest.TokenForImprint(cms.OIDSHA256, nil, cms.Signer{Key: tsa.Key, Cert: tsa.Cert}, at); err == nil {
		t.Error("an empty imprint was accepted")
	}
}
