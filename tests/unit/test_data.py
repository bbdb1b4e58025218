"""The CSV loader on a corpus of messy files (tests/data/messy) and on edge cases built inline."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from playground.data import DataError, LoadedSeries, fingerprint, frequency_label, infer_frequency, load_series
from playground.samples import SAMPLES

MESSY = Path(__file__).resolve().parent.parent / "data" / "messy"


def load(name, **kwargs) -> LoadedSeries:
    return load_series(MESSY / name, **kwargs)


def has_note(loaded: LoadedSeries, *words: str) -> bool:
    return any(all(word.lower() in note.lower() for word in words) for note in loaded.notes)


# --------------------------------------------------------------------------- sources


def test_path_bytes_and_file_object_give_the_same_series():
    path = SAMPLES["air_passengers"].path
    from_path = load_series(path).series
    from_str = load_series(str(path)).series
    from_bytes = load_series(path.read_bytes()).series
    from_file = load_series(io.BytesIO(path.read_bytes())).series
    for other in (from_str, from_bytes, from_file):
        pd.testing.assert_series_equal(from_path, other)


@pytest.mark.parametrize("key", list(SAMPLES))
def test_every_sample_loads_regular_and_complete(key):
    loaded = load_series(SAMPLES[key].path)
    series = loaded.series
    assert series.dtype == float and series.notna().all() and len(series) >= 48
    if isinstance(series.index, pd.DatetimeIndex):
        assert series.index.is_monotonic_increasing and series.index.freq is not None


def test_air_passengers_is_read_exactly():
    series = load_series(SAMPLES["air_passengers"].path).series
    assert len(series) == 144 and series.index.freqstr == "MS"
    assert series.index[0] == pd.Timestamp("1949-01-01") and series.index[-1] == pd.Timestamp("1960-12-01")
    assert series.iloc[:6].tolist() == [112, 118, 132, 129, 121, 135]  # Box & Jenkins (1976), series G
    assert series.sum() == 40363


# --------------------------------------------------------------------------- delimiters, encodings, numbers


def test_european_excel_export():
    loaded = load("excel_european.csv")
    s = loaded.series
    assert s.index.freqstr == "MS" and len(s) == 48
    assert s.iloc[0] == pytest.approx(100.0) and s.iloc[1] == pytest.approx(105.5)
    assert has_note(loaded, "byte-order mark") and has_note(loaded, "line endings")
    assert has_note(loaded, "semicolon") and has_note(loaded, "decimal comma") and has_note(loaded, "empty column")
    assert has_note(loaded, "day.month.year")


def test_cp1252_file_with_dot_thousands_and_decimal_comma():
    loaded = load("cp1252_thousands.csv")
    assert loaded.value_column == "Chiffre d'affaires (€)" and loaded.date_column == "Période"
    assert loaded.series.iloc[0] == pytest.approx(100000.5)
    assert has_note(loaded, "Windows-1252")


def test_quoted_english_thousands():
    loaded = load("quoted_thousands.csv")
    assert loaded.series.iloc[:2].tolist() == [100000.0, 105500.0]


def test_tab_separated_with_us_dates():
    loaded = load("tab_us_dates.tsv")
    assert has_note(loaded, "tab") and has_note(loaded, "month/day/year")
    assert loaded.series.index[0] == pd.Timestamp("2021-01-01") and loaded.series.index.freqstr == "D"
    assert len(loaded.series) == 60


def test_uk_dates_are_day_first():
    loaded = load("uk_dates.csv")
    assert has_note(loaded, "day/month/year")
    assert loaded.series.index[12] == pd.Timestamp("2021-01-13")


def test_ambiguous_slash_dates_are_settled_by_regularity():
    # 01/02/2020 ... 01/12/2020, 01/01/2021: monthly if day-first, a broken run of days if month-first.
    dates = [f"01/{m:02d}/2020" for m in range(2, 13)] + ["01/01/2021"]
    text = "date,value\n" + "\n".join(f"{d},{i}" for i, d in enumerate(dates)) + "\n"
    loaded = load_series(text.encode())
    assert loaded.series.index.freqstr == "MS" and loaded.series.index[0] == pd.Timestamp("2020-02-01")
    assert has_note(loaded, "more regular")


def test_ambiguous_dates_follow_the_file_convention():
    rows = "\n".join(f"0{d}.02.2021;{d}" for d in range(1, 8))
    loaded = load_series(f"Datum;Wert\n{rows}\n".encode())
    assert loaded.series.index[0] == pd.Timestamp("2021-02-01")  # dd.mm.yyyy, as written in Europe


def test_single_column_of_decimal_commas():
    loaded = load_series(b"value\n1,5\n2,5\n3,25\n4,0\n")
    assert loaded.series.tolist() == [1.5, 2.5, 3.25, 4.0]


def test_utf16_excel_unicode_text():
    text = "date\tvalue\n2020-01-01\t1\n2020-01-02\t2\n2020-01-03\t3\n2020-01-04\t4\n"
    loaded = load_series(text.encode("utf-16"))
    assert loaded.series.tolist() == [1, 2, 3, 4] and has_note(loaded, "UTF-16")


def test_excel_sep_hint_and_preamble_lines():
    assert load("excel_sep_hint.csv").series.index.freqstr == "MS"
    loaded = load("preamble.csv")
    assert len(loaded.series) == 48 and has_note(loaded, "Skipped 2 line")


# --------------------------------------------------------------------------- dates


def test_quarters_and_years():
    quarters = load("quarters.csv").series
    assert quarters.index.freqstr.startswith("QS") and quarters.index[1] == pd.Timestamp("1992-04-01")
    years = load("years.csv").series
    assert years.index.freqstr.startswith("YS") and years.index[0] == pd.Timestamp("1900-01-01")


def test_time_zone_offsets_with_summer_time_become_regular_utc_hours():
    loaded = load("timezones.csv")
    assert loaded.series.index.freqstr == "h" and len(loaded.series) == 8  # no gap at the clock change
    assert loaded.series.index[0] == pd.Timestamp("2021-03-27 21:00")
    assert has_note(loaded, "UTC")


def test_single_offset_keeps_local_time():
    rows = "\n".join(f"2021-06-01T{h:02d}:00:00+02:00,{h}" for h in range(6))
    loaded = load_series(f"time,v\n{rows}\n".encode())
    assert loaded.series.index[0] == pd.Timestamp("2021-06-01 00:00")


def test_separate_date_and_time_columns_are_combined():
    loaded = load("date_and_time_columns.csv")
    assert loaded.series.index.freqstr == "h" and len(loaded.series) == 72
    assert has_note(loaded, "Combined", "Uhrzeit")


@pytest.mark.parametrize("dates, first", [
    (["2021-01", "2021-02", "2021-03", "2021-04"], "2021-01-01"),
    (["Jan 2021", "Feb 2021", "Mar 2021", "Apr 2021"], "2021-01-01"),
    (["2021M01", "2021M02", "2021M03", "2021M04"], "2021-01-01"),
    (["20210105", "20210106", "20210107", "20210108"], "2021-01-05"),
    (["5 March 2021", "6 March 2021", "7 March 2021", "8 March 2021"], "2021-03-05"),
    (["2021-01-05 10:00", "2021-01-05 11:00", "2021-01-05 12:00", "2021-01-05 13:00"], "2021-01-05 10:00"),
    (["05.01.21", "06.01.21", "07.01.21", "13.01.21"], "2021-01-05"),
])
def test_date_formats(dates, first):
    text = "date,value\n" + "\n".join(f"{d},{i}" for i, d in enumerate(dates)) + "\n"
    assert load_series(text.encode()).series.index[0] == pd.Timestamp(first)


def test_no_dates_indexes_by_position():
    loaded = load("no_dates.csv")
    assert isinstance(loaded.series.index, pd.RangeIndex) and len(loaded.series) == 20
    assert loaded.date_column is None and has_note(loaded, "position")


def test_counter_column_is_the_position_not_the_values():
    loaded = load_series(SAMPLES["google"].path)
    assert loaded.value_column == "close" and isinstance(loaded.series.index, pd.RangeIndex)
    assert loaded.series.index[0] == 1 and has_note(loaded, "'day' counts the rows")


# --------------------------------------------------------------------------- regularising


def test_unsorted_duplicates_gaps_and_junk_are_repaired_and_counted():
    loaded = load("unsorted_gaps_junk.csv")
    s = loaded.series
    assert s.index.freqstr == "D" and len(s) == 10 and s.notna().all()
    assert s["2020-01-02"] == 3.0  # duplicates 2 and 4 averaged
    # Jan 4 is absent and Jan 5-7 hold 'n/a', 'abc', '': a straight line from 3 (Jan 3) to 8 (Jan 8)
    assert s["2020-01-04":"2020-01-07"].tolist() == pytest.approx([4, 5, 6, 7])
    assert has_note(loaded, "not numbers", "abc") and has_note(loaded, "sorted")
    assert has_note(loaded, "Merged 1") and has_note(loaded, "1 daily step") and has_note(loaded, "Filled 4")


def test_timestamps_off_the_grid_are_snapped_and_merged():
    text = "t,v\n2021-01-01 00:00,1\n2021-01-01 01:00,2\n2021-01-01 02:10,3\n2021-01-01 03:00,4\n2021-01-01 04:00,5\n"
    loaded = load_series(text.encode())
    assert loaded.series.index.freqstr == "h" and loaded.series.tolist() == [1, 2, 3, 4, 5]
    assert has_note(loaded, "off the")


def test_monthly_gap_is_filled_and_business_days_stay_business_days():
    text = "m,v\n2020-01,1\n2020-02,2\n2020-04,4\n2020-05,5\n"
    loaded = load_series(text.encode())
    assert loaded.series.tolist() == [1, 2, 3, 4, 5]
    days = pd.bdate_range("2021-01-04", periods=30).delete([7, 8])
    text = "d,v\n" + "\n".join(f"{d.date()},{i}" for i, d in enumerate(days)) + "\n"
    loaded = load_series(text.encode())
    assert loaded.series.index.freqstr == "B" and len(loaded.series) == 30


def test_value_and_date_column_choice():
    loaded = load("many_columns.csv")
    assert loaded.value_column == "temperature"  # 'id' only counts rows
    assert loaded.numeric_columns == ["temperature", "rainfall"] and loaded.date_columns == ["month"]
    rainfall = load("many_columns.csv", value_column="rainfall")
    assert rainfall.series.iloc[0] == pytest.approx(200.0)
    positional = load("many_columns.csv", date_column=None)
    assert isinstance(positional.series.index, pd.DatetimeIndex)  # None means: detect


def test_infer_frequency_tolerates_gaps():
    index = pd.DatetimeIndex(["2020-01-31", "2020-02-29", "2020-04-30", "2020-05-31"])
    assert infer_frequency(index) == "ME"
    index = pd.date_range("2020-01-06", periods=10, freq="W-MON").delete(4)
    assert infer_frequency(index) == "W-MON"
    assert frequency_label("30min") == "every 30 minutes" and frequency_label("MS") == "monthly"
    assert frequency_label(None) == "no dates (by position)"


# --------------------------------------------------------------------------- files that cannot give a series


@pytest.mark.parametrize("name, words", [
    ("empty.csv", ["empty"]),
    ("header_only.csv", ["header", "no data"]),
    ("no_numeric.csv", ["no column holds numbers"]),
    ("all_missing.csv", ["every value", "missing"]),
    ("binary.csv", ["binary"]),
    ("excel_workbook.xlsx", ["excel", "save as"]),
])
def test_unusable_files_say_what_is_wrong(name, words):
    with pytest.raises(DataError) as info:
        load(name)
    message = str(info.value).lower()
    assert all(word in message for word in words), message


@pytest.mark.parametrize("source", [
    b"", b"   \n\n", b"\x00\x01\x02" * 100, b"date,value\n2020-01-01,1\n", b"a;b\nx;y\n", "caf\u00e9".encode("utf-8"),
    b"date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n" + b"2020-01-04,4,5,6,7\n" * 3,
    b"d,v\n1,2\n", b"\xff\xfe", 42, None, "/no/such/file.csv",
])
def test_nothing_but_data_error_escapes(source):
    try:
        load_series(source)
    except DataError as error:
        assert str(error)
    except Exception as error:  # pragma: no cover - the assertion explains
        pytest.fail(f"{type(error).__name__} escaped: {error}")


def test_unknown_column_names_list_the_columns():
    with pytest.raises(DataError, match="'label', 'temperature'"):
        load("many_columns.csv", value_column="pressure")
    with pytest.raises(DataError, match="does not hold dates"):
        load("many_columns.csv", date_column="label")


def test_too_big_file_is_refused(monkeypatch):
    import playground.data as data

    monkeypatch.setattr(data, "MAX_BYTES", 100)
    with pytest.raises(DataError, match="limit"):
        load_series(b"date,value\n" + b"2020-01-01,1\n" * 20)


def test_dates_too_sparse_for_a_grid_are_refused():
    text = "d,v\n2020-01-01 00:00,1\n2020-01-01 00:01,2\n2020-01-01 00:02,3\n2021-01-01 00:00,4\n"
    with pytest.raises(DataError, match="too irregular"):
        load_series(text.encode())


def test_many_missing_values_are_flagged():
    values = ["1", "", "", "", "5", "6"]
    text = "d,v\n" + "\n".join(f"2020-01-0{i + 1},{v}" for i, v in enumerate(values)) + "\n"
    loaded = load_series(text.encode())
    assert loaded.series.tolist() == [1, 2, 3, 4, 5, 6] and has_note(loaded, "a lot")
    assert np.isfinite(loaded.series).all()


def test_fingerprint_follows_the_data():
    a = pd.Series(np.arange(50.0))
    b = a.copy()
    b.iloc[10] += 1
    assert fingerprint(a) == fingerprint(a.copy())
    assert fingerprint(a) != fingerprint(b)
    assert fingerprint(a) != fingerprint(a.set_axis(pd.RangeIndex(1, 51)))  # the index counts too


# --------------------------------------------------------------------------- extreme values, old and far dates

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "hostile"


def test_values_too_large_to_compute_with_become_gaps_named_by_row_and_date():
    loaded = load_series(HOSTILE / "huge_value.csv")
    assert np.isfinite(loaded.series).all() and loaded.series.abs().max() < 1e3
    note = next(n for n in loaded.notes if "too large to compute with" in n)
    assert "row 18 (2016-06-01): 1e+300" in note
    assert has_note(loaded, "Filled 1 missing value")
    two = load_series(HOSTILE / "two_huge_values.csv")
    note = next(n for n in two.notes if "too large" in n)
    assert note.startswith("2 value(s)") and "row 21 (2016-09-01): 1e+200" in note and "-1e+160" in note


def test_a_column_of_only_huge_values_is_refused_with_the_reason():
    text = "d,v\n" + "\n".join(f"2020-01-0{i + 1},1e{200 + i}" for i in range(6)) + "\n"
    with pytest.raises(DataError, match="Every value in 'v' is too large to compute with"):
        load_series(text.encode())


@pytest.mark.parametrize("name, first, freq", [
    ("years_before_1677.csv", "1500-01-01", "YS-JAN"),
    ("iso_dates_1600s.csv", "1600-06-30", "YE-JUN"),
    ("dates_after_2262.csv", "2240-01-01", "YS-JAN"),
])
def test_dates_outside_the_nanosecond_range_are_read_as_dates(name, first, freq):
    # pandas' nanosecond timestamps end at 1677 and 2262; the loader keeps pandas 3's microsecond unit.
    loaded = load_series(HOSTILE / name)
    assert len(loaded.series) == 60
    assert loaded.series.index[0] == pd.Timestamp(first) and loaded.frequency == freq
