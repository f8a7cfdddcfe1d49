"""The DuckDB peer of `finrec rank`: the query `finrec export --format sql --dialect duckdb` writes,
over the pool CSV read by DuckDB itself, then the top K per offer (eligible, then undecided) by
logit, ties by enterprise id — the order `finrec rank` uses — written as rank_peer.py writes.

An independent check of FinRec's features, scores and rules (the query is generated from the model
file, but evaluated by another engine) and a speed peer.

usage: rank_duckdb.py POOL.csv EXPORT.sql OUT.csv TOP
Prints one JSON line: seconds (in-process, after imports), peak RSS (MB), rows.
"""
import json
import resource
import sys
import time

import duckdb

pool, export, out, top = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
query = open(export, encoding="utf-8").read()

start = time.perf_counter()
con = duckdb.connect()
# A view, not a table: DuckDB streams the CSV through the query as FinRec streams it through rank.
con.sql(f"CREATE VIEW enterprises AS SELECT * FROM read_csv('{pool}', header = true)")
con.execute(f"""
COPY (
  WITH scored AS (
{query}
  )
  SELECT offer_id, "group", rank, enterprise_id, probability FROM (
    SELECT offer_id, CASE status WHEN 'pass' THEN 'eligible' ELSE 'unknown' END AS "group", enterprise_id, probability,
           row_number() OVER (PARTITION BY offer_id, status ORDER BY logit DESC, enterprise_id) AS rank
    FROM scored
    WHERE status IN ('pass', 'unknown') AND logit IS NOT NULL
  )
  WHERE rank <= {top}
  ORDER BY offer_id, "group", rank
) TO '{out}' (HEADER, DELIMITER ',')
""")
seconds = time.perf_counter() - start
# Counted after the clock stops (the rank does not need it).
count = con.sql(f"SELECT count(*) FROM read_csv('{pool}', header = true)").fetchall()[0][0]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"impl": "duckdb", "task": "rank", "rows": count, "seconds": seconds, "peak_mb": peak, "threads": con.sql("SELECT current_setting('threads')").fetchall()[0][0]}))
