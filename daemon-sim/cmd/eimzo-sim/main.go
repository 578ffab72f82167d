// Command eimzo-sim simulates the E-IMZO desktop daemon: the same WebSocket
// protocol on ws://127.0.0.1:64646 and wss://127.0.0.1:64443, backed by
// software keys from a test PKI, with a simulated user at the password
// dialog and a control API for tests. It listens on loopback only.
//
// Usage:
//
//	eimzo-sim [serve] [-ws ADDR] [-wss ADDR] [-control ADDR] [-dir DIR] [-profile v6|v5]
//	          [-version X.Y[.Z]] [-lang ru|uz] [-layout windows|linux|macos] [-dev] [-allow DOMAINS]
//	          [-extra-keys] [-gost] [-quiet]
//	eimzo-sim keygen [-dir DIR] [-profile P] [-key rsa2048|p256|gost] [-name NAME] [-password PW] [subject flags]
//	eimzo-sim import [-dir DIR] [-name NAME] -password PW FILE.p12
//	eimzo-sim list [-dir DIR]
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
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "eimzo-sim:", err)
		var h hinted
		if errors.As(err, &h) {
			fmt.Fprintln(os.Stderr, "hint:", h.hint)
		}
		os.Exit(1)
	}
}

type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() }
func (h hinted) Unwrap() error { return h.err }

const usage = `eimzo-sim: the E-IMZO daemon simulator (TEST keys only)

  eimzo-sim [serve] [flags]   run the daemon (default)
  eimzo-sim keygen [flags]    issue a new TEST key into DIR/keys
  eimzo-sim import [flags] F  copy a PKCS#12 file (OpenSSL 3 default or -legacy) into DIR/keys
  eimzo-sim list [flags]      list the keys of DIR/keys

Run "eimzo-sim COMMAND -h" for a command's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "keygen":
		return keygen(args, stdout, stderr)
	case "import":
		return importKey(args, stdout, stderr)
	case "list":
		return list(args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("eimzo-sim "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", defaultDir(), "data folder: test PKI in pki/, key files in keys/; filled on first use")
	return fs, dir
}

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

func keygen(args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("keygen", stderr)
	profile := fs.String("profile", "physical", "physical, legal, yatt, expired, revoked or notin")
	key := fs.String("key", "rsa2048", "rsa2048, p256, or gost (from the GOST test PKI, made on first use)")
	name := fs.String("name", "", "file name, [A-Z0-9] (default DS<PINFL>)")
	password := fs.String("password", sim.DefaultPassword, "the key's password (recorded in keys/passwords.json)")
	days := fs.Int("days", 0, "validity in days from now (default: the profile's)")
	var p testpki.Person
	fs.StringVar(&p.CN, "cn", "", "subject: common name (replaces the profile's TEST person)")
	fs.StringVar(&p.Name, "given", "", "subject: given name")
	fs.StringVar(&p.Surname, "surname", "", "subject: surname")
	fs.StringVar(&p.L, "l", "", "subject: locality")
	fs.StringVar(&p.ST, "st", "", "subject: region")
	fs.StringVar(&p.O, "org", "", "subject: organisation")
	fs.StringVar(&p.T, "title", "", "subject: title")
	fs.StringVar(&p.UID, "uid", "", "subject: personal TIN (9 digits)")
	fs.StringVar(&p.PINFL, "pinfl", "", "subject: PINFL (14 digits)")
	fs.StringVar(&p.OrgTIN, "org-tin", "", "subject: organisation TIN (9 digits)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	prof, err := testpki.ParseProfile(*profile)
	if err != nil {
		return err
	}
	kt, err := testpki.ParseKeyType(*key)
	if err != nil {
		return err
	}
	data, err := sim.OpenData(*dir, nil)
	if err != nil {
		return err
	}
	spec := sim.KeySpec{Name: *name, Profile: prof, KeyType: kt, Password: *password}
	if p != (testpki.Person{}) {
		if p.CN == "" {
			return errors.New("keygen: a custom subject needs -cn")
		}
		spec.Person = &p
	}
	if *days > 0 {
		from, to := time.Now().Add(-time.Hour), time.Now().AddDate(0, 0, *days)
		spec.NotBefore, spec.NotAfter = &from, &to
	}
	ca, caDir := data.PKI, filepath.Join(data.Dir, sim.PKIDir)
	if kt == testpki.GOST {
		if ca, err = data.OpenGOSTPKI(); err != nil {
			return err
		}
		caDir = filepath.Join(data.Dir, sim.GOSTPKIDir)
	}
	k, err := sim.AddIssuedKey(data.Store, ca, caDir, spec)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\t%s%s\t%s\n", k.Name, k.Disk, k.Path, k.Alias)
	return nil
}

func importKey(args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("import", stderr)
	name := fs.String("name", "", "file name in the keys folder, [A-Z0-9] (default: the file's name, upper-cased)")
	password := fs.String("password", "", "the file's password (recorded in keys/passwords.json)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *password == "" {
		return hinted{errors.New("import: give one PKCS#12 file and its -password"), "eimzo-sim import -password SECRET key.p12"}
	}
	file := fs.Arg(0)
	pfx, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	n := *name
	if n == "" {
		n = strings.ToUpper(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
		n = strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, n)
	}
	data, err := sim.OpenData(*dir, nil)
	if err != nil {
		return err
	}
	if err := data.Store.Add(n, pfx, *password); err != nil {
		return hinted{err, "names are [A-Z0-9]; pick another with -name"}
	}
	for _, k := range data.Store.List() {
		if k.Name == n {
			fmt.Fprintf(stdout, "%s\t%s%s\t%s\n", k.Name, k.Disk, k.Path, k.Alias)
		}
	}
	return nil
}

func list(args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("list", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	data, err := sim.OpenData(*dir, nil)
	if err != nil {
		return err
	}
	for _, k := range data.Store.List() {
		fmt.Fprintf(stdout, "%s\t%s%s\t%s\n", k.Name, k.Disk, k.Path, k.Alias)
	}
	for _, s := range data.Store.Skipped() {
		fmt.Fprintln(stderr, "skipped:", s)
	}
	return nil
}

func defaultDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "eimzo-sim")
	}
	return "eimzo-sim-data"
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
