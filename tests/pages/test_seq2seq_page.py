"""The Seq2Seq page in AppTest: default render, training both decoders, attention, the user's series."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
from tests.conftest import assert_no_exception, page_text, run_page

PAGE = "seq2seq.py"
TINY = {"_kept_s2s_epochs": 5, "_kept_s2s_hidden": 4, "_kept_s2s_horizon": 5}  # seconds, not minutes
PARALLEL, AUTOREGRESSIVE = "Train the parallel decoder", "Train the autoregressive decoder"


def press(at, label):
    buttons = [b for b in at.button if b.label == label]
    assert buttons, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    buttons[0].click()
    return at.run()


def figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def array(value) -> np.ndarray:
    """Plotly 7 sends numpy data as base64 typed arrays ({"dtype", "bdata", "shape"}); lists stay lists."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(value)


def x_title(figure: dict) -> str:
    return figure["layout"].get("xaxis", {}).get("title", {}).get("text", "")


def trace_names(at) -> list[set[str]]:
    return [{trace.get("name") for trace in figure["data"]} for figure in figures(at)]


def test_default_render_trains_nothing_and_opens_where_the_contrasts_show():
    at = run_page(PAGE)
    assert_no_exception(at)
    assert (at.slider(key="s2s_history").value, at.slider(key="s2s_horizon").value) == (10, 15)
    assert at.slider(key="s2s_teacher_forcing").value == 1.0 and at.selectbox(key="s2s_schedule").value == "constant"
    assert at.slider(key="s2s_epochs").value == 20
    text = page_text(at)
    assert "Seq2Seq" in text and "encoding vector" in text
    assert {PARALLEL, AUTOREGRESSIVE} <= {b.label for b in at.button}
    assert "Press a train button" in text
    assert len(at.get("plotly_chart")) == 1  # only the data: no training happened on the plain render
    at.slider(key="s2s_horizon").set_value(3).run()  # a widget change does not train either
    assert_no_exception(at)
    assert len(at.get("plotly_chart")) == 1


def test_training_both_shows_predictions_and_error_by_horizon():
    at = run_page(PAGE, **TINY)
    press(at, PARALLEL)
    assert_no_exception(at)
    assert "Only the parallel decoder is trained" in page_text(at)
    at = press(at.run(), AUTOREGRESSIVE).run()  # the rerun after the run that trained
    assert_no_exception(at)
    assert not [b for b in at.button if b.label in (PARALLEL, AUTOREGRESSIVE)]  # both cached now
    names = trace_names(at)
    predictions = next(n for n in names if "truth y⟨k⟩" in n)
    assert {"ŷ⟨k⟩ parallel", "ŷ⟨k⟩ autoregressive", "seen by the encoder"} <= predictions
    horizon = next(n for n in names if "autoregressive, fed the truth y⟨k-1⟩" in n)
    assert {"parallel", "autoregressive"} <= horizon
    error_figure = next(f for f in figures(at) if x_title(f) == "output step k")
    assert all(array(trace["y"]).shape == (5,) for trace in error_figure["data"])  # one error per horizon step
    text = page_text(at)
    assert [m.label for m in at.metric] == ["Test MSE", "Test MSE"]
    assert all(float(m.value) < 10 for m in at.metric)
    assert "compound" in text and "exposure bias" in text
    assert "On this data" in text and ("wins" in text or "about equally good" in text)
    assert any("milliseconds for one batch" in x_title(f) for f in figures(at))


def test_feedback_settings_retrain_only_the_autoregressive_decoder():
    at = run_page(PAGE, **TINY)
    at = press(press(at, PARALLEL).run(), AUTOREGRESSIVE).run()
    at.slider(key="s2s_teacher_forcing").set_value(0.5).run()
    assert_no_exception(at)
    labels = {b.label for b in at.button}
    assert AUTOREGRESSIVE in labels and PARALLEL not in labels


def test_attention_option_shows_the_attention_heatmap():
    at = run_page(PAGE, _kept_s2s_attention=True, **TINY)
    assert_no_exception(at)
    assert r"\alpha^{\langle k,t\rangle}" in page_text(at)
    at = press(at, PARALLEL).run()
    assert_no_exception(at)
    heatmaps = [f for f in figures(at)
                if f["data"][0]["type"] == "heatmap" and "α" in json.dumps(f, ensure_ascii=False)]
    assert heatmaps, "no attention heatmap"
    alpha = array(heatmaps[0]["data"][0]["z"])
    assert alpha.shape == (5, 10)  # T_y rows, T_x columns
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0, rtol=1e-5)


def test_users_series_from_the_sidebar():
    at = run_page(PAGE, _kept_s2s_data="series", **TINY)
    assert_no_exception(at)
    assert at.sidebar.selectbox(key="dataset").value == "air_passengers"
    text = page_text(at)
    assert "training part only" in text
    assert "outside the range of the training part" in text  # the air-passenger trend leaves the training range
    at = press(at, AUTOREGRESSIVE).run()
    assert_no_exception(at)
    predictions = next(n for n in trace_names(at) if "truth y⟨k⟩" in n)
    assert "ŷ⟨k⟩ autoregressive" in predictions
    titles = [a["text"] for f in figures(at) for a in f["layout"].get("annotations", [])]
    assert any(t.startswith("ending 19") for t in titles)  # real dates from the file
    # Another sample: other data, so the trained model does not apply; the page asks to train again.
    at.sidebar.selectbox(key="dataset").set_value("nile").run()
    assert_no_exception(at)
    assert AUTOREGRESSIVE in {b.label for b in at.button}


def test_uploaded_series_and_bad_uploads_give_messages_not_tracebacks():
    at = run_page(PAGE, _kept_s2s_data="series", _kept_dataset="upload", **TINY)
    assert_no_exception(at)
    rows = "\n".join(f"2020-01-{d:02d},{(d % 7) * 1.5 + d * 0.1:.2f}" for d in range(1, 32))
    rows += "\n" + "\n".join(f"2020-02-{d:02d},{(d % 7) * 1.5 + d * 0.1:.2f}" for d in range(1, 30))
    at.sidebar.file_uploader[0].upload("mine.csv", f"date,value\n{rows}\n".encode(), "text/csv").run()
    assert_no_exception(at)
    assert "training windows" in page_text(at)
    at = press(at, PARALLEL).run()
    assert_no_exception(at)
    assert any("truth y⟨k⟩" in n for n in trace_names(at))

    at = run_page(PAGE, _kept_s2s_data="series", _kept_dataset="upload", **TINY)
    short = "\n".join(f"2020-01-{d:02d},{d}" for d in range(1, 21))
    at.sidebar.file_uploader[0].upload("short.csv", f"date,value\n{short}\n".encode(), "text/csv").run()
    assert_no_exception(at)
    assert "needs at least 40" in page_text(at)

    at = run_page(PAGE, _kept_s2s_data="series", _kept_dataset="upload", **TINY)
    flat = "\n".join(f"2020-{m:02d}-{d:02d},5" for m in (1, 2) for d in range(1, 29))
    at.sidebar.file_uploader[0].upload("flat.csv", f"date,value\n{flat}\n".encode(), "text/csv").run()
    assert_no_exception(at)
    assert "constant" in page_text(at)


def test_settings_that_would_train_for_minutes_are_refused():
    at = run_page(PAGE, _kept_s2s_epochs=400, _kept_s2s_hidden=64, _kept_s2s_layers=3, _kept_s2s_history=30,
                  _kept_s2s_horizon=20)
    assert_no_exception(at)
    assert "minutes to train" in page_text(at)
    assert AUTOREGRESSIVE not in {b.label for b in at.button}
    at.slider(key="s2s_epochs").set_value(5).run()  # a small run is allowed again
    assert_no_exception(at)
    assert AUTOREGRESSIVE in {b.label for b in at.button}


def test_decoders_in_separate_panels_and_the_decoding_animation():
    at = run_page(PAGE, **TINY)
    at = press(press(at, PARALLEL).run(), AUTOREGRESSIVE).run()
    assert_no_exception(at)
    predictions = next(f for f in figures(at) if any(t.get("name") == "truth y⟨k⟩" for t in f["data"])
                       and not f.get("frames"))
    axes = {t.get("name"): set() for t in predictions["data"]}
    for trace in predictions["data"]:
        axes[trace.get("name")].add(trace.get("xaxis", "x"))
    assert axes["ŷ⟨k⟩ parallel"] == {"x", "x3", "x5"} and axes["ŷ⟨k⟩ autoregressive"] == {"x2", "x4", "x6"}
    assert predictions["layout"]["yaxis2"].get("matches") == "y"  # same axes side by side
    animation = next(f for f in figures(at) if f.get("frames"))
    frames = animation["frames"]
    assert [frame["name"] for frame in frames] == [str(k) for k in range(6)]  # T_y = 5: frames 0..5
    for k, frame in enumerate(frames):
        parallel, autoregressive = (array(d["y"]) for d in frame["data"])
        assert len(autoregressive) == 1 + k  # x⟨T_x⟩ and the k outputs produced so far
        assert len(parallel) == (1 + 5 if k else 1)  # all five from one pass


def test_a_value_that_overflows_the_scaling_gets_a_message_and_no_training():
    at = run_page(PAGE, _kept_s2s_data="series", _kept_dataset="upload", **TINY)
    values = [f"{v:.3f}" for v in np.sin(np.arange(80) / 3)]
    values[30] = "1e300"
    rows = "\n".join(f"{day.date()},{v}" for day, v in zip(pd.date_range("2020-01-01", periods=80), values))
    at.sidebar.file_uploader[0].upload("huge.csv", f"date,value\n{rows}\n".encode(), "text/csv").run()
    assert_no_exception(at)
    # the loader names the value and treats it as missing: the scaling sees finite numbers only
    assert "too large to compute with" in page_text(at)
    assert not any("std" in e.value or "inf" in e.value for e in at.error)
