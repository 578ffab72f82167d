package eimzo

import (
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// Certificate is a key as listKeys returns it: where the daemon keeps it
// (Disk, Path, Name, Alias, passed back verbatim to load it) and the
// certificate fields parsed from the alias, upper-cased the way the official
// EIMZOClient shows them.
type Certificate struct {
	Disk  string
	Path  string
	Name  string // key file name without .pfx
	Alias string
	Type  string // "pfx"

	SerialNumber string // upper-case hex, as EIMZOClient shows it
	ValidFrom    time.Time
	ValidTo      time.Time
	CN           string
	GivenName    string // the alias' name=
	Surname      string
	O            string
	T            string
	UID          string // personal TIN
	TIN          string // organisation TIN, else the personal TIN
	PINFL        string
	OrgTIN       string // 1.2.860.3.16.1.1, legal entities only
}

// certificateFromAlias builds a Certificate from one listing entry.
func certificateFromAlias(disk, path, name, alias string) Certificate {
	a := capiws.ParseAlias(alias)
	up := strings.ToUpper
	return Certificate{
		Disk: disk, Path: path, Name: name, Alias: alias, Type: "pfx",
		SerialNumber: up(a.SerialNumber), ValidFrom: a.ValidFrom, ValidTo: a.ValidTo,
		CN: up(a.CN), GivenName: up(a.Name), Surname: up(a.Surname), O: up(a.O), T: up(a.T),
		UID: a.UID, TIN: a.TIN(), PINFL: a.PINFL, OrgTIN: a.OrgTIN,
	}
}

// IsLegalEntity reports a certificate of a legal entity's employee: it has
// an organisation TIN.
func (c Certificate) IsLegalEntity() bool { return c.OrgTIN != "" }

// IsPhysicalPerson reports a certificate of a person (individual
// entrepreneurs included): no organisation TIN.
func (c Certificate) IsPhysicalPerson() bool { return c.OrgTIN == "" }

// IsYATT reports an individual entrepreneur ("yakka tartibdagi tadbirkor"):
// an organisation name but no organisation TIN.
func (c Certificate) IsYATT() bool { return c.OrgTIN == "" && c.O != "" }

// key identifies the key file for the key-id cache.
func (c Certificate) key() string {
	return c.Disk + "\x00" + c.Path + "\x00" + c.Name + "\x00" + c.Alias
}
