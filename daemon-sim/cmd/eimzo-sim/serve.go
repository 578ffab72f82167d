package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("serve", stderr)
	wsAddr := fs.String("ws", "127.0.0.1:64646", "plain WebSocket listener (loopback only; empty to disable)")
	wssAddr := fs.String("wss", "127.0.0.1:64443", "TLS WebSocket listener (loopback only; empty to disable)")
	control := fs.String("control", "", "control API listener, HTTP + JSON (loopback only; off when empty)")
	dev := fs.Bool("dev", false, "developer mode: let every domain call every function")
	allow := fs.String("allow", "", "comma-separated domains authorised without an API key (test override)")
	profile := fs.String("profile", "v6", "daemon generation: v6, or v5 (ftjc, timestamps, co-signing, no status)")
	version := fs.String("version", "", "version to report, e.g. 6.4.7 or 3.20 (default: the profile's)")
	lang := fs.String("lang", "ru", "language of reasons: ru or uz")
	layout := fs.String("layout", "windows", "how the keys folder appears: windows (C:\\ DSKEYS), linux (/media/ DSKEYS) or macos (/Volumes/, listed twice)")
	extra := fs.Bool("extra-keys", false, "also make a revoked key and a key without TIN/PINFL")
	gostKeys := fs.Bool("gost", false, "also make the GOST test PKI (DIR/pki-gost) and two O'zDSt 1092 (GOST) keys, as real E-IMZO keys are")
	quiet := fs.Bool("quiet", false, "do not log calls")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, a := range []string{*wsAddr, *wssAddr, *control} {
		if a != "" {
			if err := checkLoopback(a); err != nil {
				return err
			}
		}
	}
	prof, err := sim.ParseProfile(*profile)
	if err != nil {
		return err
	}
	lay, err := softtoken.ParseLayout(*layout)
	if err != nil {
		return err
	}
	if *lang != "ru" && *lang != "uz" {
		return fmt.Errorf("-lang %q: want ru or uz", *lang)
	}
	data, err := sim.OpenData(*dir, nil, softtoken.WithLayout(lay))
	if err != nil {
		return err
	}
	if *extra {
		if err := sim.AddExtraKeys(data); err != nil {
			return err
		}
	}
	if *gostKeys {
		if err := sim.AddGOSTKeys(data); err != nil {
			return err
		}
	}
	for _, s := range data.Store.Skipped() {
		fmt.Fprintln(stderr, "eimzo-sim: skipped key file", s)
	}
	logLevel := slog.LevelInfo
	if *quiet {
		logLevel = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel}))
	// The PKI's TSA, OCSP responder and CRLs, on the daemon's ports under
	// /pki (eimzo-web's default -tsa is http://127.0.0.1:64646/pki/tsa).
	svc, err := pkisvc.New(data.PKI)
	if err != nil {
		return err
	}
	opts := []sim.Option{sim.WithDeveloperMode(*dev), sim.WithLogger(logger), sim.WithProfile(prof),
		sim.WithLanguage(capiws.Lang(*lang)), sim.WithPKI(data.PKI, filepath.Join(data.Dir, sim.PKIDir)), sim.WithServices(svc)}
	if data.GOST != nil {
		opts = append(opts, sim.WithGOSTPKI(data.GOST, filepath.Join(data.Dir, sim.GOSTPKIDir)))
	}
	if *allow != "" {
		opts = append(opts, sim.WithAllowedDomains(strings.Split(*allow, ",")...))
	}
	if *version != "" {
		v, err := parseVersion(*version, prof)
		if err != nil {
			return err
		}
		opts = append(opts, sim.WithVersion(v))
	}
	srv := sim.New(data.Store, opts...)

	errc := make(chan error, 3)
	var servers []*http.Server
	listen := func(addr, flagName string) (net.Listener, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, hinted{err, "is the real E-IMZO, or another eimzo-sim, already running? Pick another address with -" + flagName + "."}
		}
		return ln, nil
	}
	if *wsAddr != "" {
		ln, err := listen(*wsAddr, "ws")
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, hs)
		go func() { errc <- hs.Serve(ln) }()
		anchors := data.RootPath()
		if data.GOST != nil {
			anchors += ", GOST " + data.GOSTRootPath()
		}
		fmt.Fprintf(stdout, "eimzo-sim: ws://%s/service/cryptapi ready (data %s, trust anchor %s)\n", ln.Addr(), data.Dir, anchors)
		fmt.Fprintf(stdout, "eimzo-sim: PKI services (TSA %s, OCSP %s, CRL %s) under http://%s%s ready\n",
			pkisvc.PathTSA, pkisvc.PathOCSP, pkisvc.PathCACRL, ln.Addr(), sim.ServicesPath)
	}
	if *wssAddr != "" {
		cert, certPath, err := tlsCertificate(filepath.Join(*dir, sim.TLSDir))
		if err != nil {
			return err
		}
		ln, err := listen(*wssAddr, "wss")
		if err != nil {
			return err
		}
		// HTTP/1.1 only: browsers open WebSockets over it.
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second,
			TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}}
		servers = append(servers, hs)
		go func() { errc <- hs.ServeTLS(ln, "", "") }()
		fmt.Fprintf(stdout, "eimzo-sim: wss://%s/service/cryptapi ready (TLS certificate %s)\n", ln.Addr(), certPath)
	}
	if len(servers) == 0 {
		return errors.New("no listener: give -ws or -wss an address")
	}
	if *control != "" {
		ln, err := listen(*control, "control")
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: srv.ControlHandler(), ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, hs)
		go func() { errc <- hs.Serve(ln) }()
		fmt.Fprintf(stdout, "eimzo-sim: control http://%s/v1/state ready\n", ln.Addr())
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, hs := range servers {
		_ = hs.Shutdown(shutdown)
	}
	srv.Close()
	return nil
}

// parseVersion reads "6.4.7" or "3.20".
func parseVersion(s string, p sim.Profile) (sim.Version, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return sim.Version{}, fmt.Errorf("-version %q: want MAJOR.MINOR or MAJOR.MINOR.PATCH", s)
	}
	for _, x := range parts {
		if x == "" || strings.Trim(x, "0123456789") != "" {
			return sim.Version{}, fmt.Errorf("-version %q: want numbers", s)
		}
	}
	v := sim.Version{Major: parts[0], Minor: parts[1]}
	if len(parts) == 3 {
		v.Patch = parts[2]
	}
	if p == sim.V6 {
		v.Edition = "Standard"
	}
	return v, nil
}

// checkLoopback refuses any address that is not a loopback IP or localhost:
// the simulator must never be reachable from another machine.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return hinted{fmt.Errorf("refusing to listen on %q: not a loopback address", addr), "use 127.0.0.1:PORT"}
}

// tlsCertificate loads, or makes on first use, the wss certificate for
// 127.0.0.1 and localhost, so a browser that trusted it once keeps trusting it.
func tlsCertificate(dir string) (tls.Certificate, string, error) {
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		return c, certPath, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "127.0.0.1", Organization: []string{"eimzo-sim TEST"}},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:    []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return tls.Certificate{}, "", err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := testpki.WriteFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, "", err
	}
	if err := testpki.WriteFileAtomic(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, "", err
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	return c, certPath, err
}
