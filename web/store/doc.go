// Package store keeps the backend's short-lived state: login challenges,
// refresh tokens and sessions. [Memory] is the default for one instance;
// [Redis] lets several instances behind a balancer share it.
//
// Entry points: [NewMemory] (with [WithClock] for tests and
// [WithMaxEntries] against floods) and [OpenRedis]. Both implement
// [Store]: Create (set if absent, with a TTL), Get, Take (get and delete in
// one step: single use), Swap (replace a live value, keeping its TTL) and
// Delete, each atomic.
//
// Errors: [ErrNotFound], [ErrExists], [ErrFull] (memory bound reached),
// [ErrBackend] (Redis failed).
package store
