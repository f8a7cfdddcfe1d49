#!/usr/bin/env bash
# The trainer against scikit-learn: K = 10 products on ROWS × 64 generated rows. scikit-learn fits
# the 10 products one after another (LogisticRegression, lbfgs, its default tolerance); FinRec fits
# all 10 together until each reaches scikit-learn's objective value. Same data, same run.
# usage: Benchmarks/train.sh [ROWS]       (default: 1000000)
source "$(dirname "$0")/common.sh"
rows="${1:-1000000}"
prefix="$here/results/train-$rows"
if [ ! -f "$prefix.y.f64" ]; then
    "$bench" train-data --rows "$rows" --file "$prefix" >&2
fi
out="$here/results/train-$(date +%Y%m%d-%H%M%S).jsonl"
{
    "$python" "$here/train_peer.py" "$prefix" "$prefix.targets.json"
    "$bench" train --file "$prefix" --targets "$prefix.targets.json" --threads 2
    "$bench" train --file "$prefix" --targets "$prefix.targets.json" --threads 1
} | tee "$out" | "$python" "$here/report.py"
echo "raw results: $out" >&2
