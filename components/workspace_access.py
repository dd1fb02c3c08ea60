"""How a workspace's contents and members are shown and typed on the Workspaces page.

Pure helpers (no Streamlit), so they are unit-tested on their own; who may do what lives in
workspace.access.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd

from storage import Item, Workspace
from workspace.identity import normalise_email
from workspace.kinds import KINDS

KIND_LABELS = {kind.name: (kind.singular, kind.plural) for kind in KINDS}

_MEMBER = re.compile(r"^(?=.{3,200}$)[^\s,;@]+@[^\s,;@]+$")  # one e-mail address


def display_names(workspaces: Sequence[Workspace]) -> dict[int, str]:
    """A unique label per workspace: its name, with '#id' added where two share a name.

    The labels go into the URL (a widget bound to query params stores its label), so they
    must tell workspaces apart.
    """
    counts = Counter(w.name for w in workspaces)
    return {w.id: w.name if counts[w.name] == 1 else f"{w.name} #{w.id}" for w in workspaces}


def parse_members(text: str, *, owner: str | None = None) -> list[str]:
    """Members typed one per line or separated by commas, lower-cased (sign-in keys on the
    lower-cased e-mail); the owner is left out (always a member).

    Examples
    --------
    >>> parse_members("bob@example.com, carol@example.com\\nbob@example.com", owner="ann@x.org")
    ['bob@example.com', 'carol@example.com']
    """
    if text is None:
        return []
    if not isinstance(text, str):
        raise ValueError(f"members must be text (one e-mail per line), got {type(text).__name__}.")
    people: list[str] = []
    for token in re.split(r"[,;\n]+", text):
        person = token.strip()
        if not person:
            continue
        if not _MEMBER.match(person):
            raise ValueError(f"members: {person[:60]!r} is not one sign-in name: write one e-mail "
                             "address per line (no spaces inside).")
        person = normalise_email(person)
        if person != normalise_email(owner) and person not in people:
            people.append(person)
    return people


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
