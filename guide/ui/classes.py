"""The trainer's Classes tab: create a class, and for each one its full link, name, scenario set, mode, own
orders and archiving. Every change is a callback with its refusal in plain words."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from guide.content import text
from guide.importing import ImportRejected
from guide.models import Order
from guide.training import Mode, scenarios
from guide.training_records import TrainingClass, TrainingInputError
from guide.ui.state import get_training
from guide.ui.widgets import displayable, flash, plain, show_flash

FLASH = "trainer"


def class_link(group: TrainingClass) -> str:
    """The full link a trainee opens to join: this server's address, the Training page and the class."""
    origin = str(st.context.url or "").split("/trainer")[0].rstrip("/")
    return f"{origin}/training?class={group.id}"


def classes_panel() -> None:
    st.subheader(text("trainer", "classes"), anchor=False)
    show_flash(FLASH)
    _new_class_form()
    archived = st.toggle(text("trainer", "show_archived"), key="classes_show_archived")
    for group in get_training().list_classes(archived=archived):
        label = text("trainer", "archived_label", name=group.name) if group.archived else group.name
        with st.expander(plain(label)):
            _class_settings(group)


def _new_class_form() -> None:
    with st.form("new_class", clear_on_submit=True):
        st.text_input(text("trainer", "new_class"), key="new_class_name", max_chars=80)
        _scenario_picker("new_class_scenarios", [])
        _mode_picker("new_class_mode")
        st.form_submit_button(text("trainer", "create_class"), on_click=_create_class)


def _class_settings(group: TrainingClass) -> None:
    key = f"class_{group.id}"
    st.code(class_link(group), language=None)  # st.code has a copy button
    st.caption(text("trainer", "class_link_copy"))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.text_input(text("trainer", "class_name"), group.name, key=f"{key}_name", max_chars=80)
    right.button(text("trainer", "rename"), key=f"{key}_rename", on_click=_rename, args=(group.id,))
    _scenario_picker(f"{key}_scenarios", group.scenario_ids)
    st.button(text("trainer", "save_set"), key=f"{key}_save_set", on_click=_save_set, args=(group.id,))
    _mode_picker(f"class_mode_{group.id}", group.mode, on_change=_set_mode, args=(group.id,))
    _orders(group)
    if group.archived:
        st.button(text("trainer", "unarchive"), key=f"{key}_unarchive", on_click=_archive, args=(group.id, False))
    else:
        st.button(
            text("trainer", "archive"),
            key=f"{key}_archive",
            help=text("trainer", "archive_help"),
            on_click=_archive,
            args=(group.id, True),
        )


def _orders(group: TrainingClass) -> None:
    """The class's own orders: what is loaded now, and a file that replaces them (said before it does)."""
    if group.orders:
        st.markdown(
            f"**{text('trainer', 'orders_list')}** · {text('trainer', 'orders_loaded', count=len(group.orders))}"
        )
        loaded = [Order.model_validate(raw) for raw in group.orders]
        rows = [
            {
                text("orders", "order_id"): o.id,
                text("details", "status"): text("status", o.status),
                text("details", "seller"): displayable(o.seller.name),
            }
            for o in loaded
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption(text("trainer", "no_orders"))
    upload = st.file_uploader(
        text("trainer", "load_orders"),
        type=["json"],
        key=f"class_orders_{group.id}",
        help=text("trainer", "load_orders_help"),
    )
    st.caption(text("trainer", "replace_orders"))
    if upload is not None and st.button(text("trainer", "load_orders"), key=f"class_load_{group.id}"):
        _load_orders(group.id, upload.getvalue())


def _scenario_picker(key: str, chosen: list[str]) -> None:
    every = scenarios()
    st.multiselect(
        text("trainer", "class_scenarios"),
        list(every),
        default=[sid for sid in chosen if sid in every],
        format_func=lambda sid: every[sid].title,
        key=key,
        help=text("trainer", "class_scenarios_help"),
    )


def _mode_picker(key: str, mode: Mode = Mode.PRACTICE, **change: Any) -> None:
    """Practice (hints, best attempt counts) or assessment (no hints, first attempt counts)."""
    modes = list(Mode)
    st.radio(
        text("trainer", "class_mode"),
        modes,
        index=modes.index(mode),
        format_func=lambda m: text("trainer", f"mode_{m.value}"),
        key=key,
        horizontal=True,
        help=text("trainer", "class_mode_help"),
        **change,
    )


def _refused(refused: Exception) -> None:
    flash(FLASH, "error", str(refused))


def _set_mode(class_id: str) -> None:
    try:
        group = get_training().set_class_mode(class_id, str(st.session_state.get(f"class_mode_{class_id}")))
    except TrainingInputError as refused:
        _refused(refused)
        return
    mode = text("trainer", f"mode_{group.mode.value}")
    flash(FLASH, "ok", text("trainer", "mode_saved", name=plain(group.name), mode=mode))


def _rename(class_id: str) -> None:
    try:
        group = get_training().rename_class(class_id, st.session_state.get(f"class_{class_id}_name", ""))
    except TrainingInputError as refused:
        _refused(refused)
        return
    flash(FLASH, "ok", text("trainer", "renamed", name=plain(group.name)))


def _save_set(class_id: str) -> None:
    try:
        group = get_training().set_class_scenarios(
            class_id, list(st.session_state.get(f"class_{class_id}_scenarios", []))
        )
    except TrainingInputError as refused:
        _refused(refused)
        return
    flash(FLASH, "ok", text("trainer", "saved", name=plain(group.name)))


def _archive(class_id: str, archived: bool) -> None:
    group = get_training().archive_class(class_id, archived)
    flash(FLASH, "ok", text("trainer", "archived" if archived else "unarchived", name=plain(group.name)))


def _create_class() -> None:
    try:
        group = get_training().create_class(
            st.session_state.get("new_class_name", ""),
            st.session_state.get("new_class_scenarios", []),
            st.session_state.get("new_class_mode", Mode.PRACTICE),
        )
    except TrainingInputError as refused:
        _refused(refused)
        return
    flash(FLASH, "ok", text("trainer", "created", name=plain(group.name)))


def _load_orders(class_id: str, payload: bytes) -> None:
    try:
        loaded = get_training().load_class_orders(class_id, payload)
    except ImportRejected as refused:
        st.error(str(refused))
        if refused.errors:
            rows = [{name: displayable(value) for name, value in e.__dict__.items()} for e in refused.errors]
            st.dataframe(pd.DataFrame(rows), hide_index=True)
        return
    flash(FLASH, "ok", text("trainer", "loaded", count=len(loaded)))
    st.rerun()  # the list of loaded orders above is drawn again with the new set
