#!/usr/bin/env bash
# Run a command with stored files in a throwaway S3-compatible server.
#
#   scripts/with-s3.sh CMD [ARGS...]
#
# Starts moto's S3 server (moto[server], requirements/dev.txt) on 127.0.0.1 on a free
# port, creates the bucket hongan-test, exports STORAGE_BACKEND=s3 and the S3_*
# variables settings.py reads (path-style addressing, as MinIO), runs CMD and returns
# its exit code. The server is stopped on any exit (success, failure, Ctrl-C). If the
# server cannot start or the bucket cannot be made, this fails loudly with the
# server's log: S3 is never skipped.
#
# S3_PYTHON overrides the Python whose moto runs the server (default: .venv's).
# S3_KEEP=1 keeps the server's log directory for debugging.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

die() {
    echo "with-s3: error: $*" >&2
    exit 1
}

root=$(cd "$(dirname "$0")/.." && pwd)
py=${S3_PYTHON:-$root/.venv/bin/python}
[ -x "$py" ] || die "no Python at $py (run 'make venv', or set S3_PYTHON)"
"$py" -c 'import moto.server, boto3' 2>/dev/null ||
    die "moto[server] and boto3 are not installed in $py (run 'make venv': requirements/dev.txt)"

tmp=$(mktemp -d /tmp/hongan-s3-XXXXXX)
log="$tmp/moto.log"
server=

stop_server() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$server" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    server=
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    if [ "${S3_KEEP:-0}" = 1 ]; then
        echo "with-s3: kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_log() {
    echo "----- $log -----" >&2
    cat "$log" >&2 2>/dev/null || true
    echo "-----" >&2
}

free_port() {
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Fixed test credentials: moto accepts any, and nothing leaves the loopback.
export STORAGE_BACKEND=s3
export S3_BUCKET=hongan-test
export S3_ACCESS_KEY_ID=hongan-test-key
export S3_SECRET_ACCESS_KEY=hongan-test-secret
export S3_REGION=us-east-1
export S3_ADDRESSING_STYLE=path
export S3_PREFIX=media

# A port picked as free can be taken before the server binds it: retry a few times.
ready=
for attempt in 1 2 3; do
    port=$(free_port)
    endpoint="http://127.0.0.1:$port"
    "$py" -m moto.server -H 127.0.0.1 -p "$port" >>"$log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do
        kill -0 "$server" 2>/dev/null || break
        if "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
            "$endpoint/moto-api/" >/dev/null 2>&1; then
            ready=1
            break
        fi
        sleep 0.1
    done
    [ -n "$ready" ] && break
    echo "with-s3: start attempt $attempt on port $port failed" >&2
    stop_server
done
if [ -z "$ready" ]; then
    show_log
    die "the S3 server (moto) did not start"
fi
export S3_ENDPOINT_URL=$endpoint

"$py" - <<'PY' >>"$log" 2>&1 || { show_log; die "could not create the bucket $S3_BUCKET at $S3_ENDPOINT_URL"; }
import os

import boto3

boto3.client(
    "s3",
    endpoint_url=os.environ["S3_ENDPOINT_URL"],
    region_name=os.environ["S3_REGION"],
    aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
).create_bucket(Bucket=os.environ["S3_BUCKET"])
PY
echo "with-s3: S3 (moto $("$py" -c 'import moto; print(moto.__version__)')) on $S3_ENDPOINT_URL, bucket $S3_BUCKET" >&2

# As in with-postgres.sh: the command in the background so a TERM reaches it at once,
# with its stdin and the SIGINT bash ignores for background jobs given back.
env --default-signal=INT,QUIT "$@" <&0 &
child=$!
trap 'kill -INT "$child" 2>/dev/null || true' INT
trap 'kill -TERM "$child" 2>/dev/null || true' TERM
rc=0
wait "$child" || rc=$?
while kill -0 "$child" 2>/dev/null; do
    rc=0
    wait "$child" || rc=$?
done
trap 'exit 130' INT
trap 'exit 143' TERM
exit "$rc"
