"""Figures for the decomposition page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.decomposition import Decomposition, ResidualCheck, cycle_means
from playground.figures.style import (
    COLORS, MAX_DISPLAY_POINTS, acf_bars, legible, line, plain_text, sample_positions,
)

BAND_GREY = "rgba(108, 108, 108, 0.22)"
COMPONENT_TITLES = {"observed": "Observed x_t", "trend": "Trend T_t", "seasonal": "Seasonal S_t",
                    "resid": "Remainder E_t"}


def series_figure(series: pd.Series, title: str | None = None) -> go.Figure:
    fig = go.Figure(line(series, plain_text(series.name or "value"), COLORS["observed"]))
    return legible(fig, height=360, title=title)


def components_figure(result: Decomposition, height: int = 620) -> go.Figure:
    """Observed, trend, seasonal (when there is one) and remainder stacked on one shared time axis."""
    names = ["observed", "trend", "seasonal", "resid"] if result.has_season else ["observed", "trend", "resid"]
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.05,
                        subplot_titles=[COMPONENT_TITLES[n] for n in names])
    for row, name in enumerate(names, start=1):
        component = getattr(result, name)
        if name == "resid":
            for trace in remainder_traces(component):
                fig.add_trace(trace, row=row, col=1)
            centre = 0.0 if result.model == "additive" else 1.0
            fig.add_hline(y=centre, line=dict(color="black", width=1), row=row, col=1)
        else:
            fig.add_trace(line(component, name, COLORS[name]), row=row, col=1)
    fig.update_layout(showlegend=False, hovermode="x")
    fig.update_annotations(font_size=16)
    legible(fig, height=height)
    fig.update_layout(margin=dict(t=30, b=30))
    return fig


def remainder_traces(remainder: pd.Series) -> list[go.Scatter]:
    """The remainder as points. A long one: a fixed random sample of its points, over a band from the lowest
    to the highest value of each stretch, so that both the bulk near 0 and the extremes are drawn."""
    values = remainder.to_numpy(dtype=float)
    present = ~np.isnan(values)
    marker = dict(color=COLORS["resid"], size=4)
    if present.sum() <= MAX_DISPLAY_POINTS:
        return [go.Scatter(x=remainder.index, y=values, mode="markers", name="remainder", marker=marker)]
    picked = sample_positions(present)
    kept = np.flatnonzero(present)
    size = -(-len(kept) // (MAX_DISPLAY_POINTS // 10))  # 500 stretches
    whole = len(kept) // size * size
    stretches = values[kept[:whole]].reshape(-1, size)
    middles = remainder.index[kept[:whole:size] + size // 2]
    low, high = stretches.min(axis=1), stretches.max(axis=1)
    return [
        go.Scatter(x=middles, y=high, mode="lines", line=dict(width=0), hoverinfo="skip", name="highest"),
        go.Scatter(x=middles, y=low, mode="lines", line=dict(width=0), fill="tonexty", fillcolor=BAND_GREY,
                   hoverinfo="skip", name="range"),
        go.Scatter(x=remainder.index[picked], y=values[picked], mode="markers", name="remainder (a sample)",
                   marker=marker),
    ]


def seasonal_profile_figure(result: Decomposition, labels: list[str]) -> go.Figure:
    """The seasonal pattern of one cycle, with the detrended values it averages behind it."""
    period = result.periods[0]
    fig = go.Figure()
    if result.steps is not None:
        behind, name, profile = result.steps.detrended.to_numpy(), "detrended values", result.steps.indices
    else:
        behind = result.seasonals.iloc[:, 0].to_numpy()
        name, profile = "seasonal component, every cycle", cycle_means(behind, period)
    keep = sample_positions(~np.isnan(behind))
    fig.add_trace(go.Box(x=[labels[p] for p in keep % period], y=behind[keep], name=name,
                         marker_color=COLORS["resid"], boxpoints="all", jitter=0.4, pointpos=0,
                         line=dict(width=1), fillcolor="rgba(0,0,0,0)", marker=dict(size=4)))
    fig.add_trace(go.Scatter(x=labels, y=profile, mode="lines+markers", name="seasonal index",
                             line=dict(color=COLORS["seasonal"], width=3.5), marker=dict(size=9)))
    centre = 0.0 if result.model == "additive" else 1.0
    fig.add_hline(y=centre, line=dict(color="black", width=1))
    fig.update_xaxes(title="position in the cycle", type="category", categoryorder="array", categoryarray=labels)
    return legible(fig, height=420)


def acf_figure(check: ResidualCheck) -> go.Figure:
    fig = go.Figure(acf_bars(check.acf, check.bound, "ACF of the remainder"))
    fig.update_xaxes(title="lag")
    fig.update_yaxes(title="autocorrelation", range=[-1, 1])
    fig.update_layout(hovermode="closest")
    return legible(fig, height=360)


def classical_steps_figure(result: Decomposition, labels: list[str]) -> go.Figure:
    """The four steps: the centred moving average, the detrended series, the indices, the remainder.

    Without a season (the trend alone) there are two: the moving average and the remainder.
    """
    series, steps, model = result.observed, result.steps, result.model
    period = result.periods[0]
    op = "−" if model == "additive" else "÷"
    ma = f"centred {'2×' if period % 2 == 0 else ''}{period}-MA of x_t (empty at both ends)"
    if not result.has_season:
        fig = make_subplots(rows=2, cols=1, vertical_spacing=0.14,
                            subplot_titles=[f"1. Trend: {ma}", f"2. Remainder: x_t {op} T_t"])
        fig.add_trace(line(series, "x_t", COLORS["observed"]), row=1, col=1)
        fig.add_trace(line(steps.trend, "T_t", COLORS["trend"], width=3), row=1, col=1)
        fig.add_trace(line(result.resid, "E_t", COLORS["resid"]), row=2, col=1)
        fig.update_layout(showlegend=False, hovermode="x")
        return legible(fig, height=520)
    fig = make_subplots(
        rows=4, cols=1, vertical_spacing=0.09,
        subplot_titles=[
            f"1. Trend: {ma}",
            f"2. Detrended: x_t {op} T_t",
            "3. Seasonal indices: average per position, then normalised",
            f"4. Remainder: x_t {op} T_t {op} S_t",
        ],
    )
    fig.add_trace(line(series, "x_t", COLORS["observed"]), row=1, col=1)
    fig.add_trace(line(steps.trend, "T_t", COLORS["trend"], width=3), row=1, col=1)
    fig.add_trace(line(steps.detrended, "detrended", COLORS["resid"]), row=2, col=1)
    fig.add_trace(go.Bar(x=labels, y=steps.raw_indices, name="average per position", marker_color="#b7c4de"),
                  row=3, col=1)
    fig.add_trace(go.Scatter(x=labels, y=steps.indices, name="normalised index S", mode="lines+markers",
                             line=dict(color=COLORS["seasonal"], width=3)), row=3, col=1)
    fig.add_trace(line(result.resid, "E_t", COLORS["resid"]), row=4, col=1)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, row=3, col=1)
    if model == "multiplicative":
        fig.update_yaxes(range=[min(0.0, float(np.nanmin(steps.raw_indices)) * 0.95),
                                float(np.nanmax(steps.raw_indices)) * 1.05], row=3, col=1)
    fig.update_layout(showlegend=False, hovermode="x")
    return legible(fig, height=900)
