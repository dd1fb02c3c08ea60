"""The report's section builders, in reading order: each reads the workspace through the gate in
its ReportContext and calls its page's own analysis function (waterfall, metrics, model
selection, error analysis, training lab). A section whose data is absent says so.

The order of the ``@register`` decorators below is the order of the report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from analysis.bias_variance import decompose_predictions
from analysis.error_analysis import (
    DEFAULT_DEV_ERROR_PCT,
    CategorySummary,
    category_summary,
    label_noise_impact,
    mislabeled_category,
)
from analysis.error_sheet import category_label
from analysis.metrics import BinaryMetrics, binary_metrics, score_curve
from analysis.predictions import Predictions
from analysis.selection import compare_models, select_model
from analysis.waterfall_result import BiasVarianceResult

# The goal and the split plan open the report: they register before the sections below.
from reporting import plan_builders  # noqa: F401
from reporting.registry import ReportContext, register
from reporting.sections import (
    ErrorAnalysisSection,
    FilesSection,
    LabSection,
    MetricsSection,
    SelectionSection,
    Table,
    WaterfallSection,
)
from storage import Item
from workspace.data import WorkspaceData
from workspace.kinds import (
    ERROR_SHEET,
    LAB_EXPERIMENT,
    MODEL_TABLE,
    PREDICTIONS,
    WATERFALL_SNAPSHOT,
    SavedKind,
)

GAP_NAMES = {"avoidable_bias": "avoidable bias", "variance": "variance",
             "data_mismatch": "data mismatch", "dev_overfit": "overfitting to dev"}


def latest_items(data: WorkspaceData, kind: SavedKind[Any]) -> list[Item]:
    """Items of a kind, newest first."""
    return sorted(data.items(kind), key=lambda i: i.updated_at, reverse=True)


def when(moment: datetime | None) -> str:
    """A moment as '2026-11-23 12:00 UTC' ('' when unknown)."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _saved_rows(item: Item) -> int | None:
    """The row count saved with a predictions file whose table no longer reads (None if unknown)."""
    try:
        return WorkspaceData.read(PREDICTIONS, item).rows
    except ValueError:
        return None


def file_models(main: Predictions | None) -> tuple[str, ...]:
    """A file's models as the report names them: its score columns, else its predicted labels."""
    if main is None:
        return ()
    return tuple(main.mapping.scores) or ((main.mapping.y_pred,) if main.mapping.y_pred else ())



# --------------------------------------------------------------------------- data files

@register(FilesSection)
def files_section(context: ReportContext) -> FilesSection:
    """Every saved predictions file with its rows, task and splits."""
    files, main = context.files, context.main
    if not files:
        return FilesSection.absent("No data file is saved in this workspace: load predictions on "
                                   "the home page (or the sample project) first.")
    rows = []
    for item, predictions, problem in files:
        rows.append({
            "file": item.name,
            "rows": predictions.n_rows if predictions is not None else _saved_rows(item),
            "task": predictions.task if predictions is not None else "?",
            "splits": ", ".join(predictions.splits()) if predictions is not None else problem,
            "saved by": item.updated_by or "unknown", "saved at": when(item.updated_at)})
    table = pd.DataFrame(rows)
    total = int(pd.to_numeric(table["rows"], errors="coerce").fillna(0).sum())
    summary = (f"{len(files)} data file{'s' if len(files) > 1 else ''} with {total:,} rows in all"
               + (f"; the metrics below use {main.name}." if main is not None else "."))
    return FilesSection(True, summary, tables=(("Files in the workspace", table),))


# --------------------------------------------------------------------------- waterfall

def _gap_row(name: str, result: BiasVarianceResult) -> dict[str, Any]:
    """One table row: a snapshot's levels, gaps and main problem."""
    row: dict[str, Any] = {"snapshot": name}
    for level in ("human", "train", "train-dev", "dev", "test"):
        value = next((s.error for s in result.levels if s.split == level), None)
        row[f"{level} %"] = None if value is None else round(value, 2)
    for attribute, label in GAP_NAMES.items():
        value = getattr(result, attribute)
        row[label] = None if value is None else round(value, 2)
    row["main problem"] = GAP_NAMES.get(result.main_problem or "", result.main_problem) or "none"
    return row


def _snapshots(context: ReportContext) -> tuple[list[tuple[str, BiasVarianceResult]],
                                                list[dict[str, Any]], list[str]]:
    """(history, table rows, warnings) of the saved waterfall snapshots, oldest first."""
    data = context.data
    items = sorted(data.items(WATERFALL_SNAPSHOT), key=lambda i: (i.created_at, i.name))
    history, rows, warnings = [], [], []
    for item in items:
        try:
            result = data.read(WATERFALL_SNAPSHOT, item)
        except ValueError:
            warnings.append(f"Snapshot {item.name!r} could not be read and is left out.")
            continue
        history.append((item.name, result))
        revisions = len(data.history(WATERFALL_SNAPSHOT, item.name))
        rows.append({**_gap_row(item.name, result), "saved by": item.updated_by or "unknown",
                     "saved at": when(item.updated_at), "revisions": revisions})
    return history, rows, warnings


@register(WaterfallSection)
def waterfall_section(context: ReportContext) -> WaterfallSection:
    """The latest snapshot's waterfall and the history, else one computed from the main file."""
    history, rows, warnings = _snapshots(context)
    main = context.main
    if history:
        latest_name, latest = history[-1]
        source = f"Latest snapshot {latest_name!r} ({len(history)} saved)"
    elif main is not None:
        try:
            latest = decompose_predictions(main, human=context.human)
        except ValueError as err:
            return WaterfallSection.absent(f"No waterfall snapshot is saved, and {main.name} "
                                           f"gives no waterfall: {err}")
        latest_name, source = main.name, f"No snapshot saved: computed from {main.name}"
        rows.append({**_gap_row(main.name, latest), "saved by": "", "saved at": "", "revisions": 0})
    else:
        return WaterfallSection.absent("No waterfall snapshot is saved in this workspace and "
                                       "there is no predictions file to compute one from.")
    tactics = latest.tactics.get(latest.main_problem or "", ())
    return WaterfallSection(
        True, f"{source}. {latest.diagnosis}", bullets=tuple(f"Try: {t}" for t in tactics),
        tables=(("Snapshots (model versions, oldest first)", pd.DataFrame(rows)),),
        warnings=tuple(warnings) + tuple(latest.warnings),
        latest=(latest_name, latest), history=tuple(history))


# --------------------------------------------------------------------------- key metrics

def dev_rows(main: Predictions) -> tuple[Predictions, str]:
    """The dev rows of a file when it has a dev split, else all its rows, with their name."""
    if "dev" in main.splits():
        return main.subset("dev"), "dev"
    return main, "all rows"


def _pct(value: float | None) -> float | None:
    """A fraction as a percent rounded to 2 places (None for missing or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(100 * value, 2)


def _count(value: float | None) -> str:
    """A count with thousands separators (one decimal when weighted)."""
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@register(MetricsSection)
def metrics_section(context: ReportContext) -> MetricsSection:
    """Error, precision, recall and F1 of the chosen models of the main binary file, with
    intervals: every metric of the first, and one row per model when there are several."""
    main, threshold = context.main, context.threshold
    if main is None:
        return MetricsSection.absent("No binary predictions file is saved in this workspace, so "
                                     "there are no metrics to report.")
    if main.task != "binary":
        return MetricsSection.absent(f"{main.name} holds {main.task} predictions: its metrics "
                                     "are in the per-class section.")
    rows_of, split = dev_rows(main)
    models = context.models or file_models(main)[:1] or (None,)
    results = {model: _binary_result(rows_of, model, threshold) for model in models}
    model, result = next(iter(results.items()))
    tables = [(f"Metrics with 95% intervals ({split}, model {model!r})", _estimates_table(result))]
    if len(results) > 1:
        tables.append((f"Chosen models at threshold {threshold:.2f} ({split})",
                       _models_table(results)))
    curves = {name: score_curve(rows_of.y_true().astype(np.int8), rows_of.score(name))
              for name in models if name in main.mapping.scores}
    summary = (f"{main.name}, model {model!r}, {split} ({int(result.n):,} examples), threshold "
               f"{threshold:.2f} ({context.threshold_origin}): error {result.error_rate.text()}, "
               f"precision {result.precision.text()}, recall {result.recall.text()}, "
               f"F1 {result.f1.text()}."
               + (f" {len(results)} models chosen for this report." if len(results) > 1 else ""))
    return MetricsSection(True, summary, tables=tuple(tables), warnings=tuple(result.warnings),
                          metrics=result, curves=curves, threshold=threshold)


def _binary_result(rows_of: Predictions, model: str | None, threshold: float) -> BinaryMetrics:
    """One model's metrics: its scores at the threshold, or its predicted labels."""
    truth = rows_of.y_true().astype(np.int8)
    if model in rows_of.mapping.scores:
        return binary_metrics(truth, scores=rows_of.score(model), threshold=threshold)
    return binary_metrics(truth, rows_of.y_pred(threshold))


def _estimates_table(result: BinaryMetrics) -> pd.DataFrame:
    """Every estimate of one model as rows: value, interval and counts in percent."""
    return pd.DataFrame([{"metric": e.name, "value %": _pct(e.value), "low %": _pct(e.low),
                          "high %": _pct(e.high),
                          "counts": (f"{_count(e.numerator)} / {_count(e.denominator)}"
                                     if e.numerator is not None and e.denominator else ""),
                          "note": e.reason or ""} for e in result.estimates()])


def _models_table(results: dict[str, BinaryMetrics]) -> pd.DataFrame:
    """One row per chosen model: error, precision, recall and F1 with their intervals."""
    rows = []
    for model, result in results.items():
        row: dict[str, Any] = {"model": model}
        for name in ("error_rate", "precision", "recall", "f1"):
            estimate = getattr(result, name)
            row[f"{name} %"] = _pct(estimate.value)
            row[f"{name} interval %"] = ("" if estimate.low is None or estimate.high is None
                                         else f"{_pct(estimate.low)}-{_pct(estimate.high)}")
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- model selection

def _table_choice(tables: Sequence[Any]) -> tuple[str | None, list[str], list[Table],
                                                  list[str], Any]:
    """(summary, bullets, tables, warnings, ModelSelection) of the newest saved model table."""
    if not tables:
        return None, [], [], [], None
    item = tables[0]
    try:
        saved = WorkspaceData.read(MODEL_TABLE, item)
    except ValueError as err:
        return None, [], [], [f"Model table {item.name!r} cannot be read: {err}"], None
    if saved.table.empty or not saved.optimize:
        return None, [], [], [f"Model table {item.name!r} has no rows or no optimizing metric "
                              "saved."], None
    choice = select_model(saved.table, optimize=saved.optimize, satisfy=saved.satisfy,
                          goal=saved.goal)
    summary = (f"Model table {item.name!r} (saved by {item.updated_by or 'someone'}, "
               f"{when(item.updated_at)}): {choice.summary}")
    bullets = [f"{model}: {reason}" for model, reason in choice.reasons.items()]
    return (summary, bullets, [(f"Model table {item.name!r}", choice.table)],
            list(choice.warnings), choice)


def _ab_table(comparison: Any, name_a: str, name_b: str) -> pd.DataFrame:
    """The A/B comparison as one table row."""
    return pd.DataFrame([{
        "model A": name_a, "model B": name_b, "examples": comparison.n,
        "error A %": round(100 * comparison.error_a, 2),
        "error B %": round(100 * comparison.error_b, 2),
        "A - B (points)": round(100 * comparison.difference, 2),
        # "from": a cell starting with + would be exported as text ('+0.50), not as a number
        "interval (points)": (f"from {100 * comparison.low:+.2f} to "
                              f"{100 * comparison.high:+.2f}"),
        "only A wrong": comparison.only_a_wrong, "only B wrong": comparison.only_b_wrong,
        "p-value": round(comparison.p_value, 4),
        "significant": "yes" if comparison.significant else "no"}])


@register(SelectionSection)
def selection_section(context: ReportContext) -> SelectionSection:
    """The saved model table's choice, and A/B of the first two models chosen for the report."""
    main, threshold = context.main, context.threshold
    summary, bullets, tables, warnings, choice = _table_choice(context.model_tables)
    summaries = [summary] if summary else []
    comparison = None
    scored = ([m for m in context.models or file_models(main) if m in main.mapping.scores]
              if main is not None else [])
    if main is not None and main.task == "binary" and len(scored) >= 2:
        rows_of, _ = dev_rows(main)
        name_a, name_b = scored[:2]
        truth = rows_of.y_true().astype(np.int8)
        comparison = compare_models(truth, rows_of.y_pred(threshold, name_a),
                                    rows_of.y_pred(threshold, name_b), names=(name_a, name_b))
        summaries.append(f"A/B on {rows_of.name} at threshold {threshold:.2f}: "
                         f"{comparison.verdict}")
        tables.append(("A/B comparison (exact McNemar, paired bootstrap)",
                       _ab_table(comparison, name_a, name_b)))
        warnings.extend(comparison.warnings)
    if not summaries:
        return SelectionSection.absent("No model table is saved (metrics page, 'Save to "
                                       "workspace') and no file holds two models' scores to "
                                       "compare.")
    return SelectionSection(True, " ".join(summaries), bullets=tuple(bullets),
                            tables=tuple(tables), warnings=tuple(warnings), selection=choice,
                            comparison=comparison)


# --------------------------------------------------------------------------- error analysis

_ERROR_COLUMNS = {"share": "share %", "share_low": "share low %", "share_high": "share high %",
                  "ceiling": "ceiling %", "ceiling_low": "ceiling low %",
                  "ceiling_high": "ceiling high %", "gain": "gain (points)"}


def _ceiling_table(table: pd.DataFrame) -> pd.DataFrame:
    """The category summary as the report prints it: shares in percent, ceilings in points."""
    table = table[["category", "count", *_ERROR_COLUMNS]].copy()
    table["category"] = table["category"].map(category_label)
    for column in ("share", "share_low", "share_high"):
        table[column] = (100 * table[column]).round(1)
    for column in ("ceiling", "ceiling_low", "ceiling_high", "gain"):
        table[column] = table[column].round(2)
    return table.rename(columns=_ERROR_COLUMNS).dropna(axis=1, how="all")


def newest_sheet(context: ReportContext) -> tuple[list[Any], Any, list[str], dict[str, Any],
                                                  CategorySummary] | None:
    """(every sheet newest first, the newest one's item, categories, settings, category
    summary), or None when no sheet is saved."""
    data = context.data
    sheets = latest_items(data, ERROR_SHEET)
    if not sheets:
        return None
    item = data.item(ERROR_SHEET, sheets[0].name)
    sheet = data.read(ERROR_SHEET, item)
    frame, categories, meta = sheet.frame, sheet.categories, sheet.meta
    dev_error = float(meta.get("dev_error", DEFAULT_DEV_ERROR_PCT))
    summary = category_summary(frame, categories, dev_error,
                               total_dev_errors=meta.get("total_dev_errors") or None)
    return sheets, item, categories, meta, summary


@register(ErrorAnalysisSection)
def error_analysis_section(context: ReportContext) -> ErrorAnalysisSection:
    """The newest sheet's category ceilings and the label-noise verdict (the page's rules)."""
    newest = newest_sheet(context)
    if newest is None:
        return ErrorAnalysisSection.absent("No error-analysis sheet is saved in this workspace "
                                           "(error-analysis page).")
    sheets, item, categories, meta, summary = newest
    label = mislabeled_category(categories, meta)
    impact = None
    if label is not None:
        share = float(summary.table.set_index("category").loc[label, "share"])
        impact = label_noise_impact(summary.dev_error, share)
        assumed = ", assumed from its name" if meta.get("label_category") != label else ""
        bullet = (f"Label noise ({category_label(label)}{assumed}): {impact.verdict}. "
                  f"{impact.reason}")
    else:
        bullet = "Label noise: no category is marked 'incorrectly labeled' on this sheet."
    others = (f" ({len(sheets) - 1} other sheet{'s' if len(sheets) > 2 else ''} saved)"
              if len(sheets) > 1 else "")
    text = (f"Sheet {item.name!r}{others}, revision {item.revision} by "
            f"{item.updated_by or 'someone'} ({when(item.updated_at)}): {summary.n_reviewed} "
            f"reviewed dev errors at {summary.dev_error:g}% dev error. {summary.diagnosis}")
    return ErrorAnalysisSection(True, text, bullets=(bullet,),
                                tables=(("Categories with ceilings", _ceiling_table(summary.table)),),
                                warnings=tuple(summary.warnings), ceilings=summary,
                                label_noise=impact)


# --------------------------------------------------------------------------- training lab

@register(LabSection)
def lab_section(context: ReportContext) -> LabSection:
    """The newest lab experiment: settings, last epoch's errors and its waterfall."""
    from analysis.training.session import TrainingSession  # heavy: only when an experiment exists

    data = context.data
    experiments = latest_items(data, LAB_EXPERIMENT)
    if not experiments:
        return LabSection.absent("No training-lab experiment is saved in this workspace.")
    item = data.item(LAB_EXPERIMENT, experiments[0].name)
    session = TrainingSession.from_state(data.read(LAB_EXPERIMENT, item))
    history = session.history_frame()
    setting_rows = pd.DataFrame([{"setting": k, "value": ", ".join(map(str, v))
                                  if isinstance(v, list | tuple) else v}
                                 for k, v in session.config.to_dict().items()])
    text = (f"Experiment {item.name!r} (saved by {item.updated_by or 'someone'}, "
            f"{when(item.updated_at)})")
    if history.empty:
        return LabSection(True, text + ": not trained yet.", tables=(("Settings", setting_rows),))
    last = history.iloc[-1]
    waterfall = session.waterfall()
    text += (f" after {int(last['epoch']):,} epochs: train error {last['train_error']:.1f}%, "
             f"train-dev {last['train_dev_error']:.1f}%, dev {last['dev_error']:.1f}%. "
             f"{waterfall.diagnosis}")
    bullets = tuple(b for b in (
        "Training stopped early (best dev epoch kept)." if session.stopped_early else "",
        "Training diverged." if session.diverged else "") if b)
    return LabSection(True, text, bullets=bullets, tables=(("Settings", setting_rows),),
                      warnings=tuple(waterfall.warnings), history=history, waterfall=waterfall,
                      bayes_error=session.dataset.bayes_error)
