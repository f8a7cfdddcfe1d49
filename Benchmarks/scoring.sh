#!/usr/bin/env bash
# Scoring benchmark: FinRec's LinearScorer against numpy's X @ W.T + b, same shapes, same run.
# usage: Benchmarks/scoring.sh [ROWS] [REPEATS]       (defaults: 1000000 7)
# Creates Benchmarks/.venv with the Python peers from PyPI on first use.
source "$(dirname "$0")/common.sh"
rows="${1:-1000000}"
repeats="${2:-7}"
out="$here/results/scoring-$(date +%Y%m%d-%H%M%S).jsonl"
# Alternate the two implementations so that machine noise hits both alike.
{
    "$bench" scoring --rows "$rows" --repeats "$repeats"
    "$python" "$here/numpy_scoring.py" "$rows" "$repeats"
    "$bench" sweep --rows "$rows" --repeats "$repeats"
} | tee "$out" | "$python" "$here/report.py"
echo "raw results: $out" >&2
