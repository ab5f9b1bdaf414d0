#!/usr/bin/env bash
# A hot standby of the local PostgreSQL (127.0.0.1:5432) on 127.0.0.1:${LINGSHI_REPLICA_PORT:-5433},
# for the tests of reads from a replica: pg_basebackup -R into a temporary directory, started
# with the server's own binaries as the postgres user. Allows replication connections from
# 127.0.0.1 in the local server's pg_hba.conf when they are not allowed yet (and reloads it).
#
#   scripts/replica.sh start    makes and starts the standby, waits until it is in recovery
#   scripts/replica.sh stop     stops it and removes its directory
set -euo pipefail
port="${LINGSHI_REPLICA_PORT:-5433}"
dir="${TMPDIR:-/tmp}/lingshi-replica-$port"
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
primary() { psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc "$1"; }

bin="$(dirname "$(readlink -f "$(command -v pg_basebackup)")")"
# Debian's wrappers live in /usr/bin; the server's binaries beside the version's pg_ctl.
version="$(primary "SHOW server_version_num" | cut -c1-2)"
[ -x "/usr/lib/postgresql/$version/bin/pg_ctl" ] && bin="/usr/lib/postgresql/$version/bin"
as_postgres() { runuser -u postgres -- "$@"; }

stop() {
  if [ -f "$dir/postmaster.pid" ]; then as_postgres "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true; fi
  rm -rf "$dir"
}

start() {
  stop
  local hba
  hba="$(primary "SHOW hba_file")"
  if ! grep -Eq '^host\s+replication\s+(all|postgres)\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    echo "host replication postgres 127.0.0.1/32 trust" >>"$hba"
    primary "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
  fi
  mkdir -p "$dir" && chown postgres:postgres "$dir" && chmod 700 "$dir"
  as_postgres "$bin/pg_basebackup" -h 127.0.0.1 -p 5432 -U postgres -D "$dir" -R -X stream -c fast \
    || fail "pg_basebackup could not copy the local server"
  # A hot standby needs at least the primary's limits; Debian keeps the configuration outside
  # the data directory, so the standby gets its own.
  {
    for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
      echo "$setting = $(primary "SHOW $setting")"
    done
    echo "port = $port"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$dir'"
    echo "hot_standby = on"
  } >"$dir/postgresql.conf"
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$dir/pg_hba.conf"
  : >"$dir/pg_ident.conf"
  chown postgres:postgres "$dir"/*.conf
  as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start >/dev/null || { cat "$dir/server.log" >&2; fail "the standby did not start"; }
  for _ in $(seq 1 50); do
    [ "$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] && break
    sleep 0.2
  done
  [ "$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc 'SELECT pg_is_in_recovery()')" = t ] || fail "the standby is not in recovery"
  echo "PostgreSQL hot standby of 127.0.0.1:5432 on 127.0.0.1:$port"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
