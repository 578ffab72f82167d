package eimzo

import (
	"errors"

	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/wasm/internal/hexstr"
	"github.com/eimzokit/eimzokit/wasm/mobile"
)

// MobileCode is the code the E-IMZO ID-CARD phone app scans (PROTOCOL.md
// §7.1), computed by wasm/mobile: siteID (4 hex) + documentID (8 hex)
// + the lowercase hex GOST R 34.11-94 (CryptoPro) digest of document + the
// CRC-32 (IEEE) of the hex-decoded bytes of those three parts.
//
// It returns the code and the hex digest; BAD_ARGUMENT for a siteID or
// documentID of the wrong length or with other characters than hex digits.
func MobileCode(siteID, documentID string, document []byte) (code, digest string, err error) {
	sum := gost94.Sum(document)
	code, err = mobile.CodeFromDigest(siteID, documentID, sum)
	switch {
	case errors.Is(err, mobile.ErrSiteID):
		return "", "", NewError(CodeBadArgument, "siteId must be 4 hex digits")
	case err != nil:
		return "", "", NewError(CodeBadArgument, "documentId must be 8 hex digits")
	}
	return code, hexstr.Encode(sum[:]), nil
}

// MobileDeeplink opens the app on the same phone.
func MobileDeeplink(code string) string { return mobile.Deeplink(code) }
