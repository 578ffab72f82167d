package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/web/internal/testclock"
	"github.com/eimzokit/eimzokit/web/store"
	"github.com/eimzokit/eimzokit/web/store/redistest"
)

// conformance runs the same checks on every Store.
func conformance(t *testing.T, s store.Store) {
	ctx := context.Background()
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"create", func() error { return s.Create(ctx, "a", []byte("1"), time.Minute) }, nil},
		{"create again", func() error { return s.Create(ctx, "a", []byte("2"), time.Minute) }, store.ErrExists},
		{"get", func() error { return expect(s.Get(ctx, "a"))("1") }, nil},
		{"swap", func() error { return expect(s.Swap(ctx, "a", []byte("3")))("1") }, nil},
		{"get after swap", func() error { return expect(s.Get(ctx, "a"))("3") }, nil},
		{"swap a missing key", func() error { _, err := s.Swap(ctx, "nope", []byte("x")); return err }, store.ErrNotFound},
		{"take", func() error { return expect(s.Take(ctx, "a"))("3") }, nil},
		{"take again", func() error { _, err := s.Take(ctx, "a"); return err }, store.ErrNotFound},
		{"get a taken key", func() error { _, err := s.Get(ctx, "a"); return err }, store.ErrNotFound},
		{"create after take", func() error { return s.Create(ctx, "a", []byte("4"), time.Minute) }, nil},
		{"delete", func() error { return s.Delete(ctx, "a", "never-was") }, nil},
		{"get a deleted key", func() error { _, err := s.Get(ctx, "a"); return err }, store.ErrNotFound},
		{"zero TTL", func() error { return s.Create(ctx, "z", []byte("x"), 0) }, errAny},
	}
	for _, st := range steps {
		err := st.do()
		switch {
		case st.want == errAny && err == nil:
			t.Errorf("%s: no error", st.name)
		case st.want != errAny && !errors.Is(err, st.want):
			t.Errorf("%s: %v, want %v", st.name, err, st.want)
		}
	}
	// Single use under contention: of 50 concurrent Takes, one wins.
	for round := range 5 {
		key := fmt.Sprintf("race%d", round)
		if err := s.Create(ctx, key, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if _, err := s.Take(ctx, key); err == nil {
					wins.Add(1)
				} else if !errors.Is(err, store.ErrNotFound) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Errorf("round %d: %d Takes won, want 1", round, wins.Load())
		}
	}
}

var errAny = errors.New("any error")

func expect(b []byte, err error) func(string) error {
	return func(want string) error {
		if err != nil {
			return err
		}
		if string(b) != want {
			return fmt.Errorf("got %q, want %q", b, want)
		}
		return nil
	}
}

func TestMemory(t *testing.T) {
	conformance(t, store.NewMemory())

	c := testclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := store.NewMemory(store.WithClock(c.Now), store.WithMaxEntries(3))
	ctx := context.Background()
	_ = m.Create(ctx, "short", []byte("x"), time.Minute)
	_ = m.Create(ctx, "long", []byte("y"), time.Hour)
	c.Add(time.Minute)
	if _, err := m.Get(ctx, "short"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired: %v", err)
	}
	if _, err := m.Swap(ctx, "long", []byte("z")); err != nil {
		t.Fatal(err)
	}
	c.Add(59*time.Minute - time.Second)
	if _, err := m.Get(ctx, "long"); err != nil {
		t.Errorf("Swap must keep the TTL: %v", err)
	}
	c.Add(time.Second)
	if _, err := m.Take(ctx, "long"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired after Swap: %v", err)
	}
	for i := range 3 {
		if err := m.Create(ctx, fmt.Sprint(i), nil, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Create(ctx, "one too many", nil, time.Minute); !errors.Is(err, store.ErrFull) {
		t.Errorf("over the bound: %v", err)
	}
	c.Add(time.Minute)
	if err := m.Create(ctx, "after expiry", nil, time.Minute); err != nil || m.Len() != 1 {
		t.Errorf("expired entries are swept when full: %v, %d entries", err, m.Len())
	}
}

func TestRedis(t *testing.T) {
	url := redistest.Start(t)
	ctx := context.Background()
	r, err := store.OpenRedis(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	conformance(t, r)
	// TTLs are Redis's to enforce; check they are set, and kept by Swap.
	if err := r.Create(ctx, "ttl", []byte("x"), 90*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Swap(ctx, "ttl", []byte("y")); err != nil {
		t.Fatal(err)
	}
	if d, err := r.TTL(ctx, "ttl"); err != nil || d <= 80*time.Second || d > 90*time.Second {
		t.Errorf("TTL after Swap: %v %v", d, err)
	}
	// Two clients of one server see one state.
	r2, err := store.OpenRedis(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	_ = r.Create(ctx, "shared", []byte("s"), time.Minute)
	if _, err := r2.Take(ctx, "shared"); err != nil {
		t.Errorf("the second client does not see the first's key: %v", err)
	}
	if _, err := r.Take(ctx, "shared"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("taken twice across clients: %v", err)
	}
	if _, err := store.OpenRedis(ctx, "redis://127.0.0.1:1/0"); !errors.Is(err, store.ErrBackend) {
		t.Errorf("no server: %v", err)
	}
	if _, err := store.OpenRedis(ctx, "ftp://x"); err == nil {
		t.Error("a bad URL was accepted")
	}
}
