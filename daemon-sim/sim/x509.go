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
	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
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

func certificateInfo(cert *x509.Certificate) capiws.Value {
	keyAlg, sigAlg := gostcert.AlgorithmNames(cert)
	return capiws.MakeObject(
		str("serialNumber", cert.SerialNumber.Text(16)),
		str("subjectName", dnString(cert.RawSubject)),
		str("validFrom", capiws.FormatDate(cert.NotBefore)),
		str("validTo", capiws.FormatDate(cert.NotAfter)),
		str("issuerName", dnString(cert.RawIssuer)),
		capiws.Member{Key: "publicKey", Value: capiws.MakeObject(str("keyAlgName", keyAlg),
			str("publicKey", base64.StdEncoding.EncodeToString(cert.RawSubjectPublicKeyInfo)))},
		capiws.Member{Key: "signature", Value: capiws.MakeObject(str("signAlgName", sigAlg),
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
	if err := algorithms.CheckCertificate(subject, issuer); err != nil {
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonNotIssuer}}
	}
	return nil, nil
}
