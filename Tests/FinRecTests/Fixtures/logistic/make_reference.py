"""Makes the scikit-learn reference for LogisticTrainerTests.

Run once with scikit-learn installed (Benchmarks/.venv has it):
    Benchmarks/.venv/bin/python Tests/FinRecTests/Fixtures/logistic/make_reference.py
It writes data.csv (3,000 rows: 6 features, labels for 3 products with some missing, a sample
weight) and reference.json (coefficients and intercepts from LogisticRegression with lbfgs,
tol=1e-12, C=0.5; the intercept is not penalised by lbfgs).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
n, d = 3000, 6
x = rng.normal(size=(n, d))
x[:, 2] = 0.6 * x[:, 0] + 0.8 * x[:, 2]  # correlated features
weight = rng.uniform(0.5, 2.0, size=n).round(3)
true_w = np.array([[1.2, -0.8, 0.5, 0.0, 0.3, -1.5], [0.4, 0.4, -1.0, 0.9, 0.0, 0.2], [-0.7, 1.1, 0.0, 0.5, -0.6, 0.8]])
true_b = np.array([-0.5, 0.3, -2.5])
labels = (rng.uniform(size=(n, 3)) < 1 / (1 + np.exp(-(x @ true_w.T + true_b)))).astype(float)
labels[rng.uniform(size=n) < 0.3, 1] = np.nan  # product 1: 30% of rows have no label
x = x.round(6)

with open(os.path.join(here, "data.csv"), "w") as out:
    out.write(",".join([f"x{j}" for j in range(d)] + ["y0", "y1", "y2", "weight"]) + "\n")
    for i in range(n):
        ys = ["" if np.isnan(v) else str(int(v)) for v in labels[i]]
        out.write(",".join([repr(float(v)) for v in x[i]] + ys + [repr(float(weight[i]))]) + "\n")

C = 0.5
reference = {"sklearn": sklearn.__version__, "C": C, "tol": 1e-12, "fits": {}}


def fit(name, product, class_weight=None, sample_weight=False):
    mask = ~np.isnan(labels[:, product])
    model = LogisticRegression(C=C, solver="lbfgs", tol=1e-12, max_iter=100_000, class_weight=class_weight)
    model.fit(x[mask], labels[mask, product], sample_weight=weight[mask] if sample_weight else None)
    reference["fits"][name] = {"product": product, "class_weight": class_weight, "sample_weight": sample_weight,
                               "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]),
                               "rows": int(mask.sum())}


fit("y0", 0)
fit("y1_missing_labels", 1)
fit("y2", 2)
fit("y2_balanced", 2, class_weight="balanced")
fit("y0_weighted", 0, sample_weight=True)
with open(os.path.join(here, "reference.json"), "w") as out:
    json.dump(reference, out, indent=2)
    out.write("\n")
print("wrote data.csv and reference.json with scikit-learn", sklearn.__version__)
