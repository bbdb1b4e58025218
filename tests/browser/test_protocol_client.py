"""The class benchmark's websocket client (benchmarks/streamlit_client.py) against the real server.

If Streamlit changes its protocol, this fails here rather than making benchmarks/bench_class.py report
nonsense: the client opens the app, follows the menu, changes a widget by its key and uploads a file.
"""

from __future__ import annotations

import asyncio
import sys

import pytest

from conftest import ROOT
from test_app_in_browser import server  # noqa: F401 (fixture)

sys.path.insert(0, str(ROOT / "benchmarks"))
from streamlit_client import Session  # noqa: E402

pytestmark = pytest.mark.browser


def test_the_protocol_client_opens_pages_changes_a_widget_and_uploads(server):  # noqa: F811
    async def visit():
        session = Session(server, timeout=60)
        await session.open()
        try:
            home = await session.load()
            assert home.status == 0 and not home.exceptions
            assert "decomposition" in [page.url_pathname for page in session.pages]

            page = await session.goto("decomposition")
            assert page.status == 0 and not page.exceptions and page.bytes > 10_000  # the charts came
            model = session.find("model")
            assert model is not None and model.kind == "radio"
            widget, run = await session.change("model")
            assert run.status == 0 and not run.exceptions
            assert session.find("model").value() == session.values[widget.id] != model.value()

            default_period = session.find("period_*").key  # the key holds the data's fingerprint
            dataset = session.find("dataset")
            await session.set(dataset, next(o for o in dataset.options if "Upload" in o))
            csv = "month,value\n" + "".join(f"20{y:02d}-{m:02d},{100 + 3 * y + (m % 12) ** 1.5:.1f}\n"
                                            for y in range(10) for m in range(1, 13))
            run = await session.upload(session.find("upload"), "mine.csv", csv.encode())
            assert run.status == 0 and not run.exceptions and not run.errors
            assert session.find("period_*").key != default_period  # the page decomposed the uploaded series
        finally:
            await session.close()

    asyncio.run(asyncio.wait_for(visit(), 120))
