"""The only module that imports streamlit: the widgets and displays that every page shares."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, TypeVar

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from playground import data, export, samples

T = TypeVar("T")

# --------------------------------------------------------------------------- the menu
# One list, used by app.py for st.navigation and by the home page for its map of the course.
MENU = {
    "Time series": [
        ("pages/decomposition.py", "Decomposition", ":material/stacked_line_chart:"),
        ("pages/forecasting.py", "Forecasting", ":material/insights:"),
    ],
    "Recurrent networks": [
        ("pages/rnn_cell.py", "RNN cell", ":material/cycle:"),
        ("pages/bptt.py", "BPTT", ":material/history:"),
        ("pages/gates.py", "LSTM & GRU gates", ":material/memory:"),
    ],
    "Sequence tasks": [
        ("pages/seq2seq.py", "Seq2Seq", ":material/swap_horiz:"),
        ("pages/ner.py", "NER tagging", ":material/label:"),
    ],
}
MENU_PATHS = {path for entries in MENU.values() for path, _, _ in entries}


def navigation():
    pages = {"": [st.Page("pages/home.py", title="Start here", icon=":material/school:", default=True)]}
    for section, entries in MENU.items():
        pages[section] = [st.Page(path, title=title, icon=icon) for path, title, icon in entries]
    return st.navigation(pages)


ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
ICON = ROOT / "assets" / "icon.png"  # served by the app itself: a :material: favicon is fetched from a font server


def configure_page() -> None:
    st.set_page_config(page_title="Sequence Playground", page_icon=str(ICON), layout="wide")


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
        configure_page()
        navigation().run()
        st.stop()
    _page_tools()


# --------------------------------------------------------------------------- presenting and sharing

# Fixed markup, no user text in it. The link is read from the browser when the button is clicked, so it
# is always the view on screen (every setting is in the URL, see `kept`).
SHARE_BUTTON = """
<div class="pg-share">
  <button type="button" title="Every setting of this page is in the link"
    onclick="(async (button) => {
      const link = window.location.href, said = button.nextElementSibling;
      try { await navigator.clipboard.writeText(link); said.textContent = 'copied'; }
      catch (error) { window.prompt('Copy this link to share the view', link); }
      setTimeout(() => { said.textContent = ''; }, 2500);
    })(this)">Copy link to this view</button><span class="pg-said"></span>
</div>
<style>
  .pg-share button { font: inherit; font-size: 0.9rem; padding: 0.3rem 0.75rem; border-radius: 0.5rem;
    border: 1px solid rgba(49, 51, 63, 0.25); background: white; color: #1f3b73; cursor: pointer; }
  .pg-share button:hover { border-color: #1f3b73; }
  .pg-said { margin-left: 0.5rem; font-size: 0.85rem; color: #2e8b57; }
</style>
"""
# The first screen starts with the page, not with Streamlit's ~6rem of empty space.
PAGE_CSS = """<style>
  [data-testid="stHeader"] { background: transparent; pointer-events: none; }
  [data-testid="stHeader"] [data-testid="stToolbar"], [data-testid="stHeader"] button { pointer-events: auto; }
  [data-testid="stMainBlockContainer"] { padding-top: 1.6rem; }
  [data-testid="stMainBlockContainer"] h1 { padding-top: 0; }
</style>"""
PRESENTER_CSS = """<style>
  [data-testid="stMainBlockContainer"] { padding-top: 0.6rem; font-size: 1.12rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 2.1rem; padding-bottom: 0.4rem; }
  [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.12rem; }
  [data-testid="stWidgetLabel"] p { font-size: 1.05rem; }
</style>"""


_this_run = threading.local()  # each session's script runs in its own thread


def _sidebar_data_place():
    """The sidebar place for the data section: above the page tools, so that on a 720-pixel screen the
    dataset picker is not pushed to the bottom edge (where its list cannot open)."""
    return getattr(_this_run, "data_place", None) or st.sidebar


def _page_tools() -> None:
    """The sidebar's presenter switch and share button, and the page's CSS (the same on every page)."""
    st.html(PAGE_CSS)
    _this_run.data_place = st.sidebar.container()
    with st.sidebar:
        st.html(SHARE_BUTTON, unsafe_allow_javascript=True)
        st.toggle("Presenter mode", help="Larger type and lines for a projector; explanations folded away.",
                  **kept("present", False))
    if presenting():
        st.html(PRESENTER_CSS)


def presenting() -> bool:
    return bool(st.session_state.get("present", _settings().get(_shadow("present"), False)))


def under_title():
    """An empty place right under a page's title: presenter mode puts the page's main figure there."""
    return st.container()


def main_figure(place):
    """Where to draw the page's main figure: `place` (from `under_title`) in presenter mode, so the figure is
    on the first screen of a projector; here, after the controls, otherwise."""
    return place if presenting() else st.container()


def explanation(title: str = "What this page shows"):
    """A place for explanations: the page itself, or an expander folded away in presenter mode."""
    return st.expander(title, expanded=False, icon=":material/info:") if presenting() else st.container()


def explain(text: str, title: str = "What this page shows") -> None:
    with explanation(title):
        st.markdown(text)


UPLOAD = "upload"
NO_DATES = "(none: number the rows)"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# Markdown turns http://…, www.… and e-mail addresses into links even when escaped (GFM "autolink
# literals" are found after escapes are resolved): a word joiner (U+2060, invisible) breaks them.
_AUTOLINK_START = re.compile(r"(?i)(https?|ftp|mailto|www)(?=[:.])|(?=@)")


def escape_markdown(text) -> str:
    """User text (file names, column names, cells) shown as text, never as markup or links."""
    unlinked = _AUTOLINK_START.sub(lambda match: match.group(0) + "\u2060", str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked)


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
# Streamlit resets a widget when the user moves to another page. A kept widget stores its value in the
# session's settings and restores it before it is drawn, so settings survive navigation. The settings are
# one dict in st.session_state, not a key each: Streamlit reads every key of st.session_state for every
# keyed widget it draws (SessionState.filtered_state), and 180 keys of settings made that 1 ms per widget.

_SETTINGS = "_kept"


def _settings() -> dict:
    state = st.session_state
    if _SETTINGS not in state:
        state[_SETTINGS] = {}
    return state[_SETTINGS]


def _shadow(key: str, data: str | None = None) -> str:
    return f"_kept_{key}" if data is None else f"_kept_{key}@{data}"


def _owner(key: str) -> str:
    return f"_kept_for_{key}"


def _chosen(key: str) -> str:
    return f"_kept_chosen_{key}"


def _store(key: str) -> None:
    settings = _settings()
    settings[_shadow(key, settings.get(_owner(key)))] = st.session_state[key]
    settings[_chosen(key)] = True


def kept(key: str, default, valid=lambda value: True, data: str | None = None, label: str | None = None) -> dict:
    """Prepare `key` for a widget; pass the returned kwargs to it (no `value=`/`index=`).

    The value survives page switches and lives in the URL (`?key=value`), so a link or a reload opens
    the same view. `data` (a dataset's fingerprint) makes it a setting of that dataset (a horizon, a
    period): each dataset opens with its own default, and coming back to one finds it as it was left.
    A value that does not fit (also one from a link) returns to the default; with a `label`, a short
    notice says so when the value was the user's choice or came from the link.

    `st.session_state["_kept_<key>"] = value` (a test, a script) sets the value from outside: it takes
    effect the next time the widget is drawn, for the data shown then.
    """
    state, settings = st.session_state, _settings()
    shadow = _shadow(key, data)
    if data is not None and shadow not in settings and _shadow(key) in settings:
        settings[shadow] = settings.pop(_shadow(key))  # kept before the data were known
    if _shadow(key) in state:  # set from outside: it replaces what the widget showed
        settings[shadow] = state.pop(_shadow(key))
    elif key in state and settings.get(_owner(key), data) == data:
        settings[shadow] = state[key]  # the widget is on the page: its value (the user's, the link's) is kept
    elif key in state:  # the data changed under the widget: its value was for the other data
        if label is not None and settings.get(_chosen(key)) and state[key] != settings.get(shadow, default):
            st.toast(f"{label}: {state[key]} was set for other data; {settings.get(shadow, default)} for these.",
                     icon=":material/undo:")
        settings.pop(_chosen(key), None)
        _forget_link(key)
    elif shadow not in settings and key in st.query_params:  # opened from a link (or a reload)
        # Streamlit itself gives the widget the link's value (and ignores one that is not an option); a
        # number or a switch is also checked here, against the page's own rule for these data.
        linked = _from_link(key, default)
        settings[_chosen(key)] = "link"
        if linked is _UNREADABLE or not valid(linked):
            if label is not None:
                st.toast(f"{label}: the link's {st.query_params[key]!r} does not fit here; back to {default}.",
                         icon=":material/undo:")
            _forget_link(key)
    if shadow in settings and not valid(settings[shadow]):
        if label is not None and settings.get(_chosen(key)) and settings[shadow] != default:
            origin = "the link's " if settings[_chosen(key)] == "link" else ""
            st.toast(f"{label}: {origin}{settings[shadow]} does not fit these data; back to {default}.",
                     icon=":material/undo:")
        settings.pop(shadow)
        settings.pop(_chosen(key), None)
        _forget_link(key)
    if shadow not in settings:
        settings[shadow] = default
    settings[_owner(key)] = data
    state[key] = settings[shadow]
    return {"key": key, "on_change": _store, "args": (key,), "bind": "query-params"}


_UNREADABLE = object()


def _forget_link(key: str) -> None:
    """Take a value that is being reset out of the URL, so that Streamlit does not give it to the widget: a
    widget that is new to Streamlit (first on the page, or with a range that changed with the data) takes
    its value from the URL, over the session's. (Streamlit's internal query-parameter store; page tests
    cover it.)"""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    try:
        with get_session_state().query_params() as params:
            binding = params.get_binding_for_param(key)
            if binding is not None:
                params.unbind_and_clear_param(binding.widget_id)
            elif key in params:
                del params[key]
            params.set_initial_query_params_from_current()
    except (AttributeError, KeyError, RuntimeError):  # another Streamlit: the value may come back, never an error
        pass


def _from_link(key: str, default):
    """The URL's value for `key` as a number or a switch, like `default`; other kinds as they are written."""
    raw = st.query_params[key]
    try:
        if isinstance(default, bool):
            return {"true": True, "false": False}[raw.lower()]
        if isinstance(default, (int, float)):
            number = float(raw)
            return int(number) if isinstance(default, int) and number.is_integer() else number
    except (KeyError, ValueError):
        return _UNREADABLE
    return default  # text, options, lists: Streamlit checks them against the widget's options


def kept_selectbox(container, label: str, options: list, key: str, default=None, data: str | None = None, **kwargs):
    default = default if default in options else options[0]
    return container.selectbox(label, options, **kept(key, default, lambda v: v in options, data=data), **kwargs)


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
    sidebar = _sidebar_data_place()
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
            if _settings().get(_chosen("dataset")) == "link":
                st.warning("**This link (or a reload of the page) asked for an uploaded file.** A file stays only "
                           "in the browser tab it was uploaded in, never in a link: upload it again in the "
                           "sidebar. Every other setting from the link is kept.")
            else:
                st.info("Upload a CSV file in the sidebar, or pick one of the sample datasets. "
                        "A file with a date column and a column of numbers works best, e.g. `date,value`.")
            return None
        sidebar.caption(f"Using **{escape_markdown(uploaded['name'])}** ({len(uploaded['content']) / 1024:,.0f} KB)")
        label, digest, content = uploaded["name"], uploaded["digest"], uploaded["content"]
    else:
        sample = samples.SAMPLES[choice]
        sidebar.caption(sample.shows)
        label, digest, content = sample.title, f"sample:{choice}", _sample_bytes(choice)

    def read(date_column=None, value_column=None) -> data.LoadedSeries:
        # From the moment a file arrives: a spinner (shown only if reading takes more than half a second).
        with st.spinner(f"Reading {escape_markdown(label)} ({len(content) / 1e6:,.1f} MB): finding the table, "
                        "the dates and the numbers…", show_time=True):
            return _load_cached(digest, content, date_column, value_column)

    try:
        detected = read()
    except data.DataError as error:
        st.error(f"**{escape_markdown(label)} could not be used.** {escape_markdown(error)}")
        return None
    value_column, date_column = _column_choosers(sidebar, detected)
    try:
        loaded = (detected if (value_column, date_column) == (detected.value_column, detected.date_column)
                  else read(date_column, value_column))
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


@st.cache_resource(max_entries=256, show_spinner=False)
def _built(page: str, key: tuple, _build):
    from plotly.basedatatypes import BaseFigure  # imported here: the home page draws nothing

    from playground.figures.style import Drawn

    built = _build()
    return Drawn.of(built) if isinstance(built, BaseFigure) else built


def built_once(*key_and_build):
    """`build()` once per key (the arguments before it) for every session: a figure, or a reading of a cached
    model. A rerun then only sends what was built (a figure already as plotly JSON). The key must hold
    everything the result shows; the page is added to it."""
    *key, build = key_and_build
    ctx = get_script_run_ctx()
    return _built(ctx.page_script_hash if ctx is not None else "", tuple(key), build)


def plot(figure, key: str | None = None) -> None:
    """Draw a figure with its own (projector-sized) styling rather than Streamlit's theme; larger in presenter
    mode. The figure itself is never changed: it may be a cached object that other sessions draw too."""
    if presenting():
        from playground.figures.style import Drawn

        figure = Drawn.of(figure).for_presenting()
    st.plotly_chart(figure, width="stretch", theme=None, config={"displaylogo": False}, key=key)


def download_csv(frame: pd.DataFrame | Callable[[], pd.DataFrame], file_name: str,
                 label: str = "Download as CSV") -> None:
    """A download button; the CSV (of `frame`, or of what `frame()` makes) is written only when it is clicked
    (a million rows take seconds), with text that a spreadsheet would run as a formula neutralised
    (playground.export)."""
    st.download_button(label, lambda: export.csv_bytes(frame() if callable(frame) else frame),
                       file_name=file_name, mime="text/csv", on_click="ignore")


def page_link(page: str, label: str) -> None:
    """A menu link; a page run on its own (as in AppTest) has no menu, so it names the page instead."""
    try:
        st.page_link(page, label=label, icon=":material/arrow_forward:")
    except StreamlitPageNotFoundError:
        st.markdown(f"→ **{escape_markdown(label)}**")


# --------------------------------------------------------------------------- training


class _Trainings:
    """Finished training runs shared by every session (the same settings give the same model), the runs in
    progress (a second session asking for the same model waits for it instead of training it again), and a
    cap on how many run at once in this server process (the rest queue), so that a class pressing Train
    together cannot starve the students who are only looking."""

    LIMIT = 48  # finished results kept (least recently used dropped first)
    AT_ONCE = 2  # trainings running at the same time: one per core of a small server

    def __init__(self):
        self.results: OrderedDict = OrderedDict()
        self.running: dict = {}  # key -> threading.Event set when its result is in `results`
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(self.AT_ONCE)

    def get(self, key):
        with self.lock:
            if key in self.results:
                self.results.move_to_end(key)
                return self.results[key]
        return None

    def claim(self, key) -> threading.Event | None:
        """None when this session should train `key`; otherwise the event of the session already training it."""
        with self.lock:
            if key in self.running:
                return self.running[key]
            self.running[key] = threading.Event()
            return None

    def finish(self, key, result) -> None:
        with self.lock:
            if result is not None:
                self.results[key] = result
                while len(self.results) > self.LIMIT:
                    self.results.popitem(last=False)
            self.running.pop(key).set()


@st.cache_resource(max_entries=1)
def _trainings() -> _Trainings:
    return _Trainings()


def trained(key: tuple, train: Callable[[Callable[[float, str], None]], T], button: str = "Train",
            label: str = "Training") -> T | None:
    """The result of `train(progress)` for `key`: from the cache, or trained when the user presses `button`.

    Training never runs on a plain rerun; it runs on the button, inside a status box with a
    progress bar, and the result is kept for every later rerun and every other session.
    """
    trainings = _trainings()
    result = trainings.get(key)
    if result is not None:
        return result
    if not st.button(button, type="primary", key=f"train_{hashlib.sha1(repr(key).encode()).hexdigest()[:12]}"):
        return None
    other = trainings.claim(key)
    if other is not None:
        with st.status(f"{label}: someone on this server is training the same model; waiting for it…") as status:
            other.wait()
            status.update(label=f"{label}: done", state="complete", expanded=False)
        return trainings.get(key)
    result = None
    try:
        with st.status(label, expanded=True) as status:
            if not trainings.slots.acquire(blocking=False):
                status.update(label=f"{label}: queued behind {trainings.AT_ONCE} trainings running on this server…")
                trainings.slots.acquire()
                status.update(label=label)
            try:
                bar = st.progress(0.0, text="starting…")
                result = train(lambda fraction, text: bar.progress(min(max(fraction, 0.0), 1.0), text=text))
            finally:
                trainings.slots.release()
            status.update(label=f"{label}: done", state="complete", expanded=False)
    finally:
        trainings.finish(key, result)
    return result
