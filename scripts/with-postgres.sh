#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# Creates a cluster in /tmp/hongan-pg-XXXXXX, starts it on 127.0.0.1 on a free
# port, creates the database hongan_test, exports
# DATABASE_URL=postgres://postgres@127.0.0.1:PORT/hongan_test, runs CMD and
# returns its exit code. The server is stopped and the directory removed on any
# exit (success, failure, Ctrl-C). If the server cannot start, this fails loudly
# with the server log: PostgreSQL is never skipped.
#
# PG_BINDIR overrides the PostgreSQL binaries (default: newest /usr/lib/postgresql/*/bin).
# PG_OPTIONS adds server options, e.g. PG_OPTIONS="-c log_min_duration_statement=0".
# PG_KEEP=1 keeps the directory (and its log) for debugging.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

die() {
    echo "with-postgres: error: $*" >&2
    exit 1
}

if [ -z "${PG_BINDIR:-}" ]; then
    PG_BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
[ -n "$PG_BINDIR" ] && [ -x "$PG_BINDIR/initdb" ] ||
    die "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin; set PG_BINDIR). Run 'make system-deps'."

# initdb refuses to run as root: run the server as the postgres system user then.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

tmp=$(mktemp -d /tmp/hongan-pg-XXXXXX)
data="$tmp/data"
log="$tmp/postgres.log"

stop_server() {
    if [ -f "$data/postmaster.pid" ]; then
        as_pg "$PG_BINDIR/pg_ctl" -D "$data" stop -m fast -w -t 30 >/dev/null 2>&1 ||
            as_pg "$PG_BINDIR/pg_ctl" -D "$data" stop -m immediate -w -t 30 >/dev/null 2>&1 ||
            echo "with-postgres: warning: could not stop the server in $data" >&2
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    if [ "${PG_KEEP:-0}" = 1 ]; then
        echo "with-postgres: kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$tmp"
chmod 700 "$tmp"

free_port() {
    # Any Python will do; the venv's is not needed just to bind a socket.
    local py
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
            return
        fi
    done
    die "no python to pick a free port with"
}

show_log() {
    echo "----- $log -----" >&2
    cat "$log" >&2 2>/dev/null || true
    echo "-----" >&2
}

as_pg "$PG_BINDIR/initdb" -D "$data" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 || {
    cat "$tmp/initdb.log" >&2
    die "initdb failed"
}
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$tmp"/*.log

# A port picked as free can be taken before the server binds it: retry a few times.
# fsync and friends are off: this cluster is thrown away after the run.
started=
for attempt in 1 2 3; do
    port=$(free_port)
    if as_pg "$PG_BINDIR/pg_ctl" -D "$data" -l "$log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_OPTIONS:-}" \
        start >/dev/null; then
        started=1
        break
    fi
    echo "with-postgres: start attempt $attempt on port $port failed" >&2
    stop_server
done
if [ -z "$started" ]; then
    show_log
    die "PostgreSQL did not start"
fi

ready=
for _ in $(seq 1 60); do
    if "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
        ready=1
        break
    fi
    sleep 0.5
done
if [ -z "$ready" ]; then
    show_log
    die "PostgreSQL on port $port never became ready"
fi

"$PG_BINDIR/createdb" -h 127.0.0.1 -p "$port" -U postgres -E UTF8 hongan_test || {
    show_log
    die "createdb hongan_test failed"
}

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/hongan_test"
echo "with-postgres: PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($tmp)" >&2

# Run the command in the background so a TERM sent to this script alone is passed
# on at once (a foreground child would delay the trap until it ends). Keep its stdin
# (pytest --pdb) and give it back the SIGINT that bash ignores for background jobs,
# so Ctrl-C still reaches it as a KeyboardInterrupt.
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
