#!/usr/bin/env bash
# Beyond one machine: rank a pool of ROWS enterprises (default 10,000,000) with FinRec's exported
# SQL on Spark (local[2] here; a cluster's master as MASTER) and with `finrec rank`, compare the
# top lists, and report both times. Needs Java 17 (.ci/setup --tests installs it).
# usage: Benchmarks/spark_rank.sh [ROWS] [TOP] [MASTER]        (defaults: 10000000 100 local[2])
source "$(dirname "$0")/common.sh"
rows="${1:-10000000}"
top="${2:-100}"
master="${3:-local[2]}"
if ! "$python" -c "import pyspark" 2>/dev/null; then
    "$here/.venv/bin/pip" install --quiet pyspark==4.3.0
fi
file="$(pool_file "$rows")"
out="$here/results/spark-rank-$(date +%Y%m%d-%H%M%S).txt"
export_sql="$here/results/spark-export.sql"
"$finrec" export --format sql --dialect spark --as-of 2026-06-30 --output "$export_sql"

start=$(date +%s.%N)
"$finrec" rank --input "$file" --top "$top" --output "$here/results/spark-finrec.csv" --force --quiet
finrec_seconds=$(echo "$(date +%s.%N) - $start" | bc)
spark_json=$("$python" "$here/spark_rank.py" "$file" "$export_sql" "$here/results/spark-top.csv" "$top" "$master" 2>/dev/null | tail -1)
"$python" - "$here/results/spark-finrec.csv" "$here/results/spark-top.csv" "$rows" "$finrec_seconds" "$spark_json" "$top" <<'PY' | tee "$out"
import csv, json, sys
finrec_csv, spark_csv, rows, finrec_seconds, spark, top = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), json.loads(sys.argv[5]), sys.argv[6]
def lists(path):
    out = {}
    for r in csv.DictReader(open(path, encoding="utf-8")):
        out.setdefault((r["offer_id"], r["group"]), []).append((r["enterprise_id"], float(r["probability"])))
    return out
a, b = lists(finrec_csv), lists(spark_csv)
keys = set(a) | set(b)
same = sum(1 for k in keys if [e for e, _ in a.get(k, [])] == [e for e, _ in b.get(k, [])])
dp = max((abs(x[1] - y[1]) for k in a if k in b for x, y in zip(a[k], b[k])), default=0.0)
print(f"rank {rows:,} enterprises, top {top} per offer and group")
print(f"  finrec rank (process, start to exit)   {finrec_seconds:8.1f} s  {rows / finrec_seconds:>12,.0f} rows/s")
print(f"  Spark {spark['master']} exported SQL + top K  {spark['seconds']:8.1f} s  {rows / spark['seconds']:>12,.0f} rows/s  "
      f"(JVM start {spark['jvm_seconds']:.1f} s apart; {spark['partitions']} input partitions)")
print(f"  finrec relative to Spark: {spark['seconds'] / finrec_seconds:.1f}x")
print(f"  top lists identical: {same} of {len(keys)}; largest probability difference {dp:.1e}")
PY
echo "results: $out" >&2
