// Package static holds the demo page, embedded into the backend binary.
package static

import "embed"

// FS is the demo page: index.html, app.js and style.css.
//
//go:embed index.html app.js style.css
var FS embed.FS
