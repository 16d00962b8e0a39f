"""A browser-like Streamlit session without a browser: Streamlit's own websocket protocol.

A session connects to `/_stcore/stream` with the `streamlit` subprotocol, sends BackMsg rerun_script
(the page, the URL's query string and the widget values, a button's trigger among them) and reads
ForwardMsgs until that run's script_finished. That is what the browser does on a click, at a small
fraction of its cost, so a test can keep several sessions clicking at once (bench/load.py measures
the same protocol under load; this is the part a test needs).

No cached_message_hashes are sent, so the server never answers with a ref_hash; no XSRF token or
Origin header is needed (the server accepts a socket without them).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

RUN_TIMEOUT_S = 20.0
SUCCESS = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: in a session that started Playwright's sync API, this thread
    already has an event loop running (asyncio.run would refuse)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class RunFailed(Exception):
    """The run did not finish successfully: the connection closed, it timed out or it failed."""


@dataclass
class View:
    """What one finished run drew: widget ids by label, and the text of markdown, captions and alerts."""

    page: str = ""
    buttons: dict[str, str] = field(default_factory=dict)
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
    """One visitor on one server: the page and query string it is on, and the last run's view."""

    def __init__(self, port: int) -> None:
        self.url = f"ws://127.0.0.1:{port}/_stcore/stream"
        self.context = ContextInfo(
            timezone="UTC", timezone_offset=0, locale="en-GB", url=f"http://127.0.0.1:{port}/", color_scheme="light"
        )
        self.ws: ClientConnection | None = None
        self.inbox: asyncio.Queue[ForwardMsg | None] = asyncio.Queue()
        self.reader: asyncio.Task[None] | None = None
        self.page = ""
        self.query = ""
        self.view = View()

    async def connect(self) -> None:
        self.ws = await connect(
            self.url,
            subprotocols=[Subprotocol("streamlit")],
            open_timeout=RUN_TIMEOUT_S,
            close_timeout=1,
            max_size=None,
        )
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        # Always reading, as the browser does, so the server's send queue never backs up.
        assert self.ws is not None
        try:
            async for raw in self.ws:
                if isinstance(raw, bytes):
                    msg = ForwardMsg()
                    msg.ParseFromString(raw)
                    self.inbox.put_nowait(msg)
        except (ConnectionClosed, OSError):
            pass
        finally:
            self.inbox.put_nowait(None)

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2)
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader

    async def open(self, url_path: str, query: str = "") -> View:
        """Load `/<url_path>?<query>` as a typed-in URL does (the page named by its URL path)."""
        self.query = query
        return await self._rerun(page_name=url_path, query=query, widgets=[])

    async def click(self, label: str, values: dict[str, str] | None = None) -> View:
        """Click the button labelled `label`, with text boxes (by label) holding `values`."""
        widget_id = self.view.buttons.get(label)
        if widget_id is None:
            raise RunFailed(f"no button {label!r} on the page; buttons: {sorted(self.view.buttons)}")
        widgets = [WidgetState(id=self.view.text_boxes[name], string_value=v) for name, v in (values or {}).items()]
        widgets.append(WidgetState(id=widget_id, trigger_value=True))
        return await self._rerun(page_hash=self.page, query=self.query, widgets=widgets)

    async def _rerun(self, query: str, widgets: list[WidgetState], page_hash: str = "", page_name: str = "") -> View:
        """Send one rerun_script; the view of the run chain it starts, once that ends successfully."""
        if self.ws is None:
            raise RunFailed("not connected")
        back = BackMsg()
        state = back.rerun_script
        state.query_string = query
        state.page_script_hash = page_hash
        state.page_name = page_name
        state.widget_states.widgets.extend(widgets)
        state.context_info.CopyFrom(self.context)
        try:
            await self.ws.send(back.SerializeToString())
        except (ConnectionClosed, OSError) as closed:
            raise RunFailed(f"send failed: {closed!r}") from None
        deadline = time.monotonic() + RUN_TIMEOUT_S
        ours: set[str] = set()  # runs started since this send: a late message of an earlier run is not ours
        view = View(page=self.page)
        while True:
            try:
                msg = await asyncio.wait_for(self.inbox.get(), max(deadline - time.monotonic(), 0.01))
            except TimeoutError:
                raise RunFailed("timed out") from None
            if msg is None:
                self.inbox.put_nowait(None)  # and for every later run
                raise RunFailed("connection closed")
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                raise RunFailed("a ref_hash although no message was cached")
            if kind == "new_session":
                ours.add(msg.metadata.run.script_run_id)
                view = View(page=msg.new_session.page_script_hash)
            elif kind == "navigation":
                view.page = msg.navigation.page_script_hash  # the page this run shows, as the browser tracks it
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                view.add(msg.delta.new_element)
            elif kind == "page_not_found":
                raise RunFailed("page not found")
            elif kind == "script_finished":
                run = msg.metadata.run.script_run_id
                if run and run not in ours:
                    continue
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun / st.switch_page: the next run of the chain follows
                if msg.script_finished not in SUCCESS:
                    raise RunFailed(f"script finished with status {msg.script_finished}")
                break
        self.page = view.page
        self.view = view
        return view
