#!/usr/bin/env bash
# SHA-256, the hash behind model fingerprints, request hashes and the audit log's chain: FinRec's
# two engines (the CPU's SHA extensions where it has them, and the portable code) against
# Python's hashlib (OpenSSL) on the same bytes in memory, one core.
#   Benchmarks/sha256.sh [MEGABYTES] [REPEATS]      defaults: 256 5
source "$(dirname "$0")/common.sh"
megabytes="${1:-256}"
repeats="${2:-5}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
head -c "$((megabytes << 20))" /dev/urandom > "$tmp/data"
{
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); SHA extensions: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
"$bench" sha256 --file "$tmp/data" --repeats "$repeats" 2>/dev/null
"$python" - "$tmp/data" "$repeats" <<'PY'
import hashlib, json, sys, time
data = open(sys.argv[1], "rb").read()
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    digest = hashlib.sha256(data).hexdigest()
    times.append(time.perf_counter() - start)
times.sort()
print(json.dumps({"impl": "hashlib", "task": "sha256", "bytes": len(data), "seconds": times[len(times) // 2], "best": times[0], "digest": digest}))
PY
} > "$tmp/results"
"$python" - "$tmp/results" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    if line.startswith("{"):
        rows.append(json.loads(line))
    else:
        print(line, end="")
peer = next(r for r in rows if r["impl"] == "hashlib")
for r in rows:
    name = r["impl"] + (" " + r["engine"] if "engine" in r else "")
    same = "same digest" if r["digest"] == peer["digest"] else "DIGEST DIFFERS"
    seconds, size = r["seconds"], r["bytes"]
    print(f"{name:18} {seconds:7.3f} s  {size / seconds / 1e6:7.0f} MB/s  {peer['seconds'] / seconds:5.2f}x hashlib  ({same})")
PY
