package eimzo

import (
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// Kinds of keys listKeys returns.
const (
	KeyPFX  = "pfx"  // a PKCS#12 key file on a disk
	KeyFTJC = "ftjc" // a legacy FT JavaCard USB token (daemons before 4.12)
)

// Certificate is a key as listKeys returns it: where the daemon keeps it
// (Disk, Path, Name, Alias for key files; CardUID for ftjc tokens, passed
// back verbatim to load it) and the certificate fields parsed from the
// alias, upper-cased the way the official EIMZOClient shows them.
type Certificate struct {
	Type    string // KeyPFX or KeyFTJC
	Disk    string
	Path    string
	Name    string // key file name without .pfx
	Alias   string // for ftjc tokens, the token's info string
	CardUID string // ftjc tokens only

	SerialNumber string    // upper-case hex, as EIMZOClient shows it
	ValidFrom    time.Time // the alias' Tashkent time, as an instant
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

// certificateFromAlias builds a Certificate from one listing entry. Unlike
// EIMZOClient it splits the alias only at known attribute names (so commas,
// Cyrillic and apostrophes in values survive) and reads the dates as
// Tashkent time, not as the browser's local time (PROTOCOL.md §5.2).
func certificateFromAlias(typ, disk, path, name, alias string) Certificate {
	a := capiws.ParseAlias(alias)
	up := strings.ToUpper
	return Certificate{
		Type: typ, Disk: disk, Path: path, Name: name, Alias: alias,
		SerialNumber: up(a.SerialNumber), ValidFrom: a.ValidFrom, ValidTo: a.ValidTo,
		CN: up(a.CN), GivenName: up(a.Name), Surname: up(a.Surname), O: up(a.O), T: up(a.T),
		UID: a.UID, TIN: a.TIN(), PINFL: a.PINFL, OrgTIN: a.OrgTIN,
	}
}

// Role is who a certificate belongs to.
type Role string

// The roles of eimzo-client's getCertificateRole.
const (
	RoleLegal    Role = "legal"    // an employee of a legal entity
	RoleYATT     Role = "yatt"     // an individual entrepreneur (yakka tartibdagi tadbirkor)
	RolePhysical Role = "physical" // a private person
)

// RoleOf decides a role from the three fields eimzo-client's helpers take:
// an organisation TIN (TIN present and not the personal UID) makes a legal
// entity; otherwise an organisation name makes an individual entrepreneur.
// The TypeScript helpers implement the same rule and are tested against
// the same vectors (testdata/certificate-vectors.json).
func RoleOf(tin, uid, o string) Role {
	switch {
	case tin != "" && tin != uid:
		return RoleLegal
	case strings.TrimSpace(o) != "":
		return RoleYATT
	}
	return RolePhysical
}

// Role returns the certificate's role.
func (c Certificate) Role() Role { return RoleOf(c.TIN, c.UID, c.O) }

// IsLegalEntity reports a certificate of a legal entity's employee.
func (c Certificate) IsLegalEntity() bool { return c.Role() == RoleLegal }

// IsPhysicalPerson reports a certificate of a person (individual
// entrepreneurs included).
func (c Certificate) IsPhysicalPerson() bool { return c.Role() != RoleLegal }

// IsYATT reports an individual entrepreneur.
func (c Certificate) IsYATT() bool { return c.Role() == RoleYATT }

// ExpiringDays is how close to validTo a certificate counts as expiring.
const ExpiringDays = 30

// Status is what getCertificateStatus reports.
type Status struct {
	State    string // "active", "expiring", "expired" or "pending"
	DaysLeft int    // whole days until ValidTo, negative once expired
}

// StatusAt returns the certificate's status at now: pending before
// ValidFrom, expired after ValidTo, expiring within [ExpiringDays].
func (c Certificate) StatusAt(now time.Time) Status { return StatusOf(c.ValidFrom, c.ValidTo, now) }

// StatusOf is [Certificate.StatusAt] on bare dates; a zero date is unknown
// and does not count.
func StatusOf(from, to, now time.Time) Status {
	const day = 24 * time.Hour
	var s Status
	if !to.IsZero() {
		d := to.Sub(now)
		s.DaysLeft = int(d / day)
		if d < 0 && d%day != 0 {
			s.DaysLeft-- // floor, as Math.floor in the TypeScript helper
		}
	}
	switch {
	case !from.IsZero() && now.Before(from):
		s.State = "pending"
	case !to.IsZero() && now.After(to):
		s.State = "expired"
	case !to.IsZero() && s.DaysLeft <= ExpiringDays:
		s.State = "expiring"
	default:
		s.State = "active"
	}
	return s
}

// key identifies the key for the key-id cache.
func (c Certificate) key() string {
	return c.Type + "\x00" + c.Disk + "\x00" + c.Path + "\x00" + c.Name + "\x00" + c.Alias + "\x00" + c.CardUID
}

// normSerial reduces a serial number to lowercase hex without leading
// zeros, the daemon's form.
func normSerial(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "0x")
	s = strings.TrimLeft(s, "0")
	return s
}
