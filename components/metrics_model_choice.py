"""The metrics page's "Choose a model" and "Model A vs model B" sections.

Choosing: ONE optimizing metric to maximise (or minimise) and satisficing bounds that only have
to be met, over a table of models (the course's example, the loaded models, a typed or a saved
table). The optimizing metric and the bounds start from the project goal when one is saved.
Comparing: two models on the same examples, exact McNemar with a paired bootstrap interval and
the dev size needed to detect a given difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analysis.metrics import binary_metrics, metrics_at_threshold, metrics_table
from analysis.model_rows import ModelRows
from analysis.sample_size import dev_size_to_detect
from analysis.selection import OPERATORS, SavedModelTable, compare_models, select_model
from analysis.strategy import ProjectGoal
from analysis.text import escape_markdown
from charts.metrics import comparison_figure, styled_model_table
from components.errors import show_error
from components.goal_costs import saved_goal
from components.metrics_compute import cached_curve
from components.model_table_merge import opened_revision, save_table_edit, table_choices
from components.state import workspace_items
from components.unreadable import unreadable_item
from storage import Item
from workspace.kinds import MODEL_TABLE

TABLE_SOURCES = {"course": "Course example (A, B, C)", "files": "From the loaded models",
                 "typed": "Type your own"}
COURSE_TABLE = pd.DataFrame({"model": ["A", "B", "C"], "accuracy": [90.0, 92.0, 95.0],
                             "running_time_ms": [80.0, 95.0, 1500.0]})
LOWER_IS_BETTER = ("time", "ms", "memory", "size", "latency", "error", "cost")


def _files_table(rows: ModelRows | None, threshold: float) -> pd.DataFrame:
    """The loaded models' metrics at the page's threshold, in percent, running time to type."""
    if rows is None or not rows.names:
        return pd.DataFrame({"model": pd.Series(dtype="str"), "accuracy": pd.Series(dtype=float)})
    results = {name: (metrics_at_threshold(cached_curve(rows.y_true, rows.scores[name]),
                                           threshold=threshold)
                      if name in rows.scores else binary_metrics(rows.y_true, rows.labels[name]))
               for name in rows.names}
    table = metrics_table(results)
    table["running_time_ms"] = np.nan  # typed by the user: the files do not know it
    return table


def _constraint_controls(table: pd.DataFrame, optimize: str, source: str,
                         defaults: dict[str, tuple[str, float]]) -> dict[str, tuple[str, float]]:
    """The satisficing metrics chosen and each one's operator and bound."""
    numeric = [c for c in table.columns if c != optimize and pd.api.types.is_numeric_dtype(table[c])]
    # a bound on a column nobody filled in yet (running time of the loaded models) would rule
    # out every model: it starts unselected until the column has values
    filled = [c for c in defaults if c in numeric and table[c].notna().any()]
    chosen = st.multiselect("Satisficing metrics (only have to be good enough)", numeric,
                            default=filled, key=f"metrics.satisfy.{source}")
    rules = {}
    operators = list(OPERATORS)
    for metric in chosen:
        lower_is_better = any(word in metric.lower() for word in LOWER_IS_BETTER)
        values = pd.to_numeric(table[metric], errors="coerce")
        median = float(np.nanmedian(values)) if values.notna().any() else 0.0
        op_default, bound_default = defaults.get(metric, ("<=" if lower_is_better else ">=", median))
        left, right = st.columns([1, 2])
        op = left.selectbox(escape_markdown(metric), operators, index=operators.index(op_default),
                            key=f"metrics.op.{source}.{metric}")
        bound = right.number_input(f"Bound for {escape_markdown(metric)}", value=float(bound_default),
                                   key=f"metrics.bound.{source}.{metric}")
        rules[metric] = (op, bound)
    return rules


def _goal_defaults(goal: ProjectGoal | None, origin: str) -> tuple[str, str, dict]:
    """(optimize, direction, satisfy) the controls start from: the goal's, else accuracy."""
    if goal is None:
        return "accuracy", "max", {}
    bounds = "; ".join(b.describe() for b in goal.satisficing) or "no bounds"
    st.caption(f"Optimizing metric and bounds start from the project goal ({escape_markdown(origin)}): "
               f"{escape_markdown(goal.metric)} ({'maximise' if goal.direction == 'max' else 'minimise'}),"
               f" {escape_markdown(bounds)}.")
    return goal.metric, goal.direction, goal.satisfy


def _base_table(source: str, rows: ModelRows | None, threshold: float, defaults: tuple[str, str, dict]
                ) -> tuple[pd.DataFrame, str, tuple[str, str, dict], Item | None] | None:
    """(table, widget source key, defaults, the saved revision shown or None) for the chosen
    table source; None when unreadable."""
    if source == "saved":
        data = workspace_items()
        saved = {item.name: item for item in data.items(MODEL_TABLE)}
        chosen = st.selectbox("Saved table", list(saved), key="metrics.saved_table")
        shown = opened_revision(saved[chosen])
        try:
            stored = data.read(MODEL_TABLE, shown)
        except ValueError as err:
            unreadable_item(MODEL_TABLE.name, chosen, err, what="Model table")
            return None
        st.caption(f"Revision {shown.revision}, saved by "
                   f"{escape_markdown(shown.updated_by or 'someone')}.")
        # each saved table keeps its own controls, and the choice saved with it
        return (stored.table, f"saved.{chosen}",
                (stored.optimize or defaults[0], stored.goal, stored.satisfy), shown)
    if source == "course":
        return COURSE_TABLE, source, (defaults[0], defaults[1],
                                      defaults[2] or {"running_time_ms": ("<=", 100.0)}), None
    if source == "files":
        st.caption("Metrics of the loaded models at the current threshold (in %); type each "
                   "model's running time or add columns.")
        return _files_table(rows, threshold), source, defaults, None
    typed = pd.DataFrame({"model": pd.Series(["model 1", "model 2"], dtype="str"),
                          "accuracy": pd.Series([None, None], dtype=float),
                          "running_time_ms": pd.Series([None, None], dtype=float)})
    return typed, source, defaults, None


def _choice_controls(table: pd.DataFrame, source: str,
                     defaults: tuple[str, str, dict]) -> tuple[str, str, dict] | None:
    """The optimizing metric, its direction and the bounds; None when nothing is numeric."""
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    if not numeric:
        st.info("Add a numeric column (e.g. accuracy) to choose by.")
        return None
    optimize_default, goal_default, satisfy_default = defaults
    left, right = st.columns([2, 1])
    optimize = left.selectbox("Optimizing metric", numeric,
                              index=numeric.index(optimize_default) if optimize_default in numeric else 0,
                              key=f"metrics.optimize.{source}")
    goal = right.radio("Goal", ["max", "min"], horizontal=True, key=f"metrics.goal.{source}",
                       index=0 if goal_default == "max" else 1,
                       format_func={"max": "maximise", "min": "minimise"}.get)
    return optimize, goal, _constraint_controls(table, optimize, source, satisfy_default)


def model_table_section(rows: ModelRows | None, threshold: float) -> None:
    """Rank models by one optimizing metric under satisficing bounds, and save the table."""
    st.header("Choose a model", divider="gray")
    st.caption("Pick ONE optimizing metric to maximise; turn the others into satisficing "
               "thresholds that only have to be met (e.g. running time ≤ 100 ms).")
    has_saved = bool(workspace_items().items(MODEL_TABLE))
    sources = {**TABLE_SOURCES, **({"saved": "Saved in this workspace"} if has_saved else {})}
    source = st.radio("Model table", list(sources), format_func=sources.get,
                      horizontal=True, key="table", bind="query-params")
    goal = saved_goal()
    defaults = _goal_defaults(goal.goal, goal.origin)
    base = _base_table(source, rows, threshold, defaults)
    if base is None:
        return
    frame, source, defaults, opened = base
    if opened is not None:
        table_choices(opened.name)
    table = st.data_editor(frame, key=f"metrics.models.{source}", num_rows="dynamic", hide_index=True)
    controls = _choice_controls(table, source, defaults)
    if controls is None:
        return
    optimize, direction, rules = controls
    try:
        choice = select_model(table, optimize=optimize, satisfy=rules, goal=direction)
    except ValueError as err:
        show_error(err)
        return
    (st.success if choice.winner else st.warning)(escape_markdown(choice.summary))
    st.dataframe(styled_model_table(choice), hide_index=True, key=f"metrics.selection.{source}")
    for warning in choice.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")
    _save_table_controls(SavedModelTable(table, choice.optimize, choice.goal, choice.satisfy,
                                         threshold=threshold, choice=choice.to_dict()), opened)


def _save_table_controls(saved: SavedModelTable, opened: Item | None) -> None:
    """Keep the table (and the choice made on it) in the workspace for teammates: saved again
    under its own name, a saved table is merged row by model into a teammate's newer save."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    # a saved table is saved again under its own name unless renamed (its own input)
    name = left.text_input("Save as", value=opened.name if opened else "Model table",
                           key=f"metrics.table_name.saved.{opened.name}" if opened
                           else "metrics.table_name")
    if right.button("Save to workspace", key="metrics.save_table", icon=":material/save:"):
        if not name.strip():
            show_error("Give the table a name before saving it.")
            return
        if opened is not None and name.strip() == opened.name:
            try:
                save_table_edit(opened.name, saved, opened)
            except (ValueError, RuntimeError) as err:
                show_error(err)
                return
            st.rerun()  # the grid shows the merged revision, with any clash to choose
        item = workspace_items().save(MODEL_TABLE, name.strip(), saved)
        st.success(f"Saved '{escape_markdown(item.name)}' (revision {item.revision}).",
                   icon=":material/check_circle:")


def comparison_section(rows: ModelRows | None, threshold: float) -> None:
    """Model A against model B on the same examples: McNemar, bootstrap, dev size to detect."""
    st.header("Model A vs model B", divider="gray")
    if rows is None or len(rows.names) < 2:
        st.info("Load a second model of the same examples (a second score column, or another "
                "file under 'Also compare models from') to compare two models.")
        return
    left, right = st.columns(2)
    name_a = left.selectbox("Model A", rows.names, index=0, key="metrics.model_a")
    name_b = right.selectbox("Model B", rows.names, index=1, key="metrics.model_b")
    if name_a == name_b:
        st.warning("Choose two different models.")
        return
    try:
        comparison = compare_models(rows.y_true, rows.predicted(name_a, threshold),
                                    rows.predicted(name_b, threshold), names=(name_a, name_b))
    except ValueError as err:
        show_error(err)
        return
    cards = st.columns(4)
    cards[0].metric("Error A − error B", f"{100 * comparison.difference:+.2f} pts")
    cards[1].metric("p-value (exact McNemar)", f"{comparison.p_value:.3g}")
    cards[2].metric("95% interval (paired bootstrap)",
                    f"{100 * comparison.low:+.2f} to {100 * comparison.high:+.2f}")
    cards[3].metric("Examples only A / only B gets wrong",
                    f"{comparison.only_a_wrong:,} / {comparison.only_b_wrong:,}")
    (st.success if comparison.significant else st.info)(escape_markdown(comparison.verdict))
    st.plotly_chart(comparison_figure(comparison), key="metrics.comparison")
    _dev_size(comparison)


def _dev_size(comparison) -> None:
    """How many dev examples a paired test needs to detect the difference the user types."""
    detect = st.number_input("Difference to detect (points of error)", 0.01, 50.0, 1.0, 0.1,
                             key="metrics.detect")
    try:
        # both models are scored on the same dev examples: the paired (McNemar) design
        worse_pct = max(100 * comparison.error_a, 100 * comparison.error_b, detect)
        needed = dev_size_to_detect(detect, worse_pct, design="paired")
        st.caption(escape_markdown(needed.explanation) + " Your dev set here has "
                   f"{comparison.n:,} examples.")
    except ValueError as err:
        show_error(err)
