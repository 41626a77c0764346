# shellcheck shell=bash
# test/bench/csat.sh: benchmark fragment, sourced by test/bench/run.sh (uses
# its psql wrapper, bench_section, bench_case, bench_ratio and the tables
# bench (csat smallint 1..5, hit boolean) and bench_window).
#
# csat_agg and rate_agg against the scan floor, count(col), and against the
# SQL people write today.  Targets: at most 1.10x count(col), and faster than
# the SQL idiom (which does less: no standard error, no interval).

bench_section "csat_agg, whole table"
bench_case "count(csat)" "SELECT count(csat) FROM bench"
bench_case "csat_agg(csat)" "SELECT nps.csat_agg(csat) FROM bench"
bench_case "CSAT SQL idiom (FILTER + avg)" "SELECT 100.0 * count(*) FILTER (WHERE csat >= 4) / count(csat), avg(csat) FROM bench"
bench_ratio "csat_agg(csat)" "count(csat)" "<= 1.10x"
bench_ratio "CSAT SQL idiom (FILTER + avg)" "count(csat)"
bench_ratio "csat_agg(csat)" "CSAT SQL idiom (FILTER + avg)" "< 1x"

bench_section "csat_agg, GROUP BY touchpoint, segment"
bench_case "count(csat) GROUP BY" "SELECT touchpoint, segment, count(csat) FROM bench GROUP BY 1, 2"
bench_case "csat_agg(csat) GROUP BY" "SELECT touchpoint, segment, nps.csat_agg(csat) FROM bench GROUP BY 1, 2"
bench_case "CSAT SQL idiom GROUP BY" "SELECT touchpoint, segment, 100.0 * count(*) FILTER (WHERE csat >= 4) / count(csat), avg(csat) FROM bench GROUP BY 1, 2"
bench_ratio "csat_agg(csat) GROUP BY" "count(csat) GROUP BY" "<= 1.10x"
bench_ratio "csat_agg(csat) GROUP BY" "CSAT SQL idiom GROUP BY" "< 1x"

bench_section "rate_agg, whole table"
bench_case "count(hit)" "SELECT count(hit) FROM bench"
bench_case "rate_agg(hit)" "SELECT nps.rate_agg(hit) FROM bench"
bench_case "rate SQL idiom (FILTER)" "SELECT 100.0 * count(*) FILTER (WHERE hit) / count(hit) FROM bench"
bench_ratio "rate_agg(hit)" "count(hit)" "<= 1.10x"
bench_ratio "rate SQL idiom (FILTER)" "count(hit)"
bench_ratio "rate_agg(hit)" "rate SQL idiom (FILTER)" "< 1x"

bench_section "csat_agg and rate_agg, rolling window ROWS BETWEEN 999 PRECEDING AND CURRENT ROW"
CW="OVER (ORDER BY at ROWS BETWEEN 999 PRECEDING AND CURRENT ROW)"
bench_case "count(csat) OVER w" "SELECT count(x) FROM (SELECT count(csat) $CW AS x FROM bench_window) s"
bench_case "csat_agg(csat) OVER w" "SELECT count(x) FROM (SELECT nps.csat_agg(csat) $CW AS x FROM bench_window) s"
bench_case "CSAT SQL idiom OVER w (3 window aggregates)" "SELECT count(x) FROM (SELECT 100.0 * count(*) FILTER (WHERE csat >= 4) $CW / count(csat) $CW + avg(csat) $CW AS x FROM bench_window) s"
bench_case "rate_agg(hit) OVER w" "SELECT count(x) FROM (SELECT nps.rate_agg(hit) $CW AS x FROM bench_window) s"
bench_ratio "csat_agg(csat) OVER w" "count(csat) OVER w"
bench_ratio "csat_agg(csat) OVER w" "CSAT SQL idiom OVER w (3 window aggregates)" "< 1x"
bench_ratio "rate_agg(hit) OVER w" "count(csat) OVER w"
