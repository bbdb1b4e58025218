"""BPTT: backpropagation through time by hand, and why a vanilla RNN's gradients vanish or explode."""

import pandas as pd
import streamlit as st

from playground import bptt, ui
from playground import gradient_flow as flow
from playground import long_range as task
from playground.figures import bptt as figures
from playground.figures.style import Drawn

ui.use_app_menu()
st.title("Backpropagation through time")
first_screen = ui.under_title()
ui.explain(
    "One set of weights W_aa, W_ax, W_ya serves every step, so training unrolls the RNN: forward left to right, then "
    "the gradient back through every step (**backpropagation through time**), multiplied by W_aaᵀ and tanh′ at each "
    "one. Press ▶ Play."
)

# =========================================================================== 1. by hand
SPEEDS = [0.5, 1, 2, 4]


def off_or_k(k: int) -> str:
    """Truncated BPTT's k as shown: 0 means full BPTT."""
    return "off" if k == 0 else str(k)


COURSE_NAMES = {"Wax": "W_ax", "Waa": "W_aa", "Wya": "W_ya", "ba": "b_a", "by": "b_y"}
with st.expander("Text, hidden units, weights, speed", expanded=False):
    left, middle, right, speed_column = st.columns([2, 1, 1, 1.4])
    text = left.text_input("Text: the RNN reads each character and predicts the next one", max_chars=40,
                           **ui.kept("bptt_text", bptt.DEFAULT_TEXT, lambda v: isinstance(v, str)))
    low, high, default = bptt.HIDDEN_SIZE
    hidden_small = middle.number_input("Hidden units n_a", low, high, step=1,
                                       **ui.kept("bptt_units", default, lambda v: low <= v <= high))
    seed_small = right.number_input("Weights (seed)", 0, 9999, step=1, help="The weights are random (untrained).",
                                    **ui.kept("bptt_weights", 0, lambda v: 0 <= v <= 9999))
    speed = speed_column.select_slider("Speed (steps per second)", SPEEDS,
                                       help="How fast ▶ Play moves; the animation runs in your browser.",
                                       **ui.kept("bptt_speed", 1, lambda v: v in SPEEDS))


@st.cache_resource(max_entries=32, show_spinner=False)
def by_hand(text, hidden, seed, frame_ms):
    problem = bptt.char_problem(text, hidden, seed)
    fwd = bptt.forward(problem.params, problem.xs, problem.ys)
    back = bptt.backward(fwd)
    figure = Drawn.of(figures.backward_figure(problem, fwd, back, start=0, frame_ms=frame_ms))
    check = bptt.autograd_check(problem.params, problem.xs, problem.ys)
    return problem, figure, check


try:
    problem, figure, check = by_hand(text, int(hidden_small), int(seed_small), int(1000 / speed))
except bptt.BPTTError as error:
    st.warning(ui.escape_markdown(error))
else:
    if problem.note:
        st.caption(ui.escape_markdown(problem.note))
    with ui.main_figure(first_screen):
        ui.plot(figure, key="bptt_animation")
    steps = len(problem.xs)
    st.caption(
        f"T = {steps} steps, {len(problem.vocabulary)} different characters (x⟨t⟩ and ŷ⟨t⟩ have "
        f"{len(problem.vocabulary)} entries), n_a = {int(hidden_small)}, random weights. ▶ Play runs the forward pass "
        "(→1 … →T: a⟨t⟩, ŷ⟨t⟩ and the loss J⟨t⟩ of each step) and then the backward pass (←T … ←1): "
        "∂J/∂a⟨t⟩ gets one part from ŷ⟨t⟩ and one from step t+1, is multiplied by tanh′ = 1 − a⟨t⟩², and every "
        "shared weight's gradient grows by this step's term (the bars)."
    )
    with st.expander("The equations, and the check against PyTorch's autograd", expanded=False):
        T, T1, T2 = r"^{\langle t\rangle}", r"^{\langle t-1\rangle}", r"^{\langle t+1\rangle}"
        st.latex(r"\begin{aligned}"
                 rf"z{T} &= W_{{aa}} a{T1} + W_{{ax}} x{T} + b_a, \qquad a{T} = \tanh(z{T}),"
                 r" \qquad a^{\langle 0\rangle} = 0\\"
                 rf"\hat y{T} &= \mathrm{{softmax}}(W_{{ya}} a{T} + b_y), \qquad"
                 rf" J = \sum_t J{T} = -\sum_t \log \hat y{T}_{{y{T}}}\\"
                 rf"\frac{{\partial J}}{{\partial a{T}}} &= W_{{ya}}^{{\top}}(\hat y{T} - y{T})"
                 rf" + W_{{aa}}^{{\top}}\delta{T2}, \qquad \delta^{{\langle T+1\rangle}} = 0\\"
                 rf"\delta{T} &= \frac{{\partial J}}{{\partial a{T}}} \odot \big(1 - (a{T})^2\big)\\"
                 rf"\frac{{\partial J}}{{\partial W_{{aa}}}} &= \sum_t \delta{T} a{T1}{{}}^{{\top}}, \qquad"
                 rf" \frac{{\partial J}}{{\partial W_{{ax}}}} = \sum_t \delta{T} x{T}{{}}^{{\top}}, \qquad"
                 rf" \frac{{\partial J}}{{\partial b_a}} = \sum_t \delta{T}\\"
                 rf"\frac{{\partial J}}{{\partial W_{{ya}}}} &= \sum_t (\hat y{T} - y{T})\, a{T}{{}}^{{\top}}, \qquad"
                 rf" \frac{{\partial J}}{{\partial b_y}} = \sum_t (\hat y{T} - y{T})"
                 r"\end{aligned}")
        st.markdown(
            "`playground.bptt.manual_gradients` computes exactly these sums in numpy. The same gradients from "
            "PyTorch (`torch.nn.RNN` and `cross_entropy` in float64, `loss.backward()`), for the text and weights "
            "above:")
        frame = pd.DataFrame(check).set_index("parameter").rename(index=COURSE_NAMES)
        st.dataframe(frame.style.format({"‖gradient‖": "{:.4f}", "largest |by hand − autograd|": "{:.1e}"}),
                     width="stretch")
        worst = max(row["largest |by hand − autograd|"] for row in check)
        st.caption(f"The largest difference is {worst:.1e}: "
                   + ("the same numbers up to float64 rounding." if worst < 1e-10 else
                      "larger than float64 rounding, which should not happen: please report it.")
                   + " PyTorch keeps two biases (b_ih + b_hh = b_a); here b_hh = 0.")

# =========================================================================== model settings shared by 2 and 3
sidebar = st.sidebar
sidebar.header("RNN, LSTM and GRU cells")
low, high, default = task.LIMITS["hidden_size"]
hidden = sidebar.number_input("Hidden units n_a", low, high, step=1,
                              **ui.kept("bptt_hidden", default, lambda v: low <= v <= high))
keep_bias = sidebar.select_slider(
    "Keep-gate bias of the LSTM and GRU at the start", list(task.KEEP_BIASES),
    help="b: the LSTM starts with Γ_f bias +b and Γ_u bias −b, the GRU with Γ_u bias −b (PyTorch's z: +b), so they "
         "keep σ(b) of their memory per step and write σ(−b). 0 is PyTorch's default (every gate half open); "
         "3 keeps 95 % and writes 5 %, like the chrono initialisation (Tallec & Ollivier 2018).",
    **ui.kept("bptt_keep_bias", task.LIMITS["keep_bias"][2], lambda v: v in task.KEEP_BIASES))
low, high, _ = task.LIMITS["seed"]
seed = sidebar.number_input("Seed (weights and sentences)", low, high, step=1,
                            **ui.kept("bptt_seed", 0, lambda v: low <= v <= high))
sidebar.caption(f"For the gradient flow and the long-range task: sentences like “the cat … was”, one-hot words "
                f"({task.N_X} in the vocabulary). The same settings always give the same models.")
hidden, seed = int(hidden), int(seed)

# =========================================================================== 2. gradient flow
st.header("How far back does the gradient reach?")
a, b, c, d = st.columns([1.2, 1.6, 1, 1])
low, high, default = flow.LIMITS["steps"]
steps = a.slider("Sequence length T", low, high, **ui.kept("bptt_steps", default, lambda v: low <= v <= high))
init = ui.kept_selectbox(b, "W_aa", list(flow.INITS), "bptt_init", flow.DEFAULT_INIT, format_func=flow.INITS.get)
low, high, default = flow.LIMITS["scale"]
scale = c.slider("Spectral radius ρ of W_aa", low, high, step=0.05,
                 help="W_aa is rescaled so that its largest |eigenvalue| is ρ.",
                 **ui.kept("bptt_scale", default, lambda v: low <= v <= high))
activation = d.radio("Activation g", list(bptt.ACTIVATIONS), horizontal=True,
                     help="a⟨t⟩ = g(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a)",
                     **ui.kept("bptt_activation", "tanh", lambda v: v in bptt.ACTIVATIONS))
a, b = st.columns(2)
choices = [k for k in task.TRUNCATIONS if k < steps]
k = a.select_slider("Truncated BPTT: k steps", choices, format_func=off_or_k,
                    help="The gradient of J⟨T⟩ flows back through the last k steps only.",
                    **ui.kept("bptt_k", 0, lambda v: v in choices))
low, high, default = flow.LIMITS["clip"]
clip = b.select_slider("Clip ‖gradient‖ at", [0.01, 0.1, 0.5, 1.0, 5.0, 10.0, 100.0],
                       help="torch.nn.utils.clip_grad_norm_: if ‖∂J/∂θ‖ > threshold, scale all gradients down to it.",
                       **ui.kept("bptt_clip", default, lambda v: low <= v <= high))


@st.cache_data(max_entries=64, show_spinner=False)
def flows(*settings):
    return flow.untrained(*settings)


@st.cache_data(max_entries=32, show_spinner=False)
def clipping_sweep(steps, hidden, seed, init, activation, clip):
    return flow.clipping_on(steps, hidden, seed, init, activation, clip)


@st.cache_resource(max_entries=32, show_spinner=False)
def clipping_figure(steps, hidden, seed, init, activation, clip, scale):
    before, after = clipping_sweep(steps, hidden, seed, init, activation, clip)
    return Drawn.of(figures.clipping_figure(flow.SCALES, before, after, clip, scale))


@st.cache_resource(max_entries=64, show_spinner=False)
def flow_figure_for(key, _rnn, _gated):
    return Drawn.of(figures.flow_figure(_rnn, _gated))


truncate = int(k) or None
settings = (steps, hidden, seed, float(keep_bias), init, float(scale), activation, truncate)
try:
    rnn, gated, words = flows(*settings)
except (flow.FlowError, task.LongRangeError, bptt.BPTTError) as error:
    st.warning(ui.escape_markdown(error))
else:
    ui.plot(flow_figure_for(settings, rnn, gated), key="bptt_flow")
    st.latex(r"\Big\|\frac{\partial J^{\langle T\rangle}}{\partial a^{\langle t\rangle}}\Big\| \le"
             r" \Big\|\frac{\partial J^{\langle T\rangle}}{\partial a^{\langle T\rangle}}\Big\|"
             r" \prod_{k=t+1}^{T} \big\|\mathrm{diag}\big(g'(z^{\langle k\rangle})\big)\, W_{aa}\big\|_2 \le"
             r" \Big\|\frac{\partial J^{\langle T\rangle}}{\partial a^{\langle T\rangle}}\Big\|"
             r" \,\sigma_{\max}(W_{aa})^{T-t}")
    for line in flow.flow_story(rnn, gated, activation, float(keep_bias)):
        st.markdown(line)
    st.caption(f"The sequence: “{ui.escape_markdown(' '.join(words))}”, the loss J⟨T⟩ is the cross-entropy of the "
               "verb at “___”. The RNN's backward pass is the hand-written one above (numpy); the LSTM's and GRU's "
               "come from PyTorch's autograd. The LSTM and GRU are the untrained cells of the next section (same n_a "
               "and seed); the RNN has that section's W_ax, b_a, W_ya, b_y, and W_aa as chosen here.")
    with st.expander("Clipping: it caps an exploding gradient, it cannot revive a vanished one", expanded=False):
        ui.plot(clipping_figure(steps, hidden, seed, init, activation, float(clip), float(scale)),
                key="bptt_clip_figure")
        st.markdown(flow.clipping_story(rnn, float(clip)))


@st.cache_resource(max_entries=16, show_spinner=False)
def trained_views(key, _curves, seed):
    """What the trained cells show, with its figures: built once per training run."""
    analysis = flow.trained_analysis(_curves, seed)
    return (analysis, Drawn.of(figures.accuracy_figure(_curves)),
            Drawn.of(figures.flow_figure(gated=analysis.flows, relative=True, height=380)),
            Drawn.of(figures.sensitivity_figure(analysis.sensitivity, analysis.words)))


# =========================================================================== 3. the long-range task
st.header("A long-range dependency, trained live")
st.markdown(
    "“**The cat** that sat on the old red … **was**” / “**The cats** … **were**”: the verb at “___” depends on a "
    "word far back. Each cell is trained from scratch at several gap lengths (the loss is only at the verb), and "
    "tested on new sentences.")
a, b, c = st.columns(3)
low, high, default = task.LIMITS["gap"]
longest = a.slider("Longest gap (filler words)", low, high,
                   help="The cells are trained at 1/8, 1/4, 1/2, 3/4 of it and at the full gap.",
                   **ui.kept("bptt_gap", default, lambda v: low <= v <= high))
low, high, default = task.LIMITS["epochs"]
epochs = b.number_input("Epochs", low, high, step=5, help=f"Passes over {task.N_TRAIN} training sentences "
                        f"(Adam, learning rate {task.LEARNING_RATE:g}, batches of {task.BATCH}).",
                        **ui.kept("bptt_epochs", default, lambda v: low <= v <= high))
train_k = c.select_slider("Truncated BPTT: k steps", task.TRUNCATIONS, format_func=off_or_k,
                          help="Only the last k steps get a gradient: the first T − k run without one.",
                          **ui.kept("bptt_train_k", 0, lambda v: v in task.TRUNCATIONS))
train_truncate = int(train_k) or None
gaps = task.gaps_for(int(longest))
st.caption(f"Gaps trained: {', '.join(map(str, gaps))} filler words (sequence length = gap + 3). "
           f"{task.N_TEST} test sentences per gap." + (f" {task.truncation_note(train_truncate, gaps)}"
                                                     if train_truncate else ""))
key = ("bptt_long_range", int(longest), hidden, int(epochs), seed, float(keep_bias), train_truncate)
expected = task.estimated_seconds(int(longest), hidden, int(epochs))
curves = ui.trained(key, lambda progress: task.train_curves(int(longest), hidden, int(epochs), seed,
                                                             train_truncate, float(keep_bias), progress=progress),
                    button="Train the RNN, LSTM and GRU", label="Training the three cells at every gap")
if curves is None:
    st.info(f"**Press “Train the RNN, LSTM and GRU”**: {len(gaps) * 3} small models, up to about {expected:.0f} s "
            "(less on a quiet server), with a progress bar; the result is kept for everyone using the same settings.")
else:
    analysis, accuracy_figure, trained_flow_figure, heatmap = trained_views(key, curves, seed)
    ui.plot(accuracy_figure, key="bptt_accuracy")
    st.markdown(task.verdict(curves))
    columns = st.columns(len(curves))
    for column, (kind, curve) in zip(columns, curves.items()):
        column.metric(f"{figures.KIND_NAMES[kind]}: training time", f"{curve.seconds:.1f} s",
                      help=f"{len(curve.results)} models, one per gap; epochs used: "
                           f"{', '.join(str(len(r.history.losses)) for r in curve.results)} (of at most {int(epochs)}: "
                           "training stops once the training loss is below "
                           f"{task.LEARNED:g})")
    st.caption("Filled markers: better than guessing (one-sided binomial test, 5 % shared by the gaps of a "
               "curve); hollow: not distinguishable from guessing.")

    st.subheader(f"Why: the gradient in the trained cells, at the longest gap ({analysis.gap})")
    ui.plot(trained_flow_figure, key="bptt_trained_flow")
    st.markdown(analysis.story)
    st.subheader("Which past inputs the loss listens to")
    ui.plot(heatmap, key="bptt_heatmap")
    st.caption("Row t, column s: ‖∂J⟨t⟩/∂x⟨s⟩‖, averaged over test sentences, where J⟨t⟩ is the loss had the verb "
               "been asked at step t; as a power of ten of the row's largest entry (yellow: the inputs the loss "
               "depends on most), blank above the diagonal, where the loss cannot depend on later inputs. The noun "
               "is at s = 2: a cell that carries it has a bright column 2 down to the last row; a cell whose "
               "gradient vanishes has a band along the diagonal only.")
    st.markdown(analysis.listening)
