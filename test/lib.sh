# shellcheck shell=bash
# test/lib.sh: shared helpers of test/run_tests.sh and test/run_demo.sh.
#
# Source it (do not run it). It provides q and fail for the test scripts, and:
#   nps_ensure_deps    install PostgreSQL 15 (server, client with pg_regress and
#                      pg_isolation_regress, dev files) + build tools from Debian packages
#                      if missing
#   nps_build          make + make install of the extension (from the repo root)
#   nps_start_cluster  throwaway cluster in a mktemp dir, Unix socket only, free port;
#                      exports PGHOST, PGPORT, PGUSER=postgres for the clients
#   nps_cleanup        stop that cluster and delete its temp dir (idempotent; call it
#                      from the caller's EXIT trap)
# The throwaway cluster never listens on TCP and uses its own socket directory, so it
# can not touch a system cluster (e.g. the Debian one on port 5432).

# Repo root, computed from this file's own path, so callers can run from any cwd.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export REPO

# PostgreSQL 15: the Debian one unless the caller points PG_CONFIG at another
# installation (e.g. a private copy, so parallel builds do not overwrite each other).
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG

NPS_TMP=""          # temp dir of the throwaway cluster (set by nps_start_cluster)
NPS_STARTED=""      # non-empty once pg_ctl start has been attempted

nps_log() { echo "==> $*"; }

# Helpers of the test scripts (test/t/*.sh source this file):
# q runs psql quietly, unaligned and tuples only, stopping at the first error;
# fail reports and ends the script with a failure.
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
nps_die() { echo "ERROR: $*" >&2; exit 1; }

# sudo only when not root (fresh machines run CI as root and may lack sudo).
nps_sudo() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        nps_die "need root or sudo to run: $*"
    fi
}

# Install the Debian packages only when something is missing.
nps_ensure_deps() {
    local missing=""
    [ -x "$PG_CONFIG" ] || missing="$missing pg_config"
    [ -f /usr/include/postgresql/15/server/postgres.h ] || missing="$missing postgres.h"
    [ -x /usr/lib/postgresql/15/bin/initdb ] || missing="$missing initdb"
    [ -x /usr/lib/postgresql/15/bin/psql ] || missing="$missing psql"
    [ -x /usr/lib/postgresql/15/lib/pgxs/src/test/regress/pg_regress ] || missing="$missing pg_regress"
    # isolation tests (test/isolation); dpkg -S: postgresql-client-15, as pg_regress
    [ -x /usr/lib/postgresql/15/lib/pgxs/src/test/isolation/pg_isolation_regress ] ||
        missing="$missing pg_isolation_regress"
    command -v make >/dev/null 2>&1 || missing="$missing make"
    command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
    [ -f /usr/include/stdio.h ] || missing="$missing libc6-dev"
    if [ -n "$missing" ]; then
        nps_log "missing:$missing; installing Debian packages"
        nps_sudo apt-get update
        nps_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y \
            postgresql-15 postgresql-client-15 postgresql-server-dev-15 make gcc libc6-dev
    fi
    [ -x "$PG_CONFIG" ] || nps_die "$PG_CONFIG still missing after install"
    # PostgreSQL refuses to run as root: as root we run the server as 'postgres'
    # (the Debian package creates that user; create it if it is missing anyway).
    if [ "$(id -u)" -eq 0 ] && ! getent passwd postgres >/dev/null; then
        nps_log "creating system user postgres"
        if getent group postgres >/dev/null; then
            useradd --system --no-create-home -g postgres postgres
        else
            useradd --system --no-create-home --user-group postgres
        fi
    fi
}

# Build and install the extension.  With NPS_TEST_BUILD=1 in the environment
# (run_tests.sh sets it) the build also compiles the Assert()s in
# (-DUSE_ASSERT_CHECKING) and turns warnings into errors (-Werror); make does not
# track compiler flags, so it starts from make clean.
nps_build() {
    cd "$REPO" || exit 1
    local flags=()
    if [ -n "${NPS_TEST_BUILD:-}" ]; then
        flags=(NPS_TEST_BUILD=1)
        make PG_CONFIG="$PG_CONFIG" clean >/dev/null
    fi
    nps_log "building (make PG_CONFIG=$PG_CONFIG ${flags[*]})"
    local out="$REPO/results/build.log"
    mkdir -p "$REPO/results"
    make PG_CONFIG="$PG_CONFIG" "${flags[@]}" 2>&1 | tee "$out"
    [ "${PIPESTATUS[0]}" -eq 0 ] || nps_die "build failed (see $out)"
    local warnings
    warnings=$(grep -c 'warning:' "$out" || true)
    [ "$warnings" -eq 0 ] || nps_log "build: $warnings compiler warning(s)"
    nps_log "installing (make PG_CONFIG=$PG_CONFIG install)"
    if [ -w "$("$PG_CONFIG" --pkglibdir)" ]; then
        make PG_CONFIG="$PG_CONFIG" "${flags[@]}" install
    else
        nps_sudo make PG_CONFIG="$PG_CONFIG" "${flags[@]}" install
    fi
}

# Run a server program as the cluster owner: 'postgres' when we are root, else us.
# Run from inside the temp dir so the postgres user never needs access to our cwd.
nps_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$NPS_TMP" && runuser -u postgres -- "$@")
    else
        (cd "$NPS_TMP" && "$@")
    fi
}

# True when something already listens on TCP 127.0.0.1:$1 (bash /dev/tcp probe).
nps_tcp_busy() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Create, configure and start the throwaway cluster; export the client environment.
nps_start_cluster() {
    local bindir
    bindir=$("$PG_CONFIG" --bindir)
    # /tmp (not $TMPDIR): short enough for the socket path and reachable by 'postgres'.
    NPS_TMP=$(mktemp -d /tmp/nps-pg.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$NPS_TMP"
    fi
    chmod 755 "$NPS_TMP"    # root clients (and others) can reach the socket

    # First port from 55432 upward that nobody uses on TCP and has no socket here.
    local port=55432
    while nps_tcp_busy "$port" || [ -e "$NPS_TMP/.s.PGSQL.$port" ]; do
        port=$((port + 1))
        [ "$port" -lt 55632 ] || nps_die "no free port in 55432..55631"
    done

    nps_log "initdb in $NPS_TMP/data (port $port, socket dir $NPS_TMP)"
    if ! nps_as_owner "$bindir/initdb" -D "$NPS_TMP/data" -A trust -E UTF8 \
            --locale=C.UTF-8 -U postgres >"$NPS_TMP/initdb.log" 2>&1; then
        nps_log "initdb with C.UTF-8 failed; retrying with --locale=C"
        rm -rf "$NPS_TMP/data"
        if ! nps_as_owner "$bindir/initdb" -D "$NPS_TMP/data" -A trust -E UTF8 \
                --locale=C -U postgres >"$NPS_TMP/initdb.log" 2>&1; then
            cat "$NPS_TMP/initdb.log" >&2
            nps_die "initdb failed"
        fi
    fi

    # Socket-only, private socket dir, no durability (throwaway data).
    cat >>"$NPS_TMP/data/postgresql.conf" <<EOF

# ---- added by test/lib.sh (throwaway test cluster) ----
listen_addresses = ''
port = $port
unix_socket_directories = '$NPS_TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

    nps_log "starting postgres (log: $NPS_TMP/postgres.log)"
    NPS_STARTED=1
    if ! nps_as_owner "$bindir/pg_ctl" -D "$NPS_TMP/data" -l "$NPS_TMP/postgres.log" \
            -w -t 60 start >/dev/null; then
        cat "$NPS_TMP/postgres.log" >&2 || true
        nps_die "pg_ctl start failed"
    fi

    # Client environment: only our socket, never a host/service from the caller's env.
    unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGDATABASE PGOPTIONS PGPASSWORD PGPASSFILE
    export PGHOST="$NPS_TMP" PGPORT="$port" PGUSER=postgres
    export PGCLIENTENCODING=UTF8   # psql on a terminal would pick SQL_ASCII under LANG=C
    export PATH="$bindir:$PATH"    # psql & co. of version 15
    nps_log "cluster up: PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER"
}

# Stop the cluster (fast, then immediate, then kill our postmaster) and remove the
# temp dir. Silent and idempotent: it runs from EXIT traps, also after failures.
nps_cleanup() {
    [ -n "$NPS_TMP" ] || return 0
    local bindir pid
    bindir=$("$PG_CONFIG" --bindir)
    if [ -n "$NPS_STARTED" ] && [ -f "$NPS_TMP/data/postmaster.pid" ]; then
        nps_as_owner "$bindir/pg_ctl" -D "$NPS_TMP/data" -m fast -w -t 30 stop \
            >/dev/null 2>&1 ||
        nps_as_owner "$bindir/pg_ctl" -D "$NPS_TMP/data" -m immediate -w -t 30 stop \
            >/dev/null 2>&1 || true
        # Last resort: the pid file still names a live postmaster (ours).
        if [ -f "$NPS_TMP/data/postmaster.pid" ]; then
            pid=$(head -n1 "$NPS_TMP/data/postmaster.pid" 2>/dev/null || true)
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    rm -rf "$NPS_TMP"
    NPS_TMP=""
    NPS_STARTED=""
}
