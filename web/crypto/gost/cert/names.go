package cert

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"

	"github.com/eimzokit/eimzokit/web/crypto/gost"
)

// javaSignatureNames are the standard Java names of the signature
// algorithms crypto/x509 knows, which the E-IMZO daemon and E-IMZO-SERVER
// (Java programs) report.
var javaSignatureNames = map[x509.SignatureAlgorithm]string{
	x509.SHA256WithRSA: "SHA256withRSA", x509.SHA384WithRSA: "SHA384withRSA", x509.SHA512WithRSA: "SHA512withRSA",
	x509.SHA256WithRSAPSS: "RSASSA-PSS", x509.SHA384WithRSAPSS: "RSASSA-PSS", x509.SHA512WithRSAPSS: "RSASSA-PSS",
	x509.ECDSAWithSHA256: "SHA256withECDSA", x509.ECDSAWithSHA384: "SHA384withECDSA", x509.ECDSAWithSHA512: "SHA512withECDSA",
	x509.PureEd25519: "Ed25519", x509.SHA1WithRSA: "SHA1withRSA", x509.ECDSAWithSHA1: "SHA1withECDSA",
}

// AlgorithmNames returns the names E-IMZO reports for the key and the
// signature algorithm of c (x509.get_certificate_info's publicKey.keyAlgName
// and signature.signAlgName, PROTOCOL.md §4.3; E-IMZO-SERVER's certificate
// objects): "OZDST-1092-2009-2" and "OZDST-1106-2009-2-AwithOZDST-1092-2009-2"
// for GOST (gost.AlgorithmName), Java's standard names otherwise (RSA, EC,
// SHA256withRSA, SHA256withECDSA, …), and the dotted OID of anything else.
func AlgorithmNames(c *x509.Certificate) (key, signature string) {
	key = KeyAlgorithmName(c.PublicKeyAlgorithm, c.RawSubjectPublicKeyInfo)
	if n, ok := javaSignatureNames[c.SignatureAlgorithm]; ok {
		signature = n
	} else {
		signature = oidName(firstAlgorithm(c.Raw, 1)) // Certificate: tbsCertificate, signatureAlgorithm, …
	}
	return key, signature
}

func oidName(oid asn1.ObjectIdentifier) string {
	if n := gost.AlgorithmName(oid); n != "" {
		return n
	}
	return oid.String()
}

// firstAlgorithm reads the AlgorithmIdentifier that follows skip elements
// of the SEQUENCE der.
func firstAlgorithm(der []byte, skip int) asn1.ObjectIdentifier {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return nil
	}
	rest := seq.Bytes
	for range skip {
		var v asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &v); err != nil {
			return nil
		}
	}
	var alg pkix.AlgorithmIdentifier
	if _, err := asn1.Unmarshal(rest, &alg); err != nil {
		return nil
	}
	return alg.Algorithm
}

// HasPublicKey reports whether pub (a *gost.PublicKey, or any key with an
// Equal method: RSA, ECDSA, Ed25519) is the subject public key of c.
func HasPublicKey(c *x509.Certificate, pub crypto.PublicKey) bool {
	if gk, ok := pub.(*gost.PublicKey); ok {
		ck, err := gost.ParsePKIXPublicKey(c.RawSubjectPublicKeyInfo)
		return err == nil && gk.Equal(ck)
	}
	k, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	return ok && c.PublicKey != nil && k.Equal(c.PublicKey)
}
