package eimzo

import (
	"context"
)

// ListKeys lists the PFX keys on every disk and, on daemons older than
// 4.12, the ftjc USB tokens too (as EIMZOClient.listAllUserKeys does). The
// same key listed twice (the macOS /Volumes quirk, PROTOCOL.md §11.2) is
// returned once. Keys without a TIN or PINFL are kept, unlike EIMZOClient,
// which hides them silently.
func (c *Client) ListKeys(ctx context.Context) (certs []Certificate, err error) {
	defer c.finish(&err)
	v, err := c.versionNumber(ctx)
	if err != nil {
		return nil, err
	}
	certs = []Certificate{}
	seen := map[string]bool{}
	add := func(cert Certificate, dup string) {
		if !seen[dup] {
			seen[dup] = true
			certs = append(certs, cert)
		}
	}
	r, pfxErr := c.call(ctx, Request{Plugin: "pfx", Name: "list_all_certificates"})
	if pfxErr == nil {
		for i, n := 0, r.Len("certificates"); i < n; i++ {
			it := r.Elem("certificates", i)
			cert := certificateFromAlias(KeyPFX, it.Str("disk"), it.Str("path"), it.Str("name"), it.Str("alias"))
			add(cert, cert.Name+"\x00"+cert.Alias)
		}
	}
	if v < VersionIDCard {
		r, err := c.call(ctx, Request{Plugin: "ftjc", Name: "list_all_keys", Args: []string{""}})
		if err == nil {
			for i, n := 0, r.Len("tokens"); i < n; i++ {
				it := r.Elem("tokens", i)
				cert := certificateFromAlias(KeyFTJC, "", "", "", it.Str("info"))
				cert.CardUID = it.Str("cardUID")
				add(cert, "ftjc\x00"+cert.CardUID)
			}
		}
	}
	// Like EIMZOClient: an error counts only when nothing was found.
	if pfxErr != nil && len(certs) == 0 {
		return nil, pfxErr
	}
	return certs, nil
}

// LoadKeyOptions adjust [Client.LoadKey].
type LoadKeyOptions struct {
	// Verify asks for the password now (pfx.verify_password, or the PIN
	// of an ftjc token), not at the first signature.
	Verify bool
}

// LoadKey opens a key session for cert and returns its key id. The daemon
// asks for the password when the key first signs, or now with Verify.
func (c *Client) LoadKey(ctx context.Context, cert Certificate, opts LoadKeyOptions) (id string, err error) {
	defer c.finish(&err)
	return c.loadKey(ctx, cert, opts.Verify)
}

func (c *Client) loadKey(ctx context.Context, cert Certificate, verify bool) (string, error) {
	var req Request
	switch cert.Type {
	case KeyFTJC:
		if cert.CardUID == "" {
			return "", NewError(CodeBadArgument, "an ftjc certificate without cardUID: pass a certificate from listKeys()")
		}
		req = Request{Plugin: "ftjc", Name: "load_key", Args: []string{cert.CardUID}}
	case KeyPFX, "":
		req = Request{Plugin: "pfx", Name: "load_key", Args: []string{cert.Disk, cert.Path, cert.Name, cert.Alias}}
	default:
		return "", NewError(CodeBadArgument, "unknown certificate type "+cert.Type)
	}
	r, err := c.call(ctx, req)
	if err != nil {
		return "", err
	}
	id := r.Str("keyId")
	if id == "" {
		return "", NewError(CodeProtocol, "load_key answered without keyId")
	}
	if verify {
		req := Request{Plugin: "pfx", Name: "verify_password", Args: []string{id}}
		if cert.Type == KeyFTJC {
			req = Request{Plugin: "ftjc", Name: "verify_pin", Args: []string{id, "1"}}
		}
		if _, err := c.call(ctx, req); err != nil {
			return "", err
		}
	}
	c.mu.Lock()
	c.keyIDs[cert.key()] = id
	c.mu.Unlock()
	return id, nil
}

// withKey runs fn with cert's key id: the cached one, or a freshly loaded
// one. When the daemon has forgotten a cached id (it restarted, or the
// session expired), the key is loaded once more and fn runs again.
func (c *Client) withKey(ctx context.Context, cert Certificate, fn func(id string) error) error {
	c.mu.Lock()
	id, cached := c.keyIDs[cert.key()]
	c.mu.Unlock()
	if !cached {
		var err error
		if id, err = c.loadKey(ctx, cert, false); err != nil {
			return err
		}
	}
	err := fn(id)
	if cached && CodeOf(err) == CodeKeyNotFound {
		c.mu.Lock()
		delete(c.keyIDs, cert.key())
		c.mu.Unlock()
		if id, err = c.loadKey(ctx, cert, false); err != nil {
			return err
		}
		err = fn(id)
	}
	return err
}

// CertificateChain returns the key's certificates as base64 DER: the
// signer's, then the issuing CA's, then the root's (x509.get_certificate_chain).
// It opens the key, so the daemon may ask for the password. When keyID has
// expired and cert is given, the key is loaded again.
func (c *Client) CertificateChain(ctx context.Context, keyID string, cert *Certificate) (chain []string, err error) {
	defer c.finish(&err)
	get := func(id string) error {
		r, err := c.call(ctx, Request{Plugin: "x509", Name: "get_certificate_chain", Args: []string{id}})
		if err != nil {
			return err
		}
		chain = make([]string, 0, r.Len("certificates"))
		for i, n := 0, r.Len("certificates"); i < n; i++ {
			chain = append(chain, r.ElemStr("certificates", i))
		}
		return nil
	}
	if keyID != "" {
		err = get(keyID)
		if err == nil || cert == nil || CodeOf(err) != CodeKeyNotFound {
			return chain, err
		}
		c.mu.Lock()
		if c.keyIDs[cert.key()] == keyID {
			delete(c.keyIDs, cert.key())
		}
		c.mu.Unlock()
	}
	if cert == nil {
		return nil, NewError(CodeBadArgument, "no key id")
	}
	err = c.withKey(ctx, *cert, get)
	return chain, err
}
