#!/usr/bin/env bash
# Builds the browser client (.wasm), the npm package (js/dist) and the two
# commands (bin/eimzo-sim, bin/eimzo-web).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p js/dist bin
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o js/dist/eimzo.wasm ./wasm/cmd/eimzo-wasm
(cd js && npm run --silent build)
go build -o bin/ ./daemon-sim/cmd/eimzo-sim ./web/cmd/eimzo-web
