"""Downloads cannot run formulas in a spreadsheet (OWASP CSV injection), and numbers stay numbers."""

import io

import pandas as pd

from playground.export import csv_bytes, neutralise

ATTACKS = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def test_formula_starts_get_an_apostrophe_and_numbers_do_not():
    for attack in ATTACKS:
        assert neutralise(attack) == "'" + attack
    for harmless in ["-12.5", "+3", "-1e-5", ".5", "value", "2021-03-01", "a=b", ""]:
        assert neutralise(harmless) == harmless


def test_headers_index_name_and_text_cells_are_neutralised_in_the_csv():
    frame = pd.DataFrame({ATTACKS[0]: [1.5, -2.0], "note": ["=1+1", "fine"]},
                         index=pd.Index(["@x", "y"], name="=cmd"))
    text = csv_bytes(frame).decode()
    rows = text.splitlines()
    header = rows[0]
    assert header.startswith("'=cmd,") and "'=HYPERLINK" in header
    assert rows[1].startswith("'@x,1.5,'=1+1") and rows[2] == "y,-2.0,fine"
    # what a spreadsheet would read back: the numbers are still numbers
    back = pd.read_csv(io.StringIO(text), index_col=0)
    assert back.iloc[:, 0].tolist() == [1.5, -2.0]
    assert frame.columns[0] == ATTACKS[0]  # the caller's frame is not changed


def test_a_dated_index_is_left_alone():
    frame = pd.DataFrame({"-value": [1.0]}, index=pd.DatetimeIndex(["2021-01-01"], name="date"))
    assert csv_bytes(frame).decode().splitlines() == ["date,'-value", "2021-01-01,1.0"]
