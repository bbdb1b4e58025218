"""The class benchmark's websocket client (benchmarks/streamlit_client.py) against the real server.

If Streamlit changes its protocol, this fails here rather than making benchmarks/bench_class.py report
nonsense: the client opens the app, follows the menu, changes a widget by its key and uploads a file.
"""

from __future__ import annotations

import asyncio
import sys

import pytest

from tests.browser.helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from streamlit_client import Session  # noqa: E402

pytestmark = pytest.mark.browser


def test_the_protocol_client_opens_pages_changes_a_widget_and_uploads(server):
    async def visit():
        session = Session(server, timeout=60)
        await session.open()
        try:
            home = await session.load()
            assert home.status == 0 and not home.exceptions
            assert "decomposition" in [page.url_pathname for page in session.pages]

            page = await session.goto("decomposition")
            assert page.status == 0 and not page.exceptions and page.bytes > 10_000  # the charts came
            model = session.find("dec_model")
            assert model is not None and model.kind == "radio"
            widget, run = await session.change("dec_model")
            assert run.status == 0 and not run.exceptions
            assert session.find("dec_model").value() == session.values[widget.id] != model.value()

            default_period = session.find("dec_period").value()  # AirPassengers: 12
            dataset = session.find("dataset")
            await session.set(dataset, next(o for o in dataset.options if "Upload" in o))
            csv = "quarter,value\n" + "".join(f"20{y:02d}-{3 * q + 1:02d},{100 + 3 * y + (0, 20, -10, 5)[q]}\n"
                                              for y in range(12) for q in range(4))  # a season of 4
            run = await session.upload(session.find("upload"), "mine.csv", csv.encode())
            assert run.status == 0 and not run.exceptions and not run.errors
            assert session.find("dec_period").value() != default_period  # the page decomposed the uploaded series
        finally:
            await session.close()

    asyncio.run(asyncio.wait_for(visit(), 120))
