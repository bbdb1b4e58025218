"""Figures of the RNN cell page: one-hot inputs, dense net vs RNN sizes, the cell step by step (animated),
weights and predictions before/after training, the unrolled diagrams of the RNN types.

Text inside plotly is HTML: x⟨t⟩ is written with ⟨ ⟩, and user text goes through `plain_text`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.gates import _r, _sig
from playground.figures.style import COLORS, animation_controls, legible, plain_text

WEIGHT_COLORS = {"W_ax": "#2e8b57", "W_aa": "#1f3b73", "W_ya": "#d1495b"}
VALUES = "RdBu"
SMALL = 13


def _short(label: str, n: int = 8) -> str:
    label = plain_text(label)
    return label if len(label) <= n else label[:n - 1] + "…"


def _sub(name: str) -> str:
    """W_aa -> W<sub>aa</sub> for plotly text."""
    head, _, tail = name.partition("_")
    return f"{head}<sub>{tail}</sub>" if tail else head


# --------------------------------------------------------------------------- the sequence in the course's notation


def one_hot_figure(example) -> go.Figure:
    """Sentence: x⟨t⟩ as one-hot rows over the vocabulary (only the columns the sentence uses, plus <unk>).
    Series: x⟨t⟩ as numbers on the time axis."""
    steps = list(range(1, len(example.labels) + 1))
    if example.kind == "series":
        fig = go.Figure(go.Scatter(x=steps, y=_r(example.values), mode="lines+markers+text",
                                   text=[f"{v:.4g}" for v in example.values], textposition="top center",
                                   line=dict(color=COLORS["observed"], width=2.5), marker=dict(size=8),
                                   hovertemplate="x⟨%{x}⟩ = %{y}<extra></extra>"))
        fig.update_xaxes(tickmode="array", tickvals=steps, ticktext=[f"x⟨{t}⟩" for t in steps], tickangle=0)
        fig.update_yaxes(title_text=plain_text(example.name))
        legible(fig, height=260)
        fig.update_layout(margin=dict(t=20, b=40), hovermode="closest")
        return fig
    used = sorted(set(example.indices.tolist()) | {0})
    column = {index: k for k, index in enumerate(used)}
    z = np.zeros((len(steps), len(used)))
    z[np.arange(len(steps)), [column[i] for i in example.indices]] = 1
    words = [plain_text(example.word(i)) for i in used]
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"{i}<br>{w}" for i, w in zip(used, words)], y=[f"x⟨{t}⟩ {_short(l, 10)}" for t, l in
                                                                 zip(steps, example.labels)],
        colorscale=[[0, "#f4f4f4"], [1, COLORS["observed"]]], showscale=False, xgap=2, ygap=2, zmin=0, zmax=1,
        text=np.where(z == 1, "1", "0"), texttemplate="%{text}", textfont=dict(size=SMALL),
        hovertemplate="%{y}: entry %{x} = %{z}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=0, tickfont=dict(size=SMALL))
    legible(fig, height=int(np.clip(34 * len(steps) + 110, 220, 760)))
    fig.update_layout(margin=dict(l=150, r=10, t=80, b=10), hovermode="closest")
    return fig


def size_figure(t_x: int, sizes: list[tuple[int, int, int]], dense_count, rnn_count, max_t: int = 60) -> go.Figure:
    """Parameters as the sequence grows: the dense net's grow with T_x, the RNN's do not.

    `sizes` are (n_x, n_h, n_y) per line pair; `dense_count(t, n_x, n_h, t, n_y)`, `rnn_count(n_x, n_h, n_y)`."""
    lengths = np.arange(1, max_t + 1)
    fig = go.Figure()
    dashes = ["solid", "dot"]
    for (n_x, n_h, n_y), dash in zip(sizes, dashes):
        label = f"|V| = {n_x:,}" if n_x > 1 else "n_x = 1"
        fig.add_trace(go.Scatter(x=lengths, y=[dense_count(int(t), n_x, n_h, int(t), n_y) for t in lengths],
                                 name=f"dense net, {label}", mode="lines",
                                 line=dict(color=COLORS["trend"], width=3, dash=dash)))
        fig.add_trace(go.Scatter(x=lengths, y=[rnn_count(n_x, n_h, n_y)] * len(lengths), name=f"RNN, {label}",
                                 mode="lines", line=dict(color=COLORS["observed"], width=3, dash=dash)))
    fig.add_vline(x=t_x, line=dict(color=COLORS["highlight"], width=3),
                  annotation_text=f"your T_x = {t_x}", annotation_position="top left")
    fig.update_xaxes(title_text="sequence length T_x (= T_y)")
    fig.update_yaxes(title_text="parameters", type="log")
    legible(fig, height=330)
    fig.update_layout(hovermode="x unified", margin=dict(t=50, b=50))
    return fig


# --------------------------------------------------------------------------- the cell, step by step
# One figure, one frame per step. Top: the unrolled network with the current step highlighted and the
# same W boxes at every step. Bottom left: the cell's equation as blocks of numbers. Bottom right: ŷ⟨t⟩.
# Only the blocks that change (a⟨t−1⟩, W_ax x⟨t⟩, the sum, a⟨t⟩, ŷ⟨t⟩, the highlight, the texts) are in
# the frames; W_aa and b_a are drawn once: the same numbers at every step.

DIAGRAM_ROWS = {"x": 0.0, "W_ax": 1.0, "cell": 2.0, "W_ya": 3.0, "y": 4.0}
NUMBERS_UP_TO = 10  # units: above this the blocks are drawn without numbers (hover shows them)
TOP_K = 5


def _words_at(trace, t: int, k: int = TOP_K) -> tuple[list[str], list[float]]:
    order = np.argsort(-trace.output[t], kind="stable")[:k]
    return [plain_text(trace.words[i]) for i in order], [float(trace.output[t, i]) for i in order]


def _prediction_label(trace, t: int) -> str:
    if trace.kind == "sentence":
        return _short(_words_at(trace, t, 1)[0][0], 7)
    return f"{trace.output[t, 0] * trace.scale[1] + trace.scale[0]:.3g}"


def _input_label(trace, t: int) -> str:
    if trace.kind == "sentence":
        return _short(trace.labels[t], 8)
    return f"{trace.inputs[t, 0] * trace.scale[1] + trace.scale[0]:.3g}"


def _diagram(fig: go.Figure, trace, row: int) -> None:
    """The unrolled RNN: static boxes (the same three weights at every step) and labels."""
    steps = trace.steps
    xs = np.arange(steps, dtype=float)
    lines_x, lines_y = [], []
    for t in xs:
        lines_x += [t, t, None]
        lines_y += [DIAGRAM_ROWS["x"] + 0.25, DIAGRAM_ROWS["y"] - 0.3, None]
    lines_x += [-0.75, steps - 1, None]
    lines_y += [DIAGRAM_ROWS["cell"]] * 2 + [None]
    fig.add_trace(go.Scatter(x=lines_x, y=lines_y, mode="lines", line=dict(color="#888", width=2),
                             hoverinfo="skip", showlegend=False), row=row, col=1)
    boxes = [("W_ax", xs, DIAGRAM_ROWS["W_ax"]), ("W_ya", xs, DIAGRAM_ROWS["W_ya"]),
             ("W_aa", xs[:-1] + 0.5, DIAGRAM_ROWS["cell"])]
    if steps:
        boxes.append(("W_aa", np.array([-0.5]), DIAGRAM_ROWS["cell"]))
    roomy = steps <= 12  # between two cells there is room for a labelled W_aa box only up to 12 steps
    for name, positions, y in boxes:
        labelled = roomy or name != "W_aa"
        fig.add_trace(go.Scatter(x=positions, y=[y] * len(positions), mode="markers+text" if labelled else "markers",
                                 text=[_sub(name)] * len(positions),
                                 marker=dict(symbol="square", size=26 if labelled else 14, color=WEIGHT_COLORS[name],
                                             line=dict(color="white", width=1)),
                                 textfont=dict(color="white", size=10), hoverinfo="skip", showlegend=False),
                      row=row, col=1)
    fig.add_trace(go.Scatter(x=xs, y=[DIAGRAM_ROWS["cell"]] * steps, mode="markers+text",
                             text=[f"a⟨{t + 1}⟩" for t in range(steps)],
                             marker=dict(symbol="circle", size=34 if roomy else 30, color="#fff8e6",
                                         line=dict(color="#b07c1a", width=2)),
                             textfont=dict(size=11 if roomy else 10, color="#222"), hoverinfo="skip", showlegend=False),
                  row=row, col=1)
    fig.add_trace(go.Scatter(x=[-0.85], y=[DIAGRAM_ROWS["cell"] + 0.45], mode="text", text=["a⟨0⟩=0"],
                             textfont=dict(size=12), hoverinfo="skip", showlegend=False), row=row, col=1)
    fig.add_trace(go.Scatter(x=xs, y=[DIAGRAM_ROWS["x"]] * steps, mode="text",
                             text=[_input_label(trace, t) for t in range(steps)], textfont=dict(size=12, color="#222"),
                             hoverinfo="skip", showlegend=False), row=row, col=1)
    fig.add_trace(go.Scatter(x=xs, y=[DIAGRAM_ROWS["y"]] * steps, mode="text",
                             text=[_prediction_label(trace, t) for t in range(steps)],
                             textfont=dict(size=12, color=COLORS["trend"]), hoverinfo="skip", showlegend=False),
                  row=row, col=1)
    fig.update_xaxes(range=[-1.3, steps - 0.4], visible=False, row=row, col=1)
    fig.update_yaxes(range=[-0.45, 4.45], visible=False, row=row, col=1)


def _highlight(t: int) -> dict:
    return dict(x=[t - 0.45, t + 0.45, t + 0.45, t - 0.45, t - 0.45], y=[-0.4, -0.4, 4.4, 4.4, -0.4])


# The equation as blocks: (name, label, static?), placed left to right with operators between them.
BLOCKS = [("W_aa", "W<sub>aa</sub>", True), ("previous", "a⟨t−1⟩", False), ("input_term", "W<sub>ax</sub>x⟨t⟩", False),
          ("b_a", "b<sub>a</sub>", True), ("preactivation", "sum", False), ("hidden", "a⟨t⟩", False)]
OPERATORS = ["·", "+", "+", "=", "tanh →"]  # between consecutive blocks
MATRIX_CELL, VECTOR_CELL = 1.0, 1.3  # widths in x units: a matrix entry, a vector entry (room for −0.00)


def _block_layout(n_a: int) -> tuple[dict[str, tuple[float, float, int]], list[tuple[float, str]]]:
    """Each block's (left edge, cell width, cells) and each operator's (x, text), left to right."""
    blocks, operators, x = {}, [], 0.0
    for k, (name, _, _) in enumerate(BLOCKS):
        width, cells = (MATRIX_CELL, n_a) if name == "W_aa" else (VECTOR_CELL, 1)
        blocks[name] = (x, width, cells)
        x += width * cells
        if k < len(OPERATORS):
            gap = 2.0 if OPERATORS[k].startswith("tanh") else 0.9
            operators.append((x + gap / 2, OPERATORS[k]))
            x += gap
    return blocks, operators


def _column(trace, name: str, t: int) -> list[list[float]]:
    return [[round(float(v), 3)] for v in getattr(trace, name)[t]]


def _cell_text(z, short: bool = False) -> list[list[str]]:
    """Numbers written in the heatmap cells: −0.32, or −.32 in a matrix (its cells are narrower)."""
    def one(v: float) -> str:
        text = f"{0.0 if abs(v) < 0.005 else v:.2f}".replace("-", "−")
        return text.replace("0.", ".", 1) if short else text
    return [[one(float(v)) for v in row] for row in np.asarray(z)]


def _input_note(trace, t: int) -> str:
    if trace.kind == "sentence":
        index = int(trace.indices[t])
        return f"x⟨{t + 1}⟩ = one-hot of “{plain_text(trace.words[index])}” (index {index}): W<sub>ax</sub>x⟨t⟩ = column {index} of W<sub>ax</sub>"
    return f"x⟨{t + 1}⟩ = {trace.inputs[t, 0]:+.3f} (standardised): W<sub>ax</sub>x⟨t⟩ = {trace.inputs[t, 0]:+.3f} × W<sub>ax</sub>"


def _equation_title(trace, t: int) -> str:
    return f"<b>t = {t + 1}</b>:  a⟨{t + 1}⟩ = tanh(W<sub>aa</sub>a⟨{t}⟩ + W<sub>ax</sub>x⟨{t + 1}⟩ + b<sub>a</sub>)"


def _output_panel(trace, t: int) -> dict:
    """The live part of the ŷ⟨t⟩ panel: the top words' bars, or the marker on the series."""
    if trace.kind == "sentence":
        words, probabilities = _words_at(trace, t)
        return dict(type="bar", x=[round(p, 4) for p in probabilities], y=list(range(TOP_K)),
                    text=[f"{w}  {p:.0%}" for w, p in zip(words, probabilities)])
    mean, std = trace.scale
    return dict(type="scatter", x=[t + 1], y=[round(float(trace.output[t, 0]) * std + mean, 4)])


def cell_figure(trace, start: int = 0, frame_ms: int = 1000, untrained: bool = True) -> go.Figure:
    """The cell step by step over the example: diagram, equation with numbers, ŷ⟨t⟩; animated in the browser."""
    steps, n_a = trace.hidden.shape
    start = int(np.clip(start, 0, steps - 1))
    fig = make_subplots(rows=2, cols=2, column_widths=[0.75, 0.25], row_heights=[0.36, 0.64],
                        horizontal_spacing=0.04, vertical_spacing=0.1,
                        specs=[[{"colspan": 2}, None], [{}, {}]])
    live: list[int] = []
    _diagram(fig, trace, 1)
    fig.add_trace(go.Scatter(mode="lines", fill="toself", fillcolor="rgba(237,174,73,0.28)",
                             line=dict(color=COLORS["highlight"], width=3), hoverinfo="skip", showlegend=False,
                             **_highlight(start)), row=1, col=1)
    live.append(len(fig.data) - 1)

    # The equation, block by block.
    blocks, operators = _block_layout(n_a)
    numbers = n_a <= NUMBERS_UP_TO
    bound = max(1.0, float(np.max(np.abs(np.concatenate([trace.weights["W_aa"].ravel(), trace.input_term.ravel(),
                                                         trace.preactivation.ravel(), trace.weights["b_a"]])))))
    statics = {"W_aa": trace.weights["W_aa"], "b_a": trace.weights["b_a"][:, None]}
    for name, label, static in BLOCKS:
        left, width, _ = blocks[name]
        z = statics[name] if static else np.array(_column(trace, name, start))
        fig.add_trace(go.Heatmap(
            z=np.round(z, 3), x0=left + width / 2, dx=width, y0=0, dy=1, zmin=-bound, zmax=bound, colorscale=VALUES,
            showscale=False, xgap=1, ygap=1, text=_cell_text(z, short=name == "W_aa") if numbers else None,
            texttemplate="%{text}" if numbers else None,
            textfont=dict(size=(11 if name == "W_aa" else 13) if n_a <= 8 else 10),
            hovertemplate=f"{plain_text(label.replace('<sub>', '_').replace('</sub>', ''))}: %{{z:.3f}}<extra></extra>"),
            row=2, col=1)
        if not static:
            live.append(len(fig.data) - 1)
    centres = [blocks[name][0] + blocks[name][1] * blocks[name][2] / 2 for name, _, _ in BLOCKS]
    fig.add_trace(go.Scatter(x=centres, y=[-0.95] * len(BLOCKS), mode="text",
                             text=[f"<b>{label}</b>" for _, label, _ in BLOCKS], textfont=dict(size=14),
                             hoverinfo="skip", showlegend=False, cliponaxis=False), row=2, col=1)
    fig.add_trace(go.Scatter(x=[x for x, _ in operators], y=[(n_a - 1) / 2] * len(operators), mode="text",
                             text=[op for _, op in operators], textfont=dict(size=17), hoverinfo="skip",
                             showlegend=False), row=2, col=1)
    fig.add_trace(go.Scatter(x=[0.0], y=[n_a + 0.3], mode="text", text=[_input_note(trace, start)],
                             textposition="middle right", textfont=dict(size=13, color=WEIGHT_COLORS["W_ax"]),
                             hoverinfo="skip", showlegend=False, cliponaxis=False), row=2, col=1)
    live.append(len(fig.data) - 1)
    fig.add_trace(go.Scatter(x=[0.0], y=[-2.1], mode="text", text=[_equation_title(trace, start)],
                             textposition="middle right", textfont=dict(size=15, color="#222"),
                             hoverinfo="skip", showlegend=False, cliponaxis=False), row=2, col=1)
    live.append(len(fig.data) - 1)
    right = blocks["hidden"][0] + VECTOR_CELL
    fig.update_xaxes(range=[-0.1, right + 0.1], visible=False, row=2, col=1)
    fig.update_yaxes(range=[n_a + 0.8, -2.4], visible=False, row=2, col=1)

    # ŷ⟨t⟩.
    if trace.kind == "sentence":
        first = _output_panel(trace, start)
        fig.add_trace(go.Bar(x=first["x"], y=first["y"], text=first["text"], orientation="h",
                             textposition="outside", cliponaxis=False, marker_color=COLORS["trend"],
                             textfont=dict(size=13), hoverinfo="skip", showlegend=False), row=2, col=2)
        live.append(len(fig.data) - 1)
        fig.update_xaxes(range=[0, 1.5], showticklabels=False, showgrid=False, row=2, col=2)
        fig.update_yaxes(range=[TOP_K - 0.5, -0.5], visible=False, row=2, col=2)
        output_title = f"ŷ⟨t⟩ = softmax(W<sub>ya</sub>a⟨t⟩ + b<sub>y</sub>)<br>the {TOP_K} likeliest next words"
    else:
        mean, std = trace.scale
        time_axis = list(range(1, steps + 1))
        fig.add_trace(go.Scatter(x=time_axis, y=_r(trace.inputs[:, 0] * std + mean), mode="lines+markers",
                                 name="x⟨t⟩", line=dict(color="#9a9a9a", width=2), showlegend=False,
                                 hovertemplate="x⟨%{x}⟩ = %{y}<extra></extra>"), row=2, col=2)
        fig.add_trace(go.Scatter(x=[t + 1 for t in range(steps)], y=_r(trace.output[:, 0] * std + mean),
                                 mode="markers", marker=dict(color=COLORS["trend"], size=7, symbol="diamond"),
                                 showlegend=False, hovertemplate="ŷ⟨%{x}⟩ = %{y}<extra></extra>"), row=2, col=2)
        first = _output_panel(trace, start)
        fig.add_trace(go.Scatter(x=first["x"], y=first["y"], mode="markers",
                                 marker=dict(color=COLORS["highlight"], size=16, line=dict(color="#333", width=1.5)),
                                 hoverinfo="skip", showlegend=False), row=2, col=2)
        live.append(len(fig.data) - 1)
        fig.update_xaxes(title_text="t", title_standoff=2, row=2, col=2)
        output_title = "ŷ⟨t⟩ = W<sub>ya</sub>a⟨t⟩ + b<sub>y</sub>, the next value<br>x⟨t⟩ grey, ŷ⟨t⟩ red, now: orange"

    fig.add_annotation(text=output_title, x=fig.layout.xaxis3.domain[0], xref="paper",
                       y=fig.layout.yaxis3.domain[1], yref="paper", yanchor="bottom", yshift=8, xanchor="left",
                       showarrow=False, font=dict(size=14))
    heading = (f"<span style='color:{WEIGHT_COLORS['W_ax']}'>■</span> W<sub>ax</sub>  "
               f"<span style='color:{WEIGHT_COLORS['W_aa']}'>■</span> W<sub>aa</sub>  "
               f"<span style='color:{WEIGHT_COLORS['W_ya']}'>■</span> W<sub>ya</sub>: the same at every step · "
               "<span style='color:#d1495b'>red</span>: the cell's guess ŷ⟨t⟩")
    if untrained:
        heading = f"<span style='color:#d1495b'><b>UNTRAINED</b> (random weights)</span> · {heading}"
    legible(fig, height=600, title=heading)
    fig.update_layout(margin=dict(l=10, r=10, t=40, b=95), hovermode="closest", title=dict(font=dict(size=15)))
    animation_controls(fig, [str(t + 1) for t in range(steps)], start, frame_ms, y=-0.45 * 0.25,
                       prefix="step t = ")  # just under the time ticks
    fig.layout.sliders[0].update(x=0.26, len=0.74)

    frames = []
    for t in range(steps):
        data = [dict(type="scatter", **_highlight(t))]
        data += [dict(type="heatmap", z=_column(trace, name, t), text=_cell_text(_column(trace, name, t)))
                 for name, _, static in BLOCKS if not static]
        data.append(dict(type="scatter", text=[_input_note(trace, t)]))
        data.append(dict(type="scatter", text=[_equation_title(trace, t)]))
        data.append(_output_panel(trace, t))
        frames.append(dict(name=str(t), traces=live, data=data))
    spec = fig.to_dict()
    spec["frames"] = frames
    return go.Figure(spec, _validate=False)


# --------------------------------------------------------------------------- what training changed


def weights_figure(before: dict, after: dict | None, words=None) -> go.Figure:
    """W_a = [W_aa | W_ax] and b_a, and W_ya (transposed: one row per unit), untrained and trained."""
    versions = [("untrained", before)] + ([("trained", after)] if after is not None else [])
    n_a = before["W_aa"].shape[0]
    rows = len(versions) * 2
    titles = []
    for name, _ in versions:
        titles += [f"{name}: W<sub>a</sub> = [W<sub>aa</sub> | W<sub>ax</sub>] and b<sub>a</sub>",
                   f"{name}: W<sub>ya</sub> (transposed: row k = unit k's weight for each output)"]
    order = [0, 2, 1, 3] if len(versions) == 2 else [0, 1]
    fig = make_subplots(rows=rows, cols=1, vertical_spacing=0.07, subplot_titles=[titles[i] for i in order])
    every = [w for _, v in versions for w in (v["W_aa"], v["W_ax"], v["b_a"], v["W_ya"], v["b_y"])]
    bound = float(np.quantile(np.abs(np.concatenate([w.ravel() for w in every])), 0.99)) or 1.0
    n_x = before["W_ax"].shape[1]
    input_names = ([plain_text(w) for w in words] if words is not None else [f"x{i + 1}" for i in range(n_x)])
    output_names = input_names if words is not None else ["ŷ"]
    for k, (name, weights) in enumerate(versions):
        a_row = 1 + k if len(versions) == 2 else 1
        y_row = 3 + k if len(versions) == 2 else 2
        w_a = np.hstack([weights["W_aa"], weights["W_ax"], np.full((n_a, 1), np.nan), weights["b_a"][:, None]])
        columns = [f"a⟨t−1⟩ {i + 1}" for i in range(n_a)] + input_names + [" ", "b_a"]
        fig.add_trace(go.Heatmap(z=np.round(w_a, 3), x=columns, y=list(range(1, n_a + 1)), zmin=-bound, zmax=bound,
                                 colorscale=VALUES, showscale=k == 0, colorbar=dict(thickness=12, len=0.4, y=0.8),
                                 hovertemplate="unit %{y}, column %{x}: %{z:.3f}<extra></extra>"),
                      row=a_row, col=1)
        fig.add_vline(x=n_a - 0.5, line=dict(color="#222", width=2), row=a_row, col=1)
        w_y = np.vstack([weights["W_ya"].T, np.full((1, len(output_names)), np.nan), weights["b_y"][None, :]])
        fig.add_trace(go.Heatmap(z=np.round(w_y, 3), x=output_names, y=list(range(1, n_a + 3)), zmin=-bound,
                                 zmax=bound, colorscale=VALUES, showscale=False,
                                 hovertemplate="unit %{y}, output %{x}: %{z:.3f}<extra></extra>"),
                      row=y_row, col=1)
        fig.update_xaxes(tickmode="array", tickvals=[columns[n_a // 2], columns[n_a + min(n_x - 1, 6)]],
                         ticktext=["W<sub>aa</sub>", "W<sub>ax</sub> →"], row=a_row, col=1)
        fig.update_xaxes(showticklabels=False, row=y_row, col=1)
        fig.update_yaxes(title_text="unit", autorange="reversed", row=a_row, col=1)
        fig.update_yaxes(tickmode="array", tickvals=[1, n_a, n_a + 2], ticktext=["1", str(n_a), "b_y"],
                         autorange="reversed", row=y_row, col=1)
    legible(fig, height=int(np.clip(150 * rows + 40 * n_a, 420, 1100)))
    fig.update_layout(hovermode="closest", margin=dict(t=50, b=20))
    return fig


def predictions_figure(before, after) -> go.Figure:
    """Sentence: P(the actual next word) at each step, untrained vs trained. Series: ŷ⟨t⟩ vs y⟨t⟩."""
    steps = after.steps
    labels = [f"{t + 1}: {_short(after.labels[t], 9)}" for t in range(steps)]
    fig = go.Figure()
    if after.kind == "sentence":
        known = after.targets >= 0
        for name, trace, color in (("untrained", before, "#b0b0b0"), ("trained", after, COLORS["observed"])):
            p = [float(trace.output[t, after.targets[t]]) if known[t] else None for t in range(steps)]
            fig.add_trace(go.Bar(x=labels, y=p, name=name, marker_color=color,
                                 hovertemplate="%{x}: %{y:.1%}<extra>" + name + "</extra>"))
        uniform = 1 / after.output.shape[1]
        fig.add_hline(y=uniform, line=dict(color="#555", dash="dot"), annotation_text=f"1/|V| = {uniform:.1%}",
                      annotation_position="top left", annotation_font_size=13)
        fig.update_yaxes(title_text="P(y⟨t⟩ = x⟨t+1⟩)", tickformat=".0%")
    else:
        mean, std = after.scale
        fig.add_trace(go.Scatter(x=labels, y=_r(after.targets * std + mean), name="y⟨t⟩ = x⟨t+1⟩", mode="markers",
                                 marker=dict(color=COLORS["trend"], size=11, symbol="diamond")))
        for name, trace, color in (("untrained ŷ⟨t⟩", before, "#b0b0b0"), ("trained ŷ⟨t⟩", after, COLORS["observed"])):
            fig.add_trace(go.Scatter(x=labels, y=_r(trace.output[:, 0] * std + mean), name=name, mode="lines+markers",
                                     line=dict(color=color, width=2.5)))
    fig.update_xaxes(tickangle=-40)
    legible(fig, height=360)
    fig.update_layout(barmode="group", hovermode="closest", margin=dict(t=40, b=90))
    return fig


def loss_figure(history, baseline_loss: float | None, baseline_name: str) -> go.Figure:
    """Training and held-out loss per epoch (log scale), with the memory-less baseline's held-out loss."""
    epochs = list(range(1, len(history.losses) + 1))
    fig = go.Figure(go.Scatter(x=epochs, y=_sig(history.losses), name="training loss", mode="lines+markers",
                               line=dict(color=COLORS["observed"], width=2.5)))
    fig.add_trace(go.Scatter(x=epochs, y=_sig(history.validation), name="held-out loss", mode="lines+markers",
                             line=dict(color=COLORS["trend"], width=2.5, dash="dash")))
    if baseline_loss is not None:  # a trace, not add_hline: shapes on a log axis take log10 coordinates
        fig.add_trace(go.Scatter(x=[epochs[0], epochs[-1]], y=[baseline_loss] * 2, mode="lines",
                                 name=f"{plain_text(baseline_name)} (held out)",
                                 line=dict(color="#555", width=2, dash="dot")))
    fig.update_yaxes(type="log", title_text="loss")
    fig.update_xaxes(title_text="epoch")
    return legible(fig, height=320)


# --------------------------------------------------------------------------- the RNN types


def unrolled_figure(rnn_type, height: int = 250) -> go.Figure:
    """The unrolled diagram of one RNN type: x⟨t⟩ below, ŷ⟨t⟩ above, one cell per step (and layer)."""
    steps = rnn_type.steps
    rows = 2 if rnn_type.bidirectional else rnn_type.layers
    fig = go.Figure()
    cell_y = [1.0 + r for r in range(rows)]
    top = cell_y[-1] + 1.0
    line_x, line_y = [], []

    def segment(x0, y0, x1, y1):
        line_x.extend([x0, x1, None])
        line_y.extend([y0, y1, None])

    for c in range(steps):
        if c in rnn_type.inputs:
            segment(c, 0.25, c, cell_y[0] - 0.25)
        for r in range(rows - 1):
            if not rnn_type.bidirectional:
                segment(c, cell_y[r] + 0.25, c, cell_y[r + 1] - 0.25)
        if c in rnn_type.outputs:
            segment(c, cell_y[-1] + 0.25, c, top - 0.25)
            if rnn_type.bidirectional:
                segment(c + 0.12, cell_y[0] + 0.2, c + 0.12, top - 0.25)
        if c < steps - 1:
            for r in range(rows):
                segment(c + 0.25, cell_y[r], c + 0.75, cell_y[r])
    fig.add_trace(go.Scatter(x=line_x, y=line_y, mode="lines", line=dict(color="#888", width=2), hoverinfo="skip",
                             showlegend=False))
    for r, y in enumerate(cell_y):
        backward = rnn_type.bidirectional and r == 1
        name = ("a←" if backward else "a→") if rnn_type.bidirectional else (f"a[{r + 1}]" if rows > 1 else "a")
        fig.add_trace(go.Scatter(
            x=list(range(steps)), y=[y] * steps, mode="markers+text", text=[f"{name}⟨{c + 1}⟩" for c in range(steps)],
            marker=dict(symbol="square", size=44, color="#e8eef8" if backward else "#fff8e6",
                        line=dict(color="#1f3b73" if backward else "#b07c1a", width=2)),
            textfont=dict(size=11), hoverinfo="skip", showlegend=False))
    arrow_text = [(c + 0.5, y, "←" if rnn_type.bidirectional and r == 1 else "→")
                  for r, y in enumerate(cell_y) for c in range(steps - 1)]
    inputs = list(rnn_type.inputs)
    outputs = list(rnn_type.outputs)
    fig.add_trace(go.Scatter(x=[a[0] for a in arrow_text], y=[a[1] + 0.16 for a in arrow_text], mode="text",
                             text=[a[2] for a in arrow_text], textfont=dict(size=15, color="#555"), hoverinfo="skip",
                             showlegend=False))
    fig.add_trace(go.Scatter(x=inputs, y=[0.0] * len(inputs), mode="text",
                             text=[f"x⟨{k + 1}⟩" for k in range(len(inputs))], textfont=dict(size=13),
                             hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(x=outputs, y=[top] * len(outputs), mode="text",
                             text=[f"ŷ⟨{k + 1}⟩" for k in range(len(outputs))],
                             textfont=dict(size=13, color=COLORS["trend"]), hoverinfo="skip", showlegend=False))
    if rnn_type.feedback:
        for k, c in enumerate(outputs[:-1]):
            nxt = outputs[k + 1]
            fig.add_annotation(x=nxt - 0.22, y=cell_y[0] - 0.32, ax=c + 0.15, ay=top - 0.2, xref="x", yref="y",
                               axref="x", ayref="y", showarrow=True, arrowhead=2, arrowwidth=1.5,
                               arrowcolor=COLORS["trend"], opacity=0.7)
    fig.update_xaxes(range=[-0.6, steps - 0.4], visible=False)
    fig.update_yaxes(range=[-0.4, top + 0.4], visible=False)
    legible(fig, height=height + 45 * (rows - 1))
    fig.update_layout(margin=dict(l=5, r=5, t=10, b=5), hovermode=False)
    return fig


def bidirectional_figure(demo: dict, labels: list[str]) -> go.Figure:
    """How much each ŷ⟨t⟩ moves when only x⟨T_x⟩ changes: one direction vs bidirectional (log scale)."""
    steps = len(labels)
    ticks = [f"{t + 1}: {_short(labels[t], 8)}" for t in range(steps)]
    fig = go.Figure()
    floor = 1e-9
    for name, key, color in (("one direction (→)", "forward", "#9a9a9a"),
                             ("bidirectional (→ and ←)", "bidirectional", COLORS["observed"])):
        values = np.asarray(demo[key], dtype=float)
        fig.add_trace(go.Bar(x=ticks, y=[_sig([max(v, floor)])[0] for v in values], name=name, marker_color=color,
                             text=["0" if v == 0 else f"{v:.0e}" for v in values], textposition="outside",
                             textfont=dict(size=11),
                             hovertemplate="%{x}: |Δŷ| = %{text}<extra>" + name + "</extra>"))
    fig.update_yaxes(type="log", title_text="|change of ŷ⟨t⟩|", range=[np.log10(floor), 0.5])
    fig.update_xaxes(tickangle=-40)
    legible(fig, height=340)
    fig.update_layout(barmode="group", hovermode="closest", margin=dict(t=40, b=90))
    return fig
