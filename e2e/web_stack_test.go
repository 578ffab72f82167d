package e2e

import (
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/web/audit"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/revocation"
	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/tsp"
	"github.com/eimzokit/eimzokit/web/verify"
)

// webStack is daemon-sim, its PKI's online services (TSA, OCSP, CRLs) and
// the backend with revocation required, each on a free loopback port.
type webStack struct {
	Sim     *simtest.Sim
	PKI     *pkisvc.Service
	PageURL string // http://localhost:PORT
	Audit   *strings.Builder
}

func startWebStack(t *testing.T) *webStack {
	t.Helper()
	s := simtest.Start(t)
	// The simulator serves its PKI's TSA, OCSP responder and CRLs under
	// /pki on its own port; its certificates name no OCSP responder, so the
	// backend is told where it is, as it would be told of a local mirror.
	chk := revocation.New(sigalg.Default(), revocation.WithOCSP(s.PKIURL+pkisvc.PathOCSP))
	log := &strings.Builder{}
	h, err := server.New(server.Config{
		Verifier:  verify.New(verify.WithRoots(s.Data.PKI.Root), verify.WithRevocation(chk, verify.Require)),
		TSA:       &tsp.Client{URL: s.PKIURL + pkisvc.PathTSA},
		Audit:     audit.New(log, nil),
		AssetsDir: assetsDir(t), DaemonURL: s.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &webStack{Sim: s, PKI: s.Services, PageURL: serveLocalhost(t, h), Audit: log}
}
