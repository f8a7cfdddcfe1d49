"""pandas/numpy peer for feature extraction: the default spec (Models/features.json) written as
vectorised pandas code. The CSV is read first (not timed); fitting the statistics is timed apart
from applying them, like finrec-bench's `features` mode, which times `apply` only.

Division by zero and overflow give NaN here and are treated as missing, as in FinRec.
"""
import json
import sys

import numpy as np
import pandas as pd

from peers_common import median_seconds

TIERS = {"none": 0, "innovative": 1, "provincial_srdi": 2, "little_giant": 3}


def raw_features(df):
    """The 43 numeric features of Models/features.json before log/clip/standardise (no one-hot feature)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rev1, rev2, rev3 = df.revenue_y1, df.revenue_y2, df.revenue_y3
        rd1, rd2, rd3 = df.rd_expense_y1, df.rd_expense_y2, df.rd_expense_y3
        f = {
            "rd_ratio_1y": (rd1 / rev1, dict(clip=(0, 1))),
            "rd_ratio_2y": ((rd1 + rd2) / (rev1 + rev2), dict(clip=(0, 1), ind=True)),
            "rd_ratio_3y": ((rd1 + rd2 + rd3) / (rev1 + rev2 + rev3), dict(clip=(0, 1), ind=True)),
            "log_rd_expense": (rd1, dict(log=True)),
            "log_revenue": (rev1, dict(log=True)),
            "revenue_growth_1y": (rev1 / rev2 - 1, dict(clip=(-1, 3), ind=True)),
            "revenue_cagr_3y": (np.sqrt(rev1 / rev3) - 1, dict(clip=(-1, 2), ind=True)),
            "main_business_share": (df.main_business_revenue_y1 / rev1, dict(clip=(0, 1), ind=True)),
            "net_margin": (df.net_profit_y1 / rev1, dict(clip=(-1, 1))),
            "net_profit": (df.net_profit_y1, dict(signed_log=True)),
            "roe": (df.weighted_roe_y1, dict(clip=(-1, 1), ind=True)),
            "debt_ratio": (df.total_liabilities / df.total_assets, dict(clip=(0, 1.5))),
            "cash_flow_margin": (df.operating_cash_flow_y1 / rev1, dict(clip=(-1, 1), ind=True)),
            "log_assets": (df.total_assets, dict(log=True)),
            "log_employees": (df.employees, dict(log=True)),
            "rd_staff_share": (df.rd_staff / df.employees, dict(clip=(0, 1), ind=True)),
            "log_invention_patents": (df.invention_patents, dict(log=True)),
            "patents_per_100_staff": (100 * df.invention_patents / df.employees, dict(clip=(0, 50))),
            "log_class2_ip": (df.class2_ip, dict(log=True, ind=True)),
            "log_pledgeable_patents": (df.pledgeable_patents, dict(log=True, ind=True)),
            "patent_remaining_years": (df.patent_remaining_years, dict(clip=(0, 20), ind=True)),
            "log_age": (df.fiscal_year - df.founding_year, dict(log=True)),
            "niche_years": (df.niche_years, dict(clip=(0, 40), ind=True)),
            "niche_market_share": (df.niche_market_share, dict(ind=True)),
            "digitalisation_level": (df.digitalisation_level, dict(ind=True)),
            "neeq_years": (df.neeq_months / 12, dict(clip=(0, 10))),
            "log_market_value": (df.expected_market_value, dict(log=True, ind=True)),
            "log_equity_financing": (df.equity_financing_2y, dict(log=True, ind=True)),
            "overdue_24m": (df.overdue_24m, dict(clip=(0, 10))),
            "high_tech_enterprise": (df.high_tech_enterprise, dict(std=False)),
            "key_chain_member": (df.key_chain_member, dict(std=False)),
            "strategic_emerging": (df.strategic_emerging, dict(std=False, ind=True)),
            "regional_equity_listed": (df.regional_equity_listed, dict(std=False)),
            "listing_reserve_pool": (df.listing_reserve_pool, dict(std=False)),
            "special_mention_loans": (df.special_mention_loans, dict(std=False)),
            "abnormal_or_dishonest": (df.abnormal_or_dishonest, dict(std=False)),
            "major_accident_3y": (df.major_accident_3y, dict(std=False, ind=True)),
            "software": ((df.industry_code == "I65").astype(float).where(df.industry_code.notna()), dict(std=False)),
            "manufacturing": (df.industry_code.str.startswith("C").astype(float).where(df.industry_code.notna()), dict(std=False)),
        }
        # Ordered categories as levels (if-chains in the spec; a missing category is missing).
        for name, column, levels in (
            ("tier_level", df.certification_tier, {"innovative": 1, "provincial_srdi": 2, "little_giant": 3}),
            ("neeq_level", df.neeq_status, {"basic": 1, "innovation": 2}),
            ("rd_institution_rank", df.rd_institution_level, {"below_municipal": 1, "municipal": 2, "provincial": 3, "national": 4}),
            ("st_award_rank", df.st_award_level, {"provincial": 1, "national": 2}),
        ):
            f[name] = (column.map(levels).fillna(0).astype(float).where(column.notna()), dict(std=False))
    categorical = {}
    return f, categorical


def transformed(values, opts):
    v = values.to_numpy(dtype=float, copy=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        v[~np.isfinite(v)] = np.nan
        if opts.get("log"):
            v = np.where(v < 0, np.nan, np.log1p(np.where(v < 0, 0, v)))
        if opts.get("signed_log"):
            v = np.sign(v) * np.log1p(np.abs(v))
    if "clip" in opts:
        v = np.clip(v, *opts["clip"])
    return v


def fit(df):
    numeric, _ = raw_features(df)
    stats = {}
    for name, (values, opts) in numeric.items():
        v = transformed(values, opts)
        ok = v[~np.isnan(v)]
        sd = ok.std(ddof=1) if ok.size >= 2 else 1.0
        stats[name] = (ok.mean() if ok.size else 0.0, sd if sd > 1e-12 else 1.0)
    return stats


def apply(df, stats, conservative=False):
    """The model's input matrix. stats: per feature (mean, sd) or (mean, sd, low, high). With
    conservative (model files from version 3) every numeric feature has a missing column and
    present values are clipped to the training range [low, high] first."""
    numeric, categorical = raw_features(df)
    columns = []
    for name, (values, opts) in numeric.items():
        v = transformed(values, opts)
        missing = np.isnan(v)
        mean, sd, *bounds = stats[name]
        if bounds:
            v = np.clip(v, bounds[0], bounds[1])
        if opts.get("std", True):
            col = np.where(missing, 0.0, (v - mean) / sd)
        else:
            col = np.where(missing, mean, v)
        columns.append(col)
        if opts.get("ind") or conservative:
            columns.append(missing.astype(float))
    for name, (values, vocabulary) in categorical.items():
        known = np.zeros(len(df), dtype=bool)
        for value in vocabulary:
            hit = (values == value).to_numpy()
            columns.append(hit.astype(float))
            known |= hit
        columns.append((~known & values.notna().to_numpy()).astype(float) if conservative else (~known).astype(float))
        if conservative:
            columns.append(values.isna().to_numpy().astype(float))
    return np.column_stack(columns)


def main():
    path, repeats = sys.argv[1], int(sys.argv[2])
    df = pd.read_csv(path, engine="c", low_memory=False)
    stats = fit(df)
    x = None

    def run():
        nonlocal x
        x = apply(df, stats)

    t, best = median_seconds(repeats, run)
    print(json.dumps({"impl": "pandas", "task": "features", "rows": len(df), "columns": x.shape[1], "seconds": t, "best": best,
                      "column_sums": [float(v) for v in x.sum(axis=0)]}))


if __name__ == "__main__":
    main()
