"""FinRec's exported SQL on Spark: score a pool and take the top K per offer, as `finrec rank` does.

usage: spark_rank.py POOL.csv EXPORT.sql OUT.csv TOP [MASTER]      (MASTER default local[2])

The pool is read with an explicit schema (no inference pass). The exported query scores each
enterprise independently (a projection, split by Spark over the file's blocks), then a
row_number() window per offer and group keeps the top K; Spark plans it as a window group limit,
so each partition sends only its own top K per offer to the shuffle. On a cluster the same script
runs with MASTER = yarn or spark://… and the pool on HDFS or S3: the scan and the scoring spread
over the executors' cores, and the shuffle stays K rows per offer per partition.

Writes OUT.csv (offer_id, group, rank, enterprise_id, probability) and prints one JSON line:
seconds (from the query's start to the written result; the JVM start is reported apart), rows.
"""
import json
import sys
import time

pool, export, out, top = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
master = sys.argv[5] if len(sys.argv) > 5 else "local[2]"

started = time.perf_counter()
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql.types import DateType, DoubleType, StringType, StructField, StructType  # noqa: E402

spark = (SparkSession.builder.master(master).appName("finrec-rank")
         .config("spark.ui.enabled", "false")
         .config("spark.driver.memory", "6g")
         # The scoring projection is wider than the JVM's 64 KB method limit for whole-stage
         # code generation; without it Spark compiles each expression on its own instead.
         .config("spark.sql.codegen.wholeStage", "false")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
jvm_seconds = time.perf_counter() - started

TEXT = {"enterprise_id", "name", "city", "industry_code", "company_form", "certification_tier",
        "rd_institution_level", "st_award_level", "neeq_status"}
header = open(pool, encoding="utf-8").readline().strip().split(",")
schema = StructType([StructField(c, StringType() if c in TEXT else DateType() if c == "certification_valid_until" else DoubleType())
                     for c in header])

start = time.perf_counter()
spark.read.option("header", True).schema(schema).csv(pool).createOrReplaceTempView("enterprises")
query = open(export, encoding="utf-8").read()
spark.sql(query).createOrReplaceTempView("scored")
result = spark.sql(f"""
  SELECT offer_id, `group`, rank, enterprise_id, probability FROM (
    SELECT offer_id, CASE status WHEN 'pass' THEN 'eligible' ELSE 'unknown' END AS `group`, enterprise_id, probability,
           row_number() OVER (PARTITION BY offer_id, status ORDER BY logit DESC, enterprise_id) AS rank
    FROM scored
    WHERE status IN ('pass', 'unknown') AND logit IS NOT NULL
  ) WHERE rank <= {top}
""").collect()
seconds = time.perf_counter() - start
rows = sorted(result, key=lambda r: (r["offer_id"], r["group"], r["rank"]))
with open(out, "w", encoding="utf-8") as f:
    f.write("offer_id,group,rank,enterprise_id,probability\n")
    for r in rows:
        f.write(f"{r['offer_id']},{r['group']},{r['rank']},{r['enterprise_id']},{r['probability']!r}\n")
partitions = spark.read.option("header", True).schema(schema).csv(pool).rdd.getNumPartitions()
spark.stop()
print(json.dumps({"impl": "spark", "master": master, "seconds": seconds, "jvm_seconds": jvm_seconds, "partitions": partitions}))
