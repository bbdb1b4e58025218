"""Thinning long series for display keeps their envelope and never aliases a season."""

import numpy as np
import pandas as pd

from playground.figures.style import sample_positions, thin


def test_short_series_are_untouched():
    series = pd.Series(np.arange(10.0))
    assert thin(series, 100) is series


def test_thinning_keeps_every_bucket_extreme_and_the_daily_cycle():
    hours = pd.date_range("2020-01-01", periods=24 * 400, freq="h")
    daily = pd.Series(np.sin(2 * np.pi * hours.hour / 24), index=hours)
    shown = thin(daily, 1000)
    assert len(shown) <= 1000 + 48
    assert shown.max() == daily.max() and shown.min() == daily.min()  # the swing survives
    assert shown.index.is_monotonic_increasing
    assert shown.index.hour.nunique() > 2  # every-k-th-point thinning would keep one hour only


def test_missing_values_stay_missing():
    series = pd.Series(np.r_[np.full(500, np.nan), np.arange(20_000.0), np.full(500, np.nan)])
    shown = thin(series, 2000)
    assert np.isnan(shown.iloc[0]) and np.isnan(shown.iloc[-1])
    assert np.nanmax(shown) == 19_999.0


def test_sample_positions_is_fixed_and_bounded():
    mask = np.ones(50_000, dtype=bool)
    mask[::7] = False
    first, second = sample_positions(mask, 1000), sample_positions(mask, 1000)
    assert len(first) == 1000 and (first == second).all() and mask[first].all()
    assert len(sample_positions(mask[:100], 1000)) == mask[:100].sum()


def test_every_figure_gets_the_white_template_even_after_streamlit_set_its_own():
    import plotly.graph_objects as go
    import plotly.io as pio
    import streamlit  # noqa: F401  (its import makes its placeholder-colour template the default)

    from playground.figures.style import legible

    white = pio.templates["plotly_white"].to_plotly_json()["layout"]
    pio.templates.default = "streamlit"
    first = legible(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])))  # made under Streamlit's default
    second = legible(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])))
    for figure in (first, second):
        assert figure.to_dict()["layout"]["template"]["layout"] == white
