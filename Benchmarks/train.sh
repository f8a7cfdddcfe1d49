#!/usr/bin/env bash
# The trainer against scikit-learn: K = 10 products on ROWS × 64 generated rows. scikit-learn fits
# the 10 products one after another (LogisticRegression, lbfgs, its default tolerance); FinRec fits
# all 10 together, with Newton (the default) and with L-BFGS, until each reaches scikit-learn's
# objective value, then with each solver to its own stopping rule (Newton: step ≤ 1e-10 of the
# largest coefficient; L-BFGS: gradient ≤ 1e-6 of its start). Same data, same run.
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
    # To scikit-learn's objective values (time to the same fit), then to each solver's own stop.
    "$bench" train --file "$prefix" --targets "$prefix.targets.json" --threads 2 --solver newton
    "$bench" train --file "$prefix" --targets "$prefix.targets.json" --threads 2 --solver lbfgs
    "$bench" train --file "$prefix" --targets "$prefix.targets.json" --threads 1 --solver newton
    "$bench" train --file "$prefix" --threads 2 --solver newton
    "$bench" train --file "$prefix" --threads 2 --solver lbfgs
} | tee "$out" | "$python" "$here/report.py"
echo "raw results: $out" >&2
