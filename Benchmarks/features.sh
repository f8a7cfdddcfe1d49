#!/usr/bin/env bash
# Feature extraction of the default spec (Models/features.json) against the same features in
# pandas/numpy, and eligibility of all ten offers (Models/catalog.json), on one core.
# usage: Benchmarks/features.sh [ROWS] [REPEATS]       (defaults: 1000000 5)
source "$(dirname "$0")/common.sh"
rows="${1:-1000000}"
repeats="${2:-5}"
file="$(pool_file "$rows")"
out="$here/results/features-$(date +%Y%m%d-%H%M%S).jsonl"
{
    "$bench" features --file "$file" --spec "$here/../Models/features.json" --catalog "$here/../Models/catalog.json" --repeats "$repeats"
    "$python" "$here/features_peer.py" "$file" "$repeats"
} | tee "$out" | "$python" "$here/report.py"
echo "raw results: $out" >&2
