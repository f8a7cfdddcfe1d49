"""Runs `finrec rank`, the pandas + numpy peer (rank_peer.py) and the DuckDB peer (rank_duckdb.py:
the query `finrec export --format sql` writes, plus a top K per offer) on the same pool in the same
run, checks that all give the same top lists, and reports wall time, peak memory and the ratios.
Then times `finrec score` on one applicant, process start to exit, over many runs.

usage: rank_bench.py FINREC POOL.csv MODEL.json TOP REPEATS SCORE_RUNS APPLICANT OUTDIR
"""
import csv
import json
import os
import resource
import subprocess
import sys
import time

finrec, pool, model, top, repeats, score_runs, applicant, outdir = sys.argv[1:9]
top, repeats, score_runs = int(top), int(repeats), int(score_runs)
here = os.path.dirname(os.path.abspath(__file__))


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


# finrec first: RUSAGE_CHILDREN's peak is the largest child so far, so the peer must come after.
finrec_out = os.path.join(outdir, "rank-finrec.csv")
finrec_times = []
for _ in range(repeats):
    start = time.perf_counter()
    subprocess.run([finrec, "rank", "--model", model, "--input", pool, "--top", str(top), "--output", finrec_out,
                    "--force", "--quiet"], check=True)
    finrec_times.append(time.perf_counter() - start)
finrec_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

def run_peer(script, *arguments):
    """Runs a peer script REPEATS times; the median of its in-process seconds, its largest peak and its last report."""
    reports = []
    for _ in range(repeats):
        result = subprocess.run([sys.executable, os.path.join(here, script), *arguments], check=True, capture_output=True, text=True)
        reports.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return median([r["seconds"] for r in reports]), max(r["peak_mb"] for r in reports), reports[-1]


peer_out = os.path.join(outdir, "rank-peer.csv")
peer_seconds, peer_peak, peer_report = run_peer("rank_peer.py", pool, model, peer_out, str(top))

# DuckDB running FinRec's exported query (an independent engine evaluating features, scores, rules).
export = os.path.join(outdir, "rank-export.sql")
subprocess.run([finrec, "export", "--model", model, "--format", "sql", "--dialect", "duckdb", "--as-of", "2026-06-30", "--output", export],
               check=True)
duck_out = os.path.join(outdir, "rank-duckdb.csv")
duck_seconds, duck_peak, duck_report = run_peer("rank_duckdb.py", pool, export, duck_out, str(top))


def lists(path):
    out = {}
    for r in csv.DictReader(open(path, encoding="utf-8")):
        out.setdefault((r["offer_id"], r["group"]), []).append((r["enterprise_id"], float(r["probability"])))
    return out


def agreement(a, b):
    """Top lists with the same enterprises in the same order, of all lists; largest probability gap."""
    same = sum(1 for k in set(a) | set(b) if [e for e, _ in a.get(k, [])] == [e for e, _ in b.get(k, [])])
    dp = max((abs(x[1] - y[1]) for k in a if k in b for x, y in zip(a[k], b[k])), default=0.0)
    return same, len(set(a) | set(b)), dp


a, b, d = lists(finrec_out), lists(peer_out), lists(duck_out)
same, total, dp = agreement(a, b)
duck_same, duck_total, duck_dp = agreement(a, d)
rows = peer_report["rows"]
print(f"rank, {rows:,} enterprises, top {top} per offer (median of {repeats})")
print(f"  finrec rank        {median(finrec_times):8.2f} s  {rows / median(finrec_times):>12,.0f} rows/s  peak {finrec_peak:7.0f} MB  (process, start to exit)")
print(f"  pandas+numpy       {peer_seconds:8.2f} s  {rows / peer_seconds:>12,.0f} rows/s  peak {peer_peak:7.0f} MB  (in-process, imports not timed)")
print(f"  duckdb (exported)  {duck_seconds:8.2f} s  {rows / duck_seconds:>12,.0f} rows/s  peak {duck_peak:7.0f} MB  (in-process, {duck_report['threads']} threads, imports not timed)")
print(f"  finrec speed relative to the pipeline: {peer_seconds / median(finrec_times):.2f}x; to DuckDB: {duck_seconds / median(finrec_times):.2f}x")
print(f"  top lists identical to the pipeline's: {same} of {total}; largest probability difference {dp:.1e}")
print(f"  top lists identical to DuckDB's: {duck_same} of {duck_total}; largest probability difference {duck_dp:.1e}")

latencies = []
for _ in range(score_runs):
    start = time.perf_counter()
    subprocess.run([finrec, "score", "--model", model, applicant], check=True, stdout=subprocess.DEVNULL)
    latencies.append((time.perf_counter() - start) * 1000)
latencies.sort()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(f"finrec score, one applicant, process start to exit, {score_runs} runs: p50 {p(0.5):.1f} ms, p90 {p(0.9):.1f} ms, "
      f"p99 {p(0.99):.1f} ms, max {latencies[-1]:.1f} ms")
