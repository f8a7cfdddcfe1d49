#!/usr/bin/env bash
# Load on `finrec serve` over loopback, measured with wrk (Debian's package):
#   1. POST /v1/score, one applicant per request, at 1 and 64 connections, the audit log on
#      (WAL, synchronous FULL, group commit: a decision is on disk before its response leaves);
#   2. the floors, in the same run: GET /healthz on the same server (HTTP alone, no scoring, no
#      audit); the assessment alone (finrec-bench assess: the same calls as the route, no HTTP, no
#      audit, on 1 and 2 threads, with the split between reading + scoring + assessing and writing
#      the JSON document); and SQLite's rate of one-row commits with synchronous FULL on this disk
#      (the rate an audit log without group commit could not exceed).
# Also: the share of the cores wrk itself takes (its CPU time over the run), and the audit log's
# bytes per decision (results are stored deflated). Then checks that the audit log holds one row per
# decision wrk counted as answered, and times `finrec audit verify` recomputing its hash chain.
#   Benchmarks/serve.sh [SECONDS] [APPLICANT.json]     defaults: 10, Datasets/applicants/little-giant.json
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
body=${2:-Datasets/applicants/little-giant.json}
command -v wrk >/dev/null 2>&1 || { echo "serve.sh: installing wrk" >&2; apt-get install -y -qq wrk >/dev/null; }
bash .ci/setup >/dev/null
swift build -c release >/dev/null   # finrec and finrec-desk, which runs `finrec serve`
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
.build/release/finrec serve --port 0 --audit "$dir/audit.sqlite" 2>"$dir/log" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$dir/log" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o "http://127.0.0.1:[0-9]*" "$dir/log")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); applicant $body ($(stat -c %s "$body") bytes)"
answered=0
for connections in 1 64; do
    threads=$(( connections < 2 ? 1 : 2 ))
    out=$(BODY="$body" /usr/bin/time -f "%U %S" -o "$dir/wrk-cpu" wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s Benchmarks/wrk_post.lua "$url/v1/score")
    wrk_cores=$(awk -v s="$seconds" '{ printf "%.2f", ($1 + $2) / s }' "$dir/wrk-cpu")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}')
    answered=$((answered + n))
    echo "POST /v1/score  connections $connections: $rps scores/s, p50 $p50, p99 $p99 (wrk itself: $wrk_cores cores) ${errors:+($errors)}"
done
out=$(wrk -t2 -c64 -d"${seconds}s" --latency "$url/healthz")
echo "floor: GET /healthz  connections 64: $(echo "$out" | awk '/Requests\/sec/ {print $2}') requests/s, p50 $(echo "$out" | awk '$1 == "50%" {print $2}'), p99 $(echo "$out" | awk '$1 == "99%" {print $2}')"
python3 - "$dir/floor.sqlite" <<'PY'
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA synchronous=FULL")
con.execute("CREATE TABLE t (x TEXT)")
row = "x" * 30000
n, start = 0, time.time()
while time.time() - start < 3:
    con.execute("BEGIN"); con.execute("INSERT INTO t VALUES (?)", (row,)); con.execute("COMMIT"); n += 1
print(f"floor: SQLite one-row commits (30 KB row, WAL, synchronous FULL): {n / (time.time() - start):.0f} commits/s")
PY
kill "$pid"; wait "$pid" 2>/dev/null || true
# The assessment alone, with the server stopped: its rate is the most the route could answer.
"$(swift build -c release --show-bin-path)/finrec-bench" assess --file "$body" --spec Models/default-model.json --rows 3000 --repeats 1 --threads 2 2>/dev/null \
    | python3 -c '
import json, sys
profile = None
for line in sys.stdin:
    r = json.loads(line)
    if "per_second" in r:
        threads, rate = r["threads"], r["per_second"]
        print(f"floor: assessment alone (no HTTP, no audit), {threads} thread(s): {rate:.0f} scores/s")
    else:
        profile = r
assess, document, size = profile["read_score_assess_us"], profile["document_json_us"], profile["bytes"]
print(f"profile: one request on one thread {assess + document:.0f} µs = read, score and assess {assess:.0f} µs"
      f" + the JSON document ({size} bytes) {document:.0f} µs")
'
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from decisions').fetchone()[0])" "$dir/audit.sqlite")
echo "audit log: $rows decisions for $answered answered requests (wrk counts a request cut at its end as not answered); $(python3 -c "import sqlite3,sys; print(round(sqlite3.connect(sys.argv[1]).execute('select avg(length(CAST(result AS BLOB))) from decisions').fetchone()[0]))" "$dir/audit.sqlite") bytes of result per decision, files $(( $(du -cb "$dir"/audit.sqlite* | tail -1 | cut -f1) / rows )) bytes per decision"
start=$(date +%s.%N)
verify=$(.build/release/finrec audit verify --audit "$dir/audit.sqlite")
echo "audit verify: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s for $rows rows ($(( $(du -cb "$dir"/audit.sqlite* | tail -1 | cut -f1) >> 20 )) MiB): $verify"
