"""The RNN cell: sequence notation, why not a standard network, the vanilla cell with its real numbers, RNN types."""

import pandas as pd
import streamlit as st

from playground import data, ui
from playground import rnn_cell as cell
from playground.figures import rnn_cell as figures

ui.use_app_menu()
st.title("The RNN cell")
first_screen = ui.under_title()
ui.explain(
    "A recurrent network reads a sequence one step at a time and carries what it has seen in its state "
    "a⟨t⟩. The same cell, with the **same weights**, runs at every step. Type a sentence (or pick a stretch of a "
    "time series), then watch the cell compute its numbers, train it in a few seconds, and see what changed."
)

# --------------------------------------------------------------------------- 1. the sequence
st.header("1 · A sequence in the course's notation")
EXAMPLES = {"sentence": "A sentence (words, one-hot)", "series": "A time series (numbers)"}
kind = st.radio("Example", list(EXAMPLES), format_func=EXAMPLES.get, horizontal=True, label_visibility="collapsed",
                **ui.kept("rnn_example", "sentence", lambda v: v in EXAMPLES))
example = problem = series = fingerprint = None
if kind == "sentence":
    left, right = st.columns([4, 1])
    sentence = left.text_input("Your sentence (any text; the first 20 tokens are used)",
                               **ui.kept("rnn_sentence", cell.DEFAULT_SENTENCE))
    low, high, default = cell.LIMITS["vocab_size"]
    vocab_size = int(right.number_input("Vocabulary size |V|", low, high, step=10,
                                        help="The most frequent words of the fables this page learns from "
                                             "(sample_data/fables.txt); every other word is <unk>.",
                                        **ui.kept("rnn_vocab", default, lambda v: low <= v <= high)))
    try:
        example = cell.sentence_example(sentence, vocab_size)
    except cell.CellError as error:
        problem = str(error)
    if example is not None and example.note:
        st.info(ui.escape_markdown(example.note))
else:
    vocab_size = None
    loaded = ui.data_source()
    if loaded is None:
        problem = "Choose a dataset or upload a CSV in the sidebar."
    else:
        series, fingerprint = loaded.series, data.fingerprint(loaded.series)
        low, high, default = cell.LIMITS["length"]
        left, right = st.columns([1, 3])
        length = int(left.number_input("Stretch length T_x", low, high, step=1,
                                       **ui.kept("rnn_length", default, lambda v: low <= v <= high)))
        last = max(0, len(series) - length)
        start = right.slider("The stretch starts at value no.", 1, max(last + 1, 2), disabled=last == 0,
                             **ui.kept("rnn_start", last + 1, lambda v: 1 <= v <= last + 1,
                                       data=f"{fingerprint}:{length}")) - 1
        try:
            example = cell.series_example(series, length, start)
        except cell.CellError as error:
            problem = str(error)

if problem:
    st.warning(ui.escape_markdown(problem))
    st.stop()


example_key = (kind, tuple(example.labels), vocab_size) if kind == "sentence" else (kind, fingerprint, example.start,
                                                                                     len(example.labels))
t_x = len(example.labels)
if kind == "sentence":
    unknown = [token for token, out in zip(example.tokens, example.unknown) if out]
    ui.plot(ui.built_once("one_hot", example_key, lambda: figures.one_hot_figure(example)), key="rnn_one_hot")
    outside = (f"{len(unknown)} of them {'is' if len(unknown) == 1 else 'are'} not among the {len(example.vocabulary)} "
               f"words of the vocabulary and become `<unk>` (index 0): {', '.join(ui.escape_markdown(w) for w in unknown)}."
               if unknown else "Every token is in the vocabulary: try a name, e.g. “Harry”, to get `<unk>`.")
    st.markdown(
        f"**T_x = {t_x}** tokens: x⟨1⟩ = “{ui.escape_markdown(example.tokens[0])}” … x⟨{t_x}⟩ = "
        f"“{ui.escape_markdown(example.tokens[-1])}”. {outside} Each x⟨t⟩ is a **one-hot vector** of "
        f"|V| = {len(example.vocabulary)} numbers: a 1 at the word's index, 0 everywhere else (the figure shows only "
        "the rows this sentence uses). The task on this page: predict the next word, **y⟨t⟩ = x⟨t+1⟩**, so "
        "T_y = T_x and ŷ⟨t⟩ is a probability for every word of the vocabulary."
    )
else:
    ui.plot(ui.built_once("one_hot", example_key, lambda: figures.one_hot_figure(example)), key="rnn_one_hot")
    st.markdown(
        f"**T_x = {t_x}** values: x⟨1⟩ = {example.values[0]:.4g} ({ui.escape_markdown(example.labels[0])}) … "
        f"x⟨{t_x}⟩ = {example.values[-1]:.4g} ({ui.escape_markdown(example.labels[-1])}). Each x⟨t⟩ is **one number** "
        f"(n_x = 1), standardised for the network: (value − {example.scale[0]:.4g}) / {example.scale[1]:.4g}. The task: "
        "predict the next value, **y⟨t⟩ = x⟨t+1⟩**, so T_y = T_x and ŷ⟨t⟩ is a number."
    )
with st.expander("The notation of this app", expanded=False):
    st.markdown(
        "| symbol | meaning |\n|---|---|\n"
        "| x⟨t⟩ | the input at step t (a one-hot word vector, or a number); t = 1 … T_x |\n"
        "| y⟨t⟩, ŷ⟨t⟩ | the target at step t, and the network's prediction of it; t = 1 … T_y |\n"
        "| T_x, T_y | the lengths of the input and of the output sequence (they may differ) |\n"
        "| a⟨t⟩ | the activation (hidden state) after step t: n_a numbers; **a⟨0⟩ = 0** before the first step |\n"
        "| W_ax, W_aa, b_a | input → state, state → state, and bias: the same at every step |\n"
        "| W_ya, b_y | state → output, and bias: the same at every step |\n"
        "| x^(i)⟨t⟩ | step t of the i-th training example (each example may have its own T_x^(i)) |\n"
    )

with st.expander("Model and training settings", expanded=False):
    a, b, c = st.columns(3)
    low, high, default = cell.LIMITS["hidden_size"]
    hidden = int(a.number_input("Hidden units n_a", low, high, step=1,
                                help="The size of a⟨t⟩. Up to 10 units the figure writes every number.",
                                **ui.kept("rnn_hidden", default, lambda v: low <= v <= high)))
    low, high, _ = cell.LIMITS["epochs"]
    epochs = int(b.number_input("Epochs", low, high, step=1,
                                help=f"Passes over the training windows (Adam, lr {cell.LEARNING_RATE[kind]:g}, mini-batches of 32).",
                                **ui.kept(f"rnn_epochs_{kind}", cell.EPOCHS[kind], lambda v: low <= v <= high)))
    low, high, default = cell.LIMITS["seed"]
    seed = int(c.number_input("Seed", low, high, step=1, **ui.kept("rnn_seed", default, lambda v: low <= v <= high)))
    if kind == "sentence":
        st.caption(f"Trained on the fables in sample_data/fables.txt ({len(cell.corpus_tokens()):,} tokens): windows "
                   f"of {cell.WINDOW} words, the last {cell.TEST_FRACTION:.0%} of the text held out. The same settings "
                   "always give the same model.")
    else:
        st.caption(f"Trained on up to {cell.SERIES_WINDOWS} windows of T_x values of the series (the most recent "
                   f"{cell.TEST_FRACTION:.0%} held out), standardised with the training part.")


# --------------------------------------------------------------------------- 2. why not a standard network
st.header("2 · Why not a standard network?")
n_x = example.inputs.shape[1]
rows = cell.size_rows(t_x, n_x, hidden, n_x, vocabulary=kind == "sentence")
sizes = pd.DataFrame(rows).set_index("size")
st.markdown(
    f"A dense network would take all T_x = {t_x} inputs at once: **{t_x} × {n_x:,} = {t_x * n_x:,} numbers** in, "
    f"and T_y × n_y = {t_x * n_x:,} out, through one hidden layer of n_a = {hidden} units. The RNN reads one x⟨t⟩ "
    f"at a time with the same weights. For this example: **dense net {rows[0]['dense net']:,} parameters, RNN "
    f"{rows[0]['RNN']:,}** ({rows[0]['dense / RNN']:.0f} times fewer)."
)
left, right = st.columns([3, 2])
with left:
    size_lines = [(n_x, hidden, n_x)] + ([(cell.COURSE_VOCABULARY, hidden, cell.COURSE_VOCABULARY)]
                                         if kind == "sentence" else [])
    ui.plot(ui.built_once("sizes", (t_x, n_x, hidden), lambda: figures.size_figure(
        t_x, size_lines, cell.dense_parameter_count, cell.rnn_parameter_count)), key="rnn_sizes")
with right:
    st.dataframe(sizes, width="stretch", column_config={
        "dense net": st.column_config.NumberColumn(format="localized"),
        "RNN": st.column_config.NumberColumn(format="localized"),
        "n_x": st.column_config.NumberColumn(format="localized"),
        "dense / RNN": st.column_config.NumberColumn(format="%.0f×")})
    st.latex(r"\text{dense: } T_x n_x n_a + n_a + n_a T_y n_y + T_y n_y")
    st.latex(r"\text{RNN: } n_a(n_a + n_x) + n_a + n_y n_a + n_y")
    longer = cell.dense_parameter_count(t_x + 1, n_x, hidden, t_x + 1, n_x) - rows[0]["dense net"]
    st.markdown(
        f"- **A longer input does not fit**: T_x = {t_x + 1} needs a new dense net with {longer:,} more weights; the "
        "RNN just runs one more step.\n"
        f"- **Nothing is shared across positions**: the dense net has a separate block of {hidden} × {n_x:,} weights "
        "for each position, so what it learns about a word at position 3 is not used at position 7. The RNN's "
        "W_ax is the same at every step."
    )

# --------------------------------------------------------------------------- 3. the cell, step by step
st.header("3 · The cell, step by step")
settings = dict(hidden_size=hidden, seed=seed, vocab_size=vocab_size, series=series,
                length=len(example.labels) if kind == "series" else None)
model_key = (kind, hidden, seed, vocab_size, fingerprint, settings["length"])


@st.cache_resource(max_entries=8, show_spinner=False)
def untrained_run(model_key, _settings):
    return cell.build(kind, **_settings)


@st.cache_resource(max_entries=32, show_spinner=False)
def cached_trace(model_key, trained, example_key, _model, _example):
    return cell.trace(_model, _example)


try:
    untrained = untrained_run(model_key, settings)
except cell.CellError as error:
    st.warning(ui.escape_markdown(error))
    st.stop()
run = ui.trained(("rnn",) + model_key + (epochs,),
                 lambda progress: cell.train(kind, epochs=epochs, progress=progress, **settings),
                 button="Train the cell", label=f"Training the RNN cell ({epochs} epochs)")
if run is None:
    st.info("**Press “Train the cell”** to train it (a few seconds, with a progress bar; the result is kept for "
            "everyone with the same settings). Until then the cell has **random weights**: its guesses mean nothing.")
    show_trained = False
else:
    show_trained = st.toggle("Show the trained cell", **ui.kept("rnn_show_trained", True))
shown = run if show_trained else untrained
trace = cached_trace(model_key + (epochs if show_trained else 0,), show_trained, example_key,
                     shown.model, example)
untrained_trace = cached_trace(model_key + (0,), False, example_key, untrained.model, example)

speed = st.select_slider("Speed (steps per second)", [0.5, 1, 2, 4], key="rnn_speed", value=1,
                         help="How fast ▶ Play moves; the animation runs in your browser.")
figure = ui.built_once("cell", (model_key, epochs if show_trained else 0, example_key, speed),
                       lambda: figures.cell_figure(trace, frame_ms=int(1000 / speed), untrained=not show_trained))
with ui.main_figure(first_screen):
    ui.plot(figure, key="rnn_cell_figure")
shared = cell.rnn_parameter_count(n_x, hidden, trace.output.shape[1])
st.caption(f"▶ Play / ❚❚ Pause and the slider run in your browser. Red = negative, blue = positive. W_aa and b_a do "
           f"not move: the **same {shared:,} parameters** (W_aa, W_ax, b_a, W_ya, b_y) are used at all {t_x} steps.")
st.latex(r"a^{\langle t\rangle} = \tanh\big(W_{aa}\,a^{\langle t-1\rangle} + W_{ax}\,x^{\langle t\rangle} + b_a\big)"
         r" = \tanh\big(W_a\,[a^{\langle t-1\rangle}, x^{\langle t\rangle}] + b_a\big)")
st.latex((r"\hat y^{\langle t\rangle} = \mathrm{softmax}\big(W_{ya}\,a^{\langle t\rangle} + b_y\big)"
            if kind == "sentence" else r"\hat y^{\langle t\rangle} = W_{ya}\,a^{\langle t\rangle} + b_y"))
compact_gap = cell.compact_form_gap(shown.model, trace)
st.markdown(
    f"**The compact form.** W_a = [W_aa | W_ax] puts the two matrices side by side ({hidden} × ({hidden} + {n_x:,})) "
    f"and [a⟨t−1⟩, x⟨t⟩] stacks the two vectors ({hidden} + {n_x:,} numbers): W_a[a⟨t−1⟩, x⟨t⟩] is the same sum. "
    f"On this sentence the two forms differ by at most **{compact_gap:.1e}** (float rounding). "
    + ("For numbers the read-out has no softmax: ŷ⟨t⟩ is the predicted next value. " if kind == "series" else "")
    + "PyTorch's names: W_ax = `weight_ih_l0`, W_aa = `weight_hh_l0`, b_a = `bias_ih_l0 + bias_hh_l0` (PyTorch keeps "
    "two biases where the course has one), W_ya and b_y = the `Linear` read-out's `weight` and `bias`."
)

# --------------------------------------------------------------------------- 4. what training changed


@st.cache_data(max_entries=16, show_spinner=False)
def cached_tables(key, _before, _after):
    changes = pd.DataFrame(cell.weight_changes(_before.weights, _after.weights)).set_index("weights")
    return cell.compare_predictions(_before, _after), changes


st.header("4 · What training changed")
if run is None:
    st.caption("Train the cell above to compare it with the untrained one.")
else:
    trained_trace = cached_trace(model_key + (epochs,), True, example_key, run.model, example)
    if kind == "sentence":
        names = ("Held-out loss (nats/word)", "Next-word accuracy")
        keys, formats = ("loss", "accuracy"), ("{:.3f}", "{:.0%}")
    else:
        names = ("Held-out loss (MSE, standardised)", "Held-out error (MAE)")
        keys, formats = ("loss", "mae"), ("{:.3f}", "{:.4g}")
    columns = st.columns(4)
    for column, name, key, fmt in zip(columns, names, keys, formats):
        column.metric(name, fmt.format(run.score[key]), delta=fmt.format(run.score[key] - run.initial_score[key])
                      if key == "loss" else None, delta_color="inverse", help=f"untrained: {fmt.format(run.initial_score[key])}")
    baseline_key = keys[0] if kind == "sentence" else "mae"
    columns[2].metric(f"Without memory: {run.baseline['name']}", formats[keys.index(baseline_key)].format(
        run.baseline[baseline_key]), help="The same held-out steps, predicted with no memory of the earlier steps.")
    columns[3].metric("Training time", f"{run.history.seconds:.1f} s", help=f"{len(run.history.losses)} epochs")
    verdict = cell.verdict(run)
    (st.success if cell.target_reached(run) else st.warning)(verdict)
    left, right = st.columns(2)
    with left:
        ui.plot(ui.built_once("loss", model_key + (epochs,), lambda: figures.loss_figure(
            run.history, run.baseline.get("loss"), run.baseline["name"])), key="rnn_loss")
    with right:
        ui.plot(ui.built_once("predictions", model_key + (epochs,) + example_key, lambda: figures.predictions_figure(
            untrained_trace, trained_trace)), key="rnn_predictions")
    predictions, change = cached_tables(model_key + (epochs,) + example_key, untrained_trace, trained_trace)
    st.dataframe(predictions, width="stretch", column_config={
        name: st.column_config.NumberColumn(format="%.3f" if "P(" in name else "%.4g")
        for name in predictions.columns if pd.api.types.is_numeric_dtype(predictions[name])})
    st.subheader("The weights, before and after")
    st.dataframe(change, width="stretch", column_config={
        name: st.column_config.NumberColumn(format="%.3f") for name in change.columns})
    words = example.vocabulary.words if kind == "sentence" else None
    ui.plot(ui.built_once("weights", model_key + (epochs,), lambda: figures.weights_figure(
        untrained_trace.weights, trained_trace.weights, words)), key="rnn_weights")

# --------------------------------------------------------------------------- 5. the RNN types
st.header("5 · The RNN types")
st.markdown("The same cell, wired in different ways: each box is the cell at one step, arrows carry a⟨t⟩ to the "
            "next step, red ŷ⟨t⟩ are the outputs (a red arrow: the output is fed back as the next input).")
model = (run or untrained).model


@st.cache_data(max_entries=32, show_spinner=False)
def cached_generation(model_key, seed_text, n_words, vocab_size, _model):
    return cell.generate(_model, cell.vocabulary(vocab_size), seed_text, n_words, seed=model_key[2])


@st.cache_data(max_entries=32, show_spinner=False)
def cached_bidirectional(example_key, hidden, seed, _inputs, _replacement):
    n_y = len(cell.vocabulary(example_key[2])) if example_key[0] == "sentence" else 1
    return cell.bidirectional_demo(_inputs, _replacement, hidden, n_y, seed, softmax=example_key[0] == "sentence")

type_key = st.radio("RNN type", [t.key for t in cell.TYPES], horizontal=True, label_visibility="collapsed",
                    format_func=lambda key: cell.TYPES_BY_KEY[key].title,
                    **ui.kept("rnn_type", cell.TYPES[0].key, lambda v: v in cell.TYPES_BY_KEY))
rnn_type = cell.TYPES_BY_KEY[type_key]
left, right = st.columns([3, 2])
with left:
    ui.plot(ui.built_once("type", (rnn_type.key,), lambda: figures.unrolled_figure(rnn_type)), key="rnn_type_figure")
with right:
    st.subheader(rnn_type.title)
    st.markdown(f"`{rnn_type.formula}`  \n{rnn_type.example}")
    if rnn_type.key == "many_to_many_same":
        st.markdown("**On this page:** the next-word (or next-value) cell above is one: a ŷ⟨t⟩ for every x⟨t⟩.")
    if rnn_type.page:
        ui.page_link(rnn_type.page, rnn_type.page_label)
if rnn_type.key == "one_to_many":
    if kind == "sentence":
        a, b = st.columns([3, 1])
        seed_text = a.text_input("Seed words", **ui.kept("rnn_seed_text", "the fox"))
        low, high, default = cell.LIMITS["generate"]
        n_words = int(b.number_input("Words to write", low, high,
                                     **ui.kept("rnn_words", default, lambda v: low <= v <= high)))
        read, written = cached_generation(model_key + (epochs if run is not None else 0,), seed_text, n_words,
                                          vocab_size, model)
        who = "the trained cell" if run is not None else "the **untrained** cell (random words: train it above)"
        st.markdown(f"Written by {who}, sampling each word from ŷ⟨t⟩ (temperature 0.8):  \n"
                    f"*{ui.escape_markdown(' '.join(read))}* → **{ui.escape_markdown(' '.join(written))}**")
    else:
        st.caption("Switch the example to a sentence to let this page's word model write from a seed.")
if rnn_type.key == "bidirectional":
    replacement, said = cell.replacement_for(example)
    demo = cached_bidirectional(example_key, hidden, seed, example.inputs, replacement)
    ui.plot(ui.built_once("bidirectional", example_key + (hidden, seed), lambda: figures.bidirectional_figure(
        demo, example.labels)), key="rnn_bidirectional")
    st.markdown(cell.bidirectional_sentence(demo, said))
