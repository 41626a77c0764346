# shellcheck shell=bash
# test/citus/lib.sh: a throwaway Citus cluster (coordinator + 2 workers) for
# test/t/citus.sh. Source it after test/lib.sh. It provides:
#   citus_start   initdb three nodes in one mktemp dir under /tmp, each with
#                 shared_preload_libraries = citus, listening on 127.0.0.1 only (the
#                 nodes talk to each other over TCP) and on a Unix socket in that dir,
#                 on free ports from 57432..57831; CREATE EXTENSION citus in database
#                 $CITUS_DB on each, the coordinator registered and the workers added.
#                 Exports CITUS_TMP, CITUS_PORT_C, CITUS_PORT_W1, CITUS_PORT_W2.
#   cq NODE ...   psql (quiet, tuples only, ON_ERROR_STOP) on node c, w1 or w2
#   citus_cleanup stop the three servers and delete the dir (idempotent; EXIT trap)
# Like test/lib.sh it never touches a system cluster: its own data directories,
# socket directory and ports (checked free), and pg_ctl stops only those.

CITUS_TMP=""
CITUS_DB=${CITUS_DB:-nps_citus}
CITUS_NODES="c w1 w2"

# test/lib.sh's nps_as_owner, run from the Citus cluster's temp dir
citus_as_owner() {
    NPS_TMP="$CITUS_TMP" nps_as_owner "$@"
}

citus_port() {
    case $1 in
        c) echo "$CITUS_PORT_C" ;;
        w1) echo "$CITUS_PORT_W1" ;;
        w2) echo "$CITUS_PORT_W2" ;;
        *) nps_die "unknown node $1" ;;
    esac
}

cq() {
    local node=$1
    shift
    psql -X -q -At -v ON_ERROR_STOP=1 -h "$CITUS_TMP" -p "$(citus_port "$node")" -U postgres -d "$CITUS_DB" "$@"
}

citus_start() {
    # the search starts at a place that depends on the process id, so two runs
    # at the same time (other worktrees, a second suite) rarely race for a port
    local bindir node port=$((57432 + ($$ % 60) * 3)) ports=()
    bindir=$("$PG_CONFIG" --bindir)
    CITUS_TMP=$(mktemp -d /tmp/nps-citus.XXXXXX)
    [ "$(id -u)" -ne 0 ] || chown postgres: "$CITUS_TMP"
    chmod 755 "$CITUS_TMP"
    for node in $CITUS_NODES; do
        while nps_tcp_busy "$port" || [ -e "$CITUS_TMP/.s.PGSQL.$port" ]; do
            port=$((port + 1))
            [ "$port" -lt 57832 ] || nps_die "no free port in 57432..57831"
        done
        ports+=("$port")
        port=$((port + 1))
    done
    CITUS_PORT_C=${ports[0]} CITUS_PORT_W1=${ports[1]} CITUS_PORT_W2=${ports[2]}
    export CITUS_TMP CITUS_PORT_C CITUS_PORT_W1 CITUS_PORT_W2

    for node in $CITUS_NODES; do
        citus_as_owner "$bindir/initdb" -D "$CITUS_TMP/$node" -A trust -E UTF8 --locale=C.UTF-8 \
            -U postgres >"$CITUS_TMP/initdb-$node.log" 2>&1 ||
        citus_as_owner "$bindir/initdb" -D "$CITUS_TMP/$node" -A trust -E UTF8 --locale=C \
            -U postgres >>"$CITUS_TMP/initdb-$node.log" 2>&1 ||
            { cat "$CITUS_TMP/initdb-$node.log" >&2; nps_die "initdb of $node failed"; }
        # trust, but only on 127.0.0.1 and the private socket dir: a throwaway cluster
        cat >>"$CITUS_TMP/$node/postgresql.conf" <<EOF

# ---- added by test/citus/lib.sh (throwaway Citus node $node) ----
listen_addresses = '127.0.0.1'
port = $(citus_port "$node")
unix_socket_directories = '$CITUS_TMP'
shared_preload_libraries = 'citus'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
citus.shard_count = 4
EOF
        citus_as_owner "$bindir/pg_ctl" -D "$CITUS_TMP/$node" -l "$CITUS_TMP/$node.log" -w -t 60 start \
            >/dev/null || { cat "$CITUS_TMP/$node.log" >&2; nps_die "pg_ctl start of $node failed"; }
    done
    unset PGHOST PGPORT PGUSER PGDATABASE PGHOSTADDR PGSERVICE PGOPTIONS
    export PGCLIENTENCODING=UTF8 PATH="$bindir:$PATH"
    for node in $CITUS_NODES; do
        psql -X -q -h "$CITUS_TMP" -p "$(citus_port "$node")" -U postgres -d postgres \
            -c "CREATE DATABASE $CITUS_DB" >/dev/null
        cq "$node" -c "CREATE EXTENSION citus" >/dev/null
    done
    cq c >/dev/null <<SQL
SELECT citus_set_coordinator_host('127.0.0.1', $CITUS_PORT_C);
SELECT citus_add_node('127.0.0.1', $CITUS_PORT_W1);
SELECT citus_add_node('127.0.0.1', $CITUS_PORT_W2);
SQL
    nps_log "citus cluster up in $CITUS_TMP: coordinator $CITUS_PORT_C, workers $CITUS_PORT_W1 $CITUS_PORT_W2"
}

citus_cleanup() {
    [ -n "$CITUS_TMP" ] || return 0
    local bindir node pid
    bindir=$("$PG_CONFIG" --bindir)
    for node in $CITUS_NODES; do
        [ -f "$CITUS_TMP/$node/postmaster.pid" ] || continue
        citus_as_owner "$bindir/pg_ctl" -D "$CITUS_TMP/$node" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        citus_as_owner "$bindir/pg_ctl" -D "$CITUS_TMP/$node" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
        if [ -f "$CITUS_TMP/$node/postmaster.pid" ]; then
            pid=$(head -n1 "$CITUS_TMP/$node/postmaster.pid" 2>/dev/null || true)
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    done
    rm -rf "$CITUS_TMP"
    CITUS_TMP=""
}
