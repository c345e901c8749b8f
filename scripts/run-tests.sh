#!/usr/bin/env bash
# The whole suite: SQLite always; PostgreSQL (throwaway cluster) and browser tests whenever their
# programs exist. SIFU_REQUIRE_POSTGRES=1 / SIFU_REQUIRE_BROWSER=1 (set by .ci/run) make them
# mandatory: a missing program is then a failure, not a skip. pytest's "no tests ran" fails too.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0

run() {  # run pytest; exit code 5 (no tests collected) counts as a failure
  local label=$1; shift
  echo "== $label"
  "$PY" -m pytest "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "!! $label: no tests ran"; rc=1; fi
  if [ $rc -ne 0 ]; then echo "!! $label failed ($rc)"; status=1; fi
}

# pytest-xdist: one process per CPU, each taking whole modules, so the fixtures built once per
# process (sifu/core/tests/built_once.py) serve a module's tests one after the other.
workers="-n ${SIFU_TEST_WORKERS:-auto} --dist loadfile"
run "SQLite" sifu -q -m "not browser" $workers

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
  eval "$(bash scripts/pg-throwaway.sh "$pg_bin" | sed 's/^/export /')"
  trap 'bash scripts/pg-throwaway.sh stop "$PGDIR" "$pg_bin" >/dev/null 2>&1' EXIT
  DATABASE_URL="$DATABASE_URL" run "PostgreSQL" sifu -q -m "not browser" $workers
elif [ "${SIFU_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "!! PostgreSQL binaries (initdb) not found, and SIFU_REQUIRE_POSTGRES=1"; status=1
else
  echo "-- PostgreSQL tests skipped: no initdb found (install postgresql to run them)"
fi

if [ -x /usr/bin/chromium ]; then
  DJANGO_ALLOW_ASYNC_UNSAFE=true run "Browser" e2e -q -m browser
elif [ "${SIFU_REQUIRE_BROWSER:-0}" = "1" ]; then
  echo "!! /usr/bin/chromium not found, and SIFU_REQUIRE_BROWSER=1"; status=1
else
  echo "-- Browser tests skipped: /usr/bin/chromium not found (apt-get install chromium fonts-noto-cjk)"
fi

exit $status
