package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxEntries bounds the memory store, so a flood of challenge
// requests cannot grow it without end.
const DefaultMaxEntries = 1 << 20

type entry struct {
	value   []byte
	expires time.Time
}

// Memory is a Store in this process's memory: the default for a single
// instance.
type Memory struct {
	mu      sync.Mutex
	m       map[string]entry
	now     func() time.Time
	max     int
	nextGC  time.Time
	gcEvery time.Duration
}

// MemoryOption configures [NewMemory].
type MemoryOption func(*Memory)

// WithClock sets the clock TTLs are measured by.
func WithClock(now func() time.Time) MemoryOption { return func(m *Memory) { m.now = now } }

// WithMaxEntries bounds the number of live records (ErrFull beyond).
func WithMaxEntries(n int) MemoryOption { return func(m *Memory) { m.max = n } }

// NewMemory returns an empty memory store.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{m: map[string]entry{}, now: time.Now, max: DefaultMaxEntries, gcEvery: time.Minute}
	for _, o := range opts {
		o(m)
	}
	return m
}

// live returns the entry under key if it has not expired; the caller holds mu.
func (m *Memory) live(key string, now time.Time) (entry, bool) {
	e, ok := m.m[key]
	if ok && !now.Before(e.expires) {
		delete(m.m, key)
		return entry{}, false
	}
	return e, ok
}

// sweep drops expired entries now and then, or when the store is full.
func (m *Memory) sweep(now time.Time, force bool) {
	if !force && now.Before(m.nextGC) {
		return
	}
	for k, e := range m.m {
		if !now.Before(e.expires) {
			delete(m.m, k)
		}
	}
	m.nextGC = now.Add(m.gcEvery)
}

func (m *Memory) Create(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("store: TTL %v", ttl)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now, false)
	if _, ok := m.live(key, now); ok {
		return ErrExists
	}
	if len(m.m) >= m.max {
		m.sweep(now, true)
		if len(m.m) >= m.max {
			return ErrFull
		}
	}
	m.m[key] = entry{value: append([]byte{}, value...), expires: now.Add(ttl)}
	return nil
}

func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.live(key, m.now())
	if !ok {
		return nil, ErrNotFound
	}
	return append([]byte{}, e.value...), nil
}

func (m *Memory) Take(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.live(key, m.now())
	if !ok {
		return nil, ErrNotFound
	}
	delete(m.m, key)
	return e.value, nil
}

func (m *Memory) Swap(_ context.Context, key string, value []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.live(key, m.now())
	if !ok {
		return nil, ErrNotFound
	}
	m.m[key] = entry{value: append([]byte{}, value...), expires: e.expires}
	return e.value, nil
}

func (m *Memory) Delete(_ context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.m, k)
	}
	return nil
}

// Close does nothing.
func (m *Memory) Close() error { return nil }

// Len returns the number of records, live or not yet swept.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}
