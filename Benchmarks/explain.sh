#!/usr/bin/env bash
# Explanations at pool scale, timed in one run on the same pool:
#   1. `finrec score POOL --format csv` (every offer ranked, with reasons, reason codes, gaps,
#      paths, costs: what an officer reads) streamed to a pipe: firms/s, output bytes, peak memory;
#   2. its floors: `--format rows` (the same scoring and eligibility, no explanations) and writing
#      the same number of bytes through the same pipe (dd from /dev/zero);
#   3. `finrec rank --top 100` with and without `--near-miss 100` (the near-misses' gaps).
#   Benchmarks/explain.sh [ROWS] [REPEATS]      defaults: 1000000 3
source "$(dirname "$0")/common.sh"
rows="${1:-1000000}"
repeats="${2:-3}"
file="$(pool_file "$rows")"
out="$here/results/explain-$(date +%Y%m%d-%H%M%S).txt"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
{
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); pool $file ($rows firms, $(stat -c %s "$file") bytes)"
# run LABEL COMMAND...: wall seconds, peak resident memory and bytes written to the pipe.
run() {
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" | wc -c > "$tmp/bytes"
    read -r wall rss < "$tmp/time"
    local bytes; bytes=$(cat "$tmp/bytes")
    echo "$label: $wall s, $(awk -v n="$rows" -v t="$wall" 'BEGIN { printf "%.0f", n / t }') firms/s, $(( bytes / 1000000 )) MB written, peak memory $(( rss / 1024 )) MiB"
    echo "$wall $bytes" > "$tmp/last"
}
run "score --format csv (2 threads)" "$finrec" score "$file" --format csv --threads 2
read -r _ csv_bytes < "$tmp/last"
run "floor: score --format rows (2 threads)" "$finrec" score "$file" --format rows --threads 2
blocks=$(( csv_bytes / 1048576 + 1 ))
start=$(date +%s.%N); dd if=/dev/zero bs=1M count="$blocks" status=none | wc -c > /dev/null; end=$(date +%s.%N)
echo "floor: $blocks MiB through the same pipe (dd | wc -c): $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s"
best() { sort -n | head -1; }
for near in "" "--near-miss 100"; do
    for _ in $(seq "$repeats"); do
        rm -f "$tmp/rank.csv"
        /usr/bin/time -f "%e" -o "$tmp/t" "$finrec" rank --input "$file" --output "$tmp/rank.csv" --top 100 $near --quiet
        cat "$tmp/t"
    done | best > "$tmp/rank${near:+-near}"
done
plain=$(cat "$tmp/rank"); near=$(cat "$tmp/rank-near")
echo "rank --top 100: $plain s; with --near-miss 100: $near s; ratio $(awk -v a="$plain" -v b="$near" 'BEGIN { printf "%.2f", b / a }') (best of $repeats)"
} | tee "$out"
echo "results: $out" >&2
