package mobile

import (
	"errors"
	"hash/crc32"
	"strconv"

	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/wasm/internal/hexstr"
)

// Lengths of the parts of a code, in hex characters (PROTOCOL.md §7.1).
const (
	SiteIDLen     = 4
	DocumentIDLen = 8
	DigestLen     = 2 * gost94.Size
	ChecksumLen   = 8
	CodeLen       = SiteIDLen + DocumentIDLen + DigestLen + ChecksumLen // 84
)

// DeeplinkPrefix opens the E-IMZO ID-CARD app on a phone.
const DeeplinkPrefix = "eimzo://sign?qc="

// Errors returned by this package. Match them with errors.Is; the error
// values returned also carry the offending input.
var (
	ErrSiteID     = errors.New("mobile: siteId must be 4 hex digits")
	ErrDocumentID = errors.New("mobile: documentId must be 8 hex digits")
	ErrCode       = errors.New("mobile: code must be 84 hex digits")
	ErrChecksum   = errors.New("mobile: code checksum does not match")
)

type inputError struct {
	err   error
	value string
}

func (e *inputError) Error() string { return e.err.Error() + ": got " + strconv.Quote(e.value) }
func (e *inputError) Unwrap() error { return e.err }

// Code returns the code that the E-IMZO ID-CARD app scans (PROTOCOL.md
// §7.1): siteID + documentID + lowercase hex of the GOST R 34.11-94
// (CryptoPro) digest of document + the CRC-32 (IEEE) of the hex-decoded
// bytes of the first three parts, as 8 lowercase hex digits.
//
// For the auth flow, document is the UTF-8 bytes of the server's
// challenge text; for the sign flow, the exact bytes being signed. siteID
// and documentID are kept as given (the server issues documentID in upper
// case). The errors are ErrSiteID and ErrDocumentID.
func Code(siteID, documentID string, document []byte) (string, error) {
	return CodeFromDigest(siteID, documentID, gost94.Sum(document))
}

// CodeFromDigest is Code for a digest computed beforehand, e.g. by
// streaming a large file through gost94.New.
func CodeFromDigest(siteID, documentID string, digest [gost94.Size]byte) (string, error) {
	if !hexstr.Valid(siteID, SiteIDLen) {
		return "", &inputError{ErrSiteID, siteID}
	}
	if !hexstr.Valid(documentID, DocumentIDLen) {
		return "", &inputError{ErrDocumentID, documentID}
	}
	b := make([]byte, 0, CodeLen)
	b = append(b, siteID...)
	b = append(b, documentID...)
	b = hexstr.AppendEncode(b, digest[:])
	b = appendChecksum(b, b)
	return string(b), nil
}

// Deeplink returns the URL that opens the app on the same phone.
func Deeplink(code string) string { return DeeplinkPrefix + code }

// Parsed is a code taken apart by Parse.
type Parsed struct {
	SiteID     string
	DocumentID string
	Digest     [gost94.Size]byte
}

// Parse checks a code's length, hex digits and checksum and splits it.
// This is what the phone app does after scanning; a simulated phone uses
// it to learn which digest to sign. The errors are ErrCode and
// ErrChecksum.
func Parse(code string) (Parsed, error) {
	if !hexstr.Valid(code, CodeLen) {
		return Parsed{}, &inputError{ErrCode, code}
	}
	body := code[:CodeLen-ChecksumLen]
	want := appendChecksum(nil, []byte(body))
	if !equalFold(string(want), code[CodeLen-ChecksumLen:]) {
		return Parsed{}, &inputError{ErrChecksum, code}
	}
	var p Parsed
	p.SiteID = code[:SiteIDLen]
	p.DocumentID = code[SiteIDLen : SiteIDLen+DocumentIDLen]
	digest, _ := hexstr.Decode(code[SiteIDLen+DocumentIDLen : CodeLen-ChecksumLen]) // checked by Valid above
	copy(p.Digest[:], digest)
	return p, nil
}

// FormatDigest returns the lowercase hex digest in four groups of 16
// characters separated by spaces, the way a page shows it next to the QR
// code so that the user can compare it with the app.
func FormatDigest(digest [gost94.Size]byte) string {
	h := hexstr.Encode(digest[:])
	return h[0:16] + " " + h[16:32] + " " + h[32:48] + " " + h[48:64]
}

// appendChecksum appends the CRC-32 (IEEE) of hex-decoded hexText as 8
// lowercase hex digits. hexText has an even length and only hex digits.
func appendChecksum(dst, hexText []byte) []byte {
	raw, _ := hexstr.Decode(string(hexText))
	c := crc32.ChecksumIEEE(raw)
	return hexstr.AppendEncode(dst, []byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= y && y <= 'F' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
