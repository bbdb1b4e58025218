"""The animated gates figure: cell diagram with live values, gate bars, units × time heatmaps, equations.

One plotly figure, one frame per time step, so every panel moves together in the browser (no
Streamlit reruns while it plays). Only the few traces that change are in the frames, with values
rounded to 3 decimals, to keep the payload small. Text inside plotly is HTML, so the figure writes
x⟨t⟩ with angle brackets ⟨ ⟩, never < >.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.style import COLORS, legible

GATE_COLORS = [[0.0, "#f4f4f4"], [1.0, "#1f3b73"]]  # 0 = shut (pale), 1 = open (dark)
STATE_COLORS = "RdBu"
SERIES_COLORS = {"forget": "#d1495b", "update": "#2e8b57", "output": "#edae49", "relevance": "#8e5ea2",
                 "candidate": "#7f7f7f", "cell": "#1f3b73", "hidden": "#00798c"}
NAMES = {  # course notation, as plotly text
    "forget": "Γ<sub>f</sub>", "update": "Γ<sub>u</sub>", "output": "Γ<sub>o</sub>", "relevance": "Γ<sub>r</sub>",
    "candidate": "c̃⟨t⟩", "cell": "c⟨t⟩", "hidden": "a⟨t⟩",
}
GATES = {"LSTM": ["forget", "update", "output"], "GRU": ["update", "relevance"]}
STATES = {"LSTM": ["candidate", "cell", "hidden"], "GRU": ["candidate", "cell"]}
HEATMAPS = {"LSTM": ["forget", "update", "output", "cell"], "GRU": ["update", "relevance", "cell"]}
DIAGRAM_FONT = 15


def _r(values) -> list:
    """Rounded to 3 decimals for the payload; NaN becomes None (JSON null)."""
    return [None if not np.isfinite(v) else round(float(v), 3) for v in np.asarray(values, dtype=float).ravel()]


def _f(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def layer_values(layer: dict, kind: str) -> dict[str, np.ndarray]:
    """The trace of one layer with the GRU's c⟨t⟩ (= a⟨t⟩) and both cells' previous states added."""
    values = dict(layer)
    if kind == "GRU":
        values["cell"] = values["hidden"]
    for key in ("cell", "hidden"):
        previous = np.zeros_like(values[key])
        previous[1:] = values[key][:-1]
        values[f"{key}_prev"] = previous
    return values


# --------------------------------------------------------------------------- the cell diagram
# Coordinates of a 10 × 10 box. Static: lines, operation circles, labels. Live: the gate boxes
# (colour = how open), the numbers on every path, the equations.

LSTM_LINES = [
    [(0.4, 9), (9.6, 9)],  # the cell line c⟨t−1⟩ → c⟨t⟩
    [(0.4, 4.2), (7.4, 4.2)],  # [a⟨t−1⟩, x⟨t⟩] to every gate
    [(1.4, 2.6), (1.4, 4.2)],  # x⟨t⟩ joins
    [(2.2, 4.2), (2.2, 9)],  # Γ_f up to ×
    [(3.7, 4.2), (3.7, 7.4), (4.6, 7.4)],  # Γ_u to ×
    [(5.5, 4.2), (5.5, 7.4), (4.6, 7.4), (4.6, 9)],  # c̃ to ×, up to +
    [(7.4, 4.2), (7.4, 6.2), (8.4, 6.2)],  # Γ_o to ×
    [(8.4, 9), (8.4, 6.2), (9.6, 6.2)],  # tanh(c) down to ×, a⟨t⟩ out
]
LSTM_OPS = [(2.2, 9, "×"), (4.6, 7.4, "×"), (4.6, 9, "+"), (8.4, 7.6, "tanh"), (8.4, 6.2, "×")]
LSTM_BOXES = {"forget": (2.2, 5.7), "update": (3.7, 5.7), "candidate": (5.5, 5.7), "output": (7.4, 5.7)}
LSTM_BOX_FUNCTION = {"forget": "σ", "update": "σ", "candidate": "tanh", "output": "σ"}
LSTM_LABELS = [(0.4, 9.7, "c⟨t−1⟩"), (9.6, 9.7, "c⟨t⟩"), (0.4, 3.5, "a⟨t−1⟩"), (1.4, 1.9, "x⟨t⟩"),
               (9.6, 5.5, "a⟨t⟩")]
LSTM_PATHS = [  # (x, y, key, how to compute it from the step's values)
    (1.2, 9.45, "c⟨t−1⟩", lambda v: v["cell_prev"]),
    (3.4, 9.45, "Γ<sub>f</sub>·c⟨t−1⟩", lambda v: v["forget"] * v["cell_prev"]),
    (4.2, 8.2, "Γ<sub>u</sub>·c̃", lambda v: v["update"] * v["candidate"]),
    (6.5, 9.45, "c⟨t⟩", lambda v: v["cell"]),
    (9.1, 7.6, "tanh c⟨t⟩", lambda v: np.tanh(v["cell"])),
    (9.2, 6.75, "a⟨t⟩", lambda v: v["hidden"]),
    (0.9, 4.65, "a⟨t−1⟩", lambda v: v["hidden_prev"]),
]

GRU_LINES = [
    [(0.4, 9), (9.6, 9)],  # the memory line c⟨t−1⟩ = a⟨t−1⟩ → c⟨t⟩ = a⟨t⟩
    [(0.9, 9), (0.9, 4.2), (6.6, 4.2)],  # c⟨t−1⟩ also feeds the gates
    [(1.4, 2.6), (1.4, 4.2)],  # x⟨t⟩ joins
    [(2.6, 4.2), (2.6, 6.5), (4.9, 6.5)],  # Γ_r across to × with W_cc c + b_cc
    [(3.7, 4.2), (3.7, 7.8), (3.0, 7.8), (3.0, 9)],  # Γ_u: 1 − Γ_u up to the × on the memory line
    [(3.7, 7.8), (6.6, 7.8)],  # Γ_u across to × with c̃
    [(4.9, 4.2), (4.9, 6.5), (6.6, 6.5), (6.6, 9)],  # W_cc c + b_cc → ×Γ_r → + input part → tanh → ×Γ_u → +
]
GRU_OPS = [(3.0, 9, "×"), (3.0, 8.4, "1−"), (4.9, 6.5, "×"), (6.6, 6.5, "+"), (6.6, 7.8, "×"), (6.6, 9, "+")]
GRU_BOXES = {"relevance": (2.6, 5.3), "update": (3.7, 5.3), "candidate": (6.6, 7.15)}
GRU_BOX_FUNCTION = {"relevance": "σ", "update": "σ", "candidate": "tanh"}
GRU_LABELS = [(0.4, 9.7, "c⟨t−1⟩ = a⟨t−1⟩"), (9.3, 9.7, "c⟨t⟩ = a⟨t⟩"), (1.4, 1.9, "x⟨t⟩"),
              (4.9, 3.55, "W<sub>cc</sub>c⟨t−1⟩+b<sub>cc</sub>"), (8.3, 5.4, "W<sub>cx</sub>x⟨t⟩+b<sub>cx</sub>")]
GRU_PATHS = [
    (1.9, 9.45, "c⟨t−1⟩", lambda v: v["cell_prev"]),
    (4.3, 9.45, "(1−Γ<sub>u</sub>)·c⟨t−1⟩", lambda v: (1 - v["update"]) * v["cell_prev"]),
    (5.5, 4.65, "W<sub>cc</sub>c+b<sub>cc</sub>", lambda v: v["candidate_hidden"]),
    (5.75, 6.95, "Γ<sub>r</sub>·(…)", lambda v: v["relevance"] * v["candidate_hidden"]),
    (8.1, 6.5, "", lambda v: v["candidate_input"]),
    (7.7, 8.3, "Γ<sub>u</sub>·c̃", lambda v: v["update"] * v["candidate"]),
    (8.3, 9.45, "c⟨t⟩", lambda v: v["cell"]),
]


def _diagram_static(fig: go.Figure, kind: str, row: int, col: int) -> None:
    lines = LSTM_LINES if kind == "LSTM" else GRU_LINES
    xs, ys = [], []
    for line in lines:
        for x, y in line:
            xs.append(x)
            ys.append(y)
        xs.append(None)
        ys.append(None)
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#555", width=2.5), hoverinfo="skip",
                             showlegend=False), row=row, col=col)
    ops = LSTM_OPS if kind == "LSTM" else GRU_OPS
    fig.add_trace(go.Scatter(
        x=[o[0] for o in ops], y=[o[1] for o in ops], mode="markers+text", text=[o[2] for o in ops],
        marker=dict(size=[34 if o[2] in ("tanh", "1−") else 26 for o in ops], color="#fff8e6",
                    line=dict(color="#b07c1a", width=2)),
        textfont=dict(size=DIAGRAM_FONT, color="#6b4a00"), hoverinfo="skip", showlegend=False), row=row, col=col)
    labels = LSTM_LABELS if kind == "LSTM" else GRU_LABELS
    fig.add_trace(go.Scatter(
        x=[l[0] for l in labels], y=[l[1] for l in labels], mode="text", text=[f"<b>{l[2]}</b>" for l in labels],
        textfont=dict(size=DIAGRAM_FONT, color="#222"), hoverinfo="skip", showlegend=False), row=row, col=col)


def _diagram_live(kind: str, values: dict, t: int, unit: int) -> list[dict]:
    """The three live diagram traces at step t for one unit: gate boxes, path numbers, equations."""
    boxes = LSTM_BOXES if kind == "LSTM" else GRU_BOXES
    functions = LSTM_BOX_FUNCTION if kind == "LSTM" else GRU_BOX_FUNCTION
    box_values = [float(values[key][t, unit]) for key in boxes]
    # Gates live in (0, 1); the candidate in (−1, 1) is shown on the same pale→dark scale via (c̃ + 1) / 2.
    shade = [v if key != "candidate" else (v + 1) / 2 for key, v in zip(boxes, box_values)]
    box_text = [f"{functions[key]} {NAMES[key]}<br><b>{_f(v) if key == 'candidate' else f'{v:.2f}'}</b>"
                for key, v in zip(boxes, box_values)]
    paths = LSTM_PATHS if kind == "LSTM" else GRU_PATHS
    step = {key: array[t, unit] for key, array in values.items()}
    path_text = [f"{label} {_f(float(compute(step)))}".strip() for _, _, label, compute in paths]
    return [
        dict(type="scatter", text=box_text,
             marker=dict(color=_r(shade), cmin=0, cmax=1, colorscale=GATE_COLORS),
             textfont=dict(color=["white" if s > 0.55 else "black" for s in shade], size=DIAGRAM_FONT)),
        dict(type="scatter", text=path_text),
        dict(type="scatter", text=equations(kind, step)),
    ]


def equations(kind: str, v: dict) -> list[str]:
    """The cell's equations with this step's numbers for one unit (plotly text; same order as the code)."""
    if kind == "LSTM":
        return [
            f"Γ<sub>f</sub> = σ({_f(v['forget_pre'])}) = {v['forget']:.3f}",
            f"Γ<sub>u</sub> = σ({_f(v['update_pre'])}) = {v['update']:.3f}",
            f"c̃⟨t⟩ = tanh({_f(v['candidate_pre'])}) = {_f(v['candidate'])}",
            f"Γ<sub>o</sub> = σ({_f(v['output_pre'])}) = {v['output']:.3f}",
            f"c⟨t⟩ = Γ<sub>u</sub>·c̃⟨t⟩ + Γ<sub>f</sub>·c⟨t−1⟩ = {v['update']:.2f}·{_f(v['candidate'])}"
            f" + {v['forget']:.2f}·{_f(v['cell_prev'])} = {_f(v['cell'])}",
            f"a⟨t⟩ = Γ<sub>o</sub>·tanh c⟨t⟩ = {v['output']:.2f}·tanh({_f(v['cell'])}) = {_f(v['hidden'])}",
        ]
    return [
        f"Γ<sub>u</sub> = σ({_f(v['update_pre'])}) = {v['update']:.3f}   (PyTorch z = 1 − Γ<sub>u</sub>)",
        f"Γ<sub>r</sub> = σ({_f(v['relevance_pre'])}) = {v['relevance']:.3f}",
        f"c̃⟨t⟩ = tanh({_f(v['candidate_input'])} + {v['relevance']:.2f}·{_f(v['candidate_hidden'])})"
        f" = {_f(v['candidate'])}",
        f"c⟨t⟩ = Γ<sub>u</sub>·c̃⟨t⟩ + (1−Γ<sub>u</sub>)·c⟨t−1⟩ = {v['update']:.2f}·{_f(v['candidate'])}"
        f" + {1 - v['update']:.2f}·{_f(v['cell_prev'])} = {_f(v['cell'])}",
        "a⟨t⟩ = c⟨t⟩",
    ]


# --------------------------------------------------------------------------- the whole figure


def gates_figure(example, layer: int = 0, unit: int = 0, start: int = 0, frame_ms: int = 700,
                 untrained: bool = False, title: str | None = None) -> go.Figure:
    """Everything at once, animated over the time steps of `example` (a gate_tasks.ExampleTrace).

    Rows: the cell diagram for `unit` with the equations under it | the gates of every unit |
    the states of every unit; then the input/target/prediction strip; then one units × time
    heatmap per gate (and c⟨t⟩), with a marker on the current step.
    """
    kind = example.kind
    values = layer_values(example.layers[layer], kind)
    steps, units = values["hidden"].shape
    unit = int(np.clip(unit, 0, units - 1))
    start = int(np.clip(start, 0, steps - 1))
    heatmaps = HEATMAPS[kind]
    n_rows = 2 + len(heatmaps)
    fig = make_subplots(
        rows=n_rows, cols=3, column_widths=[0.5, 0.25, 0.25],
        row_heights=[0.44, 0.13] + [0.43 / len(heatmaps)] * len(heatmaps), vertical_spacing=0.035,
        horizontal_spacing=0.06,
        specs=[[{}, {}, {}]] + [[{"colspan": 3}, None, None] for _ in range(n_rows - 1)],
        subplot_titles=[f"Unit {unit + 1} of layer {layer + 1} at step t", "Gates of every unit",
                        "States of every unit", _strip_title(example)] + [
            f"{NAMES[key]} of every unit over time" for key in heatmaps],
    )
    live: list[int] = []  # indices of the traces that change from frame to frame

    # Row 1, col 1: the diagram. Live traces first so they stay on top of the static lines? No:
    # plotly draws later traces on top, so the static lines go first.
    _diagram_static(fig, kind, 1, 1)
    boxes = LSTM_BOXES if kind == "LSTM" else GRU_BOXES
    paths = LSTM_PATHS if kind == "LSTM" else GRU_PATHS
    first = _diagram_live(kind, values, start, unit)
    fig.add_trace(go.Scatter(x=[b[0] for b in boxes.values()], y=[b[1] for b in boxes.values()],
                             mode="markers+text", marker=dict(symbol="square", size=64, line=dict(color="#333", width=1.5),
                                                              **first[0]["marker"]),
                             text=first[0]["text"], textfont=first[0]["textfont"], hoverinfo="skip",
                             showlegend=False), row=1, col=1)
    fig.add_trace(go.Scatter(x=[p[0] for p in paths], y=[p[1] for p in paths], mode="text", text=first[1]["text"],
                             textfont=dict(size=DIAGRAM_FONT - 1, color="#b5001e"), hoverinfo="skip",
                             showlegend=False), row=1, col=1)
    n_eq = len(first[2]["text"])
    fig.add_trace(go.Scatter(x=[0.0] * n_eq, y=list(np.linspace(1.2, -2.6, n_eq)), mode="text",
                             text=first[2]["text"], textposition="middle right",
                             textfont=dict(size=DIAGRAM_FONT, color="#222"), hoverinfo="skip", showlegend=False),
                  row=1, col=1)
    live += [len(fig.data) - 3, len(fig.data) - 2, len(fig.data) - 1]
    fig.update_xaxes(range=[-0.2, 10.3], visible=False, row=1, col=1)
    fig.update_yaxes(range=[-3.2, 10.2], visible=False, row=1, col=1)

    # Row 1, cols 2 and 3: bars for every unit at step t.
    unit_axis = list(range(1, units + 1))
    for col, keys in ((2, GATES[kind]), (3, STATES[kind])):
        for key in keys:
            fig.add_trace(go.Bar(x=unit_axis, y=_r(values[key][start]), name=_plain(key),
                                 marker_color=SERIES_COLORS[key], legendgroup="bars",
                                 hovertemplate=f"{_plain(key)} unit %{{x}}: %{{y:.3f}}<extra></extra>"),
                          row=1, col=col)
            live.append(len(fig.data) - 1)
    fig.update_yaxes(range=[0, 1], row=1, col=2, title_text="0 = shut, 1 = open", title_font_size=14)
    bound = max(1.0, float(np.nanmax(np.abs(values["cell"]))))
    fig.update_yaxes(range=[-bound * 1.05, bound * 1.05], row=1, col=3)
    fig.update_xaxes(title_text="unit", dtick=1 if units <= 12 else 4, row=1, col=2)
    fig.update_xaxes(title_text="unit", dtick=1 if units <= 12 else 4, row=1, col=3)
    fig.update_layout(barmode="group", bargap=0.25)

    # Row 2: what goes in and what comes out, over time.
    time_axis = list(range(1, steps + 1))
    if example.input_values is not None:
        fig.add_trace(go.Bar(x=time_axis, y=_r(example.input_values), name=_html(example.input_name),
                             marker_color="#c9c9c9", hovertemplate="t=%{x}: %{y:.3f}<extra>input</extra>"),
                      row=2, col=1)
    fig.add_trace(go.Scatter(x=time_axis, y=_r(example.target), name="target", mode="markers",
                             marker=dict(color=COLORS["trend"], size=10, symbol="diamond"),
                             hovertemplate="t=%{x}: %{y:.3f}<extra>target</extra>"), row=2, col=1)
    fig.add_trace(go.Scatter(x=time_axis, y=_r(example.prediction), name="ŷ⟨t⟩", mode="lines+markers",
                             line=dict(color=COLORS["observed"], width=2.5), marker=dict(size=5),
                             hovertemplate="t=%{x}: %{y:.3f}<extra>ŷ</extra>"), row=2, col=1)

    # Rows 3…: units × time heatmaps, one per gate, then c⟨t⟩.
    for offset, key in enumerate(heatmaps):
        is_gate = key != "cell"
        z = np.round(values[key].T, 3)
        fig.add_trace(go.Heatmap(
            x=time_axis, y=unit_axis, z=z, zmin=0 if is_gate else -bound, zmax=1 if is_gate else bound,
            colorscale=GATE_COLORS if is_gate else STATE_COLORS, showscale=offset in (0, len(heatmaps) - 1),
            colorbar=dict(len=0.2, thickness=14, y=0.3 if is_gate else 0.08, title=dict(text="gate" if is_gate
                                                                                         else "c⟨t⟩")),
            hovertemplate=f"{_plain(key)} unit %{{y}}, t=%{{x}}: %{{z:.3f}}<extra></extra>"),
            row=3 + offset, col=1)
        fig.update_yaxes(title_text="unit", dtick=1 if units <= 8 else max(1, units // 4), autorange="reversed",
                         row=3 + offset, col=1)

    # The "now" marker on the strip and on every heatmap: a box around column t.
    marker_rows = [2] + [3 + i for i in range(len(heatmaps))]
    strip_low, strip_high = _strip_range(example)
    for r in marker_rows:
        low, high = (strip_low, strip_high) if r == 2 else (0.5, units + 0.5)
        fig.add_trace(go.Scatter(x=_now_box(start + 1)[0], y=[low, high, high, low, low], mode="lines",
                                 line=dict(color="#edae49", width=3.5), hoverinfo="skip", showlegend=False),
                      row=r, col=1)
        live.append(len(fig.data) - 1)
    fig.update_yaxes(range=[strip_low, strip_high], row=2, col=1)

    ticks = _ticks(example.labels)
    for r in range(2, n_rows + 1):
        fig.update_xaxes(range=[0.5, steps + 0.5], row=r, col=1, showticklabels=(r == 2 or r == n_rows),
                         **ticks)
    fig.update_xaxes(title_text="time step t", row=n_rows, col=1)

    fig.frames = [_frame(kind, values, example, t, unit, units, heatmaps, strip_low, strip_high)
                  for t in range(steps)]
    for frame in fig.frames:
        frame.traces = live
    _player(fig, example.labels, start, frame_ms)
    heading = title or f"{kind}: every gate, step by step"
    if untrained:
        heading = f"<span style='color:#d1495b'><b>UNTRAINED</b> (random weights)</span> · {heading}"
    legible(fig, height=1150 + 40 * max(0, len(heatmaps) - 3), title=heading)
    fig.update_layout(hovermode="closest", legend=dict(y=1.04, x=0.52, xanchor="left"),
                      margin=dict(t=110, b=150, l=70, r=30))
    fig.update_annotations(font_size=16)
    return fig


def _frame(kind, values, example, t, unit, units, heatmaps, strip_low, strip_high) -> go.Frame:
    data = _diagram_live(kind, values, t, unit)
    for key in GATES[kind] + STATES[kind]:
        data.append(dict(type="bar", y=_r(values[key][t])))
    xs = _now_box(t + 1)[0]
    data.append(dict(type="scatter", x=xs, y=[strip_low, strip_high, strip_high, strip_low, strip_low]))
    for _ in heatmaps:
        data.append(dict(type="scatter", x=xs))
    return go.Frame(data=data, name=str(t))


def _now_box(step: int):
    return [step - 0.5, step - 0.5, step + 0.5, step + 0.5, step - 0.5], None


def _player(fig: go.Figure, labels: list[str], start: int, frame_ms: int) -> None:
    """Play / pause buttons and a time slider; both run in the browser."""
    play = dict(label="▶ Play", method="animate",
                args=[None, dict(frame=dict(duration=frame_ms, redraw=True), fromcurrent=True,
                                 transition=dict(duration=0), mode="immediate")])
    pause = dict(label="❚❚ Pause", method="animate",
                 args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate",
                                    transition=dict(duration=0))])
    steps = [dict(method="animate", label=str(t + 1),
                  args=[[str(t)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                       transition=dict(duration=0))])
             for t in range(len(labels))]
    fig.update_layout(
        updatemenus=[dict(type="buttons", direction="left", buttons=[play, pause], x=0, y=-0.035,
                          xanchor="left", yanchor="top", pad=dict(t=8, r=8), font=dict(size=16),
                          showactive=False)],
        sliders=[dict(active=start, steps=steps, x=0.2, len=0.8, y=-0.025, yanchor="top", pad=dict(t=30),
                      currentvalue=dict(prefix="t = ", font=dict(size=18)), font=dict(size=12))],
    )


def _strip_title(example) -> str:
    name = _html(example.target_name)
    return f"Input, target ({name}) and prediction ŷ⟨t⟩"


def _strip_range(example) -> tuple[float, float]:
    parts = [example.prediction, example.target]
    if example.input_values is not None:
        parts.append(example.input_values)
    finite = np.concatenate([np.asarray(p, dtype=float)[np.isfinite(p)] for p in parts])
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    low, high = min(low, 0.0), max(high, 0.0)
    pad = 0.08 * max(high - low, 1e-6)
    return low - pad, high + pad


def _ticks(labels: list[str]) -> dict:
    """Word/label ticks when they fit, numbers otherwise."""
    steps = len(labels)
    if steps <= 30 and max(len(label) for label in labels) <= 10:
        return dict(tickmode="array", tickvals=list(range(1, steps + 1)), ticktext=[_html(l) for l in labels],
                    tickangle=-45 if steps > 12 else 0)
    stride = max(1, steps // 12)
    return dict(tickmode="array", tickvals=list(range(1, steps + 1, stride)),
                ticktext=[_html(labels[i]) for i in range(0, steps, stride)], tickangle=-45)


def _html(text: str) -> str:
    """Task labels into plotly text: no markup (plotly reads < > & as HTML)."""
    return str(text).replace("&", "&amp;").replace("<", "⟨").replace(">", "⟩")


def _plain(key: str) -> str:
    return {"forget": "Γ_f", "update": "Γ_u", "output": "Γ_o", "relevance": "Γ_r", "candidate": "c̃⟨t⟩",
            "cell": "c⟨t⟩", "hidden": "a⟨t⟩"}[key]


# --------------------------------------------------------------------------- LSTM vs GRU on one input


def comparison_figure(lstm_example, gru_example) -> go.Figure:
    """Same input, both cells: the predictions, and each cell's 'keep the memory' gate
    (LSTM Γ_f, GRU 1 − Γ_u) as units × time heatmaps."""
    steps = len(lstm_example.labels)
    time_axis = list(range(1, steps + 1))
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.4, 0.3, 0.3],
                        subplot_titles=["Target and the two predictions",
                                        "LSTM: keep gate Γ<sub>f</sub> (last layer)",
                                        "GRU: keep gate 1 − Γ<sub>u</sub> (last layer)"])
    fig.add_trace(go.Scatter(x=time_axis, y=_r(lstm_example.target), mode="markers", name="target",
                             marker=dict(color=COLORS["trend"], size=11, symbol="diamond")), row=1, col=1)
    fig.add_trace(go.Scatter(x=time_axis, y=_r(lstm_example.prediction), mode="lines+markers", name="LSTM ŷ",
                             line=dict(color=COLORS["observed"], width=2.5)), row=1, col=1)
    fig.add_trace(go.Scatter(x=time_axis, y=_r(gru_example.prediction), mode="lines+markers", name="GRU ŷ",
                             line=dict(color=COLORS["seasonal"], width=2.5, dash="dash")), row=1, col=1)
    keep = {"LSTM": lstm_example.layers[-1]["forget"], "GRU": 1 - gru_example.layers[-1]["update"]}
    for row, (kind, z) in enumerate(keep.items(), start=2):
        fig.add_trace(go.Heatmap(x=time_axis, y=list(range(1, z.shape[1] + 1)), z=np.round(z.T, 3), zmin=0, zmax=1,
                                 colorscale=GATE_COLORS, showscale=row == 2,
                                 colorbar=dict(len=0.5, y=0.3, thickness=14),
                                 hovertemplate=f"{kind} unit %{{y}}, t=%{{x}}: %{{z:.3f}}<extra></extra>"),
                      row=row, col=1)
        fig.update_yaxes(title_text="unit", autorange="reversed", row=row, col=1)
    fig.update_xaxes(range=[0.5, steps + 0.5], **_ticks(lstm_example.labels))
    fig.update_xaxes(title_text="time step t", row=3, col=1)
    legible(fig, height=640)
    fig.update_layout(hovermode="closest")
    return fig
