"""Joins finrec-bench and numpy results (JSON lines on stdin) into the ratio table."""
import json
import sys

rows = [json.loads(line) for line in sys.stdin if line.startswith("{")]

csv_rows = [r for r in rows if r.get("task") == "csv"]
if csv_rows:
    finrec_csv = next((r for r in csv_rows if r["impl"] == "finrec"), None)
    print(f"{'CSV reader (one core)':<24}{'seconds':>9}{'MB/s':>9}{'rows/s':>13}{'finrec speed vs it':>20}")
    for r in csv_rows:
        ratio = r["seconds"] / finrec_csv["seconds"] if finrec_csv else float("nan")
        print(f"{r['impl']:<24}{r['seconds']:>9.3f}{r['bytes'] / 1e6 / r['seconds']:>9.1f}{r['rows'] / r['seconds']:>13,.0f}"
              + (f"{ratio:>19.2f}x" if r["impl"] != "finrec" else ""))
    sys.exit(0)
finrec = {(r["d"], r["k"], r["precision"]): r for r in rows if r.get("impl") == "finrec"}
numpy = {(r["d"], r["k"], r["precision"]): r for r in rows if r.get("impl") == "numpy"}
print(f"{'shape (N x d x K)':<22}{'prec':<6}{'finrec rows/s':>16}{'numpy rows/s':>16}{'ratio':>8}{'f32 max|dz|':>14}")
for key in sorted(finrec):
    f, n = finrec[key], numpy.get(key)
    if n is None:
        continue
    d, k, precision = key
    shape = f"{f['n']:,} x {d} x {k}"
    ratio = n["seconds"] / f["seconds"]
    err = f.get("max_abs_logit_error_vs_f64")
    err_text = f"{err:.2e}" if err is not None else ""
    print(f"{shape:<22}{precision:<6}{f['n'] / f['seconds']:>16,.0f}{n['n'] / n['seconds']:>16,.0f}{ratio:>7.2f}x{err_text:>14}")
for r in rows:
    if "sweep" in r:
        print(f"sweep: {r['sweep']:<16} workers={r['workers']} openblas_threads={r['openblas_threads']} "
              f"block={r['block']:>8}: {r['seconds'] * 1000:7.1f} ms")
