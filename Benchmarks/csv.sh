#!/usr/bin/env bash
# CSV parse throughput: FinRec's enterprise reader (full validation; in-process and as `finrec
# check`) against pandas.read_csv (C engine) and pyarrow.csv.read_csv, all on one core, on the same
# generated file, in the same run; and the floor: a plain read and a read with a delimiter scan.
# usage: Benchmarks/csv.sh [ROWS] [REPEATS]       (defaults: 1000000 5)
source "$(dirname "$0")/common.sh"
rows="${1:-1000000}"
repeats="${2:-5}"
file="$(pool_file "$rows")"
out="$here/results/csv-$(date +%Y%m%d-%H%M%S).jsonl"
{
    "$bench" floor --file "$file" --repeats "$repeats"
    "$bench" csv --file "$file" --repeats "$repeats"
    "$python" "$here/csv_peers.py" "$file" "$repeats" "$finrec"
} | tee "$out" | "$python" "$here/report.py"
echo "raw results: $out" >&2
