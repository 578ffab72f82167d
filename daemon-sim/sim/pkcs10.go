package sim

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
	gostcert "github.com/eimzokit/eimzokit/web/crypto/gost/cert"
)

const reasonBadSubject = "Некорректное имя владельца X.500"

// keyPairAlgorithms maps generate_keypair's algorithm names to the key the
// simulator makes. Both GOST names give an O'zDSt 1092:2009 (GOST R
// 34.10-2001, CryptoPro-A) key: the curves of O'zMSt 286:2024 are not
// published, so its name is served with the older algorithm.
var keyPairAlgorithms = map[string]testpki.KeyType{
	"OZMST-286-2024-2":  testpki.GOST,
	"OZDST-1092-2009-2": testpki.GOST,
	"RSA":               testpki.RSA2048,
	"RSA-2048":          testpki.RSA2048,
	"EC":                testpki.P256,
	"P-256":             testpki.P256,
}

func pkcs10Plugin() *plugin {
	cp := arg{"cp_list", "Идентификаторы политик сертификата через запятую", true}
	return &plugin{name: "pkcs10", desc: desc("Запросы на сертификат PKCS#10", "PKCS#10 sertifikat so‘rovlari"), funcs: []*function{
		{name: "generate_keypair", desc: "Создает ключевую пару", args: []arg{{"alg_name", "Алгоритм: OZMST-286-2024-2", false},
			{"seed", "Идентификатор источника случайности", true}}, run: (*Server).generateKeyPair},
		{name: "create_pkcs10", desc: "Создает запрос на сертификат для ключевой пары", args: []arg{{"id", "Идентификатор ключевой пары", false},
			{"subject_x500_name", "Имя владельца X.500", false}, cp}, run: (*Server).createPKCS10},
		{name: "create_pkcs10_from_key", desc: "Создает запрос на сертификат для загруженного ключа", args: []arg{{"id", "Идентификатор ключа", false},
			{"replacement_x500_name", "Новое имя владельца X.500", true}, cp}, key: keyByID, run: (*Server).createPKCS10FromKey},
		{name: "get_pkcs10_info", desc: "Возвращает сведения о запросе", args: []arg{{"pkcs10", "Запрос PKCS#10 (base64 или PEM)", false}},
			run: (*Server).pkcs10Info},
	}}
}

func (s *Server) generateKeyPair(c *call) ([]capiws.Member, error) {
	a := c.req.Arguments
	kt, ok := keyPairAlgorithms[strings.ToUpper(a[0])]
	if !ok {
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonUnknownAlgorithm}}
	}
	if len(a) > 1 && a[1] != "" {
		return nil, &softtoken.Failure{Status: capiws.StatusBadSeed}
	}
	priv, err := testpki.GenerateKey(kt, rand.Reader)
	if err != nil {
		return nil, err
	}
	return []capiws.Member{str("kpId", s.store.AddKeyPair(priv)), str("type", string(softtoken.KeyPairSession))}, nil
}

// Short names accepted in X.500 names, and the OIDs they stand for.
var dnOIDs = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "SURNAME": {2, 5, 4, 4}, "SN": {2, 5, 4, 4}, "SERIALNUMBER": {2, 5, 4, 5}, "C": {2, 5, 4, 6},
	"L": {2, 5, 4, 7}, "ST": {2, 5, 4, 8}, "STREET": {2, 5, 4, 9}, "O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11}, "T": {2, 5, 4, 12},
	"TITLE": {2, 5, 4, 12}, "BUSINESSCATEGORY": {2, 5, 4, 15}, "NAME": {2, 5, 4, 41}, "GIVENNAME": {2, 5, 4, 42},
	"UID": {0, 9, 2342, 19200300, 100, 1, 1}, "E": {1, 2, 840, 113549, 1, 9, 1}, "EMAILADDRESS": {1, 2, 840, 113549, 1, 9, 1},
}

// parseDN reads "CN=…,O=…,1.2.860.3.16.1.2=…" (a backslash escapes a
// comma) into the DER of a Name, in the order given.
func parseDN(dn string) ([]byte, error) {
	bad := &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonBadSubject}}
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(dn); i++ {
		switch {
		case dn[i] == '\\' && i+1 < len(dn):
			i++
			cur.WriteByte(dn[i])
		case dn[i] == ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(dn[i])
		}
	}
	parts = append(parts, cur.String())
	var seq pkix.RDNSequence
	for _, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, bad
		}
		oid, known := dnOIDs[strings.ToUpper(k)]
		if !known {
			var err error
			if oid, err = parseOID(k); err != nil {
				return nil, bad
			}
		}
		seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: v}})
	}
	return asn1.Marshal(seq)
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	var oid asn1.ObjectIdentifier
	for _, f := range strings.Split(s, ".") {
		n := 0
		if f == "" || len(f) > 9 {
			return nil, errorf("bad OID %q", s)
		}
		for _, c := range f {
			if c < '0' || c > '9' {
				return nil, errorf("bad OID %q", s)
			}
			n = n*10 + int(c-'0')
		}
		oid = append(oid, n)
	}
	if len(oid) < 2 {
		return nil, errorf("bad OID %q", s)
	}
	return oid, nil
}

// policies reads cp_list: -1023 when it is given but empty, -2023 when an
// entry is not an OID.
func policies(a []string, at int) ([]asn1.ObjectIdentifier, error) {
	if len(a) <= at {
		return nil, nil
	}
	if strings.TrimSpace(a[at]) == "" {
		return nil, &softtoken.Failure{Status: capiws.StatusPolicyMissing}
	}
	var out []asn1.ObjectIdentifier
	for _, p := range strings.FieldsFunc(a[at], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		oid, err := parseOID(p)
		if err != nil {
			return nil, &softtoken.Failure{Status: capiws.StatusPolicyInvalid}
		}
		out = append(out, oid)
	}
	return out, nil
}

func csr(priv crypto.Signer, rawSubject []byte, pols []asn1.ObjectIdentifier) ([]capiws.Member, error) {
	tmpl := &x509.CertificateRequest{RawSubject: rawSubject}
	if len(pols) > 0 {
		var seq []struct{ Policy asn1.ObjectIdentifier }
		for _, p := range pols {
			seq = append(seq, struct{ Policy asn1.ObjectIdentifier }{p})
		}
		v, err := asn1.Marshal(seq)
		if err != nil {
			return nil, err
		}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 32}, Value: v}}
	}
	var der []byte
	var err error
	if gk, ok := priv.(*gost.PrivateKey); ok {
		der, err = gostcert.CreateRequest(rand.Reader, tmpl, gk)
	} else {
		der, err = x509.CreateCertificateRequest(rand.Reader, tmpl, priv)
	}
	if err != nil {
		return nil, err
	}
	return []capiws.Member{str("pkcs10_64", base64.StdEncoding.EncodeToString(der))}, nil
}

func (s *Server) createPKCS10(c *call) ([]capiws.Member, error) {
	a := c.req.Arguments
	priv, err := s.store.KeyPair(a[0])
	if err != nil {
		return nil, err
	}
	subject, err := parseDN(a[1])
	if err != nil {
		return nil, err
	}
	pols, err := policies(a, 2)
	if err != nil {
		return nil, err
	}
	return csr(priv, subject, pols)
}

func (s *Server) createPKCS10FromKey(c *call) ([]capiws.Member, error) {
	a := c.req.Arguments
	key, err := s.store.Unlock(c.ctx, a[0])
	if err != nil {
		return nil, err
	}
	subject := key.Cert.RawSubject
	if len(a) > 1 && a[1] != "" {
		if subject, err = parseDN(a[1]); err != nil {
			return nil, err
		}
	}
	pols, err := policies(a, 2)
	if err != nil {
		return nil, err
	}
	return csr(key.Signer, subject, pols)
}

func (s *Server) pkcs10Info(c *call) ([]capiws.Member, error) {
	in := strings.TrimSpace(c.req.Arguments[0])
	in = strings.TrimPrefix(in, "-----BEGIN CERTIFICATE REQUEST-----")
	in = strings.TrimSuffix(in, "-----END CERTIFICATE REQUEST-----")
	in = strings.Join(strings.Fields(in), "")
	der, err := base64.StdEncoding.DecodeString(in)
	if err != nil {
		return nil, &softtoken.Failure{Status: capiws.StatusPKCS10Invalid}
	}
	req, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, &softtoken.Failure{Status: capiws.StatusPKCS10Invalid}
	}
	if _, err := testpki.RequestKey(req); err != nil {
		return nil, &softtoken.Failure{Status: capiws.StatusPKCS10Invalid}
	}
	info := capiws.MakeObject(str("subjectName", dnString(req.RawSubject)),
		capiws.Member{Key: "publicKey", Value: capiws.MakeObject(str("keyAlgName", gostcert.KeyAlgorithmName(req.PublicKeyAlgorithm, req.RawSubjectPublicKeyInfo)),
			str("publicKey", base64.StdEncoding.EncodeToString(req.RawSubjectPublicKeyInfo)))})
	return []capiws.Member{{Key: "pkcs10_info", Value: info}, str("pkcs10_64", base64.StdEncoding.EncodeToString(der))}, nil
}

// saveTemporaryPFX saves a key pair with a self-signed certificate valid
// for a year (pfx.save_temporary_pfx).
func (s *Server) saveTemporaryPFX(c *call) ([]capiws.Member, error) {
	a := c.req.Arguments // disk, path, name, alias, id, password, subject
	priv, err := s.store.KeyPair(a[4])
	if err != nil {
		return nil, err
	}
	subject, err := parseDN(a[6])
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 40))
	if err != nil {
		return nil, err
	}
	now := s.now()
	tmpl := &x509.Certificate{SerialNumber: serial.Add(serial, big.NewInt(1<<36)), RawSubject: subject,
		NotBefore: now.Add(-time.Minute).Truncate(time.Second), NotAfter: now.AddDate(1, 0, 0).Truncate(time.Second),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	cert, err := testpki.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		return nil, err
	}
	return nil, s.store.SaveKey(a[0], a[1], a[2], priv, cert, nil, a[5], capiws.StatusTempFileExists)
}

// savePFX saves a key pair with the certificates the CA issued for it
// (pfx.save_pfx): -2020 when the certificate is not for this key pair,
// -9999 when the chain does not verify.
func (s *Server) savePFX(c *call) ([]capiws.Member, error) {
	a := c.req.Arguments // disk, path, name, alias, id, password, subject, ca, root
	priv, err := s.store.KeyPair(a[4])
	if err != nil {
		return nil, err
	}
	var certs [3]*x509.Certificate
	for i := range certs {
		if certs[i], err = parseCertificate(a[6+i]); err != nil {
			return nil, err
		}
	}
	if !gostcert.HasPublicKey(certs[0], priv.Public()) {
		return nil, &softtoken.Failure{Status: capiws.StatusPublicKeyMismatch}
	}
	// subject ← CA ← root, the root self-signed, all valid now.
	now := s.now()
	for i, issuer := range []*x509.Certificate{certs[1], certs[2], certs[2]} {
		c := certs[i]
		if algorithms.CheckCertificate(c, issuer) != nil || now.Before(c.NotBefore) || now.After(c.NotAfter) {
			return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonBadChain}}
		}
	}
	return nil, s.store.SaveKey(a[0], a[1], a[2], priv, certs[0], certs[1:], a[5], capiws.StatusFileExists)
}
