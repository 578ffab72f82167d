//go:build !js

package eimzo_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/wasm/eimzo/eimzotest"
	"github.com/smallstep/pkcs7"
)

// simClient starts a simulator and lists its keys with a new client.
func simClient(t *testing.T, opts ...simtest.Option) (*simtest.Sim, *eimzo.Client, []eimzo.Certificate) {
	t.Helper()
	s := simtest.Start(t, opts...)
	c := eimzo.New(eimzo.WithURL(s.URL))
	certs, err := c.ListKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, c, certs
}

func parseCMS(t *testing.T, text eimzo.Text) *pkcs7.PKCS7 {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(text.String())
	if err != nil {
		t.Fatalf("pkcs7 is not base64: %v", err)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		t.Fatalf("pkcs7 does not parse: %v", err)
	}
	return p7
}

func TestInstallListSign(t *testing.T) {
	s := simtest.Start(t)
	c := eimzo.New(eimzo.WithURL(s.URL))
	ctx := context.Background()
	v, err := c.Install(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Number() != 604 || v.String() != "6.4.7" {
		t.Errorf("version = %+v", v)
	}
	if got, ok := c.Version(); !ok || got != v {
		t.Errorf("Version() = %+v, %v", got, ok)
	}
	certs, err := c.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 6 {
		t.Fatalf("listed %d keys", len(certs))
	}
	roles := map[eimzo.Role]int{}
	for _, cert := range certs {
		if cert.Type != eimzo.KeyPFX || cert.CN == "" || cert.PINFL == "" || cert.TIN == "" || cert.SerialNumber != strings.ToUpper(cert.SerialNumber) || cert.ValidTo.IsZero() {
			t.Errorf("certificate fields missing: %+v", cert)
		}
		roles[cert.Role()]++
		if cert.IsLegalEntity() == cert.IsPhysicalPerson() {
			t.Errorf("%s is both or neither legal and physical", cert.CN)
		}
		if cert.IsLegalEntity() && cert.TIN != cert.OrgTIN {
			t.Errorf("legal entity TIN %q, organisation TIN %q", cert.TIN, cert.OrgTIN)
		}
	}
	if roles[eimzo.RoleLegal] != 2 || roles[eimzo.RoleYATT] != 1 || roles[eimzo.RolePhysical] != 3 {
		t.Errorf("roles: %v", roles)
	}
	text := "Hujjat matni: Ўзбекистон, o‘zbek ʼ"
	for _, detached := range []bool{false, true} {
		res, err := c.Sign(ctx, certs[0], eimzo.Bytes(text), eimzo.SignOptions{Detached: detached})
		if err != nil {
			t.Fatal(err)
		}
		p7 := parseCMS(t, res.PKCS7)
		if detached {
			if len(p7.Content) != 0 {
				t.Errorf("detached CMS carries content %q", p7.Content)
			}
			p7.Content = []byte(text)
		}
		if string(p7.Content) != text {
			t.Errorf("signed content %q", p7.Content)
		}
		if err := p7.VerifyWithChain(s.Data.Roots()); err != nil {
			t.Errorf("verify: %v", err)
		}
		if !strings.EqualFold(res.SignerSerialNumber, certs[0].SerialNumber) {
			t.Errorf("signer serial %s, certificate %s", res.SignerSerialNumber, certs[0].SerialNumber)
		}
		if !bytes.Equal(mustHex(t, res.SignatureHex), p7.Signers[0].EncryptedDigest) {
			t.Error("signature_hex is not the CMS's signature")
		}
	}
	// Already-base64 data is signed as the bytes it encodes.
	res, err := c.Sign(ctx, certs[0], eimzo.Base64(base64.StdEncoding.EncodeToString([]byte(text))), eimzo.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p7 := parseCMS(t, res.PKCS7); string(p7.Content) != text {
		t.Errorf("isBase64 signed %q", p7.Content)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("%q is not hex", s)
	}
	return b
}

// TestV6NeedsNoAPIKeyCall: v6 looks keys up itself, so Install sends none.
func TestV6NeedsNoAPIKeyCall(t *testing.T) {
	s := simtest.Start(t)
	c := eimzo.New(eimzo.WithURL(s.URL), eimzo.WithAPIKeys(map[string]string{"localhost": "ANY"}))
	if _, err := c.Install(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, e := range s.Events() {
		if e.Function == "apikey" {
			t.Error("the client sent apikey to a v6 daemon")
		}
	}
	if len(s.Events()) != 1 {
		t.Errorf("%d calls, want version only", len(s.Events()))
	}
}

// TestUnevenButSuccessfulCalls: a typo in the password dialog, and a
// close with 4000 after the reply, still end in a signature.
func TestUnevenButSuccessfulCalls(t *testing.T) {
	s, c, certs := simClient(t)
	s.Script("*", softtoken.Script{Answers: []softtoken.Step{softtoken.Wrong, softtoken.Right}})
	s.Fault(sim.Fault{Kind: sim.FaultClose, Code: 4000, After: true, Function: "create_pkcs7", Times: 1})
	res, err := c.Sign(context.Background(), certs[0], eimzo.Bytes("x"), eimzo.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := parseCMS(t, res.PKCS7).VerifyWithChain(s.Data.Roots()); err != nil {
		t.Error(err)
	}
}

func TestSignReloadsAForgottenKey(t *testing.T) {
	_, c, certs := simClient(t)
	c.SetKeyID(certs[0], "00000000000000000000000000000000")
	if _, err := c.Sign(context.Background(), certs[0], eimzo.Bytes("x"), eimzo.SignOptions{}); err != nil {
		t.Fatalf("sign after the daemon forgot the key: %v", err)
	}
}

func TestAuthenticateSignWithSerialAndSignHash(t *testing.T) {
	s, c, certs := simClient(t)
	ctx := context.Background()
	challenge := "d1f0c2e3-challenge-Ўз"
	p, err := c.Authenticate(ctx, certs[1], challenge)
	if err != nil {
		t.Fatal(err)
	}
	if p7 := parseCMS(t, p); string(p7.Content) != challenge || p7.VerifyWithChain(s.Data.Roots()) != nil {
		t.Errorf("authenticate signed %q", p7.Content)
	}

	// By serial: lower case, with leading zeros.
	serial := "000" + strings.ToLower(certs[2].SerialNumber)
	res, err := c.SignWithSerial(ctx, serial, eimzo.Bytes("by serial"), eimzo.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(res.SignerSerialNumber, certs[2].SerialNumber) {
		t.Errorf("signed with %s, want %s", res.SignerSerialNumber, certs[2].SerialNumber)
	}

	// A 3 MiB document costs the daemon 32 bytes.
	doc := bytes.Repeat([]byte("Ўзбекистон "), 3<<20/len("Ўзбекистон "))
	h, err := c.SignHash(ctx, certs[0], bytes.NewReader(doc), eimzo.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Hash != sha256.Sum256(doc) {
		t.Error("SignHash's hash is not the SHA-256 of the document")
	}
	p7 := parseCMS(t, h.PKCS7)
	if len(p7.Content) != 0 {
		t.Error("signHash's CMS is not detached")
	}
	p7.Content = h.Hash[:]
	if err := p7.VerifyWithChain(s.Data.Roots()); err != nil {
		t.Errorf("the CMS does not verify over the digest: %v", err)
	}
}

// TestTimestampOnV6 signs with the simulator (a v6 daemon, which has no
// attach_timestamp_token_pkcs7), gets a real RFC 3161 token over the
// signature and checks that the client put it into the CMS as the unsigned
// attribute, that Go's parser and OpenSSL accept the result, and that the
// signature still verifies.
func TestTimestampOnV6(t *testing.T) {
	s := simtest.Start(t)
	d := eimzotest.NewDaemon(t, s.URL, nil) // records what the client asks
	c := eimzo.New(eimzo.WithURL(d.URL))
	tsa := eimzotest.NewTSA(t, nil)
	ctx := context.Background()
	certs, err := c.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	text := "Vaqt tamg‘asi bilan hujjat"
	for _, cert := range certs[:2] { // an RSA and an ECDSA key
		var gotHex string
		res, err := c.Sign(ctx, cert, eimzo.Bytes(text), eimzo.SignOptions{Timestamp: func(_ context.Context, sigHex string) (string, error) {
			gotHex = sigHex
			token, err := tsa.Token(mustHex(t, sigHex))
			return base64.StdEncoding.EncodeToString(token), err
		}})
		if err != nil {
			t.Fatal(err)
		}
		if gotHex != res.SignatureHex {
			t.Errorf("the callback got %s, the signature is %s", gotHex, res.SignatureHex)
		}
		p7 := parseCMS(t, res.PKCS7)
		if err := p7.VerifyWithChain(s.Data.Roots()); err != nil {
			t.Errorf("the timestamped CMS no longer verifies: %v", err)
		}
		ts, err := eimzotest.ParseToken(timestampAttribute(t, p7))
		if err != nil {
			t.Fatalf("the attribute is not a valid token: %v", err)
		}
		sum := sha256.Sum256(p7.Signers[0].EncryptedDigest)
		if !bytes.Equal(ts.HashedMessage, sum[:]) {
			t.Error("the token is not over the signature")
		}
		opensslCMS(t, res.PKCS7.String(), s.Data.RootPath())
	}
	for _, name := range d.Names() {
		if name == "pkcs7.attach_timestamp_token_pkcs7" {
			t.Error("the client asked a v6 daemon to attach the token")
		}
	}
}

var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// timestampAttribute returns the token in the first signer's unsigned
// attributes.
func timestampAttribute(t *testing.T, p7 *pkcs7.PKCS7) []byte {
	t.Helper()
	for _, a := range p7.Signers[0].UnauthenticatedAttributes {
		if a.Type.Equal(oidTimeStampToken) {
			return a.Value.Bytes // the SET's content: the one token
		}
	}
	t.Fatal("no id-aa-timeStampToken attribute")
	return nil
}

// opensslCMS checks a CMS with OpenSSL: -cmsout -print shows the
// timestamp attribute, and -verify accepts the signature and chain.
func opensslCMS(t *testing.T, pkcs7b64, rootPath string) {
	t.Helper()
	der, _ := base64.StdEncoding.DecodeString(pkcs7b64)
	f := opensslPrints(t, der, "id-smime-aa-timeStampToken")
	out, err := exec.Command("openssl", "cms", "-verify", "-inform", "DER", "-in", f, "-CAfile", rootPath, "-binary", "-out", os.DevNull).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification successful") {
		t.Errorf("openssl cms -verify: %v\n%s", err, out)
	}
}
