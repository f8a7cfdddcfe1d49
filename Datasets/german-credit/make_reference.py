"""scikit-learn's 5-fold AUC on german-credit.csv, the reference FinRec's test compares with.

Folds: row i is in fold i % 5. Features as german-features.json defines them: the seven numbers
(credit_amount as log1p) standardised on the training folds, the thirteen categories one-hot on
the training folds' values (an unseen category is all zeros). Model: LogisticRegression(C=1),
L2, lbfgs to tol 1e-10, intercept unpenalised, as FinRec's trainer. Run:

    python3 -m venv v && v/bin/pip install scikit-learn pandas && v/bin/python make_reference.py
"""
import json, os
import numpy as np, pandas as pd, sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

here = os.path.dirname(os.path.abspath(__file__))
data = pd.read_csv(os.path.join(here, "german-credit.csv"))
spec = json.load(open(os.path.join(here, "german-features.json")))
numeric = [f for f in spec["features"] if "one_hot" not in f]
categorical = [f["expr"] for f in spec["features"] if "one_hot" in f]
fold = np.arange(len(data)) % 5
aucs = []
for k in range(5):
    train, test = data[fold != k], data[fold == k]
    def numbers(frame):
        return np.column_stack([np.log1p(frame[f["expr"]]) if f.get("log") else frame[f["expr"]].astype(float) for f in numeric])
    xn, tn = numbers(train), numbers(test)
    mean, sd = xn.mean(axis=0), xn.std(axis=0, ddof=1)
    columns = [(xn - mean) / sd], [(tn - mean) / sd]
    for c in categorical:
        levels = sorted(train[c].unique())
        columns[0].append(np.column_stack([(train[c] == v).astype(float) for v in levels]))
        columns[1].append(np.column_stack([(test[c] == v).astype(float) for v in levels]))
    x, t = np.hstack(columns[0]), np.hstack(columns[1])
    model = LogisticRegression(C=1.0, solver="lbfgs", tol=1e-10, max_iter=100000).fit(x, train["bad"])
    aucs.append(roc_auc_score(test["bad"], model.predict_proba(t)[:, 1]))
out = {"folds": "row i in fold i % 5", "model": "LogisticRegression(C=1, lbfgs, tol=1e-10)",
       "scikit_learn": sklearn.__version__, "fold_auc": aucs, "mean_auc": float(np.mean(aucs))}
json.dump(out, open(os.path.join(here, "reference-auc.json"), "w"), indent=2)
print(out)
