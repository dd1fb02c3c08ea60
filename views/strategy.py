"""Project strategy: the goal the team aims at, the knobs it turned and what they did, whether
more data will help (learning curve), and the course's advisors for transfer, multi-task and
end-to-end learning.

Goal, log and learning curve are saved in the workspace (components/project_goal.py). The goal
is saved as the fields changed since the revision the form opened, merged field by field into
a teammate's newer save (components/goal_merge.py); the log and the curve only land over the
revision the page opened, so a teammate's newer save is never overwritten.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from analysis.predictions import read_table
from analysis.selection import OPERATORS
from analysis.strategy import (
    AIMS,
    KNOBS,
    IterationEntry,
    LearningCurve,
    ProjectGoal,
    fit_learning_curve,
    learning_curve_points,
    review_log,
)
from analysis.strategy.stored import (
    CURVE_COLUMNS,
    CURVE_ITEM,
    LOG_ITEM,
    curve_table,
    log_entries,
    target_error_pct,
)
from analysis.text import escape_markdown
from analysis.waterfall_diagnosis import TASK_KINDS
from charts.learning_curve import learning_curve_figure
from components.errors import show_error
from components.goal_merge import goal_choices, save_goal_merged
from components.limits import parse_slot, read_limits
from components.project_goal import (
    goal_from_form,
    goal_item,
    save_content,
    stored_curve,
    stored_log,
    stored_snapshots,
)
from components.state import project_human_levels
from components.strategy_advisors import advisors_section
from components.strategy_saves import (
    arriving,
    mark_opened,
    opened,
    reload_from_store,
    save_guarded,
    saved_caption,
)
from storage import Item
from workspace.kinds import ITERATION_LOG, LEARNING_CURVE, PROJECT_GOAL

_GOAL = "strategy.goal."  # widget keys of the goal form



def _fill_goal_form(goal: ProjectGoal | None) -> None:
    """Put a stored goal (or the project's human levels) into the form's widgets."""
    state = st.session_state
    humans = dict(goal.human_error_pct) if goal else project_human_levels()
    state[_GOAL + "humans_base"] = pd.DataFrame(
        {"reference": list(humans), "error_pct": list(humans.values())}).astype(
        {"reference": "object", "error_pct": "float"})
    bounds = [[b.metric, b.operator, b.threshold, b.unit] for b in goal.satisficing] if goal else []
    state[_GOAL + "bounds_base"] = pd.DataFrame(
        bounds, columns=["metric", "operator", "threshold", "unit"]).astype(
        {"metric": "object", "operator": "object", "threshold": "float", "unit": "object"})
    for editor in ("humans", "bounds"):
        state.pop(_GOAL + editor, None)
    dev, test = (goal.dev_set, goal.test_set) if goal else (None, None)
    values = {
        "metric": goal.metric if goal else "", "direction": goal.direction if goal else "max",
        "target": goal.target if goal else None, "metric_unit": goal.metric_unit if goal else "",
        "false_positive_cost": goal.false_positive_cost if goal else 1.0,
        "false_negative_cost": goal.false_negative_cost if goal else 1.0,
        "dev_distribution": dev.distribution if dev else "", "dev_size": dev.size if dev else None,
        "test_distribution": test.distribution if test else "",
        "test_size": test.size if test else None,
        "bayes_error_pct": goal.bayes_error_pct if goal else None,
        "task_kind": goal.task_kind if goal else None,
    }
    for name, value in values.items():
        state[_GOAL + name] = value


def _open_goal() -> tuple[Item | None, ProjectGoal | None]:
    """The stored goal; on the first visit (or after a reload) it fills the form."""
    item = goal_item()
    goal = None
    if item is not None:
        try:
            goal = ProjectGoal.from_content(item.content)
        except (ValueError, TypeError) as err:
            show_error(err, title="The saved goal cannot be read")
    if arriving(PROJECT_GOAL.name, _GOAL + "metric"):
        _fill_goal_form(goal)
        mark_opened(PROJECT_GOAL.name, item)
    return item, goal


def _goal_fields() -> dict[str, Any]:
    k = _GOAL
    left, middle, right = st.columns(3)
    values = {
        "metric": left.text_input("Single-number metric", key=k + "metric",
                                  placeholder="e.g. accuracy"),
        "direction": middle.selectbox("Direction", ["max", "min"], key=k + "direction",
                                      format_func={"max": "higher is better",
                                                   "min": "lower is better"}.get),
        "target": right.number_input("Target", value=None, key=k + "target", step=0.1,
                                     placeholder="not set"),
        "metric_unit": left.text_input("Unit of the metric", key=k + "metric_unit",
                                       placeholder="e.g. %"),
        "false_positive_cost": middle.number_input("Cost of a false positive", min_value=0.0,
                                                   step=0.5, key=k + "false_positive_cost"),
        "false_negative_cost": right.number_input("Cost of a false negative", min_value=0.0,
                                                  step=0.5, key=k + "false_negative_cost"),
        "dev_distribution": left.text_input("Dev set: distribution", key=k + "dev_distribution",
                                            placeholder="e.g. mobile-app uploads"),
        "dev_size": left.number_input("Dev set: size", value=None, min_value=1, step=100,
                                      key=k + "dev_size", placeholder="examples"),
        "test_distribution": middle.text_input("Test set: distribution",
                                               key=k + "test_distribution"),
        "test_size": middle.number_input("Test set: size", value=None, min_value=1, step=100,
                                         key=k + "test_size", placeholder="examples"),
        "bayes_error_pct": right.number_input(
            "Estimated Bayes error (%)", value=None, min_value=0.0, max_value=100.0, step=0.1,
            key=k + "bayes_error_pct", placeholder="optional",
            help="A separate estimate of the lowest reachable error; the proxy instead of the "
                 "best human level when given."),
        "task_kind": right.selectbox("Task kind", [None, *TASK_KINDS], key=k + "task_kind",
                                     format_func=lambda v: "not said" if v is None else v),
    }
    return values


def _goal_table(title: str, name: str, columns: dict[str, Any]) -> pd.DataFrame:
    """One of the goal's editable tables (rows may be added and deleted)."""
    st.markdown(title)
    return st.data_editor(st.session_state[_GOAL + name + "_base"], key=_GOAL + name,
                          num_rows="dynamic", width="stretch", hide_index=True,
                          column_config=columns)


def _goal_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The satisficing bounds and the human-level references, side by side."""
    number = st.column_config.NumberColumn
    bounds_col, humans_col = st.columns([3, 2])
    with bounds_col:
        bounds = _goal_table("**Satisficing bounds** (only have to be met)", "bounds", {
            "operator": st.column_config.SelectboxColumn("operator", options=list(OPERATORS)),
            "threshold": number("threshold")})
    with humans_col:
        humans = _goal_table(
            "**Human level** (the best is the Bayes proxy; the waterfall uses it too)", "humans",
            {"error_pct": number("error (%)", min_value=0.0, max_value=100.0)})
    return bounds, humans


def _save_goal_form(typed: ProjectGoal) -> ProjectGoal | None:
    """Save the form as the fields changed since the revision it opened, merged into the
    latest goal; when a teammate's fields came in, the form reloads to show the merged goal."""
    try:
        saved = save_goal_merged(typed, base_revision=opened(PROJECT_GOAL.name) or 0)
    except (ValueError, RuntimeError) as err:
        show_error(err, title="Not saved")
        return None
    merged = PROJECT_GOAL.from_content(saved.content)
    message = f"Saved (revision {saved.item.revision})."
    if PROJECT_GOAL.to_content(merged) == PROJECT_GOAL.to_content(typed):
        mark_opened(PROJECT_GOAL.name, saved.item)
        st.success(message, icon=":material/check:")
        return merged
    st.session_state[_GOAL + "notice"] = (saved.saved, (
        f"{message} A teammate changed the goal meanwhile: the form shows their changes merged "
        "with yours." if saved.saved else "A teammate changed the goal meanwhile: the form "
        "shows their version."))
    reload_from_store(PROJECT_GOAL.name)
    st.rerun()


def goal_section() -> ProjectGoal | None:
    """The goal form; returns the saved goal (what the rest of the page measures against)."""
    st.header("Project goal", anchor="goal")
    item, goal = _open_goal()
    saved_caption(item)
    notice = st.session_state.pop(_GOAL + "notice", None)
    if notice:  # (saved, what happened) from the last merged save
        (st.success if notice[0] else st.info)(escape_markdown(notice[1]),
                                               icon=":material/call_merge:")
    goal_choices(on_saved=partial(reload_from_store, PROJECT_GOAL.name))
    values = _goal_fields()
    bounds, humans = _goal_tables()
    if st.button("Save the goal", key="strategy.goal.save", type="primary",
                 icon=":material/save:"):
        try:
            typed = goal_from_form(values, bounds, humans)
        except ValueError as err:
            show_error(err)
        else:
            goal = _save_goal_form(typed) or goal
    if goal is not None:
        for warning in goal.warnings:
            st.warning(escape_markdown(warning), icon=":material/warning:")
    return goal


# ---------------------------------------------------------------------------- iteration log

def _open_log() -> tuple[Item | None, list[IterationEntry]]:
    item = stored_log()
    entries: list[IterationEntry] = []
    if item is not None:
        try:
            entries = log_entries(item.content)
        except (ValueError, TypeError) as err:
            show_error(err, title="The saved iteration log cannot be read")
    mark_opened(ITERATION_LOG.name, item)  # a new entry is added to the entries shown in this run
    return item, entries


def _entry_form(snapshot_names: list[str]) -> IterationEntry | None:
    """The 'add an entry' form; the new entry once submitted and valid."""
    with st.form("strategy.log_form", clear_on_submit=False, border=True):
        st.markdown("**Add an entry**")
        left, middle, right = st.columns(3)
        date = left.date_input("Date", value=dt.date.today(), key="strategy.log.date")
        knob = middle.selectbox("Knob", list(KNOBS), key="strategy.log.knob",
                                format_func=lambda k: f"{k} ({' + '.join(KNOBS[k])})")
        gap = right.selectbox("Gap aimed at", list(AIMS), key="strategy.log.gap")
        snapshot = left.selectbox("Snapshot", [None, *snapshot_names], key="strategy.log.snapshot",
                                  format_func=lambda s: "none (a decision)" if s is None else s)
        decision = middle.text_input("Decision", key="strategy.log.decision",
                                     placeholder="what the team decided and why")
        unhappy = right.checkbox("Users unhappy", key="strategy.log.unhappy",
                                 help="Dev and test look fine but users (or the team) are not.")
        if not st.form_submit_button("Add to the log", icon=":material/add:"):
            return None
    try:
        return IterationEntry(date, knob=knob, gap=gap, snapshot=snapshot, decision=decision,
                              users_unhappy=bool(unhappy))
    except ValueError as err:
        show_error(err)
        return None


def _review_table(review: Any) -> None:
    """One row per entry, then what happened to each aimed gap at the next snapshot."""
    rows = [{"date": r.entry.date.isoformat(), "knob": r.entry.knob,
             "chain link": " + ".join(r.entry.links), "gap": r.entry.gap, "outcome": r.outcome,
             "snapshot": r.entry.snapshot or "", "decision": r.entry.decision or "",
             "users unhappy": r.entry.users_unhappy} for r in review.entries]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="strategy.log.table",
                 column_config={"decision": st.column_config.TextColumn(width="large")})
    st.markdown("**What happened**\n" + "\n".join(
        f"{i}. {escape_markdown(r.entry.date.isoformat())}, {escape_markdown(r.entry.knob)}: "
        f"{escape_markdown(r.explanation)}" for i, r in enumerate(review.entries, start=1)))


def _removal(entries: list[IterationEntry]) -> list[IterationEntry] | None:
    """The log without the entry the user chose to remove, once 'Remove' is clicked."""
    if not entries:
        return None
    with st.expander("Remove an entry"):
        choice = st.selectbox("Entry", range(len(entries)), key="strategy.log.remove_choice",
                              format_func=lambda i: f"{entries[i].date}, {entries[i].knob}, "
                                                    f"{entries[i].gap}")
        if st.button("Remove the entry", key="strategy.log.remove", icon=":material/delete:"):
            return [entry for i, entry in enumerate(entries) if i != choice]
    return None


def log_section(goal: ProjectGoal | None) -> None:
    """The dated entries, what happened to each aimed gap, and the course's prompts."""
    st.header("Iteration log", anchor="log")
    item, entries = _open_log()
    snapshots, unreadable = stored_snapshots()
    for name, why in unreadable.items():
        show_error(why, title=f"Snapshot {name} cannot be read")
    saved_caption(item)
    new = _entry_form([s.name for s in snapshots])
    updated = [*entries, new] if new is not None else _removal(entries)
    if updated is not None and save_guarded(
            ITERATION_LOG.name, lambda rev: save_content(ITERATION_LOG, LOG_ITEM, updated,
                                               expected_revision=rev), "strategy.log"):
        entries = updated
    if not snapshots:
        st.caption("No waterfall snapshot yet: save one per model version on the Bias & "
                   "variance page, then tie entries to them.")
    review = review_log(entries, snapshots, target_error_pct=target_error_pct(goal))
    st.markdown(f"**{escape_markdown(review.summary)}**")
    if review.entries:
        _review_table(review)
    for prompt in review.prompts:
        st.warning(f"**{escape_markdown(prompt.pattern.capitalize())}**: "
                   f"{escape_markdown(prompt.message)}", icon=":material/lightbulb:")
    for warning in review.warnings:
        st.caption(escape_markdown(warning))


# ---------------------------------------------------------------------------- learning curve

@st.cache_data(show_spinner="Fitting the learning curve…", max_entries=16)
def _fit(sizes: tuple[float, ...], dev: tuple[float, ...], train: tuple[float, ...] | None,
         human: float | None) -> LearningCurve:
    return fit_learning_curve(list(sizes), list(dev), train_errors_pct=train and list(train),
                              human_error_pct=human)


@st.cache_data(show_spinner=False, max_entries=8)
def _read_upload(data: bytes, name: str, limits: Any) -> pd.DataFrame:
    return read_table(data, name, limits=limits)[0]


def _curve_input() -> pd.DataFrame | None:
    """The typed table, or an uploaded one (size, train_error_pct, dev_error_pct)."""
    item = stored_curve()
    if arriving(LEARNING_CURVE.name, "strategy.curve.table") or "strategy.curve.base" not in st.session_state:
        base = curve_table(item.content if item else None)
        st.session_state["strategy.curve.base"] = pd.concat(
            [base, pd.DataFrame(None, index=range(max(0, 4 - len(base))),
                                columns=list(CURVE_COLUMNS), dtype=float)], ignore_index=True)
        st.session_state.pop("strategy.curve.table", None)
        mark_opened(LEARNING_CURVE.name, item)
    saved_caption(item)
    upload = st.file_uploader("Or upload a table with columns size, train_error_pct, "
                              "dev_error_pct", type=["csv", "tsv", "txt", "xlsx", "parquet"],
                              key="strategy.curve.upload")
    if upload is not None:
        try:
            data, limits = upload.getvalue(), read_limits()
            with parse_slot(data, limits):
                return _read_upload(data, upload.name, limits)
        except ValueError as err:
            show_error(err)
            return None
    return st.data_editor(
        st.session_state["strategy.curve.base"], key="strategy.curve.table", num_rows="dynamic",
        hide_index=True, width="stretch", column_config={
            "size": st.column_config.NumberColumn("training-set size", min_value=1, format="%d"),
            "train_error_pct": st.column_config.NumberColumn("train error (%)", min_value=0.0,
                                                             max_value=100.0),
            "dev_error_pct": st.column_config.NumberColumn("dev error (%)", min_value=0.0,
                                                           max_value=100.0)})


def _curve_results(curve: LearningCurve) -> None:
    """The verdict, the 2x and 10x extrapolations (10x flagged) and the reasons."""
    verdict_col, left, right = st.columns([2, 1, 1])
    verdict_col.markdown(f"**{escape_markdown(curve.verdict)}**")
    two, ten = curve.extrapolation(2), curve.extrapolation(10)
    left.metric(f"Dev error at 2x the data ({two.size:,.0f})", f"{two.error_pct:.2f}%",
                delta=f"{two.low:.2f}–{two.high:.2f}%", delta_color="off", delta_arrow="off",
                border=True)
    right.metric(f"At 10x ({ten.size:,.0f}): unreliable", f"{ten.error_pct:.2f}%",
                 delta=f"{ten.low:.2f}–{ten.high:.2f}%", delta_color="off", delta_arrow="off",
                 border=True, help=escape_markdown(ten.note))
    st.markdown("\n".join(f"- {escape_markdown(reason)}" for reason in curve.reasons))
    for warning in curve.warnings:
        st.caption(escape_markdown(warning))


def _waterfall_reminder() -> None:
    snapshots, _ = stored_snapshots()
    if not snapshots:
        st.caption("No waterfall snapshot yet: the Bias & variance page shows the gaps.")
        return
    latest = snapshots[-1]
    st.info(f"**Waterfall at {escape_markdown(latest.name)}**: "
            f"{escape_markdown(latest.result.diagnosis)}", icon=":material/waterfall_chart:")


def curve_section(goal: ProjectGoal | None) -> None:
    """The learning curve: its table, the fit, the chart, the verdict and the extrapolations."""
    st.header("Learning curve", anchor="learning-curve")
    st.caption("Train and dev error at four or more training-set sizes; the fit "
               "error = a + b·n^-c says whether more data is likely to close the gap.")
    table_col, reminder_col = st.columns([2, 1])
    with table_col:
        table = _curve_input()
    with reminder_col:
        _waterfall_reminder()
    if table is None:
        return
    if st.button("Save the learning curve", key="strategy.curve.save", icon=":material/save:"):
        save_guarded(LEARNING_CURVE.name, lambda rev: save_content(LEARNING_CURVE, CURVE_ITEM, table,
                                                   expected_revision=rev), "strategy.curve")
    try:
        sizes, dev, train = learning_curve_points(table)
        if not sizes:
            st.caption("Type at least four sizes with their errors to fit the curve.")
            return
        human = goal.bayes_proxy_pct if goal else min(project_human_levels().values(), default=None)
        curve = _fit(tuple(sizes), tuple(dev), train and tuple(train), human)
    except ValueError as err:
        show_error(err)
        return
    st.plotly_chart(learning_curve_figure(curve, title="Dev error against training-set size"),
                    key="strategy.curve.chart")
    _curve_results(curve)


# ---------------------------------------------------------------------------- the page

st.title("Project strategy")
st.caption("Where the project aims, which knob each step turned and what it did, whether more "
           "data will help, and what the course advises for transfer, multi-task and end-to-end "
           "learning.")
project = goal_section()
log_section(project)
curve_section(project)
advisors_section()
