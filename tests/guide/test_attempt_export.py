"""The export for a learning system: xAPI 1.0.3 statements (checked against the statement's structure here),
their file, and the trainer's CSV with every mark, on both store backends."""

from __future__ import annotations

import csv
import inspect
import io
import json
import re
import uuid
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import insert

from guide import attempt_export
from guide.attempt_export import (
    ExportConfigError,
    attempts_csv,
    csv_headers,
    iso_duration,
    public_url,
    statement_id,
    xapi_chunks,
    xapi_file,
    xapi_statements,
)
from guide.content import cancel_reasons, text
from guide.export import FORMULA_START
from guide.profile import get_profile
from guide.scoring import Check, Mark, answer_shown
from guide.store import Store
from guide.training import Difficulty, Mode, Question, certificate_rule, scenarios
from guide.training_records import attempts
from guide.training_store import Trainee, TrainingStore

BASE = "https://coach.example.org"
EASY, SHIPPED = "e01-unpaid-wrong-size", "e05-shipped-phone-case"
STARTED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version"}
# ISO 8601 durations as xAPI uses them (4.6 ISO 8601 Durations): at least one part, seconds may have a fraction.
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
ZONED = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


# --- a small xAPI 1.0.3 checker ----------------------------------------------------------------------------


def absolute_iri(value: object) -> bool:
    parts = urlsplit(str(value))
    return isinstance(value, str) and parts.scheme in ("http", "https") and bool(parts.netloc)


def language_map(value: object) -> bool:
    return isinstance(value, dict) and bool(value) and all(re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", k) for k in value)


def check_activity(activity: dict[str, Any]) -> None:
    assert activity.get("objectType", "Activity") == "Activity"
    assert absolute_iri(activity["id"]), activity
    definition = activity.get("definition", {})
    assert set(definition) <= {"name", "description", "type", "extensions"}
    assert "name" not in definition or language_map(definition["name"])
    assert "type" not in definition or absolute_iri(definition["type"])


def check_statement(statement: dict[str, Any]) -> None:
    """The structure xAPI 1.0.3 requires of a statement a learning record provider sends."""
    assert set(statement) <= STATEMENT_KEYS, set(statement) - STATEMENT_KEYS
    assert {"actor", "verb", "object"} <= set(statement)
    assert str(uuid.UUID(statement["id"])) == statement["id"]  # the canonical form
    actor = statement["actor"]
    assert actor["objectType"] == "Agent" and isinstance(actor["name"], str)
    assert {"mbox", "mbox_sha1sum", "openid", "account"} & set(actor) == {"account"}  # one identifier exactly
    assert absolute_iri(actor["account"]["homePage"]) and actor["account"]["name"]
    assert absolute_iri(statement["verb"]["id"]) and language_map(statement["verb"]["display"])
    check_activity(statement["object"])
    result, score = statement["result"], statement["result"]["score"]
    assert -1 <= score["scaled"] <= 1 and score["min"] <= score["raw"] <= score["max"]
    assert isinstance(result["success"], bool) and isinstance(result["completion"], bool)
    assert DURATION.fullmatch(result["duration"]), result["duration"]
    context = statement.get("context", {})
    assert set(context) <= {"contextActivities", "extensions", "registration", "platform", "language"}
    for kind, activities in context.get("contextActivities", {}).items():
        assert kind in {"parent", "grouping", "category", "other"} and isinstance(activities, list)
        for activity in activities:
            check_activity(activity)
    assert all(absolute_iri(key) for key in context.get("extensions", {}))
    stamp = statement["timestamp"]
    assert ZONED.search(stamp) and datetime.fromisoformat(stamp.replace("Z", "+00:00")).tzinfo is not None
    json.dumps(statement)  # plain JSON all the way down


BROKEN = [{"id": "not-a-uuid"}, {"object": {"id": "scenarios/e01"}}, {"timestamp": "2026-03-02T09:30:00"}]


@pytest.mark.parametrize("broken", [*BROKEN, {"result": {"score": {"scaled": 1.5, "raw": 150, "min": 0, "max": 100}}}])
def test_the_checker_refuses_what_xapi_refuses(store: Store, broken: dict[str, Any]):
    trainee = TrainingStore(store).create_trainee("Ada")
    add_attempt(store, trainee, EASY, 1.0)
    [good] = xapi_statements(store, None, BASE)
    check_statement(good)
    bad = good | broken | ({"result": good["result"] | broken["result"]} if "result" in broken else {})
    with pytest.raises((AssertionError, ValueError)):
        check_statement(bad)


# --- helpers ---------------------------------------------------------------------------------------------


def add_attempt(
    store: Store,
    trainee: Trainee,
    scenario_id: str,
    score: float,
    *,
    marks: list[dict[str, Any]] | None = None,
    record: dict[str, Any] | None = None,
    mode: Mode | None = Mode.PRACTICE,
    minutes: float = 0,
) -> None:
    """A scored attempt written straight into the table, as TrainingStore.submit() stores one."""
    started = STARTED + timedelta(minutes=minutes)
    row = {"trainee_id": trainee.id, "scenario_id": scenario_id, "sandbox_id": "x" * 22, "start_seq": 1}
    row |= {"started_at": started, "submitted_at": started + timedelta(minutes=3), "answers": "{}", "score": score}
    row |= {"marks": json.dumps(marks or []), "mode": mode.value if mode else None}
    with store.writing() as conn:
        conn.execute(insert(attempts).values(**row, record=json.dumps(record) if record is not None else None))


def worked(training: TrainingStore, trainee: Trainee, scenario_id: str, path: str | None = None) -> None:
    """A real attempt: started, then submitted with the key's answers (or another path)."""
    attempt = training.start_attempt(trainee.id, scenario_id)
    answers = {q: k.answer for q, k in scenarios()[scenario_id].answers.items()}
    if path:
        answers[Question.PATH] = path
    training.submit(trainee.id, attempt.id, answers, reply="We will look into it.")


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def col(key: str) -> str:
    return text("export_csv", key)


def mark(item: str, correct: bool, given: str = "", critical: bool = False) -> dict[str, Any]:
    return Mark(
        item=item, correct=correct, given=given, expected="", feedback="", rule="", critical=critical
    ).model_dump()


# --- statements --------------------------------------------------------------------------------------------


def test_every_statement_is_xapi_with_the_attempts_facts(store: Store):
    training = TrainingStore(store)
    group = training.create_class("Cohort A")
    ada, solo = training.create_trainee("Ada", group.id), training.create_trainee("Solo")
    worked(training, ada, EASY)
    worked(training, solo, SHIPPED, path="cancel_now")
    first, second = statements = list(xapi_statements(store, None, BASE))
    for statement in statements:
        check_statement(statement)
    assert first["actor"] == {"objectType": "Agent", "name": "Ada", "account": {"homePage": BASE, "name": ada.id}}
    assert first["object"]["id"] == f"{BASE}/scenarios/{EASY}"
    assert first["object"]["definition"]["name"] == {"en": scenarios()[EASY].title}
    assert first["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    [attempt] = training.attempts_of(ada.id)
    assert attempt.result is not None and attempt.record is not None
    assert first["result"]["score"]["scaled"] == pytest.approx(attempt.result.score, abs=1e-4)
    assert first["result"]["score"]["raw"] == pytest.approx(attempt.result.score * 100, abs=0.01)
    assert first["result"]["completion"] is True and first["result"]["duration"] == iso_duration(attempt.record.seconds)
    assert attempt.submitted_at is not None
    assert abs(datetime.fromisoformat(first["timestamp"]) - attempt.submitted_at) < timedelta(milliseconds=1)
    facts = {"level": "easy", "policy-profile": scenarios()[EASY].profile, "mode": "practice", "attempt-id": attempt.id}
    assert first["context"]["extensions"] == {f"{BASE}/xapi/{name}": value for name, value in facts.items()}
    assert first["context"]["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": f"{BASE}/classes/{group.id}", "definition": {"name": {"en": "Cohort A"}}}
    ]
    assert "contextActivities" not in second["context"]  # a trainee without a class: no grouping


def test_the_pass_mark_decides_passed_or_failed(store: Store):
    trainee = TrainingStore(store).create_trainee("Ada")
    mark_ = certificate_rule().pass_mark
    for score in (mark_, (1.0 + 0.7 + 0.7) / 3, mark_ - 0.01, 0.0, 1.0):  # the second is 0.7999999999999999
        add_attempt(store, trainee, EASY, score)
    verbs = [(s["verb"]["id"].rsplit("/", 1)[1], s["result"]["success"]) for s in xapi_statements(store, None, BASE)]
    passed, failed = ("passed", True), ("failed", False)
    assert verbs == [passed, passed, failed, failed, passed]
    displays = {s["verb"]["display"]["en"] for s in xapi_statements(store, None, BASE)}
    assert displays == {text("export_xapi", "passed"), text("export_xapi", "failed")}


def test_ids_are_the_same_on_every_export_and_differ_between_attempts(store: Store):
    training = TrainingStore(store)
    ada, ben = training.create_trainee("Ada"), training.create_trainee("Ben")
    for trainee in (ada, ben, ada):
        add_attempt(store, trainee, EASY, 0.5)
    once, again = ([s["id"] for s in xapi_statements(store, None, BASE)] for _ in range(2))
    assert once == again and len(set(once)) == 3
    first = training.attempts_of(ada.id)[0].id
    assert once[0] == statement_id(BASE, ada.id, first)
    assert statement_id("https://other.example.org", ada.id, first) != once[0]  # another app's same attempt id
    assert statement_id(BASE, ben.id, first) != once[0]  # another database's same attempt id (its own trainee)


def test_one_class_exports_only_its_trainees(store: Store):
    training = TrainingStore(store)
    a, b = training.create_class("A"), training.create_class("B")
    ada, ben = training.create_trainee("Ada", a.id), training.create_trainee("Ben", b.id)
    add_attempt(store, ada, EASY, 1.0)
    add_attempt(store, ben, EASY, 1.0)
    assert [s["actor"]["name"] for s in xapi_statements(store, a.id, BASE)] == ["Ada"]
    assert [r[col("trainee")] for r in rows_of(attempts_csv(store, b.id))] == ["Ben"]
    assert list(xapi_statements(store, "N" * 22, BASE)) == []  # a class that does not exist: nothing


@pytest.mark.parametrize("bad", ["", "a b", "x\x00" * 10, "' OR 1=1 --"])
def test_a_class_id_that_cannot_be_one_is_refused_before_any_sql(store: Store, bad: str):
    with pytest.raises(LookupError):
        next(xapi_statements(store, bad, BASE))
    with pytest.raises(LookupError):
        attempts_csv(store, bad)


def test_an_archived_class_keeps_its_name_and_an_assessment_says_so(store: Store):
    training = TrainingStore(store)
    group = training.create_class("Old cohort", mode=Mode.ASSESSMENT)
    ada = training.create_trainee("Ada", group.id)
    training.archive_class(group.id)
    add_attempt(store, ada, EASY, 1.0, mode=Mode.ASSESSMENT)
    add_attempt(store, ada, EASY, 1.0, mode=None)  # from before modes: practice
    first, old = xapi_statements(store, None, BASE)
    assert first["context"]["contextActivities"]["grouping"][0]["definition"]["name"] == {"en": "Old cohort"}
    assert first["context"]["extensions"][f"{BASE}/xapi/mode"] == "assessment"
    assert old["context"]["extensions"][f"{BASE}/xapi/mode"] == "practice"
    modes = [r[col("mode")] for r in rows_of(attempts_csv(store, None))]
    assert modes == [text("trainer", "mode_assessment"), text("trainer", "mode_practice")]


DURATIONS = {252.5: "PT4M12.5S", 0: "PT0S", -3: "PT0S", 59.994: "PT59.99S", 59.999: "PT1M", 3600: "PT1H"}


@pytest.mark.parametrize(("seconds", "expected"), [*DURATIONS.items(), (3725.25, "PT1H2M5.25S"), (90000, "PT25H")])
def test_durations_are_iso_8601(seconds: float, expected: str):
    assert iso_duration(seconds) == expected and DURATION.fullmatch(expected)


def test_an_attempt_without_a_record_takes_its_time_from_the_stamps(store: Store):
    trainee = TrainingStore(store).create_trainee("Ada")
    add_attempt(store, trainee, EASY, 0.5, record=None)
    add_attempt(store, trainee, EASY, 0.5, record={"seconds": 42.5})
    assert [s["result"]["duration"] for s in xapi_statements(store, None, BASE)] == ["PT3M", "PT42.5S"]


def test_the_public_url_is_checked():
    assert public_url({}) == "http://localhost:8501"
    assert public_url({"CANCEL_COACH_PUBLIC_URL": f" {BASE}/app/ "}) == f"{BASE}/app"


BAD_URLS = ["coach.example.org", "ftp://coach.example.org", "https://", "javascript:alert(1)", f"{BASE}/?a=1"]


@pytest.mark.parametrize("bad", [*BAD_URLS, f"{BASE}/#top"])
def test_a_public_url_that_cannot_make_iris_is_refused_in_words(bad: str):
    with pytest.raises(ExportConfigError) as refused:
        public_url({"CANCEL_COACH_PUBLIC_URL": bad})
    assert str(refused.value) == text("export", "public_url_bad", value=bad)


# --- streaming -----------------------------------------------------------------------------------------------


def test_statements_stream_and_the_file_is_written_chunk_by_chunk(store: Store, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(attempt_export, "CHUNK", 2)
    training = TrainingStore(store)
    trainee = training.create_trainee("Ada")
    for n in range(5):
        add_attempt(store, trainee, EASY, n / 5, minutes=n)
    ids = [a.id for a in training.attempts_of(trainee.id)]  # 1 to 5 on SQLite; PostgreSQL's sequence runs on
    made: list[int] = []
    real = attempt_export.statement

    def counted(row: Any, *rest: Any) -> dict[str, Any]:
        made.append(row["id"])
        return real(row, *rest)

    monkeypatch.setattr(attempt_export, "statement", counted)
    statements = xapi_statements(store, None, BASE)
    assert inspect.isgenerator(statements) and made == []  # nothing read until asked
    with closing(xapi_chunks(store, None, BASE)) as pieces:  # closed even if an assertion fails: no open cursor
        assert next(pieces) == b"[" and next(pieces) and made == ids[:2]  # the first piece: two statements only
        rest = list(pieces)
    assert made == ids and len(rest) == 3  # two more pieces, then "]"
    whole = xapi_file(store, None, BASE)
    assert json.loads(whole) == list(xapi_statements(store, None, BASE))
    assert [s["id"] for s in json.loads(whole)] == [statement_id(BASE, trainee.id, n) for n in ids]


def test_an_empty_export_is_an_empty_array_and_a_header_row(store: Store):
    TrainingStore(store)
    assert json.loads(xapi_file(store, None, BASE)) == []
    assert attempts_csv(store, None).decode("utf-8").splitlines() == [",".join(csv_headers())]


# --- the trainer's CSV -------------------------------------------------------------------------------------


def test_the_csv_headers_come_from_content_and_are_unique():
    headers = csv_headers()
    assert len(headers) == len(set(headers))
    assert headers[:3] == [col(k) for k in ("trainee_id", "trainee", "class")]
    path = text("question", Question.PATH)
    assert path in headers and text("export_csv", "answer_right", question=path) in headers
    assert all(text("check", c) in headers for c in Check)
    assert text("export_csv", "reply_point", point=text("reply_point", "names_money")) in headers
    assert text("export_csv", "seller_point", point=text("reply_point", "courteous")) in headers
    assert headers[-3:] == [col(k) for k in ("critical", "reasons", "certified")]


def test_a_real_attempt_reads_back_in_the_csv(store: Store):
    training = TrainingStore(store)
    group = training.create_class("Cohort A")
    ada = training.create_trainee("Ada", group.id)
    worked(training, ada, EASY)
    worked(training, ada, EASY, path="wait")
    first, second = rows_of(attempts_csv(store, None))
    attempt = training.attempts_of(ada.id)[0]
    assert attempt.result is not None and attempt.record is not None and attempt.submitted_at is not None
    marks = {m.item: m for m in attempt.result.marks}
    guarded = f"'{ada.id}" if ada.id.startswith(FORMULA_START) else ada.id  # a random id may start with "-"
    assert first[col("trainee_id")] == guarded and first[col("trainee")] == "Ada"
    assert first[col("class")] == "Cohort A" and first[col("scenario_id")] == EASY
    assert (first[col("scenario")], first[col("level")]) == (scenarios()[EASY].title, text("difficulty", "easy"))
    assert first[col("profile")] == get_profile(scenarios()[EASY].profile).name
    assert first[col("mode")] == text("trainer", "mode_practice")
    assert (first[col("attempt_id")], first[col("attempt")], second[col("attempt")]) == (str(attempt.id), "1", "2")
    assert ZONED.search(first[col("started")]) and ZONED.search(first[col("submitted")])
    assert abs(datetime.fromisoformat(first[col("submitted")]) - attempt.submitted_at) < timedelta(milliseconds=1)
    assert float(first[col("seconds")]) == pytest.approx(attempt.record.seconds, abs=0.05)
    assert float(first[col("score")]) == pytest.approx(attempt.result.score * 100, abs=0.05)
    assert first[col("passed")] == (col("yes") if attempt.result.score >= certificate_rule().pass_mark else col("no"))
    path = marks[Question.PATH.value]
    assert first[text("question", Question.PATH)] == answer_shown(path, path.given)
    right = text("export_csv", "answer_right", question=text("question", Question.PATH))
    assert (first[right], second[right]) == (col("right"), col("wrong"))
    opened = text("check", Check.OPENED_DETAILS)
    assert first[opened] == col("right" if marks[Check.OPENED_DETAILS.value].correct else "wrong")
    names_action = text("export_csv", "reply_point", point=text("reply_point", "names_action"))
    assert first[names_action] == col("right" if marks["names_action"].correct else "wrong")
    # No message was sent to the seller: those points do not apply, and are blank.
    assert first[text("export_csv", "seller_point", point=text("reply_point", "courteous"))] == ""
    assert first[col("certified")] == col("no")


def test_critical_errors_reasons_and_blank_marks(store: Store):
    ada = TrainingStore(store).create_trainee("Ada")
    marks = [mark("status", True, "awaiting_payment"), mark("opened_details", False)]
    marks += [mark("cancel_shipped", False, critical=True), mark("promise", False, critical=True)]
    reasons = list(cancel_reasons())[:2]
    add_attempt(store, ada, SHIPPED, 0.5, marks=marks, record={"reasons": [*reasons, "gone_reason"], "seconds": 1})
    [row] = rows_of(attempts_csv(store, None))
    assert row[col("critical")] == "cancel_shipped;promise"
    assert row[col("reasons")] == "; ".join([*(cancel_reasons()[r].label for r in reasons), "gone_reason"])
    assert row[text("question", Question.STATUS)] == answer_shown(Mark(**marks[0]), "awaiting_payment")
    assert row[text("question", Question.PATH)] == ""  # no such mark: blank, not "wrong"
    assert row[text("check", Check.OPENED_DETAILS)] == col("wrong")
    assert row[text("check", Check.FAIR_REASON)] == ""


def test_certified_is_the_trainees_certificate(store: Store):
    training = TrainingStore(store)
    ada, ben = training.create_trainee("Ada"), training.create_trainee("Ben")
    needed = certificate_rule().min_scenarios_per_level
    for level in Difficulty:
        for scenario in [s for s in scenarios().values() if s.difficulty is level][:needed]:
            add_attempt(store, ada, scenario.id, 1.0, marks=[mark("status", True)])  # the store scores the marks
    add_attempt(store, ben, EASY, 1.0, marks=[mark("status", True)])
    certified = {r[col("trainee")]: r[col("certified")] for r in rows_of(attempts_csv(store, None))}
    assert certified == {"Ada": col("yes"), "Ben": col("no")}


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_a_hostile_name_cannot_run_as_a_formula(store: Store, hostile: str):
    training = TrainingStore(store)
    group = training.create_class("=cmd|' /C calc'!A0")
    add_attempt(store, training.create_trainee(hostile, group.id), EASY, 1.0)
    name = hostile.strip()  # as the name was cleaned
    [row] = rows_of(attempts_csv(store, None))
    assert row[col("trainee")] == f"'{name}"
    assert row[col("class")] == "'=cmd|' /C calc'!A0"
    [statement] = xapi_statements(store, None, BASE)
    assert statement["actor"]["name"] == name  # JSON is not a spreadsheet: the name as typed
