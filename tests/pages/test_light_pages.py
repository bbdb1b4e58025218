"""The time-series pages and the home page never import torch: they start fast and stay light."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

CHECK = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({page!r}, default_timeout=120)
{state}
at.run()
assert not at.exception, [e.value for e in at.exception]
print("torch" in sys.modules)
"""


@pytest.mark.parametrize("page, state", [
    ("home.py", ""),
    ("decomposition.py", ""),
    ("forecasting.py", ""),
    ("forecasting.py", "at.session_state['fc_tab'] = 'Model details'"),
    ("forecasting.py", "at.session_state['fc_tab'] = 'Stationarity'"),
])
def test_page_runs_without_torch(page, state):
    code = CHECK.format(page=str(ROOT / "pages" / page), state=state)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "False", f"{page} imported torch"
