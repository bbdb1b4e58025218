"""Benchmarks for the LSTM & GRU gates page. Run: python benchmarks/bench_gates.py [--quick]

Prints: training time and score of every default configuration (all three cells), time per step of the
cells, the figures' build time and payload, the reading's time, and the page's reruns under AppTest:
server CPU (process time: the script thread plus AppTest's own bookkeeping, so slightly pessimistic) and
wall time, for every interaction a student has, before and after training. `--quick` skips the training table.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cpu_timer import cpu_seconds  # noqa: E402
from playground import data, gate_reading, samples  # noqa: E402
from playground import gate_tasks as tasks  # noqa: E402
from playground.figures import gates as figures  # noqa: E402


def default_series():
    return data.load_series(samples.SAMPLES[samples.DEFAULT_SAMPLE].path).series


def bench_training() -> None:
    print("## Training the default configurations (one thread)")
    print(f"{'task':<10} {'cell':<15} {'epochs':>6} {'seconds':>8}  score")
    hidden = tasks.LIMITS["hidden_size"][2]
    for key, task in tasks.TASKS.items():
        series = default_series() if key == "series" else None
        for kind in tasks.KINDS:
            run = tasks.train(key, kind, hidden, 1, task.length[2], series=series)
            score = ", ".join(f"{label} {value}" for label, value, _ in tasks.score_lines(run))
            print(f"{key:<10} {kind:<15} {task.epochs:>6} {run.history.seconds:>8.2f}  {score}")
    run = tasks.train("remember", "LSTM", hidden, 3, tasks.TASKS["remember"].length[2])
    print(f"{'remember':<10} {'LSTM':<15} {80:>6} {run.history.seconds:>8.2f}  (3 stacked layers) "
          + ", ".join(f"{label} {value}" for label, value, _ in tasks.score_lines(run)))


def bench_speed() -> None:
    print("\n## Time per step, batch of one (µs)")
    for hidden in (4, 32):
        for row in tasks.speed_table(3, hidden, 1, steps=100):
            print(f"n_a={hidden:<3} {row['cell']:<15} module forward {row['module forward (µs per step)']:8.1f}   "
                  f"step-by-step trace {row['step-by-step trace (µs per step)']:8.1f}")


def _cpu_ms(action, repeats: int = 5) -> float:
    return cpu_seconds(action, repeats) * 1000


def bench_figures() -> None:
    print("\n## Figures and reading: build time (CPU, median of 5) and payload")
    figures.cell_figure(tasks.trace_example(tasks.build("remember", "LSTM", 4, 1, 16), 0))  # one-time set-up
    for task, kind, hidden, length in [("remember", "LSTM", 4, 16), ("remember", "GRU", 4, 16),
                                       ("remember", "simplified GRU", 4, 16), ("remember", "LSTM", 32, 40),
                                       ("series", "LSTM", 32, 60)]:
        run = tasks.build(task, kind, hidden, 1, length, series=default_series() if task == "series" else None)
        example = tasks.trace_example(run, 0)
        cell = figures.cell_figure(example)
        units = figures.units_figure(example, unit=0)
        print(f"{task:<9} {kind:<15} n_a={hidden:<3} T={length:<3} "
              f"cell figure {_cpu_ms(lambda: figures.cell_figure(example)):5.1f} ms, "
              f"{len(cell.to_json().encode()) / 1024:6.1f} KB · "
              f"units figure {_cpu_ms(lambda: figures.units_figure(example, unit=0)):5.1f} ms, "
              f"{len(units.to_json().encode()) / 1024:5.1f} KB · "
              f"reading {_cpu_ms(lambda: gate_reading.read(run)):5.1f} ms · "
              f"trace {_cpu_ms(lambda: tasks.trace_example(run, 0)):5.1f} ms")


def bench_page() -> None:
    print("\n## Page reruns (AppTest): server CPU and wall time")
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "gates.py"), default_timeout=300)
    rows = []

    def measure(label: str, action=None, repeats: int = 1) -> None:
        cpu, wall = [], []
        for _ in range(repeats):
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            (action or at.run)()
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start_wall)
            assert not at.exception, [e.value for e in at.exception]
        rows.append((label, sorted(cpu)[repeats // 2] * 1000, sorted(wall)[repeats // 2] * 1000))

    def set_and_run(widget, value):
        return lambda: widget().set_value(value).run()

    measure("first run (imports torch, builds the untrained model)")
    measure("plain rerun, untrained", repeats=7)
    measure("another unit (new figures)", set_and_run(lambda: at.selectbox(key="gates_unit"), 1))
    example = lambda: at.number_input(key="gates_example_remember")  # noqa: E731
    measure("another held-out sequence (new figures)", set_and_run(example, 5))
    measure("back to a sequence seen before (cached)", set_and_run(example, 23))
    measure("another cell: GRU (new untrained model)", set_and_run(lambda: at.radio(key="gates_kind"), "GRU"))
    measure("back to the LSTM (cached)", set_and_run(lambda: at.radio(key="gates_kind"), "LSTM"))
    measure("plain rerun, untrained, again", repeats=7)
    measure("the unit back to auto (cached)", set_and_run(lambda: at.selectbox(key="gates_unit"), "auto"))

    def train():
        [button] = [b for b in at.button if b.label == "Train the LSTM"]
        button.click()
        at.run()

    measure("press Train (default configuration: includes training)", train)
    measure("plain rerun, trained", repeats=7)
    measure("another unit, trained (new figures)", set_and_run(lambda: at.selectbox(key="gates_unit"), 1))
    measure("another held-out sequence, trained", set_and_run(example, 7))
    measure("plain rerun, trained, again", repeats=7)
    width = max(len(label) for label, _, _ in rows)
    print(f"{'':<{width}}  {'CPU ms':>8} {'wall ms':>8}")
    for label, cpu, wall in rows:
        print(f"{label:<{width}}  {cpu:8.0f} {wall:8.0f}")
    sizes = [(chart.proto.spec, "frames" in chart.proto.spec) for chart in at.get("plotly_chart")]
    for spec, animated in sizes:
        name = "animated cell figure" if '"frames"' in spec else "figure"
        print(f"{name} as sent to the browser: {len(spec.encode()) / 1024:.1f} KB")


if __name__ == "__main__":
    if "--quick" not in sys.argv:
        bench_training()
    bench_speed()
    bench_figures()
    bench_page()
