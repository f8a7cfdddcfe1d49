#!/usr/bin/env bash
# The scorecard toolkit against optbinning and scorecardpy, in one run:
#   1. German credit (1,000 applicants, shipped by scorecardpy): repeated 5-fold AUC (3 seeds) of
#      FinRec's binned logistic model, optbinning's BinningProcess + Scorecard and scorecardpy's
#      woebin + logistic regression, on the same folds;
#   2. binning ROWS × 64 (the trainer benchmark's matrix) against one label: optbinning's
#      BinningProcess (2 jobs) and FinRec's OptimalBinning (2 and 1 threads), same constraints.
# usage: Benchmarks/scorecard.sh [ROWS]       (default: 1000000)
source "$(dirname "$0")/common.sh"
rows="${1:-1000000}"
# Its own environment: scorecardpy 0.1.9 calls a pandas API that pandas 3 removed.
sc_python="$here/.venv-scorecard/bin/python"
if ! "$sc_python" -c "import optbinning, scorecardpy, sklearn" 2>/dev/null; then
    python3 -m venv "$here/.venv-scorecard"
    "$here/.venv-scorecard/bin/pip" install --quiet --upgrade pip
    "$here/.venv-scorecard/bin/pip" install --quiet optbinning scorecardpy "pandas<3" scikit-learn
fi
prefix="$here/results/train-$rows"
if [ ! -f "$prefix.y.f64" ]; then
    "$bench" train-data --rows "$rows" --file "$prefix" >&2
fi
out="$here/results/scorecard-$(date +%Y%m%d-%H%M%S).jsonl"
{
    "$sc_python" "$here/german_credit.py" "$finrec" "$here/results/german-credit" 2>/dev/null
    "$sc_python" "$here/binning_peer.py" "$prefix"
    "$bench" binning --file "$prefix" --threads 2
    "$bench" binning --file "$prefix" --threads 1
} | tee "$out" | "$sc_python" "$here/scorecard_report.py"
echo "raw results: $out" >&2
