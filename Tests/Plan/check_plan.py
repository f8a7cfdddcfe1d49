"""Checks a `finrec plan` result against an independent solution: the same selection problem as a
linear programme solved by scipy's HiGHS (the constraint matrix is totally unimodular, so the LP
optimum is the integer optimum), and each target's forecast against 10^6 Monte Carlo draws.

The candidates' values come from `finrec rank` JSON outputs, not from `finrec plan`:
  --programme ID:rank.json   one per programme, in the plan's order: for a probability programme a
                             rank of its offers (all eligible firms listed, its where applied); for a
                             gap programme a rank with --near-miss covering every firm (its where applied)
  --target ID:rank.json      per target: a rank of its offers listing every eligible firm

usage: check_plan.py PLAN.json RESULT.json [--programme ID:FILE]... [--target ID:FILE]...
Prints one JSON object with the figures; run by the Swift tests with the .venv of .ci/setup."""
import json
import sys

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

plan = json.load(open(sys.argv[1], encoding="utf-8"))
result = json.load(open(sys.argv[2], encoding="utf-8"))
inputs = {"programme": {}, "target": {}}
args = sys.argv[3:]
for flag, value in zip(args[::2], args[1::2]):
    ident, path = value.split(":", 1)
    inputs[flag.lstrip("-")][ident] = json.load(open(path, encoding="utf-8"))

# Candidates: (programme index, enterprise id, city, value).
candidates = []
for j, p in enumerate(plan["programmes"]):
    rank = inputs["programme"][p["id"]]
    by = p.get("by", "probability")
    statuses = set(p.get("status", ["eligible"]))
    best = {}
    for offer in rank["offers"]:
        if offer["id"] not in p["offers"]:
            continue
        if by == "probability":
            lists = offer["eligible"] + (offer["unknown"] if "unknown" in statuses else [])
            for e in lists:
                key = e["enterprise_id"]
                if key not in best or e["probability"] > best[key][1]:
                    best[key] = (e["city"], e["probability"])
        else:
            for m in offer["near_miss"]:
                key = m["enterprise_id"]
                if key not in best or m["gap_distance"] < best[key][1]:
                    best[key] = (m["city"], m["gap_distance"])
    if by == "gap":
        # A firm eligible for one of the offers is not in a gap programme.
        eligible = {e["enterprise_id"] for o in rank["offers"] if o["id"] in p["offers"] for e in o["eligible"]}
        best = {k: v for k, v in best.items() if k not in eligible}
    for key, (city, value) in best.items():
        candidates.append((j, key, city, value))

n = len(candidates)
firms = sorted({c[1] for c in candidates})
firm_index = {f: i for i, f in enumerate(firms)}
# Minimise: -probability for probability programmes, +gap for gap programmes.
cost = np.array([-v if plan["programmes"][j].get("by", "probability") == "probability" else v for j, _, _, v in candidates])
eq_rows, eq_cols, b_eq = [], [], []
ub_rows, ub_cols, ub_vals, b_ub = [], [], [], []
row = 0
for j, p in enumerate(plan["programmes"]):
    members = [i for i, c in enumerate(candidates) if c[0] == j]
    eq_rows += [j] * len(members)
    eq_cols += members
    b_eq.append(p["capacity"])
    for city, quota in p.get("cities", {}).items():
        in_city = [i for i in members if candidates[i][2] == city]
        if "min" in quota:  # -sum <= -min
            ub_rows += [row] * len(in_city); ub_cols += in_city; ub_vals += [-1.0] * len(in_city); b_ub.append(-quota["min"]); row += 1
        if "max" in quota:
            ub_rows += [row] * len(in_city); ub_cols += in_city; ub_vals += [1.0] * len(in_city); b_ub.append(quota["max"]); row += 1
limit = plan.get("max_programmes_per_firm", 1)
for i, c in enumerate(candidates):
    ub_rows.append(row + firm_index[c[1]]); ub_cols.append(i); ub_vals.append(1.0)
b_ub += [limit] * len(firms)
a_eq = coo_matrix(([1.0] * len(eq_cols), (eq_rows, eq_cols)), shape=(len(plan["programmes"]), n)).tocsr()
a_ub = coo_matrix((ub_vals, (ub_rows, ub_cols)), shape=(row + len(firms), n)).tocsr()
lp = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, 1), method="highs",
             options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
x = lp.x
integral = float(np.max(np.minimum(np.abs(x), np.abs(1 - x))))
out = {"status": lp.status, "candidates": n, "highs_objective": float(-lp.fun), "finrec_objective": result["objective"],
       "lp_integrality_gap": integral, "programmes": {}}
for j, p in enumerate(plan["programmes"]):
    members = [i for i, c in enumerate(candidates) if c[0] == j]
    out["programmes"][p["id"]] = {"candidates": len(members), "highs_selected": float(sum(x[i] for i in members))}

# Targets: every firm's best probability among the target's offers; Monte Carlo of the count.
rng = np.random.default_rng(20221)
draws = 1_000_000
out["targets"] = {}
for t in plan.get("targets", []):
    rank = inputs["target"][t["id"]]
    best = {}
    for offer in rank["offers"]:
        if offer["id"] in t["offers"]:
            for e in offer["eligible"]:
                best[e["enterprise_id"]] = max(best.get(e["enterprise_id"], 0.0), e["probability"])
    p = np.array(sorted(best.values()))
    counts = np.zeros(draws, dtype=np.int64)
    for start in range(0, draws, 100_000):
        size = min(100_000, draws - start)
        counts[start:start + size] = (rng.random((size, len(p))) < p).sum(axis=1)
    mine = next(x for x in result["targets"] if x["id"] == t["id"])
    low, high = mine["interval_90"]
    out["targets"][t["id"]] = {
        "firms": len(p), "expected": float(p.sum()), "finrec_expected": mine["expected_successes"],
        "mc_reached": float(np.mean(counts >= t["target"])), "finrec_reached": mine["probability_reached"],
        # The empirical CDF at the interval's ends: P(X <= low - 1) < 5% <= P(X <= low), likewise 95% at high.
        "mc_cdf_below_low": float(np.mean(counts <= low - 1)), "mc_cdf_low": float(np.mean(counts <= low)),
        "mc_cdf_below_high": float(np.mean(counts <= high - 1)), "mc_cdf_high": float(np.mean(counts <= high)),
    }
print(json.dumps(out))
