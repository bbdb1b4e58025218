"""Figures of the BPTT page: the animated forward/backward pass, gradient flow, clipping, the long-range task.

The animation is one plotly figure with one frame per step (forward 1 … T, then backward T … 1), so it
plays in the browser without Streamlit reruns; only the traces that change are in the frames, with short
strings and rounded numbers. Text inside plotly is HTML: x⟨t⟩ is written with ⟨ ⟩, never < >.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.bptt import PARAMETERS
from playground.figures.style import COLORS, animation_controls, legible, plain_text

KIND_COLORS = {"RNN": COLORS["trend"], "LSTM": COLORS["observed"], "GRU": COLORS["seasonal"]}
KIND_NAMES = {"RNN": "vanilla RNN", "LSTM": "LSTM", "GRU": "GRU"}
PARAMETER_NAMES = {"Wax": "W<sub>ax</sub>", "Waa": "W<sub>aa</sub>", "ba": "b<sub>a</sub>",
                   "Wya": "W<sub>ya</sub>", "by": "b<sub>y</sub>"}
PENDING, FORWARD_DONE, GRADIENT = "#e6e6e6", "#c8d6ee", "#f4b6bd"
ROWS = {"x": 0.0, "a": 1.3, "y": 2.6, "J": 3.9}  # where each kind of node sits in the graph
EQUATION_FONT = 15


def _f(value: float) -> str:
    """+0.12 / −0.12 with a real minus sign; never −0.00."""
    value = 0.0 if abs(value) < 0.005 else float(value)
    return f"{value:+.2f}".replace("-", "−")


def _vector(values) -> str:
    return "[" + " ".join(_f(v) for v in np.ravel(values)) + "]"


def _char(char: str) -> str:
    return "␣" if char == " " else plain_text(char)


def _sig(value: float) -> str:
    return f"{value:.3g}".replace("-", "−")


# --------------------------------------------------------------------------- the animated forward/backward pass


def _frames_plan(steps: int) -> list[tuple[str, int]]:
    """("forward", t) for t = 0 … T−1, then ("backward", t) for t = T−1 … 0 (0-based steps)."""
    return [("forward", t) for t in range(steps)] + [("backward", t) for t in range(steps - 1, -1, -1)]


def frame_labels(steps: int) -> list[str]:
    return [f"{'→' if phase == 'forward' else '←'}{t + 1}" for phase, t in _frames_plan(steps)]


def _node_positions(steps: int) -> tuple[list[float], list[float], list[str]]:
    xs, ys, names = [0.0], [ROWS["a"]], ["a⟨0⟩"]
    for t in range(1, steps + 1):
        for kind, label in (("x", "x"), ("a", "a"), ("y", "ŷ"), ("J", "J")):
            xs.append(float(t))
            ys.append(ROWS[kind])
            names.append(f"{label}⟨{t}⟩")
    return xs, ys, names


def _node_colors(steps: int, phase: str, t: int) -> list[str]:
    """Pending grey; computed by the forward pass pale blue; reached by the backward pass pale red."""
    colors = [FORWARD_DONE]
    for step in range(steps):
        done = phase == "backward" or step <= t
        back = phase == "backward" and step >= t
        colors += [FORWARD_DONE if done else PENDING] + [GRADIENT if back else FORWARD_DONE if done else PENDING] * 3
    return colors


def _value_texts(problem, fwd, back, phase: str, t: int) -> list[str]:
    """Under ŷ⟨t⟩ the probability of the right next character, above J⟨t⟩ its loss, under a⟨t⟩ (backward)
    ‖∂J/∂a⟨t⟩‖; one entry per (step, row) in the order of `_value_positions`."""
    texts = []
    for step in range(len(fwd.xs)):
        forward_done = phase == "backward" or step <= t
        right = problem.targets[step]
        texts.append(f"p({_char(right)})={fwd.probs[step, fwd.ys[step]]:.2f}" if forward_done else "")
        texts.append(f"{fwd.losses[step]:.2f}" if forward_done else "")
        texts.append(_sig(float(np.linalg.norm(back.da[step]))) if phase == "backward" and step >= t else "")
    return texts


def _value_positions(steps: int) -> tuple[list[float], list[float], list[str]]:
    """Beside the edges below ŷ⟨t⟩ and a⟨t⟩ (the arrows of the backward pass run on their right), above J⟨t⟩."""
    xs, ys = [], []
    for step in range(1, steps + 1):
        xs += [step - 0.06, step, step - 0.06]
        ys += [(ROWS["y"] + ROWS["a"]) / 2, ROWS["J"] + 0.45, (ROWS["a"] + ROWS["x"]) / 2]
    return xs, ys, ["middle left", "middle center", "middle left"] * steps


def _gradient_paths(steps: int, phase: str, t: int) -> tuple[list, list, list, list]:
    """Red arrows of the backward pass so far: J⟨s⟩ → ŷ⟨s⟩ → a⟨s⟩ and a⟨s+1⟩ → a⟨s⟩; the current step's apart."""
    old_x, old_y, now_x, now_y = [], [], [], []
    if phase != "backward":
        return old_x, old_y, now_x, now_y
    for step in range(steps - 1, t - 1, -1):
        x, y = (now_x, now_y) if step == t else (old_x, old_y)
        s = step + 1
        x += [s + 0.13, s + 0.13, None, s + 0.13, s + 0.13, None]
        y += [ROWS["J"] - 0.3, ROWS["y"] + 0.3, None, ROWS["y"] - 0.3, ROWS["a"] + 0.3, None]
        if step + 1 < steps:
            x += [s + 0.72, s + 0.28, None]
            y += [ROWS["a"] + 0.14, ROWS["a"] + 0.14, None]
    return old_x, old_y, now_x, now_y


def _equations(problem, fwd, back, phase: str, t: int) -> str:
    s, prev = t + 1, t
    right = _char(problem.targets[t])
    if phase == "forward":
        top = int(np.argmax(fwd.probs[t]))
        guess = (f"the right next character {right} gets {fwd.probs[t, fwd.ys[t]]:.2f}"
                 + ("" if top == fwd.ys[t] else f" (top: {_char(problem.vocabulary[top])}, {fwd.probs[t, top]:.2f})"))
        lines = [
            f"<b>Forward, step t = {s}</b>: x⟨{s}⟩ = one-hot({_char(problem.inputs[t])}), a⟨{prev}⟩ = "
            f"{_vector(fwd.previous[t])}",
            f"z⟨{s}⟩ = W<sub>aa</sub> a⟨{prev}⟩ + W<sub>ax</sub> x⟨{s}⟩ + b<sub>a</sub> = {_vector(fwd.z[t])}",
            f"a⟨{s}⟩ = {fwd.activation}(z⟨{s}⟩) = {_vector(fwd.a[t])}",
            f"ŷ⟨{s}⟩ = softmax(W<sub>ya</sub> a⟨{s}⟩ + b<sub>y</sub>): {guess}",
            f"J⟨{s}⟩ = −log ŷ⟨{s}⟩[{right}] = {fwd.losses[t]:.3f}      "
            f"J so far = J⟨1⟩ + … + J⟨{s}⟩ = {fwd.losses[:s].sum():.3f}",
        ]
    else:
        wrong = 1 - fwd.probs[t, fwd.ys[t]]
        following = (f"from step {s + 1}:  W<sub>aa</sub><sup>T</sup> δ⟨{s + 1}⟩ = {_vector(back.from_next[t])}"
                     if s < len(fwd.xs) else f"from step {s + 1}: nothing, t = T is the last step")
        lines = [
            f"<b>Backward, step t = {s}</b>: ŷ⟨{s}⟩ − y⟨{s}⟩ = −{wrong:.2f} at {right}, ŷ⟨{s}⟩ elsewhere",
            f"from ŷ⟨{s}⟩:  W<sub>ya</sub><sup>T</sup>(ŷ⟨{s}⟩ − y⟨{s}⟩) = {_vector(back.from_output[t])}",
            following,
            f"∂J/∂a⟨{s}⟩ = the sum = {_vector(back.da[t])}",
            (f"tanh′: 1 − (a⟨{s}⟩)² = {_vector(back.slope[t])}" if fwd.activation == "tanh"
             else f"relu′: 1 where z⟨{s}⟩ > 0 = {_vector(back.slope[t])}"),
            f"δ⟨{s}⟩ = ∂J/∂a⟨{s}⟩ ⊙ {fwd.activation}′ = {_vector(back.delta[t])}",
            f"∂J/∂W<sub>aa</sub> += δ⟨{s}⟩ a⟨{prev}⟩<sup>T</sup>    ∂J/∂W<sub>ax</sub> += δ⟨{s}⟩ x⟨{s}⟩<sup>T</sup>    "
            f"∂J/∂b<sub>a</sub> += δ⟨{s}⟩",
            f"∂J/∂W<sub>ya</sub> += (ŷ⟨{s}⟩ − y⟨{s}⟩) a⟨{s}⟩<sup>T</sup>    ∂J/∂b<sub>y</sub> += ŷ⟨{s}⟩ − y⟨{s}⟩",
        ]
    return "<br>".join(lines)


def accumulated_norms(fwd, back) -> dict[str, np.ndarray]:
    """‖∂J/∂W‖ after the backward pass has gone from T down to t, for every t (index t = 0 … T−1)."""
    result = {}
    for name in PARAMETERS:
        terms = back.contributions(name, fwd)
        partial = np.cumsum(terms[::-1], axis=0)[::-1]  # row t: the sum of steps t … T−1
        result[name] = np.sqrt(np.sum(partial.reshape(len(partial), -1) ** 2, axis=1))
    return result


def _bars(norms: dict, phase: str, t: int) -> list[float]:
    return [0.0 if phase == "forward" else round(float(norms[name][t]), 4) for name in PARAMETERS]


def backward_figure(problem, fwd, back, start: int = 0, frame_ms: int = 900) -> go.Figure:
    """The unrolled RNN with the forward pass, then the backward pass, one frame per step."""
    steps = len(fwd.xs)
    plan = _frames_plan(steps)
    phase, t = plan[min(max(start, 0), len(plan) - 1)]
    norms = accumulated_norms(fwd, back)
    fig = make_subplots(rows=2, cols=2, column_widths=[0.74, 0.26], row_heights=[0.58, 0.42],
                        specs=[[{"colspan": 2}, None], [{}, {}]], vertical_spacing=0.04, horizontal_spacing=0.08)
    live = []

    # the unrolled graph: static edges first, so the nodes are drawn on top of them
    edge_x, edge_y = [], []
    for s in range(1, steps + 1):
        edge_x += [s, s, None, s - 1, s, None, s, s, None]
        edge_y += [ROWS["x"], ROWS["a"], None, ROWS["a"], ROWS["a"], None, ROWS["a"], ROWS["J"], None]
    fig.add_trace(go.Scatter(x=edge_x, y=edge_y, mode="lines", line=dict(color="#9a9a9a", width=1.5),
                             hoverinfo="skip", showlegend=False), row=1, col=1)
    node_x, node_y, names = _node_positions(steps)
    fig.add_trace(go.Scatter(x=node_x, y=node_y, mode="markers+text", text=names, textfont=dict(size=13),
                             marker=dict(symbol="square", size=36, color=_node_colors(steps, phase, t),
                                         line=dict(color="#555", width=1)),
                             hoverinfo="skip", showlegend=False), row=1, col=1)
    live.append(len(fig.data) - 1)
    inputs = [_char(c) for c in problem.inputs]
    fig.add_trace(go.Scatter(x=list(range(1, steps + 1)), y=[ROWS["x"] - 0.42] * steps, mode="text", text=inputs,
                             textfont=dict(size=15, color="#333"), hoverinfo="skip", showlegend=False), row=1, col=1)
    value_x, value_y, value_position = _value_positions(steps)
    fig.add_trace(go.Scatter(x=value_x, y=value_y, mode="text", text=_value_texts(problem, fwd, back, phase, t),
                             textposition=value_position,
                             textfont=dict(size=14, color=["#1f3b73", "#1f3b73", "#b5001e"] * steps),
                             hoverinfo="skip", showlegend=False), row=1, col=1)
    live.append(len(fig.data) - 1)
    old_x, old_y, now_x, now_y = _gradient_paths(steps, phase, t)
    for x, y, color, width in ((old_x, old_y, "#e28a95", 2.5), (now_x, now_y, "#b5001e", 4.5)):
        fig.add_trace(go.Scatter(x=x or [None], y=y or [None], mode="lines+markers",
                                 line=dict(color=color, width=width),
                                 marker=dict(symbol="arrow", size=11, angleref="previous", color=color),
                                 hoverinfo="skip", showlegend=False), row=1, col=1)
        live.append(len(fig.data) - 1)
    box = _column_box(t)
    low, high = ROWS["x"] - 0.8, ROWS["J"] + 0.75
    fig.add_trace(go.Scatter(x=box, y=[low, low, high, high, low], mode="lines",
                             line=dict(color=COLORS["highlight"], width=3), hoverinfo="skip", showlegend=False),
                  row=1, col=1)
    live.append(len(fig.data) - 1)
    fig.add_trace(go.Scatter(x=[steps + 0.6], y=[ROWS["J"]], mode="text", textposition="middle right",
                             text=[_total(fwd, phase, t)], textfont=dict(size=15), hoverinfo="skip",
                             showlegend=False, cliponaxis=False), row=1, col=1)
    live.append(len(fig.data) - 1)
    fig.update_xaxes(range=[-0.5, steps + 2.3], visible=False, row=1, col=1)
    fig.update_yaxes(range=[low - 0.05, high + 0.05], visible=False, row=1, col=1)

    # the equations with this step's numbers
    fig.add_trace(go.Scatter(x=[0], y=[0.5], mode="text", text=[_equations(problem, fwd, back, phase, t)],
                             textposition="middle right", textfont=dict(size=EQUATION_FONT, color="#222"),
                             hoverinfo="skip", showlegend=False, cliponaxis=False), row=2, col=1)
    live.append(len(fig.data) - 1)
    fig.update_xaxes(range=[0, 1], visible=False, row=2, col=1)
    fig.update_yaxes(range=[0, 1], visible=False, row=2, col=1)

    # every shared weight's gradient, growing as the backward pass adds one step after another
    labels = [PARAMETER_NAMES[name] for name in PARAMETERS]
    fig.add_trace(go.Bar(x=labels, y=_bars(norms, phase, t), marker_color=COLORS["trend"], showlegend=False,
                         hovertemplate="‖∂J/∂%{x}‖ so far: %{y:.3f}<extra></extra>"), row=2, col=2)
    live.append(len(fig.data) - 1)
    top = max(float(max(n.max() for n in norms.values())), 1e-9)
    fig.update_yaxes(range=[0, top * 1.1], title_text="‖∂J/∂W‖ so far", title_font=dict(size=14), row=2, col=2)

    legible(fig, height=600)
    fig.update_layout(
        hovermode="closest", margin=dict(l=10, r=10, t=40, b=90),
        title=dict(text="Forward →, backward ← · <span style='color:#b5001e'>red</span>: "
                        "‖∂J/∂a⟨t⟩‖ and its path", font=dict(size=17), x=0.25, xanchor="left"),
    )
    animation_controls(fig, frame_labels(steps), start, frame_ms, y=-0.05, prefix="step ")
    # ▶ Play before the title (the top right belongs to plotly's toolbar), so that it is on the first screen
    # with the graph; the slider stays below
    fig.layout.updatemenus[0].update(x=0, xanchor="left", y=1.0, yanchor="bottom", pad=dict(t=0, r=0, b=4))
    fig.layout.sliders[0].update(x=0, len=1)
    frames = [dict(name=str(i), traces=live, data=_frame_data(problem, fwd, back, norms, ph, st))
              for i, (ph, st) in enumerate(plan)]
    spec = fig.to_dict()
    spec["frames"] = frames
    return go.Figure(spec, _validate=False)


def _column_box(t: int) -> list[float]:
    s = t + 1
    return [s - 0.42, s + 0.42, s + 0.42, s - 0.42, s - 0.42]


def _total(fwd, phase: str, t: int) -> str:
    done = len(fwd.xs) if phase == "backward" else t + 1
    return f"J = Σ J⟨t⟩<br>= {fwd.losses[:done].sum():.3f}" + ("" if done == len(fwd.xs) else " so far")


def _frame_data(problem, fwd, back, norms, phase: str, t: int) -> list[dict]:
    steps = len(fwd.xs)
    old_x, old_y, now_x, now_y = _gradient_paths(steps, phase, t)
    return [
        dict(type="scatter", marker=dict(color=_node_colors(steps, phase, t))),
        dict(type="scatter", text=_value_texts(problem, fwd, back, phase, t)),
        dict(type="scatter", x=old_x or [None], y=old_y or [None]),
        dict(type="scatter", x=now_x or [None], y=now_y or [None]),
        dict(type="scatter", x=_column_box(t)),
        dict(type="scatter", text=[_total(fwd, phase, t)]),
        dict(type="scatter", text=[_equations(problem, fwd, back, phase, t)]),
        dict(type="bar", y=_bars(norms, phase, t)),
    ]


# --------------------------------------------------------------------------- gradient flow


def _positive(values) -> list:
    """For a log axis: zeros and non-finite values are left out (None), the rest rounded to 3 digits."""
    return [float(f"{v:.3g}") if np.isfinite(v) and v > 0 else None for v in np.asarray(values, dtype=float)]


def _log_axis(fig: go.Figure, title: str) -> None:
    """A log y axis; over several decades only the powers of ten are labelled (no 2s and 5s between)."""
    values = [v for trace in fig.data for v in (trace.y or []) if v is not None]
    span = np.log10(max(values) / min(values)) if values else 0.0
    fig.update_yaxes(type="log", title_text=title, exponentformat="power", **({"dtick": 1} if span >= 3 else {}))


def flow_figure(rnn=None, gated: dict | None = None, relative: bool = False, height: int = 430) -> go.Figure:
    """‖∂J⟨T⟩/∂a⟨t⟩‖ against t on a log axis: the RNN (with its bound) and the gated cells.

    `relative`: every curve divided by its own ‖∂J⟨T⟩/∂a⟨T⟩‖, so they all end at 1 and show what is left."""
    fig = go.Figure()
    steps = rnn.steps if rnn is not None else len(next(iter(gated.values()))["hidden"])
    t_axis = list(range(1, steps + 1))
    if rnn is not None:
        fig.add_trace(go.Scatter(x=t_axis, y=_positive(rnn.bound), mode="lines", name="bound ‖∂J/∂a⟨T⟩‖·σ<sub>max</sub>"
                                 "<sup>T−t</sup>", line=dict(color=COLORS["trend"], width=2, dash="dash"),
                                 hovertemplate="t=%{x}: bound %{y:.3g}<extra></extra>"))
        fig.add_trace(go.Scatter(x=t_axis, y=_positive(rnn.norms), mode="lines+markers", name="vanilla RNN",
                                 line=dict(color=COLORS["trend"], width=3.5), marker=dict(size=5),
                                 hovertemplate="t=%{x}: %{y:.3g}<extra>RNN</extra>"))
        if rnn.truncate is not None and rnn.truncate < steps:
            fig.add_vrect(x0=0.5, x1=steps - rnn.truncate + 0.5, fillcolor="#999", opacity=0.15, line_width=0,
                          annotation_text=f"truncated: no gradient beyond k = {rnn.truncate} steps",
                          annotation_position="bottom left", annotation_font_size=14)
    for kind, norms in (gated or {}).items():
        scale = norms["hidden"][-1] if relative and norms["hidden"][-1] > 0 else 1.0
        fig.add_trace(go.Scatter(x=t_axis, y=_positive(norms["hidden"] / scale), mode="lines", name=KIND_NAMES[kind],
                                 line=dict(color=KIND_COLORS[kind], width=2.5 if rnn is not None else 3.5),
                                 hovertemplate=f"t=%{{x}}: %{{y:.3g}}<extra>{kind}</extra>"))
        if "cell" in norms and rnn is None:
            fig.add_trace(go.Scatter(x=t_axis[:-1], y=_positive(norms["cell"][:-1] / scale), mode="lines",
                                     name="LSTM, through the cell c⟨t⟩",
                                     line=dict(color=KIND_COLORS[kind], width=2.5, dash="dot"),
                                     hovertemplate="t=%{x}: %{y:.3g}<extra>LSTM ∂J/∂c</extra>"))
    _log_axis(fig, "‖∂J⟨T⟩/∂a⟨t⟩‖ / ‖∂J⟨T⟩/∂a⟨T⟩‖" if relative else "‖∂J⟨T⟩/∂a⟨t⟩‖")
    fig.update_xaxes(title_text="step t (the loss J⟨T⟩ is at the right end)", range=[0.5, steps + 0.5])
    legible(fig, height=height)
    fig.update_layout(hovermode="x unified")
    return fig


def clipping_figure(scales, norms, clipped, threshold: float, current: float) -> go.Figure:
    """‖∂J⟨T⟩/∂θ‖ against the spectral radius of W_aa, before and after clipping by norm at `threshold`."""
    fig = go.Figure([
        go.Scatter(x=list(scales), y=_positive(norms), mode="lines", name="without clipping",
                   line=dict(color=COLORS["trend"], width=3), hovertemplate="ρ=%{x}: %{y:.3g}<extra></extra>"),
        go.Scatter(x=list(scales), y=_positive(clipped), mode="lines", name=f"clipped at {threshold:g}",
                   line=dict(color=COLORS["observed"], width=3, dash="dash"),
                   hovertemplate="ρ=%{x}: %{y:.3g}<extra>clipped</extra>"),
    ])
    fig.add_vline(x=current, line=dict(color=COLORS["highlight"], width=3))
    _log_axis(fig, "‖∂J⟨T⟩/∂θ‖")
    fig.update_xaxes(title_text="spectral radius ρ of W<sub>aa</sub>")
    legible(fig, height=360)
    fig.update_layout(hovermode="x unified")
    return fig


# --------------------------------------------------------------------------- the long-range task


ACCURACY_STYLE = {  # the gated cells often overlap at 100 %: a wide line under a dashed one shows both
    "RNN": dict(width=3.5, dash="solid", symbol="circle", size=13),
    "LSTM": dict(width=7, dash="solid", symbol="square", size=15),
    "GRU": dict(width=3, dash="dash", symbol="diamond", size=11),
}


def accuracy_figure(curves: dict) -> go.Figure:
    """Held-out accuracy against the gap for every cell; hollow markers: not better than guessing."""
    fig = go.Figure()
    for kind in sorted(curves, key=lambda k: -ACCURACY_STYLE[k]["width"]):
        curve, style = curves[kind], ACCURACY_STYLE[kind]
        above = curve.above_chance()
        color = KIND_COLORS[kind]
        fig.add_trace(go.Scatter(
            x=curve.gaps, y=[round(r.accuracy, 4) for r in curve.results], mode="lines+markers",
            name=KIND_NAMES[kind], line=dict(color=color, width=style["width"], dash=style["dash"]),
            opacity=0.55 if kind == "LSTM" else 1.0, legendrank=list(KIND_NAMES).index(kind),
            marker=dict(size=style["size"], symbol=[style["symbol"] + ("" if a else "-open") for a in above],
                        line=dict(width=2.5, color=color)),
            customdata=[f"{r.correct}/{r.n_test}" for r in curve.results],
            hovertemplate=f"{kind}, gap %{{x}}: %{{y:.0%}} (%{{customdata}})<extra></extra>"))
    fig.add_hline(y=0.5, line=dict(color="#777", width=2, dash="dot"), annotation_text="guessing (50 %)",
                  annotation_position="top left", annotation_font_size=14)
    fig.update_yaxes(range=[0.3, 1.05], tickformat=".0%", title_text="held-out accuracy")
    fig.update_xaxes(title_text="gap: filler words between the noun and the verb")
    legible(fig, height=400)
    fig.update_layout(hovermode="closest")
    return fig


def sensitivity_figure(matrices: dict, words: list[str]) -> go.Figure:
    """log₁₀ of ‖∂J⟨t⟩/∂x⟨s⟩‖ relative to the largest entry of its row, as steps × steps heatmaps, one per cell.

    Relative, because a well-trained cell's loss (and so every gradient) is tiny: the shape of each row
    (which inputs the loss at step t depends on) is what the figure compares."""
    kinds = list(matrices)
    fig = make_subplots(rows=1, cols=len(kinds), subplot_titles=[KIND_NAMES[k] for k in kinds],
                        horizontal_spacing=0.07, shared_yaxes=True)
    steps = len(words)
    causal = np.tril(np.ones((steps, steps), dtype=bool))
    for col, kind in enumerate(kinds, start=1):
        matrix = np.asarray(matrices[kind], dtype=float)
        top = np.max(np.where(causal, matrix, 0), axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.log10(np.where(causal & (top > 0), matrix / top, np.nan))
        z = np.round(np.maximum(relative, SENSITIVITY_FLOOR), 2)
        fig.add_trace(go.Heatmap(z=np.where(np.isfinite(z), z, None).tolist(), x=list(range(1, steps + 1)),
                                 y=list(range(1, steps + 1)), zmin=SENSITIVITY_FLOOR, zmax=0, colorscale="Viridis",
                                 showscale=col == len(kinds),
                                 colorbar=dict(title=dict(text="log₁₀ of the row's largest", side="right"),
                                               thickness=14),
                                 hovertemplate=f"{kind}: loss at t=%{{y}}, input s=%{{x}}: 10^%{{z}} of the row's "
                                               "largest<extra></extra>"),
                      row=1, col=col)
        fig.update_xaxes(title_text="input step s", tickangle=0, row=1, col=col, **_word_ticks(words))
    fig.update_yaxes(title_text="loss at step t", row=1, col=1, **_word_ticks(words, 10 if steps > 25 else 5))
    fig.update_yaxes(autorange="reversed")
    legible(fig, height=440)
    fig.update_layout(hovermode="closest", margin=dict(r=110))
    return fig


SENSITIVITY_FLOOR = -8.0  # ten-millionths and less all look the same: nothing reaches there


def _word_ticks(words: list[str], every: int | None = None) -> dict:
    """Ticks at the noun (step 2) and the verb slot (step T), with plain step numbers every `every` steps between."""
    steps = len(words)
    every = every or steps
    middle = [p for p in range(every, steps - every // 2, every) if p > 2 + every // 2]
    positions = [2] + middle + [steps]
    text = {2: "noun", steps: "verb"}
    return dict(tickmode="array", tickvals=positions, ticktext=[text.get(p, str(p)) for p in positions])
