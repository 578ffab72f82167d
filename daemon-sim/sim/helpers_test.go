package sim_test

import (
	"encoding/asn1"
	"testing"
)

var asn1SigningTime = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}

// signedAttrs digs the DER signed attributes (re-tagged as SET, RFC 5652
// §5.4) out of a SignedData with one signer.
func signedAttrs(t *testing.T, der []byte) []byte {
	t.Helper()
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		t.Fatal(err)
	}
	var sd struct {
		Version     int
		Digests     asn1.RawValue
		Content     asn1.RawValue
		Certs       asn1.RawValue `asn1:"optional,tag:0"`
		SignerInfos []struct {
			Version   int
			SID       asn1.RawValue
			DigestAlg asn1.RawValue
			Attrs     asn1.RawValue `asn1:"optional,tag:0"`
			SigAlg    asn1.RawValue
			Sig       []byte
		} `asn1:"set"`
	}
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		t.Fatal(err)
	}
	attrs := append([]byte(nil), sd.SignerInfos[0].Attrs.FullBytes...)
	attrs[0] = 0x31
	return attrs
}
