"""The report's per-class section: multiclass and multi-label metrics of the chosen file.

Multiclass: accuracy with its interval, precision, recall and F1 per class with intervals,
macro / micro / weighted averages, and top-k accuracy when the file has one probability column
per class. Multi-label: every task's metrics on its known labels, macro and micro averages.
The numbers come from the metrics page's own analysis functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from analysis.metrics import (
    MulticlassMetrics,
    MultiLabelMetrics,
    multiclass_metrics,
    multilabel_metrics,
    top_k_accuracy,
)
from analysis.predictions import Predictions
from reporting.builders import dev_rows
from reporting.registry import ReportContext, register
from reporting.sections import MetricsSection, Section, Table

TOP_K = (1, 2, 3)


@dataclass(frozen=True)
class ClassMetricsSection(Section):
    """Per-class (multiclass) or per-task (multi-label) metrics of the report's file."""

    key: ClassVar[str] = "class_metrics"
    title: ClassVar[str] = "Per-class metrics (multiclass and multi-label)"
    markdown_table: ClassVar[bool] = True

    multiclass: MulticlassMetrics | None = None
    multilabel: MultiLabelMetrics | None = None


def _pct(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The fractions in `columns` as percents rounded to 2 places."""
    frame = frame.copy()
    for column in columns:
        if column in frame:
            frame[column] = (100 * pd.to_numeric(frame[column], errors="coerce")).round(2)
    return frame.rename(columns={c: f"{c} %" for c in columns if c in frame})


def _top_k_table(rows: Predictions) -> pd.DataFrame | None:
    """Top-k accuracy with its interval for k = 1, 2, 3 (below the number of classes), when
    the file has one probability column per class."""
    mapping = rows.mapping
    if not mapping.proba or len(mapping.proba) < 3:
        return None
    classes = mapping.classes[:len(mapping.proba)]
    proba = rows.frame[list(mapping.proba)].to_numpy(dtype=float)
    table = []
    for k in (k for k in TOP_K if k < len(classes)):
        estimate = top_k_accuracy(rows.y_true(), proba, k=k, classes=classes)
        table.append({"k": k, "top-k accuracy": estimate.value, "low": estimate.low,
                      "high": estimate.high})
    return _pct(pd.DataFrame(table), ("top-k accuracy", "low", "high"))


def _multiclass(main: Predictions) -> tuple[str, list[Table], MulticlassMetrics]:
    """(summary, tables, result) of a multiclass file's dev rows."""
    rows, split = dev_rows(main)
    result = multiclass_metrics(rows.y_true(), rows.y_pred(), labels=list(main.mapping.classes))
    counts = result.per_class.astype({"support": int, "predicted": int})
    per_class = _pct(counts.drop(columns=["tp"], errors="ignore"),
                     ("precision", "precision_low", "precision_high", "recall", "recall_low",
                      "recall_high", "f1"))
    tables: list[Table] = [(f"{main.name}: per class ({split})", per_class),
                           (f"{main.name}: averages (macro, micro, weighted)",
                            _pct(result.averages, ("precision", "recall", "f1")))]
    top_k = _top_k_table(rows)
    if top_k is not None:
        tables.append((f"{main.name}: top-k accuracy (true class among the k most probable)",
                       top_k))
    averages = result.averages.set_index("average")
    worst = result.per_class.sort_values("f1").iloc[0]
    summary = (f"{main.name}, {split} ({len(rows.y_true()):,} examples, {len(result.labels)} "
               f"classes): accuracy {result.accuracy.text()}, macro F1 "
               f"{averages.loc['macro', 'f1']:.1%}, micro F1 {averages.loc['micro', 'f1']:.1%}; "
               f"weakest class {worst['class']!r} (F1 {worst['f1']:.1%}).")
    return summary, tables, result


def _multilabel(main: Predictions, threshold: float) -> tuple[str, list[Table], MultiLabelMetrics]:
    """(summary, tables, result) of a multi-label file's dev rows at `threshold`."""
    rows, split = dev_rows(main)
    mapping = main.mapping
    result = multilabel_metrics(rows.y_true(),
                                scores=rows.frame[list(mapping.task_scores)].to_numpy(dtype=float),
                                threshold=threshold, task_names=list(mapping.task_labels))
    per_task = _pct(result.per_task, ("accuracy", "error_rate", "precision", "recall", "f1",
                                      "error_low", "error_high"))
    averages = result.averages.set_index("average")
    summary = (f"{main.name}, {split} ({rows.n_rows:,} examples, {len(result.tasks)} tasks) at "
               f"threshold {threshold:.2f}: macro F1 {averages.loc['macro', 'f1']:.1%}, micro F1 "
               f"{averages.loc['micro', 'f1']:.1%}; each task is scored on its known labels.")
    tables: list[Table] = [(f"{main.name}: per task ({split})", per_task.round(4)),
                           (f"{main.name}: averages over tasks (macro, micro)",
                            _pct(result.averages, ("precision", "recall", "f1")))]
    return summary, tables, result


def _covered(context: ReportContext) -> list[Predictions]:
    """The chosen file when it is multiclass or multi-label, else the newest readable file of
    each of those tasks in the workspace."""
    main = context.main
    if main is not None and main.task != "binary":
        return [main]
    readable = [p for _, p, _ in context.files if p is not None]
    newest = (next((p for p in readable if p.task == task), None)
              for task in ("multiclass", "multilabel"))
    return [p for p in newest if p is not None]


@register(ClassMetricsSection, after=MetricsSection)
def class_metrics_section(context: ReportContext) -> ClassMetricsSection:
    """Per-class metrics of the chosen multiclass or multi-label file (else of the newest of
    each in the workspace); absent when the workspace has none."""
    covered = _covered(context)
    if not covered:
        return ClassMetricsSection.absent("No multiclass or multi-label predictions file is "
                                          "saved in this workspace.")
    # task scores are probabilities: a threshold in another file's score units does not apply
    threshold = context.threshold if 0 <= context.threshold <= 1 else 0.5
    summaries, tables, warnings, found = [], [], [], {}
    for predictions in covered:
        if predictions.task == "multiclass":
            summary, more, result = _multiclass(predictions)
        else:
            summary, more, result = _multilabel(predictions, threshold)
        summaries.append(summary)
        tables += more
        warnings += [f"{predictions.name}: {w}" for w in result.warnings]
        found[predictions.task] = result
    return ClassMetricsSection(True, " ".join(summaries), tables=tuple(tables),
                               warnings=tuple(warnings), multiclass=found.get("multiclass"),
                               multilabel=found.get("multilabel"))
