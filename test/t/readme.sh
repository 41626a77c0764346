#!/usr/bin/env bash
# test/t/readme.sh: every README example that shows an output is run and its output
# compared, so the README stays true by construction.
#
# Markers. An HTML comment on the line just before a fenced block says what to do
# with it (blank lines may separate them; nothing else may):
#   <!-- example: db=NAME [setup=FILE] [copy] [tags] -->
#   <!-- example: skip="why it can not run" -->
#   <!-- example: db=NAME output=setup -->
# Every ```sql block of a checked file must carry a marker, and so must every bare ```
# block that follows a ```sql block or is a psql transcript (first line "=> ...");
# an unmarked one fails the test, so no example is silently left out.
#
# Kinds of example:
#  - ```sql block followed (only blank lines between) by a bare ``` block: the SQL
#    is fed to psql on stdin, its output (stdout and stderr, in order) is compared
#    with the bare block.
#  - ```sql block with no output block: a setup step. It runs with ON_ERROR_STOP and
#    must succeed; its output is not compared. Later examples of the same db see
#    what it created.
#  - a bare block of psql transcript: lines starting with "=> " open a statement,
#    which runs on until a line ending in ";". All statements run in one psql
#    session; the actual transcript is rebuilt from the README's statement lines
#    and psql's output of each statement, and compared with the block.
#  - db=NAME output=setup on a bare block: the block must equal the first lines of
#    the output of the setup FILE of that database (e.g. the demo's dashboards).
#  - skip="reason": not run; counted and listed with its reason.
#
# Databases. db=NAME is database readme_NAME, created on first use with
# CREATE EXTENSION nps, search_path = public, nps (what the README's own setup
# blocks SET) and TimeZone = UTC. setup=FILE (relative to the repo; e.g.
# test/demo/demo.sql) is run once with psql -f when the database is created; a
# later marker of that db may repeat the same setup= or leave it out. Examples of
# a db run in README order and see each other's changes, except an example marked
# `copy`: it runs in a fresh copy of the db (CREATE DATABASE ... TEMPLATE), which is
# dropped afterwards, together with any role the example created. So `copy` keeps
# an example that writes (INSERT, roles, owner security) from changing the numbers
# of later ones.
#
# psql: psql -X -q -P footer=off, one session per example, input on stdin (so an
# error prints as "ERROR:  ...", without a file:line prefix). `tags` drops -q, so
# command tags (SET, UPDATE 1, ...) are printed too.
#
# Normalisation, the same on both sides and nothing else: trailing white space is
# removed from every line, "(N rows)" / "(1 row)" footer lines are removed, and
# leading and trailing blank lines are removed, and the PID in psql's "Asynchronous
# notification ... received from server process with PID 1234." becomes N.
# Everything else must match exactly.
#
# A mismatch fails the test and prints the expected output, the actual output and
# a diff. At the end it prints how many examples were checked (outputs compared),
# how many setup steps ran and which were skipped (and why); fewer than
# MIN_CHECKED checked examples also fails, so the runner can not silently check
# nothing.
# Runs against the throwaway cluster of test/run_tests.sh (PGHOST/PGPORT/PGUSER).
set -euo pipefail
trap 'echo "FAIL: ${BASH_SOURCE[0]##*/} line $LINENO: a command failed (exit $?)" >&2' ERR

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# Files: README.md (at least 40 checked examples) and the Chinese guide
# README.zh-CN.md (at least 15), each checked on its own by this same script, with
# the same rules and its own databases; README=FILE (and MIN_CHECKED) checks one file.
if [ -z "${README:-}" ]; then
    rc=0
    for f in README.md:40 README.zh-CN.md:15; do
        echo "== ${f%%:*}"
        README="$REPO/${f%%:*}" MIN_CHECKED=${MIN_CHECKED:-${f##*:}} bash "${BASH_SOURCE[0]}" || rc=1
    done
    exit "$rc"
fi
[ -f "$README" ] || { echo "FAIL: $README does not exist"; exit 1; }
MIN_CHECKED=${MIN_CHECKED:-40}
NAME=${README##*/}
DBPREFIX=readme_

work=$(mktemp -d)
role_list() { psql -X -q -At -d postgres -c 'SELECT rolname FROM pg_roles' | LC_ALL=C sort; }
roles_at_start=$(role_list)
created_dbs=()

drop_new_roles() {   # drop roles that did not exist in $1 (a sorted role list)
    local before=$1 r
    while IFS= read -r r; do
        [ -n "$r" ] || continue
        psql -X -q -d postgres -c "DROP ROLE IF EXISTS \"$r\"" >/dev/null 2>&1 ||
            echo "warning: could not drop role $r"
    done < <(LC_ALL=C comm -13 <(printf '%s\n' "$before") <(role_list))
}
cleanup() {
    local d
    for d in "${created_dbs[@]}"; do
        dropdb --if-exists "$d" >/dev/null 2>&1 || true
    done
    drop_new_roles "$roles_at_start" || true
    rm -rf "$work"
}
trap cleanup EXIT

# ---- parse README.md into blocks ---------------------------------------------------
# blocks.tsv (fields separated by \037, as bash's read would merge empty tab fields): index, first line, fence language, adjacent (1 = only blank lines since
# the previous block), marker text (empty if none), marker line. Block i's content
# is in $work/b<i> (the fence's indentation removed).
awk -v dir="$work" '
function strip_indent(s, n) { while (n > 0 && substr(s, 1, 1) == " ") { s = substr(s, 2); n-- } return s }
BEGIN { n = 0; infence = 0; gap = 1; marker = ""; mline = 0 }
{
    if (infence) {
        if ($0 ~ /^ *```[ \t]*$/) {
            infence = 0; close(file)
            printf "%d\037%d\037%s\037%d\037%s\037%d\n", n, start, lang, adjacent, marker, mline > (dir "/blocks.tsv")
            marker = ""; mline = 0; gap = 0
        } else {
            print strip_indent($0, indent) > file
        }
        next
    }
    if ($0 ~ /^ *```/) {
        n++; infence = 1; start = NR
        match($0, /^ */); indent = RLENGTH
        lang = $0; sub(/^ *```/, "", lang); gsub(/[ \t]/, "", lang)
        adjacent = (gap == 0) ? 1 : 0
        file = dir "/b" n; printf "" > file
        next
    }
    if ($0 ~ /^ *<!-- example:.*-->[ \t]*$/) {
        m = $0; sub(/^ *<!-- example:[ \t]*/, "", m); sub(/[ \t]*-->[ \t]*$/, "", m)
        marker = m; mline = NR; gap = 1
        next
    }
    if ($0 ~ /^[ \t]*$/) next
    gap = 1; marker = ""; mline = 0   # prose: a marker must be right before its block
}
END { if (infence) { print FILENAME ": unterminated code block at line " start > "/dev/stderr"; exit 1 } }
' "$README"

# ---- helpers ---------------------------------------------------------------------------
norm() {   # normalise an output (file $1) to stdout
    sed -E -e 's/[[:space:]]*$//' -e 's/(received from server process with PID )[0-9]+/\1N/' "$1" | grep -Ev '^\([0-9]+ rows?\)$' |
        awk '{ line[NR] = $0 } END {
               s = 1; while (s <= NR && line[s] == "") s++
               e = NR; while (e >= s && line[e] == "") e--
               for (i = s; i <= e; i++) print line[i] }'
}

# marker parsing: sets M_db M_setup M_copy M_tags M_skip M_output
parse_marker() {
    local s=$1 key val
    M_db="" M_setup="" M_copy="" M_tags="" M_skip="" M_output=""
    while [ -n "$s" ]; do
        s=${s#"${s%%[! ]*}"}                      # ltrim
        [ -n "$s" ] || break
        if [[ $s =~ ^([a-z_]+)=\"([^\"]*)\"(.*)$ ]]; then
            key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
        elif [[ $s =~ ^([a-z_]+)=([^ ]*)(.*)$ ]]; then
            key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
        elif [[ $s =~ ^([a-z_]+)(.*)$ ]]; then
            key=${BASH_REMATCH[1]} val=1 s=${BASH_REMATCH[2]}
        else
            echo "bad marker: $1"; return 1
        fi
        case $key in
            db) M_db=$val ;; setup) M_setup=$val ;; copy) M_copy=1 ;; tags) M_tags=1 ;;
            skip) M_skip=$val ;; output) M_output=$val ;;
            *) echo "unknown marker key '$key' in: $1"; return 1 ;;
        esac
    done
    if [ -z "$M_skip" ] && [ -z "$M_db" ]; then echo "marker needs db= or skip=: $1"; return 1; fi
    if [ -n "$M_skip" ] && [ "$M_skip" = 1 ]; then echo "skip needs a reason: $1"; return 1; fi
    return 0
}

declare -A DB_SETUP=()    # db name -> setup file ("" = none)
db_settings() {   # $1 database: the settings every README database has
    psql -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c "ALTER DATABASE \"$1\" SET search_path = public, nps" \
        -c "ALTER DATABASE \"$1\" SET TimeZone = 'UTC'" >/dev/null
}
ensure_db() {   # $1 name, $2 setup file ('' = none); returns 1 when setup fails
    local name=$1 setup=$2 db=$DBPREFIX$1
    if [ -n "${DB_SETUP[$name]+x}" ]; then
        if [ -n "$setup" ] && [ "$setup" != "${DB_SETUP[$name]}" ]; then
            echo "db=$name: setup=$setup, but it was created with setup=${DB_SETUP[$name]:-(none)}"
            return 1
        fi
        return 0
    fi
    DB_SETUP[$name]=$setup
    dropdb --if-exists "$db" >/dev/null 2>&1
    createdb "$db"
    created_dbs+=("$db")
    db_settings "$db"
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION nps' >/dev/null
    if [ -n "$setup" ]; then
        if ! (cd "$REPO" && psql -X -v ON_ERROR_STOP=1 -d "$db" -f "$setup") \
                >"$work/setup_$name.out" 2>&1 </dev/null; then
            echo "db=$name: setup $setup failed:"
            tail -n 20 "$work/setup_$name.out"
            return 1
        fi
    else
        : >"$work/setup_$name.out"
    fi
}

CHECKED=0 SETUPS=0 SKIPPED=0 FAILED=0
SKIP_LIST=""
fail_example() {   # $1 title, $2 expected file, $3 actual file (normalised)
    FAILED=$((FAILED + 1))
    echo "FAIL: $1"
    echo "---- expected ($NAME) ----"; cat "$2"
    echo "---- actual ----";            cat "$3"
    echo "---- diff -u expected actual ----"; diff -u "$2" "$3" | tail -n +3 || true
    echo "----"
}

# run an example's SQL (file $2) in db name $1; output to $3. Uses M_copy/M_tags.
run_sql() {
    local name=$1 sql=$2 out=$3 onerr=${4:-0} db=$DBPREFIX$1 roles_before="" rc=0
    local quiet=(-q)
    [ -z "$M_tags" ] || quiet=()
    if [ -n "$M_copy" ]; then
        roles_before=$(role_list)
        db=${DBPREFIX}${name}_copy
        dropdb --if-exists "$db" >/dev/null 2>&1
        createdb -T "$DBPREFIX$name" "$db"
        db_settings "$db"
    fi
    psql -X "${quiet[@]}" -P footer=off -v ON_ERROR_STOP="$onerr" -d "$db" <"$sql" >"$out" 2>&1 || rc=$?
    if [ -n "$M_copy" ]; then
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
        drop_new_roles "$roles_before"
    fi
    return "$rc"
}

# ---- walk the blocks -------------------------------------------------------------------
[ -s "$work/blocks.tsv" ] || { echo "FAIL: no code blocks found in $README"; exit 1; }
mapfile -t BLOCKS <"$work/blocks.tsv"
nblocks=${#BLOCKS[@]}
i=0
while [ "$i" -lt "$nblocks" ]; do
    IFS=$'\037' read -r idx line lang _adj marker _mline <<<"${BLOCKS[$i]}"
    i=$((i + 1))
    content="$work/b$idx"
    is_transcript=""
    if [ -z "$lang" ] && head -n1 "$content" | grep '^=> ' >/dev/null; then is_transcript=1; fi

    # the output block of a sql block: the next block, bare and adjacent
    out_block=""
    if [ "$lang" = sql ] && [ "$i" -lt "$nblocks" ]; then
        IFS=$'\037' read -r nidx nline nlang nadj nmarker _nmline <<<"${BLOCKS[$i]}"
        if [ -z "$nlang" ] && [ "$nadj" = 1 ]; then
            if [ -n "$nmarker" ]; then
                echo "FAIL: $NAME line $nline: output block has its own marker (put it before the \`\`\`sql block)"
                FAILED=$((FAILED + 1))
            fi
            out_block="$work/b$nidx"
            i=$((i + 1))
        fi
    fi

    if [ -z "$marker" ]; then
        if [ "$lang" = sql ] || [ -n "$is_transcript" ] || [ -n "$out_block" ]; then
            echo "FAIL: $NAME line $line: \`\`\`${lang} block without an <!-- example: ... --> marker"
            FAILED=$((FAILED + 1))
        fi
        continue
    fi
    title="$NAME line $line ($marker)"
    if ! parse_marker "$marker"; then FAILED=$((FAILED + 1)); continue; fi
    if [ -n "$M_skip" ]; then
        SKIPPED=$((SKIPPED + 1))
        SKIP_LIST+="  line $line: $M_skip"$'\n'
        continue
    fi
    if ! ensure_db "$M_db" "$M_setup"; then
        echo "FAIL: $title: database setup failed"
        FAILED=$((FAILED + 1)); continue
    fi
    exp="$work/exp$idx" act="$work/act$idx" raw="$work/raw$idx"

    if [ "$M_output" = setup ]; then
        [ -z "$lang" ] || { echo "FAIL: $title: output=setup needs a bare block"; FAILED=$((FAILED + 1)); continue; }
        norm "$content" >"$exp"
        # head on a file, not on a pipe: with pipefail, head closing the pipe early
        # would kill norm with SIGPIPE and (set -e) end this script without a word
        norm "$work/setup_$M_db.out" >"$raw"
        head -n "$(wc -l <"$exp")" "$raw" >"$act"
        if cmp -s "$exp" "$act"; then CHECKED=$((CHECKED + 1)); else fail_example "$title" "$exp" "$act"; fi
        continue
    elif [ -n "$M_output" ]; then
        echo "FAIL: $title: unknown output=$M_output"; FAILED=$((FAILED + 1)); continue
    fi

    if [ "$lang" = sql ] && [ -z "$out_block" ]; then
        # setup step: must succeed
        if run_sql "$M_db" "$content" "$raw" 1; then
            SETUPS=$((SETUPS + 1))
        else
            echo "FAIL: $title: setup block failed:"; cat "$raw"
            FAILED=$((FAILED + 1))
        fi
    elif [ "$lang" = sql ]; then
        run_sql "$M_db" "$content" "$raw" 0 || true
        norm "$out_block" >"$exp"
        norm "$raw" >"$act"
        if cmp -s "$exp" "$act"; then CHECKED=$((CHECKED + 1)); else fail_example "$title" "$exp" "$act"; fi
    elif [ -n "$is_transcript" ]; then
        # split into statements (=> ... ;) and build one psql script with separators
        awk -v dir="$work" -v id="$idx" '
            BEGIN { n = 0; instmt = 0; script = dir "/ts" id ".sql" }
            /^=> / && !instmt { n++; instmt = 1; s = substr($0, 4)
                                print "\\echo @@readme-stmt-" n "@@" > script
                                print s > script
                                print $0 > (dir "/ts" id "." n); if (s ~ /;[ \t]*$/) instmt = 0; next }
            instmt            { print $0 > script; print $0 > (dir "/ts" id "." n)
                                if ($0 ~ /;[ \t]*$/) instmt = 0; next }
            END { print n > (dir "/ts" id ".n") }' "$content"
        nst=$(cat "$work/ts$idx.n")
        run_sql "$M_db" "$work/ts$idx.sql" "$raw" 0 || true
        # actual transcript: each statement's README lines, then psql's output for it
        awk -v dir="$work" -v id="$idx" -v n="$nst" '
            /^@@readme-stmt-[0-9]+@@$/ { k = $0; gsub(/[^0-9]/, "", k)
                                         f = dir "/ts" id "." k
                                         while ((getline l < f) > 0) print l
                                         close(f); next }
            { print }' "$raw" >"$raw.t"
        norm "$content" >"$exp"
        norm "$raw.t" >"$act"
        if cmp -s "$exp" "$act"; then CHECKED=$((CHECKED + 1)); else fail_example "$title" "$exp" "$act"; fi
    else
        echo "FAIL: $title: a marker on a \`\`\`$lang block that is neither SQL nor a transcript"
        FAILED=$((FAILED + 1))
    fi
done

echo "$NAME examples: $CHECKED checked (output compared), $SETUPS setup blocks run, $SKIPPED skipped, $FAILED failed"
if [ "$SKIPPED" -gt 0 ]; then printf 'skipped:\n%s' "$SKIP_LIST"; fi
if [ "$CHECKED" -lt "$MIN_CHECKED" ]; then
    echo "FAIL: only $CHECKED examples checked (at least $MIN_CHECKED expected)"
    exit 1
fi
[ "$FAILED" -eq 0 ] || exit 1
echo "OK"
