#!/usr/bin/env bash
# test/run_demo.sh: build + install nps, start a throwaway PostgreSQL 15 cluster,
# create database nps_demo with the extension, then load the demo data and print the
# dashboards from test/demo/demo.sql, and draw PNG charts of them into docs/charts/
# (test/demo/charts.sh; README shows them). The cluster is removed on exit; exits non-zero
# if any step fails.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trap 'rc=$?; nps_cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

nps_ensure_deps
# the charts: gnuplot and a font with the Chinese names, installed when missing
# (grep -c reads all of fc-list's output: grep -q would stop early, and under
# pipefail fc-list's SIGPIPE made the font look missing)
if ! command -v gnuplot >/dev/null 2>&1 || [ "$(fc-list 2>/dev/null | grep -ci 'WenQuanYi Micro Hei')" = 0 ]; then
    nps_log "installing gnuplot-nox and fonts-wqy-microhei (for the charts)"
    nps_sudo apt-get update
    nps_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y gnuplot-nox fonts-wqy-microhei
fi
nps_build
nps_start_cluster
cd "$REPO"

createdb nps_demo
psql -X -q -v ON_ERROR_STOP=1 -d nps_demo -c 'CREATE EXTENSION nps'
if [ -f test/demo/demo.sql ]; then
    nps_log "running test/demo/demo.sql"
    psql -X -v ON_ERROR_STOP=1 -d nps_demo -f test/demo/demo.sql </dev/null
    nps_log "drawing the charts into docs/charts/"
    bash test/demo/charts.sh nps_demo "$REPO/docs/charts"
else
    nps_log "test/demo/demo.sql not found; extension created, nothing else to show"
fi
nps_log "demo finished OK"
