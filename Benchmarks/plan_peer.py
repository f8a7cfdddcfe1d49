"""finrec plan against scipy's HiGHS on the same selection problem (see plan.sh)."""
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

finrec, pool, model, repeats, folder = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
plan_file = os.path.join(folder, "plan-example.json")
open(plan_file, "wb").write(subprocess.run([finrec, "plan", "--example"], capture_output=True, check=True).stdout)
plan = json.load(open(plan_file, encoding="utf-8"))
result_file, candidates_file = os.path.join(folder, "plan-result.json"), os.path.join(folder, "plan-candidates.csv")

walls, choices = [], []
for _ in range(repeats):
    started = time.perf_counter()
    run = subprocess.run([finrec, "plan", "--input", pool, "--plan", plan_file, "--model", model, "--output", result_file,
                          "--candidates", candidates_file, "--quiet", "--force", "--threads", "2"], capture_output=True, check=True, text=True)
    walls.append(time.perf_counter() - started)
    choices.append(float(re.search(r"the choice ([0-9.]+) s", run.stderr).group(1)))
result = json.load(open(result_file, encoding="utf-8"))

best = min(walls)
print(f"pool: {pool} ({result['rows']:,} firms); plan: the example (3 programmes, capacities "
      + "/".join(str(p["capacity"]) for p in plan["programmes"]) + f", {len(plan['targets'])} target)", flush=True)
print(f"finrec plan end to end (read, score 31 offers, choose; 2 threads), best of {repeats}: {best:.2f} s "
      + "(" + ", ".join(f"{w:.2f}" for w in walls) + ")", flush=True)
print(f"  of which the choice (minimum-cost flow on the kept candidates): {min(choices):.3f} s", flush=True)

started = time.perf_counter()
cands = pd.read_csv(candidates_file, dtype={"enterprise_id": str, "city": str, "programme_id": str, "offer_id": str})
read_seconds = time.perf_counter() - started
started = time.perf_counter()
programmes = plan["programmes"]
index = {p["id"]: j for j, p in enumerate(programmes)}
j = cands["programme_id"].map(index).to_numpy()
values = cands["value"].to_numpy()
by_gap = np.array([p.get("by", "probability") == "gap" for p in programmes])
cost = np.where(by_gap[j], values, -values)
n = len(cands)
firm_codes, firms = pd.factorize(cands["enterprise_id"])
rows, cols, vals, b_ub = [], [], [], []
r = 0
for jj, p in enumerate(programmes):
    for city, quota in p.get("cities", {}).items():
        members = np.flatnonzero((j == jj) & (cands["city"].to_numpy() == city))
        if "min" in quota:
            rows.append(np.full(len(members), r)); cols.append(members); vals.append(np.full(len(members), -1.0)); b_ub.append(-quota["min"]); r += 1
        if "max" in quota:
            rows.append(np.full(len(members), r)); cols.append(members); vals.append(np.full(len(members), 1.0)); b_ub.append(quota["max"]); r += 1
rows.append(r + firm_codes); cols.append(np.arange(n)); vals.append(np.ones(n))
b_ub += [plan.get("max_programmes_per_firm", 1)] * len(firms)
a_ub = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r + len(firms), n)).tocsr()
a_eq = coo_matrix((np.ones(n), (j, np.arange(n))), shape=(len(programmes), n)).tocsr()
build_seconds = time.perf_counter() - started
started = time.perf_counter()
limit = float(os.environ.get("HIGHS_TIME_LIMIT", "1800"))
lp = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[p["capacity"] for p in programmes], bounds=(0, 1), method="highs",
             options={"time_limit": limit})
solve_seconds = time.perf_counter() - started

print(f"candidates (firm, programme) pairs that qualify: {n:,}; distinct firms {len(firms):,}")
print(f"HiGHS (scipy {__import__('scipy').__version__}) on the same LP, all candidates: read {read_seconds:.2f} s, build {build_seconds:.2f} s, "
      + f"solve {solve_seconds:.2f} s; status {lp.status}")
if lp.status != 0:
    print(f"HiGHS stopped without an optimum (status {lp.status}: {lp.message}) after {solve_seconds:.0f} s")
    sys.exit(0)
print(f"objective: finrec {result['objective']:.12f}, HiGHS {-lp.fun:.12f}, difference {abs(result['objective'] + lp.fun):.2e}")
print(f"ratio: HiGHS solve / finrec choice = {solve_seconds / min(choices):.1f}x; "
      + f"HiGHS read+build+solve / finrec end to end = {(read_seconds + build_seconds + solve_seconds) / best:.2f}x")
