"""pandas + numpy peer for `finrec rank`: the same work, written as a data scientist would.

Reads the pool CSV (pandas, pyarrow engine), computes the default features with the model's
fitted statistics (features_peer.apply), scores all offers with one matrix product (numpy,
OpenBLAS), evaluates every offer's eligibility rule from Models/catalog.json with Kleene logic
(a small translator of the catalog's expression language into vectorised numpy), and keeps the
top K eligible and top K undecided enterprises per offer with argpartition (ties by id). Writes
the top lists as CSV.

usage: rank_peer.py POOL.csv MODEL.json OUT.csv TOP
Prints one JSON line: seconds (in-process, after imports), peak RSS (MB), rows.
"""
import json
import re
import resource
import sys
import time

import numpy as np
import pandas as pd

from features_peer import apply

ORDERS = {
    "certification_tier": ["none", "innovative", "provincial_srdi", "little_giant"],
    "neeq_status": ["not_quoted", "basic", "innovation"],
    "rd_institution_level": ["none", "below_municipal", "municipal", "provincial", "national"],
    "st_award_level": ["none", "provincial", "national"],
}
DATES = {"certification_valid_until"}
TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?)|('[^']*')|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||<=|>=|==|!=|[-+*/()<>!,]))")


class Truth:
    """Kleene truth over rows: value where known."""

    def __init__(self, value, known):
        self.value, self.known = value, known

    def __and__(self, o):
        false = (self.known & ~self.value) | (o.known & ~o.value)
        true = self.known & self.value & o.known & o.value
        return Truth(true, true | false)

    def __or__(self, o):
        true = (self.known & self.value) | (o.known & o.value)
        false = self.known & ~self.value & o.known & ~o.value
        return Truth(true, true | false)

    def __invert__(self):
        return Truth(~self.value, self.known)


class Evaluator:
    """Recursive-descent evaluation of one catalog expression over a DataFrame, vectorised."""

    def __init__(self, df, definitions, as_of):
        self.df, self.definitions, self.as_of, self.cache = df, definitions, as_of, {}

    def column(self, name):
        if name in self.cache:
            return self.cache[name]
        if name == "as_of_date":
            value = ("num", np.full(len(self.df), float(self.as_of)))
        elif name in self.definitions:
            value = self.evaluate(self.definitions[name])
        elif name in ORDERS:
            codes = pd.Categorical(self.df[name], categories=ORDERS[name]).codes.astype(float)
            codes[codes < 0] = np.nan
            value = ("cat", codes, name)
        elif name in DATES:
            d = pd.to_datetime(self.df[name], errors="coerce")
            days = (d - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype=float)
            value = ("num", days)
        elif not pd.api.types.is_numeric_dtype(self.df[name]):
            value = ("str", self.df[name])
        else:
            value = ("num", self.df[name].to_numpy(dtype=float))
        self.cache[name] = value
        return value

    def evaluate(self, text):
        saved = getattr(self, "tokens", None), getattr(self, "i", 0)  # definitions nest
        self.tokens = [next(x for x in t if x) for t in TOKEN.findall(text)]
        self.i = 0
        value = self.parse_or()
        assert self.i == len(self.tokens), text
        self.tokens, self.i = saved
        return value

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self):
        self.i += 1
        return self.tokens[self.i - 1]

    def parse_or(self):
        left = self.parse_and()
        while self.peek() == "||":
            self.take()
            left = ("truth", left[1] | self.parse_and()[1])
        return left

    def parse_and(self):
        left = self.parse_not()
        while self.peek() == "&&":
            self.take()
            left = ("truth", left[1] & self.parse_not()[1])
        return left

    def parse_not(self):
        if self.peek() == "!":
            self.take()
            return ("truth", ~self.parse_not()[1])
        return self.parse_comparison()

    def parse_comparison(self):
        left = self.parse_sum()
        op = self.peek()
        if op not in ("<", "<=", ">", ">=", "==", "!="):
            return left
        self.take()
        right = self.parse_sum()
        if left[0] == "cat" and right[0] == "lit":
            a, b = left[1], float(ORDERS[left[2]].index(right[1]))
        elif left[0] == "str" and right[0] == "lit":
            known = left[1].notna().to_numpy()
            eq = (left[1] == right[1]).to_numpy()
            return ("truth", Truth(eq if op == "==" else ~eq, known))
        else:
            a, b = left[1], right[1]
        with np.errstate(invalid="ignore"):
            known = ~np.isnan(a) & ~np.isnan(b)
            value = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[op]
        return ("truth", Truth(value & known, known))

    def parse_sum(self):
        left = self.parse_product()
        while self.peek() in ("+", "-"):
            op = self.take()
            right = self.parse_product()
            left = ("num", left[1] + right[1] if op == "+" else left[1] - right[1])
        return left

    def parse_product(self):
        left = self.parse_unary()
        while self.peek() in ("*", "/"):
            op = self.take()
            right = self.parse_unary()
            with np.errstate(divide="ignore", invalid="ignore"):
                v = left[1] * right[1] if op == "*" else left[1] / right[1]
            v[~np.isfinite(v)] = np.nan
            left = ("num", v)
        return left

    def parse_unary(self):
        if self.peek() == "-":
            self.take()
            return ("num", -self.parse_unary()[1])
        return self.parse_atom()

    def parse_atom(self):
        t = self.take()
        if t == "(":
            v = self.parse_or()
            assert self.take() == ")"
            return v
        if t[0] == "'":
            return ("lit", t[1:-1])
        if t[0].isdigit():
            return ("num", float(t))
        if self.peek() == "(":
            self.take()
            args = [self.parse_or()]
            while self.peek() == ",":
                self.take()
                args.append(self.parse_or())
            assert self.take() == ")"
            return self.call(t, args)
        return self.column(t)

    def call(self, name, args):
        if name == "sqrt":
            with np.errstate(invalid="ignore"):
                v = np.sqrt(args[0][1])
            return ("num", v)
        if name in ("starts_with", "in"):
            s = args[0][1]
            literals = tuple(a[1] for a in args[1:])
            hit = s.str.startswith(literals) if name == "starts_with" else s.isin(literals)
            known = s.notna().to_numpy()
            return ("truth", Truth(hit.fillna(False).to_numpy(dtype=bool), known))
        raise ValueError(f"function {name} not in the peer")


def rule_truth(rule, ev):
    n = len(ev.df)
    if "manual" in rule:  # no field decides it: left to a person
        return Truth(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    if "expr" in rule:
        t = ev.evaluate(rule["expr"])
        assert t[0] == "truth", rule["expr"]
        t = t[1]
        if rule.get("on_fail") == "warn":  # a warning never closes the offer
            return Truth(np.ones(n, dtype=bool), np.ones(n, dtype=bool))
        if rule.get("on_fail") == "review":  # a failure leaves it to a person
            return Truth(t.value, t.known & t.value)
        return t
    children = [rule_truth(c, ev) for c in rule.get("all", rule.get("any", []))]
    result = children[0]
    for c in children[1:]:
        result = result & c if "all" in rule else result | c
    return result


def top(ids, z, mask, k):
    rows = np.flatnonzero(mask)
    if rows.size > k:
        # argpartition on the negated logits keeps the k largest; ties at the cut are settled
        # by id below, so include every row tied with the k-th.
        cut = -np.partition(-z[rows], k - 1)[k - 1]
        rows = rows[z[rows] >= cut]
    order = np.lexsort((ids[rows], -z[rows]))
    return rows[order][:k]


def main():
    path, model_path, out_path, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    model = json.load(open(model_path))
    start = time.perf_counter()
    df = pd.read_csv(path, engine="pyarrow")
    spec = model["features"]
    stats = {s["feature"]: (s["mean"], s["sd"]) + ((s["low"], s["high"]) if "low" in s else ()) for s in spec["statistics"] if s and "mean" in s}
    x = apply(df, stats, conservative=model["format_version"] >= 3)
    assert x.shape[1] == len(model["feature_names"]), (x.shape, len(model["feature_names"]))
    products = model["products"]
    w = np.array([p["weights"] for p in products])
    b = np.array([p["intercept"] for p in products])
    z = x @ w.T + b
    catalog = model["catalog"]
    definitions = {d["name"]: d["expr"] for d in catalog["definitions"]}
    as_of = (pd.Timestamp("2026-06-30") - pd.Timestamp("1970-01-01")).days
    ev = Evaluator(df, definitions, as_of)
    ids = df["enterprise_id"].to_numpy(dtype=str)
    lines = []
    for p, product in enumerate(products):
        offer = next(o for o in catalog["offers"] if o["id"] == product["id"])
        t = rule_truth(offer["rule"], ev)
        for group, mask in (("eligible", t.known & t.value), ("unknown", ~t.known)):
            for rank, r in enumerate(top(ids, z[:, p], mask, k)):
                lines.append(f"{product['id']},{group},{rank + 1},{ids[r]},{float(1 / (1 + np.exp(-z[r, p])))!r}")
    with open(out_path, "w") as f:
        f.write("offer_id,group,rank,enterprise_id,probability\n" + "\n".join(lines) + "\n")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"impl": "pandas+numpy", "task": "rank", "rows": len(df), "seconds": seconds, "peak_mb": peak}))


if __name__ == "__main__":
    main()
