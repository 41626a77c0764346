#!/usr/bin/env bash
# test/demo/charts.sh DB OUTDIR: PNG charts of the demo database (after
# test/demo/demo.sql), drawn by gnuplot from the *_at functions at the demo's
# fixed as_of, so the pictures are the same on every run:
#   stage_nps.png       NPS per stage with its 95% interval, and the journey NPS
#   reason_pareto.png   reasons of detractors: bars and the cumulative share
#   action_effect.png   the improvement action's metric before and after, with intervals
#   metric_trend.png    配送 NPS week by week: value, 95% interval band, target, alert line
# Called by test/run_demo.sh (PGHOST/PGPORT/PGUSER of its cluster); README shows
# the images committed in docs/charts/.  Needs gnuplot (Debian gnuplot-nox) and a
# CJK font (fonts-wqy-microhei) for the Chinese labels.
set -euo pipefail
db=$1
out=$2
as_of="timestamptz '2026-11-20 12:00+08'"
work=$(mktemp -d /tmp/nps_charts.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
data() { psql -X -q -At -F $'\t' -v ON_ERROR_STOP=1 -d "$db" -c "$1" > "$work/$2"; }
font='WenQuanYi Micro Hei,11'

# ---- stage NPS with 95% error bars (touchpoint_nps_at)
data "SELECT stage_order, touchpoint_name || ' (' || touchpoint || ')', nps, ci_low, ci_high, journey_nps
        FROM nps.touchpoint_nps_at($as_of, '30 days') ORDER BY stage_order" stage_nps.tsv
journey_nps=$(awk -F"\t" 'NR == 1 { print $6 }' "$work/stage_nps.tsv")   # not cut | head: SIGPIPE under pipefail
gnuplot <<GP
set terminal pngcairo size 800,450 font "$font"
set output "$out/stage_nps.png"
set datafile separator "\t"
set title "NPS by stage, 30 days to 2026-11-20 12:00 +08 (95% adjusted-Wald interval)"
set ylabel "NPS (points)"
set yrange [-20:70]
set xrange [0.4:5.6]
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.6
set key top right
plot "$work/stage_nps.tsv" using 1:3:xtic(2) with boxes lc rgb "#4a7ab5" title "stage NPS", \
     "" using 1:3:4:5 with yerrorbars lc rgb "black" pt 7 ps 0.5 title "95% interval", \
     $journey_nps with lines dt 2 lw 2 lc rgb "#c0392b" title sprintf("journey NPS %.1f", $journey_nps)
GP

# ---- reason Pareto, all stages (detractor_reasons_at)
data "SELECT rank, reason, detractors, 100 * cumulative_share
        FROM nps.detractor_reasons_at($as_of, '30 days') WHERE scope = 'all' ORDER BY rank" reason_pareto.tsv
gnuplot <<GP
set terminal pngcairo size 800,450 font "$font"
set output "$out/reason_pareto.png"
set datafile separator "\t"
set title "Why detractors are unhappy: reasons ranked (Pareto), 30 days, all stages"
set ylabel "detractors citing the reason"
set y2label "cumulative share of citations (%)"
set y2range [0:105]
set yrange [0:*]
set ytics nomirror
set y2tics 0,20,100
set grid y2tics
set xtics rotate by -30
set style fill solid 0.6 border -1
set boxwidth 0.7
set key center right
plot "$work/reason_pareto.tsv" using 1:3:xtic(2) with boxes lc rgb "#4a7ab5" title "detractors", \
     "" using 1:4 axes x1y2 with linespoints lw 2 pt 7 lc rgb "#c0392b" title "cumulative %", \
     80 axes x1y2 with lines dt 2 lc rgb "gray" title "80%"
GP

# ---- the improvement action before and after (action_effect_at)
data "SELECT 1, 'before: ' || to_char(previous_window_start, 'MM-DD') || ' .. ' || to_char(previous_window_end, 'MM-DD'),
             previous_window_value, previous_window_ci_low, previous_window_ci_high,
             title || ' at ' || coalesce(touchpoint, 'journey') || ' ' || metric || ': ' || verdict
               || ' (p = ' || round(change_p_value::numeric, 2) || ')'
        FROM nps.action_effect_at($as_of, '30 days', 30) WHERE started_at IS NOT NULL
       UNION ALL
      SELECT 2, 'after: ' || to_char(window_start, 'MM-DD') || ' .. ' || to_char(window_end, 'MM-DD'),
             value, ci_low, ci_high, NULL
        FROM nps.action_effect_at($as_of, '30 days', 30) WHERE started_at IS NOT NULL
       ORDER BY 1 LIMIT 2" action_effect.tsv
title=$(head -1 "$work/action_effect.tsv" | cut -f6)
gnuplot <<GP
set terminal pngcairo size 640,420 font "$font" noenhanced
set output "$out/action_effect.png"
set datafile separator "\t"
set title "$title"
set ylabel "NPS (points)"
set xrange [0.4:2.6]
set yrange [-20:10]
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.5
set key bottom right
plot "$work/action_effect.tsv" using 1:3:xtic(2) with boxes lc rgb "#4a7ab5" title "NPS", \
     "" using 1:3:4:5 with yerrorbars lc rgb "black" pt 7 ps 0.5 title "95% interval"
GP
# ---- a metric trend with its interval band, target and alert line (metric_trend_at):
# 配送 (delivery) NPS over the 8 weeks to the demo's as_of (the demo's data starts
# in late September, so these are the full weeks)
data "SELECT bucket_number, to_char(window_end AT TIME ZONE 'Asia/Shanghai', 'MM-DD'), value, ci_low, ci_high,
             target, alert_line, status
        FROM nps.metric_trend_at($as_of, '7 days', 8, 30)
       WHERE metric = 'nps' AND touchpoint = 'delivery' ORDER BY bucket_number" metric_trend.tsv
target=$(head -1 "$work/metric_trend.tsv" | cut -f6)
alert_line=$(head -1 "$work/metric_trend.tsv" | cut -f7)
gnuplot <<GP
set terminal pngcairo size 800,450 font "$font"
set output "$out/metric_trend.png"
set datafile separator "\t"
set title "配送 (delivery) NPS by week to 2026-11-20 12:00 +08, with its 95% interval"
set ylabel "NPS (points)"
set xlabel "week ending"
set xrange [0.6:8.4]
set yrange [-20:50]
set grid ytics
set key bottom left
plot "$work/metric_trend.tsv" using 1:4:5 with filledcurves lc rgb "#a8c4e6" title "95% interval", \
     "" using 1:3:xtic(2) with linespoints lw 2 pt 7 lc rgb "#1f4e8c" title "NPS", \
     $target with lines dt 2 lw 2 lc rgb "#2e8b57" title sprintf("target %g", $target), \
     $alert_line with lines dt 2 lw 2 lc rgb "#c0392b" title sprintf("alert line %g (red: whole interval below)", $alert_line)
GP
echo "charts: $(cd "$out" && ls *.png | tr '\n' ' ')"
