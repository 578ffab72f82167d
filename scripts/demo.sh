#!/usr/bin/env bash
# The main job: eimzo-sim (the simulated E-IMZO daemon, with a test PKI and
# software keys made on first start) plus the backend and its demo page.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
data="${EIMZO_SIM_DIR:-.cache/eimzo-sim}"
bin/eimzo-sim -dir "$data" &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 100); do [ -f "$data/pki/root.pem" ] && break; sleep 0.1; done
echo
echo "Open http://localhost:8080 — the keys are eimzo-sim's (password: test1234, typed by the simulated user)."
echo
# Revocation and time-stamps come from eimzo-sim's PKI services under
# http://127.0.0.1:64646/pki (daemon-sim/pkisvc: OCSP, CRLs, TSA), so the
# revocation status is required, as in production.
bin/eimzo-web -addr localhost:8080 -trust "$data/pki/root.pem" -assets js/dist \
  -ocsp http://127.0.0.1:64646/pki/ocsp
