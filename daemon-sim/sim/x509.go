package sim

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

const (
	reasonBadCertificate = "Некорректный сертификат"
	reasonNotIssuer      = "Сертификат не подписан указанным издателем"
	reasonBadChain       = "Цепочка сертификатов недействительна"
)

func x509Plugin() *plugin {
	return &plugin{name: "x509", desc: desc("Сертификаты X.509", "X.509 sertifikatlari"), funcs: []*function{
		{name: "get_certificate_chain", desc: "Возвращает цепочку сертификатов ключа", args: []arg{{"certId", "Идентификатор ключа", false}},
			key: keyByID, run: (*Server).certificateChain},
		{name: "get_certificate_info", desc: "Возвращает сведения о сертификате", args: []arg{{"certificate_64", "Сертификат (DER или PEM, base64)", false}},
			run: (*Server).certificateInfo},
		{name: "verify_certificate", desc: "Проверяет подпись сертификата издателем", args: []arg{
			{"subject_certificate_64", "Проверяемый сертификат (base64)", false}, {"issuer_certificate_64", "Сертификат издателя (base64)", false}},
			run: (*Server).verifyCertificate},
	}}
}

// certificateChain opens the key (the password dialog may show) and
// returns its certificate, the issuing CA and the root.
func (s *Server) certificateChain(c *call) ([]capiws.Member, error) {
	id := c.req.Arguments[0]
	info, ok := s.store.Session(id)
	switch {
	case !ok:
		return nil, &softtoken.Failure{Status: capiws.StatusKeyIDNotFound}
	case info.Type == softtoken.KeyPairSession:
		return nil, &softtoken.Failure{Status: capiws.StatusIDNotForCertificate}
	}
	key, err := s.store.Unlock(c.ctx, id)
	if err != nil {
		return nil, err
	}
	certs := []capiws.Value{capiws.MakeString(base64.StdEncoding.EncodeToString(key.Cert.Raw))}
	for _, ch := range key.Chain {
		certs = append(certs, capiws.MakeString(base64.StdEncoding.EncodeToString(ch.Raw)))
	}
	return []capiws.Member{{Key: "certificates", Value: capiws.MakeArray(certs...)}}, nil
}

// parseCertificate reads a certificate given as DER, PEM, or base64 of
// either.
func parseCertificate(a string) (*x509.Certificate, error) {
	in := []byte(strings.TrimSpace(a))
	if b, err := base64.StdEncoding.DecodeString(string(in)); err == nil {
		in = b
	}
	if bytes.Contains(in, []byte("-----BEGIN")) {
		if blk, _ := pem.Decode(in); blk != nil {
			in = blk.Bytes
		}
	}
	cert, err := x509.ParseCertificate(in)
	if err != nil {
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonBadCertificate}}
	}
	return cert, nil
}

// Attribute names the daemon writes in DN strings (Java's X500Principal
// keywords); others appear as dotted OIDs.
var dnKeywords = map[string]string{
	"2.5.4.3": "CN", "2.5.4.4": "SURNAME", "2.5.4.5": "SERIALNUMBER", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST",
	"2.5.4.9": "STREET", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "T", "2.5.4.15": "BUSINESSCATEGORY",
	"2.5.4.41": "NAME", "2.5.4.42": "GIVENNAME", "0.9.2342.19200300.100.1.1": "UID", "1.2.840.113549.1.9.1": "EMAILADDRESS",
}

// dnString writes a name as "KEY=value,…" in certificate order
// (PROTOCOL.md §4.3).
func dnString(raw []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return ""
	}
	var parts []string
	for _, rdn := range seq {
		for _, atv := range rdn {
			k, ok := dnKeywords[atv.Type.String()]
			if !ok {
				k = atv.Type.String()
			}
			parts = append(parts, k+"="+fmt.Sprint(atv.Value))
		}
	}
	return strings.Join(parts, ",")
}

// Names of the Uzbek GOST algorithms (PROTOCOL.md §9), by OID.
var gostNames = map[string]string{
	"1.2.860.3.15.1.1.2.1":     "OZDST-1092-2009-2",
	"1.2.860.3.15.1.1.2.2.2.2": "OZDST-1106-2009-2-AwithOZDST-1092-2009-2",
}

// algorithmOID reads the OID of the first AlgorithmIdentifier in der after
// skip leading elements of the outer SEQUENCE.
func algorithmOID(der []byte, skip int) string {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return ""
	}
	rest := seq.Bytes
	for i := 0; i < skip; i++ {
		var v asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &v); err != nil {
			return ""
		}
	}
	var alg pkix.AlgorithmIdentifier
	if _, err := asn1.Unmarshal(rest, &alg); err != nil {
		return ""
	}
	return alg.Algorithm.String()
}

func keyAlgName(c *x509.Certificate) string {
	switch c.PublicKeyAlgorithm {
	case x509.RSA:
		return "RSA"
	case x509.ECDSA:
		return "EC"
	case x509.Ed25519:
		return "Ed25519"
	}
	return gostName(algorithmOID(c.RawSubjectPublicKeyInfo, 0))
}

// gostName names a GOST algorithm OID, or returns the OID.
func gostName(oid string) string {
	if n, ok := gostNames[oid]; ok {
		return n
	}
	return oid
}

func signAlgName(c *x509.Certificate) string {
	switch c.SignatureAlgorithm {
	case x509.SHA256WithRSA:
		return "SHA256withRSA"
	case x509.SHA384WithRSA:
		return "SHA384withRSA"
	case x509.SHA512WithRSA:
		return "SHA512withRSA"
	case x509.ECDSAWithSHA256:
		return "SHA256withECDSA"
	case x509.ECDSAWithSHA384:
		return "SHA384withECDSA"
	case x509.ECDSAWithSHA512:
		return "SHA512withECDSA"
	}
	return gostName(algorithmOID(c.Raw, 1)) // Certificate: tbsCertificate, signatureAlgorithm, …
}

func certificateInfo(cert *x509.Certificate) capiws.Value {
	return capiws.MakeObject(
		str("serialNumber", cert.SerialNumber.Text(16)),
		str("subjectName", dnString(cert.RawSubject)),
		str("validFrom", capiws.FormatDate(cert.NotBefore)),
		str("validTo", capiws.FormatDate(cert.NotAfter)),
		str("issuerName", dnString(cert.RawIssuer)),
		capiws.Member{Key: "publicKey", Value: capiws.MakeObject(str("keyAlgName", keyAlgName(cert)),
			str("publicKey", base64.StdEncoding.EncodeToString(cert.RawSubjectPublicKeyInfo)))},
		capiws.Member{Key: "signature", Value: capiws.MakeObject(str("signAlgName", signAlgName(cert)),
			str("signature", hex.EncodeToString(cert.Signature)))},
	)
}

func (s *Server) certificateInfo(c *call) ([]capiws.Member, error) {
	cert, err := parseCertificate(c.req.Arguments[0])
	if err != nil {
		return nil, err
	}
	return []capiws.Member{{Key: "certificate_info", Value: certificateInfo(cert)}}, nil
}

func (s *Server) verifyCertificate(c *call) ([]capiws.Member, error) {
	subject, err := parseCertificate(c.req.Arguments[0])
	if err != nil {
		return nil, err
	}
	issuer, err := parseCertificate(c.req.Arguments[1])
	if err != nil {
		return nil, err
	}
	if err := subject.CheckSignatureFrom(issuer); err != nil {
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonNotIssuer}}
	}
	return nil, nil
}
