package eimzo

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// Defaults of [New].
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxDataBytes = 32 << 20 // what the v6 daemon signs at most
	DefaultMaxReply     = capiws.MaxFrameBytes
)

// Versions the client gates on (PROTOCOL.md §3.1), as major×100+minor.
const (
	MinVersion    = 337 // the oldest daemon the official demo accepts
	VersionIDCard = 412 // ID cards; no more ftjc tokens
	VersionBAIK   = 486 // BAIK tokens and CKC
	VersionV6     = 600 // v6 looks API keys up itself and dropped attach_timestamp_token_pkcs7
)

// Client calls the E-IMZO daemon. It is safe for concurrent use; each call
// opens its own connection, as the daemon answers one request per connection.
type Client struct {
	url       string
	transport Transport
	timeout   time.Duration
	maxData   int
	maxReply  int64
	apiKeys   map[string]string
	domain    string
	lang      Lang

	mu      sync.Mutex
	version *Version
	keyIDs  map[string]string // Certificate.key() → keyId
}

// Option configures [New].
type Option func(*Client)

// WithURL sets the daemon's endpoint (default ws://127.0.0.1:64646/service/cryptapi).
func WithURL(url string) Option { return func(c *Client) { c.url = url } }

// WithTransport sets how requests reach the daemon.
func WithTransport(t Transport) Option { return func(c *Client) { c.transport = t } }

// WithTimeout bounds every call (default 30 s). A password dialog counts.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithMaxDataBytes bounds the data a signing call accepts (default 32 MiB).
func WithMaxDataBytes(n int) Option { return func(c *Client) { c.maxData = n } }

// WithMaxReplyBytes bounds the reply a call accepts (default 64 MiB).
func WithMaxReplyBytes(n int64) Option { return func(c *Client) { c.maxReply = n } }

// WithAPIKeys sets the domain → key map that Install sends to daemons
// older than v6, which do not look keys up themselves.
func WithAPIKeys(keys map[string]string) Option {
	return func(c *Client) {
		c.apiKeys = make(map[string]string, len(keys))
		for d, k := range keys {
			c.apiKeys[strings.ToLower(d)] = k
		}
	}
}

// WithDomain sets the domain the daemon sees in the Origin header (in the
// browser, the page's hostname). Install then sends only that domain's API
// key, so a wrong key for another site cannot fail the page's install.
func WithDomain(domain string) Option {
	return func(c *Client) { c.domain = strings.ToLower(domain) }
}

// WithLang sets the language of error messages (default English natively;
// the browser client defaults to Uzbek).
func WithLang(l Lang) Option { return func(c *Client) { c.lang = l } }

// New returns a client.
func New(opts ...Option) *Client {
	c := &Client{
		url: capiws.DefaultWSURL, transport: defaultTransport(), timeout: DefaultTimeout,
		maxData: DefaultMaxDataBytes, maxReply: DefaultMaxReply, lang: LangEN, keyIDs: map[string]string{},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Version is the daemon's version.
type Version struct {
	Major, Minor int
	Patch        string
	Edition      string
}

// Number is major×100+minor, the number the official client gates on.
func (v Version) Number() int { return v.Major*100 + v.Minor }

func (v Version) String() string {
	s := strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor)
	if v.Patch != "" {
		s += "." + v.Patch
	}
	return s
}

// versionText writes a version number such as 412 as "4.12".
func versionText(n int) string {
	m := strconv.Itoa(n % 100)
	if len(m) < 2 {
		m = "0" + m
	}
	return strconv.Itoa(n/100) + "." + m
}

// Version returns what the last successful Install found.
func (c *Client) Version() (Version, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version == nil {
		return Version{}, false
	}
	return *c.version, true
}

// finish is deferred by every exported call: it turns any error into an
// *Error in the client's language.
func (c *Client) finish(err *error) {
	if *err == nil {
		return
	}
	e := asError(*err)
	e.localize(c.lang)
	*err = e
}

// call sends one request and returns the reply of a successful call.
func (c *Client) call(ctx context.Context, req Request) (Reply, error) {
	if c.transport == nil {
		return nil, NewError(CodeInternal, "no transport")
	}
	if c.timeout > 0 {
		// Not context.WithTimeout: its timerCtx carries a time.Time into an
		// interface, which links time's formatting code (30 kB) into the
		// WebAssembly build.
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		t := time.AfterFunc(c.timeout, func() { cancel(errTimeout) })
		defer func() { t.Stop(); cancel(nil) }()
	}
	r, err := c.transport.RoundTrip(ctx, c.url, req, c.maxReply)
	if err != nil {
		return nil, contextError(ctx, err)
	}
	if !r.Bool("success") {
		st, has := r.Int("status")
		reason := r.Str("reason")
		if !has && reason == "" {
			return nil, NewError(CodeProtocol, "the reply is neither a success nor a failure with a reason")
		}
		return nil, daemonError(st, has, reason)
	}
	return r, nil
}

// errTimeout is the cause of a call's context when its timeout fires.
var errTimeout = errors.New("eimzo: the call's timeout fired")

// contextError turns a transport error into TIMEOUT or ABORTED when the
// context ended first.
func contextError(ctx context.Context, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Code != CodeTimeout && e.Code != CodeAborted && ctx.Err() == nil {
		return err
	}
	switch {
	case errors.Is(context.Cause(ctx), errTimeout), errors.Is(ctx.Err(), context.DeadlineExceeded):
		return NewError(CodeTimeout, "")
	case ctx.Err() != nil:
		return wrapError(CodeAborted, "", context.Cause(ctx))
	case e != nil:
		return e
	}
	return wrapError(CodeTransport, "", err)
}

// ParseInt reads a decimal integer of at most nine digits, with an
// optional minus sign: a version part or a status that a daemon sent as a
// string. (strconv.Atoi's error path would pull quoting code into the
// WebAssembly build.)
func ParseInt(s string) (int, bool) {
	neg := len(s) > 1 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// atoi reads a non-negative version part.
func atoi(s string) (int, bool) {
	n, ok := ParseInt(s)
	return n, ok && n >= 0
}

// textField reads a field the daemon should send as a string but that a
// daemon might send as a number.
func textField(r Reply, key string) string {
	if s := r.Str(key); s != "" {
		return s
	}
	if n, ok := r.Int(key); ok {
		return strconv.Itoa(n)
	}
	return ""
}

// Install checks the daemon's version and, on daemons older than v6, sends
// the page's API key. It fails with VERSION_UNSUPPORTED below 3.37. A failed
// install is not remembered.
func (c *Client) Install(ctx context.Context) (v Version, err error) {
	defer c.finish(&err)
	if v, err = c.fetchVersion(ctx); err != nil {
		return v, err
	}
	if v.Number() < MinVersion {
		return v, NewError(CodeVersionUnsupported, "E-IMZO "+v.String()+" is older than "+versionText(MinVersion))
	}
	if pairs := c.apiKeyPairs(); v.Number() < VersionV6 && len(pairs) > 0 {
		if _, err := c.call(ctx, Request{Name: "apikey", Args: pairs}); err != nil {
			return v, err
		}
	}
	c.mu.Lock()
	c.version = &v
	c.mu.Unlock()
	return v, nil
}

// fetchVersion asks the daemon for its version.
func (c *Client) fetchVersion(ctx context.Context) (Version, error) {
	r, err := c.call(ctx, Request{Name: "version"})
	if err != nil {
		return Version{}, err
	}
	major, ok1 := atoi(textField(r, "major"))
	minor, ok2 := atoi(textField(r, "minor"))
	if !ok1 || !ok2 {
		return Version{}, NewError(CodeProtocol, "version without major and minor")
	}
	return Version{Major: major, Minor: minor, Patch: textField(r, "patch"), Edition: r.Str("edition")}, nil
}

// versionNumber returns the daemon's version number, asking the daemon
// when Install has not run (the gates of devices, ftjc and timestamps need
// it), and remembering the answer.
func (c *Client) versionNumber(ctx context.Context) (int, error) {
	if v, ok := c.Version(); ok {
		return v.Number(), nil
	}
	v, err := c.fetchVersion(ctx)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.version == nil {
		c.version = &v
	}
	c.mu.Unlock()
	return v.Number(), nil
}

// apiKeyPairs returns the apikey arguments: the pair of the client's
// domain when it is known, otherwise every pair, in a stable order.
func (c *Client) apiKeyPairs() []string {
	if c.domain != "" {
		if k, ok := c.apiKeys[c.domain]; ok {
			return []string{c.domain, k}
		}
		return nil
	}
	domains := make([]string, 0, len(c.apiKeys))
	for d := range c.apiKeys {
		domains = append(domains, d)
	}
	for i := 1; i < len(domains); i++ { // insertion sort: a handful of domains
		for j := i; j > 0 && domains[j] < domains[j-1]; j-- {
			domains[j], domains[j-1] = domains[j-1], domains[j]
		}
	}
	pairs := make([]string, 0, 2*len(domains))
	for _, d := range domains {
		pairs = append(pairs, d, c.apiKeys[d])
	}
	return pairs
}
