package sim

import (
	"html"
	"net/http"
	"strings"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// functions is every plugin the simulator knows, in the daemon's order.
func functions() *catalogue {
	return newCatalogue(
		mainPlugin(), appPlugin(), pfxPlugin(), pkcs7Plugin(), x509Plugin(),
		devicePlugin("baikey", softtoken.BAIK, "BAIK токены", "BAIK tokenlari"),
		devicePlugin("idcard", softtoken.IDCard, "ID-карты E-IMZO", "E-IMZO ID-kartalari"),
		ckcPlugin(), pkcs10Plugin(), ytksPlugin(),
		devicePlugin("uzgrd", softtoken.UzGuard, "UZGUARD токены", "UZGUARD tokenlari"),
		ftjcPlugin(),
	)
}

func desc(ru, uz string) map[capiws.Lang]string {
	return map[capiws.Lang]string{capiws.LangRU: ru, capiws.LangUZ: uz}
}

func mainPlugin() *plugin {
	return &plugin{name: "", desc: desc("Основные функции", "Asosiy funksiyalar"), funcs: []*function{
		{name: "version", desc: "Возвращает версию E-IMZO", run: (*Server).versionFn},
		{name: "apikey", desc: "Устанавливает API-ключи для доменов (пары домен, ключ)", variadic: true,
			args: []arg{{"domain", "Домен", false}, {"key", "API-ключ домена", false}}, run: (*Server).apikey},
		{name: "apidoc", desc: "Возвращает описание API", run: (*Server).apidoc},
	}}
}

func appPlugin() *plugin {
	return &plugin{name: "app", desc: desc("Приложение E-IMZO", "E-IMZO ilovasi"), funcs: []*function{
		{name: "show_menu", desc: "Показывает меню приложения", run: func(*Server, *call) ([]capiws.Member, error) { return nil, nil }},
		{name: "get_jvm_version", desc: "Возвращает версию JVM", run: func(*Server, *call) ([]capiws.Member, error) {
			return []capiws.Member{str("message", "1.8.0_402")}, nil
		}},
		{name: "change_ui_lang", desc: "Меняет язык интерфейса", args: []arg{{"lang", "Код языка: uz или ru", false}}, run: (*Server).changeLang},
	}}
}

func versionMembers(v Version) []capiws.Member {
	m := []capiws.Member{str("major", v.Major), str("minor", v.Minor)}
	if v.Patch != "" {
		m = append(m, str("patch", v.Patch))
	}
	if v.Edition != "" {
		m = append(m, str("edition", v.Edition))
	}
	return m
}

func (s *Server) versionFn(*call) ([]capiws.Member, error) {
	return versionMembers(s.currentVersion()), nil
}

// apikey verifies (domain, key) pairs (PROTOCOL.md §3.2): all must pass,
// the first that does not gives -1020; the domains then pass the gate for
// the rest of the process's life.
func (s *Server) apikey(c *call) ([]capiws.Member, error) {
	args := c.req.Arguments
	if len(args)%2 != 0 {
		return nil, &softtoken.Failure{Status: capiws.StatusNotFound}
	}
	s.mu.Lock()
	allowed := s.allowed
	s.mu.Unlock()
	for i := 0; i < len(args); i += 2 {
		domain := strings.ToLower(args[i])
		s.mu.Lock()
		listed := allowed[domain]
		s.mu.Unlock()
		if !listed && !s.verifier.VerifyAPIKey(domain, args[i+1]) {
			return nil, &softtoken.Failure{Status: capiws.StatusAPIKeyInvalid, Args: []string{args[i]}}
		}
	}
	s.mu.Lock()
	for i := 0; i < len(args); i += 2 {
		s.verified[strings.ToLower(args[i])] = true
	}
	s.mu.Unlock()
	if s.profile == V5 {
		return nil, nil
	}
	return []capiws.Member{str("message", c.origin)}, nil
}

func (s *Server) changeLang(c *call) ([]capiws.Member, error) {
	l := capiws.Lang(c.req.Arguments[0])
	if l != capiws.LangRU && l != capiws.LangUZ {
		return nil, &softtoken.Failure{Status: capiws.StatusBadLanguage}
	}
	s.mu.Lock()
	s.lang = l
	s.mu.Unlock()
	return nil, nil
}

// apidoc answers a bare array, one entry per plugin (PROTOCOL.md §3.3):
// function and argument descriptions in Russian, plugin descriptions in the
// UI language.
func (s *Server) apidoc(c *call) ([]capiws.Member, error) {
	v := s.apidocValue()
	c.raw = &v
	return nil, nil
}

func (s *Server) apidocValue() capiws.Value {
	lang := s.currentLang()
	var out []capiws.Value
	for _, p := range s.cat.plugins {
		var fns []capiws.Value
		for _, f := range p.funcs {
			if f.v5 && s.profile != V5 {
				continue
			}
			var args []capiws.Value
			for _, a := range f.args {
				args = append(args, capiws.MakeObject(str("name", a.name), str("description", a.desc),
					capiws.Member{Key: "optional", Value: capiws.MakeBool(a.optional)}))
			}
			fns = append(fns, capiws.MakeObject(str("plugin", p.name), str("name", f.name), str("description", f.desc),
				capiws.Member{Key: "arguments", Value: capiws.MakeArray(args...)}))
		}
		if len(fns) == 0 {
			continue
		}
		out = append(out, capiws.MakeObject(str("name", p.name), str("description", p.desc[lang]),
			capiws.Member{Key: "functions", Value: capiws.MakeArray(fns...)}))
	}
	return capiws.MakeArray(out...)
}

// apidocPage is the human-readable API reference at /apidoc.html.
func (s *Server) apidocPage(w http.ResponseWriter) {
	lang := s.currentLang()
	var b strings.Builder
	b.WriteString("<!doctype html><meta charset=utf-8><title>E-IMZO API</title><h1>E-IMZO API (eimzo-sim " +
		html.EscapeString(s.currentVersion().String()) + ")</h1>")
	for _, p := range s.cat.plugins {
		name := p.name
		if name == "" {
			name = "(main)"
		}
		var rows strings.Builder
		for _, f := range p.funcs {
			if f.v5 && s.profile != V5 {
				continue
			}
			var args []string
			for _, a := range f.args {
				t := html.EscapeString(a.name)
				if a.optional {
					t = "[" + t + "]"
				}
				args = append(args, t)
			}
			rows.WriteString("<tr><td><code>" + html.EscapeString(f.name) + "(" + strings.Join(args, ", ") + ")</code></td><td>" +
				html.EscapeString(f.desc) + "</td></tr>")
		}
		if rows.Len() == 0 {
			continue
		}
		b.WriteString("<h2>" + html.EscapeString(name) + "</h2><p>" + html.EscapeString(p.desc[lang]) + "</p><table>" + rows.String() + "</table>")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}
