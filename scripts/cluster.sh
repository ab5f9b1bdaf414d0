#!/usr/bin/env bash
# The multi-node setup on one machine (docs/DEPLOYMENT.md): SeaweedFS (S3), a hot standby of
# the local PostgreSQL, a fresh database, three `lingshi serve` nodes and HAProxy in front on
# http://127.0.0.1:8080 (LINGSHI_CLUSTER_PORT), the same parts as the three-node browser test.
# Mail goes to a catcher whose messages are printed. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lingshi-target}"
command -v haproxy >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }
[ -d e2e/node_modules/smtp-server ] || npm --prefix e2e ci --no-audit --no-fund
cargo build -p lingshi --locked
scripts/s3.sh start
scripts/replica.sh start
trap 'scripts/replica.sh stop; scripts/s3.sh stop' EXIT
LINGSHI_BIN="$CARGO_TARGET_DIR/debug/lingshi" LINGSHI_TEST_S3_ENDPOINT="http://127.0.0.1:8333" \
  LINGSHI_TEST_POSTGRES_REPLICA="postgres://postgres@127.0.0.1:5433/postgres" node e2e/cluster.js
