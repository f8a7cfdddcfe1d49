"""Makes optbinning's reference for the binning tests (BinningTests).

Run once with optbinning installed:
    python Tests/FinRecTests/Fixtures/binning/make_reference.py
It writes data.csv (3,000 values of a feature, some missing and some at the special values 0
and -1, with 0/1 outcomes whose rate rises with the value) and reference.json: for fixed cut
points, optbinning's binning table (OptimalBinning with user_splits fixed, special_codes) — per
bin the rows, events, non-events, event rate and WoE — and the total IV. optbinning's event is
label 1 and its WoE is ln(non-event share / event share); FinRec's WOE (successes as the
event) is the negative of it when label 1 is a success.
"""
import json
import os

import numpy as np
import optbinning
from optbinning import OptimalBinning

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
n = 3000
x = rng.lognormal(3.0, 1.0, size=n).round(2)
y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.8 * np.log1p(x) - 2.6)))).astype(int)
special = rng.uniform(size=n)
x[special < 0.08] = 0.0
x[(special >= 0.08) & (special < 0.11)] = -1.0
x = x.astype(float)
x[rng.uniform(size=n) < 0.05] = np.nan

with open(os.path.join(here, "data.csv"), "w") as out:
    out.write("value,label\n")
    for v, label in zip(x, y):
        out.write(("" if np.isnan(v) else repr(float(v))) + f",{label}\n")

splits = [8.0, 15.0, 25.0, 40.0, 70.0]
ob = OptimalBinning(name="value", dtype="numerical", user_splits=splits, user_splits_fixed=[True] * len(splits),
                    special_codes={"zero": [0.0], "minus_one": [-1.0]}, max_n_prebins=100, min_prebin_size=0.001)
ob.fit(x, y)
table = ob.binning_table.build()
rows = table.iloc[:-1]  # the last row is the totals
reference = {
    "optbinning": optbinning.__version__,
    "splits": [float(s) for s in ob.splits],
    "special": [0.0, -1.0],
    "bins": [{"bin": str(b), "count": int(c), "events": int(e), "non_events": int(ne), "event_rate": float(er), "woe": float(w)}
             for b, c, e, ne, er, w in zip(rows["Bin"], rows["Count"], rows["Event"], rows["Non-event"], rows["Event rate"], rows["WoE"])],
    "iv": float(table.loc["Totals", "IV"]),
}
with open(os.path.join(here, "reference.json"), "w") as out:
    json.dump(reference, out, indent=1)
