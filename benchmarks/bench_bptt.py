"""Benchmarks for the BPTT page. Run: python benchmarks/bench_bptt.py [--seeds 0 1 2]

Prints: the long-range task at the page's defaults (training time per cell, accuracy at every gap and the
gap from which each cell is no better than guessing), per seed; the hand-written backward pass against
autograd (time); the animated figure's payload and build time; the page's rerun times (AppTest).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import bptt  # noqa: E402
from playground import gradient_flow as flow  # noqa: E402
from playground import long_range as task  # noqa: E402
from playground.figures import bptt as figures  # noqa: E402
from cpu_timer import cpu_seconds  # noqa: E402


def bench_long_range(seeds: list[int]) -> None:
    longest, hidden, epochs = (task.LIMITS[name][2] for name in ("gap", "hidden_size", "epochs"))
    bias = task.LIMITS["keep_bias"][2]
    print(f"## Long-range task, defaults: longest gap {longest}, n_a = {hidden}, up to {epochs} epochs, "
          f"keep-gate bias {bias:g}, lr {task.LEARNING_RATE:g} (one thread)")
    print(f"gaps: {task.gaps_for(longest)}; {task.N_TRAIN} training and {task.N_TEST} test sentences per gap")
    for seed in seeds:
        start = time.perf_counter()
        curves = task.train_curves(longest, hidden, epochs, seed, keep_bias=bias)
        total = time.perf_counter() - start
        estimate = task.estimated_seconds(longest, hidden, epochs)
        print(f"\nseed {seed}: {total:.1f} s in all (the page's estimate: up to {estimate:.0f} s)")
        for kind, curve in curves.items():
            accuracies = " ".join(f"{r.gap}:{r.accuracy:.2f}" for r in curve.results)
            used = "/".join(str(len(r.history.losses)) for r in curve.results)
            falls = curve.chance_gap()
            print(f"  {kind:<5} {curve.seconds:6.1f} s  epochs {used:<16} accuracy {accuracies}   "
                  f"at chance from gap: {falls if falls is not None else 'never'}")
        print("  " + task.verdict(curves).replace("**", ""))
        start = time.perf_counter()
        flow.trained_analysis(curves, seed)
        print(f"  looking inside the trained cells (flows, heatmaps): {time.perf_counter() - start:.2f} s")


def bench_by_hand() -> None:
    print("\n## By hand vs autograd, the page's worked example")
    problem = bptt.char_problem(bptt.DEFAULT_TEXT, 5, 0)
    for name, function in (("manual_gradients (numpy)", bptt.manual_gradients),
                           ("autograd_gradients (torch.nn.RNN, float64)", bptt.autograd_gradients)):
        function(problem.params, problem.xs, problem.ys)
        start = time.perf_counter()
        for _ in range(50):
            function(problem.params, problem.xs, problem.ys)
        print(f"{name:<45} {(time.perf_counter() - start) / 50 * 1000:6.2f} ms")
    worst = max(row["largest |by hand − autograd|"] for row in bptt.autograd_check(problem.params, problem.xs,
                                                                                   problem.ys))
    print(f"largest difference: {worst:.1e}")


def bench_figures() -> None:
    print("\n## Figures: build time and payload")
    for text, hidden in ((bptt.DEFAULT_TEXT, 3), ("x" * 13, 5)):
        problem = bptt.char_problem(text, hidden, 0)
        fwd = bptt.forward(problem.params, problem.xs, problem.ys)
        back = bptt.backward(fwd)
        figures.backward_figure(problem, fwd, back)
        start = time.perf_counter()
        fig = figures.backward_figure(problem, fwd, back)
        built = time.perf_counter() - start
        print(f"animation T={len(problem.xs):<3} n_a={hidden}: {len(fig.to_json().encode()) / 1024:6.1f} KB, "
              f"built in {built:.2f} s")
    sentence = task.sentences(97, 1, 0)
    xs, verb = sentence.inputs[0].double().numpy(), int(sentence.verbs[0])
    model = task.build("RNN", 32, 0)
    start = time.perf_counter()
    flow.clipping_sweep(model, xs, verb, "orthogonal", "tanh", 1.0)
    print(f"clipping sweep, T=100, n_a=32, {len(flow.SCALES)} radii: {time.perf_counter() - start:.2f} s")


def bench_page() -> None:
    print("\n## Page reruns (AppTest, default settings)")
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "bptt.py"), default_timeout=600)
    start = time.perf_counter()
    at.run()
    print(f"first run (imports torch, builds every untrained view): {time.perf_counter() - start:.2f} s")
    print(f"plain rerun: median {cpu_seconds(at.run, 5) * 1000:.0f} CPU ms")
    start = time.perf_counter()
    at.slider(key="bptt_scale").set_value(1.5).run()
    print(f"rerun after moving the ρ slider (new flows and figure): {(time.perf_counter() - start) * 1000:.0f} ms")
    [button] = [b for b in at.button if b.label.startswith("Train")]
    start = time.perf_counter()
    button.click()
    at.run()
    print(f"pressing Train (defaults, includes training every cell at every gap): {time.perf_counter() - start:.1f} s")
    print(f"plain rerun with the trained cells: median {cpu_seconds(at.run, 5) * 1000:.0f} CPU ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="skip the long-range task")
    arguments = parser.parse_args()
    if not arguments.quick:
        bench_long_range(arguments.seeds)
    bench_by_hand()
    bench_figures()
    bench_page()
