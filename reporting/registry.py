"""The list of report sections, in reading order, and what each section's builder is given.

A new section joins the report in three steps: a frozen dataclass in reporting/sections.py, a
builder in reporting/builders.py decorated with ``@register(TheSection)`` (its place in that
file is its place in the report), and, if it has charts, a drawer in charts/report.py. A
section in a module of its own registers with ``after=`` and is imported by reporting.story.
collect_story and both renderers loop over REGISTRY; nothing else lists the sections.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from analysis.predictions import Predictions
from reporting.sections import Section
from workspace.data import WorkspaceData
from workspace.gate import WorkspaceGate

#: A saved predictions file as the report read it: (item, Predictions or None, why unreadable).
ReadFile = tuple[Any, Predictions | None, str | None]


@dataclass(frozen=True)
class ReportContext:
    """What collect_story reads once and hands to every section builder."""

    gate: WorkspaceGate
    workspace_id: int
    files: tuple[ReadFile, ...]
    main: Predictions | None
    model_tables: tuple[Any, ...]
    threshold: float
    threshold_origin: str
    human: object
    #: The main file's models the presenter chose (score columns, or its predicted labels).
    models: tuple[str, ...] = ()

    @property
    def data(self) -> WorkspaceData:
        """The workspace's saved items, read by kind through the gate (one parser per kind)."""
        return WorkspaceData(self.gate, self.workspace_id)


S = TypeVar("S", bound=Section)
Builder = Callable[[ReportContext], Section]


@dataclass(frozen=True)
class SectionSpec:
    """One registered section: its type and the function that builds it from the context."""

    kind: type[Section]
    build: Builder


REGISTRY: list[SectionSpec] = []


def register(kind: type[S], *, after: type[Section] | None = None
             ) -> Callable[[Callable[[ReportContext], S]], Callable[[ReportContext], S]]:
    """Decorator: add a builder of `kind` to the report, after the sections registered before
    (or right after section `after`, for a section kept in a module of its own)."""
    if any(spec.kind.key == kind.key for spec in REGISTRY):
        raise ValueError(f"a report section keyed {kind.key!r} is already registered: give "
                         f"{kind.__name__} its own key.")
    keys = [spec.kind.key for spec in REGISTRY]
    if after is not None and after.key not in keys:
        raise ValueError(f"{kind.__name__} goes after {after.__name__}, which is not registered.")

    def add(build: Callable[[ReportContext], S]) -> Callable[[ReportContext], S]:
        place = len(REGISTRY) if after is None else keys.index(after.key) + 1
        REGISTRY.insert(place, SectionSpec(kind, build))
        return build

    return add


def section_keys(registry: Sequence[SectionSpec] = REGISTRY) -> tuple[str, ...]:
    """The sections' keys in reading order."""
    return tuple(spec.kind.key for spec in registry)
