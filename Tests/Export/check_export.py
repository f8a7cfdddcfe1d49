"""Runs a FinRec export in the engine it is for and compares it with FinRec's per-row output.

    check_export.py ENGINE EXPORT POOL ROWS [--table NAME]

ENGINE is duckdb, spark (local[2]), postgres (a throw-away server from Debian's postgresql) or
pmml (jpmml-evaluator on Java 17; the document is first validated against the PMML 4.4 schema
that JPMML-Model ships, pmml.xsd). EXPORT is the exported query or document, POOL the enterprise
CSV it runs on, ROWS the output of `finrec score POOL --format rows` (the reference).

Prints one JSON object: rows compared, mismatches of status, held and missing values, the
largest absolute differences of logit, probability and points, reason-code mismatches (PMML),
and the engine's time. The Swift test decides what passes; this script only measures.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))


def reference(path):
    return pd.read_csv(path, dtype={"enterprise_id": str, "reason1": str, "reason2": str, "reason3": str},
                       keep_default_na=False, na_values=[""])


def compare(ref, got, reasons=False):
    """Both frames hold enterprise_id, offer_id, status, held, logit, probability, points."""
    m = ref.merge(got, on=["enterprise_id", "offer_id"], how="outer", suffixes=("_f", "_e"), indicator=True)
    out = {"rows_reference": len(ref), "rows_engine": len(got), "rows_matched": int((m["_merge"] == "both").sum())}
    m = m[m["_merge"] == "both"]
    out["status_mismatches"] = int((m["status_f"] != m["status_e"]).sum())
    out["held_mismatches"] = int((m["held_f"].astype(bool) != m["held_e"].astype(bool)).sum())
    out["max_abs"] = {}
    out["missing_mismatches"] = 0
    out["values_compared"] = 0
    for col in ["logit", "probability", "points"]:
        a = pd.to_numeric(m[col + "_f"], errors="coerce")
        b = pd.to_numeric(m[col + "_e"], errors="coerce")
        out["missing_mismatches"] += int((a.isna() != b.isna()).sum())
        both = ~(a.isna() | b.isna())
        out["values_compared"] += int(both.sum())
        diff = (a[both] - b[both]).abs()
        out["max_abs"][col] = float(diff.max()) if len(diff) else 0.0
    if reasons:
        bad = 0
        for j in (1, 2, 3):
            x = m["reason%d_f" % j].fillna("").astype(str)
            y = m["reason%d_e" % j].fillna("").astype(str)
            bad += int((x != y).sum())
        out["reason_mismatches"] = bad
    out["statuses"] = {k: int(v) for k, v in m["status_e"].value_counts().items()}
    return out


def run_duckdb(query, pool, table):
    import duckdb
    con = duckdb.connect()
    con.sql(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{pool}', header = true)")
    start = time.time()
    got = con.sql(query).df()
    return got, time.time() - start


def run_spark(query, pool, table):
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("finrec-export-check")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.codegen.wholeStage", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        spark.read.option("header", True).option("inferSchema", True).csv(pool).createOrReplaceTempView(table)
        start = time.time()
        got = spark.sql(query).toPandas()
        return got, time.time() - start
    finally:
        spark.stop()


def run_postgres(query, pool, table):
    """A throw-away server in a temporary folder (Debian's postgresql), the pool loaded with COPY."""
    import glob
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        raise SystemExit("postgresql is not installed: run bash .ci/setup --tests")
    bin_dir = bins[-1]
    work = tempfile.mkdtemp(prefix="finrec-pg-")
    data, sock = os.path.join(work, "data"), os.path.join(work, "sock")
    os.mkdir(sock)
    env = dict(os.environ, LC_ALL="C.UTF-8")
    # The server refuses to run as root: as root, run it as Debian's postgres user.
    as_server = []
    if os.geteuid() == 0:
        as_server = ["runuser", "-u", "postgres", "--"]
        for folder in (work, sock):
            shutil.chown(folder, "postgres", "postgres")

    def server(*args):
        done = subprocess.run(as_server + list(args), capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise SystemExit(f"{os.path.basename(args[0])} failed: {done.stdout}{done.stderr}")

    server(os.path.join(bin_dir, "initdb"), "-D", data, "-U", "finrec", "--encoding=UTF8", "--locale=C.UTF-8", "--auth=trust")
    server(os.path.join(bin_dir, "pg_ctl"), "-D", data, "-o", f"-k {sock} -c listen_addresses='' -c fsync=off", "-l", os.path.join(work, "log"), "-w", "start")
    try:
        psql = [os.path.join(bin_dir, "psql"), "-h", sock, "-U", "finrec", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
        header = open(pool, encoding="utf-8").readline().strip().split(",")
        text_columns = {"enterprise_id", "name", "city", "industry_code", "company_form", "certification_tier",
                        "rd_institution_level", "st_award_level", "neeq_status", "listed_board", "core_enterprise_id"}
        date_columns = {"certification_valid_until", "procurement_contract_end"}
        columns = ", ".join(f'"{c}" {"TEXT" if c in text_columns else "DATE" if c in date_columns else "DOUBLE PRECISION"}' for c in header)
        subprocess.run(psql + ["-c", f"CREATE TABLE {table} ({columns})", "-c", f"\\copy {table} FROM '{pool}' WITH (FORMAT csv, HEADER true)"],
                       check=True, capture_output=True, env=env)
        out_csv, view = os.path.join(work, "out.csv"), os.path.join(work, "view.sql")
        with open(view, "w", encoding="utf-8") as f:
            f.write("CREATE VIEW finrec_rows AS\n" + query + ";\n")
        start = time.time()
        done = subprocess.run(psql + ["-f", view, "-c", f"\\copy (SELECT * FROM finrec_rows) TO '{out_csv}' WITH (FORMAT csv, HEADER true)"],
                              capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise SystemExit("PostgreSQL refused the query: " + done.stderr[-2000:])
        elapsed = time.time() - start
        got = pd.read_csv(out_csv, dtype={"enterprise_id": str})
        got["held"] = got["held"].map({"t": True, "f": False, True: True, False: False})
        return got, elapsed
    finally:
        subprocess.run(as_server + [os.path.join(bin_dir, "pg_ctl"), "-D", data, "-m", "immediate", "stop"], capture_output=True, env=env)
        shutil.rmtree(work, ignore_errors=True)


def jpmml_jar(name):
    import jpmml_evaluator
    folder = os.path.join(os.path.dirname(jpmml_evaluator.__file__), "dependencies")
    jars = [os.path.join(folder, f) for f in os.listdir(folder) if f.startswith(name)]
    if not jars:
        raise SystemExit(f"no {name} jar in {folder}")
    return jars[0]


def run_pmml(document, pool):
    # The schema first: Java's own XML Schema validator, with JPMML-Model's pmml.xsd (PMML 4.4).
    check = subprocess.run(["java", os.path.join(HERE, "ValidatePMML.java"), jpmml_jar("pmml-model-1"), document],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit("PMML schema validation failed: " + check.stdout + check.stderr)
    from jpmml_evaluator import make_evaluator
    evaluator = make_evaluator(document).verify()
    frame = pd.read_csv(pool, dtype=str, keep_default_na=False).replace("", None)
    names = [f.getName() for f in evaluator.getInputFields()]
    start = time.time()
    results = evaluator.evaluateAll(frame[names])
    elapsed = time.time() - start
    if "errors" in results and results["errors"].notna().any():
        raise SystemExit("jpmml-evaluator failed on some rows: " + str(results["errors"].dropna().iloc[0]))
    offers = [c[len("status_"):] for c in results.columns if c.startswith("status_")]
    parts = []
    for offer in offers:
        part = pd.DataFrame({"enterprise_id": frame["enterprise_id"], "offer_id": offer,
                             "status": results["status_" + offer], "held": results["held_" + offer].astype(bool)})
        for col in ["logit", "probability", "points", "reason1", "reason2", "reason3"]:
            key = f"{col}_{offer}"
            part[col] = results[key] if key in results else None
        parts.append(part)
    return pd.concat(parts, ignore_index=True), elapsed, check.stdout.strip()


def main():
    engine, export, pool, rows = sys.argv[1:5]
    table = sys.argv[sys.argv.index("--table") + 1] if "--table" in sys.argv else "enterprises"
    ref = reference(rows)
    text = open(export, encoding="utf-8").read()
    extra = {}
    if engine == "duckdb":
        got, seconds = run_duckdb(text, pool, table)
    elif engine == "spark":
        got, seconds = run_spark(text, pool, table)
    elif engine == "postgres":
        got, seconds = run_postgres(text, pool, table)
    elif engine == "pmml":
        got, seconds, validation = run_pmml(export, pool)
        extra["schema"] = validation
    else:
        raise SystemExit("engine: duckdb, spark, postgres or pmml")
    result = compare(ref, got, reasons=engine == "pmml")
    result.update(extra)
    result["engine"] = engine
    result["seconds"] = round(seconds, 3)
    result["columns"] = list(got.columns)
    if "kind" in got.columns:
        # Each offer's kind as the export returns it (SQL: a column; PMML has none).
        result["kinds"] = {str(o): str(k) for o, k in zip(got["offer_id"], got["kind"])}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
