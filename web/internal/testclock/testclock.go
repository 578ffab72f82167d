// Package testclock is the clock seam of web/ tests: a time that moves only
// when a test moves it, safe for concurrent readers.
//
//	c := testclock.New(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
//	svc := thing.New(thing.WithClock(c.Now))
//	c.Add(2 * time.Minute) // instead of sleeping
package testclock

import (
	"sync"
	"time"
)

// Clock is a settable time.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock reading t.
func New(t time.Time) *Clock { return &Clock{t: t} }

// Now reads the clock; pass it where a func() time.Time is wanted.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d (backwards when d < 0).
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
