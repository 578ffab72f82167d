package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
)

func keygen(args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("keygen", stderr)
	profile := fs.String("profile", "physical", "physical, legal, yatt, expired, revoked or notin")
	key := fs.String("key", "rsa2048", "rsa2048, p256, or gost (from the GOST test PKI, made on first use)")
	name := fs.String("name", "", "file name, [A-Z0-9] (default DS<PINFL>)")
	password := fs.String("password", sim.DefaultPassword, "the key's password (recorded in keys/passwords.json)")
	days := fs.Int("days", 0, "validity in days from now (default: the profile's)")
	signing := fs.String("sign", "sha256", "how the key signs: sha256, sha384, sha512, or (rsa2048) pss-sha256, pss-sha384, pss-sha512 (recorded in keys/signing.json)")
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
	sg, err := softtoken.ParseSigning(*signing)
	if err != nil {
		return err
	}
	data, err := sim.OpenData(*dir, nil)
	if err != nil {
		return err
	}
	spec := sim.KeySpec{Name: *name, Profile: prof, KeyType: kt, Password: *password, Signing: sg}
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
