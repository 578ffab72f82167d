// Command eimzo-web is the eimzokit backend: challenge login with JWT
// sessions, CMS verification (with time-stamps and revocation), the
// e-signature verification API (seeds/002), E-IMZO-SERVER's API shapes,
// and the demo page.
//
// Usage:
//
//	eimzo-web -trust ROOTS.pem [-addr localhost:8080] [-assets js/dist] [-daemon-url URL]
//	          [-redis URL] [-audit PATH] [-jwt-key PEM] [-origin https://app.uz,…]
//	          [-tsa URL] [-ocsp URL,…] [-crl URL,…] [-revocation require|soft-fail|off]
//	          [-access-config FILE | -access-jwks URL -access-keys PEM,… -access-issuer ISS -access-audience AUD]
//
// Run with -h for every flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/eimzokit/eimzokit/web/audit"
	"github.com/eimzokit/eimzokit/web/auth"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/revocation"
	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/store"
	"github.com/eimzokit/eimzokit/web/tsp"
	"github.com/eimzokit/eimzokit/web/verify"
)

// DefaultTSA is daemon-sim's time-stamping authority, where eimzo-sim
// mounts its PKI services (daemon-sim/pkisvc) under /pki.
const DefaultTSA = "http://127.0.0.1:64646/pki/tsa"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "eimzo-web:", err)
		os.Exit(1)
	}
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func run(args []string) error {
	fs := flag.NewFlagSet("eimzo-web", flag.ContinueOnError)
	addr := fs.String("addr", "localhost:8080", "listen address")
	trust := fs.String("trust", "", "PEM file of trust anchors (eimzo-sim's DIR/pki/root.pem for the test PKI)")
	inter := fs.String("intermediates", "", "PEM file of extra CA certificates for chain building")
	assets := fs.String("assets", "js/dist", "the npm package's dist/ folder, served under /eimzokit/")
	daemonURL := fs.String("daemon-url", "", "the daemon's WebSocket URL for the demo page (default: the client's default)")
	origins := fs.String("origin", "", "comma-separated browser origins allowed to log in (default: the request's own)")
	redisURL := fs.String("redis", "", "Redis URL for challenges and sessions (redis://host:port/db, unix:///path); default in memory")
	auditPath := fs.String("audit", "-", "audit log file (JSON lines, appended); - for stderr")
	jwtKey := fs.String("jwt-key", "", "PEM private key (ES256 P-256 or RS256) for session JWTs; default a fresh key per start")
	issuer := fs.String("jwt-issuer", "eimzokit", "JWT iss")
	audience := fs.String("jwt-audience", "eimzokit", "JWT aud")
	sessionTTL := fs.Duration("session-ttl", auth.DefaultSessionTTL, "session JWT lifetime (15m to 30m)")
	refreshTTL := fs.Duration("refresh-ttl", auth.DefaultRefreshTTL, "refresh-token family lifetime")
	challengeTTL := fs.Duration("challenge-ttl", auth.DefaultChallengeTTL, "login challenge lifetime (at most 5m)")
	tsaURL := fs.String("tsa", DefaultTSA, `RFC 3161 authority for /api/timestamp and /frontend/timestamp/pkcs7 ("" disables)`)
	ocspURLs := fs.String("ocsp", "", "comma-separated OCSP responders asked before the certificates' own")
	crlURLs := fs.String("crl", "", "comma-separated CRL URLs consulted before the certificates' own")
	policy := fs.String("revocation", "require", "require (no fresh status: INDETERMINATE), soft-fail (pass, noted) or off")
	signTimeout := fs.Duration("sign-timeout", server.DefaultSignTimeout, "seeds/002 officer/citizen: signed within this of now")
	ownerTimeout := fs.Duration("owner-timeout", server.DefaultOwnerTimeout, "seeds/002 owner: signed within this of now")
	access := addAccessFlags(fs)
	vpnKeyCert := fs.String("vpn-key-cert", "", "PEM certificate that GET /ping and /info report as E-IMZO-SERVER's vpnKeyInfo (default: {})")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if *trust == "" {
		return errors.New("-trust is required: give the trust anchors' PEM file")
	}
	pemBytes, err := os.ReadFile(*trust)
	if err != nil {
		return err
	}
	roots, err := verify.ParseRoots(pemBytes)
	if err != nil {
		return fmt.Errorf("%s: %v", *trust, err)
	}
	vopts := []verify.Option{verify.WithRoots(roots...)}
	if *inter != "" {
		b, err := os.ReadFile(*inter)
		if err != nil {
			return err
		}
		certs, err := verify.ParseRoots(b)
		if err != nil {
			return fmt.Errorf("%s: %v", *inter, err)
		}
		vopts = append(vopts, verify.WithIntermediates(certs...))
	}
	reg := sigalg.Default()
	switch *policy {
	case "require", "soft-fail":
		p := verify.Require
		if *policy == "soft-fail" {
			p = verify.SoftFail
		}
		chk := revocation.New(reg, revocation.WithOCSP(list(*ocspURLs)...), revocation.WithCRL(list(*crlURLs)...))
		vopts = append(vopts, verify.WithRevocation(chk, p))
	case "off":
		logger.Warn("revocation is not checked (-revocation off)")
	default:
		return fmt.Errorf("-revocation %q: want require, soft-fail or off", *policy)
	}
	vopts = append(vopts, verify.WithAlgorithms(reg))

	var st store.Store = store.NewMemory()
	if *redisURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		st, err = store.OpenRedis(ctx, *redisURL)
		cancel()
		if err != nil {
			return err
		}
		logger.Info("challenges and sessions in Redis")
	}
	defer st.Close()
	var key *auth.Key
	if *jwtKey != "" {
		b, err := os.ReadFile(*jwtKey)
		if err != nil {
			return err
		}
		if key, err = auth.LoadKey(b); err != nil {
			return err
		}
	} else {
		if key, err = auth.GenerateKey(); err != nil {
			return err
		}
		logger.Warn("no -jwt-key: generated a fresh ES256 key; sessions end when this process does, and instances do not share them", "kid", key.ID)
	}
	as, err := auth.New(st, key, auth.WithIssuer(*issuer), auth.WithAudience(*audience), auth.WithSessionTTL(*sessionTTL),
		auth.WithRefreshTTL(*refreshTTL), auth.WithChallengeTTL(*challengeTTL))
	if err != nil {
		return err
	}
	var auditW io.Writer = os.Stderr
	if *auditPath != "-" {
		f, err := os.OpenFile(*auditPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		auditW = f
	}
	cfg := server.Config{Verifier: verify.New(vopts...), Auth: as, Audit: audit.New(auditW, nil), Origins: list(*origins),
		AssetsDir: *assets, DaemonURL: *daemonURL, Logger: logger, SignTimeout: *signTimeout, OwnerTimeout: *ownerTimeout}
	if *tsaURL != "" {
		cfg.TSA = &tsp.Client{URL: *tsaURL, HTTP: &http.Client{Timeout: 20 * time.Second}}
	}
	if cfg.Access, err = access.verifier(logger); err != nil {
		return err
	}
	if *vpnKeyCert != "" {
		b, err := os.ReadFile(*vpnKeyCert)
		if err != nil {
			return err
		}
		certs, err := verify.ParseRoots(b)
		if err != nil {
			return fmt.Errorf("-vpn-key-cert %s: %v", *vpnKeyCert, err)
		}
		cfg.VPNKeyCert = certs[0]
	}
	h, err := server.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	fmt.Printf("eimzo-web: http://%s ready\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(shutdown)
}
