"""One timer for the page benchmarks: the server CPU an action costs (process time of every thread)."""

from __future__ import annotations

import statistics
import time


def cpu_seconds(action, repeats: int = 1) -> float:
    """Median process time of `action()` over `repeats` calls: what it costs the server, however busy the machine."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return statistics.median(times)
