"""Decomposition page: server CPU per rerun (target: under 0.1 s when nothing new is computed), the cost of
the first visit of each sample, and the pieces behind it (defaults, the simulated remainder check, robust MSTL).

Run from the project root:  python benchmarks/bench_decomposition.py
CPU time is measured with time.process_time() around AppTest runs of the page (all threads of this process):
it is what one rerun costs the server, whatever else the machine is doing.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from playground import decomposition as dec  # noqa: E402
from playground.data import load_series  # noqa: E402
from playground.samples import SAMPLES  # noqa: E402
from cpu_timer import cpu_seconds as cpu  # noqa: E402


def page_reruns() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "decomposition.py"), default_timeout=300)
    print(f"{'sample':<16}{'first visit':>12}{'rerun':>9}{'model switched':>16}{'back again':>12}   (CPU s)")
    for key in SAMPLES:
        at.session_state["_kept_dataset"] = key
        first = cpu(lambda: at.run())
        rerun = cpu(lambda: at.run(), repeats=5)
        model = next(r for r in at.radio if r.key == "dec_model")
        other = "additive" if model.value == "multiplicative" else "multiplicative"
        switched = cpu(lambda: model.set_value(other).run())  # Melbourne: refused (values ≤ 0), a message
        model = next(r for r in at.radio if r.key == "dec_model")
        back = cpu(lambda: model.set_value("additive" if other == "multiplicative" else "multiplicative").run())
        print(f"{key:<16}{first:>12.3f}{rerun:>9.3f}{switched:>16.3f}{back:>12.3f}")


def pieces() -> None:
    electricity = load_series(SAMPLES["electricity"].path).series
    melbourne = load_series(SAMPLES["melbourne_temp"].path).series
    air = load_series(SAMPLES["air_passengers"].path).series
    print()
    print(f"choose_defaults, air passengers           {cpu(lambda: dec.choose_defaults(air)):6.3f} CPU s")
    print(f"choose_defaults, electricity (4,032)      {cpu(lambda: dec.choose_defaults(electricity)):6.3f} CPU s")
    print(f"choose_defaults, Melbourne (3,652)        {cpu(lambda: dec.choose_defaults(melbourne)):6.3f} CPU s")
    for label, shape in [("classical, n = 144, m = 12", dec.NullShape(144, "classical", (12,))),
                         ("classical, n = 3,288, m = 365", dec.NullShape(3288, "classical", (365,))),
                         ("STL, n = 144, m = 12", dec.NullShape(144, "stl", (12,))),
                         ("MSTL, n = 4,032, m = 48, 336", dec.NullShape(4032, "mstl", (48, 336)))]:
        print(f"simulated check (199 series), {label:<30}{cpu(lambda: dec.simulate_null(shape)):6.2f} CPU s")
    for robust in (False, True):
        seconds = cpu(lambda: dec.decompose(electricity, "additive", "mstl", (48, 336), robust=robust))
        print(f"MSTL of the electricity data, robust={robust!s:<5}  {seconds:6.3f} CPU s "
              "(R's stl settings; statsmodels' defaults took ~15 CPU s robust)")


def long_upload(points: int = 200_000) -> None:
    """A long hourly upload: the first render (load, defaults, decomposition, check) and a plain rerun."""
    import numpy as np
    import pandas as pd
    from streamlit.testing.v1 import AppTest

    index = pd.date_range("2000-01-01", periods=points, freq="h")
    values = np.round(np.sin(2 * np.pi * np.arange(points) / 24) + np.random.default_rng(0).normal(size=points), 3)
    content = pd.DataFrame({"time": index.strftime("%Y-%m-%d %H:%M"), "v": values}).to_csv(index=False).encode()
    at = AppTest.from_file(str(ROOT / "pages" / "decomposition.py"), default_timeout=300)
    at.session_state["_kept_dataset"] = "upload"
    at.run()
    at.file_uploader[0].upload("long.csv", content, "text/csv")
    first = cpu(lambda: at.run())
    print(f"{points:,}-point hourly upload: first render {first:.2f} CPU s, rerun {cpu(lambda: at.run(), 3):.3f} CPU s")


if __name__ == "__main__":
    long_upload()
    print()
    pieces()
    print()
    page_reruns()
