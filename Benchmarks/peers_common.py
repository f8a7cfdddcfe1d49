"""Timing helper shared by the Python peer scripts."""
import time


def median_seconds(repeats, fn):
    """Median and best wall time of `repeats` calls of fn, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], times[0]
