#!/usr/bin/env bash
# End to end: `finrec rank` against a pandas + numpy pipeline doing the same work (read the CSV,
# the same features, linear scores and eligibility, top-K per offer), timed in the same run;
# then `finrec score` latency on one applicant.
# usage: Benchmarks/rank.sh [ROWS] [REPEATS] [SCORE_RUNS]       (defaults: 1000000 3 200)
source "$(dirname "$0")/common.sh"
rows="${1:-1000000}"
repeats="${2:-3}"
score_runs="${3:-200}"
file="$(pool_file "$rows")"
out="$here/results/rank-$(date +%Y%m%d-%H%M%S).txt"
"$python" "$here/rank_bench.py" "$finrec" "$file" "$here/../Models/default-model.json" 100 "$repeats" "$score_runs" \
    "$here/../Datasets/applicants/little-giant.json" "$here/results" | tee "$out"
echo "results: $out" >&2
