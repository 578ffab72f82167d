package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store in a Redis server (6.2 or newer: GETDEL, SET … GET),
// shared by every backend instance behind a balancer. Keys are prefixed.
type Redis struct {
	c      *redis.Client
	prefix string
}

// DefaultPrefix is put before every key.
const DefaultPrefix = "eimzokit:"

// OpenRedis connects to the server at url (redis://[:password@]host:port/db,
// rediss://… for TLS, unix:///path/redis.sock) and checks it answers.
func OpenRedis(ctx context.Context, url string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("store: Redis URL: %v", err)
	}
	c := redis.NewClient(opts)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("%w: Redis at %s: %v", ErrBackend, opts.Addr, err)
	}
	return &Redis{c: c, prefix: DefaultPrefix}, nil
}

func (r *Redis) wrap(err error) error {
	if errors.Is(err, redis.Nil) {
		return ErrNotFound
	}
	return fmt.Errorf("%w: %v", ErrBackend, err)
}

func (r *Redis) Create(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("store: TTL %v", ttl)
	}
	ok, err := r.c.SetNX(ctx, r.prefix+key, value, ttl).Result()
	if err != nil {
		return r.wrap(err)
	}
	if !ok {
		return ErrExists
	}
	return nil
}

func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := r.c.Get(ctx, r.prefix+key).Bytes()
	if err != nil {
		return nil, r.wrap(err)
	}
	return b, nil
}

func (r *Redis) Take(ctx context.Context, key string) ([]byte, error) {
	b, err := r.c.GetDel(ctx, r.prefix+key).Bytes()
	if err != nil {
		return nil, r.wrap(err)
	}
	return b, nil
}

func (r *Redis) Swap(ctx context.Context, key string, value []byte) ([]byte, error) {
	// SET key value XX KEEPTTL GET: replaces only a live key, answers the
	// old value (nil when there was none), in one command.
	old, err := r.c.SetArgs(ctx, r.prefix+key, value, redis.SetArgs{Mode: "XX", KeepTTL: true, Get: true}).Result()
	if err != nil {
		return nil, r.wrap(err)
	}
	return []byte(old), nil
}

func (r *Redis) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = r.prefix + k
	}
	if err := r.c.Del(ctx, full...).Err(); err != nil {
		return r.wrap(err)
	}
	return nil
}

// TTL returns the time a key has left (for tests and diagnostics).
func (r *Redis) TTL(ctx context.Context, key string) (time.Duration, error) {
	d, err := r.c.PTTL(ctx, r.prefix+key).Result()
	if err != nil {
		return 0, r.wrap(err)
	}
	return d, nil
}

// Close closes the connection pool.
func (r *Redis) Close() error { return r.c.Close() }
