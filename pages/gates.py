"""LSTM & GRU gates: watch every gate open and close, step by step, on a small trained model."""

import pandas as pd
import streamlit as st

from playground import data
from playground import gate_tasks as tasks
from playground import ui
from playground.figures import gates as figures

ui.use_app_menu()
st.title("LSTM & GRU gates")
st.markdown(
    "A small LSTM or GRU learns a task in a few seconds; then you watch, step by step, what each gate does "
    "to the memory cell c⟨t⟩. A gate is a number between 0 (**shut**) and 1 (**open**) for every unit: "
    "the forget gate Γ_f decides how much of c⟨t−1⟩ to keep, the update gate Γ_u how much of the new "
    "candidate c̃⟨t⟩ to write, the output gate Γ_o how much of the cell to show as a⟨t⟩."
)

# --------------------------------------------------------------------------- settings
left, middle, right = st.columns([1, 2, 1])
kind = left.radio("Cell", list(tasks.KINDS), horizontal=True, **ui.kept("gates_kind", "LSTM"))
task_key = ui.kept_selectbox(middle, "Task", list(tasks.TASKS), "gates_task", tasks.DEFAULT_TASK,
                             format_func=lambda key: tasks.TASKS[key].title)
task = tasks.TASKS[task_key]
low, high, _ = tasks.LIMITS["num_layers"]
layers = right.number_input("Layers (stacked)", low, high, step=1,
                            help="A deep (stacked) cell: layer k+1 reads the hidden states a⟨t⟩ of layer k.",
                            **ui.kept("gates_layers", 1, lambda v: low <= v <= high))
with st.expander("Model and training settings", expanded=False):
    a, b, c, d = st.columns(4)
    low, high, default = tasks.LIMITS["hidden_size"]
    hidden = a.number_input("Hidden units n_a", low, high, step=1,
                            **ui.kept("gates_hidden", default, lambda v: low <= v <= high))
    low, high, default = task.length
    length = b.number_input("Sequence length T", low, high, step=1,
                            **ui.kept(f"gates_length_{task_key}", default, lambda v: low <= v <= high))
    low, high, _ = tasks.LIMITS["epochs"]
    epochs = c.number_input("Epochs", low, high, step=10, help="Passes over the training sequences (Adam, lr 0.01).",
                            **ui.kept(f"gates_epochs_{task_key}", task.epochs, lambda v: low <= v <= high))
    low, high, _ = tasks.LIMITS["seed"]
    seed = d.number_input("Seed", low, high, step=1, **ui.kept("gates_seed", 0, lambda v: low <= v <= high))
    st.caption(f"{task.n_samples} sequences (for a series: up to {task.n_samples} windows), 80 % to train and "
               "20 % held out; mini-batches of 64. The same settings always give the same model.")
expected = tasks.estimated_seconds(task_key, int(hidden), int(layers), int(length), int(epochs))
st.markdown(f"**The task.** {task.story(kind)}")

series, fingerprint = None, None
if task_key == "series":
    loaded = ui.data_source()
    if loaded is not None:
        series = loaded.series
        fingerprint = data.fingerprint(series)

settings = dict(task=task_key, hidden_size=int(hidden), num_layers=int(layers), length=int(length),
                seed=int(seed), series=series)


@st.cache_resource(max_entries=8, show_spinner=False)
def untrained_run(kind, task_key, hidden, layers, length, seed, fingerprint, _series):
    return tasks.build(task_key, kind, hidden, layers, length, seed, _series)


@st.cache_resource(max_entries=24, show_spinner=False)
def cached_trace(run_key, example, _run):
    return tasks.trace_example(_run, example)


@st.cache_resource(max_entries=24, show_spinner=False)
def cached_figure(run_key, example, layer, unit, start, frame_ms, _trace, untrained):
    return figures.gates_figure(_trace, layer=layer, unit=unit, start=start, frame_ms=frame_ms, untrained=untrained)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_speed(n_x, hidden, layers):
    return tasks.speed_table(n_x, hidden, layers)


def run_key(kind: str) -> tuple:
    return ("gates", kind, task_key, int(hidden), int(layers), int(length), int(epochs), int(seed), fingerprint)


def trained_run(kind: str, button: str):
    """The trained model for these settings: cached, or trained when the button is pressed."""
    return ui.trained(
        run_key(kind), lambda progress: tasks.train(kind=kind, epochs=int(epochs), progress=progress, **settings),
        button=button, label=f"Training the {kind} on “{task.title}”",
    )


# --------------------------------------------------------------------------- train, or show the untrained model
run = problem = None
if task_key == "series" and series is None:
    problem = "Choose a dataset or upload a CSV in the sidebar to use this task."
else:
    try:  # the untrained model first: it checks the settings and the data before a Train button is offered
        untrained = untrained_run(kind, task_key, int(hidden), int(layers), int(length), int(seed), fingerprint, series)
    except tasks.GateTaskError as error:
        problem = str(error)
    else:
        run = trained_run(kind, f"Train the {kind}")
        if run is None and expected > 30:
            st.warning(f"With these settings training may take **about {expected:.0f} s** (possibly more on a busy "
                       "server). Fewer epochs, units, layers or a shorter T make it faster.")
        if run is None:
            st.info(f"**Press “Train the {kind}”** to train it on this task (a few seconds, with a progress bar; "
                    "the result is kept for everyone using the same settings). Until then the animation below "
                    "shows an **untrained** model: random weights, so its gates open and close for no reason.")
            run = untrained
if problem:
    st.warning(ui.escape_markdown(problem))

if run is not None:
    if run.trained:
        lines = tasks.score_lines(run)
        columns = st.columns(len(lines) + 1)
        for column, (label, value, help_text) in zip(columns, lines):
            column.metric(label, value, help=help_text)
        columns[-1].metric("Training time", f"{run.history.seconds:.1f} s", help=f"{len(run.history.losses)} epochs")
        with st.expander("Training curve"):
            ui.plot(figures.loss_figure(run.history))

    # ----------------------------------------------------------------------- what to watch
    n_examples, n_units = len(run.test_rows), int(hidden)
    a, b, c, d = st.columns(4)
    example = a.number_input("Held-out sequence no.", 1, n_examples, step=1, key=f"gates_example_{n_examples}",
                             value=tasks.default_example(run) + 1) - 1
    unit = b.number_input("Unit shown in the diagram", 1, n_units, step=1, key=f"gates_unit_{n_units}", value=1) - 1
    layer = (c.number_input("Layer shown", 1, int(layers), step=1, key=f"gates_layer_{int(layers)}",
                            value=int(layers)) - 1) if layers > 1 else 0
    speed = d.select_slider("Speed (steps per second)", [0.5, 1, 2, 4], key="gates_speed", value=1,
                            help="How fast ▶ Play moves; the animation runs in your browser.")
    key = run_key(kind) if run.trained else ("untrained",) + run_key(kind)[1:]
    trace = cached_trace(key, example, run)
    steps = len(trace.labels)
    start = st.slider("Step t (the equations below; the animation opens here)", 1, steps, key=f"gates_step_{steps}",
                      value=1) - 1
    figure = cached_figure(key, example, layer, unit, start, int(1000 / speed), trace, not run.trained)
    st.caption(f"In this sequence the cell of **unit {tasks.busiest_unit(trace, layer) + 1}** moves the most: "
               "it is probably the one doing the remembering.")
    ui.plot(figure)
    st.caption("▶ Play / ❚❚ Pause and the slider under the figure run in the browser. Pale = shut (0), dark = open "
               "(1). The orange box marks the current step on every time axis.")

    st.subheader(f"The equations at step t = {start + 1}, unit {unit + 1}")
    st.latex(figures.latex_equations(kind, figures.step_values(trace, layer, start, unit)))
    st.caption(f"x⟨t⟩ = {ui.escape_markdown(trace.step_text(start))}. "
               + ("Γ_u, Γ_r, c̃⟨t⟩ exactly as PyTorch's nn.GRU computes them: the reset gate Γ_r multiplies "
                  "W_cc c⟨t−1⟩ + b_cc after the matrix product." if kind == "GRU" else
                  "* multiplies element by element. Every number is recomputed by hand from the model's weights "
                  "(playground.cells), and a⟨t⟩ equals what nn.LSTM outputs."))

# --------------------------------------------------------------------------- notation and comparison
notation_tab, compare_tab = st.tabs(["Course notation ↔ PyTorch", "LSTM vs GRU"])

with notation_tab:
    st.markdown(
        "PyTorch stores the weights of all gates in one matrix `weight_ih_l0` (for x⟨t⟩) and one `weight_hh_l0` "
        "(for a⟨t−1⟩), stacked in blocks of n_a rows, and keeps **two** biases `b_ih`, `b_hh` where the course has "
        "one (b = b_ih + b_hh).\n\n"
        "| Course (LSTM) | nn.LSTM | rows of weight_ih / weight_hh | What it does |\n"
        "|---|---|---|---|\n"
        "| update gate Γ_u | input gate **i** | 0 … n_a−1 | how much of the candidate to write |\n"
        "| forget gate Γ_f | forget gate **f** | n_a … 2n_a−1 | how much of c⟨t−1⟩ to keep |\n"
        "| candidate c̃⟨t⟩ | cell gate **g** | 2n_a … 3n_a−1 | the new content, tanh, in (−1, 1) |\n"
        "| output gate Γ_o | output gate **o** | 3n_a … 4n_a−1 | how much of tanh(c⟨t⟩) to show |\n"
        "| cell c⟨t⟩ | c (`c_n`) | | the memory |\n"
        "| activation a⟨t⟩ | h (`output`, `h_n`) | | what the next layer and ŷ⟨t⟩ see |\n\n"
        "| Course (GRU) | nn.GRU | rows | Careful |\n"
        "|---|---|---|---|\n"
        "| relevance gate Γ_r | reset gate **r** | 0 … n_a−1 | PyTorch applies it **after** the hidden matrix "
        "product: r ⊙ (W_hn h + b_hn) |\n"
        "| update gate Γ_u | **1 − z** (update gate z) | n_a … 2n_a−1 | PyTorch's z weighs the **old** state: "
        "h' = (1 − z) ⊙ n + z ⊙ h, so **z = 1 − Γ_u** (W_u = −W_z, b_u = −(b_iz + b_hz)) |\n"
        "| candidate c̃⟨t⟩ | new gate **n** | 2n_a … 3n_a−1 | n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): "
        "on this page W_cx = W_in, b_cx = b_in, W_cc = W_hn, b_cc = b_hn |\n"
        "| c⟨t⟩ = a⟨t⟩ | h | | one state, no separate cell |\n"
    )
    st.markdown("What this page computes (and PyTorch computes), for every unit at once:")
    if kind == "LSTM":
        st.latex(r"\begin{aligned}\Gamma_f &= \sigma(W_f[a^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_f) &"
                 r"\Gamma_u &= \sigma(W_u[a^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_u)\\"
                 r"\Gamma_o &= \sigma(W_o[a^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_o) &"
                 r"\tilde c^{\langle t\rangle} &= \tanh(W_c[a^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_c)\\"
                 r"c^{\langle t\rangle} &= \Gamma_u * \tilde c^{\langle t\rangle} + \Gamma_f * c^{\langle t-1\rangle} &"
                 r"a^{\langle t\rangle} &= \Gamma_o * \tanh(c^{\langle t\rangle})\end{aligned}")
    else:
        st.latex(r"\begin{aligned}\Gamma_u &= \sigma(W_u[c^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_u) &"
                 r"\Gamma_r &= \sigma(W_r[c^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_r)\\"
                 r"\tilde c^{\langle t\rangle} &= \tanh\big(W_{cx} x^{\langle t\rangle} + b_{cx} + \Gamma_r *"
                 r" (W_{cc} c^{\langle t-1\rangle} + b_{cc})\big) &"
                 r"c^{\langle t\rangle} &= \Gamma_u * \tilde c^{\langle t\rangle}"
                 r" + (1-\Gamma_u) * c^{\langle t-1\rangle} = a^{\langle t\rangle}\end{aligned}")
        st.markdown("The course writes the candidate as c̃⟨t⟩ = tanh(W_c[Γ_r * c⟨t−1⟩, x⟨t⟩] + b_c): the reset "
                    "gate **before** the matrix product. PyTorch (and cuDNN) put it **after**, as above; the two "
                    "are different functions, with the same number of parameters except the extra bias b_cc.")

with compare_tab:
    n_x, n_y = (run.data.n_x, run.data.n_y) if run is not None else (3, 1)
    st.markdown(f"Both cells at your settings: n_x = {n_x} inputs, n_a = {int(hidden)} units, "
                f"{int(layers)} layer(s), n_y = {n_y} outputs.")
    st.latex(r"\text{LSTM: } 4\,[\,n_a(n_a + n_x) + n_a\,] \qquad \text{GRU: } 3\,[\,n_a(n_a + n_x) + n_a\,]"
             r"\qquad \text{(PyTorch: } +n_a \text{ per block for the second bias)}")
    table = pd.DataFrame(tasks.parameter_table(n_x, int(hidden), n_y, int(layers))).set_index("cell")
    st.dataframe(table, width="stretch")
    st.caption("For a stacked cell, layers 2… read n_a inputs instead of n_x. “Counted” sums the sizes of the real "
               "torch.nn module's parameters.")
    speed_rows = pd.DataFrame(cached_speed(n_x, int(hidden), int(layers))).set_index("cell")
    st.dataframe(speed_rows.style.format({"torch.nn forward (µs per step)": "{:.1f}",
                                          "step-by-step trace (µs per step)": "{:.1f}"}), width="stretch")
    st.caption("Measured now, on this machine, one sequence at a time. On paper the GRU does 3/4 of the LSTM's "
               "multiply-adds per step. The clock can disagree: PyTorch's CPU build runs the LSTM through a fused "
               "(oneDNN) kernel and the GRU through plain operations, so here the LSTM is often faster; at these tiny "
               "sizes the step-by-step trace is mostly Python overhead.")
    st.markdown(
        "| | LSTM | GRU |\n|---|---|---|\n"
        "| Gates | 3: forget Γ_f, update Γ_u, output Γ_o | 2: update Γ_u, relevance Γ_r |\n"
        "| State | two: cell c⟨t⟩ and activation a⟨t⟩ | one: c⟨t⟩ = a⟨t⟩ |\n"
        "| Keep vs write | separate: Γ_f keeps, Γ_u writes | coupled: keep 1 − Γ_u, write Γ_u |\n"
        "| Parameters | 4 blocks | 3 blocks (about 25 % fewer) |\n"
        "| Output | Γ_o can hide the cell | the whole state is shown |\n"
        "| History | Hochreiter & Schmidhuber 1997: the historically proven choice | Cho et al. 2014: simpler, "
        "often as good, easier to build bigger |\n"
    )
    if run is not None and run.trained:
        other = "GRU" if kind == "LSTM" else "LSTM"
        other_run = trained_run(other, f"Train the {other} on the same task")
        if other_run is None:
            st.caption(f"Train the {other} with the same settings to see both on the same input.")
        else:
            runs = {kind: run, other: other_run}
            examples = {k: cached_trace(run_key(k), example, r) for k, r in runs.items()}
            ui.plot(figures.comparison_figure(examples["LSTM"], examples["GRU"]))
            scores = pd.DataFrame({k: {label: value for label, value, _ in tasks.score_lines(runs[k])} | {
                "training time": f"{runs[k].history.seconds:.1f} s"} for k in tasks.KINDS})
            st.dataframe(scores, width="stretch")
    else:
        st.caption("Train a model above to compare what an LSTM and a GRU do with the same input.")
