"""scikit-learn peer for the trainer benchmark: 10 LogisticRegression(lbfgs) fits, one per product,
on the matrix finrec-bench train-data wrote. Timed in total (after loading). Prints one JSON line
with each product's objective in FinRec's scale (½‖w‖² + C·Σ logloss, intercept unpenalised,
computed here from the coefficients) and its AUC on the same rows; also writes the objectives to
TARGETS for FinRec's time-to-target run.

usage: train_peer.py PREFIX TARGETS
"""
import json
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

D, K = 64, 10


def main():
    prefix, targets = sys.argv[1], sys.argv[2]
    x = np.fromfile(prefix + ".x.f64", dtype=np.float64).reshape(-1, D)
    y = np.fromfile(prefix + ".y.f64", dtype=np.float64).reshape(-1, K)
    start = time.perf_counter()
    models = [LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000).fit(x, y[:, p]) for p in range(K)]
    seconds = time.perf_counter() - start
    objectives, aucs, iterations = [], [], []
    for p, m in enumerate(models):
        z = x @ m.coef_[0] + m.intercept_[0]
        # log(1 + e^(−z)) for y = 1, log(1 + e^z) for y = 0.
        loss = np.logaddexp(0, np.where(y[:, p] == 1, -z, z)).sum()
        objectives.append(float(0.5 * m.coef_[0] @ m.coef_[0] + 1.0 * loss))
        aucs.append(float(roc_auc_score(y[:, p], z)))
        iterations.append(int(m.n_iter_[0]))
    with open(targets, "w") as f:
        json.dump({"objectives": objectives}, f)
    print(json.dumps({"impl": "scikit-learn", "task": "train", "rows": len(x), "seconds": seconds, "iterations": iterations,
                      "objectives": objectives, "auc": aucs}))


if __name__ == "__main__":
    main()
