#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the test run (docs/stack-facts.md).
#   start: scripts/pg-throwaway.sh PGBIN            → prints PGDIR=… and DATABASE_URL=…
#   stop:  scripts/pg-throwaway.sh stop PGDIR PGBIN
set -euo pipefail
if [ "${1:-}" = "stop" ]; then
  pgdir=$2; pgbin=$3
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
  exit 0
fi
pgbin=$1
pgdir=$(mktemp -d -t sifu-pg.XXXXXX)
port=${PGPORT:-$((54330 + RANDOM % 1000))}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pgdir"; fi
chmod 700 "$pgdir"
as_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$pgdir/initdb.log" 2>&1
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
as_pg "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -q \
  -c "CREATE ROLE sifu LOGIN SUPERUSER PASSWORD 'sifu'" -c "CREATE DATABASE sifu OWNER sifu" >/dev/null
echo "PGDIR=$pgdir"
echo "DATABASE_URL=postgres://sifu:sifu@127.0.0.1:$port/sifu"
