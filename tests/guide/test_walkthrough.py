"""The walkthrough's progress without Streamlit: how many steps are done and how many count."""

from __future__ import annotations

from guide.walkthrough import StepState, progress, steps, tally


def test_no_order_and_nothing_done_is_nothing_done_of_every_step():
    assert tally(progress({}, None, None)) == (0, len(steps()))


def test_skipped_steps_do_not_count_and_done_ones_do():
    states = [StepState.DONE, StepState.SKIPPED, StepState.TO_DO, StepState.DONE, StepState.SKIPPED]
    assert tally(states) == (2, 3)


def test_finished_when_every_step_that_counts_is_done():
    done, counted = tally([StepState.DONE, StepState.SKIPPED, StepState.DONE])
    assert done == counted == 2
