#!/usr/bin/env bash
# Fuzzes the CSV reader, the JSON applicant reader, the expression parser/compiler/evaluator and
# the model-file loader with finrec-fuzz (seeded random mutation of the seed corpus in
# fuzz-corpus/), SECONDS each. A crash leaves its input in fuzz-crashes/ and fails the script.
# usage: Benchmarks/fuzz.sh [SECONDS_PER_TARGET] [SEED]      (defaults: 150 1 → 10 minutes in all)
source "$(dirname "$0")/common.sh"
seconds="${1:-150}"
seed="${2:-1}"
(cd "$here/.." && swift build -c release --product finrec-fuzz >&2)
fuzz="$(cd "$here/.." && swift build -c release --show-bin-path)/finrec-fuzz"
mkdir -p "$here/fuzz-crashes"
status=0
for target in csv json expression model; do
    crash="$here/fuzz-crashes/$target-seed$seed.bin"
    if ! "$fuzz" "$target" "$here/fuzz-corpus/$target" "$seconds" "$seed" "$crash"; then
        echo "CRASH in $target: reproducer in $crash" >&2
        status=1
    fi
done
exit $status
