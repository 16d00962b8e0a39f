"""A browser-like Streamlit session without a browser: Streamlit's own websocket protocol.

A session connects to `/_stcore/stream` with the `streamlit` subprotocol, sends BackMsg rerun_script
(the page, the URL's query string and the widget values, a button's trigger among them) and reads
ForwardMsgs until that run chain's script_finished. That is what the browser does on a click, at a small
fraction of its cost. The crash journey (tests/journeys/test_crash_restart.py) keeps several sessions
clicking at once with it, and the load benchmark (bench/load.py) a hundred.

Protocol notes: no XSRF token is needed (the server accepts a socket without one, and only uses it
to read the auth cookie, which this app has no use for; no Origin header is sent, which the server
allows). The forward-message cache works as in the browser: messages marked cacheable are kept by
hash, their hashes go back in cached_message_hashes, ref_hash messages are resolved locally and
entries are dropped after `max_cached_message_age` runs. A click that calls st.switch_page ends its
first run with FINISHED_EARLY_FOR_RERUN, then the new page's run ends the chain. app_heartbeat is
optional (the server only answers it with heartbeat_ack), so none is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

SUCCESS = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


class RunFailed(Exception):
    """A run that did not finish successfully (closed, timed out, failed, nothing to click); its text is the
    kind of failure, short and stable, so the load benchmark can count failures by it."""


@dataclass
class View:
    """What one finished run drew: widget ids by label, and the text of markdown, alerts and headings."""

    buttons: dict[str, str] = field(default_factory=dict)  # the first button of each label
    text_boxes: dict[str, str] = field(default_factory=dict)  # st.text_input and st.text_area
    markdown: list[str] = field(default_factory=list)
    alerts: dict[str, list[str]] = field(default_factory=dict)  # "success", "error", ... -> bodies
    headings: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)

    def add(self, element: Any) -> None:
        kind = element.WhichOneof("type")
        if kind == "button":
            self.buttons.setdefault(element.button.label, element.button.id)
        elif kind in ("text_input", "text_area"):
            widget = getattr(element, kind)
            self.text_boxes[widget.label] = widget.id
        elif kind == "markdown":
            self.markdown.append(element.markdown.body)
        elif kind == "alert":
            name = Alert.Format.Name(element.alert.format).lower()
            self.alerts.setdefault(name, []).append(element.alert.body)
        elif kind == "heading":
            self.headings.append(element.heading.body)
        elif kind == "exception":
            self.exceptions.append(f"{element.exception.type}: {element.exception.message}")


class Session:
    """One visitor on one server: the page and query string it is on, what it typed, the message cache
    and the last run's view (`new_view` makes a richer View for a caller that wants one)."""

    def __init__(self, port: int, locale: str = "en-GB", timeout: float = 20.0, cookie: str | None = None) -> None:
        self.cookie = cookie  # sent with the websocket upgrade, as the browser sends a load balancer's affinity cookie
        self.url = f"ws://127.0.0.1:{port}/_stcore/stream"
        self.context = ContextInfo(
            timezone="UTC", timezone_offset=0, locale=locale, url=f"http://127.0.0.1:{port}/", color_scheme="light"
        )
        self.timeout = timeout  # seconds a connect or a run chain may take
        self.ws: ClientConnection | None = None
        self.inbox: asyncio.Queue[ForwardMsg | None] = asyncio.Queue()
        self.reader: asyncio.Task[None] | None = None
        self.page = ""  # the script hash of the page the last run showed
        self.query = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash, from the navigation message
        self.view = self.new_view()
        self.values: dict[str, WidgetState] = {}  # what the visitor typed on this page, sent with every rerun
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run it was last used in)
        self.max_age = 2
        self.runs = 0
        self.elapsed_ms = 0.0  # the last run chain: from sending its rerun_script to its script_finished
        self.failure = "connection closed"

    def new_view(self) -> View:
        return View()

    async def connect(self) -> None:
        self.ws = await connect(
            self.url,
            subprotocols=[Subprotocol("streamlit")],
            open_timeout=self.timeout,
            close_timeout=2,
            max_size=None,
            additional_headers={"Cookie": self.cookie} if self.cookie else None,
        )
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        # Read all the time, as the browser does, so the server's send queue never backs up.
        assert self.ws is not None
        try:
            async for raw in self.ws:
                if isinstance(raw, str):
                    raise ValueError("a text frame: Streamlit sends binary protobufs only")
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self.inbox.put_nowait(msg)
        except ConnectionClosed:
            pass
        except Exception as error:  # a broken message or socket: the waiting run reports it
            self.failure = type(error).__name__
        finally:
            self.inbox.put_nowait(None)

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader

    # What a person does, as the browser sends it.

    async def open_url(self, url_path: str = "", query: str = "") -> View:
        """Type `/<url_path>?<query>` into the address bar (or reload): the page named by its URL path."""
        self.values.clear()
        self.query = query
        return await self.rerun(query, page_name=url_path)

    async def open_page(self, url_path: str) -> View:
        """A click in the sidebar's menu: the browser drops the query string (the app keeps the sandbox)."""
        if url_path not in self.pages:
            raise RunFailed(f"no page {url_path!r} in the navigation")
        self.values.clear()
        return await self.rerun("", page_hash=self.pages[url_path])

    async def type(self, label: str, value: str) -> View:
        """Type `value` into the text box labelled `label` and press Enter."""
        self._fill({label: value})
        return await self.rerun(self.query, page_hash=self.page)

    async def click(self, label: str, values: dict[str, str] | None = None, widget_id: str | None = None) -> View:
        """Click the button labelled `label` (or `widget_id`: buttons may share a label), with text boxes
        (by label) holding `values`."""
        widget_id = widget_id or self.view.buttons.get(label)
        if widget_id is None:
            raise RunFailed(f"no button {label!r}")
        self._fill(values or {})
        return await self.rerun(self.query, page_hash=self.page, trigger=widget_id)

    def _fill(self, values: dict[str, str]) -> None:
        for label, value in values.items():
            box = self.view.text_boxes.get(label)
            if box is None:
                raise RunFailed(f"no text box {label!r}")
            self.values[box] = WidgetState(id=box, string_value=value)

    async def rerun(self, query: str, page_hash: str = "", page_name: str = "", trigger: str | None = None) -> View:
        """Send one rerun_script with what the visitor typed (and a button's trigger); the view of the run
        chain it starts, once that ends successfully."""
        if self.ws is None:
            raise RunFailed("not connected")
        back = BackMsg()
        state = back.rerun_script
        state.query_string = query
        state.page_script_hash = page_hash
        state.page_name = page_name
        state.widget_states.widgets.extend(self.values.values())
        if trigger is not None:
            state.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        state.cached_message_hashes.extend(self.cache)
        state.context_info.CopyFrom(self.context)
        started = time.perf_counter()
        try:
            await self.ws.send(back.SerializeToString())
        except (ConnectionClosed, OSError) as closed:
            raise RunFailed(f"send failed: {type(closed).__name__}") from None
        page, view = await self._run_chain(started)
        self.elapsed_ms = (time.perf_counter() - started) * 1000
        self._finished_run()
        if page != self.page:
            self.values.clear()  # another page: the browser drops the old page's widgets
        self.page, self.view = page, view
        return view

    async def _run_chain(self, started: float) -> tuple[str, View]:
        """Read until the run chain started at `started` finishes: the page it showed and what it drew."""
        ours: set[str] = set()  # runs started since this send: a late message of an earlier run is not ours
        page, view = self.page, self.new_view()
        while True:
            msg = await self._next(started)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                ours.add(msg.metadata.run.script_run_id)
                page, view = msg.new_session.page_script_hash, self.new_view()
                self.max_age = msg.new_session.config.max_cached_message_age or self.max_age
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                page = msg.navigation.page_script_hash  # the page this run shows, as the browser tracks it
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                view.add(msg.delta.new_element)
            elif kind == "page_not_found":
                raise RunFailed("page not found")
            elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
                raise RunFailed("script compilation error")
            elif kind == "script_finished":
                run = msg.metadata.run.script_run_id
                if (run and run not in ours) or msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # an earlier run's end, or st.rerun / st.switch_page: the chain goes on
                if msg.script_finished not in SUCCESS:
                    raise RunFailed(f"script finished with status {msg.script_finished}")
                return page, view

    async def _next(self, started: float) -> ForwardMsg:
        """The next ForwardMsg within the run's time, a ref_hash resolved from the cache."""
        remaining = started + self.timeout - time.perf_counter()
        if remaining <= 0:
            raise RunFailed("timeout")
        try:
            msg = await asyncio.wait_for(self.inbox.get(), remaining)
        except TimeoutError:
            raise RunFailed("timeout") from None
        if msg is None:
            self.inbox.put_nowait(None)  # and for every later run
            raise RunFailed(self.failure)
        if msg.WhichOneof("type") == "ref_hash":
            if msg.ref_hash not in self.cache:
                raise RunFailed("ref_hash not cached")
            msg = self.cache[msg.ref_hash][0]
            self.cache[msg.hash] = (msg, self.runs)
        elif msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = (msg, self.runs)
        return msg

    def _finished_run(self) -> None:
        # The browser's ForwardMsgCache: forget what no run used for `max_cached_message_age` runs.
        self.runs += 1
        self.cache = {h: (m, used) for h, (m, used) in self.cache.items() if self.runs - used <= self.max_age}
