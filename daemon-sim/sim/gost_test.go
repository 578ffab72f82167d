package sim_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"github.com/eimzokit/eimzokit/wasm/gost94"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/gost"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
)

// gostKeys lists the GOST keys of a simulator started with WithGOSTKeys.
func gostKeys(t testing.TB, s *simtest.Sim) []keyFile {
	t.Helper()
	var out []keyFile
	for _, k := range listKeysN(t, s.URL, len(sim.DefaultKeys)+len(sim.GOSTKeys)) {
		c, ok := s.Data.Store.Certificate(k.Name)
		if ok && c.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
			out = append(out, k)
		}
	}
	if len(out) != len(sim.GOSTKeys) {
		t.Fatalf("%d GOST keys listed", len(out))
	}
	return out
}

// checkGOSTCMS parses a CMS the simulator made and checks it as E-IMZO's:
// GOST algorithms, a 64-byte signature equal to signature_hex, and the
// signature, the user's certificate and the CA's under the GOST test root.
func checkGOSTCMS(t *testing.T, s *simtest.Sim, r capiws.Reply, content []byte) *cms.SignedData {
	t.Helper()
	der, _ := base64.StdEncoding.DecodeString(r.Field("pkcs7_64"))
	sd, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[len(sd.Signers)-1]
	if !si.DigestAlgorithm.Algorithm.Equal(gost.OIDDigest) || !si.SignatureAlgorithm.Algorithm.Equal(gost.OIDSignature) ||
		len(r.Field("signature_hex")) != 128 || r.Field("signature_hex") != hex.EncodeToString(si.Signature) {
		t.Fatalf("algorithms %v / %v, signature_hex %q", si.DigestAlgorithm.Algorithm, si.SignatureAlgorithm.Algorithm, r.Field("signature_hex"))
	}
	reg := sigalg.Default()
	user := si.Certificate(sd.Certificates)
	if user == nil || user.SerialNumber.Text(16) != r.Field("signer_serial_number") {
		t.Fatalf("signer certificate %v", user)
	}
	if err := si.CheckSignature(reg, user, sd.ContentType, content); err != nil {
		t.Fatal(err)
	}
	if err := reg.CheckCertificate(user, s.Data.GOST.CA); err != nil {
		t.Fatal(err)
	}
	if err := reg.CheckCertificate(s.Data.GOST.CA, s.Data.GOST.Root); err != nil {
		t.Fatal(err)
	}
	return sd
}

func TestGOSTKeys(t *testing.T) {
	s := simtest.Start(t, simtest.WithGOSTKeys(), simtest.WithControl())
	keys := gostKeys(t, s)
	content := []byte("Hujjat: GOST imzosi ✓")
	for _, k := range keys {
		id := loadKey(t, s.URL, k)
		for _, detached := range []string{"no", "yes"} {
			r := mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", base64.StdEncoding.EncodeToString(content), id, detached))
			sd := checkGOSTCMS(t, s, r, content)
			if sd.Detached() != (detached == "yes") || len(sd.Certificates) != 2 {
				t.Errorf("%s: detached %v, %d certificates", k.Name, sd.Detached(), len(sd.Certificates))
			}
		}
		// The chain: user, GOST CA, GOST root.
		chain := mustOK(t, call(t, s.URL, "x509", "get_certificate_chain", id))
		v, _ := chain.Get("certificates")
		if items := v.Items(); len(items) != 3 || items[2].Str() != base64.StdEncoding.EncodeToString(s.Data.GOST.Root.Raw) {
			t.Fatalf("chain of %d", len(items))
		}
		user := v.Items()[0].Str()
		info := mustOK(t, call(t, s.URL, "x509", "get_certificate_info", user))
		ci, _ := info.Get("certificate_info")
		get := func(a, b string) string { x, _ := ci.Get(a); y, _ := x.Get(b); return y.Str() }
		if get("publicKey", "keyAlgName") != "OZDST-1092-2009-2" || get("signature", "signAlgName") != "OZDST-1106-2009-2-AwithOZDST-1092-2009-2" {
			t.Errorf("certificate_info %s", ci.AppendJSON(nil))
		}
		ca, root := base64.StdEncoding.EncodeToString(s.Data.GOST.CA.Raw), base64.StdEncoding.EncodeToString(s.Data.GOST.Root.Raw)
		mustOK(t, call(t, s.URL, "x509", "verify_certificate", user, ca))
		mustOK(t, call(t, s.URL, "x509", "verify_certificate", ca, root))
		if r := call(t, s.URL, "x509", "verify_certificate", user, root); status(r) != -9999 {
			t.Errorf("user by root: %s", r.AppendJSON(nil))
		}
	}
	// A wrong password is refused by the GOST key file too.
	s.Script(keys[0].Name, softtoken.Script{Answers: []softtoken.Step{softtoken.Wrong, softtoken.Wrong, softtoken.Wrong}})
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", loadKey(t, s.URL, keys[0])); status(r) != -5000 {
		t.Errorf("three wrong passwords: %s", r.AppendJSON(nil))
	}
	// The GOST CA issues key files and devices of key type gost.
	kf, err := s.Server.IssueKey(sim.KeySpec{Profile: testpki.YATT, KeyType: testpki.GOST, Name: "DSGOSTYATT"})
	if err != nil {
		t.Fatal(err)
	}
	id := loadKey(t, s.URL, keyFile{kf.Disk, kf.Path, kf.Name, kf.Alias})
	checkGOSTCMS(t, s, mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id)), []byte("a"))
	card := s.Plug(sim.DeviceSpec{Kind: softtoken.IDCard, KeyType: testpki.GOST})
	checkGOSTCMS(t, s, mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", "idcard")), []byte("a"))
	_ = card
}

func TestGOSTNeedsTheGOSTPKI(t *testing.T) {
	s := simtest.Start(t)
	if _, err := s.Server.IssueKey(sim.KeySpec{KeyType: testpki.GOST}); err == nil || !strings.Contains(err.Error(), "-gost") {
		t.Errorf("a GOST key without the GOST PKI: %v", err)
	}
	if _, err := s.Server.PlugDevice(sim.DeviceSpec{Kind: softtoken.BAIK, KeyType: testpki.GOST}); err == nil {
		t.Error("a GOST device without the GOST PKI")
	}
}

// TestGOSTCoSignAndTimestamp: on the v5 profile a GOST key co-signs an RSA
// CMS (two algorithms in one SignedData) and takes a time-stamp.
func TestGOSTCoSignAndTimestamp(t *testing.T) {
	s := simtest.Start(t, simtest.WithV5(), simtest.WithGOSTKeys())
	mustOK(t, call(t, s.URL, "", "apikey", "localhost", sim.PublishedKeys["localhost"]))
	all := listKeysN(t, s.URL, len(sim.DefaultKeys)+len(sim.GOSTKeys))
	gk := gostKeys(t, s)[0]
	first := mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", base64.StdEncoding.EncodeToString([]byte("ikki")), loadKey(t, s.URL, all[0]), "no"))
	two := mustOK(t, call(t, s.URL, "pkcs7", "append_pkcs7_attached", first.Field("pkcs7_64"), loadKey(t, s.URL, gk)))
	sd := checkGOSTCMS(t, s, two, []byte("ikki"))
	if len(sd.Signers) != 2 || len(sd.DigestAlgorithms) != 2 {
		t.Fatalf("%d signers, %d digest algorithms", len(sd.Signers), len(sd.DigestAlgorithms))
	}
	sig, _ := hex.DecodeString(two.Field("signature_hex"))
	tok := token(t, s, gost94Sum(sig), gost.OIDDigest)
	r := mustOK(t, call(t, s.URL, "pkcs7", "attach_timestamp_token_pkcs7", two.Field("pkcs7_64"), two.Field("signer_serial_number"), tok))
	der, _ := base64.StdEncoding.DecodeString(r.Field("pkcs7_64"))
	back, _ := cms.Parse(der)
	want, _ := base64.StdEncoding.DecodeString(tok)
	if got := back.Signers[1].TimestampTokens(); len(got) != 1 || !bytes.Equal(got[0], want) || back.Signers[0].TimestampTokens() != nil {
		t.Error("the GOST-imprint token is not on the GOST signer")
	}
}

func gost94Sum(b []byte) []byte {
	d := gost94.Sum(b)
	return d[:]
}
