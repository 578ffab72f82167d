package main

import (
	"errors"
	"flag"
	"log/slog"
	"os"

	"github.com/eimzokit/eimzokit/web/auth"
)

// accessFlags configure the access tokens of the e-signature endpoints:
// a file (-access-config, every option per endpoint), or, for the common
// case, flags that set the default options of all three.
type accessFlags struct {
	config, jwks, keys, issuer, audience *string
}

func addAccessFlags(fs *flag.FlagSet) accessFlags {
	return accessFlags{
		config:   fs.String("access-config", "", "JSON file: whose access tokens /api/esignature/* accept (keys, JWKS, HMAC, claim names, options per endpoint; see web/README.md)"),
		jwks:     fs.String("access-jwks", "", "identity provider's JWKS URL (https) for /api/esignature/* access tokens"),
		keys:     fs.String("access-keys", "", "comma-separated PEM public keys or certificates of the identity provider"),
		issuer:   fs.String("access-issuer", "", "comma-separated accepted iss of access tokens"),
		audience: fs.String("access-audience", "", "comma-separated accepted aud of access tokens (/regexp/ for a pattern)"),
	}
}

// verifier returns nil when no access-token flag is given.
func (f accessFlags) verifier(logger *slog.Logger) (*auth.AccessVerifier, error) {
	quick := *f.jwks != "" || *f.keys != "" || *f.issuer != "" || *f.audience != ""
	var cfg *auth.AccessConfig
	switch {
	case *f.config != "" && quick:
		return nil, errors.New("-access-config and the -access-jwks/-keys/-issuer/-audience flags exclude each other: put everything in the file")
	case *f.config != "":
		var err error
		if cfg, err = auth.LoadAccessConfig(*f.config); err != nil {
			return nil, err
		}
	case quick:
		cfg = &auth.AccessConfig{JWKSURL: *f.jwks, AcceptSessions: true,
			Default: auth.TokenOptions{Issuer: list(*f.issuer), Audience: list(*f.audience)}}
		for _, path := range list(*f.keys) {
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			pubs, err := auth.ParsePublicKeys(b)
			if err != nil {
				return nil, err
			}
			for _, p := range pubs {
				cfg.Keys = append(cfg.Keys, auth.AccessKey{Key: p})
			}
		}
	default:
		return nil, nil
	}
	if len(cfg.Default.Issuer) == 0 && len(cfg.Default.Audience) == 0 {
		logger.Warn("access tokens are accepted without an issuer or audience check: any token the keys signed passes")
	}
	return auth.NewAccessVerifier(*cfg)
}
