#!/usr/bin/env bash
# Saved outputs: what every command prints on the shipped data, for a refactoring to compare
# before and after (byte for byte, on the same machine and build mode):
#
#   bash Tests/SavedOutputs/run.sh BIN_DIR OUT_DIR
#   (check out the other commit, build, run again into OUT_DIR2)
#   diff -r OUT_DIR OUT_DIR2
#
# BIN_DIR holds finrec and finrec-desk (e.g. "$(swift build --show-bin-path)"). Covers score
# (table, json, csv, rows, xlsx cells), rank (csv, json, xlsx cells, --best, --near-miss, --where),
# evaluate, train (a small model, its timestamps removed), predict, inspect, schema, export (PMML,
# three SQL dialects), scorecard, bins, monitor, and the officer's page (GET /, a posted form, the
# decision page, the API's score and rank). Not a test: floating-point output may differ between
# machines (OpenBLAS picks its kernel per CPU), so compare runs on one machine only.
set -euo pipefail
BIN=$(cd "$1" && pwd); OUT=$2
cd "$(dirname "$0")/../.."
rm -rf "$OUT"; mkdir -p "$OUT"
F="$BIN/finrec"
AS_OF=(--as-of 2026-06-30)
POOL=Datasets/shandong-pool.csv
head -3001 "$POOL" > "$OUT/pool3k.csv"
PY=python3; [ -x .venv/bin/python ] && PY=.venv/bin/python

for a in Datasets/applicants/*.json; do
  n=$(basename "$a" .json)
  for fmt in table json csv rows; do
    "$F" score "$a" --format $fmt "${AS_OF[@]}" > "$OUT/score-$n.$fmt"
  done
  "$F" score "$a" --format table --lang en "${AS_OF[@]}" > "$OUT/score-$n.en.table"
done
"$F" score "$OUT/pool3k.csv" --format csv "${AS_OF[@]}" --threads 2 > "$OUT/score-pool.csv"
"$F" score "$OUT/pool3k.csv" --format rows "${AS_OF[@]}" --reasons 2 > "$OUT/score-pool.rows"
"$F" score Datasets/applicants/little-giant.json --format xlsx --output "$OUT/score.xlsx" "${AS_OF[@]}"

"$F" rank --input "$POOL" --output "$OUT/rank.csv" --best "$OUT/best.csv" --quiet "${AS_OF[@]}"
"$F" rank --input "$POOL" --output "$OUT/rank.json" --best "$OUT/best.jsonl" --near-miss 5 --quiet "${AS_OF[@]}" --lang en
"$F" rank --input "$POOL" --output "$OUT/rank-where.csv" --where "city == '济南'" --product bse star little_giant --near-miss 3 --top 20 --quiet "${AS_OF[@]}"
"$F" rank --input "$POOL" --output "$OUT/rank.xlsx" --top 20 --quiet "${AS_OF[@]}"
"$PY" - "$OUT" <<'PY'
import sys, openpyxl, pathlib
out = pathlib.Path(sys.argv[1])
for name in ["score.xlsx", "rank.xlsx"]:
    wb = openpyxl.load_workbook(out / name)
    with open(out / (name + ".cells"), "w") as f:
        for ws in wb.worksheets:
            f.write(f"## {ws.title}\n")
            for row in ws.iter_rows(values_only=True):
                f.write("\t".join("" if v is None else repr(v) for v in row) + "\n")
    (out / name).unlink()
PY

M=(--model Models/default-model.json)
"$F" evaluate "${M[@]}" --data "$OUT/pool3k.csv" --gains --reliability "${AS_OF[@]}" > "$OUT/evaluate.txt"
"$F" evaluate "${M[@]}" --data "$OUT/pool3k.csv" --format json "${AS_OF[@]}" > "$OUT/evaluate.json"
"$F" predict --model Models/example-model.json --input Datasets/example-features.csv --format csv > "$OUT/predict.csv"
"$F" predict --model Models/example-model.json --input Datasets/example-features.csv --format json > "$OUT/predict.json"
"$F" inspect "${M[@]}" > "$OUT/inspect.txt"
"$F" schema > "$OUT/schema.txt"
"$F" scorecard > "$OUT/scorecard.txt"
"$F" bins --data "$OUT/pool3k.csv" "${AS_OF[@]}" --format table > "$OUT/bins.txt"
"$F" bins --data "$OUT/pool3k.csv" "${AS_OF[@]}" --format json > "$OUT/bins.json"
"$F" monitor --baseline "$OUT/pool3k.csv" --data "$POOL" "${AS_OF[@]}" --detail --format table > "$OUT/monitor.txt"
"$F" export --format pmml --output "$OUT/model.pmml" "${AS_OF[@]}"
for d in duckdb spark postgres; do "$F" export --format sql --dialect $d --output "$OUT/model.$d.sql"; done
"$F" synth --count 12000 --seed 7 --output "$OUT/synth.csv"
"$F" train --data "$OUT/synth.csv" --output "$OUT/trained.json" "${AS_OF[@]}" --threads 2 > "$OUT/train.txt" 2>&1
sed -i -E 's/"(trained_at|created_at|training_seconds|seconds)": *[^,}]*/"\1": X/g' "$OUT/trained.json"
sed -i -E 's/[0-9.]+ s\b/N s/g' "$OUT/train.txt"

# The officer's page and API.
PORT_FILE=$(mktemp); AUDIT=$(mktemp -d)/audit.sqlite
"$BIN/finrec-desk" serve --port 0 --audit "$AUDIT" "${AS_OF[@]}" > "$PORT_FILE" 2>&1 &
PID=$!; trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "listening on" "$PORT_FILE" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$PORT_FILE" | head -1)
curl -sf "$URL/" > "$OUT/page-index.html"
curl -sf "$URL/?lang=en" > "$OUT/page-index.en.html"
curl -s -o /dev/null -D "$OUT/page-post.headers" -F "file=@Datasets/applicants/provincial-srdi.json" -H "Sec-Fetch-Site: same-origin" "$URL/score"
LOC=$(grep -i '^location:' "$OUT/page-post.headers" | tr -d '\r' | awk '{print $2}')
curl -sf "$URL$LOC" > "$OUT/page-decision.html"
curl -sf "$URL$LOC?lang=en" > "$OUT/page-decision.en.html"
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @Datasets/applicants/little-giant.json "$URL/v1/score" > "$OUT/api-score.json"
curl -sf -X POST -H 'Content-Type: text/csv' --data-binary @"$OUT/pool3k.csv" "$URL/v1/rank?top=5&near_miss=2" > "$OUT/api-rank.json"
curl -sf "$URL/v1/openapi.json" > "$OUT/api-openapi.json"
curl -sf "$URL/v1/offers" > "$OUT/api-offers.json"
sed -i -E 's/"loaded_at":"[^"]*"//' "$OUT"/api-*.json
kill $PID; wait $PID 2>/dev/null || true
grep -v -i '^date:' "$OUT/page-post.headers" > "$OUT/page-post.h" && rm "$OUT/page-post.headers"
rm -f "$PORT_FILE"
# What differs between two runs of one build: the output folder's name, the decision's time.
grep -rlF "$OUT" "$OUT" | xargs -r sed -i "s|$OUT|OUT|g"
sed -i -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g' "$OUT"/page-decision*.html
echo "saved outputs in $OUT: $(ls "$OUT" | wc -l) files"
