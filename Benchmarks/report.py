"""Joins finrec-bench and numpy results (JSON lines on stdin) into the ratio table."""
import json
import sys

rows = [json.loads(line) for line in sys.stdin if line.startswith("{")]

train_rows = [r for r in rows if r.get("task") == "train"]
if train_rows:
    sk = next(r for r in train_rows if r["impl"] == "scikit-learn")
    print(f"training, {sk['rows']:,} rows x 64 features x {len(sk['auc'])} products")
    finrec_rows = [r for r in train_rows if r["impl"].startswith("finrec")]
    width = max(len(r["impl"]) for r in finrec_rows) + 16 if finrec_rows else 26
    print(f"{'':<{width}}{'seconds':>9}{'speed vs scikit-learn':>23}{'max |dAUC|':>12}{'max rel. objective gap':>24}")
    print(f"{'scikit-learn (10 fits)':<{width}}{sk['seconds']:>9.2f}")
    for r in finrec_rows:
        dauc = max(abs(a - b) for a, b in zip(r["auc"], sk["auc"]))
        gap = max((a - b) / abs(b) for a, b in zip(r["objectives"], sk["objectives"]))
        name = f"{r['impl']}, {r['threads']} thread(s)"
        print(f"{name:<{width}}{r['seconds']:>9.2f}{sk['seconds'] / r['seconds']:>22.2f}x{dauc:>12.1e}{gap:>24.1e}")
    print("iterations: scikit-learn " + " ".join(map(str, sk["iterations"])))
    for r in finrec_rows:
        print(f"            {r['impl']} ({r['threads']}) " + " ".join(map(str, r["iterations"])))
    sys.exit(0)

feature_rows = {r["impl"]: r for r in rows if r.get("task") == "features"}
if feature_rows:
    f, p = feature_rows.get("finrec"), feature_rows.get("pandas")
    print(f"{'feature extraction (one core)':<32}{'seconds':>9}{'rows/s':>14}")
    for r in (f, p):
        if r:
            print(f"{r['impl'] + ' (' + str(r['columns']) + ' columns)':<32}{r['seconds']:>9.3f}{r['rows'] / r['seconds']:>14,.0f}")
    if f and p:
        print(f"finrec speed relative to pandas: {p['seconds'] / f['seconds']:.2f}x")
        worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(f["column_sums"], p["column_sums"]))
        print(f"largest relative difference of the column sums: {worst:.2e}"
              + ("  (same matrix)" if worst < 1e-6 else "  MISMATCH: the two implementations disagree"))
    for r in rows:
        if r.get("task") == "eligibility":
            print(f"eligibility, {r['offers']} offers: {r['seconds']:.3f} s, {r['rows'] / r['seconds']:,.0f} rows/s ({r['passes']:,} passes)")
    sys.exit(0)

csv_rows = [r for r in rows if r.get("task") == "csv"]
if csv_rows:
    floors = [r for r in rows if r.get("impl") == "floor"]
    for r in floors:
        print(f"floor {r['task']:<18}{r['seconds']:>9.3f} s{r['bytes'] / 1e6 / r['seconds']:>9.0f} MB/s"
              + (f"  ({r['delimiters']:,} delimiters)" if r.get("delimiters") else ""))
    scan = next((r for r in floors if r["task"] == "read+scan"), None)
    finrec_csv = next((r for r in csv_rows if r["impl"] == "finrec"), None)
    check = next((r for r in csv_rows if r["impl"] == "finrec check"), None)
    print(f"{'CSV reader (one core)':<24}{'seconds':>9}{'MB/s':>9}{'rows/s':>13}{'check vs it':>13}{'x floor':>9}")
    for r in csv_rows:
        ratio = r["seconds"] / check["seconds"] if check else float("nan")
        floor = r["seconds"] / scan["seconds"] if scan else float("nan")
        print(f"{r['impl']:<24}{r['seconds']:>9.3f}{r['bytes'] / 1e6 / r['seconds']:>9.1f}{r['rows'] / r['seconds']:>13,.0f}"
              + (f"{ratio:>12.2f}x" if r is not check else f"{'':>13}") + f"{floor:>8.1f}x")
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
