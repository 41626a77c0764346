#!/usr/bin/env bash
# test/citus/build.sh: build Citus from the vendored upstream source and install it
# into the PostgreSQL 15 of $PG_CONFIG (default: Debian's). A TEST DEPENDENCY ONLY
# (test/t/citus.sh): Citus is AGPL and never part of the extension.
#
#  - source: $NPS_CITUS_TARBALL, default $REPO/../shared/vendor/citus-12.1.12.tar.gz
#    (CI clones the repository next to ../shared); fails clearly when absent
#  - build deps from Debian, installed only when missing (apt-get update first)
#  - the build is cached OUTSIDE the repository, in
#    ${NPS_CITUS_CACHE:-/var/cache/nps-citus}/<version>-<hash>, where the hash covers
#    the tarball's sha256, the pg_config path and its version: a second run skips
#    configure and make and only runs `make install` (a copy, seconds) when the
#    installed citus.so differs from the cached one
#  - a lock (flock) serialises two runs sharing the cache
# Prints the cache directory on its last line.
set -euo pipefail

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
CITUS_VERSION=12.1.12
TARBALL=${NPS_CITUS_TARBALL:-$REPO/../shared/vendor/citus-$CITUS_VERSION.tar.gz}

log() { echo "==> citus: $*" >&2; }
die() { echo "ERROR: citus: $*" >&2; exit 1; }
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root or sudo to run: $*"; fi
}

[ -f "$TARBALL" ] || die "source tarball not found: $TARBALL (expected the upstream release
  citus-$CITUS_VERSION.tar.gz in ../shared/vendor next to the repository; set NPS_CITUS_TARBALL)"
[ -x "$PG_CONFIG" ] || die "pg_config not found: $PG_CONFIG"

if [ -n "${NPS_CITUS_CACHE:-}" ]; then
    cache_root=$NPS_CITUS_CACHE
elif [ "$(id -u)" -eq 0 ] || [ -w /var/cache ]; then
    cache_root=/var/cache/nps-citus
else
    cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/nps-citus
fi
key=$({ sha256sum <"$TARBALL"; echo "$PG_CONFIG"; "$PG_CONFIG" --version; } | sha256sum | cut -c1-16)
cache="$cache_root/$CITUS_VERSION-$key"
mkdir -p "$cache_root"

exec 9>"$cache_root/.lock-$CITUS_VERSION-$key"
flock 9

if [ ! -f "$cache/.built" ]; then
    # Build dependencies (Debian names), installed only when something is missing.
    pkgs="liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev libpam0g-dev libssl-dev
          libxslt1-dev libreadline-dev flex bison autoconf libpq-dev make gcc"
    missing=""
    for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep 'ok installed' >/dev/null || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        log "installing build dependencies:$missing"
        as_root apt-get update -q >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2
    fi

    log "building $CITUS_VERSION for $PG_CONFIG in $cache (about 2 minutes on 2 cores)"
    # Built in place (configure writes absolute paths into Makefile.global); .built
    # marks a complete build, so an interrupted one starts over.
    rm -rf "$cache"
    mkdir -p "$cache"
    tar -xzf "$TARBALL" -C "$cache" --strip-components=1
    (
        cd "$cache"
        ./configure PG_CONFIG="$PG_CONFIG" --without-libcurl >configure.log 2>&1 ||
            { tail -30 configure.log >&2; exit 1; }
        # libpq-fe.h: PGXS looks in pg_config's includedir, which a private copy
        # of PostgreSQL may lack; Debian's libpq-dev has it.
        libpq=()
        [ -f "$("$PG_CONFIG" --includedir)/libpq-fe.h" ] || libpq=(libpq_srcdir=/usr/include/postgresql)
        make -j"${NPS_CITUS_JOBS:-2}" "${libpq[@]}" >make.log 2>&1 || { tail -40 make.log >&2; exit 1; }
    ) || die "build failed (logs in $cache)"
    touch "$cache/.built"
else
    log "cached build: $cache"
fi

pkglibdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)
if cmp -s "$cache/src/backend/distributed/citus.so" "$pkglibdir/citus.so" &&
   [ -f "$sharedir/extension/citus.control" ]; then
    log "already installed in $pkglibdir"
else
    log "make install into $pkglibdir"
    if [ -w "$pkglibdir" ] && [ -w "$sharedir/extension" ]; then
        make -C "$cache" install >"$cache/install.log" 2>&1 || { tail -20 "$cache/install.log" >&2; die "make install failed"; }
    else
        as_root make -C "$cache" install >"$cache/install.log" 2>&1 || { tail -20 "$cache/install.log" >&2; die "make install failed"; }
    fi
fi
echo "$cache"
