#!/usr/bin/env bash
# A throw-away PostgreSQL server for the team-database tests (issue 13), on loopback only.
#
#   source .ci/postgres.sh start     # exports MLDESK_TEST_POSTGRES_URL (and PGPASSFILE)
#   .ci/postgres.sh stop             # stops it and removes its folder
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` account
# in a temporary folder. Uses Debian's postgresql binaries (initdb, pg_ctl); installs them
# with apt-get when they are missing and this is a Debian machine.
set -u
PG_STATE_FILE="${TMPDIR:-/tmp}/mldesk-ci-postgres.state"

_pg_bin() {
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

_pg_start() {
    local bin
    if ! bin=$(_pg_bin); then
        if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
            apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        fi
        bin=$(_pg_bin) || { echo "postgres.sh: no PostgreSQL server binaries (initdb, pg_ctl) on this machine" >&2; return 1; }
    fi
    local dir port run_as password
    dir=$(mktemp -d "${TMPDIR:-/tmp}/mldesk-pg.XXXXXX")
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
    run_as=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$dir"
        run_as=(runuser -u postgres --)
    fi
    printf '%s\n' "$password" > "$dir/.pw" && chmod 600 "$dir/.pw"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/.pw"
    "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U mldesk --pwfile="$dir/.pw" -A scram-sha-256 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$dir/server.log" >&2; return 1; }
    # The tests find the password in a standard password file, never in the URL they are given.
    printf '127.0.0.1:%s:*:mldesk:%s\n' "$port" "$password" > "$dir/pgpass" && chmod 600 "$dir/pgpass"
    export PGPASSFILE="$dir/pgpass"
    export MLDESK_TEST_POSTGRES_URL="postgresql+psycopg://mldesk@127.0.0.1:$port/postgres"
    printf 'dir=%s\nbin=%s\n' "$dir" "$bin" > "$PG_STATE_FILE"
    echo "PostgreSQL ready at 127.0.0.1:$port (data in $dir)"
}

_pg_stop() {
    [ -f "$PG_STATE_FILE" ] || return 0
    local dir bin run_as=()
    dir=$(sed -n 's/^dir=//p' "$PG_STATE_FILE")
    bin=$(sed -n 's/^bin=//p' "$PG_STATE_FILE")
    [ "$(id -u)" = 0 ] && run_as=(runuser -u postgres --)
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir" "$PG_STATE_FILE"
}

case "${1:-}" in
    start) _pg_start ;;
    stop) _pg_stop ;;
    *) echo "usage: source .ci/postgres.sh start | .ci/postgres.sh stop" >&2; return 2 2>/dev/null || exit 2 ;;
esac
