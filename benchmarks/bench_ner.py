"""Benchmarks for the NER page. Run: python benchmarks/bench_ner.py [--quick]

Prints, for every model at the page's default settings (and a few variations of the default model):
training time on one thread, held-out entity F1 (dev and test, CoNLL: exact type and boundaries),
token accuracy, right-context accuracy on the page's sentence pairs, parameter count; then the
page's rerun times under AppTest. --quick trains for one epoch (a smoke test of the script).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cpu_timer import cpu_seconds  # noqa: E402
from playground import ner, ner_data  # noqa: E402

QUICK = "--quick" in sys.argv
DEFAULT = ner.Settings()
VARIATIONS = [
    ("bilstm", {"input": "embedding"}),
    ("bilstm", {"case": "as_written"}),
    ("bilstm", {"scheme": "binary"}),
    ("bilstm", {"hidden_size": 64}),
    ("bilstm", {"epochs": 12}),
]


def bench_models() -> None:
    train, dev, test = (ner_data.load_corpus(split) for split in ner_data.SPLITS)
    print(f"## Training on {len(train):,} sentences ({train.n_tokens():,} tokens), one thread")
    print(f"defaults: {DEFAULT}")
    print(f"{'model':<8} {'variation':<24} {'seconds':>7} {'F1 dev':>7} {'F1 test':>7} {'acc dev':>7} "
          f"{'pairs':>6} {'params':>10}")
    runs = [(model, {}) for model in ner.MODELS] + VARIATIONS
    for model, change in runs:
        settings = {**DEFAULT.__dict__, "model": model, **change}
        if QUICK:
            settings["epochs"] = 1
        start = time.perf_counter()
        tagger = ner.train_tagger(train.sentences, train.tags, **settings)
        seconds = time.perf_counter() - start
        on_dev, on_test = ner.evaluate(tagger, dev, "dev"), ner.evaluate(tagger, test, "test")
        params = ner.trainable_parameters(tagger.network)
        label = ", ".join(f"{k}={v}" for k, v in change.items()) or "(default)"
        print(f"{model:<8} {label:<24} {seconds:7.1f} {on_dev.scores['all'].f1:7.3f} {on_test.scores['all'].f1:7.3f} "
              f"{on_dev.accuracy:7.3f} {ner.right_context_accuracy(tagger):6.2f} {params:10,}", flush=True)


def bench_page() -> None:
    print("\n## Page reruns (AppTest, default settings)")
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "ner.py"), default_timeout=600)
    if QUICK:
        at.session_state["_kept_ner_epochs"] = 1
    start = time.perf_counter()
    at.run()
    print(f"first run (loads the corpus, builds the vocabulary): {time.perf_counter() - start:.2f} s")
    print(f"plain rerun, untrained: median {cpu_seconds(at.run, 5) * 1000:.0f} CPU ms")
    for label in ("Train the Bidirectional LSTM", "Train the LSTM too (same settings)"):
        [button] = [b for b in at.button if b.label == label]
        start = time.perf_counter()
        button.click()
        at.run()
        print(f"pressing “{label}” (includes training and the dev evaluation): {time.perf_counter() - start:.1f} s")
    print(f"plain rerun with both models trained: median {cpu_seconds(at.run, 5) * 1000:.0f} CPU ms")
    start = time.perf_counter()
    at.text_input(key="ner_text").set_value("Angela Merkel met Emmanuel Macron in Paris on Monday.").run()
    print(f"rerun after typing a new sentence: {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    bench_models()
    bench_page()
