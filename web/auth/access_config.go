package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The access-token configuration file of eimzo-web (-access-config), JSON:
//
//	{
//	  "keys": ["idp.pem", {"file": "old.pem", "kid": "2025"}, {"pem": "-----BEGIN PUBLIC KEY-----…"}],
//	  "jwks": {"url": "https://id.example.uz/realms/gov/protocol/openid-connect/certs",
//	           "refresh": "15m", "timeout": "5s", "maxBytes": 262144, "minInterval": "1m"},
//	  "hmac": {"secretFile": "hs.secret", "encoding": "base64"},
//	  "claims": {"name": "fio", "pinfl": "pinfl", "tin": "tin", "orgTin": "org.tin", "organization": "org.name"},
//	  "acceptSessions": true,
//	  "default": {"algorithms": ["RS256", "ES256"], "audience": "eimzo-web", "issuer": "https://id.example.uz/realms/gov",
//	              "clockTolerance": 30, "maxAge": "1h"},
//	  "endpoints": {"officer": {"audience": ["officers", "/urn:gov:.+/"]}, "owner": {"algorithms": ["HS256"]}}
//	}
//
// Paths are relative to the file. audience and issuer take a string or a
// list; durations are seconds (a number, as jsonwebtoken's clockTolerance)
// or a Go duration ("90s", "15m", "2h"). Unknown fields are errors.

type accessFile struct {
	Keys []fileKey `json:"keys"`
	JWKS *struct {
		URL         string   `json:"url"`
		Refresh     duration `json:"refresh"`
		Timeout     duration `json:"timeout"`
		MaxBytes    int64    `json:"maxBytes"`
		MinInterval duration `json:"minInterval"`
	} `json:"jwks"`
	HMAC *struct {
		SecretFile string `json:"secretFile"`
		Encoding   string `json:"encoding"` // "raw" (default) or "base64"
	} `json:"hmac"`
	Claims         ClaimNames             `json:"claims"`
	AcceptSessions *bool                  `json:"acceptSessions"`
	Default        fileOptions            `json:"default"`
	Endpoints      map[string]fileOptions `json:"endpoints"`
}

type fileKey struct {
	File string `json:"file"`
	PEM  string `json:"pem"`
	Kid  string `json:"kid"`
}

// UnmarshalJSON takes a path string or {"file"|"pem", "kid"}.
func (k *fileKey) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &k.File)
	}
	type plain fileKey
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(k))
}

type fileOptions struct {
	Algorithms     []string   `json:"algorithms"`
	Audience       stringList `json:"audience"`
	Issuer         stringList `json:"issuer"`
	Subject        string     `json:"subject"`
	JWTID          string     `json:"jwtid"`
	Nonce          string     `json:"nonce"`
	ClockTolerance duration   `json:"clockTolerance"`
	MaxAge         duration   `json:"maxAge"`
}

func (o fileOptions) options() TokenOptions {
	return TokenOptions{Algorithms: o.Algorithms, Audience: o.Audience, Issuer: o.Issuer, Subject: o.Subject, JWTID: o.JWTID,
		Nonce: o.Nonce, ClockTolerance: time.Duration(o.ClockTolerance), MaxAge: time.Duration(o.MaxAge)}
}

// stringList is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = []string{s}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// duration is seconds (a number) or a Go duration string.
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration %q: %v", s, err)
		}
		*d = duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("a duration is seconds or a string like \"90s\": %s", b)
	}
	*d = duration(secs * float64(time.Second))
	return nil
}

// LoadAccessConfig reads eimzo-web's access-token configuration file (see
// the format above); AcceptSessions defaults to true.
func LoadAccessConfig(path string) (*AccessConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f accessFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("auth: %s: %v", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("auth: %s: trailing data after the JSON", path)
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	cfg := &AccessConfig{Claims: f.Claims, Default: f.Default.options(), AcceptSessions: f.AcceptSessions == nil || *f.AcceptSessions}
	for i, k := range f.Keys {
		pemBytes := []byte(k.PEM)
		if k.File != "" {
			if pemBytes, err = os.ReadFile(rel(k.File)); err != nil {
				return nil, fmt.Errorf("auth: %s: key %d: %v", path, i+1, err)
			}
		}
		pubs, err := ParsePublicKeys(pemBytes)
		if err != nil {
			return nil, fmt.Errorf("auth: %s: key %d: %v", path, i+1, err)
		}
		if k.Kid != "" && len(pubs) != 1 {
			return nil, fmt.Errorf("auth: %s: key %d: a kid for %d keys", path, i+1, len(pubs))
		}
		for _, p := range pubs {
			cfg.Keys = append(cfg.Keys, AccessKey{ID: k.Kid, Key: p})
		}
	}
	if j := f.JWKS; j != nil {
		cfg.JWKSURL, cfg.JWKSRefresh, cfg.JWKSTimeout, cfg.JWKSMaxBytes, cfg.JWKSMinInterval =
			j.URL, time.Duration(j.Refresh), time.Duration(j.Timeout), j.MaxBytes, time.Duration(j.MinInterval)
	}
	if h := f.HMAC; h != nil {
		secret, err := os.ReadFile(rel(h.SecretFile))
		if err != nil {
			return nil, fmt.Errorf("auth: %s: hmac: %v", path, err)
		}
		secret = bytes.TrimSuffix(bytes.TrimSuffix(secret, []byte("\n")), []byte("\r"))
		switch h.Encoding {
		case "", "raw":
		case "base64":
			if secret, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(secret))); err != nil {
				return nil, fmt.Errorf("auth: %s: hmac: the secret is not base64", path)
			}
		default:
			return nil, fmt.Errorf("auth: %s: hmac: encoding %q (want raw or base64)", path, h.Encoding)
		}
		if len(secret) == 0 {
			return nil, errors.New("auth: " + path + ": hmac: an empty secret")
		}
		cfg.HMACSecret = secret
	}
	if len(f.Endpoints) > 0 {
		cfg.Endpoints = map[string]TokenOptions{}
		for name, o := range f.Endpoints {
			cfg.Endpoints[name] = o.options()
		}
	}
	return cfg, nil
}
