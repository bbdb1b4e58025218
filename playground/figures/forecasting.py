"""Figures for the forecasting page: forecasts with bands, SES weights, stationarity tools,
rolling-origin animation, residual diagnostics, training losses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.style import COLORS, acf_bars, animation_controls, legible, line, plain_text, thin

# One colour and one dash per method, the same in every figure and whichever methods are picked. The
# dash tells the family apart (benchmarks dotted, smoothing solid, ARIMA dashed, neural nets dash-dot);
# none of the colours is close to the navy of the data line.
METHOD_STYLES = {
    "Mean": ("#7f7f7f", "dot"), "Naive": ("#d62728", "dot"), "Seasonal naive": ("#ff7f0e", "dot"),
    "Drift": ("#8c564b", "dot"), "Moving average": ("#bcbd22", "dot"),
    "Simple exp. smoothing": ("#17becf", "solid"), "Holt": ("#9467bd", "solid"), "Holt–Winters": ("#2ca02c", "solid"),
    "ARIMA": ("#e377c2", "dash"), "SARIMA": ("#7b4173", "dash"), "Auto ARIMA": ("#00441b", "dash"),
    "NARN": ("#e6a800", "dashdot"), "LSTM": ("#0072b2", "dashdot"), "GRU": ("#c2185b", "dashdot"),
}
OTHER_STYLE = ("#555555", "longdash")
TEST_COLOR = "#111111"


def method_colors(labels) -> dict[str, str]:
    return {label: method_style(label)[0] for label in labels}


def method_style(label: str) -> tuple[str, str]:
    """(colour, dash) of a method by its label; a derived label such as 'Auto ARIMA: ARIMA(…)' keeps its method's."""
    return METHOD_STYLES.get(str(label).split(":")[0], OTHER_STYLE)


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _band(lower: pd.Series, upper: pd.Series, color: str, alpha: float, name: str, group: str) -> go.Scatter:
    x = list(lower.index) + list(upper.index[::-1])
    y = np.r_[lower.to_numpy(), upper.to_numpy()[::-1]]
    return go.Scatter(x=x, y=y, fill="toself", fillcolor=_rgba(color, alpha), line=dict(width=0), name=name,
                      legendgroup=group, showlegend=False, hoverinfo="skip")


def forecast_figure(train: pd.Series, test: pd.Series, forecasts: dict, bands_for: list[str] | None = None,
                    history: int | None = None, colors: dict | None = None) -> go.Figure:
    """The end of the training data, the test data, and every method's forecast; 80%/95% bands where asked."""
    shown_train = train.iloc[-history:] if history else train
    colors = colors or method_colors(forecasts)
    fig = go.Figure()
    fig.add_trace(line(shown_train, "training data", COLORS["observed"]))
    shown_test = thin(test)
    fig.add_trace(go.Scatter(x=shown_test.index, y=shown_test.to_numpy(), name="test data (actual)", mode="lines",
                             line=dict(color=TEST_COLOR, width=2.6, dash="dot")))
    for label, result in forecasts.items():
        color = colors[label]
        if bands_for and label in bands_for and result.has_intervals:
            fig.add_trace(_band(result.lower[95], result.upper[95], color, 0.12, f"{label} 95%", label))
            fig.add_trace(_band(result.lower[80], result.upper[80], color, 0.25, f"{label} 80%", label))
        fig.add_trace(go.Scatter(x=result.mean.index, y=result.mean.to_numpy(), name=label, legendgroup=label,
                                 mode="lines", line=dict(color=color, width=3, dash=method_style(label)[1])))
    if len(test):
        fig.add_vline(x=test.index[0], line=dict(color="#888", width=1, dash="dash"))
    fig.update_yaxes(title=plain_text(train.name or "value"))
    return legible(fig, height=500)


def ses_weights_figure(alpha: float, weights: np.ndarray, on_initial: float, bars: int = 20) -> go.Figure:
    """α(1−α)^k on y_(T−k): how quickly simple exponential smoothing forgets."""
    shown = weights[:bars]
    labels = ["y_T"] + [f"y_(T−{k})" for k in range(1, len(shown))]
    fig = go.Figure(go.Bar(x=labels, y=shown, marker_color=COLORS["observed"],
                           hovertemplate="%{x}: weight %{y:.4f}<extra></extra>", name="weight α(1−α)^k"))
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_yaxes(title="weight", range=[0, max(float(shown.max()) * 1.1, 0.05)])
    total = float(shown.sum())
    fig.add_annotation(x=1, xref="paper", y=1, yref="paper", xanchor="right", showarrow=False,
                       text=f"α = {alpha:.3f} · these {len(shown)} bars sum to {total:.3f} · ℓ0 keeps {on_initial:.3g}")
    fig.update_layout(hovermode="closest", showlegend=False)
    return legible(fig, height=340)


def stationarity_figure(series: pd.Series, stats: pd.DataFrame, window: int) -> go.Figure:
    """The series with its rolling mean, and the rolling variance below: flat lines suggest stationarity."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12, row_heights=[0.62, 0.38],
                        subplot_titles=[f"Series and its rolling mean ({window} steps)", "Rolling variance"])
    fig.add_trace(line(series, "series", COLORS["observed"]), row=1, col=1)
    fig.add_trace(line(stats["mean"], "rolling mean", COLORS["trend"], width=3), row=1, col=1)
    fig.add_trace(line(stats["variance"], "rolling variance", COLORS["seasonal"], width=3), row=2, col=1)
    legible(fig, height=540)
    # The legend goes to the right of the plot: above it, it would sit on the first subplot's title.
    fig.update_layout(legend=dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top"),
                      margin=dict(r=170))
    return fig


def correlogram_figure(correlogram, title: str = "") -> go.Figure:
    """ACF and PACF side by side, with the ±1.96/√n band of white noise."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=["ACF: suggests q (and Q)", "PACF: suggests p (and P)"],
                        horizontal_spacing=0.08)
    for col, values, name in ((1, correlogram.acf, "ACF"), (2, correlogram.pacf, "PACF")):
        for trace in acf_bars(values, correlogram.bound, name):
            trace.showlegend = col == 1 and trace.name.startswith("±")
            fig.add_trace(trace, row=1, col=col)
        fig.update_xaxes(title="lag", row=1, col=col)
    fig.update_yaxes(range=[-1, 1])
    fig.update_layout(hovermode="closest")
    legible(fig, height=400, title=title or None)
    # Under the plot: above it the legend would sit on the subplot titles.
    fig.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=-0.2, yanchor="top"),
                      margin=dict(b=95))
    return fig


def differencing_figure(original: pd.Series, differenced: pd.Series, label: str) -> go.Figure:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=["Before differencing", label])
    fig.add_trace(line(original, "before", COLORS["observed"]), row=1, col=1)
    fig.add_trace(line(differenced, "after", COLORS["trend"]), row=2, col=1)
    fig.add_hline(y=0, line=dict(color="black", width=1), row=2, col=1)
    fig.update_layout(showlegend=False, hovermode="x")
    return legible(fig, height=500)


def residuals_figure(diagnostics, title: str = "") -> go.Figure:
    """Residuals over time, their ACF and their histogram (FPP3 §5.4's three checks)."""
    resid = diagnostics.residuals
    fig = make_subplots(rows=2, cols=2, specs=[[{"colspan": 2}, None], [{}, {}]], vertical_spacing=0.16,
                        subplot_titles=["Residuals over time", "ACF of the residuals", "Histogram"])
    shown = thin(resid)
    fig.add_trace(go.Scatter(x=shown.index, y=shown.to_numpy(), mode="lines+markers",
                             name="residual", line=dict(color=COLORS["resid"], width=1.5), marker=dict(size=4)),
                  row=1, col=1)
    fig.add_hline(y=0, line=dict(color="black", width=1), row=1, col=1)
    for trace in acf_bars(diagnostics.acf, diagnostics.bound, "ACF"):
        fig.add_trace(trace, row=2, col=1)
    fig.add_trace(go.Histogram(x=resid.to_numpy(), nbinsx=30, marker_color=COLORS["observed"], name="count"),
                  row=2, col=2)
    fig.update_xaxes(title="lag", row=2, col=1)
    fig.update_yaxes(range=[-1, 1], row=2, col=1)
    fig.update_layout(showlegend=False, hovermode="closest")
    return legible(fig, height=620, title=title or None)


def loss_figure(losses: list[float]) -> go.Figure:
    fig = go.Figure(go.Scatter(x=np.arange(1, len(losses) + 1), y=losses, mode="lines", name="training loss",
                               line=dict(color=COLORS["trend"], width=3)))
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="MSE (scaled)", rangemode="tozero")
    return legible(fig, height=320, title="Training loss: mean squared error on the scaled data")


def rolling_origin_figure(series: pd.Series, sizes: list[int], horizon: int, forecasts: list | None,
                          label: str = "") -> go.Figure:
    """Animated expanding windows: at each origin, the training window, the test window after it and
    (if given) the forecast made from it. Frames run in the browser, with play/pause and a slider."""
    values = series.to_numpy(dtype=float)
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    pad = 0.05 * (high - low or 1.0)
    low, high = low - pad, high + pad
    index = series.index

    def window(start, stop, color, name):
        x0, x1 = index[start], index[min(stop, len(index) - 1)]
        return go.Scatter(x=[x0, x1, x1, x0, x0], y=[low, low, high, high, low], fill="toself", fillcolor=color,
                          line=dict(width=0), name=name, hoverinfo="skip", mode="lines")

    def frame_traces(k):
        size = sizes[k]
        traces = [window(0, size - 1, "rgba(31, 59, 115, 0.16)", "training window"),
                  window(size, size + horizon - 1, "rgba(237, 174, 73, 0.35)", "test window")]
        predicted = forecasts[k] if forecasts else None
        if predicted is not None:
            traces.append(go.Scatter(x=predicted.index, y=predicted.to_numpy(), mode="lines", name=f"{label} forecast",
                                     line=dict(color=COLORS["trend"], width=3)))
        else:
            traces.append(go.Scatter(x=[], y=[], mode="lines", name=f"{label} forecast",
                                     line=dict(color=COLORS["trend"], width=3)))
        return traces

    fig = go.Figure(data=[*frame_traces(0), line(series, "series", COLORS["observed"])])
    fig.frames = [go.Frame(data=frame_traces(k), traces=[0, 1, 2], name=str(k)) for k in range(len(sizes))]
    animation_controls(fig, [f"{k + 1}" for k in range(len(sizes))], 0, 700, y=-0.12, prefix="origin ")
    fig.layout.sliders[0].update(x=0.3, len=0.7)  # clear of the two buttons
    fig.update_yaxes(range=[low, high])
    legible(fig, height=520)
    fig.update_layout(margin=dict(b=140))
    return fig
