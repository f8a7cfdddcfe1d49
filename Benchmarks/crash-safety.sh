#!/usr/bin/env bash
# Crash safety of `finrec rank`: killed with SIGKILL at random points, each output file is either
# the previous one untouched or the new complete one, never a part; SIGINT stops it cleanly
# (exit 130, a message, outputs untouched, no temporary file left).
# usage: Benchmarks/crash-safety.sh [KILLS] [ROWS]      (defaults: 40 200000)
# FINREC=path/to/finrec uses that executable (CI passes the debug build its tests made: what is
# checked is the order of writes and renames, which the build mode does not change); without it
# the release build is made and used.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.."
bash "$root/.ci/setup"
if [ -n "${FINREC:-}" ]; then
    finrec="$(cd "$root" && realpath "$FINREC")"
else
    (cd "$root" && swift build -c release --product finrec >&2)
    finrec="$(cd "$root" && swift build -c release --show-bin-path)/finrec"
fi
kills="${1:-40}"
rows="${2:-200000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$finrec" synth --count "$rows" --seed 11 --output pool.csv >&2
# exec: a background `rank` is then the finrec process itself, so the signals reach it.
rank() { exec "$finrec" rank --model "$root/Models/default-model.json" --input pool.csv --quiet --force "$@"; }
(rank --top 50 --output prev.csv --best prev-best.csv)
(rank --top 100 --output new.csv --best new-best.csv)
start=$(date +%s%N); (rank --top 100 --output timing.csv); took=$(( ($(date +%s%N) - start) / 1000000 ))
echo "one run takes ${took} ms; killing at random points in 0..$(( took * 3 / 2 )) ms" >&2

old=0; new=0; leftovers=0
for i in $(seq "$kills"); do
    cp prev.csv out.csv; cp prev-best.csv best.csv
    (rank --top 100 --output out.csv --best best.csv) &
    pid=$!
    sleep "$(awk -v r="$RANDOM" -v t="$took" 'BEGIN { printf "%.3f", r / 32767 * t * 1.5 / 1000 }')"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for pair in "out.csv prev.csv new.csv" "best.csv prev-best.csv new-best.csv"; do
        set -- $pair
        if cmp -s "$1" "$2"; then old=$((old + 1))
        elif cmp -s "$1" "$3"; then new=$((new + 1))
        else echo "FAIL: kill $i left a partial $1 ($(wc -c < "$1") bytes)" >&2; exit 1
        fi
    done
    # A process killed outright cannot remove its temporary files; count and remove them.
    for f in .out.csv.*.tmp .best.csv.*.tmp; do
        if [ -e "$f" ]; then leftovers=$((leftovers + 1)); rm -f "$f"; fi
    done
done
echo "SIGKILL: $kills kills, outputs checked $((old + new)) times: $old previous, $new new complete, 0 partial; $leftovers temporary files left by killed runs (.NAME.XXXXXX.tmp)"

cp prev.csv out.csv; cp prev-best.csv best.csv
set +e
(rank --top 100 --output out.csv --best best.csv 2> sigint.txt) &
pid=$!
sleep "$(awk -v t="$took" 'BEGIN { printf "%.3f", t / 3000 }')"
kill -INT "$pid"
wait "$pid"
rc=$?
set -e
if [ "$rc" -ne 130 ]; then echo "FAIL: SIGINT gave exit code $rc, expected 130 ($(cat sigint.txt))" >&2; exit 1; fi
cmp -s out.csv prev.csv && cmp -s best.csv prev-best.csv || { echo "FAIL: SIGINT changed an output" >&2; exit 1; }
if ls .out.csv.*.tmp .best.csv.*.tmp >/dev/null 2>&1; then echo "FAIL: SIGINT left a temporary file" >&2; exit 1; fi
echo "SIGINT: exit 130, outputs untouched, no temporary file; message: $(cat sigint.txt)"
