"""Seq2Seq: an encoder–decoder, with parallel and autoregressive decoding side by side."""

import streamlit as st

from playground import ui
from playground.figures import seq2seq as figures
from playground.seq2seq import (
    DEMO, DEMO_HISTORY, DEMO_HORIZON, MAX_TRAINING_SECONDS, MODES, Settings, comparison_reading, estimated_seconds,
    exposure_cost, feedback_reading, growth_reading, train,
)
from playground.seq2seq_data import WindowError, series_windows, sine_windows

DATA_NAMES = {"sine": "Sine wave (the course's task)", "series": "Your series (pick it in the sidebar)"}
MODE_TITLES = {"parallel": "Parallel decoder", "autoregressive": "Autoregressive decoder"}
SCHEDULE_NAMES = {"constant": "constant", "linear": "linear decay to 0", "inverse_sigmoid": "inverse sigmoid decay"}
HIDDEN_SIZES = [4, 8, 16, 32, 64]
LEARNING_RATES = [0.001, 0.003, 0.01, 0.03]
DEFAULT = DEMO


ui.use_app_menu()
st.title("Seq2Seq: encoder–decoder")
first_screen = ui.under_title()
with ui.explanation():
    st.markdown(
        "An **encoder** LSTM reads the input window x⟨1⟩ … x⟨T_x⟩ and compresses it into its final hidden state "
        "a⟨T_x⟩, the **encoding vector**. A **decoder** LSTM starts from that state and writes the output sequence "
        "ŷ⟨1⟩ … ŷ⟨T_y⟩. The decoder can get its inputs in two ways; this page trains both and compares them."
    )
    st.latex(r"a^{\langle t\rangle} = \mathrm{LSTM}_{enc}\big(x^{\langle t\rangle},\ a^{\langle t-1\rangle}\big),"
             r"\quad t = 1 \dots T_x \qquad\qquad s^{\langle 0\rangle} = a^{\langle T_x\rangle}")
    st.latex(r"s^{\langle k\rangle} = \mathrm{LSTM}_{dec}\big(u^{\langle k\rangle},\ s^{\langle k-1\rangle}\big),"
             r"\qquad \hat y^{\langle k\rangle} = W_{ya}\, s^{\langle k\rangle} + b_y, \quad k = 1 \dots T_y")
    st.latex(r"\textbf{parallel:}\ \ u^{\langle k\rangle} = x^{\langle T_x\rangle}\ \text{for every } k"
             r"\qquad\qquad \textbf{autoregressive:}\ \ u^{\langle 1\rangle} = x^{\langle T_x\rangle},\ \ "
             r"u^{\langle k\rangle} = \hat y^{\langle k-1\rangle}")
    st.caption("Parallel: no input depends on an output, so all steps run in one pass. Autoregressive: each output is "
               "fed back as the next input, one step at a time. With the same weights step 1 would be the same "
               "computation in both; the two decoders on this page are trained separately. Both LSTMs also pass their "
               "cell c⟨t⟩ along (the decoder starts from a⟨T_x⟩ and c⟨T_x⟩); PyTorch calls a⟨t⟩ h_t. With several "
               "layers, each decoder layer starts from the final state of the same encoder layer.")

# ------------------------------------------------------------------------------------------ data
st.header("Data")
source = st.radio("Data", list(DATA_NAMES), format_func=DATA_NAMES.get, horizontal=True,
                  label_visibility="collapsed", **ui.kept("s2s_data", "sine", lambda v: v in DATA_NAMES))
try:
    if source == "sine":
        a, b, c, d = st.columns(4)
        history = a.slider("History T_x (values seen)", 2, 30, **ui.kept("s2s_history", DEMO_HISTORY))
        horizon = b.slider("Horizon T_y (values predicted)", 1, 20, **ui.kept("s2s_horizon", DEMO_HORIZON))
        frequency = c.slider("Frequency f (cycles per step)", 0.01, 0.25, step=0.01,
                             **ui.kept("s2s_frequency", 0.05))
        noise = d.slider("Noise (standard deviation)", 0.0, 0.5, step=0.01, **ui.kept("s2s_noise", 0.0))
        windows = sine_windows(history, horizon, frequency, noise)
        st.caption(f"x⟨t⟩ = sin(2π·{frequency:g}·t) + noise, t = 0 … 399: one cycle every {1 / frequency:.3g} steps. "
                   f"{len(windows.x_train)} training windows, {len(windows.x_test)} test windows after them.")
        units = ""
    else:
        loaded = ui.data_source()
        if loaded is None:
            st.stop()
        series = loaded.series
        if len(series) < 40:
            st.warning(f"This series has {len(series)} values; Seq2Seq needs at least 40 to cut enough windows. "
                       "Pick a longer series in the sidebar.")
            st.stop()
        longest = int(min(60, len(series) // 5))
        a, b, c = st.columns(3)
        history = a.slider("History T_x (values seen)", 2, longest,
                           **ui.kept("s2s_series_history", min(12, longest), lambda v: 2 <= v <= longest))
        horizon = b.slider("Horizon T_y (values predicted)", 1, min(30, longest),
                           **ui.kept("s2s_series_horizon", min(6, longest), lambda v: 1 <= v <= min(30, longest)))
        test_percent = c.slider("Test part (%)", 10, 40, step=5, **ui.kept("s2s_test_percent", 20))
        windows = series_windows(series, history, horizon, test_percent / 100)
        st.caption(f"Scaled to mean 0 and standard deviation 1 with the **training part only** "
                   f"(mean {windows.scaling.mean:.4g}, std {windows.scaling.std:.4g}). "
                   f"{len(windows.x_train)} training windows, {len(windows.x_test)} test windows after them "
                   "(long series are thinned to keep training to seconds).")
        units = " (scaled units)"
except WindowError as error:
    st.error(ui.escape_markdown(error))
    st.stop()
ui.plot(ui.built_once("split", (), (windows.fingerprint,), lambda: figures.split_figure(windows)))
outside = windows.share_outside_training_range()
if outside > 0.1:
    st.warning(f"{outside:.0%} of the test period lies outside the range of the training part. An LSTM's "
               "outputs stay within what it learned, so neither decoder can follow a trend into new territory.")

# ------------------------------------------------------------------------------------------ model
st.header("Model")
a, b, c, d = st.columns(4)
hidden_size = a.select_slider("Hidden size (units in a⟨t⟩)", HIDDEN_SIZES,
                              **ui.kept("s2s_hidden", DEFAULT.hidden_size, lambda v: v in HIDDEN_SIZES))
num_layers = b.slider("LSTM layers", 1, 3, **ui.kept("s2s_layers", 1))
dropout = c.slider("Dropout between layers", 0.0, 0.5, step=0.05, disabled=num_layers == 1,
                   help="PyTorch's LSTM drops out between stacked layers only: with one layer there is nothing "
                        "to drop.",
                   **ui.kept("s2s_dropout", 0.0))
attention = d.checkbox("Attention", help="Let every output look back at all encoder states a⟨t⟩.",
                       **ui.kept("s2s_attention", False))
a, b, c, _ = st.columns(4)
epochs = a.slider("Epochs", 5, 400, step=5, **ui.kept("s2s_epochs", DEFAULT.epochs))
lr = b.select_slider("Learning rate", LEARNING_RATES, **ui.kept("s2s_lr", DEFAULT.lr, lambda v: v in LEARNING_RATES))
seed = c.number_input("Seed", 0, 9999, step=1, **ui.kept("s2s_seed", 0))
effective_dropout = dropout if num_layers > 1 else 0.0
if attention:
    score = r"s^{\langle k\rangle\top} W_\alpha\, a^{\langle %s\rangle}"
    st.latex(r"\alpha^{\langle k,t\rangle} = \frac{\exp\big(" + score % "t" + r"\big)}{\sum_{t'=1}^{T_x} \exp\big("
             + score % "t'" + r"\big)}\qquad \mathrm{context}^{\langle k\rangle} = \sum_{t=1}^{T_x} "
             r"\alpha^{\langle k,t\rangle} a^{\langle t\rangle}\qquad \hat y^{\langle k\rangle} = W_{ya}\,"
             r"\big[s^{\langle k\rangle};\ \mathrm{context}^{\langle k\rangle}\big] + b_y")
    st.caption("With attention each output also looks back at every encoder state a⟨t⟩, not only at the encoding "
               "vector. W_α starts as the identity (plain dot-product attention) and is learned.")


def settings_for(mode: str, teacher_forcing: float, schedule: str) -> Settings:
    return Settings(mode=mode, hidden_size=int(hidden_size), num_layers=int(num_layers),
                    dropout=float(effective_dropout), attention=bool(attention), epochs=int(epochs), lr=float(lr),
                    teacher_forcing=float(teacher_forcing), schedule=schedule, seed=int(seed))


results = {}
columns = st.columns(2)
for column, mode in zip(columns, MODES):
    with column:
        st.subheader(MODE_TITLES[mode])
        if mode == "autoregressive":
            a, b = st.columns(2)
            teacher_forcing = a.slider(
                "Teacher forcing", 0.0, 1.0, step=0.05, **ui.kept("s2s_teacher_forcing", DEFAULT.teacher_forcing),
                help="In training: the share of steps where the decoder is fed the true y⟨k-1⟩ instead of its own "
                     "ŷ⟨k-1⟩. Predictions on the test windows always use its own outputs.")
            schedule = b.selectbox("Scheduled sampling", list(SCHEDULE_NAMES), format_func=SCHEDULE_NAMES.get,
                                   help="How the teacher-forcing share changes over the epochs (Bengio et al., 2015).",
                                   **ui.kept("s2s_schedule", DEFAULT.schedule, lambda v: v in SCHEDULE_NAMES))
        else:
            teacher_forcing, schedule = 0.0, "constant"
            st.caption("Nothing is fed back, so there is nothing to teach: training decodes exactly as prediction "
                       "does.")
        settings = settings_for(mode, teacher_forcing, schedule)
        estimate = estimated_seconds(windows, settings)
        if estimate > MAX_TRAINING_SECONDS:
            st.warning(f"These settings would take about {estimate / 60:.0f} minutes to train. Lower the epochs, "
                       "the hidden size, the layers or the history to stay within a minute.")
            continue
        result = ui.trained(("seq2seq", windows.fingerprint, settings.key()),
                            lambda progress, s=settings: train(windows, s, progress),
                            button=f"Train the {mode} decoder", label=f"Training the {mode} decoder")
        if result is None:
            st.caption(f"Not trained for these settings yet (up to about {max(1, round(estimate))} s).")
            continue
        results[mode] = result
        st.metric("Test MSE" + units, f"{result.final_test_mse:.3g}")
        st.caption(f"Trained in {result.seconds:.1f} s · {result.settings.epochs} epochs.")

if not results:
    st.info("Press a train button above (each takes a few seconds). Train both to compare them side by side.")
    st.stop()
if len(results) == 1:
    st.info(f"Only the {next(iter(results))} decoder is trained for these settings: train the other one to compare.")

# ------------------------------------------------------------------------------------------ results
st.header("Side by side")
trained_key = tuple((m, r.settings.key()) for m, r in results.items()) + (windows.fingerprint,)
decoding_tab, predictions_tab, horizon_tab, speed_tab, curves_tab, encoding_tab, *more = st.tabs(
    ["Decoding, step by step", "Predictions", "Error by horizon step", "Inference time", "Training curves",
     "Encoding vector"] + (["Attention"] if attention else []) + ["Which one when?"]
)
n_test = len(windows.x_test)
predictions = {m: r.prediction for m, r in results.items()}
limit = windows.shift_limit(n_test, 3)

with decoding_tab:
    window = st.slider("Test window", 0, n_test - 1, **ui.kept("s2s_decode_window", windows.spread(
        windows.test_starts, 1)[0], lambda v: 0 <= v < n_test))
    with ui.main_figure(first_screen):
        ui.plot(ui.built_once("decoding", trained_key, (window,),
                              lambda: figures.decoding_figure(windows, predictions, window)))
    st.caption(f"Press ▶ Play. Blue: what the encoder saw; open circles: the truth. Left: every decoder input is x⟨T_x⟩, known before decoding starts, so all "
               f"{windows.horizon} outputs come out of one pass. Right: step k's input is the decoder's own "
               f"ŷ⟨k−1⟩ (the arrow), so the {windows.horizon} outputs take {windows.horizon} calls, one after another.")

with predictions_tab:
    shift = 0
    if limit > 0:
        shift = st.slider("Move the windows along the test period", 0, limit,
                          **ui.kept("s2s_shift", 0, lambda v: 0 <= v <= limit))
    picks = windows.spread(windows.test_starts, 3, shift)
    ui.plot(ui.built_once("predictions", trained_key, tuple(picks),
                          lambda: figures.predictions_figure(windows, predictions, picks)))
    st.caption("The same test windows and the same axes for both decoders. Left of the dotted line: what the "
               "encoder saw; right: the truth (open circles) and each decoder's prediction.")

with horizon_tab:
    fed_truth = results["autoregressive"].step_mse_fed_truth if "autoregressive" in results else None
    ui.plot(ui.built_once("horizon", trained_key, (units,), lambda: figures.horizon_error_figure(
        {m: r.step_mse for m, r in results.items()}, fed_truth, units)))
    if windows.horizon > 1:
        st.markdown("\n".join(growth_reading(m, r.step_mse) for m, r in results.items()))
    if "autoregressive" in results and windows.horizon > 1:
        st.markdown(feedback_reading(results["autoregressive"]))
    st.caption("Trained with teacher forcing alone, an autoregressive decoder only ever sees true inputs and meets "
               "its own mistakes for the first time at prediction: **exposure bias**. Scheduled sampling lowers "
               "the teacher-forcing share as training goes on, so it learns to continue from its own outputs.")

with speed_tab:
    ui.plot(ui.built_once("speed", trained_key, (), lambda: figures.timing_figure(
        {m: r.inference_seconds for m, r in results.items()}, n_test)))
    if len(results) == 2:
        ratio = results["autoregressive"].inference_seconds / results["parallel"].inference_seconds
        relation = (f"**×{ratio:.2g}** the time of" if ratio >= 1.1 else "about the same time as" if ratio > 0.9
                    else f"less time than (×{ratio:.2g})")
        st.markdown(f"Autoregressive decoding took {relation} parallel decoding here. "
                    f"It makes {windows.horizon} separate decoder calls, each waiting for the previous output; "
                    "the parallel decoder knows all its inputs up front and runs the steps in one pass.")
    st.caption("Measured when the model was trained: median of 15 no-gradient calls on all test windows at once, "
               "one CPU thread. The parallel decoder computes step 1 in its own call, exactly like the "
               "autoregressive one (with the same weights the two ŷ⟨1⟩ would be identical), then all the remaining "
               "steps in one pass.")

with curves_tab:
    ui.plot(ui.built_once("curves", trained_key, (), lambda: figures.training_curves_figure(
        {m: (r.losses, r.test_mse) for m, r in results.items()})))
    st.caption("The autoregressive training loss is measured while teacher forcing feeds some true values, so it "
               "can sit below the test MSE, which always decodes from the decoder's own outputs.")

with encoding_tab:
    trained_modes = list(results)
    which = trained_modes[0]
    if len(trained_modes) > 1:
        which = st.radio("Encoder of the", trained_modes, horizontal=True, format_func=lambda m: f"{m} model",
                         **ui.kept("s2s_encoding_mode", trained_modes[0], lambda v: v in trained_modes))
    result = results[which]
    _, starts = windows.all_inputs()
    color, color_label = windows.describe(starts)
    rows = windows.spread(starts, 6)
    cyclic = windows.period is not None
    labels = [f"phase {color[i]:.0f}°" if cyclic else f"ends {windows.end_label(starts[i])}" for i in rows]
    layers = result.settings.num_layers
    st.markdown(f"Each window is compressed into these **{result.settings.hidden_size} numbers**, the encoder's "
                "last hidden state a⟨T_x⟩. Without attention, this vector, the cell state c⟨T_x⟩ that comes with it "
                + ("(of each of the " + f"{layers} layers, with their hidden states) " if layers > 1 else "")
                + "and the last value x⟨T_x⟩, fed as the decoder's first input, are all the decoder knows about "
                "the window.")
    ui.plot(ui.built_once("encoding", trained_key, (which,),
                          lambda: figures.encoding_heatmap_figure(result.encodings[rows], labels)))
    ui.plot(ui.built_once("projection", trained_key, (which,), lambda: figures.encoding_projection_figure(
        result.projection, color, color_label, result.explained, rows, labels, cyclic)))
    st.caption(f"All {len(starts)} windows' encoding vectors on their two main directions (PCA). "
               + ("On the sine, windows at the same phase get nearby vectors: the encoder has learned where on the "
                  "cycle the window ends, which is all it needs to continue it." if cyclic else
                  "Nearby points are windows the encoder considers alike."))

if attention:
    attention_tab, choose_tab = more
    with attention_tab:
        window = st.slider("Test window", 0, n_test - 1, **ui.kept("s2s_attention_window", 0,
                                                                    lambda v: 0 <= v < n_test))
        weights = {m: r.attention[window] for m, r in results.items() if r.attention is not None}
        ui.plot(ui.built_once("attention", trained_key, (window,),
                              lambda: figures.attention_figure(weights, windows.history)))
        st.caption("Row k: how much output ŷ⟨k⟩ weighs each encoder state a⟨t⟩ (each row adds up to 1). "
                   "A bright last column means the output leans on the most recent values.")
else:
    (choose_tab,) = more

with choose_tab:
    autoregressive = results.get("autoregressive")
    compounds = autoregressive is not None and windows.horizon > 1 and exposure_cost(autoregressive) > 1.2
    left, right = st.columns(2)
    with left:
        st.subheader("Parallel")
        st.markdown(
            "- **Fast**: every step's input is known up front, so the steps run in one pass"
            " (see *Inference time*).\n"
            "- **No error feedback**: a wrong ŷ⟨k⟩ cannot spoil ŷ⟨k+1⟩, and training sees exactly what "
            "prediction sees (no exposure bias).\n"
            "- But an output does not know what was predicted just before it, and the output length is fixed.\n"
            "- Choose it for forecasting a fixed horizon of numbers, when speed matters."
        )
    with right:
        st.subheader("Autoregressive")
        here = ("" if autoregressive is None or windows.horizon < 2 else
                " Here they do: see *Error by horizon step*." if compounds else
                " Here they hardly do (see *Error by horizon step*).")
        st.markdown(
            "- **Each output builds on the previous one**: what generation of text, translation or music needs, "
            "and it can stop when it emits an end token (any length).\n"
            "- **Slow**: T_y sequential decoder calls.\n"
            "- **Errors can compound**: each mistake becomes the next step's input; trained with teacher forcing, "
            f"it meets its own mistakes only at test time (exposure bias).{here}\n"
            "- Choose it when outputs depend on each other; use scheduled sampling to soften exposure bias."
        )
    if len(results) == 2:
        st.success(comparison_reading(results["parallel"], results["autoregressive"]))
