#!/usr/bin/env bash
# R1 of issue 14, measured from outside: a verified applicant reading one of their orders
# (GET /api/v1/orders/{id}, bearer token) against the same server's CSS file, both with wrk
# at 256 connections on 127.0.0.1, in one run; prints requests per second, p50/p99 and the
# ratio. Runs the release binary over a fresh SQLite database (or DATABASE_URL if given) and
# stops it at the end. Installs wrk from Debian when missing.
#
#   bench/read-throughput.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lingshi-target}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v wrk >/dev/null || { echo "wrk is missing and could not be installed" >&2; exit 1; }
cargo build --release -p lingshi --locked
binary="$CARGO_TARGET_DIR/release/lingshi"

data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
LINGSHI_ADDR="127.0.0.1:$port" LINGSHI_DATA_DIR="$data" LINGSHI_LOG=error "$binary" serve >"$data/out.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

json() { curl -fs -X "$1" "$base$2" -H 'content-type: application/json' ${3:+-H "authorization: Bearer $3"} ${4:+-d "$4"}; }
address="reader@example.org"
json POST /api/v1/registrations "" "{\"address\":\"$address\",\"password\":\"correct horse battery\"}" >/dev/null
for _ in $(seq 1 100); do ls "$data/mail"/*.eml >/dev/null 2>&1 && break; sleep 0.1; done
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
start='{"service":"passport","statement_accepted":true,"mission_id":"be-embassy","residence_country":"BE","route":{"held":"ordinary_passport","lost":false},"application_type":"renewal.passport.renewal"}'
order="$(json POST /api/v1/orders "$token" "$start" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"

measure() { # name, then wrk's arguments; prints "name requests/s p50 p99"
  local name="$1"; shift
  local out
  out="$(wrk -t2 -c256 -d"${seconds}s" --latency "$@")"
  local rate p50 p99
  rate="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  local errors
  errors="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
  printf '%-28s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rate" "$p50" "$p99" "${errors:-0}"
  echo "$rate"
}
static_line="$(measure "static asset (floor)" "$base/assets/app.css")"
read_line="$(measure "authenticated order read" -H "authorization: Bearer $token" "$base/api/v1/orders/$order")"
head -n 1 <<<"$static_line"
head -n 1 <<<"$read_line"
python3 - "$(tail -n 1 <<<"$static_line")" "$(tail -n 1 <<<"$read_line")" <<'PY'
import sys
floor, read = float(sys.argv[1]), float(sys.argv[2])
print(f"R1 ratio (order reads / static asset): {read / floor:.3f}")
PY
