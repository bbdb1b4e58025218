"""Shared test set-up: the project root on sys.path, fresh Streamlit caches, AppTest helpers."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = Path(__file__).resolve().parent / "data"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: starts the real server and drives headless Chromium")


@pytest.fixture(autouse=True)
def fresh_streamlit_caches():
    """Caches outlive AppTest instances within one pytest process; each test starts clean."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def run_page(page: str, timeout: float = 60, **session_state):
    """Run pages/<page> alone with AppTest, with optional session state set first."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=timeout)
    for key, value in session_state.items():
        at.session_state[key] = value
    return at.run()


def page_text(at) -> str:
    """Everything a user can read on the page (markdown, captions, alerts, metrics), as one string."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                 "latex", "metric", "expander"):
        for element in at.get(kind):
            for attribute in ("value", "label", "body"):
                value = getattr(element, attribute, None)
                if isinstance(value, str):
                    parts.append(value)
                    break
    return "\n".join(parts)


def assert_no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def plotly_figures(at) -> list[dict]:
    """The figures drawn by st.plotly_chart, as plain JSON dicts."""
    import json

    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def plotly_values(values):
    """Plotly 6+ sends numeric arrays as base64 typed arrays: decode them to numpy."""
    import base64

    import numpy as np

    if isinstance(values, dict) and "bdata" in values:
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        return array.reshape(values["shape"]) if "shape" in values and isinstance(values["shape"], list) else array
    return np.asarray(values)


def wavy_monthly_csv(n: int) -> bytes:
    """n months of a wavy series, as a student would upload it."""
    rows = [f"{2000 + i // 12}-{1 + i % 12:02d}-01,{100 + 10 * math.sin(i / 2):.3f}" for i in range(n)]
    return ("month,value\n" + "\n".join(rows)).encode()
