"""A lightweight Streamlit client: one browser tab's side of the websocket protocol, without the browser.

It speaks what Streamlit 1.67's frontend speaks (read from streamlit/static/.../index.*.js and the
server's web/server/starlette/ and runtime/app_session.py):

- HTTP first, like a page load: GET / (a balancer may set its sticky cookie here), then
  GET /_stcore/health, which sets the `_streamlit_xsrf` cookie.
- A websocket on /_stcore/stream with subprotocols ["streamlit", <xsrf cookie value>]; the cookies
  go along, so a cookie-hashing balancer keeps the session on one server.
- A `rerun_script` BackMsg carries a ClientState: the query string, the page (page_name from the URL
  path on first load, then page_script_hash from the menu), every active widget's state, the hashes of
  the big messages already received (the server then sends a `ref_hash` instead), and context info.
- The server answers with ForwardMsgs: new_session (a run starts), deltas (elements, blocks),
  navigation (the menu), and script_finished. A rerun is done at a script_finished other than
  FINISHED_EARLY_FOR_RERUN (a run that st.rerun/st.switch_page ended is followed by another).
- Uploads: a file_urls_request BackMsg gets upload URLs, the file goes up as a multipart HTTP PUT with
  the X-Xsrftoken header, then the uploader's widget state lists the file (file_uploader_state_value).

Widgets are found by their user key: an element id is "$$ID-<hash>-<key>". Every value a widget holds
(its default, or what the server set) is sent back on the next rerun, as the frontend does.
"""

from __future__ import annotations

import asyncio
import http.client
import time
import uuid
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLsRequest, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ID_PREFIX = "$$ID-"
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
            ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
WIDGETS = {"selectbox", "radio", "slider", "number_input", "checkbox", "multiselect", "button_group",
           "text_input", "text_area", "button", "download_button", "file_uploader"}
MAX_CACHED_MESSAGE_AGE = 2  # the frontend's default (global.maxCachedMessageAge)


class ProtocolError(RuntimeError):
    """The server closed the connection, or answered something this client cannot follow."""


def user_key(element_id: str) -> str | None:
    if not element_id.startswith(ID_PREFIX):
        return None
    key = element_id[len(ID_PREFIX):].split("-", 1)[-1]
    return None if key == "None" else key


@dataclass
class Widget:
    kind: str  # the Element oneof name ("selectbox", "slider", …) or "tabs"
    proto: object
    fragment_id: str = ""
    labels: list = field(default_factory=list)  # tab labels

    @property
    def id(self) -> str:
        return self.proto.id

    @property
    def key(self) -> str | None:
        return user_key(self.proto.id)

    @property
    def options(self) -> list:
        if self.kind == "tabs":
            return self.labels
        if self.kind == "button_group":
            return [option.content for option in self.proto.options]
        return list(getattr(self.proto, "options", []))

    @property
    def disabled(self) -> bool:
        return bool(getattr(self.proto, "disabled", False))

    def value(self):
        """What the frontend holds for this widget: the server's value if it set one, else the default."""
        p, kind = self.proto, self.kind
        if kind in ("selectbox", "radio"):
            if p.set_value:
                return p.raw_value
            return p.options[p.default] if 0 <= p.default < len(p.options) else None
        if kind == "slider":
            if p.options:  # select_slider: options by their text
                return list(p.raw_value) if p.set_value else [p.options[int(i)] for i in p.default]
            return list(p.value) if p.set_value else list(p.default)
        if kind in ("number_input", "checkbox", "text_input", "text_area"):
            return p.value if p.set_value else p.default
        if kind == "multiselect":
            return list(p.raw_values) if p.set_value else [p.options[i] for i in p.default]
        if kind == "button_group":
            return list(p.raw_values) if p.set_value else [p.options[i].content for i in p.default]
        if kind == "tabs":
            label = p.default_tab_label
            if not label and 0 <= p.default_tab_index < len(self.labels):
                label = self.labels[p.default_tab_index]
            return label
        return None

    def state(self, value) -> WidgetState | None:
        """The WidgetState for `value`, in the field the server reads for this kind of widget."""
        state = WidgetState(id=self.id)
        kind = self.kind
        if kind in ("selectbox", "radio", "text_input", "text_area", "tabs"):
            if value is None:
                return None
            state.string_value = str(value)
        elif kind == "slider":
            if self.proto.options:
                state.string_array_value.data.extend(str(v) for v in value)
            else:
                state.double_array_value.data.extend(float(v) for v in value)
        elif kind == "number_input":
            if value is None:
                return None
            state.double_value = float(value)
        elif kind == "checkbox":
            state.bool_value = bool(value)
        elif kind in ("multiselect", "button_group"):
            state.string_array_value.data.extend(str(v) for v in value)
        elif kind in ("button", "download_button"):
            if not value:
                return None
            state.trigger_value = True
        else:
            return None
        return state

    def another_value(self, current, nth: int = 1):
        """A different, valid value than `current`: the nth next option, or nth steps along (back at the end)."""
        kind, p = self.kind, self.proto
        if kind in ("selectbox", "radio", "tabs"):
            options = self.options
            if len(options) < 2:
                return None
            index = options.index(current) if current in options else 0
            return options[(index + nth) % len(options)]
        if kind == "slider" and p.options:
            options = list(p.options)
            index = options.index(current[0]) if current and current[0] in options else 0
            return [options[(index + nth) % len(options)]]
        if kind == "slider":
            if p.max <= p.min or not current:
                return None
            return [_step(v, p.step or 1, p.min, p.max, nth, p.data_type == 0) for v in current]
        if kind == "number_input":
            low = p.min if p.has_min else current - 10 * (p.step or 1)
            high = p.max if p.has_max else current + 10 * (p.step or 1)
            if high <= low:
                return None
            return _step(current, p.step or 1, low, high, nth, p.data_type == 0)
        if kind == "checkbox":
            return not current
        return None


def _step(value, step, low, high, nth, integer):
    moved = value + nth * step
    if moved > high:
        moved = value - nth * step
    moved = min(max(moved, low), high)
    return int(round(moved)) if integer else round(moved, 10)


@dataclass
class Run:
    """What one rerun (send -> script_finished) produced."""
    started: float
    seconds: float = 0.0
    status: int | None = None
    exceptions: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # st.error messages the page showed
    messages: int = 0
    bytes: int = 0


class Session:
    """One browser tab. `await open()`, then `load()`, `goto(page)`, `change(key)`, `upload(...)`, `close()`."""

    def __init__(self, base_url: str, timeout: float = 180.0):
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.session_id = ""
        self.pages: list = []  # AppPage protos from the navigation message
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}  # id -> widget, from the current run
        self.values: dict[str, object] = {}  # id -> the value the frontend would send
        self._tabs_at: dict[tuple, Widget] = {}
        self._cache: dict[str, list] = {}  # hash -> [message, run count when last seen]
        self._runs_seen = 0
        self._ws = None
        self._reader = None
        self._run: Run | None = None
        self._finished: asyncio.Future | None = None
        self._file_urls: dict[str, asyncio.Future] = {}
        self.closed_reason: str | None = None

    # ----------------------------------------------------------------------------- connection
    async def open(self) -> None:
        from websockets.asyncio.client import connect

        await self._http("GET", "/")
        await self._http("GET", "/_stcore/health")
        xsrf = self.cookies.get("_streamlit_xsrf", "PLACEHOLDER_AUTH_TOKEN")
        ws_url = "ws" + self.base_url[len("http"):] + "/_stcore/stream"
        self._ws = await connect(
            ws_url, subprotocols=["streamlit", xsrf], max_size=None, ping_interval=None,
            open_timeout=self.timeout, close_timeout=2, origin=self.base_url,
            additional_headers={"Cookie": self._cookie_header()},
        )
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    async def _http(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> int:
        def request() -> int:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                all_headers = {**({"Cookie": self._cookie_header()} if self.cookies else {}), **(headers or {})}
                connection.request(method, path, body=body or None, headers=all_headers)
                response = connection.getresponse()
                response.read()
                for name, value in response.getheaders():
                    if name.lower() == "set-cookie":
                        pair = value.split(";", 1)[0]
                        cookie, _, content = pair.partition("=")
                        self.cookies[cookie.strip()] = content.strip()
                return response.status
            finally:
                connection.close()

        return await asyncio.to_thread(request)

    # ----------------------------------------------------------------------------- reading
    async def _read(self) -> None:
        try:
            async for payload in self._ws:
                self._handle(ForwardMsg.FromString(payload), len(payload))
        except Exception as error:  # a dropped connection ends every wait with the reason
            self.closed_reason = f"{type(error).__name__}: {error}"
        else:
            self.closed_reason = self.closed_reason or f"closed by the server ({self._ws.close_code})"
        for future in [self._finished, *self._file_urls.values()]:
            if future is not None and not future.done():
                future.set_exception(ProtocolError(self.closed_reason))

    def _handle(self, msg: ForwardMsg, size: int) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                raise ProtocolError(f"the server referred to a message this client never got ({msg.ref_hash})")
            cached[1] = self._runs_seen
            metadata = msg.metadata
            msg = ForwardMsg()
            msg.CopyFrom(cached[0])
            msg.metadata.CopyFrom(metadata)
            kind = msg.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = [msg, self._runs_seen]
        if self._run is not None:
            self._run.messages += 1
            self._run.bytes += size
        if kind == "new_session":
            self._on_new_session(msg)
        elif kind == "navigation":
            self.pages = list(msg.navigation.app_pages)
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "delta":
            self._on_delta(msg)
        elif kind == "script_finished" and msg.script_finished in FINISHED:
            self._runs_seen += 1
            self._cache = {h: entry for h, entry in self._cache.items()
                           if self._runs_seen - entry[1] <= MAX_CACHED_MESSAGE_AGE}
            self.values = {wid: value for wid, value in self.values.items() if wid in self.widgets}
            if self._run is not None:
                self._run.status = msg.script_finished
            if self._finished is not None and not self._finished.done():
                self._finished.set_result(msg.script_finished)
        elif kind == "file_urls_response":
            future = self._file_urls.pop(msg.file_urls_response.response_id, None)
            if future is not None and not future.done():
                future.set_result(msg.file_urls_response)
        elif kind == "page_not_found" and self._run is not None:
            self._run.errors.append(f"page not found: {msg.page_not_found.page_name}")
        elif kind == "session_event" and self._run is not None:
            event = msg.session_event.WhichOneof("type")
            if event == "script_compilation_exception":
                self._run.exceptions.append(msg.session_event.script_compilation_exception.message)

    def _on_new_session(self, msg: ForwardMsg) -> None:
        new = msg.new_session
        if new.initialize.session_id:
            self.session_id = new.initialize.session_id
        if new.page_script_hash:
            self.page_hash = new.page_script_hash
        if not msg.metadata.run.fragment_ids:  # a full run sends every element again
            self.widgets, self._tabs_at = {}, {}

    def _on_delta(self, msg: ForwardMsg) -> None:
        delta, path = msg.delta, tuple(msg.metadata.delta_path)
        what = delta.WhichOneof("type")
        if what == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            if kind in WIDGETS:
                proto = getattr(element, kind)
                widget = Widget(kind, proto, delta.fragment_id)
                self.widgets[proto.id] = widget
                if widget.value() is not None and (proto.id not in self.values or getattr(proto, "set_value", False)):
                    self.values[proto.id] = widget.value()
            elif kind == "exception" and self._run is not None:
                self._run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
            elif kind == "alert" and element.alert.format == 1 and self._run is not None:  # ERROR
                self._run.errors.append(element.alert.body)
        elif what == "add_block":
            block = delta.add_block
            if block.WhichOneof("type") == "tab_container" and block.tab_container.id:
                widget = Widget("tabs", block.tab_container, delta.fragment_id)
                self._tabs_at[path] = widget
                self.widgets[widget.id] = widget
            elif block.WhichOneof("type") == "tab" and path[:-1] in self._tabs_at:
                tabs = self._tabs_at[path[:-1]]
                tabs.labels.append(block.tab.label)
                if tabs.id not in self.values and tabs.value():
                    self.values[tabs.id] = tabs.value()

    # ----------------------------------------------------------------------------- acting
    def find(self, pattern: str) -> Widget | None:
        """The first widget of this run whose user key matches `pattern` (fnmatch: "period_*")."""
        for widget in self.widgets.values():
            if widget.key is not None and fnmatchcase(widget.key, pattern):
                return widget
        return None

    def page(self, name: str):
        """A menu entry by its URL path ("decomposition") or its title ("Decomposition")."""
        for page in self.pages:
            if name in (page.url_pathname, page.page_name):
                return page
        raise KeyError(f"no page {name!r} in the menu: {[p.url_pathname for p in self.pages]}")

    async def load(self, path: str = "", query_string: str = "") -> Run:
        """The first run of a tab opened at base_url/path."""
        return await self._rerun(page_name=path, query_string=query_string)

    async def goto(self, name: str) -> Run:
        """A click on a menu entry."""
        return await self._rerun(page_script_hash=self.page(name).page_script_hash)

    async def set(self, widget: Widget, value) -> Run:
        self.values[widget.id] = value
        return await self._rerun(fragment_id=widget.fragment_id)

    async def change(self, pattern: str, nth: int = 1) -> tuple[Widget, Run] | None:
        """Give the widget matching `pattern` another valid value; None when it is absent or fixed."""
        widget = self.find(pattern)
        if widget is None or widget.disabled:
            return None
        value = widget.another_value(self.values.get(widget.id, widget.value()), nth)
        if value is None:
            return None
        return widget, await self.set(widget, value)

    async def click(self, widget: Widget) -> Run:
        return await self._rerun(fragment_id=widget.fragment_id, triggers=[widget])

    async def upload(self, widget: Widget, name: str, content: bytes, mime: str = "text/csv") -> Run:
        """What the frontend does when a file is dropped on st.file_uploader."""
        request_id = uuid.uuid4().hex
        self._file_urls[request_id] = asyncio.get_running_loop().create_future()
        await self._send(BackMsg(file_urls_request=FileURLsRequest(
            request_id=request_id, file_names=[name], session_id=self.session_id)))
        response = await asyncio.wait_for(self._file_urls[request_id], self.timeout)
        if response.error_msg:
            raise ProtocolError(f"file URLs refused: {response.error_msg}")
        urls = response.file_urls[0]
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n"
                f"Content-Type: {mime}\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        started = time.perf_counter()
        status = await self._http("PUT", urls.upload_url, body, {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": self.cookies.get("_streamlit_xsrf", ""), "Origin": self.base_url})
        if status >= 300:
            raise ProtocolError(f"upload refused with HTTP {status}")
        state = WidgetState(id=widget.id)
        state.file_uploader_state_value.uploaded_file_info.append(
            UploadedFileInfo(file_id=urls.file_id, name=name, size=len(content), file_urls=urls))
        self.values[widget.id] = state
        run = await self._rerun(fragment_id=widget.fragment_id)
        run.seconds += run.started - started  # the PUT is part of what the student waits for
        run.started = started
        return run

    async def _send(self, msg: BackMsg) -> None:
        if self.closed_reason:
            raise ProtocolError(self.closed_reason)
        await self._ws.send(msg.SerializeToString())

    async def _rerun(self, page_name: str = "", page_script_hash: str = "", query_string: str = "",
                     fragment_id: str = "", triggers=()) -> Run:
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = query_string
        client.page_name = page_name
        client.page_script_hash = page_script_hash or ("" if page_name else self.page_hash)
        client.fragment_id = fragment_id
        client.cached_message_hashes.extend(self._cache)
        client.context_info.timezone = "UTC"
        client.context_info.timezone_offset = 0
        client.context_info.locale = "en-US"
        client.context_info.url = f"{self.base_url}/{page_name}"
        client.context_info.is_embedded = False
        client.context_info.color_scheme = "light"
        for wid, value in self.values.items():
            widget = self.widgets.get(wid)
            state = value if isinstance(value, WidgetState) else (widget.state(value) if widget else None)
            if state is not None:
                client.widget_states.widgets.append(state)
        for widget in triggers:
            client.widget_states.widgets.append(widget.state(True))
        self._run = run = Run(started=time.perf_counter())
        self._finished = asyncio.get_running_loop().create_future()
        await self._send(msg)
        try:
            await asyncio.wait_for(self._finished, self.timeout)
        except asyncio.TimeoutError:
            raise ProtocolError(f"no script_finished within {self.timeout:.0f} s") from None
        finally:
            run.seconds = time.perf_counter() - run.started
            self._run = None
        return run
