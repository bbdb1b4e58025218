"""LSTM & GRU gates: watch every gate open and close, step by step, on a small trained model."""

import pandas as pd
import streamlit as st

from playground import data, gate_reading
from playground import gate_tasks as tasks
from playground import ui
from playground.figures import gates as figures
from playground.figures.style import Drawn

LEAD = {  # the first lines of the page, for the cell chosen
    "LSTM": "An **LSTM** keeps a memory, the cell c⟨t⟩, and three gates between 0 (**shut**) and 1 (**open**): the "
            "forget gate Γ_f keeps c⟨t−1⟩, the update gate Γ_u writes the candidate c̃⟨t⟩, the output gate Γ_o shows "
            "tanh(c⟨t⟩) as a⟨t⟩.",
    "GRU": "A **GRU**, here the **full GRU** as PyTorch's nn.GRU computes it, keeps one state c⟨t⟩ = a⟨t⟩ and two "
           "gates between 0 (**shut**) and 1 (**open**): the update gate Γ_u writes the candidate c̃⟨t⟩ and keeps "
           "1 − Γ_u of c⟨t−1⟩, the relevance gate Γ_r decides how much of c⟨t−1⟩ goes into the candidate.",
    "simplified GRU": "The course's **simplified GRU** keeps one state c⟨t⟩ = a⟨t⟩ and one gate between 0 "
                      "(**shut**) and 1 (**open**): the update gate Γ_u writes the candidate c̃⟨t⟩ and keeps "
                      "1 − Γ_u of c⟨t−1⟩. There is no relevance gate.",
}
MORE = {  # under the figure: what the lead leaves out
    "LSTM": "The LSTM is Hochreiter & Schmidhuber (1997); its forget gate came from Gers, Schmidhuber & Cummins "
            "(2000), “Learning to forget”. Every number is recomputed by hand from the model's weights "
            "(playground.cells) and a⟨t⟩ equals what nn.LSTM outputs.",
    "GRU": "The course's GRU is the simplified one (the third cell): the full GRU of Cho et al. (2014), drawn here, "
           "adds Γ_r inside the candidate. Every number is recomputed by hand from the model's weights "
           "(playground.cells) and c⟨t⟩ equals what nn.GRU outputs.",
    "simplified GRU": "Its candidate is c̃⟨t⟩ = tanh(W_c[c⟨t−1⟩, x⟨t⟩] + b_c): c⟨t−1⟩ enters it whole. PyTorch has no "
                      "module for it; the page trains its own (playground.cells.SimpleGRU), and the full GRU, which "
                      "adds a relevance gate Γ_r in the candidate, is the second cell.",
}
HOW_TO_READ = {
    "LSTM": "",
    "GRU": " PyTorch's update gate z is 1 − Γ_u, and it applies Γ_r after the matrix product W_cc c⟨t−1⟩ + b_cc "
           "(see *Course notation ↔ PyTorch*).",
    "simplified GRU": "",
}
MARKS = {True: ":green[**✓**]", False: ":red[**✗**]", None: "·"}

ui.use_app_menu()
st.title("LSTM & GRU gates")
first_screen = ui.under_title()
lead = ui.explanation().empty()

# --------------------------------------------------------------------------- settings
cell_column, task_column, model_column = st.columns([4, 4, 3], vertical_alignment="bottom")
kind = cell_column.radio("Cell", list(tasks.KINDS), horizontal=True, **ui.kept("gates_kind", "LSTM"),
                         help="GRU: the full GRU, exactly as PyTorch's nn.GRU computes it. "
                              "simplified GRU: the course's GRU, without a relevance gate in the candidate.")
lead.markdown(LEAD[kind])
task_key = ui.kept_selectbox(task_column, "Task", list(tasks.TASKS), "gates_task", tasks.DEFAULT_TASK,
                             format_func=lambda key: tasks.TASKS[key].title)
task = tasks.TASKS[task_key]
with model_column.popover("Model and training", width="stretch"):
    low, high, _ = tasks.LIMITS["num_layers"]
    layers = st.number_input("Layers (stacked)", low, high, step=1,
                             help="A deep (stacked) cell: layer k+1 reads the hidden states a⟨t⟩ of layer k.",
                             **ui.kept("gates_layers", 1, lambda v: low <= v <= high))
    low, high, default = tasks.LIMITS["hidden_size"]
    hidden = st.number_input("Hidden units n_a", low, high, step=1,
                             **ui.kept("gates_hidden", default, lambda v: low <= v <= high))
    low, high, default = task.length
    length = st.number_input("Sequence length T", low, high, step=1,
                             **ui.kept(f"gates_length_{task_key}", default, lambda v: low <= v <= high))
    low, high, _ = tasks.LIMITS["epochs"]
    epochs = st.number_input("Epochs", low, high, step=10, help="Passes over the training sequences (Adam, lr 0.01).",
                             **ui.kept(f"gates_epochs_{task_key}", task.epochs, lambda v: low <= v <= high))
    low, high, _ = tasks.LIMITS["seed"]
    seed = st.number_input("Seed", low, high, step=1, **ui.kept("gates_seed", 0, lambda v: low <= v <= high))
    st.caption(f"{task.n_samples} sequences (for a series: up to {task.n_samples} windows), 80 % to train and "
               "20 % held out; mini-batches of 64. The same settings always give the same model.")
hidden, layers, length, epochs, seed = int(hidden), int(layers), int(length), int(epochs), int(seed)
expected = tasks.estimated_seconds(task_key, hidden, layers, length, epochs)

series, fingerprint = None, None
if task_key == "series":
    loaded = ui.data_source()
    if loaded is not None:
        series = loaded.series
        fingerprint = data.fingerprint(series)


# --------------------------------------------------------------------------- cached work
# Training runs only on a button (ui.trained). Everything a rerun draws comes from these caches, keyed on
# what it depends on, so that a rerun that trains nothing costs milliseconds. (Few functions on purpose:
# Streamlit reads each cached function's source on every rerun.)

@st.cache_resource(max_entries=8, show_spinner=False)
def untrained_run(kind, task_key, hidden, layers, length, seed, fingerprint, _series):
    return tasks.build(task_key, kind, hidden, layers, length, seed, _series)


@st.cache_resource(max_entries=32, show_spinner=False)
def model_summary(run_key, layer, _run):
    """What does not depend on the sequence shown: the measured reading and the training curve."""
    return gate_reading.read(_run, layer), Drawn.of(figures.loss_figure(_run.history)) if _run.trained else None


@st.cache_resource(max_entries=32, show_spinner=False)
def sequence_view(run_keys, example, layer, unit, _runs):
    """The traced sequence and its figures: the animated cell, every unit over time and, when more than
    one cell is trained, the cells compared on it."""
    traces = {kind: tasks.trace_example(run, example) for kind, run in _runs.items()}
    first = next(iter(_runs.values()))
    trace = traces[first.kind]
    return dict(trace=trace,
                cell=Drawn.of(figures.cell_figure(trace, layer=layer, unit=unit, start=tasks.key_step(first, example),
                                                  untrained=not first.trained)),
                units=Drawn.of(figures.units_figure(trace, layer=layer, unit=unit)),
                compare=Drawn.of(figures.comparison_figure({k: traces[k] for k in tasks.KINDS if k in traces}))
                if len(traces) > 1 else None)


@st.cache_data(max_entries=16, show_spinner=False)
def cell_tables(n_x, hidden, n_y, layers, timed):
    """The parameter counts as a markdown table (cheaper to send than a dataframe, and as legible), and
    (`timed`: a quarter of a second of measuring, so only on request) the speed."""
    rows = tasks.parameter_table(n_x, hidden, n_y, layers)
    parameters = "\n".join(["| " + " | ".join(rows[0]) + " |", "|---" * len(rows[0]) + "|"] + [
        "| " + " | ".join("—" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
                          for value in row.values()) + " |" for row in rows])
    speed = pd.DataFrame(tasks.speed_table(n_x, hidden, layers)).set_index("cell").round(1) if timed else None
    return parameters, speed


def run_key(kind: str) -> tuple:
    return ("gates", kind, task_key, hidden, layers, length, epochs, seed, fingerprint)


def trained_run(kind: str, button: str):
    """The trained model for these settings: cached, or trained when the button is pressed."""
    return ui.trained(
        run_key(kind), lambda progress: tasks.train(task=task_key, kind=kind, hidden_size=hidden, num_layers=layers,
                                                    length=length, epochs=epochs, seed=seed, series=series,
                                                    progress=progress),
        button=button, label=f"Training the {kind}",
    )


# --------------------------------------------------------------------------- train, or show the untrained model
run = problem = None
if task_key == "series" and series is None:
    problem = "Choose a dataset or upload a CSV in the sidebar to use this task."
else:
    try:  # the untrained model first: it checks the settings and the data before a Train button is offered
        untrained = untrained_run(kind, task_key, hidden, layers, length, seed, fingerprint, series)
    except tasks.GateTaskError as error:
        problem = str(error)
    else:
        button_column, note_column = st.columns([2, 3], vertical_alignment="center")
        with button_column:
            run = trained_run(kind, f"Train the {kind}")
        if run is None:
            note_column.caption("**Untrained**: random weights, so the gates below open and close for no reason. "
                                + (f"With these settings training may take **about {expected:.0f} s** (more on a busy "
                                   "server); fewer epochs, units, layers or a shorter T make it faster."
                                   if expected > 30 else
                                   "Training takes a few seconds, once for everyone using these settings."))
            run = untrained
if problem:
    st.warning(ui.escape_markdown(problem))

if run is not None:
    key = run_key(kind) if run.trained else ("untrained",) + run_key(kind)[1:]
    # ----------------------------------------------------------------------- the cell, step by step
    # The figure comes first (on a projector it must be on the first screen); the controls that choose
    # what it shows sit under it, and are read before it is drawn.
    figure_slot, caption_slot = ui.main_figure(first_screen), st.container()
    example_column, unit_column, layer_column = st.columns(3)
    n_examples = len(run.test_rows)
    example = example_column.number_input(
        "Held-out sequence no.", 1, n_examples, step=1, help="A sequence the model did not train on.",
        **ui.kept(f"gates_example_{task_key}", tasks.default_example(run) + 1, lambda v: 1 <= v <= n_examples)) - 1
    layer = (layer_column.number_input("Layer shown", 1, layers, step=1,
                                       **ui.kept("gates_layer", layers, lambda v: 1 <= v <= layers)) - 1
             if layers > 1 else 0)
    reading, loss = model_summary(key, layer, run)
    unit_options = ["auto"] + list(range(hidden))
    choice = ui.kept_selectbox(
        unit_column, "Unit in the diagram", unit_options, "gates_unit", "auto",
        format_func=lambda u: f"unit {u + 1}" if u != "auto" else f"auto: unit {reading.unit + 1}",
        help=f"Auto: the unit whose cell c⟨t⟩ follows {reading.memory} most closely on the held-out sequences.")
    unit = reading.unit if choice == "auto" else int(choice)
    view = sequence_view((key,), example, layer, unit, {kind: run})
    with figure_slot:
        ui.plot(view["cell"], key="gates_cell")
    caption_slot.caption(
        "▶ plays one step a second, ▶▶ three, ❚❚ pauses; the slider goes to any step (all in your browser). Boxes: "
        "pale = shut (0), dark = open (1); red: the value on each path. Bars: every unit at this step, the drawn "
        f"unit shaded.{HOW_TO_READ[kind]} {MORE[kind]}")

    # ----------------------------------------------------------------------- what the model does
    if run.trained:
        lines = tasks.score_lines(run)
        columns = st.columns(len(lines) + 1)
        for column, (label, value, help_text) in zip(columns, lines):
            column.metric(label, value, help=help_text)
        columns[-1].metric("Training time", f"{run.history.seconds:.1f} s", help=f"{len(run.history.losses)} epochs")
    st.markdown(f"**The task.** {task.about}\n\n**{'The textbook solution' if task_key != 'series' else 'To watch'}.** "
                f"{task.stories[kind]}")
    st.markdown(f"**What this {'trained' if run.trained else 'untrained'} {kind} does**"
                + (f" (layer {layer + 1})" if layers > 1 else "")
                + f", measured on {reading.n_sequences} held-out sequences"
                + (" (✓ as in the textbook, ✗ not):" if task_key != "series" else ":") + "\n\n"
                + "\n".join(f"- {MARKS[check.holds]} {check.text}" for check in reading.checks))
    if not run.trained:
        st.caption("Random weights: whatever holds here holds by chance. Train the model to see what it learns.")
    ui.plot(view["units"], key="gates_units")
    if loss is not None:
        with st.expander("Training curve"):
            ui.plot(loss, key="gates_loss")

# --------------------------------------------------------------------------- notation and comparison
notation_tab, compare_tab = st.tabs(["Course notation ↔ PyTorch", "LSTM vs GRU"])

with notation_tab:
    if kind == "LSTM":
        st.markdown(
            "PyTorch stores the weights of all gates in one matrix `weight_ih_l0` (for x⟨t⟩) and one `weight_hh_l0` "
            "(for a⟨t−1⟩), stacked in blocks of n_a rows, and keeps **two** biases `b_ih`, `b_hh` where the course "
            "has one (b = b_ih + b_hh).\n\n"
            "| Course (LSTM) | nn.LSTM | rows of weight_ih / weight_hh | What it does |\n"
            "|---|---|---|---|\n"
            "| update gate Γ_u | input gate **i** | 0 … n_a−1 | how much of the candidate to write |\n"
            "| forget gate Γ_f | forget gate **f** | n_a … 2n_a−1 | how much of c⟨t−1⟩ to keep |\n"
            "| candidate c̃⟨t⟩ | cell gate **g** | 2n_a … 3n_a−1 | the new content, tanh, in (−1, 1) |\n"
            "| output gate Γ_o | output gate **o** | 3n_a … 4n_a−1 | how much of tanh(c⟨t⟩) to show |\n"
            "| cell c⟨t⟩ | c (`c_n`) | | the memory |\n"
            "| activation a⟨t⟩ | h (`output`, `h_n`) | | what the next layer and ŷ⟨t⟩ see |\n")
        st.markdown("What this page computes (and PyTorch computes), for every unit at once:")
        st.latex(r"\begin{aligned}\Gamma_f &= \sigma(W_f[a^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_f) &"
                 r"\Gamma_u &= \sigma(W_u[a^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_u)\\"
                 r"\Gamma_o &= \sigma(W_o[a^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_o) &"
                 r"\tilde c^{\langle t\rangle} &= \tanh(W_c[a^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_c)\\"
                 r"c^{\langle t\rangle} &= \Gamma_u * \tilde c^{\langle t\rangle} + \Gamma_f * c^{\langle t-1\rangle} &"
                 r"a^{\langle t\rangle} &= \Gamma_o * \tanh(c^{\langle t\rangle})\end{aligned}")
        st.caption("The LSTM is Hochreiter & Schmidhuber (1997); its forget gate Γ_f came later, from Gers, "
                   "Schmidhuber & Cummins (2000), “Learning to forget: continual prediction with LSTM”.")
    elif kind == "GRU":
        st.markdown(
            "PyTorch stores the weights of all gates in one matrix `weight_ih_l0` (for x⟨t⟩) and one `weight_hh_l0` "
            "(for c⟨t−1⟩), stacked in blocks of n_a rows, with **two** biases `b_ih`, `b_hh`.\n\n"
            "| Course (GRU) | nn.GRU | rows | Careful |\n"
            "|---|---|---|---|\n"
            "| relevance gate Γ_r | reset gate **r** | 0 … n_a−1 | PyTorch applies it **after** the hidden matrix "
            "product: r ⊙ (W_hn h + b_hn) |\n"
            "| update gate Γ_u | **1 − z** (update gate z) | n_a … 2n_a−1 | PyTorch's z weighs the **old** state: "
            "h' = (1 − z) ⊙ n + z ⊙ h, so **z = 1 − Γ_u** (W_u = −W_z, b_u = −(b_iz + b_hz)) |\n"
            "| candidate c̃⟨t⟩ | new gate **n** | 2n_a … 3n_a−1 | n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): "
            "on this page W_cx = W_in, b_cx = b_in, W_cc = W_hn, b_cc = b_hn |\n"
            "| c⟨t⟩ = a⟨t⟩ | h | | one state, no separate cell |\n")
        st.markdown("What this page computes (and PyTorch computes), for every unit at once:")
        st.latex(r"\begin{aligned}\Gamma_u &= \sigma(W_u[c^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_u) &"
                 r"\Gamma_r &= \sigma(W_r[c^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_r)\\"
                 r"\tilde c^{\langle t\rangle} &= \tanh\big(W_{cx} x^{\langle t\rangle} + b_{cx} + \Gamma_r *"
                 r" (W_{cc} c^{\langle t-1\rangle} + b_{cc})\big) \\"
                 r"c^{\langle t\rangle} &= \Gamma_u * \tilde c^{\langle t\rangle}"
                 r" + (1-\Gamma_u) * c^{\langle t-1\rangle} = a^{\langle t\rangle}\end{aligned}")
        st.markdown("**Which GRU is which.** The course's GRU is the *simplified* one (the third choice above): its "
                    "candidate is c̃⟨t⟩ = tanh(W_c[c⟨t−1⟩, x⟨t⟩] + b_c), and the relevance gate Γ_r is only named. "
                    "The *full* GRU of Cho et al. (2014) puts Γ_r into the candidate **before** the matrix product, "
                    "c̃⟨t⟩ = tanh(W_c[Γ_r * c⟨t−1⟩, x⟨t⟩] + b_c); PyTorch (and cuDNN) put it **after**, as above. "
                    "Those two are different functions with the same gates, and the same number of parameters "
                    "apart from the extra bias b_cc.")
    else:
        st.markdown(
            "PyTorch has no simplified GRU. This page's module, `playground.cells.SimpleGRU`, stores the course's "
            "two blocks the way nn.GRU stores its three, but in the course's order and with **one** bias per block:\n\n"
            "| Course (simplified GRU) | SimpleGRU | rows of weight_ih / weight_hh | What it does |\n"
            "|---|---|---|---|\n"
            "| update gate Γ_u | block 0 (`bias_l0[:n_a]` = b_u) | 0 … n_a−1 | write c̃⟨t⟩ (Γ_u), keep c⟨t−1⟩ "
            "(1 − Γ_u); not PyTorch's z = 1 − Γ_u |\n"
            "| candidate c̃⟨t⟩ | block 1 (`bias_l0[n_a:]` = b_c) | n_a … 2n_a−1 | the new content, from the whole "
            "c⟨t−1⟩ |\n"
            "| c⟨t⟩ = a⟨t⟩ | output, h_n | | one state |\n\n"
            "W_u = [weight_hh block 0 | weight_ih block 0] acts on [c⟨t−1⟩, x⟨t⟩], and so does W_c with block 1.")
        st.markdown("What this page computes, for every unit at once:")
        st.latex(r"\begin{aligned}\Gamma_u &= \sigma(W_u[c^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_u) &"
                 r"\tilde c^{\langle t\rangle} &= \tanh(W_c[c^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_c)\\"
                 r"c^{\langle t\rangle} &= \Gamma_u * \tilde c^{\langle t\rangle}"
                 r" + (1-\Gamma_u) * c^{\langle t-1\rangle} &"
                 r"a^{\langle t\rangle} &= c^{\langle t\rangle}\end{aligned}")
        st.markdown("The *full* GRU (Cho et al. 2014, the second choice above) adds the relevance gate "
                    "Γ_r = σ(W_r[c⟨t−1⟩, x⟨t⟩] + b_r) and uses it inside the candidate; PyTorch's nn.GRU is that "
                    "full GRU, with Γ_r applied after the matrix product.")

with compare_tab:
    n_x, n_y = (run.data.n_x, run.data.n_y) if run is not None else (3, 1)
    st.markdown(f"The three cells at your settings: n_x = {n_x} inputs, n_a = {hidden} units, {layers} layer(s), "
                f"n_y = {n_y} outputs.")
    st.latex(r"\text{LSTM: } 4\,[\,n_a(n_a + n_x) + n_a\,] \qquad \text{GRU: } 3\,[\,n_a(n_a + n_x) + n_a\,]"
             r"\qquad \text{simplified GRU: } 2\,[\,n_a(n_a + n_x) + n_a\,]")
    sizes = (n_x, hidden, n_y, layers)
    if st.session_state.get("gates_timed") != sizes and st.button("Time the three cells on this machine"):
        st.session_state["gates_timed"] = sizes
    parameters, speed = cell_tables(*sizes, st.session_state.get("gates_timed") == sizes)
    st.markdown(parameters)
    st.caption("For a stacked cell, layers 2… read n_a inputs instead of n_x. PyTorch keeps a second bias per block "
               "(+n_a each); the simplified GRU has no PyTorch module, and ours keeps one bias per block, as the "
               "course. “Counted in the module” sums the sizes of the real module's parameters.")
    if speed is not None:
        st.dataframe(speed, width="stretch")
    st.caption("Speed is measured on request, on this machine, one sequence at a time. On paper the GRU does 3/4 of "
               "the LSTM's multiply-adds per step and the simplified GRU 1/2. The clock can disagree: PyTorch's CPU "
               "build runs the LSTM through a fused (oneDNN) kernel, the GRU through plain operations, and the "
               "simplified GRU is Python, step by step; at these tiny sizes most of the time is overhead.")
    st.markdown(
        "| | LSTM | GRU (full) | simplified GRU |\n|---|---|---|---|\n"
        "| Gates | 3: forget Γ_f, update Γ_u, output Γ_o | 2: update Γ_u, relevance Γ_r | 1: update Γ_u |\n"
        "| State | two: cell c⟨t⟩ and activation a⟨t⟩ | one: c⟨t⟩ = a⟨t⟩ | one: c⟨t⟩ = a⟨t⟩ |\n"
        "| Keep vs write | separate: Γ_f keeps, Γ_u writes | coupled: keep 1 − Γ_u, write Γ_u | coupled, the same |\n"
        "| Candidate reads | a⟨t−1⟩ | Γ_r-weighted c⟨t−1⟩ | all of c⟨t−1⟩ |\n"
        "| Parameters | 4 blocks | 3 blocks | 2 blocks |\n"
        "| Output | Γ_o can hide the cell | the whole state is shown | the whole state is shown |\n"
        "| History | Hochreiter & Schmidhuber 1997; the forget gate from Gers, Schmidhuber & Cummins 2000 | "
        "Cho et al. 2014 | the course's teaching version |\n")
    if run is not None and run.trained:
        runs = {kind: run}
        for other in tasks.KINDS:
            if other != kind:
                other_run = trained_run(other, f"Train the {other} on the same task")
                if other_run is not None:
                    runs[other] = other_run
        if len(runs) == 1:
            st.caption("Train another cell with the same settings to see them on the same input.")
        else:
            compared = sequence_view(tuple(run_key(k) for k in runs), example, layer, unit, runs)
            ui.plot(compared["compare"], key="gates_compare")
            scores = pd.DataFrame({k: {label: value for label, value, _ in tasks.score_lines(r)} | {
                "training time": f"{r.history.seconds:.1f} s"} for k, r in runs.items()})
            st.dataframe(scores, width="stretch")
    else:
        st.caption("Train a model above to compare what the cells do with the same input.")
