"""Bias & variance: where the error comes from, and what to try next.

Typed rates or a predictions file -> analysis.bias_variance -> the waterfall figure. Every
input is bound to the URL, so a copied link reopens the same waterfall for a teammate.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
import streamlit as st

from analysis.bias_variance import decompose, decompose_predictions
from analysis.general_formulation import (
    FORMULATION_COLUMNS,
    FORMULATION_ROWS,
    general_formulation,
)
from analysis.strategy.stored import target_error_pct
from analysis.text import escape_markdown
from analysis.waterfall_cases import HUMAN_REFERENCES, PRESETS
from analysis.waterfall_result import BiasVarianceResult
from charts.waterfall import history_figure, waterfall_figure
from components.errors import show_error
from components.goal_context import (
    example_table,
    formulation_start,
    goal_estimates,
    show_goal_notes,
)
from components.inputs import predictions_picker
from components.page_state import PageState
from components.project_goal import project_goal
from components.score_threshold import scale_of_file, threshold_slider
from components.share import copy_link
from components.source_picker import source_in_use, waterfall_from_source
from components.state import (
    active_predictions,
    current_workspace,
    project_human_levels,
    workspace_items,
)
from components.unreadable import unreadable_item
from components.url_params import start_value
from workspace.kinds import WATERFALL_SNAPSHOT

# The labels are also the URL values (a bound widget writes its shown option): ?src=Predictions+file
TYPED, FROM_FILE = "Typed rates", "Predictions file"
# Widget key (= URL parameter) of each human-level reference, in HUMAN_REFERENCES order.
HUMAN_KEYS = dict(zip(HUMAN_REFERENCES, ("human", "expert", "experienced", "team"), strict=True))
HUMAN_LABELS = {"human": "Typical human", "expert": "Typical expert (e.g. doctor)",
                "experienced": "Experienced expert", "team": "Team of experts"}
RATE_KEYS = {"train": "Training error", "train_dev": "Train-dev error", "dev": "Dev error",
             "test": "Test error"}
SIZE_KEYS = {f"n_{rate}": label.replace(" error", "") for rate, label in RATE_KEYS.items()}
PAGE = PageState("waterfall")  # this page's keys; widget keys share the prefix


# ------------------------------------------------------------------ callbacks (run before the page)

def _fill_form(inputs: dict[str, Any]) -> None:
    """Put decompose() keyword arguments into the typed form (they reach the URL too)."""
    human = inputs.get("human")
    if not isinstance(human, dict):
        human = {} if human is None else {HUMAN_REFERENCES[0]: human}
    for reference, key in HUMAN_KEYS.items():
        st.session_state[key] = _number_or_none(human.get(reference))
    extra = [v for k, v in human.items() if k not in HUMAN_KEYS and v is not None]
    if extra:  # references under other names (e.g. a sample project's) fill the last slots
        st.session_state["team"] = min(extra)
    for key in RATE_KEYS:
        st.session_state[key] = _number_or_none(inputs.get(key))
    sizes = inputs.get("sizes") or {}
    for key in RATE_KEYS:
        st.session_state[f"n_{key}"] = _count_or_none(sizes.get(key, sizes.get(key.replace("_", "-"))))
    if st.session_state.get("src") != TYPED:  # only when it changes: "src" has a default
        st.session_state["src"] = TYPED


def _open_on_the_file_when_there_is_one() -> None:
    """A session's first visit, with a predictions file loaded and nothing typed in the URL,
    opens the file view: that is what someone who just loaded data came to see. The choice is
    written into the URL like any other, so links keep meaning the same view."""
    if PAGE.get("first_visit_done"):
        return
    PAGE.set("first_visit_done", True)
    typed = any(key in st.query_params for key in ("src", *RATE_KEYS, *HUMAN_KEYS.values()))
    if not typed and active_predictions() is not None:
        st.session_state["src"] = FROM_FILE


def _number_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _count_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _apply_preset(name: str) -> None:
    _fill_form(PRESETS[name])


def _open_snapshot(snapshots: dict[str, BiasVarianceResult]) -> None:
    chosen = PAGE.get("open_choice")
    if chosen in snapshots:
        _fill_form(snapshots[chosen].as_inputs())


def _reset_formulation(table: pd.DataFrame, origin: str) -> None:
    PAGE.set("formulation_base", table)  # not a widget: the grid's starting table
    PAGE.set("formulation_origin", origin)
    PAGE.pop("formulation")


# ------------------------------------------------------------------ the form

def _number_field(key: str, label: str, *, help_text: str | None = None) -> Any:
    """A bound number field (empty = not given) with a slot right under it for its error."""
    value = st.number_input(label, value=None, step=0.1, format="%.2f", key=key,
                            bind="query-params", placeholder="not given", help=help_text)
    return value, st.empty()


def _count_field(key: str, label: str) -> Any:
    value = st.number_input(label, value=None, step=100, key=key, bind="query-params",
                            placeholder="unknown", format="%d")
    return value, st.empty()


def _error_slot_for(message: str, slots: dict[str, Any], fallback: Any) -> Any:
    """The slot of the field an analysis error names ("train_dev must be...", "human['x']...")."""
    match = re.match(r"(human\['(?P<ref>[^']+)'\]|sizes\['(?P<size>[^']+)'\]|(?P<field>\w+))",
                     message)
    if match is None:
        return fallback
    if match.group("ref"):
        return slots.get(HUMAN_KEYS.get(match.group("ref"), ""), fallback)
    if match.group("size"):
        return slots.get("n_" + match.group("size").replace("-", "_"), fallback)
    return slots.get(match.group("field"), fallback)


def _show_in(slot: Any, error: ValueError) -> None:
    with slot.container():
        show_error(error)


def _human_inputs(slots: dict[str, Any]) -> dict[str, Any]:
    st.markdown("**Human level** (the best is the Bayes proxy)")
    human = {}
    for reference, key in HUMAN_KEYS.items():
        human[reference], slots[key] = _number_field(key, f"{HUMAN_LABELS[key]} (%)")
    return human


def _typed_inputs(slots: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    rates_col, sizes_col = st.columns(2)
    rates = {}
    with rates_col:
        st.markdown("**Model error** (percent, empty = not measured)")
        for key, label in RATE_KEYS.items():
            rates[key], slots[key] = _number_field(key, f"{label} (%)")
    sizes = {}
    with sizes_col:
        st.markdown("**Examples behind each error** (optional: adds intervals)")
        for key, label in SIZE_KEYS.items():
            sizes[key.removeprefix("n_")], slots[key] = _count_field(key, f"{label} examples")
    return rates, {k: v for k, v in sizes.items() if v is not None}


def _human_or_project(human: dict[str, Any]) -> dict[str, Any] | None:
    """The typed references, else the project goal's, else the project's (the sample project
    brings its own)."""
    if any(v is not None for v in human.values()):
        return human
    goal = project_goal()
    project = dict(goal.human_error_pct) if goal and goal.human_error_pct else project_human_levels()
    if project:
        listed = ", ".join(f"{name} {value:g}%" for name, value in project.items())
        origin = "project goal" if goal and goal.human_error_pct else "project"
        st.caption(f"Human level from the {origin}: {escape_markdown(listed)}. Type references "
                   "to override.")
        return dict(project)
    return None


def _form_is_empty() -> bool:
    keys = [*HUMAN_KEYS.values(), *RATE_KEYS, *SIZE_KEYS]
    return all(st.session_state.get(key) is None for key in keys)


def _typed_result(human: dict[str, Any], slots: dict[str, Any],
                  general_slot: Any) -> BiasVarianceResult | None:
    rates, sizes = _typed_inputs(slots)
    if _form_is_empty():
        return None  # nothing typed yet: an invitation, not an error
    try:
        return decompose(human, rates["train"], rates["train_dev"], rates["dev"], rates["test"],
                         sizes=sizes or None)
    except ValueError as err:
        _show_in(_error_slot_for(str(err), slots, general_slot), err)
        return None


def _file_result(human: dict[str, Any], slots: dict[str, Any]) -> BiasVarianceResult | None:
    predictions = predictions_picker("waterfall.file", tasks=("binary", "multiclass"))
    if (source := source_in_use("waterfall.file")) is not None:
        return waterfall_from_source("waterfall.source", source, _human_or_project(human))
    if predictions is None:
        return None
    threshold, model = 0.5, None
    if predictions.task == "binary" and predictions.mapping.scores:
        scale = scale_of_file(predictions, start=start_value("waterfall", "threshold"))
        threshold = threshold_slider(scale, bind=True)
        if len(predictions.mapping.scores) > 1:
            model = st.selectbox("Model (score column)", predictions.mapping.scores, key="model",
                                 bind="query-params")
    typed = any(v is not None for v in human.values())
    try:
        return decompose_predictions(predictions, human=_human_or_project(human),
                                     threshold=threshold, model=model,
                                     **({} if typed else goal_estimates(project_goal())))
    except ValueError as err:
        _show_in(_error_slot_for(str(err), slots, st.empty()), err)
        return None


# ------------------------------------------------------------------ results

def _level_table(result: BiasVarianceResult) -> None:
    """Per-split errors with counts and intervals, as a plain table (a few rows, all readable)."""
    table = result.level_table()
    shown = pd.DataFrame({
        "level": table["level"],
        "error": [f"{e:.2f}%" for e in table["error"]],
        "wrong / examples": ["" if pd.isna(n) else f"{int(k):,} / {int(n):,}"
                             for k, n in zip(table["errors"], table["examples"], strict=True)],
        f"{result.confidence:.0%} interval (Wilson)": [
            "" if pd.isna(low) else f"{low:.2f}% – {high:.2f}%"
            for low, high in zip(table["low"], table["high"], strict=True)],
    })
    st.table(shown.set_index("level"))


def _gap_metrics(result: BiasVarianceResult) -> None:
    if not result.gaps:
        return
    for column, gap in zip(st.columns(len(result.gaps)), result.gaps, strict=True):
        label = "variance + mismatch" if gap.kind == "variance" and gap.end == "dev" else gap.kind
        note = "within the noise" if gap.within_noise else ("dominant" if
                                                          gap.kind == result.main_problem else None)
        column.metric(f"{label} (points)", f"{gap.size:+.1f}", delta=note, delta_color="off",
                      delta_arrow="off", border=True)


def _diagnosis(result: BiasVarianceResult) -> None:
    goal = project_goal()
    st.plotly_chart(waterfall_figure(result, target_error_pct=target_error_pct(goal)),
                    key="waterfall.chart")
    st.subheader("Diagnosis")
    st.markdown(f"**{escape_markdown(result.diagnosis)}**")
    show_goal_notes(goal, result)
    _gap_metrics(result)
    for problem in result.problems:
        st.markdown(f"**What to try for {escape_markdown(problem)}:**\n"
                    + "\n".join(f"- {escape_markdown(tactic)}" for tactic in result.tactics[problem]))
    for warning in result.warnings:
        st.warning(escape_markdown(warning), icon=":material/warning:")


def _formulation_section(result: BiasVarianceResult | None) -> None:
    st.subheader("General formulation")
    st.caption("Errors (%) on the general (training) distribution and on the target (dev/test) "
               "distribution. Any cell may stay empty: the gaps it supports are derived.")
    base = PAGE.get("formulation_base")
    if base is None:  # the project's own numbers where there are some
        base, origin = formulation_start()
        PAGE.set("formulation_base", base)
        PAGE.set("formulation_origin", origin)
    st.caption(escape_markdown(PAGE.get("formulation_origin") or ""))
    left, middle, right = st.columns(3)
    left.button("Rear-view mirror example", key="waterfall.formulation_example",
                on_click=_reset_formulation, args=(example_table(), "The course's rear-view "
                                                   "mirror example."))
    if result is not None:
        middle.button("Fill from the waterfall", key="waterfall.formulation_fill",
                      on_click=_reset_formulation, args=(result.formulation_table(),
                                                         "Filled from the waterfall above."))
    right.button("Clear", key="waterfall.formulation_clear", on_click=_reset_formulation,
                 args=(pd.DataFrame(math.nan, index=list(FORMULATION_ROWS),
                                    columns=list(FORMULATION_COLUMNS), dtype=float), ""))
    edited = st.data_editor(
        base, key="waterfall.formulation", num_rows="fixed", width="stretch",
        column_config={c: st.column_config.NumberColumn(c, format="%.2f", step=0.1)
                       for c in FORMULATION_COLUMNS})
    try:
        formulation = general_formulation(edited)
    except ValueError as err:
        show_error(err)
        return
    if formulation.gaps:
        st.dataframe(pd.DataFrame([{"gap": g.name, "points": g.size, "meaning": g.meaning}
                                   for g in formulation.gaps]),
                     hide_index=True, key="waterfall.formulation_gaps",
                     column_config={"points": st.column_config.NumberColumn(format="%+.2f"),
                                    "meaning": st.column_config.TextColumn(width="large")})
    if formulation.unsupported:
        st.caption("Not derivable from the filled cells: " + ", ".join(formulation.unsupported))
    for warning in formulation.warnings:
        st.warning(escape_markdown(warning), icon=":material/warning:")


def _snapshot_section(result: BiasVarianceResult | None) -> None:
    st.subheader("Snapshots (iteration history)")
    workspace = current_workspace()
    name_col, save_col = st.columns([3, 1], vertical_alignment="bottom")
    name = name_col.text_input("Model version", key="waterfall.snapshot_name",
                               placeholder="e.g. v3-dropout")
    save = save_col.button("Save snapshot", key="waterfall.save", type="primary",
                           icon=":material/bookmark_add:", disabled=result is None)
    if save and result is not None:
        try:
            item = workspace_items().save(WATERFALL_SNAPSHOT, name, result)
            st.success(f"Saved snapshot **{escape_markdown(item.name)}** (revision {item.revision}) "
                       f"in workspace {escape_markdown(workspace.name)}.", icon=":material/check:")
        except ValueError as err:
            show_error(err)
    readable = _stored_snapshots()
    if readable is None:
        st.caption("No snapshot yet: save one per model version to see how the gaps move.")
        return
    if not readable:
        return
    st.plotly_chart(history_figure(list(readable.items())), key="waterfall.history")
    pick_col, open_col = st.columns([3, 1], vertical_alignment="bottom")
    pick_col.selectbox("Snapshot", list(readable), key="waterfall.open_choice")
    open_col.button("Open in the form", key="waterfall.open", on_click=_open_snapshot,
                    args=(readable,), icon=":material/open_in_browser:")


def _stored_snapshots() -> dict[str, BiasVarianceResult] | None:
    """Saved snapshots that read, oldest first (the order the model versions were made in);
    each one that does not read is named with the reason. None when none is saved."""
    data = workspace_items()
    items = sorted(data.items(WATERFALL_SNAPSHOT), key=lambda item: (item.created_at, item.name))
    if not items:
        return None
    readable = {}
    for item in items:
        try:
            readable[item.name] = data.read(WATERFALL_SNAPSHOT, item)
        except ValueError as err:
            unreadable_item(WATERFALL_SNAPSHOT.name, item.name, str(err), what="Snapshot")
    return readable


# ------------------------------------------------------------------ the page

st.title("Bias & variance")
st.caption("Human level stands in for Bayes error; each step down the waterfall (avoidable bias, "
           "variance, data mismatch, overfitting to dev) says what to try next. Every input is in "
           "the page's address: copy the link to show a teammate the same waterfall.")
copy_link()

_open_on_the_file_when_there_is_one()
source = st.segmented_control(
    "Errors from", [TYPED, FROM_FILE], default=TYPED, required=True, key="src",
    bind="query-params")

if source == TYPED:
    st.markdown("**Worked cases from the course** (one click fills the form)")
    for row_start in range(0, len(PRESETS), 4):
        names = list(PRESETS)[row_start:row_start + 4]
        for column, name in zip(st.columns(4), names, strict=False):
            column.button(name, key=f"waterfall.preset.{list(PRESETS).index(name)}",
                          on_click=_apply_preset, args=(name,), width="stretch", wrap=True)

slots: dict[str, Any] = {}
human_col, rest_col = st.columns([1, 2])
with human_col:
    human_values = _human_inputs(slots)
with rest_col:
    general_error = st.empty()
    if source == FROM_FILE:
        result = _file_result(human_values, slots)
        if result is not None:
            _level_table(result)
    else:
        result = _typed_result(human_values, slots, general_error)
if result is None and source == TYPED and _form_is_empty():
    general_error.info("Type at least the training error, or click one of the worked cases.",
                       icon=":material/edit:")

if result is not None:
    _diagnosis(result)
_formulation_section(result)
_snapshot_section(result)
