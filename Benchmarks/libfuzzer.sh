#!/usr/bin/env bash
# libFuzzer (coverage-guided) on the same four targets as fuzz.sh: each entry file in libfuzzer/
# is compiled with FinRec's sources into one module by swiftc -sanitize=fuzzer,address (SwiftPM
# cannot add the fuzzer's main to a library build), then run SECONDS on a working copy of
# fuzz-corpus/<target>. A crash leaves libFuzzer's reproducer in fuzz-crashes/ and fails the script.
# usage: Benchmarks/libfuzzer.sh [SECONDS_PER_TARGET] [TARGETS…]     (defaults: 150, all four)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.."
bash "$root/.ci/setup"
seconds="${1:-150}"
shift || true
if [ $# -gt 0 ]; then targets=("$@"); else targets=(csv json expression model); fi
mkdir -p "$here/results/libfuzzer" "$here/fuzz-crashes"
# The library's modules as one module (the fuzzer's main cannot join a SwiftPM build): copies of
# their sources without the imports of each other.
one_module_sources() {
    local dir="$here/results/libfuzzer/sources"
    rm -rf "$dir"; mkdir -p "$dir"
    for module in FinRecBase FinRecRecords FinRecLinear FinRecFeatures FinRecCatalog FinRecModel FinRecInference \
                  FinRecEvaluation FinRecReports FinRecExport FinRecSynthetic; do
        find "$root/Sources/$module" -name '*.swift' | sort | while read -r f; do
            sed -E '/^(public |package )?import FinRec/d' "$f" > "$dir/${module}_$(basename "$f")"
        done
    done
    find "$dir" -name '*.swift' | sort
}
status=0
for target in "${targets[@]}"; do
    binary="$here/results/libfuzzer/fuzz-$target"
    swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FinRecFuzz -swift-version 6 \
        -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility \
        -enable-upcoming-feature InternalImportsByDefault -I "$root/Sources/CBLAS" \
        -I "$root/Sources/CXLSXWriter" $(one_module_sources) "$here/libfuzzer/$target.swift" -lopenblas -lxlsxwriter -lz -o "$binary" 2>&1 \
        | grep -v "Cannot export local symbol" >&2 || true
    corpus="$here/results/libfuzzer/corpus-$target"
    mkdir -p "$corpus"
    cp "$here/fuzz-corpus/$target/"* "$corpus/"
    log="$here/results/libfuzzer/$target.log"
    if ASAN_OPTIONS=detect_leaks=0 "$binary" -max_total_time="$seconds" -max_len=262144 -timeout=20 \
        -artifact_prefix="$here/fuzz-crashes/libfuzzer-$target-" "$corpus" > "$log" 2>&1; then
        echo "$target: $(grep -E '^Done [0-9]+ runs' "$log" | tail -1), corpus $(ls "$corpus" | wc -l) inputs, no crash"
    else
        echo "CRASH in $target: see $log and fuzz-crashes/" >&2
        status=1
    fi
done
exit $status
