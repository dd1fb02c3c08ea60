"""collect_story: read a workspace through the access gate and build every registered section."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import reporting.priorities  # noqa: F401  registers the priority table (after error analysis)
from analysis.predictions import Predictions, predictions_from_parquet
from analysis.validation import check_number
from reporting.builders import latest_items  # importing builders registers the sections
from reporting.registry import REGISTRY, ReadFile, ReportContext, SectionSpec
from reporting.sections import ProjectStory, Section
from workspace.gate import WorkspaceGate

DEFAULT_THRESHOLD = 0.5


def collect_story(gate: WorkspaceGate, workspace_id: int, *, primary: str | None = None,
                  human: object = None, threshold: float | None = None,
                  now: datetime | None = None) -> ProjectStory:
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
        Decision threshold for the key metrics; default the one saved with the latest model
        table, else 0.5.
    now : datetime, optional
        The report's date (UTC now by default).
    """
    if not isinstance(gate, WorkspaceGate):
        raise TypeError(f"gate must be a WorkspaceGate (the report reads saved data only through "
                        f"the access gate), got {type(gate).__name__}.")
    workspace = gate.get_workspace(workspace_id)
    if threshold is not None:
        threshold = check_number("threshold", threshold, low=0.0, high=1.0)
    files = _read_files(gate, workspace_id)
    tables = tuple(latest_items(gate, workspace_id, "model_table"))
    saved = _saved_threshold(tables)
    chosen = threshold if threshold is not None else (saved if saved is not None else DEFAULT_THRESHOLD)
    origin = ("given for this report" if threshold is not None else
              "saved with the model table" if saved is not None else
              "the default: no threshold was saved")
    context = ReportContext(gate, workspace_id, files, _primary(files, primary), tables, chosen,
                            origin, human)
    sections = tuple(_guarded(spec, context) for spec in REGISTRY)
    return ProjectStory(workspace.id, workspace.name, now or datetime.now(UTC), sections)


def _guarded(spec: SectionSpec, context: ReportContext) -> Section:
    """A section that cannot be read says so instead of breaking the whole report."""
    try:
        return spec.build(context)
    except (ValueError, KeyError, TypeError) as err:
        return spec.kind.absent(f"The saved data for this section could not be read: {err}")


def _read_files(gate: WorkspaceGate, workspace_id: int) -> tuple[ReadFile, ...]:
    """(item, Predictions or None, problem) for every saved predictions file, newest first."""
    found = []
    for summary in latest_items(gate, workspace_id, "predictions"):
        item = gate.get_item(workspace_id, "predictions", summary.name)
        content = item.content if isinstance(item.content, dict) else {}
        try:
            if item.blob is None or "mapping" not in content:
                raise ValueError("no stored table")
            found.append((item, predictions_from_parquet(item.blob, content["mapping"], item.name,
                                                         content.get("notes", ())), None))
        except (ValueError, KeyError, TypeError, OSError) as err:
            found.append((item, None, str(err)))
    return tuple(found)


def _primary(files: Sequence[ReadFile], name: str | None) -> Predictions | None:
    """The named readable file, else the newest readable binary file."""
    readable = [p for _, p, _ in files if p is not None]
    if name is not None:
        named = next((p for p in readable if p.name == name), None)
        if named is not None:
            return named
    return next((p for p in readable if p.task == "binary"), None)


def _saved_threshold(tables: Sequence[Any]) -> float | None:
    """The threshold saved with the newest model table that has one (top level or selection)."""
    for item in tables:
        content = item.content if isinstance(item.content, dict) else {}
        for source in (content, content.get("selection") or {}):
            value = source.get("threshold") if isinstance(source, dict) else None
            if isinstance(value, int | float) and 0 <= value <= 1:
                return float(value)
    return None
