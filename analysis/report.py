"""The project-review report: a workspace's story read from the store, as a self-contained HTML
file (plotly.js inline once, charts interactive, nothing fetched) and a Markdown summary.

collect_story() reads the saved items and calls each page's own analysis function (waterfall,
metrics, model selection, error analysis, training lab); a section whose data is absent says
so. Figures are drawn by components (they are handed to render_html already built), so this
module stays free of Streamlit and of drawing code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from analysis.bias_variance import BiasVarianceResult, decompose, decompose_predictions
from analysis.error_analysis import (
    category_label,
    category_summary,
    label_noise_impact,
    sheet_from_content,
)
from analysis.metrics import binary_metrics, score_curve
from analysis.predictions import Predictions, predictions_from_parquet
from analysis.selection import compare_models, select_model
from analysis.sheet_io import neutralise_table
from analysis.text import escape_html, escape_markdown
from analysis.validation import check_number

SECTION_ORDER = ("files", "waterfall", "metrics", "selection", "error_analysis", "lab")
SECTION_TITLES = {
    "files": "Data files",
    "waterfall": "Where the error comes from (bias / variance / mismatch)",
    "metrics": "Key metrics at the chosen threshold",
    "selection": "Model selection and A/B verdicts",
    "error_analysis": "Error analysis: which category to fix first",
    "lab": "Training-lab experiment",
}
GAP_NAMES = {"avoidable_bias": "avoidable bias", "variance": "variance",
             "data_mismatch": "data mismatch", "dev_overfit": "overfitting to dev"}
DEFAULT_THRESHOLD = 0.5


class ItemStore(Protocol):
    """What the report needs of storage.WorkspaceStore."""

    def get_workspace(self, workspace_id: int) -> Any: ...
    def list_items(self, workspace_id: int, kind: str | None = None) -> list[Any]: ...
    def get_item(self, workspace_id: int, kind: str, name: str, *, revision: int | None = None) -> Any: ...
    def list_revisions(self, workspace_id: int, kind: str, name: str) -> list[Any]: ...


@dataclass(frozen=True)
class Section:
    """One part of the story: words, tables, and the result objects its figures are drawn from.

    `payload` holds analysis results for the figure builders; it is not part of to_dict().
    """

    key: str
    title: str
    present: bool
    summary: str
    bullets: tuple[str, ...] = ()
    tables: tuple[tuple[str, pd.DataFrame], ...] = ()
    warnings: tuple[str, ...] = ()
    payload: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "present": self.present,
                "summary": self.summary, "bullets": list(self.bullets),
                "warnings": list(self.warnings),
                "tables": [{"caption": caption, "rows": _records(table)}
                           for caption, table in self.tables]}


@dataclass(frozen=True)
class ProjectStory:
    """Everything the report says about one workspace, in reading order."""

    workspace_id: int
    workspace_name: str
    generated_at: datetime
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {"workspace_id": self.workspace_id, "workspace_name": self.workspace_name,
                "generated_at": self.generated_at.isoformat(),
                "sections": [s.to_dict() for s in self.sections]}


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    clean = table.astype(object).where(table.notna(), None)
    return clean.to_dict(orient="records")


def _absent(key: str, why: str) -> Section:
    return Section(key, SECTION_TITLES[key], False, why)


def _guarded(key: str, build: Callable[[], Section]) -> Section:
    """A section that cannot be read says so instead of breaking the whole report."""
    try:
        return build()
    except (ValueError, KeyError, TypeError) as err:
        return _absent(key, f"The saved data for this section could not be read: {err}")


# ---------------------------------------------------------------------------------------------
# Reading the workspace
# ---------------------------------------------------------------------------------------------

def collect_story(store: ItemStore, workspace_id: int, *, primary: str | None = None,
                  human: object = None, threshold: float | None = None,
                  now: datetime | None = None) -> ProjectStory:
    """Read a workspace's saved items and analyse each part of its story.

    Parameters
    ----------
    store : storage.WorkspaceStore (or anything with the same reading methods)
    workspace_id : int
    primary : str, optional
        Name of the predictions file the metrics and the file-based waterfall use; default the
        most recently saved binary file.
    human : optional
        Human-level error(s) in percent for a waterfall computed from the file when no
        snapshot is saved (decompose's `human`).
    threshold : float, optional
        Decision threshold for the key metrics; default the one saved with the latest model
        table, else 0.5.
    now : datetime, optional
        The report's date (UTC now by default).
    """
    workspace = store.get_workspace(workspace_id)
    if workspace is None:
        raise ValueError(f"workspace_id {workspace_id} does not exist: open a workspace first.")
    if threshold is not None:
        threshold = check_number("threshold", threshold, low=0.0, high=1.0)
    files = _read_files(store, workspace_id)
    main = _primary(files, primary)
    tables = _latest_items(store, workspace_id, "model_table")
    saved = _saved_threshold(tables)
    chosen = threshold if threshold is not None else (saved if saved is not None else DEFAULT_THRESHOLD)
    origin = ("given for this report" if threshold is not None else
              "saved with the model table" if saved is not None else
              "the default: no threshold was saved")
    sections = (
        _guarded("files", lambda: _files_section(store, workspace_id, files, main)),
        _guarded("waterfall", lambda: _waterfall_section(store, workspace_id, main, human)),
        _guarded("metrics", lambda: _metrics_section(main, chosen, origin)),
        _guarded("selection", lambda: _selection_section(tables, main, chosen)),
        _guarded("error_analysis", lambda: _error_section(store, workspace_id)),
        _guarded("lab", lambda: _lab_section(store, workspace_id)),
    )
    return ProjectStory(workspace.id, workspace.name, now or datetime.now(UTC), sections)


def _latest_items(store: ItemStore, workspace_id: int, kind: str) -> list[Any]:
    """Items of a kind with their content, newest first."""
    items = store.list_items(workspace_id, kind)
    return sorted(items, key=lambda i: i.updated_at, reverse=True)


def _read_files(store: ItemStore, workspace_id: int) -> list[tuple[Any, Predictions | None, str | None]]:
    """(item, Predictions or None, problem) for every saved predictions file, newest first."""
    found = []
    for summary in _latest_items(store, workspace_id, "predictions"):
        item = store.get_item(workspace_id, "predictions", summary.name)
        content = item.content if isinstance(item.content, dict) else {}
        try:
            if item.blob is None or "mapping" not in content:
                raise ValueError("no stored table")
            found.append((item, predictions_from_parquet(item.blob, content["mapping"], item.name,
                                                         content.get("notes", ())), None))
        except (ValueError, KeyError, TypeError, OSError) as err:
            found.append((item, None, str(err)))
    return found


def _primary(files: Sequence[tuple[Any, Predictions | None, str | None]],
             name: str | None) -> Predictions | None:
    readable = [p for _, p, _ in files if p is not None]
    if name is not None:
        named = next((p for p in readable if p.name == name), None)
        if named is not None:
            return named
    return next((p for p in readable if p.task == "binary"), None)


def _saved_threshold(tables: Sequence[Any]) -> float | None:
    for item in tables:
        content = item.content if isinstance(item.content, dict) else {}
        for source in (content, content.get("selection") or {}):
            value = source.get("threshold") if isinstance(source, dict) else None
            if isinstance(value, int | float) and 0 <= value <= 1:
                return float(value)
    return None


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------

def _files_section(store: ItemStore, workspace_id: int,
                   files: Sequence[tuple[Any, Predictions | None, str | None]],
                   main: Predictions | None) -> Section:
    if not files:
        return _absent("files", "No data file is saved in this workspace: load predictions on "
                                "the home page (or the sample project) first.")
    rows = []
    for item, predictions, problem in files:
        content = item.content if isinstance(item.content, dict) else {}
        rows.append({
            "file": item.name,
            "rows": predictions.n_rows if predictions is not None else content.get("rows"),
            "task": predictions.task if predictions is not None else "?",
            "splits": ", ".join(predictions.splits()) if predictions is not None else problem,
            "saved by": item.updated_by or "unknown", "saved at": _when(item.updated_at)})
    table = pd.DataFrame(rows)
    total = int(pd.to_numeric(table["rows"], errors="coerce").fillna(0).sum())
    summary = (f"{len(files)} data file{'s' if len(files) > 1 else ''} with {total:,} rows in all"
               + (f"; the metrics below use {main.name}." if main is not None else "."))
    return Section("files", SECTION_TITLES["files"], True, summary,
                   tables=(("Files in the workspace", table),))


def _gap_row(name: str, result: BiasVarianceResult) -> dict[str, Any]:
    row: dict[str, Any] = {"snapshot": name}
    for level in ("human", "train", "train-dev", "dev", "test"):
        value = next((s.error for s in result.levels if s.split == level), None)
        row[f"{level} %"] = None if value is None else round(value, 2)
    for attribute, label in GAP_NAMES.items():
        value = getattr(result, attribute)
        row[label] = None if value is None else round(value, 2)
    row["main problem"] = GAP_NAMES.get(result.main_problem or "", result.main_problem) or "none"
    return row


def _waterfall_section(store: ItemStore, workspace_id: int, main: Predictions | None,
                       human: object) -> Section:
    snapshots = sorted(store.list_items(workspace_id, "waterfall_snapshot"),
                       key=lambda i: (i.created_at, i.name))
    history: list[tuple[str, BiasVarianceResult]] = []
    rows, skipped = [], []
    for item in snapshots:
        try:
            result = decompose(**item.content["inputs"])
        except (ValueError, KeyError, TypeError):
            skipped.append(item.name)
            continue
        history.append((item.name, result))
        revisions = len(store.list_revisions(workspace_id, "waterfall_snapshot", item.name))
        rows.append({**_gap_row(item.name, result), "saved by": item.updated_by or "unknown",
                     "saved at": _when(item.updated_at), "revisions": revisions})
    warnings = [f"Snapshot {name!r} could not be read and is left out." for name in skipped]
    if history:
        latest_name, latest = history[-1]
        source = f"Latest snapshot {latest_name!r} ({len(history)} saved)"
    elif main is not None:
        try:
            latest = decompose_predictions(main, human=human)
        except ValueError as err:
            return _absent("waterfall", f"No waterfall snapshot is saved, and {main.name} gives no "
                                        f"waterfall: {err}")
        latest_name, source = main.name, f"No snapshot saved: computed from {main.name}"
        rows.append({**_gap_row(main.name, latest), "saved by": "", "saved at": "", "revisions": 0})
    else:
        return _absent("waterfall", "No waterfall snapshot is saved in this workspace and there is "
                                    "no predictions file to compute one from.")
    tactics = latest.tactics.get(latest.main_problem or "", ())
    bullets = tuple(f"Try: {t}" for t in tactics)
    return Section("waterfall", SECTION_TITLES["waterfall"], True,
                   f"{source}. {latest.diagnosis}", bullets=bullets,
                   tables=(("Snapshots (model versions, oldest first)", pd.DataFrame(rows)),),
                   warnings=tuple(warnings) + tuple(latest.warnings),
                   payload={"latest": (latest_name, latest), "history": history})


def _metrics_section(main: Predictions | None, threshold: float, origin: str) -> Section:
    if main is None:
        return _absent("metrics", "No binary predictions file is saved in this workspace, so "
                                  "there are no metrics to report.")
    rows_of = main.subset("dev") if "dev" in main.splits() else main
    split = "dev" if rows_of is not main else "all rows"
    truth = rows_of.y_true().astype(np.int8)
    scores = rows_of.score()
    if scores is not None:
        result = binary_metrics(truth, scores=scores, threshold=threshold)
        curves = {name: score_curve(truth, rows_of.score(name)) for name in main.mapping.scores}
    else:
        result = binary_metrics(truth, rows_of.y_pred(threshold))
        curves = {}
    table = pd.DataFrame([{"metric": e.name, "value %": _pct(e.value), "low %": _pct(e.low),
                           "high %": _pct(e.high),
                           "counts": (f"{_count(e.numerator)} / {_count(e.denominator)}"
                                      if e.numerator is not None and e.denominator else ""),
                           "note": e.reason or ""} for e in result.estimates()])
    model = main.mapping.scores[0] if main.mapping.scores else main.mapping.y_pred
    summary = (f"{main.name}, model {model!r}, {split} ({int(result.n):,} examples), threshold "
               f"{threshold:.2f} ({origin}): error {result.error_rate.text()}, precision "
               f"{result.precision.text()}, recall {result.recall.text()}, F1 {result.f1.text()}.")
    return Section("metrics", SECTION_TITLES["metrics"], True, summary,
                   tables=((f"Metrics with 95% intervals ({split})", table),),
                   warnings=tuple(result.warnings),
                   payload={"metrics": result, "curves": curves, "threshold": threshold})


def _pct(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(100 * value, 2)


def _count(value: float | None) -> str:
    return "" if value is None else (f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}")


def _selection_section(tables: Sequence[Any], main: Predictions | None, threshold: float) -> Section:
    bullets, out_tables, warnings, payload = [], [], [], {}
    summaries = []
    if tables:
        item = tables[0]
        content = item.content if isinstance(item.content, dict) else {}
        frame = pd.DataFrame(content.get("rows", []))
        previous = content.get("selection") or {}
        optimize = previous.get("optimize")
        if frame.empty or not optimize:
            warnings.append(f"Model table {item.name!r} has no rows or no optimizing metric saved.")
        else:
            satisfy = {m: tuple(rule) for m, rule in (previous.get("satisfy") or {}).items()}
            choice = select_model(frame, optimize=optimize, satisfy=satisfy,
                                  goal=previous.get("goal", "max"))
            summaries.append(f"Model table {item.name!r} (saved by {item.updated_by or 'someone'}, "
                             f"{_when(item.updated_at)}): {choice.summary}")
            bullets.extend(f"{model}: {reason}" for model, reason in choice.reasons.items())
            out_tables.append((f"Model table {item.name!r}", choice.table))
            warnings.extend(choice.warnings)
            payload["selection"] = choice
    if main is not None and len(main.mapping.scores) >= 2:
        rows_of = main.subset("dev") if "dev" in main.splits() else main
        name_a, name_b = main.mapping.scores[:2]
        truth = rows_of.y_true().astype(np.int8)
        comparison = compare_models(truth, rows_of.y_pred(threshold, name_a),
                                    rows_of.y_pred(threshold, name_b), names=(name_a, name_b))
        summaries.append(f"A/B on {rows_of.name} at threshold {threshold:.2f}: {comparison.verdict}")
        out_tables.append(("A/B comparison (exact McNemar, paired bootstrap)", pd.DataFrame([{
            "model A": name_a, "model B": name_b, "examples": comparison.n,
            "error A %": round(100 * comparison.error_a, 2),
            "error B %": round(100 * comparison.error_b, 2),
            "A - B (points)": round(100 * comparison.difference, 2),
            # "from": a cell starting with + would be exported as text ('+0.50), not as a number
            "interval (points)": (f"from {100 * comparison.low:+.2f} to "
                                  f"{100 * comparison.high:+.2f}"),
            "only A wrong": comparison.only_a_wrong, "only B wrong": comparison.only_b_wrong,
            "p-value": round(comparison.p_value, 4),
            "significant": "yes" if comparison.significant else "no"}])))
        warnings.extend(comparison.warnings)
        payload["comparison"] = comparison
    if not summaries:
        return _absent("selection", "No model table is saved (metrics page, 'Save to workspace') "
                                    "and no file holds two models' scores to compare.")
    return Section("selection", SECTION_TITLES["selection"], True, " ".join(summaries),
                   bullets=tuple(bullets), tables=tuple(out_tables), warnings=tuple(warnings),
                   payload=payload)


def _label_category(categories: Sequence[str], meta: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The 'incorrectly labeled' category: the one the sheet names, else one called so."""
    named = meta.get("label_category")
    if named in categories:
        return named, False
    guess = next((c for c in categories if "label" in c.lower()), None)
    return guess, guess is not None


def _error_section(store: ItemStore, workspace_id: int) -> Section:
    sheets = _latest_items(store, workspace_id, "error_sheet")
    if not sheets:
        return _absent("error_analysis", "No error-analysis sheet is saved in this workspace "
                                         "(error-analysis page).")
    item = store.get_item(workspace_id, "error_sheet", sheets[0].name)
    frame, categories, meta = sheet_from_content(item.content)
    dev_error = float(meta.get("dev_error", 10.0))
    total = meta.get("total_dev_errors") or None
    summary = category_summary(frame, categories, dev_error, total_dev_errors=total)
    table = summary.table[["category", "count", "share", "share_low", "share_high", "ceiling",
                           "ceiling_low", "ceiling_high", "gain"]].copy()
    table["category"] = table["category"].map(category_label)
    for column in ("share", "share_low", "share_high"):
        table[column] = (100 * table[column]).round(1)
    for column in ("ceiling", "ceiling_low", "ceiling_high", "gain"):
        table[column] = table[column].round(2)
    table = table.rename(columns={"share": "share %", "share_low": "share low %",
                                  "share_high": "share high %", "ceiling": "ceiling %",
                                  "ceiling_low": "ceiling low %", "ceiling_high": "ceiling high %",
                                  "gain": "gain (points)"})
    table = table.dropna(axis=1, how="all")
    bullets = []
    label, guessed = _label_category(categories, meta)
    impact = None
    if label is not None:
        share = float(summary.table.set_index("category").loc[label, "share"])
        impact = label_noise_impact(summary.dev_error, share)
        bullets.append(f"Label noise ({category_label(label)}"
                       f"{', assumed from its name' if guessed else ''}): {impact.verdict}. "
                       f"{impact.reason}")
    else:
        bullets.append("Label noise: no category is marked 'incorrectly labeled' on this sheet.")
    others = f" ({len(sheets) - 1} other sheet{'s' if len(sheets) > 2 else ''} saved)" if len(sheets) > 1 else ""
    text = (f"Sheet {item.name!r}{others}, revision {item.revision} by "
            f"{item.updated_by or 'someone'} ({_when(item.updated_at)}): {summary.n_reviewed} "
            f"reviewed dev errors at {summary.dev_error:g}% dev error. {summary.diagnosis}")
    return Section("error_analysis", SECTION_TITLES["error_analysis"], True, text,
                   bullets=tuple(bullets), tables=(("Categories with ceilings", table),),
                   warnings=summary.warnings, payload={"summary": summary, "label_noise": impact})


def _lab_section(store: ItemStore, workspace_id: int) -> Section:
    from analysis.training.session import TrainingSession  # heavy: only when an experiment exists

    experiments = _latest_items(store, workspace_id, "lab_experiment")
    if not experiments:
        return _absent("lab", "No training-lab experiment is saved in this workspace.")
    item = store.get_item(workspace_id, "lab_experiment", experiments[0].name)
    session = TrainingSession.from_state(dict(item.content))
    history = session.history_frame()
    settings = session.config.to_dict()
    setting_rows = pd.DataFrame([{"setting": k, "value": ", ".join(map(str, v))
                                  if isinstance(v, list | tuple) else v}
                                 for k, v in settings.items()])
    text = f"Experiment {item.name!r} (saved by {item.updated_by or 'someone'}, {_when(item.updated_at)})"
    if history.empty:
        return Section("lab", SECTION_TITLES["lab"], True, text + ": not trained yet.",
                       tables=(("Settings", setting_rows),))
    last = history.iloc[-1]
    waterfall = session.waterfall()
    text += (f" after {int(last['epoch']):,} epochs: train error {last['train_error']:.1f}%, "
             f"train-dev {last['train_dev_error']:.1f}%, dev {last['dev_error']:.1f}%. "
             f"{waterfall.diagnosis}")
    bullets = tuple(b for b in (
        "Training stopped early (best dev epoch kept)." if session.stopped_early else "",
        "Training diverged." if session.diverged else "") if b)
    return Section("lab", SECTION_TITLES["lab"], True, text, bullets=bullets,
                   tables=(("Settings", setting_rows),), warnings=tuple(waterfall.warnings),
                   payload={"history": history, "waterfall": waterfall,
                            "bayes_error": session.dataset.bayes_error})


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#212529;
max-width:1100px;margin:0 auto;padding:24px 32px 64px;line-height:1.5}
h1{margin-bottom:4px}h2{margin-top:40px;border-bottom:2px solid #e9ecef;padding-bottom:4px}
.meta{color:#6c757d}.absent{color:#6c757d;font-style:italic}
.warning{background:#fff9db;border-left:4px solid #f59f00;padding:6px 12px;margin:6px 0}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #dee2e6;padding:4px 8px;text-align:right}
th{background:#f8f9fa}td:first-child,th:first-child{text-align:left}
caption{caption-side:top;text-align:left;font-weight:600;padding:4px 0}
nav ol{columns:2}.figure{margin:12px 0}
"""

# No logo link and no "send to cloud" button: nothing in the file points outside.
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "showSendToCloud": False}


def render_html(story: ProjectStory, figures: Mapping[str, Sequence[go.Figure]] | None = None) -> str:
    """The report as one self-contained HTML document.

    plotly.js is embedded once, inline, in the head; every figure is a div drawn by it, so the
    charts stay interactive with no network. No stylesheet, font, image or script is fetched.
    """
    figures = figures or {}
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{escape_html(story.workspace_name)}: project review</title>",
             f"<style>{_CSS}</style>",
             f'<script type="text/javascript">{get_plotlyjs()}</script>',
             "</head><body>",
             f"<h1>Project review: {escape_html(story.workspace_name)}</h1>",
             f'<p class="meta">Built {escape_html(_when(story.generated_at))} by the ML Strategy '
             f"Workbench from workspace #{story.workspace_id}.</p>",
             "<nav><ol>" + "".join(f'<li><a href="#{s.key}">{escape_html(s.title)}</a></li>'
                                    for s in story.sections) + "</ol></nav>"]
    for section in story.sections:
        parts.append(_section_html(section, figures.get(section.key, ())))
    parts.append("</body></html>")
    return "\n".join(parts)


def _section_html(section: Section, figures: Sequence[go.Figure]) -> str:
    out = [f'<section id="{section.key}" data-present="{str(section.present).lower()}">',
           f"<h2>{escape_html(section.title)}</h2>"]
    if not section.present:
        out.append(f'<p class="absent">{escape_html(section.summary)}</p></section>')
        return "\n".join(out)
    out.append(f"<p>{escape_html(section.summary)}</p>")
    if section.bullets:
        out.append("<ul>" + "".join(f"<li>{escape_html(b)}</li>" for b in section.bullets) + "</ul>")
    out.extend(f'<div class="warning">{escape_html(w)}</div>' for w in section.warnings)
    for figure in figures:
        out.append('<div class="figure">' + pio.to_html(
            figure, include_plotlyjs=False, full_html=False, config=_PLOTLY_CONFIG,
            include_mathjax=False) + "</div>")
    for caption, table in section.tables:
        out.append(_table_html(caption, table))
    out.append("</section>")
    return "\n".join(out)


def _table_html(caption: str, table: pd.DataFrame) -> str:
    table = neutralise_table(table)  # pasted from the page into a spreadsheet, it runs no formula
    for column in [c for c in table.columns if pd.api.types.is_object_dtype(table[c].dtype)]:
        table[column] = table[column].where(table[column].notna(), "")  # None shows as blank
    body = table.to_html(index=False, escape=True, na_rep="", border=0,
                         float_format=lambda v: f"{v:,.2f}")
    return body.replace("<table", f"<table data-caption=\"{escape_html(caption)}\"", 1).replace(
        "<thead>", f"<caption>{escape_html(caption)}</caption><thead>", 1)


def render_markdown(story: ProjectStory) -> str:
    """A short Markdown summary to paste into a review doc or a ticket.

    Every text that can quote the workspace (names, cells, comments) is escaped: it reads as
    typed, never as a link, an image or a formula.
    """
    lines = [f"# Project review: {escape_markdown(story.workspace_name)}", "",
             f"_Built {_when(story.generated_at)} by the ML Strategy Workbench._", ""]
    for section in story.sections:
        lines += [f"## {section.title}", ""]
        if not section.present:
            lines += [f"_{escape_markdown(section.summary)}_", ""]
            continue
        lines += [escape_markdown(section.summary), ""]
        lines += [f"- {escape_markdown(b)}" for b in section.bullets]
        lines += [f"- ⚠ {escape_markdown(w)}" for w in section.warnings]
        if section.bullets or section.warnings:
            lines.append("")
        if section.key in ("files", "error_analysis") and section.tables:
            lines += [_markdown_table(section.tables[0][1]), ""]
    return "\n".join(lines).rstrip() + "\n"


def _markdown_table(table: pd.DataFrame, limit: int = 12) -> str:
    def cell(value: object) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return escape_markdown(" ".join(str(value).splitlines()))

    table = neutralise_table(table)
    header = "| " + " | ".join(map(cell, table.columns)) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |"
            for row in table.head(limit).itertuples(index=False)]
    return "\n".join([header, rule, *rows])
