"""How a workspace's contents and history are summarised on the Workspaces page.

Pure helpers (no Streamlit), so they are unit-tested on their own; who belongs to a workspace
and who may do what lives in workspace.access.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pandas as pd

from storage import Item, Workspace
from storage.tidy import StorageFigures
from workspace.kinds import KINDS, PREDICTIONS

KIND_LABELS = {kind.name: (kind.singular, kind.plural) for kind in KINDS}

def display_names(workspaces: Sequence[Workspace]) -> dict[int, str]:
    """A unique label per workspace: its name, with '#id' added where two share a name.

    The labels go into the URL (a widget bound to query params stores its label), so they
    must tell workspaces apart.
    """
    counts = Counter(w.name for w in workspaces)
    return {w.id: w.name if counts[w.name] == 1 else f"{w.name} #{w.id}" for w in workspaces}


def count_by_kind(items: Sequence[Item]) -> dict[str, int]:
    """How many items of each kind a workspace holds, known kinds first in a fixed order."""
    counts = Counter(item.kind for item in items)
    ordered = {kind: counts[kind] for kind in KIND_LABELS if counts.get(kind)}
    ordered.update({kind: n for kind, n in sorted(counts.items()) if kind not in KIND_LABELS})
    return ordered


def kind_label(kind: str, n: int = 2) -> str:
    """'waterfall snapshot' / 'waterfall snapshots' for a stored kind name."""
    singular, plural = KIND_LABELS.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
    return singular if n == 1 else plural


def holdings_text(items: Sequence[Item]) -> str:
    """'2 predictions files · 1 waterfall snapshot', or 'empty'."""
    counts = count_by_kind(items)
    if not counts:
        return "empty"
    return " · ".join(f"{n} {kind_label(kind, n)}" for kind, n in counts.items())


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago', else the date."""
    if moment is None:
        return "never"
    current = now or datetime.now(UTC)
    seconds = (current - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86_400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 7 * 86_400:
        days = int(seconds // 86_400)
        return f"{days} day{'s' if days > 1 else ''} ago"
    return f"{moment:%Y-%m-%d}"


def activity_table(items: Sequence[Item], *, now: datetime | None = None) -> pd.DataFrame:
    """Who changed what when: one row per item (or revision), newest first."""
    rows = [{"what": kind_label(item.kind, 1), "name": item.name, "revision": item.revision,
             "changed by": item.updated_by or "unknown", "when": ago(item.updated_at, now),
             "at (UTC)": item.updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")}
            for item in sorted(items, key=lambda i: i.updated_at, reverse=True)]
    columns = ["what", "name", "revision", "changed by", "when", "at (UTC)"]
    return pd.DataFrame(rows, columns=columns)


def last_change(items: Sequence[Item], workspace: Workspace, *, now: datetime | None = None) -> str:
    """'changed by ann@x.org 5 min ago (waterfall snapshot "baseline")' for a workspace card."""
    if not items:
        return f"created {ago(workspace.created_at, now)}, nothing saved yet"
    latest = max(items, key=lambda i: i.updated_at)
    who = latest.updated_by or "someone"
    return (f"last change by {who} {ago(latest.updated_at, now)} "
            f"({kind_label(latest.kind, 1)} {latest.name!r})")


def size_text(n_bytes: int) -> str:
    """'812 B', '4.2 KB', '12.3 MB', '1.1 GB' (powers of 1024)."""
    size = float(n_bytes)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def storage_text(figures: StorageFigures) -> str:
    """'2 predictions files · 14 revisions · 12.3 MB (3 deleted items awaiting erasure)'."""
    files = figures.items_by_kind.get(PREDICTIONS.name, 0)
    words = [f"{files} {kind_label(PREDICTIONS.name, files)}",
             f"{figures.revisions} revision{'s' if figures.revisions != 1 else ''}",
             size_text(figures.total_bytes)]
    deleted = figures.deleted_items
    tail = (f" ({deleted} deleted item{'s' if deleted != 1 else ''} awaiting erasure)"
            if deleted else "")
    return " · ".join(words) + tail


def erasure_date(item: Item, retention: timedelta) -> str:
    """The day a deleted item is erased for good, '2026-12-30'."""
    return f"{(item.deleted_at + retention).astimezone(UTC):%Y-%m-%d}"
