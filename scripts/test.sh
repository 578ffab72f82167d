#!/usr/bin/env bash
# Everything `make test` runs, in order; any failure fails the whole.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo; echo "== $* ($(( $(date +%s) - start ))s)"; }

step "dependencies"
scripts/deps.sh

step "generated files are up to date"
gens="js/src/errors.generated.ts js/src/sha256.generated.ts"
for gen in $gens; do cp "$gen" "$gen.committed"; done
go generate ./wasm/eimzo/
for gen in $gens; do
  if ! cmp -s "$gen" "$gen.committed"; then
    rm -f $(for g in $gens; do echo "$g.committed"; done)
    echo "$gen was stale: go generate rewrote it; commit the new version" >&2
    exit 1
  fi
done
for gen in $gens; do rm -f "$gen.committed"; done

step "go vet (native and GOOS=js GOARCH=wasm)"
go vet ./...
GOOS=js GOARCH=wasm go vet ./wasm/...
(cd js && npm run --silent typecheck)

step "native Go tests (race detector)"
go test -race -count=1 $(go list ./... | grep -v /e2e)

step "build"
scripts/build.sh
scripts/size.sh

step "npm package: unit and type tests, publint, JS glue size"
(cd js && npm test --silent && npm run --silent lint && npm run --silent size)

step "example apps (Vue, React, Angular, Nuxt) built from the npm pack tarball"
e2e/apps/build.sh

step "wasm tests in headless Chromium (wasmbrowsertest)"
tmp=$(mktemp -d)
sim_pid=""
trap 'kill $sim_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
bin/eimzo-sim -dir "$tmp/sim" -ws 127.0.0.1:0 -wss "" -quiet > "$tmp/sim.out" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do grep -q "ready" "$tmp/sim.out" && break; sleep 0.1; done
EIMZO_SIM_URL=$(grep -o 'ws://[^ ]*' "$tmp/sim.out" | head -1)
[ -n "$EIMZO_SIM_URL" ] || { cat "$tmp/sim.out"; exit 1; }
export EIMZO_SIM_URL
# web/crypto/cms is the simulator's and the backend's CMS layer, never in the browser build: native only.
GOOS=js GOARCH=wasm go test -count=1 -exec="$(go env GOPATH)/bin/wasmbrowsertest" ./wasm/...

step "end-to-end suites in headless Chromium"
go test -count=1 ./e2e/...

step "all passed in $(( $(date +%s) - start ))s"
