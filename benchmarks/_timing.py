"""Timing helper shared by the benchmark scripts."""

import time

import numpy as np


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and minimum seconds of ``repeat`` calls of ``fn()``, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), float(np.min(times))
