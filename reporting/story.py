"""collect_story: read a workspace through the access gate and build every registered section."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

import reporting.priorities  # noqa: F401  registers the priority table (after error analysis)
from analysis.predictions import Predictions
from analysis.score_scale import threshold_range
from analysis.validation import check_number
from reporting import (
    class_metrics,  # noqa: F401  (importing a section module registers it)
    course_builders,  # noqa: F401  (it registers every section, in order)
)
from reporting.builders import file_models, latest_items  # (registers the core sections)
from reporting.registry import REGISTRY, ReadFile, ReportContext, SectionSpec
from reporting.sections import ProjectStory, Section
from storage import Item
from workspace.data import WorkspaceData
from workspace.gate import WorkspaceGate
from workspace.kinds import MODEL_TABLE, PREDICTIONS

DEFAULT_THRESHOLD = 0.5


def collect_story(gate: WorkspaceGate, workspace_id: int, *, primary: str | None = None,
                  human: object = None, threshold: float | None = None,
                  now: datetime | None = None,
                  models: Sequence[str] | None = None) -> ProjectStory:
    """Read a workspace's saved items and analyse each part of its story.

    Parameters
    ----------
    gate : workspace.gate.WorkspaceGate
        The signed-in user's access gate (components.state.workspace_data()): every read
        checks that this user may still reach the workspace.
    workspace_id : int
    primary : str, optional
        Name of the predictions file the metrics and the file-based waterfall use; default the
        most recently saved binary file.
    human : optional
        Human-level error(s) in percent for a waterfall computed from the file when no
        snapshot is saved (decompose's `human`).
    threshold : float, optional
        Decision threshold for the key metrics (in score units for ranking scores); default
        the one saved with the latest model table, else 0.5 (the start of the scores' range
        for ranking scores).
    now : datetime, optional
        The report's date (UTC now by default).
    models : sequence of str, optional
        The primary file's models to report (its score columns, or its predicted-label
        column); default all of them. ValueError names a model the file does not have.
    """
    if not isinstance(gate, WorkspaceGate):
        raise TypeError(f"gate must be a WorkspaceGate (the report reads saved data only through "
                        f"the access gate), got {type(gate).__name__}.")
    workspace = gate.get_workspace(workspace_id)
    data = WorkspaceData(gate, workspace_id)
    files = _read_files(data)
    main = _primary(files, primary)
    if threshold is not None:  # ranking scores: in their own units, else a probability's 0-1
        ranked = main is not None and main.mapping.score_transform == "rank"
        bounds = {} if ranked else {"low": 0.0, "high": 1.0}
        threshold = check_number("threshold", threshold, **bounds)
    tables = tuple(latest_items(data, MODEL_TABLE))
    saved = _saved_threshold(tables)
    chosen = threshold if threshold is not None else (saved if saved is not None else DEFAULT_THRESHOLD)
    origin = ("given for this report" if threshold is not None else
              "saved with the model table" if saved is not None else
              "the default: no threshold was saved")
    if threshold is None and main is not None and main.mapping.score_transform == "rank":
        # ranking scores: 0.5 means nothing on their scale; start where the page's slider does
        chosen = threshold_range({c: main.score(c) for c in main.mapping.scores}, "rank")[2]
        origin = "the start of the scores' own range (ranking scores, in score units)"
    context = ReportContext(gate, workspace_id, files, main, tables, chosen, origin, human,
                            _models(main, models))
    sections = tuple(_guarded(spec, context) for spec in REGISTRY)
    return ProjectStory(workspace.id, workspace.name, now or datetime.now(UTC), sections)


def _guarded(spec: SectionSpec, context: ReportContext) -> Section:
    """A section that cannot be read says so instead of breaking the whole report."""
    try:
        return spec.build(context)
    except (ValueError, KeyError, TypeError) as err:
        return spec.kind.absent(f"The saved data for this section could not be read: {err}")


def _read_files(data: WorkspaceData) -> tuple[ReadFile, ...]:
    """(item, Predictions or None, problem) for every saved predictions file, newest first."""
    found = []
    for summary in latest_items(data, PREDICTIONS):
        item = data.item(PREDICTIONS, summary.name, with_blob=True)
        try:
            if item.blob is None:
                raise ValueError("no stored table")
            saved = data.read(PREDICTIONS, item)
            found.append((item, saved.read_table(io.BytesIO(item.blob), item.name), None))
        except ValueError as err:
            found.append((item, None, str(err)))
    return tuple(found)


def _models(main: Predictions | None, chosen: Sequence[str] | None) -> tuple[str, ...]:
    """The chosen models of the main file (all of them by default), checked against it."""
    known = file_models(main)
    if chosen is None or not list(chosen):
        return known
    unknown = [m for m in chosen if m not in known]
    if unknown:
        raise ValueError(f"the report's file has no model {unknown[0]!r}; its models are "
                         f"{', '.join(map(repr, known)) or 'none'}.")
    return tuple(chosen)


def _primary(files: Sequence[ReadFile], name: str | None) -> Predictions | None:
    """The named readable file, else the newest readable binary file."""
    readable = [p for _, p, _ in files if p is not None]
    if name is not None:
        named = next((p for p in readable if p.name == name), None)
        if named is not None:
            return named
    return next((p for p in readable if p.task == "binary"), None)


def _saved_threshold(tables: Sequence[Item]) -> float | None:
    """The threshold saved with the newest model table that has one (top level or selection)."""
    for item in tables:
        try:
            saved = WorkspaceData.read(MODEL_TABLE, item)
        except ValueError:
            continue
        for value in (saved.threshold, (saved.choice or {}).get("threshold")):
            if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
                return float(value)
    return None
