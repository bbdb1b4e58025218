"""On its defaults every page draws figures that were converted to plotly JSON once (figures.style.Drawn, made
by ui.built_once or in the page's cached functions), not figures that st.plotly_chart deep-copies and encodes
again on every rerun of every session (6 % of the server's time with a class on BPTT and Gates)."""

import pytest

from tests.conftest import assert_no_exception, run_page

PAGES = ["decomposition.py", "forecasting.py", "rnn_cell.py", "bptt.py", "gates.py", "seq2seq.py", "ner.py"]


@pytest.mark.parametrize("present", [False, True])
@pytest.mark.parametrize("page", PAGES)
def test_every_figure_on_the_defaults_is_drawn_once(page, present, monkeypatch):
    import streamlit as st

    from playground.figures.style import Drawn

    runs = []
    original = st.plotly_chart

    def recording(figure, *args, **kwargs):
        runs[-1].append(figure)
        return original(figure, *args, **kwargs)

    monkeypatch.setattr(st, "plotly_chart", recording)
    runs.append([])
    at = run_page(page, present=True) if present else run_page(page)
    runs.append([])
    at.run()
    assert_no_exception(at)
    first, again = runs
    assert first and all(isinstance(figure, Drawn) for figure in first), [type(f).__name__ for f in first]
    assert [id(figure) for figure in again] == [id(figure) for figure in first]  # the same objects, not rebuilt
