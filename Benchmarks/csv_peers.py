"""Python peers for the CSV benchmark: pandas.read_csv (C engine) and pyarrow.csv.read_csv, one core,
and `finrec check` as a process (start to exit; it reads on one thread).

The peers parse the same file into typed columns (type inference, no validation), which is less
work than FinRec does (schema types, ranges, credit-code check digits, row checks, duplicates, and
check's summary of missing values and tiers).
"""
import json
import os
import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from peers_common import median_seconds


def main():
    path, repeats = sys.argv[1], int(sys.argv[2])
    finrec = sys.argv[3] if len(sys.argv) > 3 else None
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    size = os.path.getsize(path)
    rows = sum(1 for _ in open(path, "rb")) - 1
    contenders = {} if finrec is None else {
        "finrec check": lambda: subprocess.run([finrec, "check", path], check=True, stdout=subprocess.DEVNULL),
    }
    contenders |= {
        "pandas": lambda: pd.read_csv(path, engine="c", low_memory=False),
        "pyarrow": lambda: pacsv.read_csv(path, read_options=pacsv.ReadOptions(use_threads=False)),
    }
    for name, fn in contenders.items():
        t, best = median_seconds(repeats, fn)
        print(json.dumps({"impl": name, "task": "csv", "rows": rows, "bytes": size, "seconds": t, "best": best}))


if __name__ == "__main__":
    main()
