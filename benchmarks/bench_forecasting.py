"""Forecasting page figures: automatic ARIMA search, neural training, reruns when only the horizon changes.

Run from the repository root:  python benchmarks/bench_forecasting.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import playground.forecasting as fc  # noqa: E402
from playground.data import load_series  # noqa: E402

AIR = load_series(ROOT / "sample_data" / "AirPassengers.csv").series
TRAIN = AIR.iloc[:115]  # the page's default 80% split
HORIZON = len(AIR) - len(TRAIN)


def timed(function, repeats: int = 1):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def classical_fits() -> None:
    print("Classical fits on the AirPassengers training part (115 points, 29-step forecast), cold:")
    settings = {"naive": {}, "snaive": {"season": 12}, "drift": {}, "ses": {}, "holt": {"damped": True},
                "holt_winters": {"season": 12, "seasonal": "multiplicative"},
                "arima": {"order": (1, 1, 1)},
                "sarima": {"season": 12, "order": (0, 1, 1), "seasonal_order": (0, 1, 1), "transform": "log"}}
    for method, params in settings.items():
        seconds, _ = timed(lambda: fc.forecast(TRAIN, method, HORIZON, **params), repeats=3)
        print(f"  {method:<14} {seconds * 1000:8.1f} ms")


def auto_arima() -> None:
    print("Automatic ARIMA, R's stepwise search with its defaults (benchmarks/bench_arima.py times it against R):")
    for label, series in (("log AirPassengers, all 144 points", AIR), ("log AirPassengers, training part", TRAIN)):
        seconds, result = timed(lambda: fc.forecast(series, "auto_arima", 12, season=12, transform="log"))
        print(f"  {label:<36} {seconds:6.2f} s  → {result.details['chosen']} "
              f"(AICc {result.details['aicc']:.1f}, {result.details['tried']} models)")


def neural() -> None:
    seconds, _ = timed(lambda: __import__("torch"))
    print(f"Importing torch (once, on the first neural run): {seconds:.2f} s")
    print("Neural forecasters, page defaults (d = 12 lags, hidden 16, 200 epochs, learn the changes, seed 0):")
    for method in ("narn", "lstm", "gru"):
        seconds, result = timed(lambda: fc.forecast(TRAIN, method, HORIZON, lags=12, hidden_size=16, epochs=200,
                                                    seed=0, differences=1))
        score = fc.accuracy(AIR.iloc[115:], result.mean, TRAIN, season=12)
        print(f"  {method:<5} {seconds:6.2f} s in total, {result.details['training_seconds']:5.2f} s of training · "
              f"test MASE {score['MASE']:.2f}")


def page_reruns() -> None:
    import streamlit as st

    from tests.conftest import run_page

    st.cache_data.clear()
    st.cache_resource.clear()
    calls = []
    real = fc.forecast

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    fc.forecast = counting
    try:
        start = time.perf_counter()
        at = run_page("forecasting.py", timeout=300)
        cold = time.perf_counter() - start
        fits_cold = len(calls)
        warm = []
        for h in (6, 12, 18, 24, 29, 3, 9):
            start = time.perf_counter()
            at.slider(key="fc_horizon").set_value(h).run()
            warm.append(time.perf_counter() - start)
            assert not at.exception, [e.value for e in at.exception]
        fits_after = len(calls) - fits_cold
    finally:
        fc.forecast = real
    print("Page (AppTest, default methods naive, snaive, drift, Holt–Winters, SARIMA on AirPassengers):")
    print(f"  first run (cold caches)            {cold:6.2f} s, {fits_cold} fits")
    print(f"  rerun when only the horizon moves  median {statistics.median(warm) * 1000:6.0f} ms, "
          f"max {max(warm) * 1000:6.0f} ms over {len(warm)} changes; fits: {fits_after}")


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    classical_fits()
    auto_arima()
    neural()
    page_reruns()
