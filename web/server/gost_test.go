package server_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/verify"
)

// TestRealGOSTOverHTTP posts the real E-IMZO CMS (GOST, BER) to /api/verify
// and to E-IMZO-SERVER's /backend/pkcs7/verify/attached of a backend whose
// trust anchor is the national root and whose clock is inside the
// certificates' validity (they expired in 2022): both pass and name the
// signer; the same CMS with one bit flipped fails.
func TestRealGOSTOverHTTP(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "crypto", "gost", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	root, err := x509.ParseCertificate(read("cert-root-575a613a.der"))
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC) }
	h, err := server.New(server.Config{Verifier: verify.New(verify.WithRoots(root), verify.WithClock(clock)), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	defer hs.Close()
	msg := read("eimzo-pkcs7-attached-777a2a2b.p7b")
	b64 := base64.StdEncoding.EncodeToString(msg)
	post := func(path, contentType, body string, out any) int {
		resp, err := http.Post(hs.URL+path, contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}

	var rep struct {
		Valid      bool   `json:"valid"`
		Code       string `json:"code"`
		Indication string `json:"indication"`
		Content    string `json:"content"`
		Signers    []struct {
			Identity           verify.Identity `json:"identity"`
			SignatureAlgorithm string          `json:"signatureAlgorithm"`
			SerialNumber       string          `json:"serialNumber"`
		} `json:"signers"`
	}
	body, _ := json.Marshal(map[string]string{"pkcs7": b64})
	if st := post("/api/verify", "application/json", string(body), &rep); st != http.StatusOK || !rep.Valid || rep.Indication != "TOTAL_PASSED" ||
		rep.Content != base64.StdEncoding.EncodeToString(read("eimzo-pkcs7-attached-777a2a2b.content.bin")) {
		t.Fatalf("/api/verify: %d %+v", st, rep)
	}
	if s := rep.Signers[0]; s.Identity.PINFL != "31707905590011" || s.Identity.TIN != "547332631" || s.SerialNumber != "777a2a2b" ||
		s.SignatureAlgorithm != "OZDST-1106-2009-2-AwithOZDST-1092-2009-2" {
		t.Errorf("signer %+v", s)
	}

	var es struct {
		Status    int `json:"status"`
		PKCS7Info struct {
			Signers []struct {
				Verified    bool `json:"verified"`
				Certificate []struct {
					SerialNumber string            `json:"serialNumber"`
					SubjectInfo  map[string]string `json:"subjectInfo"`
					PublicKey    struct {
						KeyAlgName string `json:"keyAlgName"`
					} `json:"publicKey"`
					Signature struct {
						SignAlgName string `json:"signAlgName"`
					} `json:"signature"`
				} `json:"certificate"`
			} `json:"signers"`
			DocumentBase64 string `json:"documentBase64"`
		} `json:"pkcs7Info"`
	}
	if st := post("/backend/pkcs7/verify/attached", "application/octet-stream", b64, &es); st != http.StatusOK || es.Status != 1 {
		t.Fatalf("/backend/pkcs7/verify/attached: %d status %d", st, es.Status)
	}
	s := es.PKCS7Info.Signers[0]
	if !s.Verified || len(s.Certificate) != 3 || s.Certificate[0].SerialNumber != "777a2a2b" || s.Certificate[0].SubjectInfo["1.2.860.3.16.1.2"] != "31707905590011" ||
		s.Certificate[0].PublicKey.KeyAlgName != "OZDST-1092-2009-2" || s.Certificate[1].Signature.SignAlgName != "OZDST-1106-2009-2-AwithOZDST-1092-2009-2" {
		t.Errorf("E-IMZO-SERVER signer %+v", s)
	}

	// One bit of the signature flipped: -10 and 422.
	sig := bytes.Index(msg, []byte{0xef, 0xc3, 0x03, 0xf9}) // signature_hex starts efc303f9
	if sig < 0 {
		t.Fatal("signature not found")
	}
	bad := bytes.Clone(msg)
	bad[sig+5] ^= 1
	badB64 := base64.StdEncoding.EncodeToString(bad)
	if st := post("/backend/pkcs7/verify/attached", "application/octet-stream", badB64, &es); st != http.StatusOK || es.Status != -10 {
		t.Errorf("flipped, E-IMZO-SERVER: %d status %d", st, es.Status)
	}
	body, _ = json.Marshal(map[string]string{"pkcs7": badB64})
	rep.Valid = true
	if st := post("/api/verify", "application/json", string(body), &rep); st != http.StatusUnprocessableEntity || rep.Valid || rep.Code != string(verify.CodeSignatureInvalid) {
		t.Errorf("flipped, /api/verify: %d %v %s", st, rep.Valid, rep.Code)
	}
}
