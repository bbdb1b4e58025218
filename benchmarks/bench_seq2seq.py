"""Seq2Seq benchmark: training time to test MSE < 1e-3 on the sine task, the page's demo defaults (what they
show and how long they train), server CPU per non-training rerun of the page, and inference time per mode.

Run from the repository root: `python benchmarks/bench_seq2seq.py`. One torch thread (as in the app).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from dataclasses import replace  # noqa: E402

from playground.seq2seq import (  # noqa: E402
    DEMO, DEMO_HISTORY, DEMO_HORIZON, MODES, Seq2Seq, Settings, exposure_cost, growth, inference_seconds, train,
)
from playground.seq2seq_data import sine_windows  # noqa: E402

TARGET = 1e-3
SEEDS = (0, 1, 2)


def time_to_target(mode: str, seed: int) -> tuple[float | None, int | None, float, float]:
    """Seconds and epochs until the test MSE first drops below TARGET; total seconds; final test MSE."""
    windows = sine_windows()
    start = time.perf_counter()
    reached: list = []
    epoch = [0]

    def on_epoch(mse: float) -> None:
        epoch[0] += 1
        if not reached and mse < TARGET:
            reached.append((time.perf_counter() - start, epoch[0]))

    result = train(windows, Settings(mode=mode, seed=seed), on_epoch=on_epoch)
    seconds, epochs = reached[0] if reached else (None, None)
    return seconds, epochs, result.seconds, result.final_test_mse


def demo_defaults() -> None:
    """What the page opens with: both decoders trained on its defaults, and the contrasts they show."""
    windows = sine_windows(DEMO_HISTORY, DEMO_HORIZON)
    print(f"page defaults: history {DEMO_HISTORY}, horizon {DEMO_HORIZON}, no noise; {DEMO.epochs} epochs, "
          f"teacher forcing {DEMO.teacher_forcing} ({DEMO.schedule})")
    print(f"{'mode':<16}{'seed':>5}{'train (s)':>11}{'test MSE':>11}{'growth':>8}{'own/truth':>11}")
    for seed in SEEDS:
        for mode in MODES:
            result = train(windows, replace(DEMO, mode=mode, seed=seed))
            cost = f"{exposure_cost(result):.2g}" if mode == "autoregressive" else "-"
            print(f"{mode:<16}{seed:>5}{result.seconds:>11.2f}{result.final_test_mse:>11.2e}"
                  f"{growth(result.step_mse):>8.2g}{cost:>11}")


def page_reruns() -> None:
    """Server CPU (process time, all threads) of page reruns once both default decoders are trained."""
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from cpu_timer import cpu_seconds as cpu

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "pages" / "seq2seq.py"), default_timeout=300)
    at.run()
    for label in ("Train the parallel decoder", "Train the autoregressive decoder"):
        next(b for b in at.button if b.label == label).click()
        at.run()
    at.run()

    windows = iter(range(1, 60))
    print(f"page rerun, nothing changed (both trained)        {cpu(lambda: at.run(), 5):.3f} CPU s")
    print(f"page rerun, animation window moved (new figure)   "
          f"{cpu(lambda: at.slider(key='s2s_decode_window').set_value(next(windows)).run(), 5):.3f} CPU s")
    print(f"page rerun, back to a window seen before (cached) "
          f"{cpu(lambda: at.slider(key='s2s_decode_window').set_value(3).run(), 5):.3f} CPU s")


def main() -> None:
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    defaults = Settings()
    print(f"default sine task: history 5, horizon 5, f = 0.05, no noise; hidden {defaults.hidden_size}, "
          f"{defaults.epochs} epochs, lr {defaults.lr}, batch {defaults.batch_size}; "
          f"autoregressive: teacher forcing {defaults.teacher_forcing} ({defaults.schedule} decay)")
    train(sine_windows(), Settings(epochs=1))  # warm-up: torch's first calls pay one-off set-up costs
    print()
    print(f"{'mode':<16}{'seed':>5}{'to MSE<1e-3 (s)':>17}{'epochs':>8}{'full run (s)':>14}{'final MSE':>12}")
    for mode in MODES:
        for seed in SEEDS:
            seconds, epochs, total, final = time_to_target(mode, seed)
            shown = f"{seconds:.2f}" if seconds is not None else "not reached"
            print(f"{mode:<16}{seed:>5}{shown:>17}{epochs or '-':>8}{total:>14.2f}{final:>12.2e}")
    print()
    print("inference, one no-gradient call, median of 15 (ms):")
    print(f"{'batch':>7}{'T_y':>5}{'parallel':>11}{'autoregr.':>11}{'ratio':>7}")
    torch.manual_seed(0)
    model = Seq2Seq(1, defaults.hidden_size, 1).eval()
    for batch, horizon in ((76, 5), (512, 5), (76, 20), (512, 20)):
        x = torch.randn(batch, 5, 1)
        times = {mode: inference_seconds(model, x, horizon, mode) * 1e3 for mode in MODES}
        print(f"{batch:>7}{horizon:>5}{times['parallel']:>11.3f}{times['autoregressive']:>11.3f}"
              f"{times['autoregressive'] / times['parallel']:>7.1f}")


if __name__ == "__main__":
    main()
    print()
    demo_defaults()
    print()
    page_reruns()
