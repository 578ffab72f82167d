#!/usr/bin/env bash
# Builds the example apps from the npm package as a user gets it: `npm pack`
# of js/ (built by scripts/build.sh), installed into each app with
# `npm install --no-save --offline`, then the app's own build (Vite, Angular
# CLI, nuxi). Usage: e2e/apps/build.sh [vue react angular nuxt]
#
# Why --no-save: each app's package-lock.json pins the framework and its
# tooling (scripts/deps.sh runs npm ci), but not eimzokit, whose tarball
# changes with every build; installing the tarball without saving leaves the
# lock file valid for the next npm ci, and --offline proves nothing is
# fetched at test time.
set -euo pipefail
cd "$(dirname "$0")"
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(vue react angular nuxt)

[ -f ../../js/dist/index.js ] && [ -f ../../js/dist/eimzo.wasm ] || { echo "apps: js/dist is missing: run scripts/build.sh" >&2; exit 1; }
pack=$(mktemp -d)
trap 'rm -rf "$pack"' EXIT
(cd ../../js && npm pack --silent --pack-destination "$pack" >/dev/null)
tgz=$(echo "$pack"/eimzokit-*.tgz)

for app in "${apps[@]}"; do
  [ -d "$app/node_modules" ] || { echo "apps: $app/node_modules is missing: run scripts/deps.sh" >&2; exit 1; }
  start=$(date +%s%N)
  (
    cd "$app"
    npm install --no-save --offline --no-audit --no-fund --loglevel=error "$tgz"
    npm run --silent build
  )
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "apps: $app built in $((ms / 1000)).$((ms % 1000 / 100))s"
done
