//go:build !js

package eimzo

import (
	"context"
	"crypto/sha256"
	"io"
)

// SignHashResult is a detached signature over a document's SHA-256 digest.
type SignHashResult struct {
	PKCS7 Text     // base64 DER CMS SignedData, detached; its content is Hash
	Hash  [32]byte // SHA-256 of the document: what was signed
}

// SignHash streams r through SHA-256 and signs the 32-byte digest as a
// detached CMS, so a document of any size costs the daemon 32 bytes. The
// backend recomputes the digest of the document and verifies the CMS over
// it. (In the browser, the npm package hashes the file in JavaScript and
// signs the digest through [Client.Sign].)
func (c *Client) SignHash(ctx context.Context, cert Certificate, r io.Reader, opts SignOptions) (res SignHashResult, err error) {
	h := sha256.New()
	if _, err := io.Copy(h, readerWithContext{ctx, r}); err != nil {
		defer c.finish(&err)
		if ctx.Err() != nil {
			return res, contextError(ctx, err)
		}
		return res, wrapError(CodeBadArgument, "reading the document", err)
	}
	h.Sum(res.Hash[:0])
	opts.Detached = true
	s, err := c.Sign(ctx, cert, Bytes(res.Hash[:]), opts)
	res.PKCS7 = s.PKCS7
	return res, err
}

// readerWithContext stops a copy when ctx ends.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
