"""The walkthrough: nine steps beside the simulator, checked off only by doing them, step and order in the URL."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from guide.content import text
from guide.models import EventKind, Status
from guide.store import Store
from guide.ui.walkthrough import ICONS
from guide.ui.widgets import plain
from guide.walkthrough import StepState
from tests.pages.helpers import (
    TITLES,
    button_keys,
    dialog,
    first_order,
    main_alerts,
    no_exception,
    open_page,
    reason_id,
    status_of,
    title,
)

KEY = "walk"
STATE_OF_ICON = {icon: state for state, icon in ICONS.items()}
DONE, TO_DO, SKIPPED = StepState.DONE, StepState.TO_DO, StepState.SKIPPED


def states(at) -> list[StepState]:
    """Each step's state, read from the icons of the step list."""
    return [STATE_OF_ICON[at.button(key=f"{KEY}_goto_{n}").icon] for n in range(1, 10)]


def step(at) -> int:
    number = int(at.query_params["step"])
    assert [c.value for c in at.caption if c.value.startswith("Step ")] == [
        text("walkthrough", "progress", number=number, total=9)
    ], "the card shows the step in the URL"
    return number


def card_says_done(at) -> bool:
    return text("walkthrough", "done") in main_alerts(at, "success")


def progress_text(at: AppTest) -> str:
    [bar] = at.progress
    return bar.proto.text


def go_next(at) -> None:
    at.button(key=f"{KEY}_next").click().run()
    no_exception(at)


def test_a_new_visitor_starts_at_step_one_with_nothing_done(store: Store):
    at = open_page(None)
    no_exception(at)
    assert title(at) == TITLES["walkthrough"]
    assert step(at) == 1
    assert states(at) == [TO_DO] * 9
    assert progress_text(at) == text("walkthrough", "done_count", done=0, total=9)
    assert text("walkthrough", "to_do") in [c.value for c in at.caption]
    assert not card_says_done(at)
    assert at.button(key=f"{KEY}_back").disabled


def test_step_one_is_done_only_after_signing_in(store: Store, new_sandbox: str):
    at = open_page("walkthrough", new_sandbox)
    at.run()
    assert states(at)[0] is TO_DO, "opening and rerunning checks nothing off"
    at.selectbox(key=f"{KEY}_sign_in_buyer").select("tom").run()
    assert states(at)[0] is TO_DO, "choosing a buyer is not signing in"
    at.button(key=f"{KEY}_sign_in_submit").click().run()
    no_exception(at)
    assert store.facts(new_sandbox)["signed_in"] == "tom"
    assert step(at) == 1
    assert card_says_done(at)
    assert states(at) == [DONE] + [TO_DO] * 8
    assert progress_text(at) == text("walkthrough", "done_count", done=1, total=9)


def test_next_and_back_move_the_step_in_the_url(store: Store, sandbox: str):
    at = open_page("walkthrough", sandbox, step="1")
    go_next(at)
    assert step(at) == 2
    go_next(at)
    assert step(at) == 3
    at.button(key=f"{KEY}_back").click().run()
    assert step(at) == 2
    at.button(key=f"{KEY}_goto_9").click().run()
    assert step(at) == 9
    assert at.button(key=f"{KEY}_next").disabled
    assert at.button(key=f"{KEY}_goto_9").disabled, "the current step is not a link"


def test_without_a_step_it_resumes_at_the_first_one_to_do(store: Store, sandbox: str):
    store.record(sandbox, "opened_my_orders", "yes")
    at = open_page("walkthrough", sandbox)
    no_exception(at)
    assert step(at) == 3
    assert states(at)[:3] == [DONE, DONE, TO_DO]


def test_the_whole_cancel_path_through_the_simulator(store: Store, new_sandbox: str):
    """Steps 1-7 and 9 on an unpaid order, each checked off by the click that does it; step 8 is skipped."""
    sandbox = new_sandbox
    order = first_order(store, sandbox, Status.AWAITING_PAYMENT)
    at = open_page(None, sandbox)

    at.button(key=f"{KEY}_sign_in_submit").click().run()  # 1
    go_next(at)
    assert (step(at), states(at)[1]) == (2, TO_DO)
    at.button(key=f"{KEY}_open_orders").click().run()  # 2
    assert states(at)[1] is DONE and card_says_done(at)

    go_next(at)  # 3: find the order and open its details
    assert states(at)[2] is TO_DO
    at.text_input(key=f"{KEY}_orders_search").input(order.id).run()
    assert states(at)[2] is TO_DO, "searching is not opening"
    at.button(key=f"{KEY}_orders_card_{order.id}_details").click().run()
    no_exception(at)
    assert at.query_params["order"] == order.id
    assert store.facts(sandbox)["opened_order"] == order.id
    assert (step(at), states(at)[2]) == (3, DONE)
    assert states(at)[7] is SKIPPED, "an unpaid order takes the cancel path: no contact step"

    go_next(at)  # 4
    assert states(at)[3] is TO_DO
    at.button(key=f"{KEY}_status").click().run()
    assert states(at)[3] is DONE

    go_next(at)  # 5
    assert states(at)[4] is TO_DO
    at.button(key=f"{KEY}_assess").click().run()
    assert states(at)[4] is DONE

    go_next(at)  # 6: open the pop-up and pick a reason
    assert step(at) == 6
    at.button(key=f"{KEY}_open").click().run()
    assert dialog(at) is not None
    assert states(at)[5] is TO_DO, "opening the pop-up is not picking a reason"
    at.radio(key=f"{KEY}_reason").set_value(reason_id())
    at.button(key=f"{KEY}_submit").click().run()
    assert states(at)[5] is DONE
    assert status_of(store, sandbox, order.id) is Status.AWAITING_PAYMENT

    go_next(at)  # 7: the pop-up is still open at its confirm stage
    assert step(at) == 7 and states(at)[6] is TO_DO
    at.button(key=f"{KEY}_confirm").click().run()
    no_exception(at)
    assert states(at)[6] is DONE
    assert status_of(store, sandbox, order.id) is Status.CLOSED

    go_next(at)  # 8 is skipped: Next goes to 9
    assert step(at) == 9 and states(at)[8] is TO_DO
    at.button(key=f"{KEY}_refunds").click().run()
    no_exception(at)
    assert states(at) == [DONE] * 7 + [SKIPPED, DONE]
    assert progress_text(at) == text("walkthrough", "done_count", done=8, total=8)
    assert text("walkthrough", "finished") in main_alerts(at, "success")


def test_back_in_the_pop_up_and_back_a_step_are_two_buttons(store: Store, sandbox: str):
    """The pop-up's Back (to the reasons) must not clash with the walkthrough's Back (a step)."""
    order = first_order(store, sandbox, Status.AWAITING_PAYMENT)
    at = open_page("walkthrough", sandbox, order=order.id, step="6")
    at.button(key=f"{KEY}_open").click().run()
    at.radio(key=f"{KEY}_reason").set_value(reason_id())
    at.button(key=f"{KEY}_submit").click().run()
    no_exception(at)
    at.button(key=f"{KEY}_back_to_reasons").click().run()
    no_exception(at)
    assert f"{KEY}_submit" in button_keys(at) and step(at) == 6
    at.button(key=f"{KEY}_back").click().run()
    no_exception(at)
    assert step(at) == 5
    assert status_of(store, sandbox, order.id) is Status.AWAITING_PAYMENT


def test_a_shipped_order_branches_to_contacting_the_seller(store: Store, sandbox: str):
    shipped = first_order(store, sandbox, Status.AWAITING_DELIVERY)
    at = open_page("walkthrough", sandbox, order=shipped.id, step="5")
    no_exception(at)
    assert states(at)[5:8] == [SKIPPED, SKIPPED, TO_DO]
    before, after = text("walkthrough", "branch_contact", reason="{reason}").split("{reason}")
    [warning] = main_alerts(at, "warning")
    assert warning.startswith(before) and warning.endswith(after)
    skipped = f"({text('walkthrough', 'skipped').lower()})"
    assert [n for n in range(1, 10) if at.button(key=f"{KEY}_goto_{n}").label.endswith(skipped)] == [6, 7]

    go_next(at)
    assert step(at) == 8, "steps 6 and 7 are skipped"
    assert f"{KEY}_open" not in button_keys(at), "no cancel button anywhere"
    at.button(key=f"{KEY}_back").click().run()
    assert step(at) == 5

    at.button(key=f"{KEY}_goto_6").click().run()
    assert step(at) == 6
    assert text("walkthrough", "skipped") in main_alerts(at, "info")


def test_step_eight_is_done_after_writing_to_the_seller(store: Store, sandbox: str):
    shipped = first_order(store, sandbox, Status.AWAITING_DELIVERY)
    at = open_page("walkthrough", sandbox, order=shipped.id, step="8")
    box = f"{KEY}_contact_{shipped.id}"
    assert states(at)[7] is TO_DO
    at.selectbox(key=f"{box}_template").select("please_cancel").run()
    assert states(at)[7] is TO_DO, "a template is not a message"
    at.button(key=f"{box}_send").click().run()
    no_exception(at)
    assert [e.kind for e in store.messages(sandbox, shipped.id)] == [EventKind.MESSAGE_SENT]
    assert states(at)[7] is DONE
    assert store.facts(sandbox)["messaged_seller"] == shipped.id


def test_steps_about_an_order_count_only_for_that_order(store: Store, sandbox: str):
    one, other = store.list_orders(sandbox, statuses=[Status.AWAITING_SHIPMENT])[:2]
    store.record(sandbox, "read_status", one.id)
    assert states(open_page("walkthrough", sandbox, order=one.id, step="4"))[3] is DONE
    assert states(open_page("walkthrough", sandbox, order=other.id, step="4"))[3] is TO_DO


@pytest.mark.parametrize(
    "raw",
    ["99", "0", "10", "-1", "abc", "<script>", "²", "٣٣", "9" * 5_000, "[x](https://evil.example)", "**9**", "3 "],
)
def test_an_unknown_step_says_so_and_starts_at_step_one(store: Store, sandbox: str, raw: str):
    at = open_page("walkthrough", sandbox, step=raw)
    no_exception(at)
    assert step(at) == 1
    [warning] = main_alerts(at, "warning")
    assert warning == text("walkthrough", "step_unknown", step=plain(raw[:40]))
    assert not re.search(r"(?<!\\)[\[\]<>*]", warning.split('"')[1]), "the step is shown as typed, not as markup"


def test_an_unknown_order_in_the_url_is_dropped(store: Store, sandbox: str):
    at = open_page("walkthrough", sandbox, order="8100000000000000", step="4")
    no_exception(at)
    assert text("app", "order_unknown") in main_alerts(at, "warning")
    assert "order" not in at.query_params
    assert text("walkthrough", "choose_order") in main_alerts(at, "info")
