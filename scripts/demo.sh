#!/usr/bin/env bash
# The demo's two processes as one command: the web server and a background-job worker
# (manage.py db_worker, which runs imports and large exports). Ctrl-C, or stopping this script
# (SIGTERM), stops both; if either one exits, the other is stopped too.
# Usage: scripts/demo.sh [ADDRESS:PORT]   (PY=path/to/python to choose the interpreter)
set -uo pipefail
set -m  # each background process gets its own process group, so a stop reaches its children too
PY="${PY:-.venv/bin/python}"
ADDRESS="${1:-127.0.0.1:8000}"
export SIFU_DEBUG="${SIFU_DEBUG:-1}"

# --no-reload: the worker keeps running the code it started with (restart the demo after edits).
"$PY" manage.py db_worker --no-reload --interval 1 --worker-id "demo-$$" &
WORKER=$!
"$PY" manage.py runserver "$ADDRESS" &
SERVER=$!

stop() {
    trap - EXIT INT TERM
    # SIGTERM: the worker finishes the task it is running (a job is never left half-written:
    # the import is one transaction), then exits; runserver and its reloader child exit at once.
    kill -TERM -- "-$SERVER" "-$WORKER" 2>/dev/null
    wait 2>/dev/null
    echo "Demo stopped (web server and worker)."
}
trap stop EXIT
trap 'exit 130' INT TERM

echo "Web server (pid $SERVER) on http://$ADDRESS and background worker (pid $WORKER). Ctrl-C stops both."
wait -n "$SERVER" "$WORKER"
