"""Every file of the hostile corpus (tests/data/hostile) through every page that takes data.

Each must give a clear message or a working page: never a traceback, never numbers computed from
floating-point noise (nan, inf, 1e18), never user text rendered as markup. Some files also have an
outcome of their own (below).
"""

import json
import re

import pytest

from tests.conftest import DATA, assert_no_exception, page_text, plotly_figures, run_page

HOSTILE = DATA / "hostile"
PAGES = {
    "decomposition.py": {},
    "forecasting.py": {},
    "gates.py": {"_kept_gates_task": "series"},
    "seq2seq.py": {"_kept_s2s_data": "series"},
    "rnn_cell.py": {"_kept_rnn_example": "series"},
}
# file -> (text that must be on every page, whether the file is refused)
OUTCOMES = {
    "one_row.csv": ("at least 4 are needed", True),
    "three_rows.csv": ("at least 4 are needed", True),
    "huge_value.csv": ("too large to compute with", False),
    "two_huge_values.csv": ("too large to compute with", False),
    "years_before_1677.csv": ("1500\\-01\\-01 → 1559\\-01\\-01", False),
    "iso_dates_1600s.csv": ("1600\\-06\\-30 → 1659\\-06\\-30", False),
    "dates_after_2262.csv": ("2240\\-01\\-01 → 2299\\-01\\-01", False),
    "html_header.csv": ("\\<a href", False),
    "url_junk.csv": ("http\u2060", False),
}
# A constant series and one that only alternates: a model may refuse them (with a reason), never compute noise.
DEGENERATE = {"constant.csv", "two_values.csv"}
NOISE = re.compile(r"(?<![\w\\])(nan|inf|-inf)(?![\w])|\d(?:\.\d+)?e\+?(?:1[5-9]|[2-9]\d|\d{3})", re.IGNORECASE)
USER_MARKUP = re.compile(r"<a href=.http://evil|<span style=.font-size:60px", re.IGNORECASE)  # from the files


def _texts(figure: dict):
    """Every piece of text plotly would render as HTML: titles, names, annotations, tick labels."""
    layout = figure.get("layout", {})
    for key, value in layout.items():
        if key.startswith(("xaxis", "yaxis", "title")) and isinstance(value, dict):
            yield json.dumps(value.get("title", value), ensure_ascii=False)
    for annotation in layout.get("annotations", []):
        yield str(annotation.get("text", ""))
    for trace in figure.get("data", []):
        yield str(trace.get("name", ""))
        yield json.dumps(trace.get("text", ""), ensure_ascii=False)


def _run(page: str, path) -> object:
    at = run_page(page, timeout=120, _kept_dataset="upload", **PAGES[page])
    at.file_uploader[0].upload(path.name, path.read_bytes(), "text/csv")
    return at.run()


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.glob("*.csv")))
def test_every_hostile_file_gives_a_message_or_a_working_page(page, name):
    at = _run(page, HOSTILE / name)
    assert_no_exception(at)
    text = page_text(at)
    assert "Traceback" not in text
    noise = NOISE.findall(re.sub(r"'[^'\n]*'", "", text))  # quoted cells are the file's own text
    assert not noise, f"numbers from noise on the page: {noise}"
    for figure in plotly_figures(at):
        for piece in _texts(figure):
            assert not USER_MARKUP.search(piece), f"the file's markup reaches a chart: {piece[:120]}"
    expected, refused = OUTCOMES.get(name, (None, False))
    if expected:
        assert expected in text, f"{name} on {page}: {expected!r} not on the page"
    errors = [e.value for e in at.error]
    if refused:
        assert errors, f"{name} should be refused with a message on {page}"
    elif page in ("decomposition.py", "forecasting.py") and name not in DEGENERATE:
        assert not errors, f"{name} on {page}: {errors}"
