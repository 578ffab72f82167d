package cms

import "github.com/eimzokit/eimzokit/wasm/gost/gost94"

func sum(b []byte) [32]byte { return gost94.Sum(b) }
