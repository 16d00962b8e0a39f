"""The visit: one store per process, the visitor's sandbox from the URL, and what they did so far.

The sandbox id lives in the URL (`?sandbox=`), so a reload or a shared link resumes the same
orders, clock and walkthrough. Nothing that must outlive a request is kept only in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NoReturn

import streamlit as st

from guide.content import load, text
from guide.content.language import current
from guide.models import Order
from guide.navigation import pages
from guide.policy import Assessment, assess
from guide.store import Sandbox, Store, UnknownSandbox
from guide.training_store import TrainingStore
from guide.ui.language import LANG
from guide.ui.legacy_pages import leave_legacy_pages_mode

SANDBOX = "sandbox"
PAGES: dict[str, str] = {page.name: page.file for page in pages().values()}  # name -> file, for go()


@st.cache_resource
def get_store() -> Store:
    """One pooled store for every session of this process (SQLAlchemy is thread-safe this way)."""
    return Store()


@st.cache_resource
def get_training() -> TrainingStore:
    """The training records, on the same store."""
    return TrainingStore(get_store())


@dataclass(frozen=True)
class Buyer:
    id: str
    name: str
    email: str
    country: str


def demo_buyers() -> dict[str, Buyer]:
    return {raw["id"]: Buyer(**raw) for raw in load("demo_buyers.json")}


@dataclass(frozen=True)
class Visit:
    """Everything a page needs to know about the visitor, read once a run."""

    store: Store
    sandbox: Sandbox
    facts: dict[str, str]
    _assessments: dict[int, tuple[Order, Assessment]] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def buyer(self) -> Buyer | None:
        return demo_buyers().get(self.facts.get("signed_in", ""))

    def did(self, fact: str, value: str = "") -> None:
        """Record what the visitor just did, unless it is already known with that value."""
        if self.facts.get(fact) != value:
            self.store.record(self.sandbox.id, fact, value)
            self.facts[fact] = value

    def assess(self, order: Order) -> Assessment:
        """The order's assessment at the sandbox's clock, worked out once a run although several parts of a
        page show it (10,000 simulated futures each time otherwise)."""
        known = self._assessments.get(id(order))
        if known is None or known[0] is not order:  # keyed by identity: the order is kept, so its id stays its own
            known = self._assessments[id(order)] = (order, assess(order, self.sandbox.clock, self.sandbox.profile))
        return known[1]

    def refreshed(self) -> Visit:
        return Visit(self.store, self.store.get_sandbox(self.sandbox.id), self.store.facts(self.sandbox.id))


THIS_RUN = "visit_this_run"


def visit(fresh: bool = False) -> Visit:
    """The visitor's sandbox: the one in the URL, the session's, or a new one.

    The entry point reads it `fresh` once a run and hands it to the page (`hand_over`), which saves a
    few queries on every click.
    """
    handed = st.session_state.pop(THIS_RUN, None)
    if isinstance(handed, Visit) and not fresh:
        return handed
    leave_legacy_pages_mode()
    store = get_store()
    wanted = st.query_params.get(SANDBOX) or st.session_state.get(SANDBOX)
    if wanted:
        try:
            sandbox = store.get_sandbox(wanted)
        except UnknownSandbox:
            unknown_sandbox()
    else:
        sandbox = store.create_sandbox()
    st.session_state[SANDBOX] = sandbox.id
    if st.query_params.get(SANDBOX) != sandbox.id:
        st.query_params[SANDBOX] = sandbox.id
    return Visit(store, sandbox, store.facts(sandbox.id))


def hand_over(current: Visit) -> None:
    """Let the page about to run use the visit the entry point just read."""
    st.session_state[THIS_RUN] = current


def unknown_sandbox() -> NoReturn:
    """A friendly stop for a link to a sandbox that does not exist, with a way out."""
    st.session_state.pop(SANDBOX, None)
    st.header(text("app", "sandbox_unknown_title"), anchor=False)
    st.write(text("app", "sandbox_unknown_body"))
    if st.button(text("app", "sandbox_new"), type="primary", key="new_sandbox"):
        st.query_params.clear()
        st.rerun()
    st.stop()


def go(page: str, /, **params: Any) -> NoReturn:
    """Open another page of the app, keeping the sandbox in the URL (`page` positional only: the root URL
    passes on parameters of any name, `?page=` too)."""
    query = {
        SANDBOX: st.session_state[SANDBOX],
        LANG: current(),
        **{k: str(v) for k, v in params.items() if v is not None},
    }
    st.switch_page(PAGES[page], query_params=query)


CLASS_LINK, TRAINING_PAGE, TRAINER_PAGE = "class", "training", "trainer"


def home() -> None:
    """The root URL opens the walkthrough, keeping any query parameters (so `/walkthrough` links work too); a
    class link opens Training instead, where the trainee joins."""
    params = {key: st.query_params.get(key) for key in st.query_params if key not in (SANDBOX, LANG)}
    go(TRAINING_PAGE if CLASS_LINK in params else "walkthrough", **params)


def follow_class_link(page: str) -> None:
    """A class link (`?class=`) is honoured on any page: it opens Training, where the trainee joins the class (the
    trainer's dashboard reads it as the class to show)."""
    if page not in (TRAINING_PAGE, TRAINER_PAGE) and st.query_params.get(CLASS_LINK):
        go(TRAINING_PAGE, **{CLASS_LINK: st.query_params.get(CLASS_LINK)})
