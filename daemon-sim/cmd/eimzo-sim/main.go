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
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
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

func defaultDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "eimzo-sim")
	}
	return "eimzo-sim-data"
}
