"""Figures for the decomposition page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.decomposition import Decomposition, ResidualCheck, cycle_means
from playground.figures.style import COLORS, acf_bars, legible, line, plain_text, sample_positions, thin

COMPONENT_TITLES = {"observed": "Observed x_t", "trend": "Trend T_t", "seasonal": "Seasonal S_t",
                    "resid": "Remainder E_t"}


def series_figure(series: pd.Series, title: str | None = None) -> go.Figure:
    fig = go.Figure(line(series, plain_text(series.name or "value"), COLORS["observed"]))
    return legible(fig, height=360, title=title)


def components_figure(result: Decomposition) -> go.Figure:
    """Observed, trend, seasonal and remainder stacked on one shared time axis."""
    names = ["observed", "trend", "seasonal", "resid"]
    fig = make_subplots(rows=4, cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        subplot_titles=[COMPONENT_TITLES[n] for n in names])
    for row, name in enumerate(names, start=1):
        component = getattr(result, name)
        if name == "resid":
            centre = 0.0 if result.model == "additive" else 1.0
            shown = thin(component)
            fig.add_trace(go.Scatter(x=shown.index, y=shown.to_numpy(), mode="markers", name="remainder",
                                     marker=dict(color=COLORS["resid"], size=4)), row=row, col=1)
            fig.add_hline(y=centre, line=dict(color="black", width=1), row=row, col=1)
        else:
            fig.add_trace(line(component, name, COLORS[name]), row=row, col=1)
    fig.update_layout(showlegend=False, hovermode="x")
    return legible(fig, height=760)


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
    """The four steps: the centred moving average, the detrended series, the indices, the remainder."""
    series, steps, model = result.observed, result.steps, result.model
    period = len(steps.indices)
    op = "−" if model == "additive" else "÷"
    fig = make_subplots(
        rows=4, cols=1, vertical_spacing=0.09,
        subplot_titles=[
            f"1. Trend: centred {'2×' if period % 2 == 0 else ''}{period}-MA of x_t (empty at both ends)",
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
