#!/usr/bin/env bash
# `finrec plan` on a large pool against the same selection problem solved by scipy's HiGHS: finrec
# reads, scores and chooses (a minimum-cost flow over each city group's best firms); the peer is
# handed every qualifying (programme, firm, value) that finrec streamed (--candidates) and solves
# the full linear programme (its optimum is integral). Both optima must agree.
# usage: Benchmarks/plan.sh [ROWS] [REPEATS]       (defaults: 1000000 3)
source "$(dirname "$0")/common.sh"
rows="${1:-1000000}"
repeats="${2:-3}"
file="$(pool_file "$rows")"
if ! "$python" -c "import scipy" 2>/dev/null; then "$here/.venv/bin/pip" install --quiet scipy==1.17.1; fi
out="$here/results/plan-$(date +%Y%m%d-%H%M%S).txt"
"$python" "$here/plan_peer.py" "$finrec" "$file" "$here/../Models/default-model.json" "$repeats" "$here/results" | tee "$out"
echo "results: $out" >&2
