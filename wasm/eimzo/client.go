package eimzo

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// Transport carries one request to the daemon and brings back its reply:
// open a connection to url, send frame as one text frame, return the first
// text frame that comes back (at most maxReply bytes), close. It returns an
// *Error: NOT_INSTALLED when nothing answers at url, TRANSPORT when the
// connection ends without a reply, RESPONSE_TOO_LARGE, TIMEOUT or ABORTED.
//
// Natively the client uses a WebSocket transport of its own; in the browser
// the bridge supplies one built on the page's WebSocket.
type Transport interface {
	RoundTrip(ctx context.Context, url string, frame []byte, maxReply int64) ([]byte, error)
}

// Defaults of [New].
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxDataBytes = 32 << 20 // what the v6 daemon signs at most
	DefaultMaxReply     = capiws.MaxFrameBytes
)

// MinVersion is the oldest daemon the client works with: 3.37, the version
// the official demo requires.
const MinVersion = 337

// Client calls the E-IMZO daemon. It is safe for concurrent use; each call
// opens its own connection, as the daemon answers one request per connection.
type Client struct {
	url       string
	transport Transport
	timeout   time.Duration
	maxData   int
	maxReply  int64
	apiKeys   []string // domain, key, domain, key…
	now       func() time.Time

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

// WithMaxDataBytes bounds the data sign accepts (default 32 MiB).
func WithMaxDataBytes(n int) Option { return func(c *Client) { c.maxData = n } }

// WithMaxReplyBytes bounds the reply a call accepts (default 64 MiB).
func WithMaxReplyBytes(n int64) Option { return func(c *Client) { c.maxReply = n } }

// WithAPIKeys sets the (domain → key) pairs install sends to daemons older
// than v6, which do not look keys up themselves.
func WithAPIKeys(keys map[string]string) Option {
	return func(c *Client) {
		c.apiKeys = c.apiKeys[:0]
		for d, k := range keys {
			c.apiKeys = append(c.apiKeys, d, k)
		}
	}
}

// WithClock sets the clock (for certificate status helpers).
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New returns a client.
func New(opts ...Option) *Client {
	c := &Client{
		url: capiws.DefaultWSURL, transport: defaultTransport(), timeout: DefaultTimeout,
		maxData: DefaultMaxDataBytes, maxReply: DefaultMaxReply, now: time.Now, keyIDs: map[string]string{},
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

// call sends one request and returns the reply of a successful call.
func (c *Client) call(ctx context.Context, req capiws.Request) (capiws.Reply, error) {
	if c.transport == nil {
		return capiws.Reply{}, newError(CodeInternal, errors.New("no transport"))
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	frame := req.AppendJSON(make([]byte, 0, req.Size()))
	raw, err := c.transport.RoundTrip(ctx, c.url, frame, c.maxReply)
	if err != nil {
		return capiws.Reply{}, contextError(ctx, err)
	}
	reply, err := capiws.ParseReply(raw)
	if err != nil || reply.Kind() != capiws.Object {
		return capiws.Reply{}, newError(CodeProtocol, err)
	}
	if !reply.Success() {
		st, _ := reply.Status()
		return capiws.Reply{}, daemonError(int(st), reply.Reason())
	}
	return reply, nil
}

// contextError turns a transport error into TIMEOUT or ABORTED when the
// context ended first.
func contextError(ctx context.Context, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Code != CodeTimeout && e.Code != CodeAborted {
		if ctx.Err() == nil {
			return err
		}
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return newError(CodeTimeout, nil)
	case ctx.Err() != nil:
		return newError(CodeAborted, context.Cause(ctx))
	}
	if e != nil {
		return e
	}
	return newError(CodeTransport, err)
}

// Install checks the daemon's version and, on daemons older than v6, sends
// the API keys. It fails with VERSION_UNSUPPORTED below [MinVersion].
func (c *Client) Install(ctx context.Context) (Version, error) {
	r, err := c.call(ctx, capiws.Request{Name: "version"})
	if err != nil {
		return Version{}, err
	}
	major, err1 := strconv.Atoi(r.Field("major"))
	minor, err2 := strconv.Atoi(r.Field("minor"))
	if err1 != nil || err2 != nil {
		return Version{}, newError(CodeProtocol, errors.New("version without major and minor"))
	}
	v := Version{Major: major, Minor: minor, Patch: r.Field("patch"), Edition: r.Field("edition")}
	if v.Number() < MinVersion {
		e := newError(CodeVersionUnsupported, nil)
		e.Message += ": " + v.String() + " < 3.37"
		return v, e
	}
	if v.Major < 6 && len(c.apiKeys) > 0 {
		if _, err := c.call(ctx, capiws.Request{Name: "apikey", Arguments: c.apiKeys}); err != nil {
			return v, err
		}
	}
	c.mu.Lock()
	c.version = &v
	c.mu.Unlock()
	return v, nil
}

// Version returns what [Client.Install] found, and false before it ran.
func (c *Client) Version() (Version, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version == nil {
		return Version{}, false
	}
	return *c.version, true
}

// ListKeys lists the PFX keys on every disk. The same key listed twice (the
// macOS /Volumes quirk) is returned once.
func (c *Client) ListKeys(ctx context.Context) ([]Certificate, error) {
	r, err := c.call(ctx, capiws.Request{Plugin: "pfx", Name: "list_all_certificates"})
	if err != nil {
		return nil, err
	}
	list, _ := r.Get("certificates")
	seen := map[string]bool{}
	out := []Certificate{}
	for _, it := range list.Items() {
		get := func(k string) string { v, _ := it.Get(k); return v.Str() }
		cert := certificateFromAlias(get("disk"), get("path"), get("name"), get("alias"))
		dup := cert.Name + "\x00" + cert.Alias
		if seen[dup] {
			continue
		}
		seen[dup] = true
		out = append(out, cert)
	}
	return out, nil
}

// LoadKey opens a key session for cert and returns its key id. The daemon
// asks for the password only when the key first signs.
func (c *Client) LoadKey(ctx context.Context, cert Certificate) (string, error) {
	r, err := c.call(ctx, capiws.Request{Plugin: "pfx", Name: "load_key", Arguments: []string{cert.Disk, cert.Path, cert.Name, cert.Alias}})
	if err != nil {
		return "", err
	}
	id := r.Field("keyId")
	if id == "" {
		return "", newError(CodeProtocol, errors.New("load_key without keyId"))
	}
	c.mu.Lock()
	c.keyIDs[cert.key()] = id
	c.mu.Unlock()
	return id, nil
}

// SignOptions adjust [Client.Sign].
type SignOptions struct {
	Detached bool // leave the content out of the CMS
	// IsBase64 says data is already base64 text to be signed as the bytes
	// it encodes, not as text.
	IsBase64 bool
}

// SignResult is a signature.
type SignResult struct {
	PKCS7              string // base64 DER CMS SignedData
	SignerSerialNumber string // lowercase hex, no leading zeros
	SignatureHex       string
}

// Sign signs data with cert's key as CMS SignedData. The key is loaded on
// first use and its id reused; an id the daemon forgot is loaded again once.
func (c *Client) Sign(ctx context.Context, cert Certificate, data []byte, opts SignOptions) (SignResult, error) {
	data64, err := c.encodeData(data, opts.IsBase64)
	if err != nil {
		return SignResult{}, err
	}
	c.mu.Lock()
	id, ok := c.keyIDs[cert.key()]
	c.mu.Unlock()
	if !ok {
		if id, err = c.LoadKey(ctx, cert); err != nil {
			return SignResult{}, err
		}
	}
	res, err := c.createPKCS7(ctx, data64, id, opts.Detached)
	if ok && CodeOf(err) == CodeKeyNotFound {
		// The daemon restarted or dropped the session: load once more.
		if id, err = c.LoadKey(ctx, cert); err != nil {
			return SignResult{}, err
		}
		res, err = c.createPKCS7(ctx, data64, id, opts.Detached)
	}
	return res, err
}

func (c *Client) encodeData(data []byte, isBase64 bool) (string, error) {
	if isBase64 {
		s := strings.TrimSpace(string(data))
		n, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "", newError(CodeBadArgument, errors.New("isBase64: data is not standard base64"))
		}
		if len(n) > c.maxData {
			return "", c.tooLarge(len(n))
		}
		return s, nil
	}
	if len(data) > c.maxData {
		return "", c.tooLarge(len(data))
	}
	return base64.StdEncoding.EncodeToString(data), nil
}

func (c *Client) tooLarge(n int) error {
	e := newError(CodeDataTooLarge, nil)
	e.Message += ": " + strconv.Itoa(n) + " > " + strconv.Itoa(c.maxData) + " bytes"
	return e
}

func (c *Client) createPKCS7(ctx context.Context, data64, id string, detached bool) (SignResult, error) {
	flag := "no"
	if detached {
		flag = "yes"
	}
	r, err := c.call(ctx, capiws.Request{Plugin: "pkcs7", Name: "create_pkcs7", Arguments: []string{data64, id, flag}})
	if err != nil {
		return SignResult{}, err
	}
	res := SignResult{PKCS7: r.Field("pkcs7_64"), SignerSerialNumber: r.Field("signer_serial_number"), SignatureHex: r.Field("signature_hex")}
	if res.PKCS7 == "" {
		return SignResult{}, newError(CodeProtocol, errors.New("create_pkcs7 without pkcs7_64"))
	}
	return res, nil
}
