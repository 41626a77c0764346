#!/usr/bin/env bash
# test/t/upgrade.sh: every released version stays installable, and every
# upgrade path leads to exactly what a fresh install gives, losing no row.
#  - released versions are the frozen scripts src/nps--X.Y.sql (make release);
#    each one installs with CREATE EXTENSION nps VERSION 'X.Y' (trusted, as a
#    non-superuser database owner)
#  - for each released version older than default_version (nps.control): that
#    version with test/upgrade/data-X.Y.sql (rows in every table), then
#    ALTER EXTENSION nps UPDATE by the same owner, then
#      * the version is default_version;
#      * every table keeps its rows (count and md5 of the columns it had);
#      * the catalog equals a fresh install of default_version (with the same
#        owner security state): pg_dump --binary-upgrade --schema-only, which
#        dumps every member of the extension with its signature, COMMENT,
#        privileges, owner and policies, compared after removing OIDs; and the
#        extension's list of dumped tables
# Runs against the throwaway cluster of test/run_tests.sh (PGHOST/PGPORT/PGUSER).
set -euo pipefail
. "$REPO/test/lib.sh"
owner=nps_upgrade_owner
bindir=$("$PG_CONFIG" --bindir)
work=$(mktemp -d /tmp/nps_upgrade.XXXXXX)
DBS=()
cleanup() {
    for d in "${DBS[@]}"; do dropdb --if-exists "$d" >/dev/null 2>&1 || true; done
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $owner" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
q -d postgres -c "DROP ROLE IF EXISTS $owner" -c "CREATE ROLE $owner LOGIN"

default=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" "$REPO/nps.control")
released=$(cd "$REPO/src" && ls nps--*.sql 2>/dev/null | grep -v -- '--.*--' | sed 's/^nps--//; s/\.sql$//' | sort -V || true)
[ -n "$released" ] || fail "no released version (src/nps--X.Y.sql): make release freezes one"

newdb() { dropdb --if-exists "$1" >/dev/null 2>&1; createdb -O "$owner" "$1"; DBS+=("$1"); }

# the catalog of the extension, without OIDs, transaction ids, sequence positions
# and psql's per-dump keys
catalog() {
    "$bindir/pg_dump" --binary-upgrade --schema-only -d "$1" |
        grep -v -e '^\\restrict' -e '^\\unrestrict' -e 'binary_upgrade_set_next_' \
                -e 'binary_upgrade_create_empty_extension' -e '^-- Dumped' \
                -e '^SELECT pg_catalog.setval(' -e '^SET relfrozenxid = ' -e "^WHERE oid = '[0-9]*';"
    q -d "$1" -c "SELECT extversion, extconfig::regclass[]::text, extcondition FROM pg_extension WHERE extname = 'nps'"
}
# per table of the extension: rows, md5 of the named columns in a fixed order
table_sums() { # db columns-file
    local db=$1 t cols
    while IFS='|' read -r t cols; do
        echo "$t $(q -d "$db" -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x::text)), '-')
                                    FROM (SELECT $cols FROM $t) x")"
    done < "$2"
}

installed=0
paths=0
for v in $released; do
    db=nps_up_$(echo "$v" | tr . _)
    newdb "$db"
    q -d "$db" -U "$owner" -c "CREATE EXTENSION nps VERSION '$v'"
    installed=$((installed + 1))
    echo "ok: CREATE EXTENSION nps VERSION '$v' (trusted, by a database owner)"
    [ "$v" != "$default" ] || continue

    data="$REPO/test/upgrade/data-$v.sql"
    [ -f "$data" ] || fail "no test data for the upgrade from $v ($data)"
    q -d "$db" -U "$owner" -v ON_ERROR_STOP=1 -f "$data" >/dev/null
    # the tables of the extension and their columns, as they are in version $v
    q -d "$db" -c "SELECT c.oid::regclass || '|' || string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                     FROM pg_extension e CROSS JOIN LATERAL unnest(e.extconfig) AS cfg(oid)
                     JOIN pg_class c ON c.oid = cfg.oid AND c.relkind = 'r'
                     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    WHERE e.extname = 'nps' GROUP BY c.oid ORDER BY 1" > "$work/columns"
    empty=$(table_sums "$db" "$work/columns" | awk '$2 == 0 { print $1 }' | tr '\n' ' ')
    [ -z "$empty" ] || fail "test data of $v leaves tables empty: $empty"
    table_sums "$db" "$work/columns" > "$work/before"

    q -d "$db" -U "$owner" -c "ALTER EXTENSION nps UPDATE"
    [ "$(q -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'nps'")" = "$default" ] ||
        fail "ALTER EXTENSION nps UPDATE from $v did not reach $default"
    table_sums "$db" "$work/columns" > "$work/after"
    if ! diff "$work/before" "$work/after"; then fail "rows changed by the upgrade from $v"; fi

    fresh=nps_up_fresh
    newdb "$fresh"
    q -d "$fresh" -U "$owner" -c "CREATE EXTENSION nps"
    if [ "$(q -d "$db" -c "SELECT count(*) FROM nps.owner_security")" = 1 ]; then
        q -d "$fresh" -U "$owner" -c "SELECT nps.enable_owner_security()" >/dev/null
    fi
    catalog "$db" > "$work/upgraded.sql"
    catalog "$fresh" > "$work/fresh.sql"
    if ! diff -u "$work/fresh.sql" "$work/upgraded.sql" > "$work/catalog.diff"; then
        cat "$work/catalog.diff"
        fail "the catalog after upgrading from $v differs from a fresh install of $default"
    fi
    paths=$((paths + 1))
    echo "ok: $v -> $default: rows kept in every table, catalog equal to a fresh install"
done
echo "ok: $installed released version(s) installable; $paths upgrade path(s) to $default checked"
