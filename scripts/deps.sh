#!/usr/bin/env bash
# Installs what `make test` and `make demo` need on a fresh machine, and
# nothing that is already there:
#   - Debian's chromium (the browser of the wasm and e2e tests);
#   - redis-server (the Redis store's tests start their own, on a Unix socket);
#   - wasmbrowsertest, at a pinned version, with go install;
#   - the npm packages of js/, of the example apps under e2e/apps/ and of
#     web/auth's jsonwebtoken interop test, with npm ci from the committed
#     lock files.
set -euo pipefail
cd "$(dirname "$0")/.."

WASMBROWSERTEST_VERSION=v0.11.0

apt_pkgs=()
[ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
command -v redis-server >/dev/null || apt_pkgs+=(redis-server)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "deps: apt-get install ${apt_pkgs[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi

gobin="$(go env GOPATH)/bin"
if ! go version -m "$gobin/wasmbrowsertest" 2>/dev/null | grep -q "wasmbrowsertest[[:space:]]*$WASMBROWSERTEST_VERSION"; then
  echo "deps: go install wasmbrowsertest@$WASMBROWSERTEST_VERSION"
  go install "github.com/agnivade/wasmbrowsertest@$WASMBROWSERTEST_VERSION"
fi

# npm ci for each package folder whose lock file changed since its last install.
for dir in js e2e/apps/vue e2e/apps/react e2e/apps/angular e2e/apps/nuxt web/auth/testdata/jsonwebtoken; do
  stamp="$dir/node_modules/.eimzokit-lock"
  sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" > "$stamp"
  fi
done
