"""Hostile input: a hypothesis fuzz of every text box, file box and query parameter the app reads.

Every value is tried on the page that reads it under AppTest, and each run must show:

(a) no uncaught exception: `at.exception` is empty and no element shows a Python traceback;
(b) plain words: every st.info / st.warning / st.error / st.success on the page (sidebar included) is one of
    the app's own texts (a template of guide/content/text/*.json, its placeholders filled with anything), and a
    rejected value gets the specific one that says why; user text the page repeats is escaped markdown
    (`plain()`: every markup character escaped, so it reads as typed) and never used as a format template;
(c) the store unchanged by what is rejected: the snapshot is every row of every table of the database
    (sandboxes, orders, events, progress, classes, trainees, attempts), taken before and after the value.

What an *accepted* value may change, exactly (anything else is a failure):

- the search box (My Orders, the walkthrough's step 3): nothing but the sandbox's "searched" fact, set to "yes";
- a message to the seller (Contact seller, the walkthrough's step 8, a training case), when not blank and at
  most MESSAGE_MAX_CHARS: that order's row and events in its sandbox (one `message_sent` by the buyer holding
  the text exactly as typed) and that sandbox's "messaged_seller" fact;
- a trainee name (clean_name accepts the first 60 characters, all the box keeps): one new trainee, cleaned;
- a new class name (the same, 80 characters): one new class with the cleaned name and no orders;
- `sandbox` empty (none named): one new sandbox with its demo orders; `order` naming a real order: the
  walkthrough facts about it ("opened_order", "viewed_refund"); `attempt` naming one of the trainee's own
  attempts ("01" too): the case's "opened_order" fact in the attempt's sandbox.

Every other query parameter, the trainer passcode and the class-orders file (no generated file is a valid
Order JSON v1 list) change nothing, accepted or not.

Hostile values are a fixed list (SQL, HTML and script, markdown, format templates, path traversal, 5,000
characters, control and bidi characters, emoji, numbers at the limits, blanks), always tried through @example,
plus hypothesis's own text and mixes of the two. TRIED counts the values tried per input; the module prints
the totals at the end of the run.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select
from streamlit.testing.v1 import AppTest

import guide.content
from guide.content import text
from guide.db import metadata
from guide.lifecycle import MESSAGE_MAX_CHARS
from guide.store import SANDBOX_ID, Store
from guide.training import scenarios
from guide.training_store import NAME_MAX, REPLY_MAX, TOKEN, TrainingInputError, TrainingStore, clean_name
from guide.ui import passcode as passcode_ui
from guide.ui.state import PAGES
from guide.ui.widgets import plain
from guide.walkthrough import steps
from tests.pages.helpers import new_app, open_page

# --- the hostile values ---------------------------------------------------------------------------------------

NASTIES: list[str] = [
    # SQL and LIKE wildcards
    "' OR 1=1 --",
    '"; DROP TABLE orders; --',
    "%",
    "_",
    "\\",
    "%' OR '%'='",
    # HTML, script and markdown
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "**bold** _it_ `code` # h1 > quote",
    ":red[red] :material/home: $x^2$ ~~gone~~",
    "&lt;b&gt; &#60;",
    # templates: str.format, printf, shell, Jinja
    "{{7*7}}",
    "{0}",
    "%s",
    "${x}",
    "{name}",
    "{",
    "{0.__class__.__mro__}",
    "{value:.0%}",
    # path traversal
    "../../etc/passwd",
    "..%2F..%2F",
    "C:\\Windows\\win.ini",
    # 5,000 characters
    "A" * 5000,
    "{}" * 2500,
    # control characters and line separators
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\r\n",
    "line\r\nbreak",
    "\u2028",
    "\x7f\x08",
    # right to left
    "\u202e",
    "abc\u202edef",
    "\u200f",
    "\u2066x\u2069",
    # emoji, ZWJ sequences, flags, skin tones
    "😀",
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🇺🇦 👍🏽",
    # numbers at the limits
    "-1",
    "0",
    str(10**30),
    "9223372036854775808",
    "1e309",
    "NaN",
    "inf",
    "-0",
    " 1 ",
    "1.5",
    "0x10",
    "１",
    "²",
    "٣",
    "00000000001",
    # blanks
    "",
    " ",
    "\t\n",
    "\u3000\u00a0",
]
# What a file box gets on top: JSON that the decoder itself chokes on, and valid JSON of the wrong shape.
FILE_NASTIES: list[str] = [
    "1" * 5000,
    '[{"id": ' + "9" * 5000 + "}]",
    "[" * 100_000,
    '{"orders": ' * 3000,
    "\ufeff[]",
    "[]",
    "{}",
    "null",
    '{"orders": null}',
    "[null, 1, []]",
    '[{"id": "<script>alert(1)</script>"}]',
    '[{"id": "' + "\\ud800" + '"}]',
]
GENERATED = 15  # generated values per input, on top of the fixed ones
PASSCODE = "correct horse battery staple"

TRIED: Counter[str] = Counter()
Place = TypeVar("Place")  # where a box appears: a session key, a page name, or None for the home page


def hostile() -> st.SearchStrategy[str]:
    """The fixed nasties, hypothesis's own text (no lone surrogates: no browser can send one), mixes of the two,
    and long repetitions."""
    generated = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)
    nasty = st.sampled_from(NASTIES)
    return st.one_of(
        nasty,
        generated,
        st.tuples(nasty, generated, nasty).map("".join),
        st.lists(nasty, min_size=2, max_size=4).map("".join),
        st.tuples(nasty, st.integers(2, 400)).map(lambda pair: (pair[0] * pair[1])[:6000]),
    )


def fuzz(
    name: str,
    check: Callable[[Any], None],
    strategy: st.SearchStrategy[Any] | None = None,
    examples: Iterable[Any] = (),
    fixed: Iterable[Any] = tuple(NASTIES),
    max_examples: int = GENERATED,
) -> None:
    """Run `check` on every fixed value and `max_examples` generated ones, counting them in TRIED[name]."""

    def attempt(value: Any) -> None:
        TRIED[name] += 1
        check(value)

    attempt.__name__ = attempt.__qualname__ = "hostile_" + re.sub(r"\W+", "_", name)  # its own database key
    test = given(strategy if strategy is not None else hostile())(attempt)
    for value in [*fixed, *examples]:
        test = example(value)(test)
    settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )(test)()


@pytest.fixture(scope="module", autouse=True)
def report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print how many values each input got (the figures docs/RELIABILITY.md quotes)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not TRIED:
        return
    with capture.global_and_fixture_disabled():  # printed under -q too, not kept as the teardown's output
        reporter.write_line("")
        reporter.write_line(f"hostile input: {sum(TRIED.values())} values over {len(TRIED)} inputs")
        for name, count in sorted(TRIED.items()):
            reporter.write_line(f"  {name}: {count}")


# --- what a page shows ------------------------------------------------------------------------------------------


def _own_texts() -> list[re.Pattern[str]]:
    """Every text of guide/content/text/*.json as a pattern, each placeholder matching anything. Templates with
    hardly any words of their own ("{level}", "{low} – {high}") are left out: they would match any text."""
    folder = Path(guide.content.__file__).parent / "text"
    patterns = []
    for path in sorted(folder.glob("*.json")):
        for entries in json.loads(path.read_text("utf-8")).values():
            for template in entries.values():
                parts = list(string.Formatter().parse(template))
                own_words = "".join(literal for literal, *_ in parts).strip()
                if len(own_words) < 8 and any(field is not None for _, field, *_ in parts):
                    continue
                body = "".join(
                    re.escape(literal) + ("(?:.*?)" if field is not None else "") for literal, field, *_ in parts
                )
                patterns.append(re.compile(body, re.DOTALL))
    return patterns


OWN_TEXTS = _own_texts()
ALERTS = ("info", "warning", "error", "success")
TRACEBACK = "Traceback (most recent call last)"
# The characters Streamlit's markdown gives a meaning (CommonMark, GFM, :emoji:, :color[], $math$, HTML, entities).
MARKUP = set("\\`*_{}[]()#+-.!|<>$~:=^&")


def is_own_text(body: str) -> bool:
    return any(pattern.fullmatch(body) for pattern in OWN_TEXTS)


def alerts(at: AppTest) -> list[tuple[str, str]]:
    """(kind, body) of every alert on the page, the sidebar's included."""
    return [(kind, str(element.value)) for kind in ALERTS for element in getattr(at, kind)]


def check_page(at: AppTest) -> None:
    """(a) and the first half of (b): no exception, no traceback anywhere, only the app's own alerts."""
    assert not at.exception, [e.value for e in at.exception]
    for kind in ("markdown", "caption", "code", "text", "header", "subheader", *ALERTS):
        for element in getattr(at, kind):
            assert TRACEBACK not in str(element.value), element.value
    for kind, body in alerts(at):
        assert is_own_text(body), f"st.{kind} is not one of the app's texts: {body[:300]!r}"


def squash(value: str) -> str:
    """Runs of white space as one space: st.markdown strips and dedents its body, which is no markup."""
    return " ".join(value.split())


def as_typed(markdown: str) -> str | None:
    """What a reader sees of `markdown` that only escapes characters (and breaks lines with two spaces), or None
    when a markup character in it is not escaped (so the markdown means something the user did not type)."""
    seen: list[str] = []
    i = 0
    while i < len(markdown):
        char = markdown[i]
        if char == "\\" and i + 1 < len(markdown) and markdown[i + 1] in MARKUP:
            seen.append(markdown[i + 1])
            i += 2
            continue
        if char in MARKUP:
            return None
        seen.append(char)
        i += 1
    return "".join(seen).replace("  \n", "\n")


# --- what the store holds ---------------------------------------------------------------------------------------

Snapshot = dict[str, set[tuple[Any, ...]]]


def snapshot(store: Store) -> Snapshot:
    """Every row of every table the database has: (c) compares two of these. (A table of a module imported later,
    such as the LRS queue, is made when its page first needs it.)"""
    present = set(inspect(store.engine).get_table_names())
    with store.engine.connect() as conn:
        return {
            name: {tuple(row) for row in conn.execute(select(table))}
            for name, table in metadata.tables.items()
            if name in present
        }


def changes(before: Snapshot, after: Snapshot) -> dict[str, tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]]:
    """Per changed table: (rows gone, rows new). A row updated in place is one of each."""
    return {
        name: (before[name] - after[name], after[name] - before[name]) for name in before if before[name] != after[name]
    }


def only_facts(diff: dict[str, Any], sandbox: str, allowed: dict[str, set[str]]) -> None:
    """The only change is to progress rows of `sandbox` whose fact is allowed, set to an allowed value."""
    assert set(diff) <= {"progress"}, diff
    if "progress" in diff:
        gone, new = diff["progress"]
        for row in gone | new:
            assert row[0] == sandbox and row[1] in allowed, row
        for row in new:
            assert row[2] in allowed[row[1]], row


# --- fixtures and small steps ---------------------------------------------------------------------------------


@pytest.fixture
def training(store: Store) -> TrainingStore:
    """The training tables exist before the first snapshot, and so does every other table this run imported (the
    certificates, the LRS queue), as the pages create them on first use."""
    training = TrainingStore(store)
    metadata.create_all(store.engine)
    return training


@pytest.fixture
def unlocked(monkeypatch: pytest.MonkeyPatch, sandbox: str, training: TrainingStore) -> Callable[[], AppTest]:
    """The trainer dashboard, unlocked with the passcode (no waiting after wrong ones)."""
    monkeypatch.setenv("CANCEL_COACH_TRAINER_PASSCODE", PASSCODE)
    monkeypatch.setattr(passcode_ui, "slow_down", lambda seconds: None)

    def opened() -> AppTest:  # on the Classes tab, where the class name and orders file are typed
        at = open_page("trainer", sandbox, trainer_tab=text("trainer", "tab_classes"))
        at.text_input(key="trainer_passcode_input").set_value(PASSCODE)
        return click(at, text("trainer", "unlock"))

    return opened


def click(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def upload_class_orders(at: AppTest, class_id: str, payload: bytes) -> AppTest:
    """Choose the file in the class's file box and click Load (which shows once a file is chosen)."""
    at.file_uploader(key=f"class_orders_{class_id}").upload("orders.json", payload, "application/json")
    load = [b for b in at.button if b.key == f"class_load_{class_id}"]
    if not load:
        at.run()
        at.file_uploader(key=f"class_orders_{class_id}").upload("orders.json", payload, "application/json")
        load = [b for b in at.button if b.key == f"class_load_{class_id}"]
    return load[0].click().run()


class Reused:
    """One AppTest kept across examples (a text box can be typed into again), opened anew when needed."""

    def __init__(self, opener: Callable[[], AppTest]) -> None:
        self.opener = opener
        self.at: AppTest | None = None

    def get(self) -> AppTest:
        if self.at is None:
            self.at = self.opener()
            check_page(self.at)
        return self.at


# --- the text boxes ---------------------------------------------------------------------------------------------


def test_the_checks_can_fail() -> None:
    """The own-text and as-typed checks are not vacuous: they refuse text the app did not write or escape."""
    assert is_own_text(text("app", "order_unknown")) and is_own_text(text("walkthrough", "step_unknown", step="x"))
    assert not any(is_own_text(value) for value in ("' OR 1=1 --", "<script>alert(1)</script>", TRACEBACK, "x"))
    assert as_typed("a\\_b  \ncd") == "a_b\ncd" and as_typed("a_b") is None and as_typed("[x](y)") is None


def test_plain_shows_any_text_as_typed() -> None:
    """plain() is what every page uses to repeat user text in markdown: every markup character escaped."""

    def check(value: str) -> None:
        assert as_typed(plain(value)) == value

    fuzz("plain()", check, max_examples=300)


def placed(placements: Sequence[Place], values: Iterable[Any]) -> list[tuple[Place, Any]]:
    """The fixed values spread over the places a box appears, in turn."""
    return [(placements[n % len(placements)], value) for n, value in enumerate(values)]


SEARCH_BOXES = {"my_orders": "my_orders_page_search", "walkthrough": "walk_orders_search"}


def test_the_my_orders_search(store: Store, sandbox: str) -> None:
    """The search box on My Orders and in the walkthrough's step 3 (one panel, two places)."""
    sessions = {
        "my_orders": Reused(lambda: open_page("my_orders", sandbox)),
        "walkthrough": Reused(lambda: open_page("walkthrough", sandbox, step="3")),
    }

    def check(case: tuple[str, str]) -> None:
        place, query = case
        at = sessions[place].get()
        before = snapshot(store)
        at.text_input(key=SEARCH_BOXES[place]).set_value(query).run()
        check_page(at)
        only_facts(changes(before, snapshot(store)), sandbox, {"searched": {"yes"}})
        if query.strip():
            assert store.facts(sandbox)["searched"] == "yes"

    cases = st.tuples(st.sampled_from(list(sessions)), hostile())
    fuzz("my_orders search", check, strategy=cases, fixed=placed(list(sessions), NASTIES))


def test_the_message_to_the_seller(store: Store, sandbox: str, training: TrainingStore) -> None:
    """The message box on Contact seller, in the walkthrough's step 8 and in a training case (one panel)."""
    order_id = store.list_orders(sandbox)[0].id
    trainee = training.create_trainee("Ana")
    attempt = training.start_attempt(trainee.id, "e05-shipped-phone-case")
    case_order = scenarios()[attempt.scenario_id].order.id
    store.record(attempt.sandbox_id, "opened_order", case_order)  # the trainee opened the order's details
    places: dict[str, tuple[Reused, str, str, str]] = {  # the page, its sandbox, the order and the box's key
        "contact_seller": (
            Reused(lambda: open_page("contact_seller", sandbox, order=order_id)),
            sandbox,
            order_id,
            f"contact_{order_id}",
        ),
        "walkthrough": (
            Reused(lambda: open_page("walkthrough", sandbox, step="8", order=order_id)),
            sandbox,
            order_id,
            f"walk_contact_{order_id}",
        ),
        "training": (
            Reused(lambda: open_page("training", sandbox, trainee=trainee.id, attempt=str(attempt.id))),
            attempt.sandbox_id,
            case_order,
            f"train_{attempt.id}_contact",
        ),
    }

    def check(case: tuple[str, str]) -> None:
        place, message = case
        session, owner, order, key = places[place]
        at = session.get()
        before = snapshot(store)
        at.text_area(key=f"{key}_text").set_value(message)
        at.button(key=f"{key}_send").click().run()
        check_page(at)
        diff = changes(before, snapshot(store))
        if not message.strip() or len(message) > MESSAGE_MAX_CHARS:
            assert diff == {}
            wanted = "message_empty" if not message.strip() else "message_too_long"
            assert ("error", text("errors", wanted, limit=MESSAGE_MAX_CHARS)) in alerts(at)
            return
        assert set(diff) <= {"orders", "events", "progress"}, diff
        assert {row[:2] for row in diff["orders"][0] | diff["orders"][1]} == {(owner, order)}
        gone, new = diff["events"]
        assert not gone and {row[:2] for row in new} == {(owner, order)}
        sent = [json.loads(row[6]) for row in new if row[4] == "message_sent" and row[5] == "buyer"]
        assert [data["text"] for data in sent] == [message]
        only_facts({"progress": diff["progress"]} if "progress" in diff else {}, owner, {"messaged_seller": {order}})
        shown = [squash(as_typed(str(m.value)) or "") for m in at.main.markdown]
        assert squash(message) in shown, "the conversation shows the message as typed, never as markdown"

    cases = st.tuples(st.sampled_from(list(places)), hostile())
    fuzz("contact_seller message", check, strategy=cases, fixed=placed(list(places), NASTIES))


def test_the_reply_to_the_customer(store: Store, sandbox: str, training: TrainingStore) -> None:
    """The training case's reply box: whatever is typed is scored and kept exactly as typed with the attempt,
    and the feedback shows only the app's own texts."""
    trainee = training.create_trainee("Ana")
    scenario = scenarios()["e02-earbuds-gift-duplicate"]

    def check(reply: str) -> None:
        attempt = training.start_attempt(trainee.id, scenario.id)
        at = open_page("training", sandbox, trainee=trainee.id, attempt=str(attempt.id))
        for question, key in scenario.answers.items():
            at.radio(key=f"answer_{attempt.id}_{question.value}").set_value(key.answer)
        at.text_area(key=f"answer_{attempt.id}_reply").set_value(reply)
        at = click(at, text("trainee", "submit"))
        check_page(at)
        saved = training.get_attempt(trainee.id, attempt.id)
        # The box keeps the first max_chars of a longer paste; a longer reply sent anyway is refused by
        # TrainingStore.submit (tests/guide/test_training_modes.py).
        assert saved.record is not None and saved.record.reply == reply[:REPLY_MAX]
        assert saved.result is not None and 0.0 <= saved.result.score <= 1.0

    fuzz("training reply", check, examples=["x" * (REPLY_MAX + 1), "<script>alert(1)</script> by Friday"])


def test_the_trainee_name(store: Store, sandbox: str, training: TrainingStore) -> None:
    session = Reused(lambda: open_page("training", sandbox))

    def check(name: str) -> None:
        at = session.get()
        before = snapshot(store)
        at.text_input(key="trainee_name").set_value(name)
        at = click(at, text("trainee", "start"))
        if "trainee" in at.query_params:
            session.at = None  # signed in: the next name needs a new visitor
        check_page(at)
        diff = changes(before, snapshot(store))
        try:
            cleaned = clean_name(name[:NAME_MAX])  # the box keeps the first max_chars of a longer paste
        except TrainingInputError as refused:
            assert diff == {}
            assert ("error", str(refused)) in alerts(at)
            return
        assert set(diff) == {"trainees"} and not diff["trainees"][0]
        [(trainee_id, saved, class_id, _)] = diff["trainees"][1]
        assert (saved, class_id) == (cleaned, None)
        assert at.query_params["trainee"] == trainee_id
        hello = text("trainee", "hello", name=plain(cleaned))
        assert any(str(c.value).startswith(hello + " · ") for c in at.caption), "the name is shown as typed"

    fuzz("training trainee name", check)


def test_the_trainer_passcode(store: Store, sandbox: str, unlocked: Callable[[], AppTest]) -> None:
    session = Reused(lambda: open_page("trainer", sandbox))

    def check(passcode: str) -> None:
        at = session.get()
        before = snapshot(store)
        at.text_input(key="trainer_passcode_input").set_value(passcode)
        at = click(at, text("trainer", "unlock"))
        check_page(at)
        diff = changes(before, snapshot(store))
        # The one write a wrong passcode makes: the shared count of wrong guesses, one more (guide.passcode_guard).
        gone, new = diff.pop("passcode_guesses", (set(), set()))
        was = next(iter(gone))[1] if gone else 0  # the first wrong guess makes the row
        assert [row[1] for row in new] == [was + 1], (gone, new)
        assert diff == {}
        assert ("error", text("trainer", "wrong")) in alerts(at)
        assert not at.dataframe and not [b for b in at.button if b.key == "trainer_lock"]

    fuzz("trainer passcode", check, examples=[PASSCODE.upper(), PASSCODE + " ", PASSCODE[:-1]])


def test_the_new_class_name(store: Store, training: TrainingStore, unlocked: Callable[[], AppTest]) -> None:
    session = Reused(unlocked)

    def check(name: str) -> None:
        at = session.get()
        before = snapshot(store)
        at.text_input(key="new_class_name").set_value(name)
        at = click(at, text("trainer", "create_class"))
        check_page(at)
        diff = changes(before, snapshot(store))
        try:
            cleaned = clean_name(name[:80], 80)  # the box keeps the first 80 characters
        except TrainingInputError as refused:
            assert diff == {}
            assert ("error", str(refused)) in alerts(at)
            return
        assert set(diff) == {"classes"} and not diff["classes"][0]
        [(_, saved, scenario_ids, orders, _, mode, archived_at)] = diff["classes"][1]
        assert (saved, scenario_ids, orders, mode, archived_at) == (cleaned, "[]", "[]", "practice", None)
        assert ("success", text("trainer", "created", name=plain(cleaned))) in alerts(at)
        assert plain(cleaned) in [e.label for e in at.expander], "the class is listed under its name as typed"

    fuzz("trainer new class name", check, max_examples=10)


def test_the_class_orders_file(store: Store, training: TrainingStore, unlocked: Callable[[], AppTest]) -> None:
    group = training.create_class("Night shift")
    session = Reused(unlocked)
    files = st.one_of(hostile(), st.sampled_from(FILE_NASTIES)).map(lambda value: value.encode("utf-8"))
    raw = [b"\xff\xfe\x00", b"\x00" * 64, b"\xef\xbb\xbf[{}]", b"\x89PNG\r\n\x1a\n"]

    def check(payload: bytes) -> None:
        at = session.get()
        before = snapshot(store)
        at = upload_class_orders(at, group.id, payload)
        check_page(at)
        assert changes(before, snapshot(store)) == {}, "a refused file changes nothing"
        assert [kind for kind, _ in alerts(at) if kind == "error"], "a refused file says why"

    fixed = [value.encode("utf-8") for value in [*NASTIES, *FILE_NASTIES]] + raw
    fuzz("trainer class orders file", check, strategy=files, fixed=fixed)


# --- the query parameters ---------------------------------------------------------------------------------------

EVERY_PAGE: list[str | None] = [None, *PAGES]


def test_the_sandbox_parameter_on_every_page(store: Store, sandbox: str) -> None:
    """An unknown sandbox stops every page with the friendly header and creates nothing; none creates one."""
    values = st.one_of(hostile(), st.from_regex(SANDBOX_ID.pattern, fullmatch=True))
    cases = st.tuples(st.sampled_from(EVERY_PAGE), values)

    def check(case: tuple[str | None, str]) -> None:
        page, value = case
        before = snapshot(store)
        at = open_page(page, value)
        check_page(at)
        diff = changes(before, snapshot(store))
        if value == sandbox:
            assert diff == {}
        elif not value:
            assert len(diff["sandboxes"][1]) == 1 and not diff["sandboxes"][0], "no sandbox named: a new one"
        else:
            assert diff == {}
            assert [str(h.value) for h in at.header] == [text("app", "sandbox_unknown_title")]
            assert text("app", "sandbox_unknown_body") in [str(m.value) for m in at.markdown]

    fixed = placed(EVERY_PAGE, NASTIES)
    fuzz("?sandbox= (every page)", check, strategy=cases, fixed=fixed, examples=[(None, sandbox), ("rules", sandbox)])


ORDER_WARNINGS: dict[str, Callable[[str], str | None]] = {
    "order_details": lambda value: text("app", "order_unknown") if value else text("app", "pick_order_first"),
    "contact_seller": lambda value: text("app", "order_unknown") if value else None,
    "walkthrough": lambda value: text("app", "order_unknown") if value else None,
    "refunds": lambda value: text("app", "order_unknown") if value else None,
}


@pytest.mark.parametrize("page", list(ORDER_WARNINGS))
def test_the_order_parameter(store: Store, sandbox: str, page: str) -> None:
    """An order the sandbox does not have is named as such and records nothing; a real one only the walkthrough
    facts about it."""
    real = store.list_orders(sandbox)[-1].id
    values = st.one_of(hostile(), st.from_regex(r"[0-9]{1,20}", fullmatch=True))

    def check(value: str) -> None:
        before = snapshot(store)
        at = open_page(page, sandbox, order=value)
        check_page(at)
        only_facts(changes(before, snapshot(store)), sandbox, {"opened_order": {real}, "viewed_refund": {"", real}})
        warning = ("warning", ORDER_WARNINGS[page](value))
        if value == real:
            assert warning not in alerts(at)
        elif warning[1] is not None:
            assert warning in alerts(at)
            assert changes(before, snapshot(store)) == {}

    fuzz(f"?order= ({page})", check, strategy=values, examples=[real, "0" + real, real + "\x00", f" {real}"])


STEP_UNKNOWN = re.compile(
    "(.*)".join(re.escape(part) for part in text("walkthrough", "step_unknown", step="\x00").split("\x00")), re.DOTALL
)


def test_the_step_parameter(store: Store, sandbox: str) -> None:
    total = len(steps())
    values = st.one_of(hostile(), st.integers(-(10**20), 10**20).map(str))

    def check(value: str) -> None:
        before = snapshot(store)
        at = open_page("walkthrough", sandbox, step=value)
        check_page(at)
        assert changes(before, snapshot(store)) == {}
        said = [found.group(1) for _, body in alerts(at) if (found := STEP_UNKNOWN.fullmatch(body))]
        if re.fullmatch(r"[0-9]{1,3}", value) and 1 <= int(value) <= total:
            assert at.query_params["step"] == str(int(value)) and not said
            return
        assert len(said) == 1 and at.query_params["step"] == "1"
        echoed = as_typed(said[0])
        assert echoed is not None, "the step is quoted as typed, never as markdown"
        assert not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in echoed), "one visible line"
        visible = "".join(c for c in re.sub(r"\s", " ", value) if unicodedata.category(c) not in ("Cc", "Cf"))
        assert len(echoed) <= 40 and visible.startswith(echoed)

    fuzz("?step= (walkthrough)", check, strategy=values, examples=["1", "9", "10", "09", "001"])


def test_the_trainee_parameter(store: Store, sandbox: str, training: TrainingStore) -> None:
    trainee = training.create_trainee("Ana")
    values = st.one_of(hostile(), st.from_regex(TOKEN.pattern, fullmatch=True))

    def check(value: str) -> None:
        before = snapshot(store)
        at = open_page("training", sandbox, trainee=value)
        check_page(at)
        assert changes(before, snapshot(store)) == {}
        unknown = ("warning", text("trainee", "unknown"))
        if value == trainee.id:
            assert unknown not in alerts(at)
        elif value:
            assert unknown in alerts(at) and "trainee" not in at.query_params

    fuzz("?trainee= (training)", check, strategy=values, examples=[trainee.id, trainee.id.upper(), trainee.id + " "])


def test_the_attempt_parameter(store: Store, sandbox: str, training: TrainingStore) -> None:
    """Only the trainee's own attempts open: someone else's attempt id is as unknown as garbage."""
    trainee, other = training.create_trainee("Ana"), training.create_trainee("Bo")
    mine = training.start_attempt(trainee.id, "e01-unpaid-wrong-size")
    theirs = training.start_attempt(other.id, "e01-unpaid-wrong-size")
    values = st.one_of(hostile(), st.integers(-(10**12), 10**12).map(str))

    def check(value: str) -> None:
        before = snapshot(store)
        at = open_page("training", sandbox, trainee=trainee.id, attempt=value)
        check_page(at)
        diff = changes(before, snapshot(store))
        unknown = ("warning", text("trainee", "attempt_unknown"))
        if re.fullmatch(r"[0-9]{1,11}", value) and int(value) == mine.id:  # "01" is attempt 1 too
            only_facts(diff, mine.sandbox_id, {"opened_order": {scenarios()[mine.scenario_id].order.id}})
            assert unknown not in alerts(at)
        else:
            assert diff == {}
            assert unknown in alerts(at) and "attempt" not in at.query_params

    fuzz("?attempt= (training)", check, strategy=values, examples=[str(mine.id), str(theirs.id), f"0{mine.id}"])


def test_the_class_parameter(store: Store, sandbox: str, training: TrainingStore) -> None:
    """A class link shows the class's name as typed; anything else says the link is not valid."""
    group = training.create_class("<b>Night</b> {name} *shift* $x$")

    def check(value: str) -> None:
        before = snapshot(store)
        at = open_page("training", sandbox, **{"class": value})
        check_page(at)
        assert changes(before, snapshot(store)) == {}
        if value == group.id:
            assert ("info", text("trainee", "class_joined", name=plain(group.name))) in alerts(at)
        elif value:
            assert ("warning", text("trainee", "class_unknown")) in alerts(at)

    values = st.one_of(hostile(), st.from_regex(TOKEN.pattern, fullmatch=True))
    fuzz("?class= (training)", check, strategy=values, examples=[group.id, group.id + "\x00", group.id[:-1]])


def test_any_parameter_on_the_root_url(store: Store, sandbox: str) -> None:
    """The root URL passes every parameter on to the walkthrough, whatever its name."""
    known = ["page", "order", "step", "trainee", "attempt", "class", "sandbox_", "embed", "embed_options"]
    names = st.one_of(st.sampled_from(known), hostile()).filter(lambda name: name != "sandbox")
    cases = st.tuples(names, hostile())

    def check(case: tuple[str, str]) -> None:
        name, value = case
        before = snapshot(store)
        at = new_app()
        at.query_params.update({"sandbox": sandbox, name: value})
        at.run()
        check_page(at)
        assert changes(before, snapshot(store)) == {}

    # Each nasty once, as a value (of a name the app knows) or as a name: the root URL runs two pages a value.
    fixed = [(known[n % len(known)], value) if n % 2 else (value, "x") for n, value in enumerate(NASTIES)]
    fuzz("root URL, any parameter", check, strategy=cases, fixed=fixed)


# --- the failures the fuzz found, one regular test each -------------------------------------------------------


def test_a_parameter_named_page_on_the_root_url_is_passed_on(store: Store, sandbox: str) -> None:
    """go(page, **params) took `?page=` for its own argument: a TypeError on the root URL."""
    at = new_app()
    at.query_params.update({"sandbox": sandbox, "page": "x"})
    at.run()
    check_page(at)
    assert [str(t.value) for t in at.title] == [text("walkthrough", "title")]
    assert at.query_params["page"] == "x"


def test_an_unknown_order_on_the_refunds_page_is_named_and_records_nothing(store: Store, sandbox: str) -> None:
    """The refunds page saved any `?order=` as the "viewed_refund" fact, hostile text included."""
    before = snapshot(store)
    at = open_page("refunds", sandbox, order="' OR 1=1 --")
    check_page(at)
    assert ("warning", text("app", "order_unknown")) in alerts(at)
    assert changes(before, snapshot(store)) == {}
    assert "order" not in at.query_params
    assert at.dataframe, "the refunds are still listed"


def test_an_unknown_step_is_quoted_on_one_visible_line(store: Store, sandbox: str) -> None:
    """The quoted step kept line breaks and bidi controls: a blank line split the warning, U+202E turned the
    rest of it right to left."""
    at = open_page("walkthrough", sandbox, step="1\n\n# x\u202e\x1b[0m y")
    check_page(at)
    assert ("warning", text("walkthrough", "step_unknown", step="1  \\# x\\[0m y")) in alerts(at)


def test_a_class_orders_file_with_a_lone_surrogate_lists_the_bad_row(
    store: Store, training: TrainingStore, unlocked: Callable[[], AppTest]
) -> None:
    """A JSON "\\ud800" escape in an order id reached the error table, which could not be sent: a traceback."""
    group = training.create_class("Night shift")
    at = upload_class_orders(unlocked(), group.id, b'[{"id": "\\ud800"}]')
    check_page(at)
    problems = at.dataframe[-1].value
    assert ("error", text("errors", "import_rejected", count=len(problems), rows=1)) in alerts(at)
    assert set(problems["order_id"]) == {"\ufffd"}
    assert training.get_class(group.id).orders == []


def test_a_class_orders_file_with_a_huge_number_is_refused_plainly(
    store: Store, training: TrainingStore, unlocked: Callable[[], AppTest]
) -> None:
    """json.loads raises a bare ValueError past Python's 4,300-digit limit for integers: a traceback."""
    group = training.create_class("Night shift")
    at = upload_class_orders(unlocked(), group.id, b'[{"id": ' + b"9" * 5000 + b"}]")
    check_page(at)
    assert ("error", text("errors", "import_not_json", where="")) in alerts(at)
    assert training.get_class(group.id).orders == []


def test_a_class_link_that_is_no_token_is_refused_before_any_lookup(
    store: Store, sandbox: str, training: TrainingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A NUL byte in `?class=` reached the SQL (a DataError on PostgreSQL); now nothing is looked up."""
    looked_up: list[str] = []
    monkeypatch.setattr(TrainingStore, "get_class", lambda self, class_id: looked_up.append(class_id))
    at = open_page("training", sandbox, **{"class": "A" * 20 + "\x00"})
    check_page(at)
    assert ("warning", text("trainee", "class_unknown")) in alerts(at)
    assert looked_up == []
