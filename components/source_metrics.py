"""The metrics page's results for a configured data source, computed by its engine: every
threshold metric with its interval (from scores, or from predicted labels only), ROC and PR
curves with AUC / AP (exact, or from a score histogram with the error bound stated), the
calibration table, or for multiclass labels the confusion matrix and per-class metrics; then
metrics per slice and the weighted error, a seeded sample of misclassified dev rows and the
error-slice search over metadata columns.
"""

from __future__ import annotations

import streamlit as st

from analysis.metrics import BinaryMetrics
from analysis.text import escape_markdown
from charts.calibration import reliability_figure
from charts.metrics import pr_figure, roc_figure
from components.source_breakdowns import source_multiclass, source_slices
from components.source_picker import computed, source_input, source_threshold
from sources import breakdowns, pushdown
from sources.config import SourceConfig
from sources.slices import MAX_COLUMNS, find_error_slices

_ALL = "all rows"


def _table(metrics: BinaryMetrics) -> None:
    """One row per metric: value and interval as the in-memory page words them."""
    rows = [{"metric": e.name.replace("_", " "), "value": escape_markdown(e.text(2))}
            for e in metrics.estimates()]
    st.table(rows)
    st.caption(f"TP {metrics.tp:,.0f} · FP {metrics.fp:,.0f} · TN {metrics.tn:,.0f} · "
               f"FN {metrics.fn:,.0f} · queue rate {metrics.queue_rate:.1%} of "
               f"{metrics.n:,.0f} examples")
    for warning in metrics.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")


def source_metrics(key: str, source: SourceConfig) -> None:
    """Threshold, split, then the engine's metrics, curves, calibration and error sample."""
    chosen = source_input(key, source)
    if chosen is None:
        return
    conn, table, roles = chosen
    left, right = st.columns(2)
    threshold = source_threshold(key, left, roles)
    beside = right if roles.thresholded else left  # no threshold slider without a score
    split = beside.selectbox("Rows", [_ALL, "dev", "test", "train-dev", "train"],
                             key=f"{key}.rows")
    rows = None if split == _ALL else split
    if roles.task == "multiclass":
        source_multiclass(conn, table, roles, rows)
    elif roles.score is None:
        _labels_only(conn, table, roles, rows)
    else:
        _scored(key, conn, table, roles, threshold, rows)
    source_slices(key, conn, table, roles, threshold, rows)
    _misclassified(key, conn, table, roles, threshold)
    _slices(key, conn, table, roles, threshold)


def _scored(key: str, conn: object, table: object, roles: pushdown.Roles, threshold: float,
            rows: str | None) -> None:
    """Metrics at the threshold, ROC and PR with AUC / AP, and calibration, from scores."""
    done = computed(conn, lambda: pushdown.binary_metrics(table, roles, threshold=threshold,
                                                          split=rows), "Metrics")
    if done is None:
        return
    metrics, curve = done.value
    _table(metrics)
    st.caption(f"ROC AUC and average precision: {escape_markdown(curve.method)}.")
    for column, figure in zip(st.columns(2), (roc_figure, pr_figure), strict=True):
        column.plotly_chart(figure({conn.source.name: curve.curve}, threshold=threshold),
                            key=f"{key}.{figure.__name__}")
    _calibration(key, conn, table, roles, rows)


def _labels_only(conn: object, table: object, roles: pushdown.Roles, rows: str | None) -> None:
    """Metrics from the predicted labels: no score, so no curves and no calibration."""
    done = computed(conn, lambda: breakdowns.label_metrics(table, roles, split=rows), "Metrics")
    if done is not None:
        _table(done.value)
    st.caption(":material/info: Predicted labels only: ROC and PR curves, AUC, average "
               "precision and calibration need a score column, so they are not shown.")


def _calibration(key: str, conn: object, table: object, roles: pushdown.Roles,
                 rows: str | None) -> None:
    st.subheader("Calibration", divider="gray")
    done = computed(conn, lambda: pushdown.calibration(table, roles, split=rows), "Calibration")
    if done is not None:
        (st.success if done.value.usable_as_probabilities else st.info)(
            escape_markdown(done.value.verdict))
        st.plotly_chart(reliability_figure(done.value), key=f"{key}.reliability")


def _misclassified(key: str, conn: object, table: object, roles: pushdown.Roles,
                   threshold: float) -> None:
    st.subheader("Misclassified dev examples (seeded sample)", divider="gray")
    seed = st.number_input("Seed", 0, 10_000, 0, key=f"{key}.seed")
    done = computed(conn, lambda: pushdown.misclassified_sample(
        table, roles, threshold=threshold, size=20, seed=int(seed)), "Sample")
    if done is not None:
        st.dataframe(done.value, hide_index=True)


def _slices(key: str, conn: object, table: object, roles: pushdown.Roles,
            threshold: float) -> None:
    """Where errors concentrate: the slice search over up to 10 metadata columns."""
    st.subheader("Where errors concentrate (error slices)", divider="gray")
    metadata = roles.other_columns(table.columns)
    chosen = st.multiselect("Metadata columns (at most 10)", metadata, key=f"{key}.slice_cols",
                            max_selections=MAX_COLUMNS)
    if not chosen:
        st.caption("Choose metadata columns to search for slices where errors concentrate.")
        return
    done = computed(conn, lambda: find_error_slices(table, roles, chosen, threshold=threshold),
                    "Slice search")
    if done is not None:
        st.caption(escape_markdown(done.value.attrs["summary"]))
        shown = done.value[["slice", "n", "errors", "error_rate", "excess_errors", "p_adjusted"]]
        st.dataframe(shown, hide_index=True)
