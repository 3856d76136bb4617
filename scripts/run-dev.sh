#!/usr/bin/env bash
# Serve the app for development: a background-task worker plus runserver.
# The worker (and its autoreloader child) is stopped when the server exits.
#
#   scripts/run-dev.sh [ADDR:PORT]     (default 127.0.0.1:8000)
set -euo pipefail
cd "$(dirname "$0")/.."

py=.venv/bin/python
addr=${1:-127.0.0.1:8000}

# Its own session, so stopping it also stops the child its autoreloader runs.
setsid "$py" manage.py job_worker &
worker=$!

stop_worker() {
    trap - EXIT INT TERM
    if kill -0 "$worker" 2>/dev/null; then
        kill -TERM -- "-$worker" 2>/dev/null || true
        for _ in $(seq 1 20); do
            kill -0 "$worker" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL -- "-$worker" 2>/dev/null || true
    fi
    wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "Background-task worker started (pid $worker)."
echo "Open http://$addr/ (the demo logins are listed above). Ctrl-C stops the server and the worker."
"$py" manage.py runserver "$addr"
