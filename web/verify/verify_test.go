package verify_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/web/crypto/cms"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/internal/pkitest"
	"github.com/eimzokit/eimzokit/web/internal/testclock"
	"github.com/eimzokit/eimzokit/web/revocation"
	"github.com/eimzokit/eimzokit/web/tsp"
	"github.com/eimzokit/eimzokit/web/verify"
)

var epoch = time.Date(2026, 4, 10, 8, 0, 0, 0, time.UTC)

// world is a test PKI with its online services on loopback, and users.
type world struct {
	clock                          *testclock.Clock
	pki                            *testpki.PKI
	svc                            *pkisvc.Service
	base                           string
	rsa, ec, legal, expired, early *testpki.Identity
	bare                           *testpki.Identity // names no OCSP/CRL
}

func newWorld(t testing.TB) *world {
	t.Helper()
	pw := pkitest.Start(t, epoch)
	w := &world{clock: pw.Clock, pki: pw.PKI, svc: pw.Svc, base: pw.URL}
	w.rsa = pw.IssueLinked(t, testpki.Physical, testpki.RSA2048, 1)
	w.ec = pw.IssueLinked(t, testpki.Physical, testpki.P256, 2)
	w.legal = pw.IssueLinked(t, testpki.Legal, testpki.P256, 3)
	w.expired = pw.IssueLinked(t, testpki.Expired, testpki.P256, 4)
	w.early = pw.IssueLinked(t, testpki.Physical, testpki.P256, 5, testpki.WithValidity(epoch.Add(time.Hour), epoch.AddDate(1, 0, 0)))
	w.bare = pw.Issue(t, testpki.Physical, testpki.P256, 6)
	return w
}

func (w *world) verifier(opts ...verify.Option) *verify.Verifier {
	chk := revocation.New(sigalg.Default(), revocation.WithClock(w.clock.Now), revocation.WithOCSP(w.base+pkisvc.PathOCSP))
	return verify.New(append([]verify.Option{verify.WithRoots(w.pki.Root), verify.WithClock(w.clock.Now),
		verify.WithRevocation(chk, verify.Require)}, opts...)...)
}

func (w *world) tsa() *tsp.Client { return &tsp.Client{URL: w.base + pkisvc.PathTSA} }

func signer(id *testpki.Identity, p *testpki.PKI, mods ...func(*cms.Signer)) cms.Signer {
	s := cms.Signer{Key: id.Key, Certificate: id.Cert, Chain: []*x509.Certificate{p.CA}, SigningTime: epoch}
	for _, m := range mods {
		m(&s)
	}
	return s
}

func sign(t testing.TB, content []byte, detached bool, signers ...cms.Signer) []byte {
	t.Helper()
	sd, err := cms.Sign(content, detached, signers...)
	if err != nil {
		t.Fatal(err)
	}
	der, err := sd.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func (w *world) stamp(t testing.TB, der []byte) []byte {
	t.Helper()
	out, stamped, err := w.verifier().Timestamp(context.Background(), der, w.tsa())
	if err != nil || len(stamped) == 0 {
		t.Fatalf("stamping: %v (%d stamped)", err, len(stamped))
	}
	return out
}

// certWith issues a certificate from the CA with a template the test
// shapes (key usage, validity, issuer).
func certWith(t *testing.T, w *world, parent *x509.Certificate, parentKey crypto.Signer, tmpl *x509.Certificate) *testpki.Identity {
	t.Helper()
	key, _ := testpki.GenerateKey(testpki.P256, rand.Reader)
	if parent == nil {
		parent = w.pki.CA
		parentKey, _ = w.pki.IssuerKey(w.pki.CA)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = epoch.Add(-time.Hour), epoch.AddDate(1, 0, 0)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &testpki.Identity{Cert: c, Key: key}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x01
	return c
}

type want struct {
	code  verify.Code // "" = TOTAL_PASSED
	ind   verify.Indication
	sub   string
	level string
}

func check(t *testing.T, name string, rep *verify.Report, err error, w want) {
	t.Helper()
	if w.code == "" {
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if rep.Indication != verify.TotalPassed || (w.level != "" && rep.Level != w.level) {
			t.Errorf("%s: %s level %q, want TOTAL_PASSED level %q", name, rep.Indication, rep.Level, w.level)
		}
		return
	}
	var ve *verify.Error
	if !errors.As(err, &ve) || ve.Code != w.code {
		t.Errorf("%s: %v, want %s", name, err, w.code)
		return
	}
	if w.ind != "" && (rep == nil || rep.Indication != w.ind || rep.SubIndication != w.sub) {
		if rep == nil {
			t.Errorf("%s: no report, want %s/%s", name, w.ind, w.sub)
		} else {
			t.Errorf("%s: %s/%s, want %s/%s", name, rep.Indication, rep.SubIndication, w.ind, w.sub)
		}
	}
}

func TestVerify(t *testing.T) {
	w := newWorld(t)
	data := []byte("shartnoma № 7: Ўзбекистон")
	p := w.pki
	attached := sign(t, data, false, signer(w.rsa, p))
	detached := sign(t, data, true, signer(w.ec, p, func(s *cms.Signer) { s.Hash = crypto.SHA384 }))
	otherPKI, _ := testpki.New()
	noKU := certWith(t, w, nil, nil, &x509.Certificate{Subject: pkix.Name{CommonName: "no signing"}, KeyUsage: x509.KeyUsageKeyEncipherment})
	// A "CA" that is a user certificate: signs a certificate it may not.
	fakeCA := certWith(t, w, nil, nil, &x509.Certificate{Subject: pkix.Name{CommonName: "not a CA"}, KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true})
	underFake := certWith(t, w, fakeCA.Cert, fakeCA.Key, &x509.Certificate{Subject: pkix.Name{CommonName: "under a non-CA"}, KeyUsage: x509.KeyUsageDigitalSignature})
	twoBadSecond, _ := cms.Sign(data, false, signer(w.rsa, p), signer(w.legal, p))
	twoBadSecond.Signers[1].Signature = flip(twoBadSecond.Signers[1].Signature, 10)
	twoBadDER, _ := twoBadSecond.Marshal()
	realEIMZO, err := os.ReadFile(filepath.Join("..", "crypto", "gost", "testdata", "eimzo-pkcs7-attached-777a2a2b.p7b"))
	if err != nil {
		t.Fatal(err)
	}
	realRoot, _ := os.ReadFile(filepath.Join("..", "crypto", "gost", "testdata", "cert-root-575a613a.der"))
	realRootCert, _ := x509.ParseCertificate(realRoot)
	styx, _ := os.ReadFile(filepath.Join("..", "crypto", "gost", "testdata", "styx-cms-director.p7b"))

	tests := []struct {
		name string
		v    *verify.Verifier
		der  []byte
		data []byte
		want want
	}{
		{"attached RSA", w.verifier(), attached, nil, want{level: "B"}},
		{"attached with the same data", w.verifier(), attached, data, want{}},
		{"detached ECDSA SHA-384", w.verifier(), detached, data, want{}},
		{"RSA-PSS SHA-512", w.verifier(), sign(t, data, false, signer(w.rsa, p, func(s *cms.Signer) { s.PSS, s.Hash = true, crypto.SHA512 })), nil, want{}},
		{"signer by subject key identifier", w.verifier(), sign(t, data, true, signer(w.ec, p, func(s *cms.Signer) { s.SubjectKeyID = true })), data, want{}},
		{"no signed attributes", w.verifier(), sign(t, data, false, signer(w.ec, p, func(s *cms.Signer) { s.NoAttributes = true })), nil, want{}},
		{"two signers", w.verifier(), sign(t, data, false, signer(w.rsa, p), signer(w.legal, p)), nil, want{}},
		{"two signers, the second broken", w.verifier(), twoBadDER, nil, want{verify.CodeSignatureInvalid, verify.TotalFailed, verify.SubSigCryptoFailure, ""}},
		{"time-stamped", w.verifier(), w.stamp(t, attached), nil, want{level: "T"}},
		{"detached without data", w.verifier(), detached, nil, want{code: verify.CodeDataMissing}},
		{"detached with other data", w.verifier(), detached, []byte("shartnoma № 8"), want{verify.CodeDigestMismatch, verify.TotalFailed, verify.SubHashFailure, ""}},
		{"attached with other data", w.verifier(), attached, []byte("other"), want{code: verify.CodeDigestMismatch}},
		{"signature bit flipped", w.verifier(), flip(attached, len(attached)-5), nil, want{verify.CodeSignatureInvalid, verify.TotalFailed, verify.SubSigCryptoFailure, ""}},
		{"not a CMS", w.verifier(), []byte("hello"), nil, want{code: verify.CodeMalformed}},
		{"truncated", w.verifier(), attached[:len(attached)/2], nil, want{code: verify.CodeMalformed}},
		{"foreign trust anchor", verify.New(verify.WithRoots(otherPKI.Root), verify.WithClock(w.clock.Now)), attached, nil,
			want{verify.CodeChainInvalid, verify.Indeterminate, verify.SubNoChainFound, ""}},
		{"expired certificate", w.verifier(), sign(t, data, false, signer(w.expired, p)), nil, want{verify.CodeCertExpired, verify.Indeterminate, verify.SubOutOfBoundsNoPOE, ""}},
		{"certificate not yet valid", w.verifier(), sign(t, data, false, signer(w.early, p)), nil, want{verify.CodeCertExpired, verify.TotalFailed, verify.SubNotYetValid, ""}},
		{"signing time in the future", w.verifier(), sign(t, data, false, signer(w.ec, p, func(s *cms.Signer) { s.SigningTime = epoch.Add(time.Hour) })), nil,
			want{verify.CodeSigningTime, verify.Indeterminate, verify.SubSigConstraints, ""}},
		{"key usage without signing", w.verifier(), sign(t, data, false, signer(noKU, p)), nil, want{verify.CodeCertUsage, verify.Indeterminate, verify.SubChainConstraints, ""}},
		{"issued by a non-CA", w.verifier(), sign(t, data, false, cms.Signer{Key: underFake.Key, Certificate: underFake.Cert, Chain: []*x509.Certificate{fakeCA.Cert, p.CA}}), nil,
			want{verify.CodeChainInvalid, verify.Indeterminate, verify.SubChainConstraints, ""}},
		{"names no OCSP or CRL", w.verifier(), sign(t, data, false, signer(w.bare, p)), nil, want{}}, // the configured responder answers
		{"names none, none configured", verify.New(verify.WithRoots(p.Root), verify.WithClock(w.clock.Now), verify.WithRevocation(revocation.New(sigalg.Default(), revocation.WithClock(w.clock.Now)), verify.Require)),
			sign(t, data, false, signer(w.bare, p)), nil, want{verify.CodeRevocationUnknown, verify.Indeterminate, verify.SubTryLater, ""}},
		{"names none, soft-fail", verify.New(verify.WithRoots(p.Root), verify.WithClock(w.clock.Now), verify.WithRevocation(revocation.New(sigalg.Default(), revocation.WithClock(w.clock.Now)), verify.SoftFail)),
			sign(t, data, false, signer(w.bare, p)), nil, want{}},
		{"real E-IMZO CMS", verify.New(verify.WithRoots(realRootCert), verify.WithValidationTime(time.Date(2020, 7, 13, 0, 0, 0, 0, time.UTC))),
			realEIMZO, nil, want{level: "B"}},
		{"real E-IMZO CMS, GOST not plugged in", verify.New(verify.WithRoots(realRootCert), verify.WithAlgorithms(sigalg.Standard()),
			verify.WithClock(func() time.Time { return time.Date(2020, 7, 13, 0, 0, 0, 0, time.UTC) })),
			realEIMZO, nil, want{verify.CodeUnsupported, verify.Indeterminate, verify.SubCryptoConstraints, ""}},
		{"signer certificate crypto/x509 refuses", w.verifier(), styx, nil, want{verify.CodeNoSigner, verify.Indeterminate, verify.SubNoSigningCertFound, ""}},
	}
	for _, tt := range tests {
		rep, err := tt.v.Verify(context.Background(), tt.der, tt.data)
		check(t, tt.name, rep, err, tt.want)
	}

	// What a passing report says.
	rep, err := w.verifier().Verify(context.Background(), w.stamp(t, sign(t, data, false, signer(w.legal, p))), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signers[0]
	id := s.Identity
	if string(rep.Content) != string(data) || id.PINFL != w.legal.Person.PINFL || id.OrgTIN != w.legal.Person.OrgTIN || id.TIN != w.legal.Person.UID ||
		id.FullName != w.legal.Person.CN || id.Organization != w.legal.Person.O || id.Title != w.legal.Person.T {
		t.Errorf("identity %+v", id)
	}
	if len(s.Chain) != 3 || !s.Chain[2].TrustAnchor || s.Chain[0].Status == nil || s.Chain[0].Status.Status != revocation.Good ||
		s.Chain[1].Status == nil || s.Revocation.Checked != "yes" {
		t.Errorf("chain %+v revocation %+v", s.Chain, s.Revocation)
	}
	if s.Timestamp == nil || !s.Timestamp.Verified || !s.Timestamp.DigestVerified || !s.Timestamp.Time.Equal(epoch) || s.TimeSource != "timestamp" ||
		s.Timestamp.Policy != pkisvc.DefaultPolicy.String() || len(s.Timestamp.Chain) != 3 {
		t.Errorf("timestamp %+v", s.Timestamp)
	}
	if s.SigningTime == nil || !s.SigningTime.Equal(epoch) || s.DigestAlgorithm != "SHA-256" || s.SignatureAlgorithm != "ECDSA with SHA-256" || s.SerialNumber != w.legal.Cert.SerialNumber.Text(16) {
		t.Errorf("signer %+v", s)
	}
	// The real E-IMZO signer is identified even where its GOST signature
	// cannot be checked.
	rep, _ = tests[len(tests)-2].v.Verify(context.Background(), realEIMZO, nil)
	if rep == nil || rep.Signers[0].Identity.PINFL != "31707905590011" || rep.Signers[0].SerialNumber != "777a2a2b" {
		t.Errorf("real E-IMZO report %+v", rep)
	}
}

// TestTimeAndRevocation moves the clock: signatures made and time-stamped
// while a certificate was good survive its expiry and a later revocation;
// without a time-stamp they do not.
func TestTimeAndRevocation(t *testing.T) {
	data := []byte("vaqt")
	ctx := context.Background()

	t.Run("expired after a time-stamp", func(t *testing.T) {
		w := newWorld(t)
		short := certWith(t, w, nil, nil, &x509.Certificate{Subject: pkix.Name{CommonName: "short"}, KeyUsage: x509.KeyUsageDigitalSignature,
			NotBefore: epoch.Add(-time.Hour), NotAfter: epoch.Add(24 * time.Hour), OCSPServer: []string{w.base + pkisvc.PathOCSP}})
		plain := sign(t, data, false, signer(short, w.pki))
		stamped := w.stamp(t, plain)
		w.clock.Set(epoch.Add(48 * time.Hour))
		rep, err := w.verifier().Verify(ctx, stamped, nil)
		check(t, "time-stamped, then expired", rep, err, want{level: "T"})
		// Without the time-stamp, the signing-time attribute is all there is.
		rep, err = w.verifier().Verify(ctx, plain, nil)
		check(t, "signing-time only, then expired", rep, err, want{level: "B"})
		noTime := sign(t, data, false, signer(short, w.pki, func(s *cms.Signer) { s.SigningTime = time.Time{} }))
		rep, err = w.verifier().Verify(ctx, noTime, nil)
		check(t, "no time at all, then expired", rep, err, want{verify.CodeCertExpired, verify.Indeterminate, verify.SubOutOfBoundsNoPOE, ""})
	})

	t.Run("revocation", func(t *testing.T) {
		w := newWorld(t)
		plain := sign(t, data, false, signer(w.ec, w.pki))
		stamped := w.stamp(t, plain)
		w.svc.Revoke(w.ec.Cert.SerialNumber, pkisvc.KeyCompromise, epoch.Add(time.Hour))
		w.clock.Set(epoch.Add(2 * time.Hour))
		rep, err := w.verifier().Verify(ctx, stamped, nil)
		check(t, "revoked after the time-stamp", rep, err, want{level: "T"})
		if rep != nil && rep.Signers[0].Revocation.Detail == "" {
			t.Error("the report does not mention the later revocation")
		}
		rep, err = w.verifier().Verify(ctx, plain, nil)
		check(t, "revoked, no time-stamp", rep, err, want{verify.CodeRevoked, verify.Indeterminate, verify.SubRevokedNoPOE, ""})
		late := w.stamp(t, sign(t, data, false, signer(w.ec, w.pki, func(s *cms.Signer) { s.SigningTime = epoch.Add(2 * time.Hour) })))
		rep, err = w.verifier().Verify(ctx, late, nil)
		check(t, "time-stamped after the revocation", rep, err, want{verify.CodeRevoked, verify.TotalFailed, verify.SubRevoked, ""})
		w.svc.Revoke(w.pki.CA.SerialNumber, pkisvc.CACompromise, epoch.Add(time.Hour))
		rep, err = w.verifier().Verify(ctx, sign(t, data, false, signer(w.rsa, w.pki, func(s *cms.Signer) { s.SigningTime = epoch.Add(2 * time.Hour) })), nil)
		check(t, "issuing CA revoked", rep, err, want{verify.CodeRevoked, verify.Indeterminate, verify.SubRevokedCANoPOE, ""})
		w.svc.SetUnavailable(true)
		rep, err = w.verifier().Verify(ctx, plain, nil)
		check(t, "responder down", rep, err, want{verify.CodeRevocationUnknown, verify.Indeterminate, verify.SubTryLater, ""})
	})
}

func TestTimestampFailures(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	data := []byte("muhr")
	p := w.pki
	a := w.stamp(t, sign(t, data, false, signer(w.rsa, p)))
	b := sign(t, data, false, signer(w.ec, p))

	moveToken := func(from, to []byte) []byte {
		sa, _ := cms.Parse(from)
		sb, _ := cms.Parse(to)
		vals, _, _ := cms.Attr(sa.Signers[0].UnsignedAttrs, cms.OIDAttrTimeStamp)
		sb.Signers[0].SetUnsigned(cms.OIDAttrTimeStamp, vals...)
		out, _ := sb.Marshal()
		return out
	}
	tamper := func(der []byte, edit func([]byte) []byte) []byte {
		sd, _ := cms.Parse(der)
		vals, _, _ := cms.Attr(sd.Signers[0].UnsignedAttrs, cms.OIDAttrTimeStamp)
		sd.Signers[0].SetUnsigned(cms.OIDAttrTimeStamp, edit(vals[0]))
		out, _ := sd.Marshal()
		return out
	}
	// A token signed by a user certificate (no id-kp-timeStamping).
	byUser := func(signature []byte, tsaID *testpki.Identity) []byte {
		sum := crypto.SHA256.New()
		sum.Write(signature)
		ts := timestamp.Timestamp{HashAlgorithm: crypto.SHA256, HashedMessage: sum.Sum(nil), Time: epoch, Policy: pkisvc.DefaultPolicy, AddTSACertificate: true}
		resp, err := ts.CreateResponseWithOpts(tsaID.Cert, tsaID.Key, crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		token, err := tsp.ParseResponse(resp)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	sb, _ := cms.Parse(b)
	sb.Signers[0].SetUnsigned(cms.OIDAttrTimeStamp, byUser(sb.Signers[0].Signature, w.legal))
	userToken, _ := sb.Marshal()

	// A TSA certificate revoked before the token.
	revokedTSA, err := p.IssueService(testpki.TSA, testpki.P256)
	if err != nil {
		t.Fatal(err)
	}
	sb, _ = cms.Parse(b)
	sb.Signers[0].SetUnsigned(cms.OIDAttrTimeStamp, byUser(sb.Signers[0].Signature, revokedTSA))
	revokedToken, _ := sb.Marshal()
	w.svc.Revoke(revokedTSA.Cert.SerialNumber, pkisvc.CessationOfOperation, epoch.Add(-time.Hour))

	tests := []struct {
		name string
		der  []byte
		want want
	}{
		{"token of another signature", moveToken(a, b), want{verify.CodeTimestampInvalid, verify.TotalFailed, verify.SubHashFailure, ""}},
		{"token signature flipped", tamper(a, func(tok []byte) []byte { return flip(tok, len(tok)-3) }), want{verify.CodeTimestampInvalid, verify.TotalFailed, verify.SubSigCryptoFailure, ""}},
		{"token is junk", tamper(a, func([]byte) []byte { return []byte{0x04, 0x01, 0x00} }), want{verify.CodeTimestampInvalid, verify.Indeterminate, verify.SubFormatFailure, ""}},
		{"TSA without id-kp-timeStamping", userToken, want{verify.CodeTimestampCert, verify.Indeterminate, verify.SubChainConstraints, ""}},
		{"TSA revoked before the token", revokedToken, want{verify.CodeTimestampCertStatus, verify.Indeterminate, verify.SubRevokedNoPOE, ""}},
	}
	for _, tt := range tests {
		rep, err := w.verifier().Verify(ctx, tt.der, nil)
		check(t, tt.name, rep, err, tt.want)
		if rep != nil && rep.Signers[0].Timestamp != nil && rep.Signers[0].Timestamp.Verified {
			t.Errorf("%s: the token is reported verified", tt.name)
		}
	}

	// Stamping again changes nothing; a TSA that is down is reported.
	again, stamped, err := w.verifier().Timestamp(ctx, a, w.tsa())
	if err != nil || len(stamped) != 0 || len(again) == 0 {
		t.Errorf("stamping a stamped CMS: %v, %d stamped", err, len(stamped))
	}
	w.svc.SetUnavailable(true)
	var ve *verify.Error
	if _, _, err := w.verifier().Timestamp(ctx, b, w.tsa()); !errors.As(err, &ve) || ve.Code != verify.CodeTSAUnavailable {
		t.Errorf("TSA down: %v", err)
	}
}
