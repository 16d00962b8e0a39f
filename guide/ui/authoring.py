"""The trainer's Scenarios tab: write a case from an order and a customer's message, check it against the rules,
save it for the class, and list, delete, export and import the class's cases. Every decision is made in
guide/authoring.py; this draws the form and shows what it says."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from guide.authoring import (
    AuthoredScenarios,
    AuthoringRefused,
    Draft,
    OrderChoice,
    Problem,
    preview,
    problem_text,
    rule_lines,
    what_applies,
)
from guide.citations import PREFIX, all_cited
from guide.content import text
from guide.profile import load_profiles
from guide.training import Difficulty, Question, option_label, options
from guide.ui.state import get_training, visit
from guide.ui.widgets import flash, plain, show_flash

KEY = "authoring"  # the flash's key, and every widget key's prefix
RULES = {PREFIX + rule.path: rule for rule in all_cited()}


def authoring_panel(class_id: str | None) -> None:
    """The form with its check and save steps, then the class's authored scenarios and their files."""
    authored = get_training().authored
    st.subheader(text("authoring", "heading"), anchor=False)
    st.caption(text("authoring", "intro") + " " + text("authoring", "for_class" if class_id else "for_no_class"))
    show_flash(KEY)
    choices = {choice.key: choice for choice in authored.order_choices(class_id, visit().sandbox.id)}
    if choices:
        _steps(authored, _form(choices, class_id))
    else:
        st.info(text("authoring", "no_orders"))
    _listing(authored, class_id)
    _files(authored, class_id)


def _order_label(choice: OrderChoice) -> str:
    order = choice.order
    source = text("authoring", f"source_{choice.source}")
    return text(
        "authoring",
        "order_option",
        id=order.id,
        status=text("status", order.status),
        store=order.seller.name,
        source=source,
    )


def _form(choices: dict[str, OrderChoice], class_id: str | None) -> Draft:
    """The form's widgets, read into a draft (not a st.form: what applies follows each choice at once)."""
    picked = st.selectbox(
        text("authoring", "order"), list(choices), format_func=lambda k: _order_label(choices[k]), key=f"{KEY}_order"
    )
    choice = choices[str(picked)]
    title = st.text_input(text("authoring", "title"), key=f"{KEY}_title", max_chars=120)
    customer = st.text_input(text("authoring", "customer"), key=f"{KEY}_customer", max_chars=60)
    message = st.text_area(text("authoring", "message"), key=f"{KEY}_message", max_chars=1500)
    levels = [level.value for level in Difficulty]
    level = st.radio(
        text("authoring", "level"),
        levels,
        format_func=lambda v: text("difficulty", v),
        horizontal=True,
        key=f"{KEY}_level",
    )
    profiles = load_profiles()
    profile = st.selectbox(
        text("authoring", "profile"), list(profiles), format_func=lambda p: profiles[p].name, key=f"{KEY}_profile"
    )
    keys = {question: _key(question) for question in Question}
    seller = st.checkbox(text("authoring", "seller_at_fault"), key=f"{KEY}_seller_at_fault")
    reply = st.text_area(text("authoring", "model_reply"), key=f"{KEY}_model_reply", max_chars=1500)
    draft = Draft(choice, class_id, title, customer, message, str(level), str(profile), keys, seller, reply)
    _applies(draft)
    return draft


def _key(question: Question) -> tuple[str, str, str]:
    """One question of the answer key: the answer (the options a trainee sees), why, and the rule it rests on."""
    asked = text("question", question)
    st.markdown(f"**{plain(text('authoring', 'key_heading', question=asked))}**")
    answer = st.radio(
        text("authoring", "answer", question=asked),
        options(question),
        format_func=lambda v: option_label(question, v),
        key=f"{KEY}_{question.value}_answer",
    )
    why = st.text_input(text("authoring", "why", question=asked), key=f"{KEY}_{question.value}_why", max_chars=300)
    rule = st.selectbox(
        text("authoring", "rule", question=asked),
        list(RULES),
        format_func=lambda r: f"{text('cited_rule_title', RULES[r].key)} ({r.removeprefix(PREFIX)})",
        key=f"{KEY}_{question.value}_rule",
    )
    return str(answer), why, str(rule)


def _applies(draft: Draft) -> None:
    """Which critical errors and marks the case will score, as the order and the key stand."""
    path, refund = draft.keys[Question.PATH][0], draft.keys[Question.REFUND][0]
    found = what_applies(draft.choice.order, path, refund, draft.seller_at_fault)
    st.markdown(f"**{plain(text('authoring', 'applies_heading'))}**")
    st.markdown("\n".join(f"- {plain(item.because)}" for item in found))


def _steps(authored: AuthoredScenarios, draft: Draft) -> None:
    """Check against the rules (what they say, before anything is saved), and Save."""
    check, save = st.columns(2)
    if check.button(text("authoring", "check"), key=f"{KEY}_check", icon=":material/rule:"):
        result = preview(draft)
        if result.rules is not None:
            st.markdown(f"**{plain(text('authoring', 'rules_heading'))}**")
            st.markdown("\n".join(f"- {plain(line)}" for line in rule_lines(result, draft)))
        if result.problems:
            _problems(text("authoring_errors", "refused", count=len(result.problems)), result.problems)
        else:
            st.success(text("authoring", "check_ok"))
    if save.button(text("authoring", "save"), key=f"{KEY}_save", type="primary", icon=":material/save:"):
        try:
            saved = authored.author(draft)
        except AuthoringRefused as refused:
            _problems(str(refused), refused.problems)
            return
        st.success(text("authoring", "saved", title=plain(saved.title)))


def _problems(summary: str, problems: Sequence[Problem]) -> None:
    """The refusal and every problem, by field, as a list (a text, for screen readers too)."""
    st.error(summary)
    st.markdown("\n".join(f"- {plain(problem_text(problem))}" for problem in problems))


def _listing(authored: AuthoredScenarios, class_id: str | None) -> None:
    st.subheader(text("authoring", "list_heading" if class_id else "list_heading_no_class"), anchor=False)
    written = authored.list(class_id)
    if not written:
        st.caption(text("authoring", "list_empty"))
    for scenario in written:
        about, action = st.columns([3, 2], vertical_alignment="center")
        level = text("difficulty", scenario.difficulty)
        about.markdown(
            plain(text("authoring", "list_item", title=scenario.title, level=level, order=scenario.order.id))
        )
        action.button(
            text("authoring", "delete", title=plain(scenario.title)),
            key=f"{KEY}_delete_{scenario.id}",
            icon=":material/delete:",
            on_click=_delete,
            args=(authored, scenario.id),
        )


def _delete(authored: AuthoredScenarios, scenario_id: str) -> None:
    try:
        gone = authored.delete(scenario_id)
    except AuthoringRefused as refused:
        flash(KEY, "error", " ".join([str(refused), *(problem_text(p) for p in refused.problems)]))
        return
    flash(KEY, "ok", text("authoring", "deleted", title=plain(gone.title)))


def _files(authored: AuthoredScenarios, class_id: str | None) -> None:
    """The class's scenarios as a file, and a file of them imported: all of them, or none with every problem."""
    st.download_button(
        text("authoring", "export"),
        authored.export_json(class_id),
        file_name="cancel-coach-scenarios.json",
        mime="application/json",
        icon=":material/download:",
        key=f"{KEY}_export",
    )
    upload = st.file_uploader(
        text("authoring", "import"), type=["json"], key=f"{KEY}_upload", help=text("authoring", "import_help")
    )
    if upload is not None and st.button(text("authoring", "import_button"), key=f"{KEY}_import"):
        try:
            imported = authored.import_json(upload.getvalue(), class_id)
        except AuthoringRefused as refused:
            _problems(str(refused), refused.problems)
            return
        flash(KEY, "ok", text("authoring", "imported", count=len(imported)))
        st.rerun()  # the list above shows them
