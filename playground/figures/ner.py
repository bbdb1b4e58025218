"""Figures of the NER page: the tagged sentence, tag probabilities, uni vs bidirectional, states, scores.

`entity_html` is the one piece of HTML: every token goes through html.escape and the styles are
fixed, so whatever a student types is shown as text. The plotly figures take user text through
`style.plain_text` (plotly reads < > & as markup).
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground import ner_data
from playground.figures.style import COLORS, legible, plain_text

ENTITY_COLORS = {"PER": "#f4a261", "LOC": "#8ecae6", "ORG": "#b5e48c", "MISC": "#cdb4db", "NAME": "#ffd166"}
PROBABILITY_COLORS = [[0.0, "#f7f7f7"], [1.0, "#1f3b73"]]
STATE_COLORS = "RdBu"
MAX_LABEL = 14  # characters of a token shown on an axis


def _short(token: str) -> str:
    return plain_text(token if len(token) <= MAX_LABEL else token[:MAX_LABEL - 1] + "…")


def _axis_labels(tokens: list[str]) -> list[str]:
    """Unique axis labels (plotly merges equal categories): the position goes first."""
    return [f"{t + 1}·{_short(token)}" for t, token in enumerate(tokens)]


# --------------------------------------------------------------------------- the sentence, displaCy-style


def _tooltip(token: str, probabilities: np.ndarray | None, labels, unknown: bool) -> str:
    lines = [f"{token}" + ("  (not in the vocabulary: <unk>)" if unknown else "")]
    if probabilities is not None:
        order = np.argsort(probabilities)[::-1][:3]
        lines += [f"{labels[i]}: {probabilities[i]:.2f}" for i in order]
    return html.escape("\n".join(lines), quote=True)


def entity_html(tokens: list[str], tags: list[str] | None, unknown: list[bool],
                probabilities: np.ndarray | None = None, labels=(), size: float = 1.45, caption: str = "") -> str:
    """The sentence with each entity in a coloured box labelled with its type; <unk> tokens underlined.

    Built only from escaped text and fixed styles. `tags` None: no model yet, tokens only. `caption` goes first.
    """
    spans = {start: (kind, end) for kind, start, end in ner_data.entities(tags)} if tags else {}
    token_style = "padding:0 0.12em;"
    unk_style = "border-bottom:3px dotted #d1495b;"
    parts, t = [], 0
    while t < len(tokens):
        def word(i: int) -> str:
            style = token_style + (unk_style if unknown[i] else "")
            tip = _tooltip(tokens[i], None if probabilities is None else probabilities[i], labels, unknown[i])
            return f'<span style="{style}" title="{tip}">{html.escape(tokens[i])}</span>'

        if t in spans:
            kind, end = spans[t]
            color = ENTITY_COLORS.get(kind, "#dddddd")
            inner = " ".join(word(i) for i in range(t, end))
            parts.append(f'<mark style="background:{color};padding:0.15em 0.35em;margin:0 0.15em;'
                         f'border-radius:0.35em;line-height:2.3;">{inner}<span style="font-size:0.62em;'
                         f'font-weight:700;margin-left:0.4em;vertical-align:middle;">{html.escape(kind)}</span></mark>')
            t = end
        else:
            parts.append(word(t))
            t += 1
    if caption:
        parts.insert(0, f'<span style="font-size:0.8em;font-weight:700;color:#6c6c6c;">{html.escape(caption)}</span>')
    return f'<div style="font-size:{float(size):.2f}rem;line-height:2.3;padding:0.2em 0;">{" ".join(parts)}</div>'


def legend_html(scheme: str) -> str:
    kinds = ["NAME"] if scheme == "binary" else list(ner_data.TYPES)
    items = [f'<mark style="background:{ENTITY_COLORS[kind]};padding:0.1em 0.4em;border-radius:0.3em;'
             f'margin-right:0.6em;">{html.escape(kind)}: {html.escape(ner_data.TYPE_NAMES[kind])}</mark>'
             for kind in kinds]
    items.append('<span style="border-bottom:3px dotted #d1495b;">word</span> = not in the vocabulary (&lt;unk&gt;)')
    return f'<div style="font-size:0.95rem;">{"".join(items)}</div>'


# --------------------------------------------------------------------------- probabilities


def probability_figure(tokens: list[str], probabilities: np.ndarray, labels, unknown: list[bool]) -> go.Figure:
    """Heatmap: P(tag | sentence) for every token (columns) and tag (rows); the argmax is ŷ⟨t⟩."""
    x = _axis_labels(tokens)
    x = [label + (" ⟨unk⟩" if unk else "") for label, unk in zip(x, unknown)]
    fig = go.Figure(go.Heatmap(
        z=np.round(probabilities.T, 3), x=x, y=list(labels), zmin=0, zmax=1, colorscale=PROBABILITY_COLORS,
        text=np.vectorize(lambda p: f"{p:.2f}" if p >= 0.1 else "")(probabilities.T), texttemplate="%{text}",
        colorbar=dict(title="P", thickness=14), hovertemplate="%{x}<br>%{y}: %{z:.3f}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", title="tag")
    fig.update_xaxes(tickangle=-45 if len(tokens) > 8 else 0)
    return legible(fig, height=200 + 26 * len(labels), title="ŷ⟨t⟩: probability of each tag, token by token")


# --------------------------------------------------------------------------- why bidirectional


def context_figure(pair: ner_data.ContextPair, name_probabilities: dict[str, tuple[np.ndarray, np.ndarray]],
                   current: int) -> go.Figure:
    """P(part of a name) per token: rows = the pair's two sentences, columns = the models (e.g. uni, bi)."""
    models = list(name_probabilities)
    sentences = [pair.first, pair.second]
    fig = make_subplots(rows=2, cols=len(models), shared_yaxes=True, horizontal_spacing=0.05, vertical_spacing=0.22,
                        column_titles=[plain_text(m) for m in models])
    for col, model in enumerate(models, start=1):
        for row, (tokens, tags) in enumerate(sentences, start=1):
            p = name_probabilities[model][row - 1]
            colors = [COLORS["trend"] if tag != "O" else COLORS["observed"] for tag in tags]
            widths = [4 if t == current else 0 for t in range(len(tokens))]
            fig.add_trace(go.Bar(
                x=list(range(len(tokens))), y=np.round(p, 3), customdata=[plain_text(t) for t in tokens],
                marker=dict(color=colors, line=dict(width=widths, color=COLORS["highlight"])),
                text=[f"{v:.2f}" for v in p], textposition="outside", cliponaxis=False, showlegend=False,
                hovertemplate="%{customdata}: P(name) = %{y:.3f}<extra></extra>"), row=row, col=col)
            fig.add_hline(y=0.5, line=dict(color="#6c6c6c", dash="dot", width=1.5), row=row, col=col)
            fig.update_xaxes(tickvals=list(range(len(tokens))), ticktext=[_short(t) for t in tokens], row=row, col=col)
    for row in (1, 2):
        fig.update_yaxes(title=f"sentence {row}: P(name)", row=row, col=1)
    fig.update_yaxes(range=[0, 1.2], tickvals=[0, 0.5, 1])
    fig.update_xaxes(tickangle=-30, tickfont=dict(size=15))
    fig = legible(fig, height=470)
    fig.update_layout(hovermode="closest", margin=dict(t=40, b=80), bargap=0.25)
    return fig


def states_figure(tokens_by_sentence: list[list[str]], states: list[tuple[np.ndarray, np.ndarray | None]],
                  current: int) -> go.Figure:
    """The hidden states at token `current` in both sentences: a→⟨t⟩ and a←⟨t⟩, one row each, units across."""
    rows, names = [], []
    for s, (forward, backward) in enumerate(states):
        word = _short(tokens_by_sentence[s][current])
        rows.append(forward[current])
        names.append(f"sentence {s + 1}: a→⟨{current + 1}⟩ ({word})")
    for s, (forward, backward) in enumerate(states):
        if backward is not None:
            word = _short(tokens_by_sentence[s][current])
            rows.append(backward[current])
            names.append(f"sentence {s + 1}: a←⟨{current + 1}⟩ ({word})")
    z = np.array(rows)
    fig = go.Figure(go.Heatmap(z=np.round(z, 3), x=[f"unit {i + 1}" for i in range(z.shape[1])], y=names,
                               zmin=-1, zmax=1, colorscale=STATE_COLORS, colorbar=dict(thickness=14),
                               hovertemplate="%{y}<br>%{x}: %{z:.3f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(showticklabels=z.shape[1] <= 32, tickangle=-90)
    fig = legible(fig, height=140 + 45 * len(rows))
    fig.update_layout(margin=dict(l=330, t=20))
    return fig


# --------------------------------------------------------------------------- evaluation


def confusion_figure(matrix: np.ndarray, labels) -> go.Figure:
    """Token counts, gold (rows) × predicted (columns); colour by the share of each gold row."""
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig = go.Figure(go.Heatmap(
        z=np.round(shares, 3), x=list(labels), y=list(labels), zmin=0, zmax=1, colorscale=PROBABILITY_COLORS,
        text=matrix, texttemplate="%{text}", textfont=dict(size=15), colorbar=dict(title="share<br>of row", thickness=14),
        hovertemplate="gold %{y} → predicted %{x}: %{text} tokens (%{z:.1%} of the row)<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", title="gold tag")
    fig.update_xaxes(title="predicted tag", side="bottom")
    fig = legible(fig, height=160 + 44 * len(labels))
    fig.update_layout(hovermode="closest")
    return fig


def scores_figure(scores: dict[str, ner_data.Scores]) -> go.Figure:
    kinds = list(scores)
    fig = go.Figure()
    for name, color in (("precision", COLORS["observed"]), ("recall", COLORS["seasonal"]), ("f1", COLORS["trend"])):
        values = [getattr(scores[k], name) for k in kinds]
        fig.add_trace(go.Bar(x=[ner_data.TYPE_NAMES.get(k, "all types") if k != "all" else "all types"
                                for k in kinds], y=values, name="F1" if name == "f1" else name,
                             marker_color=color, hovertemplate="%{x}: %{y:.2f}<extra></extra>"))
    fig.update_yaxes(range=[0, 1.1], title="")
    fig = legible(fig, height=360)
    fig.update_layout(hovermode="closest", barmode="group")
    return fig


# --------------------------------------------------------------------------- words to vectors


def one_hot_figure(tokens: list[str], indices: np.ndarray, vocabulary_size: int) -> go.Figure:
    """Each token's one-hot vector as a row of |V| entries: a single 1 (the dot) at the token's index."""
    y = [label + (" ⟨unk⟩" if i == 0 else "") for label, i in zip(_axis_labels(tokens), indices)]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, vocabulary_size - 1, None] * len(tokens), y=[label for row in y for label in (row, row, None)],
                             mode="lines", line=dict(color="#dddddd", width=6), hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(x=indices, y=y, mode="markers+text", text=[str(i) for i in indices],
                             textposition="middle right", marker=dict(size=13, color=np.where(
                                 indices == 0, COLORS["trend"], COLORS["observed"])), showlegend=False,
                             hovertemplate="%{y}: 1 at index %{x}, 0 at the other entries<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(range=[-vocabulary_size * 0.02, vocabulary_size * 1.08], title=f"index in the vocabulary "
                     f"(0 = ⟨unk⟩ … {vocabulary_size - 1})")
    fig = legible(fig, height=120 + 30 * len(tokens))
    fig.update_layout(hovermode="closest")
    return fig


def coverage_figure(sizes: np.ndarray, unknown_share: np.ndarray, chosen: int) -> go.Figure:
    """The share of held-out tokens that fall outside a vocabulary of the n most frequent training words."""
    fig = go.Figure(go.Scatter(x=sizes, y=unknown_share, mode="lines", line=dict(color=COLORS["observed"], width=3),
                               hovertemplate="|V| = %{x:,}: %{y:.1%} of the tokens are ⟨unk⟩<extra></extra>"))
    share = float(np.interp(chosen, sizes, unknown_share))
    fig.add_trace(go.Scatter(x=[chosen], y=[share], mode="markers+text", text=[f" {share:.0%}"],
                             textposition="top right", marker=dict(size=14, color=COLORS["trend"])))
    fig.update_xaxes(title="vocabulary size |V|", type="log")
    fig.update_yaxes(title="⟨unk⟩ share", tickformat=".0%", rangemode="tozero")
    fig = legible(fig, height=320)
    fig.update_layout(showlegend=False, hovermode="closest")
    return fig
