# shellcheck shell=bash
# test/bench/net_promoter_score.sh: benchmark fragment, sourced by
# test/bench/run.sh (its psql wrapper, bench_section, bench_case, bench_ratio,
# the tables bench and bench_window, and the window W).
#
# net_promoter_score returns the NPS alone, by value: the window executor
# copies a by-reference result (nps_agg's composite) for every row, not a
# double.  Targets: at most 1.05x count(score) on the whole table, at most
# 1.10x count(score) over the same rolling frame.  The count(score) cases
# are timed again here, side by side.

bench_section "net_promoter_score (by value), whole table and rolling window"
bench_case "count(score) [npv]" "SELECT count(score) FROM bench"
bench_case "net_promoter_score(score)" "SELECT nps.net_promoter_score(score) FROM bench"
bench_ratio "net_promoter_score(score)" "count(score) [npv]" "<= 1.05x"
bench_case "count(score) OVER w [npv]" "SELECT count(x) FROM (SELECT count(score) $W AS x FROM bench_window) s"
bench_case "net_promoter_score(score) OVER w" "SELECT count(x) FROM (SELECT nps.net_promoter_score(score) $W AS x FROM bench_window) s"
bench_case "nps_agg(score) OVER w [npv]" "SELECT count(x) FROM (SELECT nps.nps_agg(score) $W AS x FROM bench_window) s"
bench_ratio "net_promoter_score(score) OVER w" "count(score) OVER w [npv]" "<= 1.10x"
bench_ratio "nps_agg(score) OVER w [npv]" "count(score) OVER w [npv]"
