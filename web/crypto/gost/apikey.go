package gost

import (
	"encoding/hex"
	"fmt"

	"github.com/eimzokit/eimzokit/wasm/gost94"
)

// vendorAPIKey is the E-IMZO vendor's public key for API keys
// (PROTOCOL.md §3.2), x ‖ y little-endian, on CryptoPro-A.
var vendorAPIKey = func() *PublicKey {
	x, _ := hex.DecodeString("29c7371abeb628c21dea54d24e6f17ad5de119bc495dcd402b27e642efa78cbd")
	y, _ := hex.DecodeString("be1401d23a79d1270d13332a0b4b1aefa533d2f75133c3cbc0061d8e47869749")
	raw := append(reverseBytes(x), reverseBytes(y)...)
	k, err := NewPublicKey(curveA, raw)
	if err != nil {
		panic("gost: vendor API-key public key: " + err.Error())
	}
	return k
}()

// VendorAPIKeyPublicKey returns the public key that verifies E-IMZO API
// keys (PROTOCOL.md §3.2).
func VendorAPIKeyPublicKey() *PublicKey { k := *vendorAPIKey; return &k }

// APIKeyDigest returns d = H(H(domain)), the digest an E-IMZO API key
// signs, with H = GOST R 34.11-94 (CryptoPro).
func APIKeyDigest(domain string) [DigestSize]byte {
	h := gost94.Sum([]byte(domain))
	return gost94.Sum(h[:])
}

// VerifyAPIKey checks an E-IMZO API key (128 hex digits, any case) for a
// domain against the vendor key: the key is the signature s ‖ r over
// APIKeyDigest(domain) (PROTOCOL.md §3.2). Errors: ErrMalformed for bad
// hex, then those of Verify.
func VerifyAPIKey(domain, key string) error {
	sig, err := hex.DecodeString(key)
	if err != nil {
		return fmt.Errorf("%w: API key is not hex", ErrMalformed)
	}
	d := APIKeyDigest(domain)
	return Verify(vendorAPIKey, d[:], sig)
}
