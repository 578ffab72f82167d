package store

import (
	"context"
	"errors"
	"time"
)

// Errors. Callers match them with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")     // missing or expired
	ErrExists   = errors.New("store: exists")        // Create on a live key
	ErrFull     = errors.New("store: full")          // the memory store's bound
	ErrBackend  = errors.New("store: backend error") // Redis unreachable, …
)

// Store keeps short-lived records (challenges, refresh tokens, sessions)
// with a time to live. Every method is atomic with respect to the others,
// also across processes sharing a Redis.
type Store interface {
	// Create stores value under key for ttl, unless the key exists
	// (ErrExists).
	Create(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Get returns the value (ErrNotFound).
	Get(ctx context.Context, key string) ([]byte, error)
	// Take returns the value and deletes the key in one step, so only one
	// caller ever gets it (ErrNotFound).
	Take(ctx context.Context, key string) ([]byte, error)
	// Swap replaces the value of a live key, keeping its TTL, and returns
	// the value it had (ErrNotFound).
	Swap(ctx context.Context, key string, value []byte) ([]byte, error)
	// Delete removes keys; missing ones are not an error.
	Delete(ctx context.Context, keys ...string) error
	// Close releases the store.
	Close() error
}
