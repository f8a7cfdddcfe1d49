#!/usr/bin/env bash
# Scoring benchmark: FinRec's LinearScorer against numpy's X @ W.T + b, same shapes, same run.
# usage: Benchmarks/run.sh [ROWS] [REPEATS]       (defaults: 1000000 7)
# Creates Benchmarks/.venv with numpy and threadpoolctl from PyPI on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rows="${1:-1000000}"
repeats="${2:-7}"
bash "$here/../.ci/setup"

if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install --quiet --upgrade pip
    "$here/.venv/bin/pip" install --quiet numpy threadpoolctl
fi

(cd "$here" && swift build -c release --product finrec-bench >&2)
bench="$(cd "$here" && swift build -c release --show-bin-path)/finrec-bench"

mkdir -p "$here/results"
out="$here/results/scoring-$(date +%Y%m%d-%H%M%S).jsonl"
# Alternate the two implementations so that machine noise hits both alike.
{
    "$bench" scoring --rows "$rows" --repeats "$repeats"
    "$here/.venv/bin/python" "$here/numpy_scoring.py" "$rows" "$repeats"
    "$bench" sweep --rows "$rows" --repeats "$repeats"
} | tee "$out" | "$here/.venv/bin/python" "$here/report.py"
echo "raw results: $out" >&2
