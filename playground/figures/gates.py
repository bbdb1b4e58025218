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

from playground.figures.style import COLORS, animation_controls, legible, plain_text

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


def _sig(values) -> list:
    """Three significant digits (losses span decades: rounding to decimals would zero them)."""
    return [float(f"{v:.3g}") for v in values]


def _f(value: float) -> str:
    """+0.12 / −0.12 with a real minus sign; never −0.00."""
    value = 0.0 if abs(value) < 0.005 else value
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
# Diagram units: x from 0 to 12, y from 0 (inputs) to 11 (the memory line); the equations go below y = 0.
# Static: lines, operation circles, labels. Live: the gate boxes (colour = how open), the numbers on
# every path, the equations.

LSTM_LINES = [
    [(0.0, 9), (11.6, 9)],  # the cell line c⟨t−1⟩ → c⟨t⟩
    [(0.0, 3.0), (8.4, 3.0)],  # [a⟨t−1⟩, x⟨t⟩] to every gate
    [(1.3, 1.6), (1.3, 3.0)],  # x⟨t⟩ joins
    [(2.6, 3.0), (2.6, 9)],  # Γ_f up to ×
    [(4.4, 3.0), (4.4, 7.2), (6.3, 7.2), (6.3, 3.0)],  # Γ_u and c̃ meet at ×
    [(5.35, 7.2), (5.35, 9)],  # Γ_u·c̃ up to +
    [(8.4, 3.0), (8.4, 5.1), (10.2, 5.1), (11.6, 5.1)],  # Γ_o to ×, a⟨t⟩ out
    [(10.2, 9), (10.2, 5.1)],  # c⟨t⟩ down through tanh to ×
]
LSTM_OPS = [(2.6, 9, "×"), (5.35, 7.2, "×"), (5.35, 9, "+"), (10.2, 7.2, "tanh"), (10.2, 5.1, "×")]
LSTM_BOXES = {"forget": (2.6, 5.1), "update": (4.4, 5.1), "candidate": (6.3, 5.1), "output": (8.4, 5.1)}
BOX_W, BOX_H = 0.7, 1.0  # half width and half height of a gate box, in diagram units
LSTM_BOX_FUNCTION = {"forget": "σ", "update": "σ", "candidate": "tanh", "output": "σ"}
LSTM_LABELS = [(0.3, 10.0, "c⟨t−1⟩"), (11.4, 10.0, "c⟨t⟩"), (0.4, 2.3, "a⟨t−1⟩"), (11.6, 4.3, "a⟨t⟩")]
LSTM_PATHS = [  # (x, y, label, how to compute it from the step's values); numbers in red on the paths
    (1.3, 9.55, "", lambda v: v["cell_prev"]),
    (4.0, 9.55, "Γ<sub>f</sub>·c⟨t−1⟩", lambda v: v["forget"] * v["cell_prev"]),
    (5.5, 8.1, "Γ<sub>u</sub>·c̃", lambda v: v["update"] * v["candidate"]),
    (7.8, 9.55, "", lambda v: v["cell"]),
    (9.45, 7.2, "tanh c⟨t⟩", lambda v: np.tanh(v["cell"])),
    (11.0, 5.65, "", lambda v: v["hidden"]),
    (0.6, 3.55, "", lambda v: v["hidden_prev"]),
]
LSTM_PATH_ALIGN = ["middle center", "middle center", "middle right", "middle center", "middle left",
                   "middle center", "middle center"]

GRU_LINES = [
    [(0.0, 9.8), (11.6, 9.8)],  # the memory line c⟨t−1⟩ = a⟨t−1⟩ → c⟨t⟩ = a⟨t⟩
    [(0.6, 9.8), (0.6, 2.6), (7.5, 2.6)],  # c⟨t−1⟩ also feeds the gates, with x⟨t⟩
    [(1.3, 1.4), (1.3, 2.6)],  # x⟨t⟩ joins
    [(2.0, 2.6), (2.0, 9.8)],  # Γ_u → 1 − Γ_u → × on the memory line
    [(2.0, 7.9), (9.2, 7.9)],  # Γ_u across to × with c̃
    [(3.9, 2.6), (3.9, 6.2), (5.6, 6.2)],  # Γ_r across to × with W_cc c⟨t−1⟩ + b_cc
    [(5.6, 2.6), (5.6, 6.2), (9.2, 6.2), (9.2, 9.8)],  # W_cc c + b_cc → ×Γ_r → + → tanh → ×Γ_u → +
    [(7.5, 2.6), (7.5, 6.2)],  # the input part W_cx x⟨t⟩ + b_cx joins at +
]
GRU_OPS = [(2.0, 9.8, "×"), (2.0, 8.75, "1−"), (5.6, 6.2, "×"), (7.5, 6.2, "+"), (9.2, 7.9, "×"), (9.2, 9.8, "+")]
GRU_BOXES = {"update": (2.0, 4.5), "relevance": (3.9, 4.5), "candidate": (9.2, 6.2)}
GRU_BOX_FUNCTION = {"relevance": "σ", "update": "σ", "candidate": "tanh"}
GRU_LABELS = [(1.1, 10.75, "c⟨t−1⟩ = a⟨t−1⟩"), (10.8, 10.75, "c⟨t⟩ = a⟨t⟩"),
              (5.0, 1.9, "W<sub>cc</sub>c⟨t−1⟩+b<sub>cc</sub>"), (8.6, 1.9, "W<sub>cx</sub>x⟨t⟩+b<sub>cx</sub>")]
GRU_PATHS = [
    (1.1, 10.2, "", lambda v: v["cell_prev"]),
    (5.4, 10.2, "(1−Γ<sub>u</sub>)·c⟨t−1⟩", lambda v: (1 - v["update"]) * v["cell_prev"]),
    (5.7, 4.4, "", lambda v: v["candidate_hidden"]),
    (6.55, 6.7, "", lambda v: v["relevance"] * v["candidate_hidden"]),
    (7.6, 4.4, "", lambda v: v["candidate_input"]),
    (9.35, 8.85, "Γ<sub>u</sub>·c̃", lambda v: v["update"] * v["candidate"]),
    (10.6, 10.2, "", lambda v: v["cell"]),
]
GRU_PATH_ALIGN = ["middle center", "middle center", "middle right", "middle center", "middle right",
                  "middle right", "middle center"]


def _diagram_static(fig: go.Figure, kind: str, row: int, col: int) -> None:
    lines = LSTM_LINES if kind == "LSTM" else GRU_LINES
    xs, ys = [], []
    for line in lines:
        xs += [x for x, _ in line] + [None]
        ys += [y for _, y in line] + [None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#666", width=2.5), hoverinfo="skip",
                             showlegend=False), row=row, col=col)
    ops = LSTM_OPS if kind == "LSTM" else GRU_OPS
    fig.add_trace(go.Scatter(
        x=[o[0] for o in ops], y=[o[1] for o in ops], mode="markers+text", text=[o[2] for o in ops],
        marker=dict(size=[40 if o[2] == "tanh" else 28 for o in ops], color="#fff8e6",
                    line=dict(color="#b07c1a", width=2)),
        textfont=dict(size=DIAGRAM_FONT, color="#6b4a00"), hoverinfo="skip", showlegend=False), row=row, col=col)
    labels = LSTM_LABELS if kind == "LSTM" else GRU_LABELS
    fig.add_trace(go.Scatter(
        x=[l[0] for l in labels], y=[l[1] for l in labels], mode="text", text=[f"<b>{l[2]}</b>" for l in labels],
        textfont=dict(size=DIAGRAM_FONT, color="#222"), hoverinfo="skip", showlegend=False), row=row, col=col)


def _diagram_live(kind: str, values: dict, example, t: int, unit: int) -> list[dict]:
    """The three live diagram traces at step t for one unit: gate boxes, numbers on the paths, equations."""
    boxes = LSTM_BOXES if kind == "LSTM" else GRU_BOXES
    functions = LSTM_BOX_FUNCTION if kind == "LSTM" else GRU_BOX_FUNCTION
    box_values = [float(values[key][t, unit]) for key in boxes]
    # Gates live in (0, 1); the candidate in (−1, 1) is shown on the same pale→dark scale via (c̃ + 1) / 2.
    shade = [v if key != "candidate" else (v + 1) / 2 for key, v in zip(boxes, box_values)]
    box_text = [f"{functions[key]}<br>{NAMES[key]}<br><b>{_f(v) if key == 'candidate' else f'{v:.2f}'}</b>"
                for key, v in zip(boxes, box_values)]
    paths = LSTM_PATHS if kind == "LSTM" else GRU_PATHS
    step = {key: array[t, unit] for key, array in values.items()}
    path_text = [f"{label} {_f(float(compute(step)))}".strip() for _, _, label, compute in paths]
    path_text.append(f"<b>x⟨t⟩ = {plain_text(example.step_text(t))}</b>")
    # One filled polygon per box (drawn in data units, so the boxes shrink with a narrow screen), then
    # the box labels, the numbers on the paths, the equations.
    return [dict(type="scatter", fillcolor=_gate_color(v)) for v in shade] + [
        dict(type="scatter", text=box_text,
             textfont=dict(color=["white" if v > 0.55 else "black" for v in shade], size=DIAGRAM_FONT - 1)),
        dict(type="scatter", text=path_text),
        dict(type="scatter", text=equations(kind, step)),
    ]


def _gate_color(value: float) -> str:
    """The GATE_COLORS scale at `value` (0 pale … 1 dark), as an rgb() string."""
    value = float(np.clip(value, 0, 1))
    low, high = (np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) for c in (GATE_COLORS[0][1], GATE_COLORS[1][1]))
    r, g, b = np.round(low + (high - low) * value).astype(int)
    return f"rgb({r},{g},{b})"


def equations(kind: str, v: dict) -> list[str]:
    """The cell's equations with this step's numbers for one unit (plotly text; the code's own formulas).

    Short on purpose: the gates' arguments are the ones drawn in the diagram; the page repeats the
    full formulas with st.latex under the figure."""
    if kind == "LSTM":
        return [
            f"Γ<sub>f</sub> = σ({_f(v['forget_pre'])}) = {v['forget']:.3f}",
            f"Γ<sub>u</sub> = σ({_f(v['update_pre'])}) = {v['update']:.3f}",
            f"c̃⟨t⟩ = tanh({_f(v['candidate_pre'])}) = {_f(v['candidate'])}",
            f"Γ<sub>o</sub> = σ({_f(v['output_pre'])}) = {v['output']:.3f}",
            f"c⟨t⟩ = Γ<sub>u</sub>·c̃⟨t⟩ + Γ<sub>f</sub>·c⟨t−1⟩ = {v['update']:.2f}·{_m(v['candidate'])}"
            f" + {v['forget']:.2f}·{_m(v['cell_prev'])} = {_f(v['cell'])}",
            f"a⟨t⟩ = Γ<sub>o</sub>·tanh(c⟨t⟩) = {v['output']:.2f}·tanh({_f(v['cell'])}) = {_f(v['hidden'])}",
        ]
    return [
        f"Γ<sub>u</sub> = σ({_f(v['update_pre'])}) = {v['update']:.3f}   (PyTorch: z = 1 − Γ<sub>u</sub>)",
        f"Γ<sub>r</sub> = σ({_f(v['relevance_pre'])}) = {v['relevance']:.3f}",
        "c̃⟨t⟩ = tanh(W<sub>cx</sub>x⟨t⟩ + b<sub>cx</sub> + Γ<sub>r</sub>·(W<sub>cc</sub>c⟨t−1⟩ + b<sub>cc</sub>))",
        f"       = tanh({_f(v['candidate_input'])} + {v['relevance']:.2f}·{_m(v['candidate_hidden'])})"
        f" = {_f(v['candidate'])}",
        f"c⟨t⟩ = a⟨t⟩ = Γ<sub>u</sub>·c̃⟨t⟩ + (1−Γ<sub>u</sub>)·c⟨t−1⟩ = {v['update']:.2f}·{_m(v['candidate'])}"
        f" + {1 - v['update']:.2f}·{_m(v['cell_prev'])} = {_f(v['cell'])}",
    ]


def _m(value: float) -> str:
    """A factor in a product: 0.46 or (−0.46)."""
    value = 0.0 if abs(value) < 0.005 else value
    return f"{value:.2f}" if value >= 0 else f"({_f(value)})"


# Vertical layout in pixels: one figure, so that every panel moves with the same Play button.
TOP, BOTTOM = 80, 150  # margins: the title; the time ticks, Play/Pause and the slider
CELL_ROW, BAR_ROW = 560, 470  # the diagram with its equations; the bar charts beside it
STRIP_ROW, GAP, TITLE_GAP = 150, 70, 42


def _heatmap_row(units: int) -> int:
    return int(np.clip(18 * units, 80, 260))


def gates_figure(example, layer: int = 0, unit: int = 0, start: int = 0, frame_ms: int = 700,
                 untrained: bool = False, title: str | None = None) -> go.Figure:
    """Everything at once, animated over the time steps of `example` (a gate_tasks.ExampleTrace).

    Row 1: the cell diagram for `unit` with its equations | the gates of every unit | the states
    of every unit. Row 2: input, target and prediction over time. Then one units × time heatmap
    per gate (and c⟨t⟩). A box marks the current step on every time axis.
    """
    kind = example.kind
    values = layer_values(example.layers[layer], kind)
    steps, units = values["hidden"].shape
    unit = int(np.clip(unit, 0, units - 1))
    start = int(np.clip(start, 0, steps - 1))
    heatmaps = HEATMAPS[kind]
    n_rows = 2 + len(heatmaps)
    fig = make_subplots(rows=n_rows, cols=3, column_widths=[0.58, 0.21, 0.21], horizontal_spacing=0.05,
                        specs=[[{}, {}, {}]] + [[{"colspan": 3}, None, None] for _ in range(n_rows - 1)])
    live: list[int] = []  # indices of the traces that change from frame to frame

    # Row 1, col 1: the diagram. Plotly draws later traces on top, so the static lines go first.
    _diagram_static(fig, kind, 1, 1)
    boxes = LSTM_BOXES if kind == "LSTM" else GRU_BOXES
    paths = LSTM_PATHS if kind == "LSTM" else GRU_PATHS
    align = LSTM_PATH_ALIGN if kind == "LSTM" else GRU_PATH_ALIGN
    first = _diagram_live(kind, values, example, start, unit)
    for (x, y), fill in zip(boxes.values(), first):
        fig.add_trace(go.Scatter(x=[x - BOX_W, x + BOX_W, x + BOX_W, x - BOX_W, x - BOX_W],
                                 y=[y - BOX_H, y - BOX_H, y + BOX_H, y + BOX_H, y - BOX_H], mode="lines",
                                 fill="toself", fillcolor=fill["fillcolor"], line=dict(color="#333", width=1.5),
                                 hoverinfo="skip", showlegend=False), row=1, col=1)
        live.append(len(fig.data) - 1)
    first = first[len(boxes):]
    fig.add_trace(go.Scatter(x=[b[0] for b in boxes.values()], y=[b[1] for b in boxes.values()],
                             mode="text", text=first[0]["text"], textfont=first[0]["textfont"],
                             hoverinfo="skip", showlegend=False), row=1, col=1)
    fig.add_trace(go.Scatter(x=[p[0] for p in paths] + [-0.4], y=[p[1] for p in paths] + [0.9], mode="text",
                             text=first[1]["text"], textposition=align + ["middle right"],
                             textfont=dict(size=DIAGRAM_FONT, color=["#b5001e"] * len(paths) + ["#222"]),
                             hoverinfo="skip", showlegend=False), row=1, col=1)
    n_eq = len(first[2]["text"])
    fig.add_trace(go.Scatter(x=[-0.4] * n_eq, y=[-0.4 - 1.0 * i for i in range(n_eq)], mode="text",
                             text=first[2]["text"], textposition="middle right", cliponaxis=False,
                             textfont=dict(size=DIAGRAM_FONT + 1, color="#222"), hoverinfo="skip", showlegend=False),
                  row=1, col=1)
    live += [len(fig.data) - 3, len(fig.data) - 2, len(fig.data) - 1]
    fig.update_xaxes(range=[-0.6, 12.2], visible=False, row=1, col=1)
    fig.update_yaxes(range=[-0.9 - 1.0 * (n_eq - 1) - 0.4, 11.1], visible=False, row=1, col=1)

    # Row 1, cols 2 and 3: bars for every unit at step t.
    unit_axis = list(range(1, units + 1))
    for col, keys in ((2, GATES[kind]), (3, STATES[kind])):
        for key in keys:
            fig.add_trace(go.Bar(x=unit_axis, y=_r(values[key][start]), name=_plain(key), showlegend=False,
                                 marker_color=SERIES_COLORS[key],
                                 hovertemplate=f"{_plain(key)} unit %{{x}}: %{{y:.3f}}<extra></extra>"),
                          row=1, col=col)
            live.append(len(fig.data) - 1)
        fig.update_xaxes(title_text="unit", title_standoff=4, dtick=1 if units <= 12 else 4, row=1, col=col)
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    bound = max(1.0, float(np.nanmax(np.abs(values["cell"]))))
    fig.update_yaxes(range=[-bound * 1.05, bound * 1.05], row=1, col=3)
    fig.update_layout(barmode="group", bargap=0.2)

    # Row 2: what goes in and what comes out, over time.
    time_axis = list(range(1, steps + 1))
    if example.input_values is not None:
        fig.add_trace(go.Bar(x=time_axis, y=_r(example.input_values), name=plain_text(example.input_name),
                             marker_color="#c9c9c9", hovertemplate="t=%{x}: %{y:.3f}<extra>input</extra>"),
                      row=2, col=1)
    fig.add_trace(go.Scatter(x=time_axis, y=_r(example.target), name="target", mode="markers",
                             marker=dict(color=COLORS["trend"], size=11, symbol="diamond"),
                             hovertemplate="t=%{x}: %{y:.3f}<extra>target</extra>"), row=2, col=1)
    fig.add_trace(go.Scatter(x=time_axis, y=_r(example.prediction), name="prediction ŷ⟨t⟩", mode="lines+markers",
                             line=dict(color=COLORS["observed"], width=2.5), marker=dict(size=6),
                             hovertemplate="t=%{x}: %{y:.3f}<extra>ŷ</extra>"), row=2, col=1)

    # Rows 3…: units × time heatmaps, one per gate, then c⟨t⟩.
    for offset, key in enumerate(heatmaps):
        is_gate = key != "cell"
        fig.add_trace(go.Heatmap(
            x=time_axis, y=unit_axis, z=np.round(values[key].T, 3), zmin=0 if is_gate else -bound,
            zmax=1 if is_gate else bound, colorscale=GATE_COLORS if is_gate else STATE_COLORS,
            showscale=offset in (0, len(heatmaps) - 1), xgap=1, ygap=1,
            hovertemplate=f"{_plain(key)} unit %{{y}}, t=%{{x}}: %{{z:.3f}}<extra></extra>"),
            row=3 + offset, col=1)
        fig.update_yaxes(title_text="unit", dtick=1 if units <= 6 else max(1, units // 4), autorange="reversed",
                         row=3 + offset, col=1)

    # The "now" box on the strip and on every heatmap.
    strip_low, strip_high = _strip_range(example)
    for r in [2] + [3 + i for i in range(len(heatmaps))]:
        low, high = (strip_low, strip_high) if r == 2 else (0.5, units + 0.5)
        fig.add_trace(go.Scatter(x=_now_box(start), y=[low, high, high, low, low], mode="lines",
                                 line=dict(color=COLORS["highlight"], width=4), hoverinfo="skip", showlegend=False),
                      row=r, col=1)
        live.append(len(fig.data) - 1)
    fig.update_yaxes(range=[strip_low, strip_high], row=2, col=1)
    ticks = _ticks(example.labels)
    for r in range(2, n_rows + 1):
        fig.update_xaxes(range=[0.5, steps + 0.5], row=r, col=1, showticklabels=r == n_rows, **ticks)

    titles = [(f"Unit {unit + 1}{f' of layer {layer + 1}' if len(example.layers) > 1 else ''} at step t · "
               "<span style='color:#b5001e'>red</span>: the value on each path", 1, 1),
              ("Gates " + _swatches(GATES[kind]), 1, 2), ("States " + _swatches(STATES[kind]), 1, 3),
              (_strip_title(example), 2, 1)] + [(f"{NAMES[key]}: every unit over time", 3 + i, 1)
                                                for i, key in enumerate(heatmaps)]
    height = _arrange(fig, n_rows, _heatmap_row(units), titles)
    heading = title or f"{kind}: every gate, step by step"
    if untrained:
        heading = f"<span style='color:#d1495b'><b>UNTRAINED</b> (random weights)</span> · {heading}"
    legible(fig, height=height, title=heading)
    strip_top = fig.layout[_axis_name(fig, 2, "y")].domain[1]
    fig.update_layout(hovermode="closest", margin=dict(t=TOP, b=BOTTOM, l=70, r=90), showlegend=True,
                      legend=dict(orientation="h", x=1, xanchor="right", y=strip_top, yanchor="bottom",
                                  font=dict(size=15), bgcolor="rgba(255,255,255,0)"))
    _colorbars(fig, heatmaps)
    _player(fig, example.labels, start, frame_ms, BOTTOM / (height - TOP - BOTTOM))

    # The frames are built as plain dicts and attached without plotly's validation (ten times
    # faster for long sequences); a unit test validates a whole figure to catch mistakes in them.
    frames = [dict(name=str(t), traces=live,
                   data=_frame_data(kind, values, example, t, unit, heatmaps, strip_low, strip_high))
              for t in range(steps)]
    spec = fig.to_dict()
    spec["frames"] = frames
    return go.Figure(spec, _validate=False)


def _arrange(fig: go.Figure, n_rows: int, heatmap_px: int, titles: list) -> int:
    """Place every subplot by pixels (make_subplots only spaces rows in fractions) and title it.

    Returns the figure height."""
    rows = [(CELL_ROW, GAP), (STRIP_ROW, TITLE_GAP)] + [(heatmap_px, TITLE_GAP)] * (n_rows - 2)
    plot = sum(h for h, _ in rows) + sum(g for _, g in rows[1:]) + 30
    tops, y = [], 30
    for index, (h, gap) in enumerate(rows):
        y += gap if index else 0
        tops.append(y)
        y += h
    def domain(top, h):
        return [1 - (top + h) / plot, 1 - top / plot]
    for r, ((h, _), top) in enumerate(zip(rows, tops), start=1):
        for col in (1, 2, 3) if r == 1 else (1,):
            ref = fig.get_subplot(r, col)
            fig.layout[ref.yaxis.plotly_name].domain = domain(top, BAR_ROW if col > 1 else h)
    for text, r, col in titles:
        ref = fig.get_subplot(r, col)
        x_domain = fig.layout[ref.xaxis.plotly_name].domain
        y_top = fig.layout[ref.yaxis.plotly_name].domain[1]
        fig.add_annotation(text=text, x=(x_domain[0] + x_domain[1]) / 2 if col > 1 else x_domain[0],
                           xanchor="center" if col > 1 else "left", y=y_top, yanchor="bottom", yshift=4,
                           xref="paper", yref="paper", showarrow=False, font=dict(size=16))
    return plot + TOP + BOTTOM


def _colorbars(fig: go.Figure, heatmaps: list[str]) -> None:
    """One colour bar for the gates (beside the first heatmap), one for c⟨t⟩ (beside the last)."""
    heat = [trace for trace in fig.data if trace.type == "heatmap"]
    for trace, key in ((heat[0], heatmaps[0]), (heat[-1], heatmaps[-1])):
        domain = fig.layout[trace.yaxis.replace("y", "yaxis")].domain
        trace.colorbar = dict(y=domain[0], yanchor="bottom", len=domain[1] - domain[0], lenmode="fraction",
                              thickness=14, title=dict(text="gate" if key != "cell" else "c⟨t⟩", side="right"))


def _frame_data(kind, values, example, t, unit, heatmaps, strip_low, strip_high) -> list[dict]:
    data = _diagram_live(kind, values, example, t, unit)
    data += [dict(type="bar", y=_r(values[key][t])) for key in GATES[kind] + STATES[kind]]
    box = _now_box(t)
    data.append(dict(type="scatter", x=box, y=[strip_low, strip_high, strip_high, strip_low, strip_low]))
    data += [dict(type="scatter", x=box) for _ in heatmaps]
    return data


def _now_box(t: int) -> list[float]:
    """x of a box around time step t (0-based), drawn on the 1-based time axis."""
    return [t + 0.5, t + 0.5, t + 1.5, t + 1.5, t + 0.5]


def _axis_name(fig: go.Figure, row: int, axis: str) -> str:
    ref = fig.get_subplot(row, 1)
    return (ref.yaxis if axis == "y" else ref.xaxis).plotly_name


def _swatches(keys: list[str]) -> str:
    return "  ".join(f"<span style='color:{SERIES_COLORS[k]}'>■</span> {NAMES[k]}" for k in keys)


def _player(fig: go.Figure, labels: list[str], start: int, frame_ms: int, below: float) -> None:
    """Play / pause buttons and a time slider under the last panel; all of it runs in the browser."""
    animation_controls(fig, [str(t + 1) for t in range(len(labels))], start, frame_ms, y=-0.45 * below,
                       prefix="step t = ")  # just under the time ticks of the last heatmap


def _strip_title(example) -> str:
    name = plain_text(example.target_name)
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
        return dict(tickmode="array", tickvals=list(range(1, steps + 1)), ticktext=[plain_text(l) for l in labels],
                    tickangle=-45 if steps > 12 else 0)
    stride = max(1, steps // 12)
    return dict(tickmode="array", tickvals=list(range(1, steps + 1, stride)),
                ticktext=[plain_text(labels[i]) for i in range(0, steps, stride)], tickangle=-45)



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


def loss_figure(history) -> go.Figure:
    """Training loss (and held-out loss) per epoch, on a log scale."""
    epochs = list(range(1, len(history.losses) + 1))
    fig = go.Figure(go.Scatter(x=epochs, y=_sig(history.losses), name="training loss", mode="lines",
                               line=dict(color=COLORS["observed"], width=2.5)))
    if history.validation:
        fig.add_trace(go.Scatter(x=epochs, y=_sig(history.validation), name="held-out loss", mode="lines",
                                 line=dict(color=COLORS["trend"], width=2.5, dash="dash")))
    fig.update_yaxes(type="log", title_text="loss")
    fig.update_xaxes(title_text="epoch")
    return legible(fig, height=320)


def latex_equations(kind: str, v: dict) -> str:
    """The same equations as `equations`, as one LaTeX block for st.latex: symbols, then this step's numbers."""
    T, T1 = r"^{\langle t \rangle}", r"^{\langle t-1 \rangle}"

    def n(value: float) -> str:
        return f"{value:.3f}" if value >= 0 else f"({value:.3f})"

    if kind == "LSTM":
        concat = rf"[a{T1}, x{T}]"
        lines = [
            rf"\Gamma_f &= \sigma(W_f{concat} + b_f) = \sigma({v['forget_pre']:.3f}) = {v['forget']:.3f}",
            rf"\Gamma_u &= \sigma(W_u{concat} + b_u) = \sigma({v['update_pre']:.3f}) = {v['update']:.3f}",
            rf"\tilde c{T} &= \tanh(W_c{concat} + b_c) = \tanh({v['candidate_pre']:.3f}) = {v['candidate']:.3f}",
            rf"\Gamma_o &= \sigma(W_o{concat} + b_o) = \sigma({v['output_pre']:.3f}) = {v['output']:.3f}",
            rf"c{T} &= \Gamma_u * \tilde c{T} + \Gamma_f * c{T1} = {v['update']:.3f}\cdot{n(v['candidate'])}"
            rf" + {v['forget']:.3f}\cdot{n(v['cell_prev'])} = {v['cell']:.3f}",
            rf"a{T} &= \Gamma_o * \tanh(c{T}) = {v['output']:.3f}\cdot\tanh({v['cell']:.3f}) = {v['hidden']:.3f}",
        ]
    else:
        concat = rf"[c{T1}, x{T}]"
        lines = [
            rf"\Gamma_u &= \sigma(W_u{concat} + b_u) = \sigma({v['update_pre']:.3f}) = {v['update']:.3f}",
            rf"\Gamma_r &= \sigma(W_r{concat} + b_r) = \sigma({v['relevance_pre']:.3f}) = {v['relevance']:.3f}",
            rf"\tilde c{T} &= \tanh\big(W_{{cx}} x{T} + b_{{cx}} + \Gamma_r * (W_{{cc}} c{T1} + b_{{cc}})\big)"
            rf" = \tanh({v['candidate_input']:.3f} + {v['relevance']:.3f}\cdot{n(v['candidate_hidden'])})"
            rf" = {v['candidate']:.3f}",
            rf"c{T} &= \Gamma_u * \tilde c{T} + (1 - \Gamma_u) * c{T1} = {v['update']:.3f}\cdot{n(v['candidate'])}"
            rf" + {1 - v['update']:.3f}\cdot{n(v['cell_prev'])} = {v['cell']:.3f}",
            rf"a{T} &= c{T} = {v['hidden']:.3f}",
        ]
    return r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}"


def step_values(example, layer: int, t: int, unit: int) -> dict[str, float]:
    """Every traced quantity of one unit at one step (with c⟨t−1⟩ and a⟨t−1⟩), as plain floats."""
    values = layer_values(example.layers[layer], example.kind)
    return {key: float(array[t, unit]) for key, array in values.items()}
