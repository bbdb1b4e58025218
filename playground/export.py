"""Tables the app offers as downloads, made safe to open in a spreadsheet.

A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by Excel and
LibreOffice (CSV injection, OWASP). Column names and text cells come from uploaded files, so any
such text gets a leading apostrophe, which spreadsheets show as text. Numbers stay numbers.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(text) -> str:
    """'=HYPERLINK(…)' -> "'=HYPERLINK(…)"; '-12.5' and ordinary text stay as they are."""
    text = str(text)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose headers, index name and text cells cannot start a formula."""
    safe = frame.copy()
    safe.columns = [neutralise(column) for column in safe.columns]
    safe.index.name = None if frame.index.name is None else neutralise(frame.index.name)
    if _holds_text(safe.index):
        safe.index = safe.index.map(_neutralise_cell)
    for column in safe.columns:
        if _holds_text(safe[column]):
            safe[column] = safe[column].map(_neutralise_cell)
    return safe


def _holds_text(values) -> bool:
    return pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)


def _neutralise_cell(cell):
    return neutralise(cell) if isinstance(cell, str) else cell


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return spreadsheet_safe(frame).to_csv().encode("utf-8")
