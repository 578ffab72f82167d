package sim

import (
	"context"
	"encoding/base64"
	"errors"
	"sort"
	"strings"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// call is one request being handled.
type call struct {
	ctx     context.Context
	domain  string
	origin  string
	req     capiws.Request
	fn      *function
	bad     bool   // the frame is not a request
	key     string // key file name or device id the call uses
	keyKind string // device kind, for device ids
	raw     *capiws.Value
	ev      Event
}

// arg is a documented argument.
type arg struct {
	name, desc string
	optional   bool
}

// keyRef says which argument names the key a call uses, for fault
// matching and the event log.
type keyRef int

const (
	noKey       keyRef = iota
	keyByName          // a key file name
	keyByID            // a key id, or a device id (idcard, baikey, ckc)
	keyBySerial        // a token's card UID
)

type function struct {
	plugin, name string
	desc         string
	args         []arg
	variadic     bool // more arguments may follow (apikey pairs)
	v5           bool // only in the V5 profile
	keyArg       int  // index of the argument keyRef refers to
	key          keyRef
	run          func(s *Server, c *call) ([]capiws.Member, error)
}

func (f *function) arity() (lo, hi int) {
	for _, a := range f.args {
		if !a.optional {
			lo++
		}
	}
	hi = len(f.args)
	if f.variadic {
		hi = 1 << 20
	}
	return lo, hi
}

// plugin is a plugin of the daemon, with its functions in apidoc order.
type plugin struct {
	name   string
	desc   map[capiws.Lang]string
	v5     bool
	funcs  []*function
	byName map[string]*function
}

// catalogue indexes plugins, which come in the order of the v6.4.7 daemon
// (PROTOCOL.md §4).
type catalogue struct {
	plugins  []*plugin
	byPlugin map[string]*plugin
}

func newCatalogue(ps ...*plugin) *catalogue {
	cat := &catalogue{byPlugin: map[string]*plugin{}}
	for _, p := range ps {
		p.byName = map[string]*function{}
		for _, f := range p.funcs {
			f.plugin = p.name
			f.v5 = f.v5 || p.v5
			p.byName[f.name] = f
		}
		cat.plugins = append(cat.plugins, p)
		cat.byPlugin[p.name] = p
	}
	return cat
}

// resolve finds the function a request names in this profile. A v5 daemon
// also resolves a bare name (no plugin) to the first plugin that has it.
func (s *Server) resolve(req capiws.Request) *function {
	ok := func(f *function) bool { return f != nil && (!f.v5 || s.profile == V5) }
	if p := s.cat.byPlugin[req.Plugin]; p != nil {
		if f := p.byName[req.Name]; ok(f) {
			return f
		}
	}
	if req.Plugin == "" && s.profile == V5 {
		for _, p := range s.cat.plugins {
			if f := p.byName[req.Name]; p.name != "" && ok(f) {
				return f
			}
		}
	}
	return nil
}

// newCall parses a frame and works out which function and key it is about.
func (s *Server) newCall(ctx context.Context, cs *connState, frame []byte) *call {
	c := &call{ctx: ctx, domain: cs.domain, origin: cs.origin,
		ev: Event{Kind: EventCall, Conn: cs.id, Origin: cs.origin, Domain: cs.domain}}
	req, err := capiws.ParseRequest(frame)
	if err != nil {
		c.bad = true
		c.ev.Cause = "not a request"
		return c
	}
	c.req = req
	c.fn = s.resolve(req)
	if c.fn != nil {
		c.req.Plugin = c.fn.plugin
		if n := len(req.Arguments); c.fn.key != noKey && c.fn.keyArg < n {
			s.keyOf(c, req.Arguments[c.fn.keyArg])
		}
	}
	c.ev.Plugin, c.ev.Function, c.ev.Key = c.req.Plugin, c.req.Name, c.key
	c.ctx = softtoken.WithObserver(ctx, func(d softtoken.DialogEvent) { c.ev.Dialogs = append(c.ev.Dialogs, d) })
	return c
}

// Device ids that create_pkcs7 accepts in place of a key id, and the
// device kinds each one signs with.
var deviceIDs = map[string][]softtoken.DeviceKind{
	"idcard": {softtoken.IDCard},
	"baikey": {softtoken.BAIK},
	"ckc":    {softtoken.IDCard, softtoken.BAIK, softtoken.UzGuard},
}

func (s *Server) keyOf(c *call, a string) {
	switch c.fn.key {
	case keyByName:
		c.key = a
	case keyByID:
		if kinds, ok := deviceIDs[a]; ok {
			c.keyKind = a
			if d, err := s.store.FirstDevice(kinds...); err == nil {
				c.key = d.ID
			}
		} else if info, ok := s.store.Session(a); ok {
			c.key = info.Name
		}
	case keyBySerial:
		for _, d := range s.store.Devices(softtoken.FTJC) {
			if strings.EqualFold(d.Serial, a) {
				c.key = d.ID
			}
		}
	}
}

// dispatch runs the call and returns the reply frame.
func (s *Server) dispatch(c *call) []byte {
	if c.bad || c.fn == nil {
		return s.failure(c, &softtoken.Failure{Status: capiws.StatusNotFound})
	}
	if lo, hi := c.fn.arity(); len(c.req.Arguments) < lo || len(c.req.Arguments) > hi {
		return s.failure(c, &softtoken.Failure{Status: capiws.StatusNotFound})
	}
	for _, a := range c.req.Arguments {
		// The 32 MiB limit is on what an argument carries: a 32 MiB
		// document is 4/3 as long once base64-encoded.
		if len(a) > base64.StdEncoding.EncodedLen(capiws.MaxArgumentBytes) {
			return s.failure(c, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonArgumentTooLarge}, Cause: "argument too large"})
		}
	}
	if c.fn.plugin != "" {
		if f := s.gate(c.domain); f != nil {
			return s.failure(c, f)
		}
	}
	members, err := c.fn.run(s, c)
	if err != nil {
		var f *softtoken.Failure
		if !errors.As(err, &f) {
			if c.ctx.Err() != nil {
				f = &softtoken.Failure{Status: capiws.StatusOperationCancelled, Cause: "abandoned"}
			} else {
				f = &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{err.Error()}}
			}
		}
		return s.failure(c, f)
	}
	if c.raw != nil {
		c.ev.Status, c.ev.Success = int(capiws.StatusOK), true
		return c.raw.AppendJSON(nil)
	}
	return s.reply(c, members)
}

// gate checks the caller's domain before any named plugin runs.
func (s *Server) gate(domain string) *softtoken.Failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.devMode || s.allowed[domain] || s.verified[domain] {
		return nil
	}
	if s.profile == V6 {
		for _, d := range RegisteredDomains {
			if d == domain {
				return nil // the vendor's registry knows it: the v6 auto-load succeeds
			}
		}
	}
	return &softtoken.Failure{Status: capiws.StatusDomainNotAllowed, Args: []string{domain}}
}

// reply builds a success reply: success, status (not in the v5 profile),
// then the function's members.
func (s *Server) reply(c *call, members []capiws.Member) []byte {
	c.ev.Status, c.ev.Success = int(capiws.StatusOK), true
	head := []capiws.Member{{Key: "success", Value: capiws.MakeBool(true)}}
	if s.profile != V5 {
		head = append(head, capiws.Member{Key: "status", Value: capiws.MakeNumber(int(capiws.StatusOK))})
	}
	return capiws.MakeObject(append(head, members...)...).AppendJSON(nil)
}

// failure builds a failure reply with the status and its reason in the
// current language.
func (s *Server) failure(c *call, f *softtoken.Failure) []byte {
	lang := s.currentLang()
	reason := f.Status.Reason(lang, f.Args...)
	if f.Status == capiws.StatusRuntime && len(f.Args) > 0 {
		reason = translate(lang, f.Args[0]) // -9999 carries free text
	}
	if s.profile == V5 && f.Cause == softtoken.CauseWrongPassword {
		// Older daemons passed the Java exception on; the official demo
		// looks for "BadPaddingException" to say "wrong password".
		reason = "javax.crypto.BadPaddingException: Given final block not properly padded. Such issues can arise if a bad key is used during decryption."
	}
	return s.failureReply(c, f.Status, reason, f.Cause)
}

func (s *Server) failureReply(c *call, st capiws.Status, reason, cause string) []byte {
	c.ev.Status, c.ev.Success, c.ev.Reason, c.ev.Cause = int(st), false, reason, cause
	m := []capiws.Member{{Key: "success", Value: capiws.MakeBool(false)}}
	if s.profile != V5 {
		m = append(m, capiws.Member{Key: "status", Value: capiws.MakeNumber(int(st))})
	}
	m = append(m, capiws.Member{Key: "reason", Value: capiws.MakeString(reason)})
	return capiws.MakeObject(m...).AppendJSON(nil)
}

// faultStatus answers a status fault.
func (s *Server) faultStatus(c *call, f *Fault) []byte {
	if f.Reason != "" {
		return s.failureReply(c, capiws.Status(f.Status), f.Reason, "fault")
	}
	arg := c.domain
	if c.req.Name == "apikey" && len(c.req.Arguments) > 0 {
		arg = c.req.Arguments[0]
	}
	if f.Status == int(capiws.StatusRuntime) {
		return s.failureReply(c, capiws.StatusRuntime, "fault injected by eimzo-sim", "fault")
	}
	return s.failure(c, &softtoken.Failure{Status: capiws.Status(f.Status), Args: []string{arg, arg}, Cause: "fault"})
}

// Free texts of -9999 replies, in Uzbek. The Russian texts are the keys.
const reasonArgumentTooLarge = "Размер аргумента превышает 32 МБ"

var uzbekTexts = map[string]string{
	capiws.ReasonDeviceNotFound:   "Qurilma topilmadi",
	capiws.ReasonDeprecated:       "E-IMZO ning ushbu versiyasida funksiya o‘chirilgan",
	capiws.ReasonWrongPassword:    "Kalit paroli noto‘g‘ri yoki kalit fayli shikastlangan",
	softtoken.ReasonPINLocked:     "PIN-kod bloklandi. Qurilmani PUK-kod bilan blokdan chiqaring",
	softtoken.ReasonDeviceBlocked: "Qurilma bloklangan",
	reasonArgumentTooLarge:        "Argument hajmi 32 MB dan oshadi",
	reasonNotBase64:               "Ma’lumotlar noto‘g‘ri: base64 kutilmoqda",
	reasonBadCertificate:          "Sertifikat noto‘g‘ri",
	reasonNotIssuer:               "Sertifikat ko‘rsatilgan nashriyotchi tomonidan imzolanmagan",
	reasonBadChain:                "Sertifikatlar zanjiri yaroqsiz",
	reasonBadCMS:                  "PKCS#7 hujjati noto‘g‘ri",
	reasonSignerNotFound:          "Imzo qo‘yuvchi topilmadi",
	reasonBadToken:                "Vaqt tamg‘asi noto‘g‘ri",
	reasonTokenMismatch:           "Vaqt tamg‘asi imzoga mos kelmaydi",
	reasonBadSubject:              "Sub’ekt nomi noto‘g‘ri",
	reasonUnsupported:             "Simulyator bu funksiyani bajarmaydi",
	reasonUnknownAlgorithm:        "Algoritm qo‘llab-quvvatlanmaydi",
}

func translate(lang capiws.Lang, text string) string {
	if lang == capiws.LangUZ {
		if uz, ok := uzbekTexts[text]; ok {
			return uz
		}
	}
	return text
}

func str(key, v string) capiws.Member { return capiws.Member{Key: key, Value: capiws.MakeString(v)} }

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
