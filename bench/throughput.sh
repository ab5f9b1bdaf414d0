#!/usr/bin/env bash
# Issue 14's throughput ratios, measured from outside with wrk on 127.0.0.1, each against a
# floor taken in the same run:
#   R1  a verified applicant reading one of their orders (GET /api/v1/orders/{id}, bearer
#       token), 256 connections, against the same server's CSS file;
#   R2  starting drafts (POST /api/v1/orders: a durable write), 32 connections, against bare
#       one-insert-per-commit writes from 32 connections on the same database
#       (bench/src/bin/insert_floor.rs);
#   the server's resident memory before any load (VmRSS: the baseline) and its peak (VmHWM)
#   after the R1 load.
# On SQLite (a fresh data directory) and, with --postgres, on a fresh PostgreSQL database at
# 127.0.0.1:5432 too. Builds the release binaries; installs wrk from Debian when missing.
#
#   bench/throughput.sh [seconds] [--postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
postgres="${2:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lingshi-target}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v wrk >/dev/null || { echo "wrk is missing and could not be installed" >&2; exit 1; }
cargo build --release -p lingshi -p lingshi-bench --locked
binary="$CARGO_TARGET_DIR/release/lingshi"
floor_binary="$CARGO_TARGET_DIR/release/insert_floor"
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

# Starts the server over $1 (a database URL, empty for SQLite in $data); sets base, server.
start() {
  data="$(mktemp -d -p "$work")"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  base="http://127.0.0.1:$port"
  DATABASE_URL="$1" LINGSHI_ADDR="127.0.0.1:$port" LINGSHI_DATA_DIR="$data" LINGSHI_LOG=error "$binary" serve >"$data/out.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; cat "$data/out.log" >&2; exit 1
}

stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

json() { curl -fs -X "$1" "$base$2" -H 'content-type: application/json' ${3:+-H "authorization: Bearer $3"} ${4:+-d "$4"}; }
draft='{"service":"passport","statement_accepted":true,"mission_id":"be-embassy","residence_country":"BE","route":{"held":"ordinary_passport","lost":false},"application_type":"renewal.passport.renewal"}'

# Registers a verified applicant through the API (the code from the mail file); sets token.
applicant() {
  local address="reader@example.org"
  json POST /api/v1/registrations "" "{\"address\":\"$address\",\"password\":\"correct horse battery\"}" >/dev/null
  for _ in $(seq 1 100); do ls "$data/mail"/*.eml >/dev/null 2>&1 && break; sleep 0.1; done
  local code
  code="$(python3 - "$data/mail" <<'PY'
import email, glob, re, sys
for path in glob.glob(sys.argv[1] + "/*.eml"):
    body = email.message_from_file(open(path)).get_payload(decode=True).decode()
    print(re.search(r"\b(\d{6})\b", body).group(1))
PY
)"
  token="$(json POST /api/v1/registrations/confirm "" "{\"address\":\"$address\",\"code\":\"$code\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
  json PUT /api/v1/me/identity "$token" '{"name":"张三","document_kind":"passport","document_number":"E12345678"}' >/dev/null
  json POST /api/v1/me/identity/face/skip "$token" >/dev/null
}

# Runs wrk (connections, then its arguments); prints "rate p50 p99 non2xx".
load() {
  local connections="$1"; shift
  local out
  out="$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@")"
  local refused
  refused="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
  printf '%s %s %s %s\n' "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
    "$(awk '$1 == "99%" {print $2}' <<<"$out")" "${refused:-0}"
}

row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }

# Measures one backend: $1 its name, $2 the server's DATABASE_URL, $3 the floor's URL.
measure() {
  start "$2"
  local idle
  idle="$(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$server/status")"
  applicant
  local order
  order="$(json POST /api/v1/orders "$token" "$draft" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  read -r s_rate s_p50 s_p99 s_bad <<<"$(load 256 "$base/assets/app.css")"
  read -r r_rate r_p50 r_p99 r_bad <<<"$(load 256 -H "authorization: Bearer $token" "$base/api/v1/orders/$order")"
  local memory
  memory="$(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$server/status")"
  cat >"$work/draft.lua" <<LUA
wrk.method = "POST"
wrk.body = '$draft'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA
  read -r w_rate w_p50 w_p99 w_bad <<<"$(load 32 -s "$work/draft.lua" "$base/api/v1/orders")"
  stop
  local floor
  floor="$("$floor_binary" "$3" "$seconds" 32)"
  row "$1: static asset (R1 floor), 256 conn." "$s_rate/s" "$s_p50" "$s_p99" "$s_bad" ""
  row "$1: order read, 256 conn." "$r_rate/s" "$r_p50" "$r_p99" "$r_bad" "R1 $(python3 -c "print(f'{$r_rate / $s_rate:.3f}')")"
  row "$1: bare insert per commit (R2 floor), 32 conn." "$floor/s" "" "" "" ""
  row "$1: draft start, 32 conn." "$w_rate/s" "$w_p50" "$w_p99" "$w_bad" "R2 $(python3 -c "print(f'{$w_rate / $floor:.3f}')")"
  row "$1: resident memory at start, before any request" "$idle" "" "" "" ""
  row "$1: peak resident memory under R1" "$memory" "" "" "" ""
}

echo "| measure | rate | p50 | p99 | non-2xx | ratio |"
echo "|---|---|---|---|---|---|"
measure "SQLite" "" "sqlite://$work/floor.db"
if [ "$postgres" = "--postgres" ]; then
  name="lingshi_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name" >/dev/null
  measure "PostgreSQL" "postgres://postgres@127.0.0.1:5432/$name" "postgres://postgres@127.0.0.1:5432/$name"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $name WITH (FORCE)" >/dev/null
fi
