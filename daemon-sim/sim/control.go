package sim

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// Control API error codes, in the body {"error":{"code","message"}}.
const (
	CodeBadRequest  = "BAD_REQUEST"
	CodeNotFound    = "NOT_FOUND"
	CodeForbidden   = "FORBIDDEN"
	CodeMediaType   = "UNSUPPORTED_MEDIA_TYPE"
	CodeConflict    = "CONFLICT"
	CodeServerError = "INTERNAL"
)

// ControlError is a control API error.
type ControlError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ControlHandler serves the control API (HTTP + JSON) documented in
// daemon-sim/README.md. It answers loopback clients only, refuses requests
// whose Host is not a loopback name (DNS rebinding) and requests that carry
// an Origin header (web pages): test runners call it, browsers may not.
func (s *Server) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Snapshot()) })
	mux.HandleFunc("POST /v1/reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		writeJSON(w, http.StatusOK, s.Snapshot())
	})
	mux.HandleFunc("PUT /v1/settings", func(w http.ResponseWriter, r *http.Request) {
		var st Settings
		if decode(w, r, &st) && check(w, s.Apply(st)) {
			writeJSON(w, http.StatusOK, s.Snapshot())
		}
	})
	mux.HandleFunc("GET /v1/events", s.controlEvents)
	mux.HandleFunc("DELETE /v1/events", func(w http.ResponseWriter, r *http.Request) {
		s.ClearEvents()
		w.WriteHeader(http.StatusNoContent)
	})

	mux.HandleFunc("GET /v1/faults", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Faults()) })
	mux.HandleFunc("POST /v1/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if !decode(w, r, &f) {
			return
		}
		added, err := s.AddFault(f)
		if check(w, err) {
			writeJSON(w, http.StatusCreated, added)
		}
	})
	mux.HandleFunc("DELETE /v1/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /v1/faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil || !s.RemoveFault(id) {
			check(w, ErrNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	mux.HandleFunc("GET /v1/scripts", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.store.Scripts()) })
	mux.HandleFunc("PUT /v1/scripts/{target}", func(w http.ResponseWriter, r *http.Request) {
		var sc softtoken.Script
		if decode(w, r, &sc) && check(w, s.store.SetScript(r.PathValue("target"), sc)) {
			writeJSON(w, http.StatusOK, s.store.Scripts())
		}
	})
	mux.HandleFunc("DELETE /v1/scripts/{target}", func(w http.ResponseWriter, r *http.Request) {
		s.store.ClearScript(r.PathValue("target"))
		w.WriteHeader(http.StatusNoContent)
	})

	mux.HandleFunc("GET /v1/devices", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.store.Devices()) })
	mux.HandleFunc("POST /v1/devices", func(w http.ResponseWriter, r *http.Request) {
		var spec DeviceSpec
		if !decode(w, r, &spec) {
			return
		}
		d, err := s.PlugDevice(spec)
		if check(w, err) {
			writeJSON(w, http.StatusCreated, d)
		}
	})
	mux.HandleFunc("DELETE /v1/devices/{id}", func(w http.ResponseWriter, r *http.Request) {
		if check(w, s.UnplugDevice(r.PathValue("id"))) {
			w.WriteHeader(http.StatusNoContent)
		}
	})

	mux.HandleFunc("GET /v1/keys", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.store.List()) })
	mux.HandleFunc("POST /v1/keys", func(w http.ResponseWriter, r *http.Request) {
		var spec KeySpec
		if !decode(w, r, &spec) {
			return
		}
		k, err := s.IssueKey(spec)
		if check(w, err) {
			writeJSON(w, http.StatusCreated, k)
		}
	})
	mux.HandleFunc("DELETE /v1/keys/{name}", func(w http.ResponseWriter, r *http.Request) {
		if check(w, s.RemoveKey(r.PathValue("name"))) {
			w.WriteHeader(http.StatusNoContent)
		}
	})

	mux.HandleFunc("GET /v1/dialogs", func(w http.ResponseWriter, r *http.Request) {
		// ?wait=5s waits for a dialog (newer than ?after=ID) to open.
		if d, err := time.ParseDuration(r.URL.Query().Get("wait")); err == nil && d > 0 {
			after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
			ctx, cancel := context.WithTimeout(r.Context(), min(d, time.Minute))
			defer cancel()
			if od, err := s.store.WaitDialog(ctx, after); err == nil {
				writeJSON(w, http.StatusOK, []softtoken.OpenDialog{od})
				return
			}
		}
		writeJSON(w, http.StatusOK, s.store.OpenDialogs())
	})
	mux.HandleFunc("POST /v1/dialogs/{id}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Answer softtoken.Step `json:"answer"`
		}
		if !decode(w, r, &body) {
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			check(w, ErrNotFound)
			return
		}
		if err := s.store.AnswerDialog(id, body.Answer); errors.Is(err, softtoken.ErrNoDialog) {
			check(w, ErrNotFound)
		} else if check(w, err) {
			w.WriteHeader(http.StatusNoContent)
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]ControlError{"error": {CodeNotFound, "no such endpoint: " + r.Method + " " + r.URL.Path}})
	})
	return guard(mux)
}

// controlEvents returns the events after ?since=N, waiting up to ?wait=
// (a Go duration, at most a minute) for one to arrive.
func (s *Server) controlEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, _ := strconv.ParseInt(q.Get("since"), 10, 64)
	var evs []Event
	if d, err := time.ParseDuration(q.Get("wait")); err == nil && d > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), min(d, time.Minute))
		evs = s.WaitEvents(ctx, since)
		cancel()
	} else {
		evs = s.Events(since)
	}
	last := since
	if len(evs) > 0 {
		last = evs[len(evs)-1].Seq
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs, "last": last})
}

func guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		switch {
		case err != nil || ip == nil || !ip.IsLoopback():
			deny(w, "the control API answers loopback clients only")
		case !loopbackHost(r.Host):
			deny(w, "the Host header must name a loopback address")
		case r.Header.Get("Origin") != "":
			deny(w, "requests from web pages (with an Origin header) are refused")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func deny(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusForbidden, map[string]ControlError{"error": {CodeForbidden, msg}})
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// decode reads a JSON body (application/json, at most 1 MiB, no unknown
// fields); on failure it answers and returns false.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]ControlError{"error": {CodeMediaType, "send the body as Content-Type: application/json"}})
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]ControlError{"error": {CodeBadRequest, "body: " + err.Error()}})
		return false
	}
	return true
}

// check answers err, if any, and reports whether there was none.
func check(w http.ResponseWriter, err error) bool {
	if err == nil {
		return true
	}
	status, code := http.StatusBadRequest, CodeBadRequest
	var f *softtoken.Failure
	switch {
	case errors.Is(err, ErrNotFound):
		status, code = http.StatusNotFound, CodeNotFound
	case errors.As(err, &f) && (f.Status == capiws.StatusKeyFileExists || f.Status == capiws.StatusFileExists):
		status, code = http.StatusConflict, CodeConflict
	}
	writeJSON(w, status, map[string]ControlError{"error": {code, err.Error()}})
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
