"""CSV intake: turn whatever a student uploads into a clean, regular float series.

`load_series` sniffs the encoding and delimiter, finds the header, reads numbers written
the European or the English way, recognises the date formats people actually export,
and makes the series regular (sorted, one value per time step, gaps filled). Every repair
it makes is reported as a plain sentence in `LoadedSeries.notes`; anything it cannot
repair raises `DataError`, whose message says what is wrong and how to fix it.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

MAX_BYTES = 50 * 1024 * 1024
MAX_POINTS = 2_000_000
MIN_VALUES = 4
# Squares and sums of squares (variances, likelihoods, losses) of values beyond about 1e154 overflow
# float64; 1e100 leaves room for long series and products. No measured quantity comes near it.
MAX_MAGNITUDE = 1e100
SNIFF_LINES = 60
DETECT_ROWS = 500

DELIMITERS = ["\t", ";", ",", "|"]
DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma", "|": "vertical bar"}
MISSING_TOKENS = {
    "", "na", "n/a", "nan", "null", "none", "nil", "-", "--", "?", ".", "missing",
    "#n/a", "#na", "#value!", "#div/0!", "#ref!", "#num!", "#name?",
}
DATE_NAME_HINTS = re.compile(
    r"date|time|day|month|year|quarter|period|week|hour|stamp|datum|zeit|jahr|monat|"
    r"fecha|data|mois|annee|année|jour|^ds$|^t$",
    re.IGNORECASE,
)
COUNTER_NAME_HINTS = re.compile(r"^(t|n|no|nr|id|idx|index|obs|step|day|period|time|row)$", re.IGNORECASE)
NUMBER_PATTERN = re.compile(
    r"[+\-]?[\d\s.,'\u00a0\u202f]*\d[\d\s.,'\u00a0\u202f]*(?:[eE][+\-]?\d+)?\s*[%€$£]?"
)
BINARY_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip file",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
}
FREQUENCY_LABELS = {
    "YS": "yearly", "YE": "yearly", "QS": "quarterly", "QE": "quarterly", "MS": "monthly",
    "ME": "monthly", "W": "weekly", "D": "daily", "B": "business-daily", "h": "hourly",
    "min": "minute", "s": "second",
}


class DataError(ValueError):
    """The file cannot give a series. The message tells the user what to do."""


@dataclass
class LoadedSeries:
    series: pd.Series
    notes: list[str] = field(default_factory=list)
    value_column: str = "value"
    date_column: str | None = None
    numeric_columns: list[str] = field(default_factory=list)
    date_columns: list[str] = field(default_factory=list)

    @property
    def frequency(self) -> str | None:
        freq = getattr(self.series.index, "freq", None)
        return None if freq is None else freq.freqstr

    @property
    def frequency_label(self) -> str:
        return frequency_label(self.frequency)


def fingerprint(series: pd.Series) -> str:
    """Identifies a series in cache and widget keys: changes whenever its values, index or name change."""
    digest = hashlib.sha1(pd.util.hash_pandas_object(series, index=True).to_numpy().tobytes())
    digest.update(str(series.name).encode())
    return digest.hexdigest()[:16]


def frequency_label(freq: str | None) -> str:
    """'MS' -> 'monthly', '30min' -> 'every 30 minutes'; None -> 'no dates (by position)'."""
    if freq is None:
        return "no dates (by position)"
    match = re.fullmatch(r"(\d*)([A-Za-z]+)(?:-\w+)?", freq)
    if not match:
        return freq
    count, base = match.groups()
    label = FREQUENCY_LABELS.get(base, base)
    if count and count != "1":
        unit = {"hourly": "hours", "minute": "minutes", "second": "seconds", "daily": "days"}.get(label)
        return f"every {count} {unit}" if unit else f"{label} (×{count})"
    return f"every {label}" if label in ("minute", "second") else label


def load_series(source, date_column: str | None = None, value_column: str | None = None) -> LoadedSeries:
    """Read a CSV (path, bytes or binary file object) into a regular float series.

    Never raises anything but `DataError` for bad input.
    """
    try:
        return _load(source, date_column, value_column)
    except DataError:
        raise
    except Exception as exc:  # the last line of defence: never a traceback for a file
        raise DataError(
            f"This file could not be read as a table ({type(exc).__name__}: {exc}). "
            "Save it as a CSV with one column of dates and one of numbers, and try again."
        ) from exc


def _load(source, date_column, value_column) -> LoadedSeries:
    notes: list[str] = []
    text = _decode(_read_bytes(source), notes)
    table = _parse_table(text, notes)
    return _build_series(table, notes, date_column, value_column)


# --------------------------------------------------------------------------- bytes, text


def _read_bytes(source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise DataError(f"There is no file at '{path}'. Check the path and try again.")
        if path.stat().st_size > MAX_BYTES:
            raise DataError(_too_big_message(path.stat().st_size))
        data = path.read_bytes()
    elif hasattr(source, "getvalue"):
        data = source.getvalue()
    elif hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_BYTES + 1)
    else:
        raise DataError("Give a file path, the file's bytes, or an uploaded file.")
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise DataError(_too_big_message(len(data)))
    if not data.strip():
        raise DataError("The file is empty. Export the data again and check that it has rows.")
    return data


def _too_big_message(size: int) -> str:
    return (
        f"The file is {size / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB. "
        "Keep only the date column and the column you want to study, or aggregate to a coarser step."
    )


def _decode(data: bytes, notes: list[str]) -> str:
    if data.startswith(codecs.BOM_UTF8):
        notes.append("Removed the byte-order mark (BOM) that Excel puts at the start of UTF-8 files.")
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        notes.append("Read the file as UTF-16 (Excel's 'Unicode text' export).")
        text = data.decode("utf-16", errors="replace")
    else:
        for signature, kind in BINARY_SIGNATURES.items():
            if data.startswith(signature):
                raise DataError(
                    f"This looks like {kind}, not a CSV text file. "
                    "In Excel use File → Save As → 'CSV (comma delimited)' or 'CSV UTF-8', then upload that."
                )
        head = data[:8192]
        if b"\x00" in head:
            raise DataError(
                "This is a binary file, not a CSV text file. Export the data as CSV and upload that."
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
                notes.append("The file is not UTF-8; it was read as Windows-1252 (Western European).")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
                notes.append("The file is not UTF-8; it was read as Latin-1.")
    sample = text[:8192]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if control > 0.05 * max(len(sample), 1):
        raise DataError("This is a binary file, not a CSV text file. Export the data as CSV and upload that.")
    if "\r" in text:
        notes.append("Converted Windows (CR LF) line endings.")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# --------------------------------------------------------------------------- table


@dataclass
class _Table:
    frame: pd.DataFrame  # all cells as stripped strings, named columns
    delimiter: str | None


def _field_count(line: str, delimiter: str) -> int:
    fields = next(csv.reader([line], delimiter=delimiter), [])
    while fields and not fields[-1].strip():
        fields.pop()
    return len(fields)


def _sniff(lines: list[str]) -> tuple[str | None, int]:
    """Pick the delimiter whose field count is most consistent; return it and the table's first line."""
    best: tuple[float, int] | None = None
    chosen: tuple[str | None, int] = (None, 0)
    for rank, delimiter in enumerate(DELIMITERS):
        counts = [_field_count(line, delimiter) for line in lines]
        modal = max(Counter(counts).items(), key=lambda kv: (kv[1], kv[0]))[0]
        if modal < 2:
            continue
        start = counts.index(modal)
        if any(c > modal for c in counts[:start]):
            continue
        consistency = sum(c == modal for c in counts[start:]) / len(counts[start:])
        score = (consistency, -rank)
        if best is None or score > best:
            best, chosen = score, (delimiter, start)
    delimiter, start = chosen
    if delimiter == "," and start > 0 and _is_single_decimal_comma_column(lines, start):
        return None, 0
    return chosen


def _is_single_decimal_comma_column(lines: list[str], start: int) -> bool:
    """'value' then '1,5', '2,25', ...: one column of European decimals, not two columns."""
    head_fields = [_field_count(line, ",") for line in lines[:start]]
    data = lines[start:]
    return head_fields == [1] * start and all(re.fullmatch(r"\s*-?\d+,\d+\s*", line) for line in data)


def _parse_table(text: str, notes: list[str]) -> _Table:
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise DataError("The file is empty. Export the data again and check that it has rows.")
    excel_hint = re.fullmatch(r"\s*sep=(.)\s*", lines[first])
    forced = None
    if excel_hint:
        forced = excel_hint.group(1)
        first = next((i for i in range(first + 1, len(lines)) if lines[i].strip()), None)
        if first is None:
            raise DataError("The file has no rows after its 'sep=' line. Export the data again.")
    sample = [line for line in lines[first:first + 4 * SNIFF_LINES] if line.strip()][:SNIFF_LINES]
    if forced:
        delimiter, start = forced, 0
    else:
        delimiter, start = _sniff(sample)
    if start:
        notes.append(f"Skipped {start} line(s) at the top that were not part of the table.")
        skip_to = lines.index(sample[start], first)
    else:
        skip_to = first
    body = "\n".join(lines[skip_to:])

    if delimiter is None:
        cells = pd.DataFrame({0: pd.Series(lines[skip_to:], dtype=str)})
        cells = cells[cells[0].str.strip() != ""]
    else:
        if delimiter != ",":
            notes.append(f"The columns are separated by {DELIMITER_NAMES.get(delimiter, repr(delimiter))}s.")
        width = max(len(next(csv.reader([line], delimiter=delimiter), [])) for line in sample[start:])
        expected = _line_count(body)
        cells = pd.read_csv(
            io.StringIO(body), sep=delimiter, header=None, names=range(width), dtype=str,
            keep_default_na=False, na_filter=False, skip_blank_lines=True, engine="c",
            on_bad_lines="skip", quotechar='"', index_col=False,
        )
        skipped = expected - len(cells)
        if skipped > 0:
            notes.append(f"Skipped {skipped} row(s) with more cells than the header.")
    cells = _strip_cells(cells)
    empty = _empty_cells(cells)
    filled_rows = ~empty.all(axis=1)
    cells, empty = cells.loc[filled_rows], empty[filled_rows]
    if cells.empty:
        raise DataError("The file has no rows. Export the data again and check that it has rows.")

    header_row = cells.iloc[0].tolist()
    has_header = any(header_row) and not any(_looks_numeric(cell) for cell in header_row if cell)
    if has_header and len(cells) == 1:
        raise DataError(
            "The file has a header row but no data under it. Export the data again, with its rows."
        )
    if has_header:
        names = _unique_names(header_row)
        cells, empty = cells.iloc[1:], empty[1:]
    else:
        names = ["value"] if cells.shape[1] == 1 else [f"column {i + 1}" for i in range(cells.shape[1])]
        if cells.shape[1] > 1:
            notes.append("The first row holds data, not column names; the columns are called column 1, column 2, ….")
    cells.columns = names
    empty_columns = [name for name, blank in zip(names, empty.all(axis=0)) if blank]
    if empty_columns:
        cells = cells.drop(columns=empty_columns)
        notes.append(f"Dropped {len(empty_columns)} empty column(s) (Excel often leaves these at the end).")
    return _Table(cells.reset_index(drop=True), delimiter)


WIDE = 64  # columns: beyond this, pandas' per-column calls cost more than one numpy pass over the (short) table


def _strip_cells(cells: pd.DataFrame) -> pd.DataFrame:
    if cells.shape[1] <= WIDE:
        return cells.apply(lambda column: column.str.strip())
    raw = cells.to_numpy(dtype=str)
    stripped = np.char.strip(raw)
    if np.array_equal(raw, stripped):
        return cells
    return pd.DataFrame(stripped, index=cells.index, columns=cells.columns, dtype="str")


def _empty_cells(cells: pd.DataFrame) -> np.ndarray:
    """A (rows, columns) boolean matrix: which cells are empty."""
    if cells.shape[1] <= WIDE:
        return np.column_stack([(cells[column] == "").to_numpy(dtype=bool) for column in cells.columns])
    return cells.to_numpy(dtype=object) == ""


def _line_count(text: str) -> int:
    """Lines holding more than white space (what read_csv reads as rows), counted without a Python loop."""
    raw = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    if raw.size == 0:
        return 0
    blank = np.zeros(256, dtype=bool)
    blank[list(b" \t\r\n\x0b\x0c")] = True
    starts = np.r_[0, np.flatnonzero(raw == ord("\n")) + 1]
    starts = starts[starts < raw.size]
    return int(np.logical_or.reduceat(~blank[raw], starts).sum())


def _looks_numeric(cell: str) -> bool:
    return bool(NUMBER_PATTERN.fullmatch(cell.strip()))


def _unique_names(raw: list[str]) -> list[str]:
    names, seen = [], Counter()
    for i, name in enumerate(raw):
        name = name.strip().strip('"') or f"column {i + 1}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


# --------------------------------------------------------------------------- numbers


@dataclass
class _Numbers:
    array: np.ndarray  # float, NaN where missing or unreadable
    index: pd.Index
    junk: int
    junk_examples: list[str]
    decimal: str
    too_large: list[int]  # positions of values beyond ±MAX_MAGNITUDE, now NaN
    present: int  # cells that are not empty or a missing-value marker
    valid: int  # cells read as numbers (too large ones included)

    @property
    def values(self) -> pd.Series:
        return pd.Series(self.array, index=self.index)

    @property
    def is_numeric(self) -> bool:
        """Most of the cells that hold something are numbers."""
        return self.valid > 0 and self.valid >= 0.8 * self.present


NUMBER_DECORATION = ("\t", " ", "\u00a0", "\u202f", "'", "’", "€", "$", "£", "%")
GROUPED_BY_COMMAS = r"[+\-]?\d{1,3}(,\d{3})+"
GROUPED_BY_DOTS = r"[+\-]?\d{1,3}(\.\d{3})+"


def _parse_numbers(frame: pd.DataFrame, delimiter: str | None) -> dict[str, _Numbers]:
    """Every column of `frame` read as numbers, the decimal mark decided per column.

    All columns go through pandas' string operations together, as one long column, and the
    per-column decisions are counts over it: a file with 2,000 columns costs a handful of
    operations, not 2,000 times a handful.
    """
    names, rows = list(frame.columns), len(frame)
    if len(names) > WIDE:
        stacked = frame.to_numpy(dtype=object).ravel(order="F")
    else:
        stacked = np.concatenate([frame[name].to_numpy(dtype=object) for name in names]) if names else []
    cells = pd.Series(stacked, dtype="str")
    column = np.repeat(np.arange(len(names)), rows)
    missing = cells.str.lower().isin(MISSING_TOKENS).to_numpy()
    decorated = np.zeros(len(cells), dtype=bool)
    for mark in NUMBER_DECORATION:  # plain substring tests are fast; the regex runs only where needed
        decorated |= cells.str.contains(mark, regex=False).to_numpy()
    cleaned = cells.copy()
    if decorated.any():
        cleaned[decorated] = cells[decorated].str.replace(r"[\s\u00a0\u202f'’€$£%]", "", regex=True)
    decimals = _decimal_marks(cleaned, missing, column, len(names), delimiter)
    comma_decimal = decimals[column] == ","
    normalised = cleaned.str.replace(",", "", regex=False)
    if comma_decimal.any():
        european = cleaned[comma_decimal].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        normalised[comma_decimal] = european
    values = pd.to_numeric(normalised.where(~missing), errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    values[~np.isfinite(values)] = np.nan
    junk = ~missing & np.isnan(values)
    too_large = np.abs(np.nan_to_num(values)) > MAX_MAGNITUDE
    values[too_large] = np.nan
    def counts(mask):
        return np.bincount(column[mask], minlength=len(names))

    junk_counts, present, valid = counts(junk), counts(~missing), counts(~np.isnan(values) | too_large)
    result = {}
    for i, name in enumerate(names):
        part = slice(i * rows, (i + 1) * rows)
        examples = list(dict.fromkeys(cells[part][junk[part]].head(50)))[:3] if junk_counts[i] else []
        result[name] = _Numbers(values[part], frame.index, int(junk_counts[i]), examples, str(decimals[i]),
                                np.flatnonzero(too_large[part]).tolist(), int(present[i]), int(valid[i]))
    return result


def _decimal_marks(cleaned: pd.Series, missing: np.ndarray, column: np.ndarray, n_columns: int,
                   delimiter: str | None) -> np.ndarray:
    """',' or '.' for each column, from what its cells look like:
    - cells with both marks: whichever comes last is the decimal mark (1.234,5 / 1,234.5);
    - only commas: a decimal comma, unless every one groups thousands (1,234 or 1,234,567) and either
      some cell has two of them or the file is comma-separated (then a comma cannot be a decimal);
    - only dots: a decimal dot, unless every one groups thousands and some cell has two (1.234.567)."""
    def per_column(mask: np.ndarray) -> np.ndarray:
        return np.bincount(column[mask], minlength=n_columns)

    present = ~missing
    comma = cleaned.str.contains(",", regex=False).to_numpy() & present
    dot = cleaned.str.contains(".", regex=False).to_numpy() & present
    both = comma & dot
    decimals = np.full(n_columns, ".", dtype=object)
    with_both = per_column(both)
    if with_both.any():
        comma_last = np.zeros(len(cleaned), dtype=bool)
        comma_last[both] = (cleaned[both].str.rfind(",") > cleaned[both].str.rfind(".")).to_numpy()
        share = per_column(comma_last) / np.maximum(with_both, 1)
        decimals[(with_both > 0) & (share > 0.5)] = ","
    only_comma = (per_column(comma) > 0) & (with_both == 0)
    if only_comma.any():
        ungrouped, several = np.zeros(len(cleaned), dtype=bool), np.zeros(len(cleaned), dtype=bool)
        ungrouped[comma] = ~cleaned[comma].str.fullmatch(GROUPED_BY_COMMAS).to_numpy(dtype=bool)
        several[comma] = (cleaned[comma].str.count(",") > 1).to_numpy()
        thousands = (per_column(ungrouped) == 0) & ((per_column(several) > 0) | (delimiter == ","))
        decimals[only_comma & ~thousands] = ","
    only_dot = (per_column(dot) > 0) & (per_column(comma) == 0)
    if only_dot.any():
        ungrouped, several = np.zeros(len(cleaned), dtype=bool), np.zeros(len(cleaned), dtype=bool)
        ungrouped[dot] = ~cleaned[dot].str.fullmatch(GROUPED_BY_DOTS).to_numpy(dtype=bool)
        several[dot] = (cleaned[dot].str.count(r"\.") > 1).to_numpy()
        decimals[only_dot & (per_column(ungrouped) == 0) & (per_column(several) > 0)] = ","
    return decimals


# --------------------------------------------------------------------------- dates

QUARTER = re.compile(r"(?P<y>\d{4})\s*[-/ ]?\s*[Qq](?P<q>[1-4])|[Qq](?P<q2>[1-4])\s*[-/ ]?\s*(?P<y2>\d{4})")
YEAR = re.compile(r"\d{4}")
DAY_MONTH_YEAR = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
    r"(?:[ T]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?"
)
TZ_SUFFIX = re.compile(r"(Z|[+\-]\d{2}:?\d{2})$")
MONTH_FORMATS = ["%Y-%m", "%Y/%m", "%YM%m", "%b %Y", "%B %Y", "%b-%Y", "%b-%y", "%Y %b", "%Y-%b", "%m/%Y", "%m.%Y"]
TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")


@dataclass
class _Dates:
    values: pd.Series  # datetime64 (pandas' microsecond unit: years 1 to 9999), NaT where unreadable
    freq: str | None = None  # known from the format: quarters, years
    note: str | None = None


def _parse_dates(cells: pd.Series, delimiter: str | None) -> _Dates | None:
    """Try each supported date format; return the one that reads (nearly) every cell."""
    present = cells[cells != ""]
    if present.empty:
        return None
    for parser in (_quarters, _years, _month_formats, _day_month_year, _iso, _yyyymmdd, _free_text):
        result = parser(cells, present, delimiter)
        if result is not None and result.values[cells != ""].notna().mean() >= 0.9:
            return result
    return None


def _quarters(cells, present, delimiter):
    if not present.head(20).str.fullmatch(QUARTER).all():
        return None
    parts = cells.str.extract(QUARTER)
    year = pd.to_numeric(parts["y"].fillna(parts["y2"]), errors="coerce")
    quarter = pd.to_numeric(parts["q"].fillna(parts["q2"]), errors="coerce")
    values = pd.to_datetime(
        pd.DataFrame({"year": year, "month": (quarter - 1) * 3 + 1, "day": 1}), errors="coerce"
    )
    return _Dates(values, freq="QS")


def _years(cells, present, delimiter):
    if not present.head(50).str.fullmatch(YEAR).all():
        return None
    year = pd.to_numeric(cells, errors="coerce")
    year = year.where((year >= 1000) & (year <= 2999))
    values = pd.to_datetime(pd.DataFrame({"year": year, "month": 1, "day": 1}), errors="coerce")
    return _Dates(values, freq="YS")


def _month_formats(cells, present, delimiter):
    head = present.head(50)
    for fmt in MONTH_FORMATS:
        if pd.to_datetime(head, format=fmt, errors="coerce").notna().all():
            return _Dates(pd.to_datetime(cells, format=fmt, errors="coerce"))
    return None


ORDER_SAMPLE = 20_000  # rows that settle day-first vs month-first; the whole column is then read once


def _day_month_year(cells, present, delimiter):
    head = present.head(50)
    if not head.str.fullmatch(DAY_MONTH_YEAR).all():
        return None
    parts = head.str.extract(DAY_MONTH_YEAR)
    separator = parts["sep"].iloc[0]
    four_digit_year = len(parts["y"].iloc[0]) == 4
    clock = parts["time"].iloc[0]
    time = "" if pd.isna(clock) else (" %H:%M:%S" if clock.count(":") == 2 else " %H:%M")
    if "T" in head.iloc[0]:
        time = time.replace(" ", "T")

    def read(column: pd.Series, day_first: bool) -> pd.Series:
        if four_digit_year:  # rewritten as year-month-day, pandas' fast ISO parser reads it
            order = r"\3-\2-\1" if day_first else r"\3-\1-\2"
            iso = column.str.replace(rf"^(\d{{1,2}})\{separator}(\d{{1,2}})\{separator}(\d{{4}})", order, regex=True)
            return pd.to_datetime(iso, format=f"%Y-%m-%d{time}", errors="coerce")
        first, second = ("%d", "%m") if day_first else ("%m", "%d")
        return pd.to_datetime(column, format=f"{first}{separator}{second}{separator}%y{time}", errors="coerce")

    sample = cells.iloc[:ORDER_SAMPLE]
    day_first, month_first = read(sample, True), read(sample, False)
    example = present.iloc[0]
    read_day, read_month = day_first.notna().sum(), month_first.notna().sum()
    if read_day != read_month:  # a day above 12 settles it
        prefer_day = read_day > read_month
        note = f"Read dates such as '{example}' as {_order_name(prefer_day, separator)}."
    else:
        day_regular, month_regular = _regularity(day_first), _regularity(month_first)
        decided_by_data = day_regular[0] != month_regular[0] or not (day_regular[0] or day_regular == month_regular)
        if decided_by_data:
            prefer_day = day_regular > month_regular
        else:  # both readings are regular: the file's convention decides
            prefer_day = separator == "." or delimiter == ";"
        note = (
            f"Dates such as '{example}' could be day-first or month-first; read as {_order_name(prefer_day, separator)}"
            + (" because that gives the more regular series." if decided_by_data
               else ", the usual convention for this kind of file. If that is wrong, write the dates as year-month-day.")
        )
    chosen = day_first if prefer_day else month_first
    return _Dates(chosen if len(sample) == len(cells) else read(cells, prefer_day), note=note)


def _order_name(day_first: bool, separator: str) -> str:
    first, second = ("day", "month") if day_first else ("month", "day")
    return f"{first}{separator}{second}{separator}year"


def _as_hms(value: str) -> str:
    return value if value.count(":") == 2 else value + ":00"


def _regularity(dates: pd.Series) -> tuple[bool, float]:
    """Higher is more regular: a pandas-inferable frequency first, then steady steps."""
    unique = pd.DatetimeIndex(dates.dropna().unique()).sort_values()
    if len(unique) < 3:
        return (False, 0.0)
    inferable = _pandas_frequency(unique) is not None
    steps = np.diff(unique.asi8).astype(float)
    spread = steps.std() / steps.mean() if steps.mean() > 0 else np.inf
    return (inferable, -spread)


def _iso(cells, present, delimiter):
    head = present.head(50)
    if not head.str.match(r"\d{4}-\d{1,2}-\d{1,2}").all():
        return None
    with_offset = cells.str.contains(r"(?:Z|[+\-]\d{2}:?\d{2})$", regex=True).to_numpy(dtype=bool)
    distinct = cells[with_offset].str.extract(TZ_SUFFIX)[0].dropna().unique() if with_offset.any() else []
    note = None
    if len(distinct) > 1:
        values = pd.to_datetime(cells, format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None)
        note = "The timestamps carry several time-zone offsets (summer time?); they were converted to UTC."
    elif len(distinct) == 1:
        values = pd.to_datetime(cells.str.replace(TZ_SUFFIX, "", regex=True), format="ISO8601", errors="coerce")
        note = f"All timestamps are in the time zone {distinct[0]}; shown in that local time."
    else:
        values = pd.to_datetime(cells, format="ISO8601", errors="coerce")
    return _Dates(values, note=note)


def _yyyymmdd(cells, present, delimiter):
    if not present.head(50).str.fullmatch(r"(1|2)\d{3}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])").all():
        return None
    return _Dates(pd.to_datetime(cells, format="%Y%m%d", errors="coerce"))


def _free_text(cells, present, delimiter):
    """Month names and other spelled-out dates ('5 March 2020'); slow, so only on small columns."""
    unique = present.unique()
    if len(unique) > 20_000 or not pd.Series(unique[:50]).str.contains(r"[A-Za-z]", regex=True).all():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(pd.Series(unique), format="mixed", errors="coerce", dayfirst=delimiter == ";")
    lookup = dict(zip(unique, parsed))
    return _Dates(pd.to_datetime(cells.map(lookup), errors="coerce"))


# --------------------------------------------------------------------------- series


def _build_series(table: _Table, notes: list[str], date_column: str | None, value_column: str | None) -> LoadedSeries:
    frame, delimiter = table.frame, table.delimiter
    columns = list(frame.columns)
    for asked, role in ((date_column, "date"), (value_column, "value")):
        if asked is not None and asked not in columns:
            raise DataError(f"There is no {role} column called '{asked}'. The columns are: {_listing(columns)}.")

    head = frame.head(DETECT_ROWS)
    head_numbers = _parse_numbers(head, delimiter)
    numeric = [name for name in columns if head_numbers[name].is_numeric]
    date_candidates = _date_candidates(head, columns, numeric, delimiter, head_numbers)

    if date_column is None:
        date_column = date_candidates[0] if date_candidates else None
    dates = None
    if date_column is not None:
        dates = _parse_dates(frame[date_column], delimiter)
        if dates is None:
            example = next((cell for cell in frame[date_column] if cell), "")
            raise DataError(
                f"The column '{date_column}' does not hold dates this app can read (for example '{example}'). "
                "Use dates like 2021-03-31, 31.03.2021, 31/03/2021, 2021-03, 2021 Q1 or a year, "
                "or choose another date column."
            )
        if dates.note:
            notes.append(dates.note)

    counter = _counter_column(frame, numeric, head_numbers)
    values_choice = [name for name in numeric if name not in (date_column, counter)]
    if value_column is None:
        if not values_choice:
            raise DataError(_no_numbers_message(frame, date_column))
        value_column = values_choice[0]
    elif value_column == date_column:
        raise DataError(f"'{value_column}' is the date column; choose another column for the values.")

    numbers = _parse_numbers(frame[[value_column]], delimiter)[value_column]
    if numbers.too_large and not numbers.values.notna().any():
        raise DataError(f"Every value in '{value_column}' is too large to compute with (beyond ±{MAX_MAGNITUDE:g}). "
                        "Express the column in larger units and upload it again.")
    if not numbers.values.notna().any():
        raise DataError(_no_numbers_message(frame, date_column, asked=value_column))
    if numbers.decimal == "," and delimiter != ",":
        notes.append(f"Read '{value_column}' with decimal commas (12,5 means 12.5).")
    if numbers.junk:
        notes.append(
            f"{numbers.junk} cell(s) in '{value_column}' are not numbers (e.g. {_listing(numbers.junk_examples)}); "
            "treated as missing."
        )
    if numbers.too_large:
        notes.append(_too_large_note(frame, numbers.too_large, value_column, date_column))
    values = numbers.values

    if dates is not None:
        series = _dated_series(frame, values, dates, date_column, value_column, delimiter, notes)
    else:
        series = _positional_series(frame, values, counter if counter != value_column else None, value_column, notes)
    series = _fill_missing(series, notes)
    if series.notna().sum() < MIN_VALUES:
        raise DataError(
            f"Only {int(series.notna().sum())} usable value(s) in '{value_column}'; at least {MIN_VALUES} are needed."
        )
    series.name = value_column
    return LoadedSeries(
        series=series,
        notes=notes,
        value_column=value_column,
        date_column=date_column,
        numeric_columns=[name for name in numeric if name not in (date_column, counter)],
        date_columns=date_candidates,
    )


def _too_large_note(frame, positions: list[int], value_column: str, date_column: str | None) -> str:
    """Which rows held values too large to compute with, by data row (1 = first row under the header) and date."""
    shown = []
    for position in positions[:5]:
        where = f"row {position + 1}"
        if date_column is not None and frame[date_column].iloc[position]:
            where += f" ({frame[date_column].iloc[position]})"
        shown.append(f"{where}: {frame[value_column].iloc[position]}")
    more = f" and {len(positions) - 5} more" if len(positions) > 5 else ""
    return (f"{len(positions)} value(s) in '{value_column}' are too large to compute with (beyond ±{MAX_MAGNITUDE:g}), "
            f"so they were treated as missing: {'; '.join(shown)}{more}. If they are real, rescale the column "
            "(e.g. divide by 1e6) and upload it again.")


def _listing(items) -> str:
    return ", ".join(f"'{item}'" for item in items) or "(none)"


def _no_numbers_message(frame: pd.DataFrame, date_column, asked=None) -> str:
    columns = list(frame.columns)
    others = [asked] if asked else [c for c in columns if c != date_column]
    empty = [c for c in others if frame[c].str.lower().isin(MISSING_TOKENS).all()]
    if empty and len(empty) == len(others):
        return (f"Every value in {_listing(empty)} is missing (empty, NA or -). "
                "Fill in the values, or check that the right file was uploaded.")
    if asked:
        return (f"The column '{asked}' holds no numbers. Choose a column with numbers such as 12.5 or 12,5 "
                f"(the columns are {_listing(columns)}).")
    if not others:
        return ("The file has dates but no column of numbers. Add a column with the values to study, "
                "e.g. 'date,value'.")
    return (f"No column holds numbers (the columns are {_listing(columns)}). "
            "Values must be numbers such as 12.5 or 12,5; check that the right file was uploaded.")


def _date_candidates(head, columns, numeric, delimiter, head_numbers) -> list[str]:
    hinted = [c for c in columns if DATE_NAME_HINTS.search(c)]
    ordered = hinted + [c for c in columns if c not in hinted]
    found = []
    for name in ordered:
        if name in numeric and not _numeric_dates(name, columns, numeric, head_numbers):
            continue
        if _parse_dates(head[name], delimiter) is not None:
            found.append(name)
    return found


def _numeric_dates(name, columns, numeric, head_numbers) -> bool:
    """A numeric column may still be dates: years (1871) or yyyymmdd (20210105)."""
    hinted = bool(DATE_NAME_HINTS.search(name))
    first_of_several = name == columns[0] and len(numeric) >= 2
    if not (hinted or first_of_several):
        return False
    values = head_numbers[name].values.dropna()
    if values.empty or not (values == values.round()).all():
        return False
    years = ((values >= 1000) & (values <= 2999)).all()
    compact = ((values >= 1000_01_01) & (values <= 2999_12_31)).all()
    if not (years or compact):
        return False
    return hinted or values.is_monotonic_increasing


def _counter_column(frame, numeric, head_numbers) -> str | None:
    """A first numeric column that only counts rows (1, 2, 3, ...) is the position, not the values."""
    if len(numeric) < 2:
        return None
    name = numeric[0]
    head = head_numbers[name].values.dropna()
    if head.empty or not (head == head.round()).all() or not head.is_monotonic_increasing or not head.is_unique:
        return None
    steps = head.diff().dropna()
    return name if (steps == 1).all() or COUNTER_NAME_HINTS.match(name) else None


def _dated_series(frame, values, dates: _Dates, date_column, value_column, delimiter, notes) -> pd.Series:
    stamps = dates.values
    time_column = _time_of_day_column(frame, date_column)
    if time_column is not None:
        stamps = stamps + pd.to_timedelta(frame[time_column].map(_as_hms), errors="coerce")
        notes.append(f"Combined the date column '{date_column}' with the time column '{time_column}'.")
    unreadable = int(stamps.isna().sum())
    if unreadable:
        blank = int((frame[date_column] == "").sum())
        notes.append(f"Dropped {unreadable} row(s) whose date could not be read"
                     + (f" ({blank} with no date)." if blank else "."))
    series = pd.Series(values.to_numpy(), index=pd.DatetimeIndex(stamps), name=value_column)
    series = series[series.index.notna()]
    if series.empty:
        raise DataError(f"No row has a readable date in '{date_column}'.")
    if not series.index.is_monotonic_increasing:
        series = series.sort_index(kind="stable")
        notes.append("The rows were not in time order; they were sorted by date.")
    if not series.index.is_unique:
        repeated = int(series.index.duplicated().sum())
        series = series.groupby(level=0).mean()
        notes.append(f"Merged {repeated} row(s) with a repeated timestamp by averaging their values.")
    return _regularise(series, dates.freq, notes)


def _time_of_day_column(frame, date_column) -> str | None:
    columns = list(frame.columns)
    position = columns.index(date_column)
    if position + 1 >= len(columns):
        return None
    candidate = columns[position + 1]
    cells = frame[candidate].head(DETECT_ROWS)
    cells = cells[cells != ""]
    if cells.empty or not cells.str.fullmatch(TIME_OF_DAY).mean() >= 0.9:
        return None
    has_times = frame[date_column].head(DETECT_ROWS).str.contains(":", regex=False).any()
    return None if has_times else candidate


def _pandas_frequency(index: pd.DatetimeIndex) -> str | None:
    """pandas' own inference (strict: no gaps allowed)."""
    try:
        with pd.option_context("future.infer_freq_returns_offset", True):
            offset = pd.infer_freq(index)
    except (TypeError, ValueError):
        return None
    return None if offset is None else offset.freqstr


def infer_frequency(index: pd.DatetimeIndex) -> str | None:
    """The regular step of a sorted, unique DatetimeIndex, tolerant of gaps. None if it has no step."""
    if len(index) < 3:
        return None
    freq = _pandas_frequency(index)
    if freq is not None:
        return freq
    steps = pd.Series(index[1:] - index[:-1])
    modal = steps.mode().iloc[0]
    days = modal / pd.Timedelta(days=1)
    if 28 <= days <= 31:
        if (index.day == 1).all():
            return "MS"
        return "ME" if index.is_month_end.all() else "MS"
    if 89 <= days <= 92:
        return "QS"
    if 365 <= days <= 366:
        return "YS"
    if days == 7:
        return f"W-{index[0].day_name()[:3].upper()}"
    if days == 1 and len(index) > 10 and not (index.day_of_week >= 5).any():
        return "B"
    if days >= 1 and days == int(days):
        return "D" if days == 1 else f"{int(days)}D"
    return pd.tseries.frequencies.to_offset(modal).freqstr


def _regularise(series: pd.Series, freq: str | None, notes: list[str]) -> pd.Series:
    freq = freq or infer_frequency(series.index)
    if freq is None:
        return series
    label = frequency_label(freq)
    grid = pd.date_range(series.index[0], series.index[-1], freq=freq)
    if len(grid) == 0 or len(grid) > MAX_POINTS or len(grid) > 20 * len(series) + 100:
        raise DataError(
            f"The dates are too irregular to form a {label} series ({len(series)} rows spread over "
            f"{len(grid)} {label} steps). Aggregate the data to a regular step first."
        )
    off_grid = ~series.index.isin(grid)
    if off_grid.any():
        position = grid.searchsorted(series.index, side="right") - 1
        series = pd.Series(series.to_numpy(), index=grid[np.clip(position, 0, len(grid) - 1)], name=series.name)
        series = series.groupby(level=0).mean()
        notes.append(f"Moved {int(off_grid.sum())} timestamp(s) that were off the {label} grid to the step they fall in.")
    absent = len(grid) - len(series)
    series = series.reindex(grid)
    series.index.freq = grid.freq
    if absent:
        notes.append(f"{absent} {label} step(s) were missing from the file; added as gaps.")
    return series


def _positional_series(frame, values, counter, value_column, notes) -> pd.Series:
    if counter is None:
        notes.append("No date column found; the rows are numbered by position 0, 1, 2, ….")
        return pd.Series(values.to_numpy(), index=pd.RangeIndex(len(values)), name=value_column)
    positions = _parse_numbers(frame[[counter]], None)[counter].values
    series = pd.Series(values.to_numpy(), index=positions, name=value_column)
    series = series[series.index.notna()]
    series.index = series.index.astype(int)
    series = series.groupby(level=0).mean().sort_index()
    full = pd.RangeIndex(int(series.index[0]), int(series.index[-1]) + 1, name=counter)
    absent = len(full) - len(series)
    notes.append(f"No date column found; '{counter}' counts the rows and is used as the position.")
    if absent:
        notes.append(f"{absent} position(s) were missing from '{counter}'; added as gaps.")
    return series.reindex(full)


def _fill_missing(series: pd.Series, notes: list[str]) -> pd.Series:
    if not series.notna().any():
        raise DataError(
            f"Every value in '{series.name}' is missing. Check that the right column and file were chosen."
        )
    first, last = series.first_valid_index(), series.last_valid_index()
    trimmed = series.loc[first:last]
    dropped = len(series) - len(trimmed)
    if dropped:
        notes.append(f"Removed {dropped} empty step(s) at the start or end of the series.")
    if isinstance(series.index, pd.DatetimeIndex):
        trimmed.index.freq = series.index.freq
    missing = int(trimmed.isna().sum())
    if missing:
        share = missing / len(trimmed)
        notes.append(
            f"Filled {missing} missing value(s) ({share:.0%} of the series) by linear interpolation."
            + (" That is a lot: treat the results with care." if share > 0.2 else "")
        )
        trimmed = trimmed.interpolate(method="linear")
    return trimmed.astype(float)


# --------------------------------------------------------------------------- aggregation
# A long high-frequency series (years of half-hours) is too long to fit most models on, and its
# long-run pattern is easier to see one step coarser: the mean per hour, day, week, month, ….

AGGREGATION_STEPS = {"hourly": "h", "daily": "D", "weekly": "W-SUN", "monthly": "MS", "quarterly": "QS",
                     "yearly": "YS"}
NOMINAL_DAYS = {"h": 1 / 24, "D": 1.0, "W-SUN": 7.0, "MS": 30.44, "QS": 91.31, "YS": 365.25}


def step_days(freq: str | None) -> float | None:
    """The length of one step of `freq` in days (nominal for months, quarters, years)."""
    if freq is None:
        return None
    offset = pd.tseries.frequencies.to_offset(freq)
    try:
        return pd.Timedelta(offset) / pd.Timedelta(days=1)
    except ValueError:
        base = offset.name.split("-")[0]
        nominal = {"B": 7 / 5, "W": 7.0, "MS": 30.44, "ME": 30.44, "QS": 91.31, "QE": 91.31, "YS": 365.25,
                   "YE": 365.25}.get(base)
        return None if nominal is None else nominal * offset.n


def coarser_steps(series: pd.Series) -> list[str]:
    """Names of the aggregation steps at least twice as long as the series' own step."""
    days = step_days(getattr(series.index, "freqstr", None)) if isinstance(series.index, pd.DatetimeIndex) else None
    if days is None:
        return []
    return [name for name, freq in AGGREGATION_STEPS.items() if NOMINAL_DAYS[freq] >= 2 * days * 0.99]


def default_aggregation(series: pd.Series, max_points: int) -> str | None:
    """The finest coarser step that brings a series longer than `max_points` under it; None if it is short."""
    if len(series) <= max_points:
        return None
    days = step_days(series.index.freqstr) or 1.0
    for name in coarser_steps(series):
        if len(series) * days / NOMINAL_DAYS[AGGREGATION_STEPS[name]] <= max_points:
            return name
    steps = coarser_steps(series)
    return steps[-1] if steps else None


def aggregate(series: pd.Series, name: str) -> tuple[pd.Series, str]:
    """The mean of each `name` step (hourly, daily, …), and a sentence saying what was done.

    A first or last step that the data covers only in part is dropped: its mean would be of another kind.
    """
    if name not in AGGREGATION_STEPS:
        raise DataError(f"Unknown step '{name}'; choose one of {', '.join(AGGREGATION_STEPS)}.")
    if name not in coarser_steps(series):
        raise DataError(f"The series cannot be aggregated to {name} steps: its own step is not shorter.")
    freq = AGGREGATION_STEPS[name]
    grouped = series.resample(freq)
    means, counts = grouped.mean(), grouped.count()
    full = counts.median()
    keep = pd.Series(True, index=counts.index)
    for edge in (0, -1):
        if len(counts) > 2 and counts.iloc[edge] < full:
            keep.iloc[edge] = False
    means = means[keep.to_numpy()]
    if len(means) < MIN_VALUES:
        raise DataError(f"Aggregated to {name} steps the series has only {len(means)} values; choose a finer step.")
    means.index.freq = freq
    means.name = series.name
    dropped = int((~keep).sum())
    note = (f"Aggregated {len(series):,} values ({frequency_label(series.index.freqstr)}) to {len(means):,} {name} means"
            + (f" (dropped {dropped} incomplete step(s) at the ends)." if dropped else "."))
    return means, note
