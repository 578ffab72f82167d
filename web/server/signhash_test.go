package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/eimzo"
	"github.com/eimzokit/eimzokit/web/server"
	"github.com/eimzokit/eimzokit/web/verify"
	"github.com/smallstep/pkcs7"
)

// simBackend is a simulator, a client of it and a backend trusting its
// test PKIs (and the GOST one when it has it).
type simBackend struct {
	sim    *simtest.Sim
	client *eimzo.Client
	url    string
	keys   map[string]eimzo.Certificate // by key file name
}

func startSimBackend(t *testing.T, opts ...simtest.Option) *simBackend {
	t.Helper()
	s := simtest.Start(t, opts...)
	roots := []*x509.Certificate{s.Data.PKI.Root}
	if s.Data.GOST != nil {
		roots = append(roots, s.Data.GOST.Root)
	}
	h, err := server.New(server.Config{Verifier: verify.New(verify.WithRoots(roots...))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return &simBackend{sim: s, client: eimzo.New(eimzo.WithURL(s.URL)), url: hs.URL}
}

// key returns the listed key with file name name.
func (b *simBackend) key(t *testing.T, ctx context.Context, name string) eimzo.Certificate {
	t.Helper()
	keys, err := b.client.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no key %s among %d", name, len(keys))
	return eimzo.Certificate{}
}

// TestSignHashUpload is the large-file flow of the client's README: the
// browser hashes the file and signs the digest (signHash, here the Go
// client's through eimzo-sim's wire protocol), and posts {pkcs7, hashHex};
// /api/verify checks the detached CMS against the digest, for RSA, ECDSA
// and GOST keys, and refuses a wrong, short or non-hex digest, an attached
// CMS, a SHA-1 signature and a body with both data and hashHex.
func TestSignHashUpload(t *testing.T) {
	b := startSimBackend(t, simtest.WithGOSTKeys())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, spec := range []sim.KeySpec{
		{Name: "HASHRSA", KeyType: testpki.RSA2048},
		{Name: "HASHEC", KeyType: testpki.P256, Profile: testpki.Legal},
		{Name: "HASHGOST", KeyType: testpki.GOST},
	} {
		b.sim.IssueKey(spec)
	}
	file := bytes.Repeat([]byte("katta hujjat, 10+ MB bo'lishi mumkin\n"), 50000) // 1.8 MB
	sum := sha256.Sum256(file)
	hashHex := hex.EncodeToString(sum[:])

	signed := map[string]string{}
	for _, name := range []string{"HASHRSA", "HASHEC", "HASHGOST"} {
		res, err := b.client.SignHash(ctx, b.key(t, ctx, name), bytes.NewReader(file), eimzo.SignOptions{})
		if err != nil {
			t.Fatalf("%s: signHash: %v", name, err)
		}
		if res.Hash != sum {
			t.Fatalf("%s: signHash hashed %x", name, res.Hash)
		}
		signed[name] = res.PKCS7.String()
		r := do(t, b.url, req{method: "POST", path: "/api/verify", body: map[string]string{"pkcs7": signed[name], "hashHex": hex.EncodeToString(res.Hash[:])}})
		if r.status != http.StatusOK || r.json["valid"] != true || r.str("hashForm") != verify.HashAsContent || r.str("dataSha256") != hashHex || r.str("content") != "" {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	// The existing contract still holds: the digest bytes as data.
	if r := do(t, b.url, req{method: "POST", path: "/api/verify", body: map[string]string{"pkcs7": signed["HASHRSA"], "data": b64(sum[:])}}); r.status != http.StatusOK || r.json["valid"] != true {
		t.Errorf("as data: %d %s", r.status, r.body)
	}

	attached, err := b.client.Sign(ctx, b.key(t, ctx, "HASHRSA"), eimzo.Bytes(string(sum[:])), eimzo.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other := sha256.Sum256(append(bytes.Clone(file), '!'))
	sha1 := sha1Detached(t, b.sim, sum[:])
	tests := []struct {
		name   string
		body   map[string]string
		status int
		code   string
	}{
		{"another file's digest", map[string]string{"pkcs7": signed["HASHRSA"], "hashHex": hex.EncodeToString(other[:])}, 422, string(verify.CodeDigestMismatch)},
		{"another file's digest, GOST", map[string]string{"pkcs7": signed["HASHGOST"], "hashHex": hex.EncodeToString(other[:])}, 422, string(verify.CodeDigestMismatch)},
		{"SHA-1-sized digest", map[string]string{"pkcs7": signed["HASHRSA"], "hashHex": hashHex[:40]}, 400, string(verify.CodeHashLength)},
		{"SHA-512-sized digest", map[string]string{"pkcs7": signed["HASHRSA"], "hashHex": hashHex + hashHex}, 400, string(verify.CodeHashLength)},
		{"not hex", map[string]string{"pkcs7": signed["HASHRSA"], "hashHex": strings.Repeat("g", 64)}, 400, string(verify.CodeHashMalformed)},
		{"attached CMS", map[string]string{"pkcs7": attached.PKCS7.String(), "hashHex": hashHex}, 400, string(verify.CodeNotDetached)},
		{"SHA-1 signature", map[string]string{"pkcs7": b64(sha1), "hashHex": hashHex}, 422, string(verify.CodeUnsupported)},
		{"data and hashHex", map[string]string{"pkcs7": signed["HASHRSA"], "hashHex": hashHex, "data": b64(sum[:])}, 400, "BAD_REQUEST"},
		{"pkcs7 not base64", map[string]string{"pkcs7": "!!", "hashHex": hashHex}, 400, "BASE64_INVALID"},
	}
	for _, tt := range tests {
		r := do(t, b.url, req{method: "POST", path: "/api/verify", body: tt.body, header: map[string]string{"Accept-Language": "ru"}})
		if r.status != tt.status || r.code() != tt.code || r.json["valid"] == true {
			t.Errorf("%s: %d %s, want %d %s", tt.name, r.status, r.body, tt.status, tt.code)
		}
		if loc := r.str("localizedMessage"); loc == "" || loc == tt.code {
			t.Errorf("%s: no Russian message for %s: %q", tt.name, tt.code, loc)
		}
	}
}

// sha1Detached is a detached CMS over content by a key of the simulator's
// CA whose signer digests with SHA-1 (smallstep/pkcs7's default).
func sha1Detached(t *testing.T, s *simtest.Sim, content []byte) []byte {
	t.Helper()
	id, err := s.Data.PKI.Issue(testpki.Physical, testpki.P256, 77)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSignerChain(id.Cert, id.Key, []*x509.Certificate{s.Data.PKI.CA}, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestSimulatorSignings signs through eimzo-sim's wire protocol
// (create_pkcs7) with each per-key signing (RSA PKCS#1 v1.5 and RSASSA-PSS,
// ECDSA; SHA-256/384/512) and posts each CMS to /api/verify, which verifies
// it and names the algorithms the simulator used.
func TestSimulatorSignings(t *testing.T) {
	b := startSimBackend(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pss512, _ := softtoken.ParseSigning("pss-sha512")
	b.sim.IssueKey(sim.KeySpec{Name: "SIGRSA", KeyType: testpki.RSA2048, Signing: pss512})
	b.sim.IssueKey(sim.KeySpec{Name: "SIGEC", KeyType: testpki.P256})
	tests := []struct {
		key, signing      string
		digest, signature string // as the report names them
	}{
		{"SIGRSA", "", "SHA-512", "RSASSA-PSS"}, // as issued
		{"SIGRSA", "sha256", "SHA-256", "RSA PKCS#1 v1.5 with SHA-256"},
		{"SIGRSA", "sha384", "SHA-384", "RSA PKCS#1 v1.5 with SHA-384"},
		{"SIGRSA", "sha512", "SHA-512", "RSA PKCS#1 v1.5 with SHA-512"},
		{"SIGRSA", "pss-sha256", "SHA-256", "RSASSA-PSS"},
		{"SIGRSA", "pss-sha384", "SHA-384", "RSASSA-PSS"},
		{"SIGRSA", "pss-sha512", "SHA-512", "RSASSA-PSS"},
		{"SIGEC", "sha256", "SHA-256", "ECDSA with SHA-256"},
		{"SIGEC", "sha384", "SHA-384", "ECDSA with SHA-384"},
		{"SIGEC", "sha512", "SHA-512", "ECDSA with SHA-512"},
	}
	for _, tt := range tests {
		if tt.signing != "" {
			sg, err := softtoken.ParseSigning(tt.signing)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.sim.Data.Store.SetSigning(tt.key, sg); err != nil {
				t.Fatal(err)
			}
		}
		for _, detached := range []bool{false, true} {
			data := "hujjat " + tt.key + " " + tt.signing
			res, err := b.client.Sign(ctx, b.key(t, ctx, tt.key), eimzo.Bytes(data), eimzo.SignOptions{Detached: detached})
			if err != nil {
				t.Fatalf("%s %s: %v", tt.key, tt.signing, err)
			}
			body := map[string]string{"pkcs7": res.PKCS7.String()}
			if detached {
				body["data"] = b64([]byte(data))
			}
			r := do(t, b.url, req{method: "POST", path: "/api/verify", body: body})
			signers, _ := r.json["signers"].([]any)
			if r.status != http.StatusOK || r.json["valid"] != true || len(signers) != 1 {
				t.Errorf("%s %s detached=%v: %d %s", tt.key, tt.signing, detached, r.status, r.body)
				continue
			}
			s := signers[0].(map[string]any)
			if s["digestAlgorithm"] != tt.digest || s["signatureAlgorithm"] != tt.signature {
				t.Errorf("%s %s: signed with %v / %v, want %s / %s", tt.key, tt.signing, s["digestAlgorithm"], s["signatureAlgorithm"], tt.digest, tt.signature)
			}
		}
	}
}
