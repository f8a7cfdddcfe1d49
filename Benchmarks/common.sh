# Shared set-up for the benchmark scripts: OpenBLAS, the Python peers' virtual environment, and a
# release build of finrec-bench and finrec. Source it; it sets $here, $bench, $finrec, $python.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/../.ci/setup"

python="$here/.venv/bin/python"
if [ ! -x "$python" ]; then
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install --quiet --upgrade pip
fi
# numpy and threadpoolctl for scoring; pandas and pyarrow for CSV parsing; scikit-learn for training;
# duckdb to run FinRec's exported SQL (rank).
if ! "$python" -c "import numpy, threadpoolctl, pandas, pyarrow, sklearn, duckdb" 2>/dev/null; then
    "$here/.venv/bin/pip" install --quiet numpy threadpoolctl pandas pyarrow scikit-learn duckdb==2.0.1
fi

(cd "$here/.." && swift build -c release --product finrec-bench >&2)
bench="$(cd "$here/.." && swift build -c release --show-bin-path)/finrec-bench"
(cd "$here/.." && swift build -c release --product finrec >&2)
finrec="$(cd "$here/.." && swift build -c release --show-bin-path)/finrec"
mkdir -p "$here/results"

# pool_file ROWS: the path of a generated pool of ROWS enterprises, made once with `finrec synth`.
pool_file() {
    local file="$here/results/pool-$1.csv"
    if [ ! -f "$file" ]; then
        "$finrec" synth --count "$1" --seed 2022 --output "$file" --threads 2 >&2
    fi
    echo "$file"
}
