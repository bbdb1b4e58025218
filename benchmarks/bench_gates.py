"""Benchmarks for the LSTM & GRU gates page. Run: python benchmarks/bench_gates.py

Prints: training time and score of every default configuration, time per step of LSTM vs GRU,
the animated figure's payload in bytes and its build time, and the page's rerun times (AppTest).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import data, samples  # noqa: E402
from playground import gate_tasks as tasks  # noqa: E402
from playground.figures import gates as figures  # noqa: E402


def default_series():
    return data.load_series(samples.SAMPLES[samples.DEFAULT_SAMPLE].path).series


def bench_training() -> None:
    print("## Training the default configurations (one thread)")
    print(f"{'task':<10} {'cell':<5} {'epochs':>6} {'seconds':>8}  score")
    hidden = tasks.LIMITS["hidden_size"][2]
    for key, task in tasks.TASKS.items():
        series = default_series() if key == "series" else None
        for kind in tasks.KINDS:
            run = tasks.train(key, kind, hidden, 1, task.length[2], series=series)
            score = ", ".join(f"{label} {value}" for label, value, _ in tasks.score_lines(run))
            print(f"{key:<10} {kind:<5} {task.epochs:>6} {run.history.seconds:>8.2f}  {score}")
    run = tasks.train("remember", "LSTM", hidden, 3, tasks.TASKS["remember"].length[2])
    print(f"{'remember':<10} {'LSTM':<5} {80:>6} {run.history.seconds:>8.2f}  (3 stacked layers) "
          + ", ".join(f"{label} {value}" for label, value, _ in tasks.score_lines(run)))


def bench_speed() -> None:
    print("\n## Time per step, batch of one (µs)")
    for hidden in (4, 32):
        for row in tasks.speed_table(3, hidden, 1, steps=100):
            print(f"n_a={hidden:<3} {row['cell']:<5} torch.nn {row['torch.nn forward (µs per step)']:8.1f}   "
                  f"step-by-step trace {row['step-by-step trace (µs per step)']:8.1f}")


def bench_figure() -> None:
    print("\n## Animated figure: payload and build time")
    for task, kind, hidden, length in [("remember", "LSTM", 4, 16), ("remember", "GRU", 4, 16),
                                       ("remember", "LSTM", 32, 40), ("series", "LSTM", 32, 60)]:
        run = tasks.build(task, kind, hidden, 1, length, series=default_series() if task == "series" else None)
        example = tasks.trace_example(run, 0)
        start = time.perf_counter()
        fig = figures.gates_figure(example)
        built = time.perf_counter() - start
        payload = len(fig.to_json().encode())
        print(f"{task:<9} {kind:<5} n_a={hidden:<3} T={length:<3} {payload / 1024:7.1f} KB   built in {built:.2f} s")


def median_rerun_ms(at, repeats: int = 5) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - start)
    return sorted(timings)[repeats // 2] * 1000


def bench_page() -> None:
    print("\n## Page reruns (AppTest, default settings)")
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "gates.py"), default_timeout=120)
    start = time.perf_counter()
    at.run()
    print(f"first run (imports torch, builds the untrained view): {time.perf_counter() - start:.2f} s")
    print(f"plain rerun: median {median_rerun_ms(at):.0f} ms")
    start = time.perf_counter()
    at.slider(key="gates_step_16").set_value(7).run()
    print(f"rerun after moving the step slider (new figure): {(time.perf_counter() - start) * 1000:.0f} ms")
    [button] = [b for b in at.button if b.label == "Train the LSTM"]
    start = time.perf_counter()
    button.click()
    at.run()
    print(f"pressing Train (default configuration, includes training): {time.perf_counter() - start:.2f} s")
    print(f"plain rerun with the trained model: median {median_rerun_ms(at):.0f} ms")
    spec = [chart.proto.spec for chart in at.get("plotly_chart") if '"frames"' in chart.proto.spec][0]
    print(f"animated figure as sent to the browser: {len(spec.encode()) / 1024:.1f} KB")


if __name__ == "__main__":
    bench_training()
    bench_speed()
    bench_figure()
    bench_page()
