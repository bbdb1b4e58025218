"""Figures for the Seq2Seq page: the data split, predictions of both decoders, errors, encodings, attention."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.style import COLORS, LINE_WIDTH, animation_controls, legible, line
from playground.seq2seq_data import Windows

MODES = ("parallel", "autoregressive")

MODE_COLORS = {"parallel": COLORS["seasonal"], "autoregressive": COLORS["trend"]}
MODE_NAMES = {"parallel": "parallel", "autoregressive": "autoregressive"}
MODE_TITLES = {"parallel": "Parallel decoder", "autoregressive": "Autoregressive decoder"}
TRUTH = "#111111"


def split_figure(windows: Windows, title: str | None = None) -> go.Figure:
    """The series the windows are cut from, with the test period shaded."""
    values = pd.Series(windows.scaling.invert(windows.values), index=windows.index)
    index = windows.index
    fig = go.Figure(line(values, "x⟨t⟩", COLORS["observed"]))  # thinned for the browser when very long
    fig.add_vrect(x0=index[windows.split], x1=index[-1], fillcolor=COLORS["band"], line_width=0,
                  annotation_text="test", annotation_position="top left")
    fig.update_layout(showlegend=False)
    return legible(fig, height=280, title=title)


def predictions_figure(windows: Windows, predictions: dict[str, np.ndarray], picks: list[int]) -> go.Figure:
    """A few test windows, one row each; the parallel decoder on the left, the autoregressive on the right.

    Both panels of a row share their axes, so the two decoders' predictions of one window compare by eye.
    A decoder that is not trained yet gets an empty panel that says so.
    """
    history, horizon = windows.history, windows.horizon
    past_steps = np.arange(-history + 1, 1)
    future_steps = np.arange(1, horizon + 1)
    rows = len(picks)
    fig = make_subplots(rows=rows, cols=2, shared_yaxes=True, shared_xaxes=True, horizontal_spacing=0.04,
                        vertical_spacing=0.1 if rows > 1 else 0.0, column_titles=[MODE_TITLES[m] for m in MODES],
                        row_titles=[f"ending {windows.end_label(windows.test_starts[i])}" for i in picks])
    invert = windows.scaling.invert
    for row, i in enumerate(picks, start=1):
        seen = invert(windows.x_test[i, :, 0].numpy())
        truth = invert(windows.y_test[i, :, 0].numpy())
        for col, mode in enumerate(MODES, start=1):
            first = row == 1 and col == 1
            fig.add_trace(go.Scatter(x=past_steps, y=seen, mode="lines+markers", name="seen by the encoder",
                                     line=dict(color=COLORS["observed"], width=LINE_WIDTH), marker=dict(size=6),
                                     legendgroup="seen", showlegend=first), row=row, col=col)
            fig.add_trace(go.Scatter(x=future_steps, y=truth, mode="markers", name="truth y⟨k⟩",
                                     marker=dict(color=TRUTH, size=10, symbol="circle-open", line=dict(width=2)),
                                     legendgroup="truth", showlegend=first), row=row, col=col)
            if mode in predictions:
                fig.add_trace(go.Scatter(
                    x=np.r_[0, future_steps], y=np.r_[seen[-1], invert(predictions[mode][i])], mode="lines+markers",
                    name=f"ŷ⟨k⟩ {MODE_NAMES[mode]}", line=dict(color=MODE_COLORS[mode], width=3), marker=dict(size=7),
                    legendgroup=mode, showlegend=row == 1), row=row, col=col)
            elif row == 1:
                axis = "" if col == 1 else "2"  # the first row's panel of this decoder
                fig.add_annotation(text="not trained yet", showarrow=False, xref=f"x{axis} domain",
                                   yref=f"y{axis} domain", x=0.5, y=0.5, font=dict(size=18, color="#888888"))
            fig.add_vline(x=0.5, line=dict(color="#999999", width=1, dash="dot"), row=row, col=col)
    fig.update_xaxes(title_text="step (0 = last value seen)", row=rows)
    fig.update_annotations(font_size=15, selector=dict(textangle=90))
    height = 190 * rows + 150
    legible(fig, height=height)
    fig.update_layout(hovermode="closest", margin=dict(t=60, r=40, b=60), legend=_legend_below(height))
    return fig


def _legend_below(height: int) -> dict:
    """A legend under the x-axis title, where it cannot cover data however it wraps."""
    return dict(orientation="h", yanchor="top", y=-90 / (height - 120), xanchor="left", x=0)


def decoding_figure(windows: Windows, predictions: dict[str, np.ndarray], pick: int) -> go.Figure:
    """An animation of decoding one test window: frame k shows the autoregressive decoder after k steps.

    Left, the parallel decoder: every input is x⟨T_x⟩, so all T_y outputs come out of one pass (from frame 1).
    Right, the autoregressive decoder: output ŷ⟨k⟩ is fed back as the input of step k+1 (the arrow).
    Plotly frames: it plays in the browser, with no rerun.
    """
    history, horizon = windows.history, windows.horizon
    invert = windows.scaling.invert
    seen = invert(windows.x_test[pick, :, 0].numpy())
    truth = invert(windows.y_test[pick, :, 0].numpy())
    outputs = {m: invert(p[pick]) for m, p in predictions.items()}
    past_steps, future_steps = np.arange(-history + 1, 1), np.arange(1, horizon + 1)
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=[MODE_TITLES[m] for m in MODES])
    for col, mode in enumerate(MODES, start=1):
        fig.add_trace(go.Scatter(x=past_steps, y=seen, mode="lines+markers", name="seen by the encoder",
                                 line=dict(color=COLORS["observed"], width=LINE_WIDTH), marker=dict(size=6),
                                 showlegend=col == 1), row=1, col=col)
        fig.add_trace(go.Scatter(x=future_steps, y=truth, mode="markers", name="truth y⟨k⟩",
                                 marker=dict(color=TRUTH, size=10, symbol="circle-open", line=dict(width=2)),
                                 showlegend=col == 1), row=1, col=col)
    animated = []  # the trace of each decoder's outputs so far, updated by every frame
    for col, mode in enumerate(MODES, start=1):
        fig.add_trace(go.Scatter(x=[0], y=[seen[-1]], mode="lines+markers", name=f"ŷ⟨k⟩ {MODE_NAMES[mode]}",
                                 line=dict(color=MODE_COLORS[mode], width=3), marker=dict(size=9)), row=1, col=col)
        animated.append(len(fig.data) - 1)
    titles = list(fig.layout.annotations)
    low = float(np.nanmin(np.r_[seen, truth, *outputs.values()]))
    high = float(np.nanmax(np.r_[seen, truth, *outputs.values()]))
    fig.update_yaxes(range=[low - 0.1 * (high - low), high + 0.25 * (high - low)])
    fig.update_xaxes(range=[past_steps[0] - 0.5, horizon + 0.8])

    def frame(k: int) -> go.Frame:
        data, notes = [], list(titles)
        for mode in MODES:
            shown = 0 if mode not in outputs else (horizon if mode == "parallel" and k >= 1 else k)
            values = outputs.get(mode, np.array([]))[:shown]
            data.append(go.Scatter(x=np.r_[0, future_steps[:shown]], y=np.r_[seen[-1], values]))
        if "autoregressive" in outputs and 1 <= k < horizon:
            value = outputs["autoregressive"][k - 1]
            notes.append(dict(x=k + 1, y=value, ax=k, ay=value, xref="x2", yref="y2", axref="x2", ayref="y2",
                              showarrow=True, arrowhead=3, arrowwidth=2.5, arrowcolor=MODE_COLORS["autoregressive"],
                              text=f"ŷ⟨{k}⟩ → input of step {k + 1}", font=dict(size=15), yshift=18,
                              xanchor="right" if k > horizon / 2 else "auto"))
        note = (f"step {k} of {horizon}: autoregressive {k} output{'s' if k != 1 else ''} from {k} decoder "
                f"call{'s' if k != 1 else ''}; parallel all {horizon} from 1 pass" if k else
                f"step 0 of {horizon}: nothing decoded yet")
        notes.append(dict(text=note, x=0, y=1.0, yshift=34, xref="paper", yref="paper", showarrow=False,
                          xanchor="left", yanchor="bottom", font=dict(size=17)))
        return go.Frame(name=str(k), data=data, traces=animated, layout=dict(annotations=notes))

    frames = [frame(k) for k in range(horizon + 1)]
    fig.frames = frames
    fig.update_layout(annotations=frames[0].layout.annotations)
    for trace, update in zip(animated, frames[0].data):
        fig.data[trace].update(x=update.x, y=update.y)
    animation_controls(fig, [str(k) for k in range(horizon + 1)], 0, 700, y=-0.24, prefix="step k = ")
    fig.layout.updatemenus[0].update(y=-0.3, pad=dict(t=0, r=10))
    fig.layout.sliders[0].update(x=0.3, len=0.7, pad=dict(t=0), currentvalue=dict(xanchor="right"))
    fig.update_xaxes(title_text="step (0 = last value seen)")
    legible(fig, height=540)
    # No legend: the panels' titles name the decoders, the caption the open circles (the truth).
    fig.update_layout(hovermode="closest", margin=dict(t=80, b=190), showlegend=False)
    return fig


def horizon_error_figure(step_mse: dict[str, np.ndarray], fed_truth: np.ndarray | None = None,
                         units: str = "") -> go.Figure:
    """Test MSE at each output step k, per decoder; optionally the autoregressive one fed the truth."""
    fig = go.Figure()
    for mode, errors in step_mse.items():
        steps = np.arange(1, len(errors) + 1)
        fig.add_trace(go.Scatter(x=steps, y=errors, mode="lines+markers", name=f"{MODE_NAMES[mode]}",
                                 line=dict(color=MODE_COLORS[mode], width=3.5), marker=dict(size=9)))
    if fed_truth is not None:
        steps = np.arange(1, len(fed_truth) + 1)
        fig.add_trace(go.Scatter(x=steps, y=fed_truth, mode="lines+markers",
                                 name="autoregressive, fed the truth y⟨k-1⟩",
                                 line=dict(color=MODE_COLORS["autoregressive"], width=2.5, dash="dot"),
                                 marker=dict(size=7, symbol="diamond")))
    fig.update_xaxes(title="output step k", dtick=1 if max(len(e) for e in step_mse.values()) <= 12 else None)
    fig.update_yaxes(title=f"test MSE{units}", rangemode="tozero")
    legible(fig, height=460)
    fig.update_layout(legend=_legend_below(460), margin=dict(b=140))
    return fig


def training_curves_figure(curves: dict[str, tuple[list[float], list[float]]]) -> go.Figure:
    """Per decoder: the training loss and the test MSE after every epoch, on a log scale."""
    fig = go.Figure()
    for mode, (losses, test_mse) in curves.items():
        epochs = np.arange(1, len(losses) + 1)
        fig.add_trace(go.Scatter(x=epochs, y=losses, mode="lines", name=f"{MODE_NAMES[mode]}: training loss",
                                 line=dict(color=MODE_COLORS[mode], width=2, dash="dot")))
        fig.add_trace(go.Scatter(x=epochs, y=test_mse, mode="lines", name=f"{MODE_NAMES[mode]}: test MSE",
                                 line=dict(color=MODE_COLORS[mode], width=3.5)))
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="MSE (log scale)", type="log")
    legible(fig, height=460)
    fig.update_layout(legend=_legend_below(460), margin=dict(b=140))
    return fig


def encoding_heatmap_figure(encodings: np.ndarray, labels: list[str]) -> go.Figure:
    """The encoding vector a⟨T_x⟩ of a few windows: one row per window, one column per hidden unit."""
    units = [f"{j + 1}" for j in range(encodings.shape[1])]
    fig = go.Figure(go.Heatmap(z=encodings, x=units, y=labels, colorscale="RdBu", zmid=0, zmin=-1, zmax=1,
                               colorbar=dict(title="value"),
                               hovertemplate="%{y}<br>unit %{x}: %{z:.3f}<extra></extra>"))
    fig.update_xaxes(title="hidden unit of a⟨T_x⟩", type="category")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(hovermode="closest")
    return legible(fig, height=120 + 48 * len(labels))


def encoding_projection_figure(points: np.ndarray, color: np.ndarray, color_label: str, explained: np.ndarray,
                               highlight: list[int], highlight_labels: list[str], cyclic: bool) -> go.Figure:
    """Every window's encoding vector on its first two principal components, coloured by what the window saw."""
    fig = go.Figure(go.Scatter(
        x=points[:, 0], y=points[:, 1], mode="markers", name="windows",
        marker=dict(size=8, color=color, colorscale="Twilight" if cyclic else "Viridis",
                    cmin=0 if cyclic else None, cmax=360 if cyclic else None,
                    colorbar=dict(title=color_label), line=dict(width=0)),
        hovertemplate=f"{color_label}: %{{marker.color:.3g}}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(x=points[highlight, 0], y=points[highlight, 1], mode="markers+text",
                             text=highlight_labels, textposition="top center", name="windows in the heatmap",
                             marker=dict(size=15, color="rgba(0,0,0,0)", line=dict(color=TRUTH, width=2.5))))
    fig.update_xaxes(title=f"component 1 ({explained[0]:.0%} of the variance)")
    fig.update_yaxes(title=f"component 2 ({explained[1]:.0%})")
    fig.update_layout(showlegend=False, hovermode="closest")
    return legible(fig, height=480)


def attention_figure(weights: dict[str, np.ndarray], history: int) -> go.Figure:
    """α⟨k,t⟩ for one window, one panel per decoder: row k (output step) says where that output looked."""
    modes = list(weights)
    fig = make_subplots(rows=1, cols=len(modes), subplot_titles=[MODE_NAMES[m] for m in modes],
                        horizontal_spacing=0.12)
    inputs = [f"x⟨{t}⟩" for t in range(1, history + 1)]
    for n, mode in enumerate(modes):
        alpha = weights[mode]
        outputs = [f"ŷ⟨{k}⟩" for k in range(1, alpha.shape[0] + 1)]
        fig.add_trace(go.Heatmap(z=alpha, x=inputs, y=outputs, zmin=0, zmax=1, colorscale="Blues",
                                 showscale=n == len(modes) - 1, colorbar=dict(title="α"),
                                 hovertemplate="%{y} looks at %{x}: %{z:.2f}<extra></extra>"),
                      row=1, col=n + 1)
        fig.update_yaxes(autorange="reversed", type="category", row=1, col=n + 1)
        fig.update_xaxes(title_text="encoder step t", type="category", row=1, col=n + 1)
    fig.update_layout(hovermode="closest")
    return legible(fig, height=160 + 34 * max(w.shape[0] for w in weights.values()))


def timing_figure(seconds: dict[str, float], batch: int) -> go.Figure:
    """Inference time for one batch of test windows, per decoder."""
    modes = list(seconds)
    fig = go.Figure(go.Bar(x=[seconds[m] * 1e3 for m in modes], y=[MODE_NAMES[m] for m in modes],
                           orientation="h", marker_color=[MODE_COLORS[m] for m in modes],
                           text=[f"{seconds[m] * 1e3:.2f} ms" for m in modes], textposition="auto",
                           hovertemplate="%{y}: %{x:.3f} ms<extra></extra>"))
    fig.update_xaxes(title=f"milliseconds for one batch of {batch} windows (median)", rangemode="tozero")
    fig.update_layout(showlegend=False, hovermode="closest")
    return legible(fig, height=220)
