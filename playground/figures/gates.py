"""Figures of the gates page: the animated cell, every unit over time, LSTM vs GRU, the training curve.

`cell_figure` is the lecture's figure and is sized for a projector (1280×720 with the sidebar open:
about 790 px of plot width): Play/Pause and the step slider on top, the cell diagram of one unit with
live values beside the bars of every unit, and the equations with this step's numbers underneath,
all in at most 560 px, one frame per time step, so that everything moves together in the browser (no
Streamlit rerun while it plays). `units_figure` follows below it: units × time heatmaps, static.

Both are built as plain dicts, without plotly's checks (ten times faster, and they are rebuilt whenever
the sequence or the unit changes); a unit test validates them with plotly. Only the traces that
change are in the frames, rounded to 3 decimals, to keep the payload small. Text inside plotly is
HTML, so the figures write x⟨t⟩ with angle brackets ⟨ ⟩, never < >.
"""

from __future__ import annotations

import copy
import functools
import json

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.style import COLORS, FONT_SIZE, legible, plain_text

GATE_COLORS = [[0.0, "#f4f4f4"], [1.0, "#1f3b73"]]  # 0 = shut (pale), 1 = open (dark)
STATE_COLORS = "RdBu"
SERIES_COLORS = {"forget": "#d1495b", "update": "#2e8b57", "output": "#edae49", "relevance": "#8e5ea2",
                 "candidate": "#7f7f7f", "cell": "#1f3b73", "hidden": "#00798c"}
NAMES = {  # course notation, as plotly text
    "forget": "Γ<sub>f</sub>", "update": "Γ<sub>u</sub>", "output": "Γ<sub>o</sub>", "relevance": "Γ<sub>r</sub>",
    "candidate": "c̃⟨t⟩", "cell": "c⟨t⟩", "hidden": "a⟨t⟩",
}
PLAIN = {"forget": "Γ_f", "update": "Γ_u", "output": "Γ_o", "relevance": "Γ_r", "candidate": "c̃⟨t⟩",
         "cell": "c⟨t⟩", "hidden": "a⟨t⟩"}
GATES = {"LSTM": ["forget", "update", "output"], "GRU": ["update", "relevance"], "simplified GRU": ["update"]}
STATES = {"LSTM": ["candidate", "cell", "hidden"], "GRU": ["candidate", "cell"],
          "simplified GRU": ["candidate", "cell"]}
HEATMAPS = {"LSTM": ["forget", "update", "output", "cell"], "GRU": ["update", "relevance", "cell"],
            "simplified GRU": ["update", "cell"]}
TITLES = {"LSTM": "LSTM", "GRU": "GRU (full, as nn.GRU)", "simplified GRU": "simplified GRU (the course's)"}
RED = "#b5001e"  # the live numbers on the diagram's paths
DIAGRAM_FONT = 15
PLAY_MS, FAST_MS = 1000, 300  # ▶ one step a second; ▶▶ about three


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


def _m(value: float) -> str:
    """A factor in a product: 0.46 or (−0.46)."""
    value = 0.0 if abs(value) < 0.005 else value
    return f"{value:.2f}" if value >= 0 else f"({_f(value)})"


def _g(value: float) -> str:
    """A gate value, three decimals."""
    return f"{value:.3f}"


def layer_values(layer: dict, kind: str) -> dict[str, np.ndarray]:
    """The trace of one layer with a GRU's c⟨t⟩ (= a⟨t⟩) and both previous states added."""
    values = dict(layer)
    if kind != "LSTM":
        values["cell"] = values["hidden"]
    for key in ("cell", "hidden"):
        previous = np.zeros_like(values[key])
        previous[1:] = values[key][:-1]
        values[f"{key}_prev"] = previous
    return values


def step_values(example, layer: int, t: int, unit: int) -> dict[str, float]:
    """Every traced quantity of one unit at one step (with c⟨t−1⟩ and a⟨t−1⟩), as plain floats."""
    values = layer_values(example.layers[layer], example.kind)
    return {key: float(array[t, unit]) for key, array in values.items()}


# --------------------------------------------------------------------------- the cell diagrams
# Diagram units: x from 0 to 12, y from 0 (inputs, bottom) to 8 (the memory line, top). Static: lines,
# operation circles, labels. Live: the gate boxes (their colour is how open they are), the numbers.

BOX_W, BOX_H = 0.75, 0.95  # half width and half height of a box
DIAGRAMS = {
    "LSTM": dict(
        lines=[[(0, 7), (12, 7)],  # the cell line c⟨t−1⟩ → c⟨t⟩
               [(0, 1.6), (9, 1.6)], [(1.5, 0.3), (1.5, 1.6)],  # [a⟨t−1⟩, x⟨t⟩] to every box
               [(3, 1.6), (3, 7)], [(5, 1.6), (5, 5.6), (7, 5.6), (7, 1.6)], [(6, 5.6), (6, 7)],
               [(9, 1.6), (9, 3.6), (10.4, 3.6), (12, 3.6)], [(10.4, 7), (10.4, 3.6)]],
        ops=[(3, 7, "×"), (6, 7, "+"), (6, 5.6, "×"), (10.4, 5.5, "tanh"), (10.4, 3.6, "×")],
        boxes={"forget": (3, 3.6), "update": (5, 3.6), "candidate": (7, 3.6), "output": (9, 3.6)},
        labels=[(0.05, 7.65, "c⟨t−1⟩", "left"), (11.95, 7.65, "c⟨t⟩", "right"), (0.05, 2.1, "a⟨t−1⟩", "left"),
                (11.95, 3.05, "a⟨t⟩", "right"), (1.75, 0.55, "x⟨t⟩", "left")],
        # The products on the inner paths are numbers only (the equations underneath name them).
        paths=[(0.05, 6.45, "left", lambda v: _f(v["cell_prev"])),
               (3.45, 7.4, "left", lambda v: _f(v["forget"] * v["cell_prev"])),
               (6.2, 6.3, "left", lambda v: _f(v["update"] * v["candidate"])),
               (11.95, 6.45, "right", lambda v: _f(v["cell"])),
               (10.65, 4.55, "left", lambda v: _f(np.tanh(v["cell"]))),
               (11.95, 2.45, "right", lambda v: _f(v["hidden"])),
               (0.05, 1.05, "left", lambda v: _f(v["hidden_prev"]))],
    ),
    "GRU": dict(
        lines=[[(0, 7), (12, 7)],  # the memory line c⟨t−1⟩ = a⟨t−1⟩ → c⟨t⟩ = a⟨t⟩
               [(0.6, 7), (0.6, 1.6), (8.2, 1.6)], [(1.5, 0.3), (1.5, 1.6)],  # [c⟨t−1⟩, x⟨t⟩] to the gates
               [(2.5, 1.6), (2.5, 7)], [(2.5, 5.2), (9.6, 5.2)],  # Γ_u: 1 − Γ_u keeps, Γ_u writes
               [(4.5, 1.6), (4.5, 3.6), (6.6, 3.6)], [(6.6, 1.6), (6.6, 3.6), (9.6, 3.6)], [(8.2, 1.6), (8.2, 3.6)],
               [(9.6, 3.6), (9.6, 7)]],
        ops=[(2.5, 7, "×"), (2.5, 6.1, "1−"), (6.6, 3.6, "×"), (8.2, 3.6, "+"), (9.6, 5.2, "×"), (9.6, 7, "+")],
        boxes={"update": (2.5, 3.6), "relevance": (4.5, 3.6), "candidate": (9.6, 3.6)},
        labels=[(0.05, 7.65, "c⟨t−1⟩", "left"), (11.95, 7.65, "c⟨t⟩ = a⟨t⟩", "right"),
                (1.75, 0.55, "x⟨t⟩", "left"), (6.45, 0.7, "W<sub>cc</sub>c⟨t−1⟩<br>+ b<sub>cc</sub>", "right"),
                (8.35, 0.7, "W<sub>cx</sub>x⟨t⟩<br>+ b<sub>cx</sub>", "left")],
        paths=[(0.05, 6.45, "left", lambda v: _f(v["cell_prev"])),
               (2.95, 7.4, "left", lambda v: _f((1 - v["update"]) * v["cell_prev"])),
               (6.45, 2.2, "right", lambda v: _f(v["candidate_hidden"])),
               (7.4, 4.05, "center", lambda v: _f(v["relevance"] * v["candidate_hidden"])),
               (8.35, 2.2, "left", lambda v: _f(v["candidate_input"])),
               (9.4, 6.1, "right", lambda v: _f(v["update"] * v["candidate"])),
               (11.95, 6.45, "right", lambda v: _f(v["cell"]))],
    ),
    "simplified GRU": dict(
        lines=[[(0, 7), (12, 7)],
               [(0.6, 7), (0.6, 1.6), (7, 1.6)], [(1.5, 0.3), (1.5, 1.6)],  # [c⟨t−1⟩, x⟨t⟩] to both boxes
               [(3, 1.6), (3, 7)], [(3, 5.2), (7, 5.2)], [(7, 1.6), (7, 7)]],
        ops=[(3, 7, "×"), (3, 6.1, "1−"), (7, 5.2, "×"), (7, 7, "+")],
        boxes={"update": (3, 3.6), "candidate": (7, 3.6)},
        labels=[(0.05, 7.65, "c⟨t−1⟩", "left"), (11.95, 7.65, "c⟨t⟩ = a⟨t⟩", "right"),
                (1.75, 0.55, "x⟨t⟩", "left"), (7.95, 3.6, "no Γ<sub>r</sub>: c⟨t−1⟩<br>enters c̃⟨t⟩ whole", "left")],
        paths=[(0.05, 6.45, "left", lambda v: _f(v["cell_prev"])),
               (3.45, 7.4, "left", lambda v: _f((1 - v["update"]) * v["cell_prev"])),
               (7.2, 6.1, "left", lambda v: _f(v["update"] * v["candidate"])),
               (11.95, 6.45, "right", lambda v: _f(v["cell"]))],
    ),
}
ALIGN = {"left": "middle right", "center": "middle center", "right": "middle left"}  # text starts / centres / ends at x
BOX_FUNCTION = {"forget": "σ", "update": "σ", "output": "σ", "relevance": "σ", "candidate": "tanh"}


def _gate_color(value: float) -> str:
    """The GATE_COLORS scale at `value` (0 pale … 1 dark), as an rgb() string."""
    value = float(np.clip(value, 0, 1))
    low, high = (np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) for c in (GATE_COLORS[0][1], GATE_COLORS[1][1]))
    r, g, b = np.round(low + (high - low) * value).astype(int)
    return f"rgb({r},{g},{b})"


def _box_shades(kind: str, step: dict) -> list[float]:
    # Gates live in (0, 1); the candidate in (−1, 1) is shown on the same pale→dark scale via (c̃ + 1) / 2.
    return [step[key] if key != "candidate" else (step[key] + 1) / 2 for key in DIAGRAMS[kind]["boxes"]]


def _diagram_live(kind: str, step: dict) -> list[dict]:
    """The diagram's live traces at one step: one filled box per gate, the box labels, the path numbers."""
    boxes = DIAGRAMS[kind]["boxes"]
    shades = _box_shades(kind, step)
    box_text = [f"{BOX_FUNCTION[key]}<br>{NAMES[key]}<br><b>{_f(step[key]) if key == 'candidate' else _m(step[key])}"
                "</b>" for key in boxes]
    return [dict(type="scatter", fillcolor=_gate_color(shade)) for shade in shades] + [
        dict(type="scatter", text=box_text,
             textfont=dict(size=DIAGRAM_FONT - 1, color=["white" if shade > 0.55 else "black" for shade in shades])),
        dict(type="scatter", text=[compute(step) for *_, compute in DIAGRAMS[kind]["paths"]]),
    ]


def _diagram_traces(kind: str, step: dict, axes: dict) -> tuple[list[dict], list[int]]:
    """All diagram traces (static first, so the live ones are drawn on top) and the positions of the live ones."""
    spec = DIAGRAMS[kind]
    xs, ys = [], []
    for line in spec["lines"]:
        xs += [x for x, _ in line] + [None]
        ys += [y for _, y in line] + [None]
    traces = [
        dict(type="scatter", x=xs, y=ys, mode="lines", line=dict(color="#666", width=2.5), hoverinfo="skip", **axes),
        dict(type="scatter", x=[o[0] for o in spec["ops"]], y=[o[1] for o in spec["ops"]], mode="markers+text",
             text=[o[2] for o in spec["ops"]], hoverinfo="skip", textfont=dict(size=DIAGRAM_FONT - 1, color="#6b4a00"),
             marker=dict(size=[38 if o[2] == "tanh" else 26 for o in spec["ops"]], color="#fff8e6",
                         line=dict(color="#b07c1a", width=2)), **axes),
        dict(type="scatter", x=[label[0] for label in spec["labels"]], y=[label[1] for label in spec["labels"]],
             mode="text", text=[f"<b>{label[2]}</b>" for label in spec["labels"]], hoverinfo="skip",
             textposition=[ALIGN[label[3]] for label in spec["labels"]], cliponaxis=False,
             textfont=dict(size=DIAGRAM_FONT, color="#222"), **axes),
    ]
    live = _diagram_live(kind, step)
    first = len(traces)
    for (x, y), fill in zip(spec["boxes"].values(), live):
        traces.append(dict(type="scatter", x=[x - BOX_W, x + BOX_W, x + BOX_W, x - BOX_W, x - BOX_W],
                           y=[y - BOX_H, y - BOX_H, y + BOX_H, y + BOX_H, y - BOX_H], mode="lines", fill="toself",
                           fillcolor=fill["fillcolor"], line=dict(color="#333", width=1.5), hoverinfo="skip", **axes))
    box_text, path_text = live[len(spec["boxes"]):]
    traces.append(dict(box_text, x=[b[0] for b in spec["boxes"].values()], y=[b[1] for b in spec["boxes"].values()],
                       mode="text", hoverinfo="skip", **axes))
    traces.append(dict(path_text, x=[p[0] for p in spec["paths"]], y=[p[1] for p in spec["paths"]], mode="text",
                       textposition=[ALIGN[p[2]] for p in spec["paths"]], cliponaxis=False,
                       textfont=dict(size=DIAGRAM_FONT - 1, color=RED), hoverinfo="skip", **axes))
    return traces, list(range(first, len(traces)))


def equations(kind: str, v: dict) -> list[str]:
    """The cell's equations for one unit at one step, with its numbers (plotly text; the code's own formulas,
    playground.cells). * is the course's element-wise product; · multiplies this step's numbers."""
    if kind == "LSTM":
        concat = "[a⟨t−1⟩, x⟨t⟩]"
        return [
            f"Γ<sub>f</sub> = σ(W<sub>f</sub>{concat} + b<sub>f</sub>) = σ({_f(v['forget_pre'])}) = {_g(v['forget'])}",
            f"Γ<sub>u</sub> = σ(W<sub>u</sub>{concat} + b<sub>u</sub>) = σ({_f(v['update_pre'])}) = {_g(v['update'])}",
            f"c̃⟨t⟩ = tanh(W<sub>c</sub>{concat} + b<sub>c</sub>) = tanh({_f(v['candidate_pre'])})"
            f" = {_f(v['candidate'])}",
            f"Γ<sub>o</sub> = σ(W<sub>o</sub>{concat} + b<sub>o</sub>) = σ({_f(v['output_pre'])}) = {_g(v['output'])}",
            f"c⟨t⟩ = Γ<sub>u</sub>*c̃⟨t⟩ + Γ<sub>f</sub>*c⟨t−1⟩ = {_m(v['update'])}·{_m(v['candidate'])}"
            f" + {_m(v['forget'])}·{_m(v['cell_prev'])} = {_f(v['cell'])}",
            f"a⟨t⟩ = Γ<sub>o</sub>*tanh(c⟨t⟩) = {_m(v['output'])}·tanh({_f(v['cell'])}) = {_f(v['hidden'])}",
        ]
    concat = "[c⟨t−1⟩, x⟨t⟩]"
    update = f"Γ<sub>u</sub> = σ(W<sub>u</sub>{concat} + b<sub>u</sub>) = σ({_f(v['update_pre'])}) = {_g(v['update'])}"
    cell = (f"c⟨t⟩ = a⟨t⟩ = Γ<sub>u</sub>*c̃⟨t⟩ + (1 − Γ<sub>u</sub>)*c⟨t−1⟩ = {_m(v['update'])}·{_m(v['candidate'])}"
            f" + {_m(1 - v['update'])}·{_m(v['cell_prev'])} = {_f(v['cell'])}")
    if kind == "simplified GRU":
        return [update, f"c̃⟨t⟩ = tanh(W<sub>c</sub>{concat} + b<sub>c</sub>) = tanh({_f(v['candidate_pre'])})"
                        f" = {_f(v['candidate'])}", cell]
    return [
        update,
        f"Γ<sub>r</sub> = σ(W<sub>r</sub>{concat} + b<sub>r</sub>) = σ({_f(v['relevance_pre'])})"
        f" = {_g(v['relevance'])}",
        "c̃⟨t⟩ = tanh(W<sub>cx</sub>x⟨t⟩ + b<sub>cx</sub> + Γ<sub>r</sub>*(W<sub>cc</sub>c⟨t−1⟩ + b<sub>cc</sub>))",
        f"       = tanh({_f(v['candidate_input'])} + {_m(v['relevance'])}·{_m(v['candidate_hidden'])})"
        f" = {_f(v['candidate'])}",
        cell,
    ]


# --------------------------------------------------------------------------- the animated cell figure
# Pixel plan: heights in px (the LSTM's figure, with six equations, is 560 px tall), widths in fractions of
# whatever the page gives the figure.
CELL_TOP = 104  # above the plot area: the title and the player (buttons and slider)
HEADER, DIAGRAM, EQUATIONS_FROM = (0, 26), (30, 300), 312  # px from the plot area's top
BAR_PLOTS = [(52, 150), (196, 278)]  # gates, states (each with its title above and unit ticks below)
DIAGRAM_WIDTH, BARS_FROM = 0.6, 0.69  # the diagram's share of the width; where the bars begin
EQUATION_LINE = 23  # px per line


def _domain(px: tuple[float, float], plot: float) -> list[float]:
    """A (top, bottom) band in px from the plot area's top, as a paper y domain."""
    return [round(1 - px[1] / plot, 4), round(1 - px[0] / plot, 4)]


def _step_heading(example, t: int) -> str:
    """What goes in and comes out at step t: the live line above the diagram."""
    words = example.input_values is None  # the agreement task: words in, P(were) out
    label = plain_text(example.labels[t])
    if not words:  # a number, with a real minus sign; a marker (store, recall) or a date gets the value after it
        numeric = example.step_text(t) == example.labels[t]
        label = label.replace("-", "−") if numeric else f"{label}, {_f(example.input_values[t])}"
    text = f"t = {t + 1} of {len(example.labels)} · x⟨t⟩ = {label} → "
    text += f"P(were) = {example.prediction[t]:.2f}" if words else f"ŷ⟨t⟩ = {_f(example.prediction[t])}"
    target = example.target[t]
    if np.isfinite(target):
        shown = (["was", "were"][int(target)] if words else
                 f"{target:.0f}" if example.target_name == "count so far" else _f(target))
        text += f" (target {shown})"
    return text


def cell_figure(example, layer: int = 0, unit: int = 0, start: int = 0, untrained: bool = False) -> go.Figure:
    """One unit's cell at every step of `example` (a gate_tasks.ExampleTrace), animated in the browser.

    On top: ▶ Play, ▶▶ (faster), ❚❚ Pause and the step slider; then the step's input and output; the
    cell diagram of `unit` (gate boxes shaded by how open they are, the values on every path) beside
    the bars of every unit's gates and states (the unit drawn is marked); the equations with this
    step's numbers underneath.
    """
    kind = example.kind
    values = layer_values(example.layers[layer], kind)
    steps, units = values["hidden"].shape
    unit, start = int(np.clip(unit, 0, units - 1)), int(np.clip(start, 0, steps - 1))
    step = {key: float(array[start, unit]) for key, array in values.items()}
    lines = equations(kind, step)
    equations_px = (EQUATIONS_FROM, EQUATIONS_FROM + len(lines) * EQUATION_LINE + 6)
    plot = equations_px[1]
    axes = {"header": ("x", "y"), "diagram": ("x2", "y2"), "gates": ("x3", "y3"), "states": ("x4", "y4"),
            "equations": ("x5", "y5")}
    on = {name: dict(xaxis=x, yaxis=y) for name, (x, y) in axes.items()}

    traces = [dict(type="scatter", x=[0], y=[0.5], mode="text", text=[_step_heading(example, start)],
                   textposition="middle right", cliponaxis=False, hoverinfo="skip",
                   textfont=dict(size=FONT_SIZE, color="#222"), **on["header"])]
    live = [0]
    diagram, diagram_live = _diagram_traces(kind, step, on["diagram"])
    live += [len(traces) + i for i in diagram_live]
    traces += diagram
    unit_axis = list(range(1, units + 1))
    for where, keys in (("gates", GATES[kind]), ("states", STATES[kind])):
        for key in keys:
            live.append(len(traces))
            traces.append(dict(type="bar", x=unit_axis, y=_r(values[key][start]), name=PLAIN[key],
                               marker=dict(color=SERIES_COLORS[key]),
                               hovertemplate=f"{PLAIN[key]} unit %{{x}}: %{{y:.3f}}<extra></extra>", **on[where]))
    live.append(len(traces))
    traces.append(dict(type="scatter", x=[0] * len(lines), y=list(range(len(lines))), mode="text", text=lines,
                       textposition="middle right", cliponaxis=False, hoverinfo="skip",
                       textfont=dict(size=FONT_SIZE - 1, color="#222"), **on["equations"]))
    for trace in traces:
        trace["showlegend"] = False

    bound = max(1.0, float(np.nanmax(np.abs(values["cell"]))))
    hidden_axis = dict(visible=False, fixedrange=True)
    gates_px, states_px = BAR_PLOTS
    layout = dict(
        xaxis=dict(domain=[0, 1], range=[0, 1], **hidden_axis),
        yaxis=dict(domain=_domain(HEADER, plot), range=[0, 1], **hidden_axis),
        xaxis2=dict(anchor="y2", domain=[0, DIAGRAM_WIDTH], range=[-0.1, 12.1], **hidden_axis),
        yaxis2=dict(anchor="x2", domain=_domain(DIAGRAM, plot), range=[-0.1, 8.1], **hidden_axis),
        xaxis5=dict(anchor="y5", domain=[0, 1], range=[0, 1], **hidden_axis),
        yaxis5=dict(anchor="x5", domain=_domain(equations_px, plot),
                    range=[(equations_px[1] - equations_px[0]) / EQUATION_LINE - 0.5, -0.5], **hidden_axis),
        barmode="group", bargap=0.25, hovermode="closest", showlegend=False,
        margin=dict(l=8, r=8, t=CELL_TOP, b=0),
    )
    every = -(-units // 8)  # at most 8 unit numbers under the bars: they must fit 535 px (1024 with the sidebar)
    labelled = unit_axis[::every]
    ticks = dict(tickmode="array", tickvals=labelled,
                 ticktext=[f"<b>{u}</b>" if u == unit + 1 else str(u) for u in labelled])
    for name, px, y_range, y_ticks in (("gates", gates_px, [0, 1], [0, 0.5, 1]),
                                       ("states", states_px, [-bound * 1.05, bound * 1.05], [-bound, 0, bound])):
        x_name, y_name = axes[name]
        layout["xaxis" + x_name[1:]] = dict(domain=[BARS_FROM, 1], range=[0.5, units + 0.5], fixedrange=True,
                                            anchor=y_name, tickfont=dict(size=13), ticks="", **ticks)
        layout["yaxis" + y_name[1:]] = dict(domain=_domain(px, plot), range=y_range, fixedrange=True,
                                            anchor=x_name, tickfont=dict(size=13), tickvals=y_ticks,
                                            ticktext=[f"{v:g}".replace("-", "−") for v in np.round(y_ticks, 1)],
                                            zeroline=True)
    layout["shapes"] = [dict(type="rect", xref=axes[name][0], yref=f"{axes[name][1]} domain", x0=unit + 0.5,
                             x1=unit + 1.5, y0=0, y1=1, fillcolor="rgba(237, 174, 73, 0.25)", line=dict(width=0),
                             layer="below") for name in ("gates", "states")]
    layout["annotations"] = [_title(f"Gates {_swatches(GATES[kind])}", BARS_FROM, gates_px[0], plot),
                             _title(f"States {_swatches(STATES[kind])}", BARS_FROM, states_px[0], plot)]
    title = f"{TITLES[kind]} · unit {unit + 1} of {units}" + (f", layer {layer + 1}" if len(example.layers) > 1 else "")
    if untrained:
        title = f"<span style='color:#d1495b'><b>UNTRAINED</b></span> · {title}"
    layout.update(_player(steps, start, (CELL_TOP - 36) / plot))
    layout["title"] = dict(text=title, x=0, xanchor="left", y=1, yanchor="top", yref="container",
                           pad=dict(t=8, l=4), font=dict(size=FONT_SIZE + 1))
    frames = [dict(name=str(t), traces=live, data=_cell_frame(kind, values, example, t, unit)) for t in range(steps)]
    return _styled(traces, layout, CELL_TOP + plot, frames)


@functools.lru_cache(maxsize=1)
def _look() -> dict:
    """The shared look (`style.legible`) as a plain layout dict, made once (plotly sets a template by name
    slowly), with the template's defaults kept only for the trace types these figures draw."""
    look = legible(go.Figure()).layout.to_plotly_json()
    template = look["template"]
    template["data"] = {kind: template["data"][kind] for kind in ("bar", "heatmap", "scatter")}
    return look


def _styled(data: list[dict], layout: dict, height: int, frames: list | None = None) -> go.Figure:
    """A figure from plain dicts with the shared look, built without plotly's checks (a unit test checks them)."""
    look = copy.deepcopy(_look())
    look.update(layout, height=height)
    return AnimatedFigure(data, look, frames) if frames else go.Figure(dict(data=data, layout=look), _validate=False)


class AnimatedFigure(go.Figure):
    """A figure whose frames stay the plain dicts they were built as.

    plotly turns every frame's traces into checked objects when a figure is made (a quarter of a second for
    40 steps); these are checked once, in a unit test, instead. Whatever serialises a figure (st.plotly_chart,
    to_json, write_html) goes through to_dict, which puts them back; `frames` builds plotly's objects on demand.
    """

    def __init__(self, data: list[dict], layout: dict, frames: list[dict]):
        super().__init__(dict(data=data, layout=layout), _validate=False)
        self._frames_json = json.dumps(frames)  # a fresh copy for every to_dict, ten times faster than deepcopy

    @property
    def frames(self) -> tuple:
        return tuple(go.Frame(frame) for frame in json.loads(self._frames_json))

    def to_dict(self) -> dict:
        spec = super().to_dict()
        spec["frames"] = json.loads(self._frames_json)
        return spec


def _cell_frame(kind: str, values: dict, example, t: int, unit: int) -> list[dict]:
    step = {key: float(array[t, unit]) for key, array in values.items()}
    return ([dict(type="scatter", text=[_step_heading(example, t)])] + _diagram_live(kind, step)
            + [dict(type="bar", y=_r(values[key][t])) for key in GATES[kind] + STATES[kind]]
            + [dict(type="scatter", text=equations(kind, step))])


def _title(text: str, x: float, top_px: float, plot: float) -> dict:
    """A panel title whose bottom sits just above `top_px` (px from the plot area's top)."""
    return dict(text=text, x=x, xref="paper", xanchor="left", y=1 - top_px / plot, yref="paper", yanchor="bottom",
                yshift=2, showarrow=False, font=dict(size=15, color="#222"))


def _swatches(keys: list[str]) -> str:
    return " ".join(f"<span style='color:{SERIES_COLORS[k]}'>■</span>{NAMES[k]}" for k in keys)


def _player(steps: int, start: int, top: float) -> dict:
    """▶ Play, ▶▶ faster, ❚❚ Pause and a step slider at `top` (paper y, above the plot area), as layout
    entries; all of it runs in the browser."""
    def play(ms: int) -> list:
        return [None, dict(frame=dict(duration=ms, redraw=True), fromcurrent=True, transition=dict(duration=0),
                           mode="immediate")]

    pause = [[None], dict(frame=dict(duration=0, redraw=False), mode="immediate", transition=dict(duration=0))]
    every = 1 if steps <= 20 else 5
    slider_steps = [dict(method="animate", label=str(t + 1) if t == 0 or (t + 1) % every == 0 else "",
                         args=[[str(t)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                              transition=dict(duration=0))])
                    for t in range(steps)]
    return dict(
        updatemenus=[dict(type="buttons", direction="left", x=0, xanchor="left", y=1 + top, yanchor="top",
                          pad=dict(t=0, r=6), font=dict(size=FONT_SIZE), showactive=False,
                          buttons=[dict(label="▶", method="animate", args=play(PLAY_MS)),
                                   dict(label="▶▶", method="animate", args=play(FAST_MS)),
                                   dict(label="❚❚", method="animate", args=pause)])],
        sliders=[dict(active=start, steps=slider_steps, x=0.31, len=0.69, xanchor="left", y=1 + top, yanchor="top",
                      pad=dict(t=0, b=0, l=0, r=0), currentvalue=dict(visible=False), font=dict(size=13),
                      ticklen=5, minorticklen=3, transition=dict(duration=0))],
    )


# --------------------------------------------------------------------------- every unit over time

STRIP_ROW, GAP_ROW = 150, 40


def _heatmap_row(units: int) -> int:
    return int(np.clip(18 * units, 70, 220))


def units_figure(example, layer: int = 0, unit: int | None = None) -> go.Figure:
    """Input, target and prediction over time, then one units × time heatmap per gate and for c⟨t⟩
    (static); the unit drawn in the cell figure is outlined."""
    kind = example.kind
    values = layer_values(example.layers[layer], kind)
    steps, units = values["hidden"].shape
    heatmaps = HEATMAPS[kind]
    heights = [STRIP_ROW] + [_heatmap_row(units)] * len(heatmaps)
    top, bottom = 50, 70 if max(len(label) for label in example.labels) > 3 else 40
    plot = sum(heights) + GAP_ROW * len(heatmaps)
    time_axis = list(range(1, steps + 1))
    ticks = _ticks(example.labels)
    traces, layout, annotations, shapes = [], {}, [], []
    y = 0.0
    bound = max(1.0, float(np.nanmax(np.abs(values["cell"]))))
    for row, height in enumerate(heights, start=1):
        suffix = "" if row == 1 else str(row)
        domain = _domain((y, y + height), plot)
        layout[f"xaxis{suffix}"] = dict(domain=[0, 1], range=[0.5, steps + 0.5], anchor=f"y{suffix}",
                                        showticklabels=row == len(heights), **ticks)
        if row > 1:
            layout[f"xaxis{suffix}"]["matches"] = "x"
        layout[f"yaxis{suffix}"] = dict(domain=domain, anchor=f"x{suffix}")
        on = dict(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        if row == 1:
            if example.input_values is not None:
                traces.append(dict(type="bar", x=time_axis, y=_r(example.input_values), marker=dict(color="#c9c9c9"),
                                   hovertemplate="t=%{x}: %{y:.3f}<extra>input</extra>", **on))
            traces.append(dict(type="scatter", x=time_axis, y=_r(example.target), mode="markers",
                               marker=dict(color=COLORS["trend"], size=11, symbol="diamond"),
                               hovertemplate="t=%{x}: %{y:.3f}<extra>target</extra>", **on))
            traces.append(dict(type="scatter", x=time_axis, y=_r(example.prediction), mode="lines+markers",
                               line=dict(color=COLORS["observed"], width=2.5), marker=dict(size=6),
                               hovertemplate="t=%{x}: %{y:.3f}<extra>ŷ</extra>", **on))
            layout["yaxis"]["range"] = list(_strip_range(example))
            annotations.append(_title(_strip_title(example), 0, y, plot))
        else:
            key = heatmaps[row - 2]
            is_gate = key != "cell"
            first, last = row == 2, row == len(heights)
            colorbar = dict(y=domain[0], yanchor="bottom", len=domain[1] - domain[0], thickness=14,
                            title=dict(text="gate" if is_gate else "c⟨t⟩", side="right"))
            traces.append(dict(type="heatmap", x=time_axis, y=list(range(1, units + 1)), z=np.round(values[key].T, 3),
                               zmin=0 if is_gate else -bound, zmax=1 if is_gate else bound, xgap=1, ygap=1,
                               colorscale=GATE_COLORS if is_gate else STATE_COLORS, showscale=first or last,
                               colorbar=colorbar, hovertemplate=f"{PLAIN[key]} unit %{{y}}, t=%{{x}}: %{{z:.3f}}"
                                                                "<extra></extra>", **on))
            layout[f"yaxis{suffix}"].update(autorange="reversed", title=dict(text="unit", standoff=4),
                                            dtick=1 if units <= 6 else max(1, units // 4))
            annotations.append(_title(f"{NAMES[key]} of every unit over time", 0, y, plot))
            if unit is not None:
                shapes.append(dict(type="rect", xref=f"x{suffix}", yref=f"y{suffix}", x0=0.5, x1=steps + 0.5,
                                   y0=unit + 0.5, y1=unit + 1.5, line=dict(color=COLORS["highlight"], width=3)))
        y += height + GAP_ROW
    title = (f"Every unit{f' of layer {layer + 1}' if len(example.layers) > 1 else ''} over the whole sequence"
             + (f" · unit {unit + 1} outlined" if unit is not None else ""))
    layout.update(margin=dict(l=70, r=90, t=top, b=bottom), hovermode="closest", showlegend=False,
                  annotations=annotations, shapes=shapes, title=dict(text=title, font=dict(size=FONT_SIZE)))
    return _styled(traces, layout, plot + top + bottom)


def _strip_title(example) -> str:
    parts = []
    if example.input_values is not None:
        parts.append(f"<span style='color:#9a9a9a'>■</span> input {plain_text(example.input_name)}")
    parts.append(f"<span style='color:{COLORS['trend']}'>◆</span> target ({plain_text(example.target_name)})")
    parts.append(f"<span style='color:{COLORS['observed']}'>●</span> prediction "
                 + ("P(were)" if example.input_values is None else "ŷ⟨t⟩"))
    return "   ".join(parts)


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


# --------------------------------------------------------------------------- the cells compared on one input

KEEP_GATE = {"LSTM": ("forget", "Γ<sub>f</sub>"), "GRU": ("update", "1 − Γ<sub>u</sub>"),
             "simplified GRU": ("update", "1 − Γ<sub>u</sub>")}
KIND_COLORS = {"LSTM": COLORS["observed"], "GRU": COLORS["seasonal"], "simplified GRU": "#8e5ea2"}


def comparison_figure(examples: dict) -> go.Figure:
    """Same input, every trained cell: the predictions, and each cell's 'keep the memory' gate
    (LSTM Γ_f, GRU 1 − Γ_u) of the last layer as units × time heatmaps."""
    kinds = list(examples)
    first = examples[kinds[0]]
    steps = len(first.labels)
    time_axis = list(range(1, steps + 1))
    fig = make_subplots(rows=1 + len(kinds), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.4] + [0.6 / len(kinds)] * len(kinds),
                        subplot_titles=["Target and the predictions"] + [
                            f"{TITLES[kind]}: keep gate {KEEP_GATE[kind][1]} (last layer)" for kind in kinds])
    fig.add_trace(go.Scatter(x=time_axis, y=_r(first.target), mode="markers", name="target",
                             marker=dict(color=COLORS["trend"], size=11, symbol="diamond")), row=1, col=1)
    for kind, example in examples.items():
        fig.add_trace(go.Scatter(x=time_axis, y=_r(example.prediction), mode="lines+markers", name=f"{kind} ŷ",
                                 line=dict(color=KIND_COLORS[kind], width=2.5,
                                           dash=None if kind == "LSTM" else "dash")),
                      row=1, col=1)
    for row, (kind, example) in enumerate(examples.items(), start=2):
        gate = example.layers[-1][KEEP_GATE[kind][0]]
        keep = gate if kind == "LSTM" else 1 - gate
        fig.add_trace(go.Heatmap(x=time_axis, y=list(range(1, keep.shape[1] + 1)), z=np.round(keep.T, 3), zmin=0,
                                 zmax=1, colorscale=GATE_COLORS, showscale=row == 2,
                                 colorbar=dict(len=0.5, y=0.3, thickness=14),
                                 hovertemplate=f"{kind} unit %{{y}}, t=%{{x}}: %{{z:.3f}}<extra></extra>"),
                      row=row, col=1)
        fig.update_yaxes(title_text="unit", autorange="reversed", row=row, col=1)
    fig.update_xaxes(range=[0.5, steps + 0.5], **_ticks(first.labels))
    fig.update_xaxes(title_text="time step t", row=1 + len(kinds), col=1)
    legible(fig, height=300 + 170 * len(kinds))
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
