package eimzo

import (
	"hash/crc32"

	"github.com/eimzokit/eimzokit/wasm/gost/gost94"
)

// MobileCode is the code the E-IMZO ID-CARD phone app scans (PROTOCOL.md
// §7.1): siteID (4 hex) + documentID (8 hex) + the lowercase hex GOST
// R 34.11-94 (CryptoPro) digest of document + the CRC-32 (IEEE) of the
// hex-decoded bytes of those three parts, 84 hex digits in all. The hash
// is wasm/gost/gost94's; the code is assembled here rather than with
// wasm/gost/mobile because that package's encoding/hex imports fmt, about
// 110 kB of the gzipped WebAssembly client. A test checks that both agree.
//
// It returns the code and the hex digest; BAD_ARGUMENT for a siteID or
// documentID of the wrong length or with other characters than hex digits.
func MobileCode(siteID, documentID string, document []byte) (code, digest string, err error) {
	if !isHex(siteID, 4) {
		return "", "", NewError(CodeBadArgument, "siteId must be 4 hex digits")
	}
	if !isHex(documentID, 8) {
		return "", "", NewError(CodeBadArgument, "documentId must be 8 hex digits")
	}
	sum := gost94.Sum(document)
	digest = encodeHex(sum[:])
	body := siteID + documentID + digest
	raw, _ := decodeHex(body)
	crc := crc32.ChecksumIEEE(raw)
	return body + encodeHex([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)}), digest, nil
}

// MobileDeeplink opens the app on the same phone.
func MobileDeeplink(code string) string { return "eimzo://sign?qc=" + code }

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := unhex(s[i]); !ok {
			return false
		}
	}
	return true
}
