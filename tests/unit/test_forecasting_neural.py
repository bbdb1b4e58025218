"""Neural forecasters: seeded, quick, learn a clean pattern, and torch stays out of the classical path."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from playground.forecasting import ForecastError, accuracy, forecast

ROOT = Path(__file__).resolve().parents[2]
T = np.arange(160)
SINE = pd.Series(50 + 10 * np.sin(2 * np.pi * T / 12), index=pd.date_range("2000-01-01", periods=160, freq="MS"))
TRAIN, TEST = SINE.iloc[:136], SINE.iloc[136:]
TINY = dict(lags=12, hidden_size=8, epochs=60, seed=0)


def test_same_seed_same_forecast():
    first = forecast(TRAIN, "narn", 6, **TINY)
    second = forecast(TRAIN, "narn", 6, **TINY)
    pd.testing.assert_series_equal(first.mean, second.mean)
    pd.testing.assert_frame_equal(first.upper, second.upper)
    other = forecast(TRAIN, "narn", 6, **{**TINY, "seed": 1})
    assert not np.allclose(first.mean, other.mean)


@pytest.mark.parametrize("kind,epochs", [("narn", 150), ("lstm", 60), ("gru", 60)])
def test_learns_a_clean_seasonal_pattern(kind, epochs):
    result = forecast(TRAIN, kind, len(TEST), lags=12, hidden_size=12, epochs=epochs, seed=0, differences=0)
    ours = accuracy(TEST, result.mean, TRAIN, season=12)["MAE"]
    naive = accuracy(TEST, forecast(TRAIN, "naive", len(TEST)).mean, TRAIN)["MAE"]
    assert ours < 0.25 * naive, (ours, naive)
    assert result.details["losses"][-1] < result.details["losses"][0]


def test_intervals_surround_the_forecast_and_widen():
    result = forecast(TRAIN, "narn", 12, **TINY)
    assert np.all(result.lower[95] <= result.lower[80]) and np.all(result.lower[80] <= result.upper[80])
    assert np.all(result.upper[80] <= result.upper[95])
    width = result.upper[95] - result.lower[95]
    assert width.iloc[-1] >= width.iloc[0]


def test_fitted_values_line_up_with_the_data():
    result = forecast(TRAIN, "narn", 1, lags=12, hidden_size=12, epochs=150, seed=0, differences=1)
    assert result.fitted.iloc[:13].isna().all()  # one difference and 12 lags before the first fitted value
    assert result.residuals.dropna().abs().mean() < 1.0  # the amplitude is 10
    assert result.mean.index[0] == TEST.index[0]


def test_progress_is_reported():
    fractions = []
    forecast(TRAIN, "gru", 3, lags=6, hidden_size=4, epochs=10, seed=0,
             progress=lambda fraction, text: fractions.append(fraction))
    assert fractions and fractions[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("params,words", [
    ({"lags": 100}, "needs at least"),
    ({"lags": 500}, "between 1 and"),
    ({"hidden_size": 0}, "between 1 and"),
    ({"epochs": 5000}, "between 1 and"),
])
def test_bad_settings(params, words):
    with pytest.raises(ForecastError, match=words):
        forecast(TRAIN.iloc[:100], "lstm", 3, **{**TINY, **params})


def test_classical_methods_do_not_import_torch():
    code = ("import sys, pandas as pd; import playground.forecasting as f; "
            "s = pd.Series([t + (t % 3) for t in range(1, 60)], dtype=float); "
            "[f.forecast(s, m, 3) for m in ('naive', 'ses', 'arima')]; "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
