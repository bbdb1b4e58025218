"""Benchmarks for the RNN cell page. Run: python benchmarks/bench_rnn_cell.py

Prints: training time and held-out quality of the default configurations against the page's target
(better than the memory-less baseline), the animated figure's size and build time, and the page's
rerun cost (wall and CPU time, AppTest).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cpu_timer import cpu_seconds, wall_seconds  # noqa: E402
from playground import data, samples  # noqa: E402
from playground import rnn_cell as cell  # noqa: E402
from playground.figures import rnn_cell as figures  # noqa: E402


def default_series():
    return data.load_series(samples.SAMPLES[samples.DEFAULT_SAMPLE].path).series


def bench_training() -> None:
    print("## Training (one thread); target: held-out loss (words) or MAE (series) below the memory-less baseline")
    hidden, vocab = cell.LIMITS["hidden_size"][2], cell.LIMITS["vocab_size"][2]
    configurations = [("sentence", dict(vocab_size=vocab), seed) for seed in (0, 1, 2)]
    configurations += [("series", dict(series=default_series(), length=cell.LIMITS["length"][2]), seed)
                       for seed in (0, 1, 2)]
    for kind, extra, seed in configurations:
        run = cell.train(kind, hidden, seed=seed, **extra)
        key = "loss" if kind == "sentence" else "mae"
        print(f"{kind:<8} seed {seed}  n_a={hidden} epochs={run.settings['epochs']:<4} {run.history.seconds:5.2f} s   "
              f"held-out {key} {run.initial_score[key]:.4g} (untrained) -> {run.score[key]:.4g}, baseline "
              f"{run.baseline[key]:.4g}: {'reached' if cell.target_reached(run) else 'MISSED'}")


def bench_figure() -> None:
    print("\n## Animated cell figure: payload and build time")
    for hidden, sentence in [(8, cell.DEFAULT_SENTENCE), (32, "the fox ran away " * 10)]:
        run = cell.build("sentence", hidden, vocab_size=cell.LIMITS["vocab_size"][2])
        trace = cell.trace(run.model, cell.sentence_example(sentence, cell.LIMITS["vocab_size"][2]))
        start = time.perf_counter()
        figure = figures.cell_figure(trace)
        built = time.perf_counter() - start
        print(f"n_a={hidden:<3} T_x={trace.steps:<3} {len(figure.to_json().encode()) / 1024:6.1f} KB, built in {built:.2f} s")


def rerun_cost(at, repeats: int = 7) -> tuple[float, float]:
    """Median wall and CPU milliseconds of a plain rerun."""
    return wall_seconds(at.run, repeats) * 1000, cpu_seconds(at.run, repeats) * 1000


def bench_page() -> None:
    print("\n## Page reruns (AppTest; CPU includes AppTest's own ~13 ms, measured on the home page)")
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    for page in ("home.py", "rnn_cell.py"):
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=120)
        start = time.perf_counter()
        at.run()
        print(f"{page}: first run {time.perf_counter() - start:.2f} s")
        wall, cpu = rerun_cost(at)
        print(f"{page}: plain rerun, median wall {wall:.0f} ms, CPU {cpu:.0f} ms")
    [button] = [b for b in at.button if b.label == "Train the cell"]
    start = time.perf_counter()
    button.click()
    at.run()
    print(f"pressing Train (default settings, includes training): {time.perf_counter() - start:.2f} s")
    wall, cpu = rerun_cost(at)
    print(f"plain rerun with the trained cell: median wall {wall:.0f} ms, CPU {cpu:.0f} ms")
    start = time.perf_counter()
    at.radio(key="rnn_type").set_value("bidirectional").run()
    print(f"rerun after picking another RNN type (new figure): {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    bench_training()
    bench_figure()
    bench_page()
