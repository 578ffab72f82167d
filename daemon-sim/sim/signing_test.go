package sim_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

// TestKeySigning: a key issued through the control API with a signing
// (POST /v1/keys "signing") and a device plugged with one sign over the
// wire (create_pkcs7) with that digest and padding, and the CMS checks
// with the shared CMS layer; signings a key cannot do are refused before
// anything is issued.
func TestKeySigning(t *testing.T) {
	s := simtest.Start(t, simtest.WithControl())
	ctl(t, s, "POST", "/v1/keys", `{"key_type":"rsa2048","name":"DSPSS","signing":"pss-sha384"}`, 201, nil)
	ctl(t, s, "POST", "/v1/devices", `{"kind":"idcard","key_type":"p256","signing":"sha512"}`, 201, nil)
	var pssKey keyFile
	for _, k := range listKeysN(t, s.URL, 7) {
		if k.Name == "DSPSS" {
			pssKey = k
		}
	}
	tests := []struct {
		name, id     string
		digest, alg  string
		pssParamsSet bool
	}{
		{"PSS key file", loadKey(t, s.URL, pssKey), sigalg.OIDSHA384.String(), sigalg.OIDRSASSAPSS.String(), true},
		{"ID card", "idcard", sigalg.OIDSHA512.String(), sigalg.OIDECDSAWithSHA512.String(), false},
	}
	for _, tt := range tests {
		r := mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", base64.StdEncoding.EncodeToString([]byte("hujjat")), tt.id, "no"))
		der, _ := base64.StdEncoding.DecodeString(r.Field("pkcs7_64"))
		sd, err := cms.Parse(der)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		si := sd.Signers[0]
		if si.DigestAlgorithm.Algorithm.String() != tt.digest || si.SignatureAlgorithm.Algorithm.String() != tt.alg ||
			(len(si.SignatureAlgorithm.Parameters.FullBytes) > 0) != tt.pssParamsSet {
			t.Errorf("%s: digest %v, signature %v %x", tt.name, si.DigestAlgorithm.Algorithm, si.SignatureAlgorithm.Algorithm, si.SignatureAlgorithm.Parameters.FullBytes)
		}
		d, _ := sigalg.Default().Sum(si.DigestAlgorithm.Algorithm, sd.Content)
		if err := si.CheckDigest(sigalg.Default(), sd.Certificates[0], sd.ContentType, d); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}

	for _, body := range []string{
		`{"key_type":"p256","signing":"pss-sha256"}`,
		`{"key_type":"rsa2048","signing":"sha1"}`,
		`{"key_type":"gost","signing":"sha384"}`,
		`{"kind":"idcard","key_type":"p256","signing":"pss-sha512"}`,
	} {
		path := "/v1/keys"
		if strings.Contains(body, "kind") {
			path = "/v1/devices"
		}
		var out struct{ Error struct{ Code, Message string } }
		ctl(t, s, "POST", path, body, 400, &out)
		if out.Error.Code != "BAD_REQUEST" || !strings.Contains(out.Error.Message, "sign") {
			t.Errorf("%s: %+v", body, out.Error)
		}
	}
	listKeysN(t, s.URL, 7) // the refused keys were not issued
}
