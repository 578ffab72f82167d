package tsp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"

	"github.com/eimzokit/eimzokit/web/crypto/cms"
)

// ErrMalformed is matched by errors about an unparseable request, response
// or token.
var ErrMalformed = errors.New("tsp: malformed")

// ErrUnavailable is matched by errors reaching the authority (transport,
// HTTP status).
var ErrUnavailable = errors.New("tsp: authority unavailable")

func malformed(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, a...))
}

// RejectedError is a TimeStampResp without a token (RFC 3161 §2.4.2).
type RejectedError struct {
	Status   int // PKIStatus: 2 rejection, 3 waiting, 4 revocationWarning, 5 revocationNotification
	FailInfo int // the lowest PKIFailureInfo bit set, -1 if none
	Text     string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("tsp: the authority refused: status %d, failInfo %d %s", e.Status, e.FailInfo, e.Text)
}

// Info is a TSTInfo (RFC 3161 §2.4.2), parsed by package cms.
type Info = cms.TSTInfo

type messageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

// ParseInfo parses a DER TSTInfo, the eContent of a time-stamp token.
func ParseInfo(der []byte) (*Info, error) {
	info, err := cms.ParseTSTInfo(der)
	if err != nil {
		return nil, malformed("%v", err)
	}
	return info, nil
}

func errOr(err error, s string) any {
	if err != nil {
		return err
	}
	return s
}

type request struct {
	Version        int
	MessageImprint messageImprint
	ReqPolicy      asn1.ObjectIdentifier `asn1:"optional"`
	Nonce          *big.Int              `asn1:"optional"`
	CertReq        bool                  `asn1:"optional,default:false"`
}

// NewRequest encodes a TimeStampReq (RFC 3161 §2.4.1) for digest, made
// with the digest algorithm hashOID, asking for the TSA's certificate.
func NewRequest(hashOID asn1.ObjectIdentifier, digest []byte, nonce *big.Int) ([]byte, error) {
	return asn1.Marshal(request{Version: 1, MessageImprint: messageImprint{
		HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: hashOID, Parameters: asn1.NullRawValue}, HashedMessage: digest},
		Nonce: nonce, CertReq: true})
}

type statusInfo struct {
	Status       int
	StatusString []asn1.RawValue `asn1:"optional"`
	FailInfo     asn1.BitString  `asn1:"optional"`
}

type response struct {
	Status         statusInfo
	TimeStampToken asn1.RawValue `asn1:"optional"`
}

// ParseResponse parses a TimeStampResp and returns its token, a DER
// ContentInfo, when the status is granted (0) or grantedWithMods (1).
func ParseResponse(der []byte) ([]byte, error) {
	var r response
	rest, err := asn1.Unmarshal(der, &r)
	if err != nil || len(rest) != 0 {
		return nil, malformed("TimeStampResp: %v", errOr(err, "trailing data"))
	}
	if r.Status.Status > 1 {
		e := &RejectedError{Status: r.Status.Status, FailInfo: -1}
		for i := 0; i < r.Status.FailInfo.BitLength; i++ {
			if r.Status.FailInfo.At(i) == 1 {
				e.FailInfo = i
				break
			}
		}
		for _, s := range r.Status.StatusString {
			var text string
			if _, err := asn1.UnmarshalWithParams(s.FullBytes, &text, "utf8"); err == nil {
				e.Text += text
			}
		}
		return nil, e
	}
	if len(r.TimeStampToken.FullBytes) == 0 {
		return nil, malformed("a granted response without a token")
	}
	token, _, err := cms.ToDER(r.TimeStampToken.FullBytes)
	if err != nil {
		return nil, malformed("token: %v", err)
	}
	return token, nil
}

// Client asks an RFC 3161 authority over HTTP (§3.4).
type Client struct {
	URL  string
	HTTP *http.Client // http.DefaultClient when nil
}

// MaxResponse bounds an authority's answer.
const MaxResponse = 1 << 20

// Timestamp asks for a token over digest (made with hashOID). It checks that
// the answer is a SignedData over a TSTInfo with the same imprint and nonce;
// the token's signature and the TSA's certificate are for the verifier.
func (c *Client) Timestamp(ctx context.Context, hashOID asn1.ObjectIdentifier, digest []byte) ([]byte, *Info, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, nil, err
	}
	req, err := NewRequest(hashOID, digest, nonce)
	if err != nil {
		return nil, nil, err
	}
	body, err := c.Exchange(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	token, err := ParseResponse(body)
	if err != nil {
		return nil, nil, err
	}
	info, err := TokenInfo(token)
	if err != nil {
		return nil, nil, err
	}
	if !info.HashAlgorithm.Algorithm.Equal(hashOID) || !bytes.Equal(info.HashedMessage, digest) {
		return nil, nil, malformed("the token's imprint is not the digest asked for")
	}
	if info.Nonce == nil || info.Nonce.Cmp(nonce) != 0 {
		return nil, nil, malformed("the token's nonce is not the one asked for")
	}
	return token, info, nil
}

// Exchange posts a DER TimeStampReq and returns the DER TimeStampResp.
func (c *Client) Exchange(ctx context.Context, req []byte) ([]byte, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	hr.Header.Set("Content-Type", "application/timestamp-query")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: HTTP %s", ErrUnavailable, resp.Status)
	case len(body) > MaxResponse:
		return nil, malformed("an answer over %d bytes", MaxResponse)
	case !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/timestamp-reply") && resp.Header.Get("Content-Type") != "":
		return nil, malformed("content type %q", resp.Header.Get("Content-Type"))
	}
	return body, nil
}

// TokenInfo returns the TSTInfo inside a token, without verifying it.
func TokenInfo(token []byte) (*Info, error) {
	_, info, err := cms.ParseTimeStampToken(token)
	if err != nil {
		return nil, malformed("token: %v", err)
	}
	return info, nil
}
