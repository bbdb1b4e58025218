"""Decomposition figures: what a long remainder looks like, the trend alone."""

import numpy as np
import pandas as pd

from playground.decomposition import decompose
from playground.figures.decomposition import classical_steps_figure, components_figure
from playground.figures.style import MAX_DISPLAY_POINTS


def long_series(n=20_000):
    rng = np.random.default_rng(0)
    t = np.arange(n)
    return pd.Series(0.001 * t + np.sin(2 * np.pi * t / 24) + rng.normal(size=n),
                     index=pd.date_range("2020-01-01", periods=n, freq="h"))


def test_a_long_remainder_is_drawn_with_its_bulk_near_zero():
    fig = components_figure(decompose(long_series(), "additive", "classical", 24))
    points = [t for t in fig.data if t.mode == "markers"]
    assert len(points) == 1
    drawn = np.asarray(points[0].y, dtype=float)
    assert len(drawn) <= MAX_DISPLAY_POINTS
    # The remainder is about N(0, 1): two thirds of what is drawn lies within ±1 (the envelope drew only extremes).
    assert 0.6 < np.mean(np.abs(drawn) < 1) < 0.75
    band = [t for t in fig.data if t.fill == "tonexty"]
    assert band and np.median(np.asarray(band[0].y, dtype=float)) < -1.5  # the band's lower edge: the lowest values


def test_a_short_remainder_is_drawn_whole():
    series = long_series(300)
    fig = components_figure(decompose(series, "additive", "classical", 24))
    points = [t for t in fig.data if t.mode == "markers"]
    assert len(points[0].y) == 300 and not [t for t in fig.data if t.fill == "tonexty"]


def test_the_trend_alone_has_three_panels_and_two_steps():
    result = decompose(long_series(300), "additive", "trend", 25)
    assert [a.text for a in components_figure(result).layout.annotations] == [
        "Observed x_t", "Trend T_t", "Remainder E_t"]
    assert len(classical_steps_figure(result, []).layout.annotations) == 2
    assert list(result.components().columns) == ["observed", "trend", "resid"]
