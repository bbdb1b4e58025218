"""The only module that imports streamlit: the widgets and displays that every page shares."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from pathlib import Path
from typing import Callable, TypeVar

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from playground import data, samples

T = TypeVar("T")

# --------------------------------------------------------------------------- the menu
# One list, used by app.py for st.navigation and by the home page for its map of the course.
MENU = {
    "Time series": [
        ("pages/decomposition.py", "Decomposition", ":material/stacked_line_chart:"),
        ("pages/forecasting.py", "Forecasting", ":material/insights:"),
    ],
    "Recurrent networks": [
        ("pages/bptt.py", "BPTT", ":material/history:"),
        ("pages/gates.py", "LSTM & GRU gates", ":material/memory:"),
    ],
    "Sequence tasks": [
        ("pages/seq2seq.py", "Seq2Seq", ":material/swap_horiz:"),
    ],
}
MENU_PATHS = {path for entries in MENU.values() for path, _, _ in entries}


def navigation():
    pages = {"": [st.Page("pages/home.py", title="Start here", icon=":material/school:", default=True)]}
    for section, entries in MENU.items():
        pages[section] = [st.Page(path, title=title, icon=icon) for path, title, icon in entries]
    return st.navigation(pages)


APP = Path(__file__).resolve().parent.parent / "app.py"


def use_app_menu() -> None:
    """Call first on every page. Until app.py's st.navigation has run once in a server process,
    Streamlit serves requests from the `pages/` folder (its old multipage mode): a deep link as the
    first request after a start (a woken-up Cloud app) would show a raw file list as the menu.
    In that run, build the real menu here; it runs this page again, inside the menu."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    scripts = {Path(page["script_path"]).resolve() for page in ctx.pages_manager.get_pages().values()
               if page.get("script_path")}
    if APP in scripts and Path(ctx.main_script_path).resolve() == APP:
        navigation().run()
        st.stop()


UPLOAD = "upload"
NO_DATES = "(none: number the rows)"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_markdown(text) -> str:
    """User text (file names, column names, cells) shown as text, never as markup or links."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


@st.cache_resource
def warm_up(*modules: str) -> None:
    """Import heavy modules in the background, once per server, while the first page renders.

    statsmodels takes a second or two to import; a lecturer who opens the home page and then
    the first time-series page should not wait for it.
    """
    import importlib
    import threading

    threading.Thread(target=lambda: [importlib.import_module(m) for m in modules], daemon=True).start()


# --------------------------------------------------------------------------- kept widget values
# Streamlit resets a widget when the user moves to another page. A kept widget stores its
# value under a shadow key and restores it before it is drawn, so settings survive navigation.


def _shadow(key: str) -> str:
    return f"_kept_{key}"


def _store(key: str) -> None:
    st.session_state[_shadow(key)] = st.session_state[key]


def kept(key: str, default, valid=lambda value: True) -> dict:
    """Prepare `key` for a widget; pass the returned kwargs to it (no `value=`/`index=`)."""
    shadow = _shadow(key)
    if shadow not in st.session_state or not valid(st.session_state[shadow]):
        st.session_state[shadow] = default
    st.session_state[key] = st.session_state[shadow]
    return {"key": key, "on_change": _store, "args": (key,)}


def kept_selectbox(container, label: str, options: list, key: str, default=None, **kwargs):
    default = default if default in options else options[0]
    return container.selectbox(label, options, **kept(key, default, lambda v: v in options), **kwargs)


# --------------------------------------------------------------------------- data source


@st.cache_data(max_entries=24, show_spinner=False)
def _load_cached(digest: str, _content: bytes, date_column: str | None, value_column: str | None):
    return data.load_series(_content, date_column=date_column, value_column=value_column)


@st.cache_data(show_spinner=False)
def _sample_bytes(key: str) -> bytes:
    return samples.SAMPLES[key].path.read_bytes()


def _remember_upload() -> None:
    uploaded = st.session_state.get("upload")
    if uploaded is None:
        st.session_state.pop("_uploaded", None)
        return
    content = uploaded.getvalue()
    st.session_state["_uploaded"] = {
        "name": uploaded.name,
        "content": content,
        "digest": hashlib.sha256(content).hexdigest(),
    }


def data_source() -> data.LoadedSeries | None:
    """Sidebar: sample picker or upload, column choosers. Main area: what was loaded and repaired.

    Returns None (after saying why on the page) when there is nothing usable to show.
    """
    sidebar = st.sidebar
    sidebar.header("Data")
    options = list(samples.SAMPLES) + [UPLOAD]
    choice = kept_selectbox(
        sidebar, "Dataset", options, "dataset", samples.DEFAULT_SAMPLE,
        format_func=lambda key: "⬆ Upload your own CSV…" if key == UPLOAD else samples.SAMPLES[key].title,
    )
    if choice == UPLOAD:
        sidebar.file_uploader(
            "Your CSV file", type=["csv", "txt", "tsv", "xlsx", "xls"], key="upload", on_change=_remember_upload,
            help="One column of dates (any common format) and at least one column of numbers. "
                 "Semicolons, decimal commas and Excel exports are fine.",
        )
        uploaded = st.session_state.get("_uploaded")
        if uploaded is None:
            st.info("Upload a CSV file in the sidebar, or pick one of the sample datasets. "
                    "A file with a date column and a column of numbers works best, e.g. `date,value`.")
            return None
        sidebar.caption(f"Using **{escape_markdown(uploaded['name'])}** ({len(uploaded['content']) / 1024:,.0f} KB)")
        label, digest, content = uploaded["name"], uploaded["digest"], uploaded["content"]
    else:
        sample = samples.SAMPLES[choice]
        sidebar.caption(sample.shows)
        label, digest, content = sample.title, f"sample:{choice}", _sample_bytes(choice)

    try:
        detected = _load_cached(digest, content, None, None)
    except data.DataError as error:
        st.error(f"**{escape_markdown(label)} could not be used.** {escape_markdown(error)}")
        return None
    value_column, date_column = _column_choosers(sidebar, detected)
    try:
        loaded = (detected if (value_column, date_column) == (detected.value_column, detected.date_column)
                  else _load_cached(digest, content, date_column, value_column))
    except data.DataError as error:
        st.error(f"**These columns do not work.** {escape_markdown(error)}")
        return None
    _describe(label, loaded, expand_notes=choice == UPLOAD)
    return loaded


def _column_choosers(container, detected: data.LoadedSeries) -> tuple[str | None, str | None]:
    value_options = detected.numeric_columns or [detected.value_column]
    value_column = kept_selectbox(container, "Values", value_options, "value_column", detected.value_column,
                                  disabled=len(value_options) < 2)
    date_options = detected.date_columns + [NO_DATES]
    default_date = detected.date_column or NO_DATES
    date_column = kept_selectbox(container, "Dates", date_options, "date_column", default_date,
                                 disabled=len(date_options) < 2)
    return value_column, None if date_column == NO_DATES else date_column


def _describe(label: str, loaded: data.LoadedSeries, expand_notes: bool) -> None:
    series = loaded.series
    span = f"{_when(series.index[0])} → {_when(series.index[-1])}"
    st.caption(
        f"**{escape_markdown(label)}** · {escape_markdown(loaded.value_column)} · {loaded.frequency_label} · "
        f"{len(series):,} points · {escape_markdown(span)}"
    )
    if loaded.notes:
        with st.expander(f"The loader repaired {len(loaded.notes)} thing(s) in this file", expanded=expand_notes):
            st.markdown("\n".join(f"- {escape_markdown(note)}" for note in loaded.notes))


def _when(stamp) -> str:
    if isinstance(stamp, pd.Timestamp):
        return stamp.strftime("%Y-%m-%d %H:%M") if (stamp.hour or stamp.minute) else stamp.strftime("%Y-%m-%d")
    return str(stamp)


def plot(figure, key: str | None = None) -> None:
    """Draw a figure with its own (projector-sized) styling rather than Streamlit's theme."""
    st.plotly_chart(figure, width="stretch", theme=None, config={"displaylogo": False}, key=key)


def download_csv(frame: pd.DataFrame, file_name: str, label: str = "Download as CSV") -> None:
    """A download button; the CSV is written only when it is clicked (a million rows take seconds)."""
    st.download_button(label, lambda: frame.to_csv().encode("utf-8"), file_name=file_name, mime="text/csv",
                       on_click="ignore")


def page_link(page: str, label: str) -> None:
    """A menu link; a page run on its own (as in AppTest) has no menu, so it names the page instead."""
    try:
        st.page_link(page, label=label, icon=":material/arrow_forward:")
    except StreamlitPageNotFoundError:
        st.markdown(f"→ **{escape_markdown(label)}**")


# --------------------------------------------------------------------------- training


@st.cache_resource(max_entries=1)
def _trained_models() -> OrderedDict:
    """Results of finished training runs, shared by all sessions (the same settings give the same model)."""
    return OrderedDict()


TRAINED_LIMIT = 48


def trained(key: tuple, train: Callable[[Callable[[float, str], None]], T], button: str = "Train",
            label: str = "Training") -> T | None:
    """The result of `train(progress)` for `key`: from the cache, or trained when the user presses `button`.

    Training never runs on a plain rerun; it runs on the button, inside a status box with a
    progress bar, and the result is kept for every later rerun and every other session.
    """
    store = _trained_models()
    if key in store:
        store.move_to_end(key)
        return store[key]
    if not st.button(button, type="primary", key=f"train_{hashlib.sha1(repr(key).encode()).hexdigest()[:12]}"):
        return None
    with st.status(label, expanded=True) as status:
        bar = st.progress(0.0, text="starting…")
        result = train(lambda fraction, text: bar.progress(min(max(fraction, 0.0), 1.0), text=text))
        status.update(label=f"{label}: done", state="complete", expanded=False)
    store[key] = result
    while len(store) > TRAINED_LIMIT:
        store.popitem(last=False)
    return result
