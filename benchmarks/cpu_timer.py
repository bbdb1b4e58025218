"""One timer for the page benchmarks: the median over repeated calls, in server CPU or in wall seconds."""

from __future__ import annotations

import statistics
import time


def _median(action, repeats: int, clock) -> float:
    times = []
    for _ in range(repeats):
        start = clock()
        action()
        times.append(clock() - start)
    return statistics.median(times)


def cpu_seconds(action, repeats: int = 1) -> float:
    """Median process time of `action()` over `repeats` calls: what it costs the server, however busy the machine."""
    return _median(action, repeats, time.process_time)


def wall_seconds(action, repeats: int = 1) -> float:
    """Median wall time of `action()` over `repeats` calls: what the user waits."""
    return _median(action, repeats, time.perf_counter)
