package capiws

import (
	"errors"
	"strings"
	"time"
)

// Tashkent is the daemon's time zone: alias and certificate_info dates carry
// no zone marker and are Tashkent local time (UTC+5, no daylight saving since
// 1992). A fixed zone needs no tzdata, which the browser build lacks.
var Tashkent = time.FixedZone("UZT", 5*60*60)

// DateLayout is the daemon's date format, yyyy.MM.dd HH:mm:ss.
const DateLayout = "2006.01.02 15:04:05"

// OIDs the alias carries for Uzbek identity numbers (PROTOCOL.md §5.1).
const (
	OIDOrgTIN = "1.2.860.3.16.1.1" // organisation TIN (INN/STIR), legal entities only
	OIDPINFL  = "1.2.860.3.16.1.2" // 14-digit personal identification number
)

// AliasField is one key=value pair of an alias, key lowercased.
type AliasField struct {
	Key   string
	Value string
}

// Alias is a parsed certificate alias. Values are as the daemon wrote them
// (lowercased by Java's PKCS#12 keystore); the first occurrence of a key wins,
// as in EIMZOClient.
type Alias struct {
	CN, Name, Surname, L, ST, C, O, T, UID, BusinessCategory string
	PINFL                                                    string // 1.2.860.3.16.1.2
	OrgTIN                                                   string // 1.2.860.3.16.1.1
	SerialNumber                                             string // lowercase hex, no leading zeros
	ValidFrom                                                time.Time
	ValidTo                                                  time.Time
	Fields                                                   []AliasField // every pair, in order
}

// TIN is the organisation TIN when present, else the personal TIN (UID),
// as EIMZOClient computes it.
func (a Alias) TIN() string {
	if a.OrgTIN != "" {
		return a.OrgTIN
	}
	return a.UID
}

// Field returns the first value of key (case-insensitive), or "".
func (a Alias) Field(key string) string {
	key = strings.ToLower(key)
	for _, f := range a.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return ""
}

// knownKeys are the attribute names that start a new field. A comma followed
// by anything else (including "x=" inside an organisation name) stays part of
// the value, which is where EIMZOClient's split on ",[A-Z]+=" goes wrong.
var knownKeys = map[string]bool{
	"cn": true, "name": true, "surname": true, "givenname": true, "sn": true,
	"l": true, "st": true, "c": true, "o": true, "ou": true, "uid": true,
	"t": true, "title": true, "businesscategory": true, "serialnumber": true,
	"validfrom": true, "validto": true, "e": true, "emailaddress": true,
	"street": true, "postalcode": true, "dc": true, "pseudonym": true,
	"initials": true, "description": true, "telephonenumber": true,
}

// isKey reports whether k is a known attribute name or a dotted OID.
func isKey(k string) bool {
	if knownKeys[strings.ToLower(k)] {
		return true
	}
	dots := 0
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c == '.':
			if i == 0 || i == len(k)-1 || k[i-1] == '.' {
				return false
			}
			dots++
		case c < '0' || c > '9':
			return false
		}
	}
	return dots > 0
}

// ParseAlias splits an alias into its fields. It never fails: unknown or
// malformed parts are kept in Fields, and unparsable dates stay zero.
func ParseAlias(alias string) Alias {
	var fields []AliasField
	rest := strings.TrimSpace(alias)
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			break
		}
		key := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = rest[eq+1:]
		// The value runs to the next ",key=" with a known key.
		end := len(rest)
		for i := 0; i < len(rest); i++ {
			if rest[i] != ',' {
				continue
			}
			j := strings.IndexByte(rest[i+1:], '=')
			if j > 0 && isKey(strings.TrimSpace(rest[i+1:i+1+j])) {
				end = i
				break
			}
		}
		fields = append(fields, AliasField{Key: key, Value: strings.TrimSpace(rest[:end])})
		if end == len(rest) {
			break
		}
		rest = rest[end+1:]
	}
	a := Alias{Fields: fields}
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	for _, f := range fields {
		switch f.Key {
		case "cn":
			set(&a.CN, f.Value)
		case "name", "givenname":
			set(&a.Name, f.Value)
		case "surname", "sn":
			set(&a.Surname, f.Value)
		case "l":
			set(&a.L, f.Value)
		case "st":
			set(&a.ST, f.Value)
		case "c":
			set(&a.C, f.Value)
		case "o":
			set(&a.O, f.Value)
		case "t", "title":
			set(&a.T, f.Value)
		case "uid":
			set(&a.UID, f.Value)
		case "businesscategory":
			set(&a.BusinessCategory, f.Value)
		case OIDPINFL:
			set(&a.PINFL, f.Value)
		case OIDOrgTIN:
			set(&a.OrgTIN, f.Value)
		case "serialnumber":
			set(&a.SerialNumber, strings.ToLower(f.Value))
		case "validfrom":
			if a.ValidFrom.IsZero() {
				a.ValidFrom, _ = ParseDate(f.Value)
			}
		case "validto":
			if a.ValidTo.IsZero() {
				a.ValidTo, _ = ParseDate(f.Value)
			}
		}
	}
	return a
}

// ErrDate is returned by [ParseDate] for text that is not a daemon date.
var ErrDate = errors.New("capiws: not a date of the form yyyy.MM.dd HH:mm:ss")

// ParseDate reads a daemon date (yyyy.MM.dd HH:mm:ss, Tashkent time). The
// server's yyyy-MM-dd HH:mm:ss form is accepted too. It is written by hand
// rather than with time.Parse, whose layout engine would add tens of
// kilobytes to the WebAssembly client.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	// 0123456789012345678
	// yyyy.MM.dd HH:mm:ss
	if len(s) != 19 || s[4] != s[7] || (s[4] != '.' && s[4] != '-') || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, ErrDate
	}
	var n [6]int
	for i, span := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		for _, c := range []byte(s[span[0]:span[1]]) {
			if c < '0' || c > '9' {
				return time.Time{}, ErrDate
			}
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 || n[3] > 23 || n[4] > 59 || n[5] > 59 {
		return time.Time{}, ErrDate
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, Tashkent)
	if t.Day() != n[2] { // 31 April and the like
		return time.Time{}, ErrDate
	}
	return t, nil
}

// FormatDate writes t as the daemon does: Tashkent time, yyyy.MM.dd HH:mm:ss.
func FormatDate(t time.Time) string { return t.In(Tashkent).Format(DateLayout) }

// FormatAlias builds the alias the daemon lists for a key: the subject
// fields, then serialnumber, validfrom and validto, all lowercased as Java's
// PKCS#12 keystore stores it (PROTOCOL.md §5.1). serialHex is the serial in
// hex without leading zeros. Commas in values are replaced by spaces, since
// no parser can tell them from separators.
func FormatAlias(subject []AliasField, serialHex string, from, to time.Time) string {
	var b strings.Builder
	for _, f := range subject {
		if f.Value == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.Key)
		b.WriteByte('=')
		b.WriteString(strings.ReplaceAll(f.Value, ",", " "))
	}
	if b.Len() > 0 {
		b.WriteByte(',')
	}
	b.WriteString("serialnumber=")
	b.WriteString(serialHex)
	b.WriteString(",validfrom=")
	b.WriteString(FormatDate(from))
	b.WriteString(",validto=")
	b.WriteString(FormatDate(to))
	return strings.ToLower(b.String())
}
