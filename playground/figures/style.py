"""One look for every figure: large type and thick lines that survive a projector."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

FONT_SIZE = 17
LINE_WIDTH = 2.2
MAX_DISPLAY_POINTS = 5_000
COLORS = {
    "observed": "#1f3b73",
    "trend": "#d1495b",
    "seasonal": "#2e8b57",
    "resid": "#6c6c6c",
    "highlight": "#edae49",
    "band": "rgba(31, 59, 115, 0.15)",
}


def plain_text(text) -> str:
    """User text (column names, labels) for plotly, which reads < > & as HTML tags and entities."""
    return str(text).replace("&", "&amp;").replace("<", "⟨").replace(">", "⟩")


TEMPLATE = "plotly_white"


def _white_template(fig: go.Figure) -> None:
    """Make plotly_white the default template, which a new figure takes when it is made. Naming it in every
    figure's layout costs ~10× the rest of styling a small figure (plotly validates the whole template again),
    for the same JSON. Importing Streamlit sets its own default, with placeholder colours that only its theme
    fills in (the pages draw with theme=None): whichever came first, the figure in hand is switched too."""
    if pio.templates.default != TEMPLATE:
        pio.templates.default = TEMPLATE
        fig.update_layout(template=TEMPLATE)


def legible(fig: go.Figure, height: int = 420, title: str | None = None) -> go.Figure:
    _white_template(fig)
    fig.update_layout(
        height=height,
        title=title,
        font=dict(size=FONT_SIZE),
        margin=dict(l=70, r=20, t=60 if title else 30, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hovermode="x unified",
    )
    return fig


PRESENTER_FONT_SIZE = 21
PRESENTER_LINE_SCALE = 1.5


class Drawn(go.Figure):
    """A finished figure as plotly JSON, made once. Streamlit's plotly_chart calls `to_dict()` on every rerun (a
    deep copy and a base64 pass over every array: ~10 ms for 350 KB), and validates a plain dict again: a figure
    that many sessions draw from a cache is converted once instead, and its presenter-mode look once too."""

    def __init__(self, spec: dict):
        super().__init__()
        self._spec = spec
        self._presenting = None

    @classmethod
    def of(cls, figure: go.Figure) -> Drawn:
        return figure if isinstance(figure, Drawn) else cls(figure.to_dict())

    def to_dict(self) -> dict:
        return self._spec

    def to_plotly_json(self) -> dict:
        return self._spec

    def for_presenting(self) -> Drawn:
        """Larger type and thicker lines for a projector."""
        if self._presenting is None:
            spec = copy.deepcopy(self._spec)
            spec.setdefault("layout", {}).setdefault("font", {})["size"] = PRESENTER_FONT_SIZE
            for trace in spec.get("data", []):
                line = trace.get("line")
                if isinstance(line, dict) and isinstance(line.get("width"), (int, float)):
                    line["width"] = line["width"] * PRESENTER_LINE_SCALE
            self._presenting = Drawn(spec)
        return self._presenting


def thin(series: pd.Series, max_points: int = MAX_DISPLAY_POINTS) -> pd.Series:
    """At most about `max_points` points that keep the curve's envelope: the min and max of each bucket.

    A long series would make the browser sluggish; taking every k-th point instead would alias a
    seasonal pattern whose period divides k (every 24th hour is always the same hour).
    """
    n = len(series)
    if n <= max_points:
        return series
    k = int(np.ceil(2 * n / max_points))
    values = series.to_numpy(dtype=float)
    whole = n // k * k
    blocks = values[:whole].reshape(-1, k)
    lowest = np.where(np.isnan(blocks), np.inf, blocks).argmin(axis=1)
    highest = np.where(np.isnan(blocks), -np.inf, blocks).argmax(axis=1)
    starts = np.arange(0, whole, k)
    picked = np.unique(np.r_[starts + lowest, starts + highest, np.arange(whole, n)])
    return series.iloc[picked]


def sample_positions(mask: np.ndarray, max_points: int = MAX_DISPLAY_POINTS) -> np.ndarray:
    """Positions where `mask` holds, a fixed random subset of them when there are too many to draw."""
    positions = np.flatnonzero(mask)
    if len(positions) > max_points:
        positions = np.sort(np.random.default_rng(0).choice(positions, max_points, replace=False))
    return positions


def line(series: pd.Series, name: str, color: str, **kwargs) -> go.Scatter:
    shown = thin(series)
    return go.Scatter(x=shown.index, y=shown.to_numpy(), name=name, mode="lines",
                      line=dict(color=color, width=kwargs.pop("width", LINE_WIDTH)), **kwargs)


def acf_bars(correlations: np.ndarray, bound: float, name: str = "ACF") -> list[go.BaseTraceType]:
    """Bars for lags 1..k with the ±bound band of a white-noise ACF."""
    lags = np.arange(1, len(correlations))
    outside = np.abs(correlations[1:]) > bound
    colors = np.where(outside, COLORS["trend"], COLORS["observed"])
    return [
        go.Bar(x=lags, y=correlations[1:], name=name, marker_color=colors, width=0.6,
               hovertemplate="lag %{x}: %{y:.3f}<extra></extra>"),
        go.Scatter(x=[0.5, lags[-1] + 0.5, lags[-1] + 0.5, 0.5], y=[bound, bound, -bound, -bound],
                   fill="toself", fillcolor=COLORS["band"], line=dict(width=0), mode="lines", name="±1.96/√n",
                   hoverinfo="skip"),
    ]


def animation_controls(fig: go.Figure, labels: list[str], start: int, frame_ms: int, y: float,
                       prefix: str = "step ") -> None:
    """▶ Play / ❚❚ Pause and a slider over the frames named "0", "1", …; all of it runs in the browser.

    `labels` name the slider's steps, `start` is the frame shown first, `y` (paper units) the top of the
    controls, usually just under the plot."""
    play = dict(label="▶ Play", method="animate",
                args=[None, dict(frame=dict(duration=frame_ms, redraw=True), fromcurrent=True,
                                 transition=dict(duration=0), mode="immediate")])
    pause = dict(label="❚❚ Pause", method="animate",
                 args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate",
                                    transition=dict(duration=0))])
    steps = [dict(method="animate", label=label,
                  args=[[str(i)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                       transition=dict(duration=0))])
             for i, label in enumerate(labels)]
    fig.update_layout(
        updatemenus=[dict(type="buttons", direction="left", buttons=[play, pause], x=0, y=y, xanchor="left",
                          yanchor="top", pad=dict(t=28, r=10), font=dict(size=17), showactive=False)],
        sliders=[dict(active=start, steps=steps, x=0.22, len=0.78, y=y, yanchor="top", pad=dict(t=10),
                      currentvalue=dict(prefix=prefix, font=dict(size=18)), font=dict(size=12),
                      transition=dict(duration=0))],
    )
