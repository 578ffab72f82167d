package tsp_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/eimzokit/eimzokit/daemon-sim/pkisvc"
	"github.com/eimzokit/eimzokit/web/crypto/sigalg"
	"github.com/eimzokit/eimzokit/web/internal/pkitest"
	"github.com/eimzokit/eimzokit/web/tsp"
)

var epoch = time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)

func start(t testing.TB) (*pkisvc.Service, string) {
	t.Helper()
	w := pkitest.Start(t, epoch)
	return w.Svc, w.URL
}

func TestTimestamp(t *testing.T) {
	svc, base := start(t)
	c := &tsp.Client{URL: base + pkisvc.PathTSA}
	digest := sha256.Sum256([]byte("imzo qiymati"))
	token, info, err := c.Timestamp(context.Background(), sigalg.OIDSHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if !info.GenTime.Equal(epoch) || !info.Policy.Equal(pkisvc.DefaultPolicy) || info.Accuracy != time.Second || info.TSA == "" {
		t.Errorf("info %+v", info)
	}
	again, err := tsp.TokenInfo(token)
	if err != nil || again.SerialNumber.Cmp(info.SerialNumber) != 0 {
		t.Errorf("TokenInfo: %v", err)
	}
	svc.SetUnavailable(true)
	if _, _, err := c.Timestamp(context.Background(), sigalg.OIDSHA256, digest[:]); !errors.Is(err, tsp.ErrUnavailable) {
		t.Errorf("503: %v", err)
	}
	svc.SetUnavailable(false)
	var re *tsp.RejectedError
	if _, _, err := c.Timestamp(context.Background(), sigalg.OIDSHA256, digest[:5]); !errors.As(err, &re) || re.Status != 2 || re.FailInfo != int(timestamp.BadDataFormat) {
		t.Errorf("short digest: %v", err)
	}
	closed := &tsp.Client{URL: "http://127.0.0.1:1/tsa"}
	if _, _, err := closed.Timestamp(context.Background(), sigalg.OIDSHA256, digest[:]); !errors.Is(err, tsp.ErrUnavailable) {
		t.Errorf("closed port: %v", err)
	}
}

func TestWrongAnswers(t *testing.T) {
	_, base := start(t)
	digest := sha256.Sum256([]byte("x"))
	other := sha256.Sum256([]byte("y"))
	// An authority that answers a token for another digest.
	liar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := tsp.NewRequest(sigalg.OIDSHA256, other[:], big.NewInt(1))
		body, err := (&tsp.Client{URL: base + pkisvc.PathTSA}).Exchange(r.Context(), req)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write(body)
	}))
	defer liar.Close()
	if _, _, err := (&tsp.Client{URL: liar.URL}).Timestamp(context.Background(), sigalg.OIDSHA256, digest[:]); !errors.Is(err, tsp.ErrMalformed) {
		t.Errorf("token for another digest: %v", err)
	}
	junk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) }))
	defer junk.Close()
	if _, _, err := (&tsp.Client{URL: junk.URL}).Timestamp(context.Background(), sigalg.OIDSHA256, digest[:]); !errors.Is(err, tsp.ErrMalformed) {
		t.Errorf("HTML answer: %v", err)
	}
}

func FuzzParseResponse(f *testing.F) {
	_, base := start(f)
	digest := sha256.Sum256([]byte("seed"))
	req, _ := tsp.NewRequest(sigalg.OIDSHA256, digest[:], big.NewInt(7))
	body, err := (&tsp.Client{URL: base + pkisvc.PathTSA}).Exchange(context.Background(), req)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	rej, _ := timestamp.CreateErrorResponse(timestamp.Rejection, timestamp.BadAlgorithm)
	f.Add(rej)
	f.Fuzz(func(t *testing.T, in []byte) {
		token, err := tsp.ParseResponse(in)
		var re *tsp.RejectedError
		if err != nil {
			if !errors.Is(err, tsp.ErrMalformed) && !errors.As(err, &re) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if _, err := tsp.TokenInfo(token); err != nil && !errors.Is(err, tsp.ErrMalformed) {
			t.Fatalf("untyped error %v", err)
		}
	})
}
