package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/revocation"
	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/verify"
)

// TestSimulatorRevokedKey signs through eimzo-sim's wire protocol with its
// revoked extra key and with a good key, and posts both to /api/verify of a
// backend that requires revocation status from the simulator's own PKI
// services (OCSP, then the CRL), over real HTTP on the daemon's port: the
// revoked key's signature is CERT_REVOKED, the good one passes.
func TestSimulatorRevokedKey(t *testing.T) {
	s := simtest.Start(t, simtest.WithExtraKeys())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := eimzo.New(eimzo.WithURL(s.URL))
	keys, err := client.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byCN := map[string]eimzo.Certificate{}
	for _, k := range keys {
		byCN[k.CN] = k
	}
	revoked, ok := byCN[testpki.DefaultPerson(testpki.Revoked, 0).CN]
	good, ok2 := byCN[testpki.DefaultPerson(testpki.Physical, 0).CN]
	if !ok || !ok2 {
		t.Fatalf("keys %v", byCN)
	}
	sign := func(k eimzo.Certificate) string {
		res, err := client.Sign(ctx, k, eimzo.Bytes("hujjat"), eimzo.SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return res.PKCS7.String()
	}
	revokedSig, goodSig := sign(revoked), sign(good)

	for _, src := range []struct {
		name string
		opt  revocation.Option
	}{
		{"OCSP", revocation.WithOCSP(s.PKIURL + pkisvc.PathOCSP)},
		{"CRL", revocation.WithCRL(s.PKIURL+pkisvc.PathCACRL, s.PKIURL+pkisvc.PathRootCRL)},
	} {
		t.Run(src.name, func(t *testing.T) {
			before := s.Services.Requests()
			v := verify.New(verify.WithRoots(s.Data.PKI.Root),
				verify.WithRevocation(revocation.New(sigalg.Default(), src.opt), verify.Require))
			h, err := server.New(server.Config{Verifier: v})
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(h)
			defer hs.Close()
			post := func(p7 string) (int, map[string]any) {
				body, _ := json.Marshal(map[string]string{"pkcs7": p7})
				resp, err := http.Post(hs.URL+"/api/verify", "application/json", bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
					t.Fatal(err)
				}
				return resp.StatusCode, out
			}
			status, out := post(revokedSig)
			if status != http.StatusUnprocessableEntity || out["code"] != string(verify.CodeRevoked) || out["subIndication"] != verify.SubRevokedNoPOE {
				t.Errorf("revoked key: %d %v %v", status, out["code"], out["subIndication"])
			}
			if status, out := post(goodSig); status != http.StatusOK || out["valid"] != true {
				t.Errorf("good key: %d %v %v", status, out["code"], out["message"])
			}
			after := s.Services.Requests()
			if after.OCSP+after.CRL <= before.OCSP+before.CRL {
				t.Errorf("the simulator's %s was not asked: %+v → %+v", src.name, before, after)
			}
		})
	}
}
