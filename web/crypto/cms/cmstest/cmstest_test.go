package cmstest_test

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/cms/cmstest"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
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
	tok, err := cmstest.Token([]byte("signature"), cms.Signer{Key: tsa.Key, Certificate: tsa.Cert}, at)
	if err != nil {
		t.Fatal(err)
	}
	sd, info, err := cms.ParseTimeStampToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte("signature"))
	if !bytes.Equal(info.HashedMessage, want[:]) || !info.GenTime.Equal(at) || !info.HashAlgorithm.Algorithm.Equal(sigalg.OIDSHA256) {
		t.Errorf("TSTInfo %+v", info)
	}
	// RFC 5652 §5.1: a SignedData over something other than id-data is version 3.
	if sd.Version != 3 || !sd.ContentType.Equal(cms.OIDTSTInfo) {
		t.Errorf("token SignedData version %d, content type %v", sd.Version, sd.ContentType)
	}
	if _, err := cmstest.TokenForImprint(sigalg.OIDSHA256, nil, cms.Signer{Key: tsa.Key, Certificate: tsa.Cert}, at); err == nil {
		t.Error("an empty imprint was accepted")
	}
}
