"""numpy peer for the scoring benchmark: X @ W.T + b on the same shapes as finrec-bench.

Prints one JSON object per line, like finrec-bench. numpy uses its bundled OpenBLAS with its
default thread count (all cores), which is how a data scientist would run it.
"""
import json
import sys

import numpy as np
from threadpoolctl import threadpool_info

from peers_common import median_seconds


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    rng = np.random.default_rng(0)
    info = threadpool_info()
    blas = next((p for p in info if p.get("user_api") == "blas"), {})
    print(f"numpy {np.__version__}: {blas.get('internal_api')} {blas.get('version')} "
          f"{blas.get('architecture')} threads={blas.get('num_threads')}", file=sys.stderr)
    for d in (32, 128):
        x64 = rng.uniform(-1.7320508, 1.7320508, size=(rows, d))
        x32 = x64.astype(np.float32)
        for k in (6, 10, 16):
            w64 = rng.uniform(-0.17, 0.17, size=(k, d))
            b64 = np.arange(k) / 10 - 0.5
            for precision, x, w, b in (("f64", x64, w64, b64),
                                       ("f32", x32, w64.astype(np.float32), b64.astype(np.float32))):
                t, best = median_seconds(repeats, lambda: x @ w.T + b)
                print(json.dumps({"impl": "numpy", "n": rows, "d": d, "k": k, "precision": precision,
                                  "seconds": t, "best": best, "threads": blas.get("num_threads")}))


if __name__ == "__main__":
    main()
