package audit_test

import (
	"bufio"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/web/audit"
)

func TestLog(t *testing.T) {
	var b strings.Builder
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return b.Write(p) })
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l := audit.New(w, func() time.Time { return when })
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { l.Log(audit.Event{Event: "login", Result: "OK", Subject: "30201900000001"}) })
	}
	wg.Wait()
	var nilLogger *audit.Logger
	nilLogger.Log(audit.Event{Event: "ignored"})
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	n := 0
	for sc.Scan() {
		var e audit.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if e.Event != "login" || !e.Time.Equal(when) || e.Subject != "30201900000001" {
			t.Errorf("event %+v", e)
		}
		n++
	}
	if n != 20 {
		t.Errorf("%d lines, want 20", n)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
