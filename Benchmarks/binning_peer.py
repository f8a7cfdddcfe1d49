"""optbinning's BinningProcess on the trainer benchmark's matrix (N × 64 float64, row-major,
P.x.f64) against the first product's labels (column 0 of P.y.f64, N × 10): the same constraints
as FinRec's default binning — 20 pre-bins of at least 5% (optbinning's CART pre-binning), at most 8
bins of at least 5% of the rows, monotone event rate ascending or descending (auto_asc_desc) —
on 2 jobs. Prints one JSON line: seconds of fit, each feature's IV and number of bins.

usage: binning_peer.py PREFIX [ROWS]"""
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
from optbinning import BinningProcess

warnings.filterwarnings("ignore")
prefix = sys.argv[1]
x = np.fromfile(prefix + ".x.f64", dtype=np.float64).reshape(-1, 64)
y = np.fromfile(prefix + ".y.f64", dtype=np.float64).reshape(-1, 10)[:, 0].astype(int)
if len(sys.argv) > 2:
    x, y = x[: int(sys.argv[2])], y[: int(sys.argv[2])]
names = [f"x{j}" for j in range(x.shape[1])]
frame = pd.DataFrame(x, columns=names)
process = BinningProcess(variable_names=names, max_n_prebins=20, min_prebin_size=0.05, max_n_bins=8, min_bin_size=0.05,
                         binning_fit_params={name: {"monotonic_trend": "auto_asc_desc"} for name in names}, n_jobs=2)
start = time.perf_counter()
process.fit(frame, y)
seconds = time.perf_counter() - start
summary = process.summary().set_index("name")
ivs = [float(summary.loc[name, "iv"]) for name in names]
bins = [int(summary.loc[name, "n_bins"]) for name in names]
print(json.dumps({"impl": "optbinning BinningProcess", "task": "binning", "rows": int(x.shape[0]), "features": x.shape[1],
                  "threads": 2, "seconds": seconds, "iv": ivs, "bins": bins}))
