"""The strategy page's advisors (transfer, multi-task, end-to-end learning): the team's numbers
in, one tab per advisor, each showing the course's verdict, its reasons and the thresholds it
used. Inputs are bound to the URL so a copied link reopens the same advice."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.strategy import Advice, end_to_end_advice, multitask_advice, transfer_advice
from analysis.text import escape_markdown
from components.errors import show_error
from components.project_goal import parse_amounts

_VERDICT_COLORS = {"yes": "green", "no": "red", "maybe": "orange"}
_YES_NO_UNKNOWN = {"yes": True, "no": False, "not sure": None}


def _show_advice(advice: Advice) -> None:
    st.badge(advice.verdict, color=_VERDICT_COLORS[advice.verdict])
    st.markdown(f"**{escape_markdown(advice.recommendation)}**")
    st.markdown("\n".join(f"- {escape_markdown(reason)}" for reason in advice.reasons))
    if advice.retrain_options:
        st.caption("Options: " + escape_markdown("; ".join(advice.retrain_options)))
    st.dataframe(pd.DataFrame([{"rule": t.name, "line": t.value, "yours": t.observed,
                                "met": t.met} for t in advice.thresholds]),
                 hide_index=True, width="stretch")
    st.info(f"**Closest course example**: {escape_markdown(advice.closest_example.name)}. "
            f"{escape_markdown(advice.closest_example.lesson)}", icon=":material/school:")
    for warning in advice.warnings:
        st.caption(escape_markdown(warning))


def _flag(label: str, key: str) -> bool | None:
    """A yes / no / not sure question (URL-bound); 'not sure' is None for the advisors."""
    return _YES_NO_UNKNOWN[st.selectbox(label, list(_YES_NO_UNKNOWN), key=key,
                                        bind="query-params")]


def _transfer() -> Advice:
    left, right = st.columns(2)
    source = left.number_input("Source examples (task A)", min_value=0.0, value=1_000_000.0,
                               step=1000.0, key="tl_source", bind="query-params", format="%.0f")
    target = right.number_input("Target examples (task B)", min_value=0.0, value=100.0,
                                step=100.0, key="tl_target", bind="query-params", format="%.0f")
    same = left.selectbox("Same input type (e.g. images for both)", ["yes", "no"],
                          key="tl_same", bind="query-params") == "yes"
    with right:
        shared = _flag("Low-level features from A help B", "tl_shared")
    return transfer_advice(source_examples=source, target_examples=target, same_input_type=same,
                           shared_low_level_features=shared)


def _multitask() -> Advice:
    amounts = st.text_input("Examples per task ('tasks x examples', or amounts separated by ';')",
                            value="100 x 1000", key="mt_examples", bind="query-params")
    left, right = st.columns(2)
    with left:
        shared = _flag("Tasks share low-level features", "mt_shared")
    with right:
        big = _flag("Network big enough for all tasks", "mt_big")
    return multitask_advice(examples_per_task=parse_amounts(amounts),
                            shared_low_level_features=shared, network_big_enough=big)


def _end_to_end() -> Advice:
    left, right = st.columns(2)
    whole = left.number_input("End-to-end examples (x -> y)", min_value=0.0, value=3000.0,
                              step=1000.0, key="e2e_whole", bind="query-params", format="%.0f")
    steps = right.text_input("Examples per pipeline step (separated by ';')",
                             value="3000; 3000", key="e2e_steps", bind="query-params")
    return end_to_end_advice(end_to_end_examples=whole, examples_per_step=parse_amounts(steps))


def advisors_section() -> None:
    """The course's advisors, one tab each, driven by the team's numbers."""
    st.header("Advisors", anchor="advisors")
    st.caption("Amounts may be examples or hours, as long as the amounts compared share the unit.")
    for tab, advisor in zip(st.tabs(["Transfer learning", "Multi-task learning",
                                     "End-to-end learning"]),
                            (_transfer, _multitask, _end_to_end), strict=True):
        with tab:
            try:
                advice = advisor()
            except ValueError as err:
                show_error(err)
                continue
            _show_advice(advice)
