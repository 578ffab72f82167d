#!/usr/bin/env bash
# The .wasm's size budget: a deterministic check of the gzip -9 size, not a
# timing. The goal is 0.85 MB; above 0.9 MB the build fails.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=900000
raw=$(stat -c %s js/dist/eimzo.wasm)
gz=$(gzip -9 -c js/dist/eimzo.wasm | wc -c)
echo "size: eimzo.wasm $raw bytes raw, $gz bytes gzip -9 (limit $limit)"
if [ "$gz" -gt "$limit" ]; then
  echo "size: eimzo.wasm is over its budget; see wasm/README.md for where the weight is" >&2
  exit 1
fi
