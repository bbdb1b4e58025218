"""The path of the automatic ARIMA search: every model tried, in order, and the current best after each."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from playground.figures.style import COLORS, legible

STAGE_COLORS = {"start": COLORS["highlight"], "neighbour": COLORS["observed"], "constant switched": COLORS["seasonal"],
                "grid": COLORS["observed"], "refit by ML": COLORS["trend"]}


def short_name(model: str) -> str:
    """ARIMA(0,1,1)(0,1,1)[12] with drift -> (0,1,1)(0,1,1) +drift: short enough to label a point."""
    text = model.split(" with")[0].replace("ARIMA", "").split("[")[0]
    if "drift" in model:
        text += " +drift"
    elif "mean" in model:
        text += " +mean"
    return text


def search_path_figure(path: pd.DataFrame) -> go.Figure:
    """AICc of each model in the order the search fitted it; the line steps down at each new current best."""
    fig = go.Figure()
    fitted = path[path["AICc"].notna()]
    for stage, rows in fitted.groupby("stage", sort=False):
        fig.add_trace(go.Scatter(
            x=rows["step"], y=rows["AICc"], mode="markers", name=stage,
            marker=dict(size=11, color=STAGE_COLORS.get(stage, COLORS["observed"]),
                        symbol="diamond" if stage == "refit by ML" else "circle"),
            text=rows["model"], hovertemplate="%{text}<br>AICc %{y:.2f}<extra></extra>"))
    refused = path[path["AICc"].isna()]
    if len(refused) and len(fitted):
        top = float(fitted["AICc"].max())
        fig.add_trace(go.Scatter(
            x=refused["step"], y=np.full(len(refused), top), mode="markers", name="refused",
            marker=dict(size=11, symbol="x", color=COLORS["resid"]),
            text=refused["model"] + ": " + refused["note"], hovertemplate="%{text}<extra></extra>"))
    # After a CSS search the ML refit has an exact AICc on another scale: it gets its own marker, not the line.
    searched = path[path["stage"] != "refit by ML"]
    best = searched[searched["current best"]]
    if len(best):
        steps = np.r_[best["step"].to_numpy(), searched["step"].max()]
        values = np.r_[best["AICc"].to_numpy(), best["AICc"].iloc[-1]]
        fig.add_trace(go.Scatter(x=steps, y=values, mode="lines", name="current best",
                                 line=dict(color=COLORS["trend"], width=2.5, shape="hv")))
        for k, (_, row) in enumerate(best.iterrows()):  # below and above in turn, so that neighbours do not overlap
            fig.add_annotation(x=row["step"], y=row["AICc"], text=short_name(row["model"]), showarrow=False,
                               yshift=-18 if k % 2 == 0 else 18, font=dict(size=14, color=COLORS["trend"]))
    for _, row in path[(path["stage"] == "refit by ML") & path["current best"]].iterrows():
        fig.add_annotation(x=row["step"], y=row["AICc"], text="chosen: exact AICc", showarrow=False, xanchor="right",
                           xshift=-10, font=dict(size=14, color=COLORS["trend"]))
    fig.update_xaxes(title="model number (order tried)", dtick=5 if len(path) > 12 else 1)
    fig.update_yaxes(title="AICc (lower is better)")
    fig = legible(fig, height=380)
    fig.update_layout(hovermode="closest")
    return fig
