"""Keeping a workspace store tidy: which revisions are kept, when deleted things are erased,
and the admin command that does it (also run once at server start).

Rules, set by the admin (`[workbench] retention_days` / `keep_revisions` in
.streamlit/secrets.toml, or $WORKBENCH_RETENTION_DAYS / $WORKBENCH_KEEP_REVISIONS):
- Deleted items and workspaces are erased for good (rows, blobs, blob files) once they have
  been deleted for `retention_days` (30 by default); until then they can be restored.
- Predictions files and error-analysis sheets (the kinds that pile up revisions: every upload,
  every autosave) keep their last `keep_revisions` revisions (20 by default) plus any revision
  a user pinned. Every other kind keeps every revision: waterfall snapshots, the iteration log
  and the snapshots it names, goals, model tables. The latest revision of every item, which
  the report reads, is always kept.
Then the database gives the space back (SQLite VACUUM).

Run it by hand: ``python -m workspace.cleanup`` (``--help`` for the options).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from storage import Item, WorkspaceStore, tidy
from storage.blobs import ENV_BLOB_DIR, default_blob_dir
from storage.store import ENV_URL, default_url
from workspace.kinds import ERROR_SHEET, PREDICTIONS

DEFAULT_RETENTION_DAYS = 30.0
DEFAULT_KEEP_REVISIONS = 20
ENV_RETENTION_DAYS, ENV_KEEP_REVISIONS = "WORKBENCH_RETENTION_DAYS", "WORKBENCH_KEEP_REVISIONS"
PRUNED_KINDS = (PREDICTIONS.name, ERROR_SHEET.name)
# Content keys whose value names another item of the workspace: an error sheet's "source"
# file, a learning curve's source, an iteration-log entry's "snapshot".
_REFERENCE_KEYS = frozenset({"source", "snapshot", "file"})
SECRETS_FILE = Path(".streamlit") / "secrets.toml"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanupSettings:
    """How long deleted things stay restorable and how many revisions a file or sheet keeps."""

    retention_days: float = DEFAULT_RETENTION_DAYS
    keep_revisions: int = DEFAULT_KEEP_REVISIONS

    def __post_init__(self) -> None:
        days = self.retention_days
        if isinstance(days, bool) or not isinstance(days, int | float) or not (
                math.isfinite(days) and days >= 0):
            raise ValueError(f"retention_days is {days!r}: set it to 0 or more days, e.g. 30.")
        keep = self.keep_revisions
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
            raise ValueError(f"keep_revisions is {keep!r}: set it to a whole number of at least "
                             "1 (the latest revision is always kept), e.g. 20.")

    @classmethod
    def parse(cls, retention_days: str | None, keep_revisions: str | None) -> CleanupSettings:
        """Settings from the admin's text (None means the default); ValueError names the bad one."""
        try:
            days = DEFAULT_RETENTION_DAYS if retention_days is None else float(retention_days)
        except ValueError:
            raise ValueError(f"retention_days is {retention_days!r}: set it to a number of "
                             "days, e.g. 30.") from None
        try:
            keep = DEFAULT_KEEP_REVISIONS if keep_revisions is None else int(keep_revisions)
        except ValueError:
            raise ValueError(f"keep_revisions is {keep_revisions!r}: set it to a whole number, "
                             "e.g. 20.") from None
        return cls(days, keep)

    @classmethod
    def from_lookup(cls, lookup: Callable[[str, str], str | None]) -> CleanupSettings:
        """Settings read with `lookup(env_name, secrets_key)` (the environment first)."""
        return cls.parse(lookup(ENV_RETENTION_DAYS, "retention_days"),
                         lookup(ENV_KEEP_REVISIONS, "keep_revisions"))

    @property
    def retention(self) -> timedelta:
        """How long a deleted item or workspace stays restorable."""
        return timedelta(days=self.retention_days)


@dataclass(frozen=True)
class CleanupReport:
    """What one clean-up erased."""

    pruned: tidy.Erased
    purged: tidy.Erased

    def text(self) -> str:
        """One line for the admin's terminal or the server log."""
        p, q = self.pruned, self.purged
        return (f"pruned {p.revisions} old revisions; erased {q.workspaces} workspaces, "
                f"{q.items} items and {q.revisions} revisions deleted before the retention; "
                f"{p.blob_files + q.blob_files} blob files removed")


def clean(store: WorkspaceStore, settings: CleanupSettings, *,
          now: datetime | None = None) -> CleanupReport:
    """Prune old revisions, erase what was deleted before the retention, then vacuum when
    anything went."""
    moment = now or datetime.now(UTC)
    pruned = tidy.prune_revisions(store.engine, store.blobs, kinds=PRUNED_KINDS,
                                  keep_last=settings.keep_revisions)
    purged = tidy.purge_deleted(store.engine, store.blobs, moment - settings.retention)
    if pruned.revisions or purged.revisions or purged.workspaces:
        tidy.vacuum(store.engine)
    return CleanupReport(pruned, purged)


def clean_at_start(store: WorkspaceStore, settings: CleanupSettings) -> CleanupReport | None:
    """The server's start-up clean-up: a failure (a database busy for long, a blob folder
    that cannot be written) is logged and the server starts anyway; the admin command
    reports the same failure when run."""
    try:
        report = clean(store, settings)
    except (OSError, sa.exc.SQLAlchemyError) as err:
        _log.warning("workspace clean-up at start failed: %s", err)
        return None
    _log.info("workspace clean-up at start: %s", report.text())
    return report


def uses_of(items: Sequence[Item], name: str) -> list[Item]:
    """The items whose content names `name` (a sheet made from a file, a log entry at a
    snapshot): what loses its reference when `name` is deleted."""
    return [item for item in items if item.name != name and name in set(_named(item.content))]


def _named(content: Any) -> Iterator[str]:
    """Every value under a reference key, anywhere in the content."""
    if isinstance(content, Mapping):
        for key, value in content.items():
            if key in _REFERENCE_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _named(value)
    elif isinstance(content, list):
        for value in content:
            yield from _named(value)


def _secrets_lookup(path: Path) -> Callable[[str, str], str | None]:
    """lookup(env_name, key): $env_name, else [workbench] key in the secrets file, else None."""
    try:
        section = tomllib.loads(path.read_text()).get("workbench", {}) if path.exists() else {}
    except tomllib.TOMLDecodeError as err:
        raise SystemExit(f"{path} does not parse ({err}): fix it first.") from None

    def lookup(env: str, key: str) -> str | None:
        value = os.environ.get(env, "").strip() or section.get(key)
        return None if value in (None, "") else str(value)
    return lookup


def main(argv: Sequence[str] | None = None) -> int:
    """The admin command: clean the store the app uses (its URL and blob folder as the app
    finds them), print what went."""
    parser = argparse.ArgumentParser(prog="python -m workspace.cleanup", description=(
        "Erase deleted items and workspaces past the retention, prune old revisions of "
        "predictions files and error sheets, and vacuum the database."))
    parser.add_argument("--retention-days", help="days a deleted thing stays restorable "
                        f"(default: the configured one, else {DEFAULT_RETENTION_DAYS:g})")
    parser.add_argument("--keep-revisions", help="revisions kept per file or sheet besides "
                        f"pinned ones (default: the configured one, else {DEFAULT_KEEP_REVISIONS})")
    parser.add_argument("--secrets", type=Path, default=SECRETS_FILE,
                        help="the app's secrets file ([workbench] settings)")
    args = parser.parse_args(argv)
    lookup = _secrets_lookup(args.secrets)
    try:
        settings = CleanupSettings.parse(
            args.retention_days or lookup(ENV_RETENTION_DAYS, "retention_days"),
            args.keep_revisions or lookup(ENV_KEEP_REVISIONS, "keep_revisions"))
    except ValueError as err:
        parser.error(str(err))  # exits with the message and the usage, no traceback
    url = lookup(ENV_URL, "db_url") or default_url()
    blob_dir = lookup(ENV_BLOB_DIR, "blob_dir") or str(default_blob_dir(url))
    store = WorkspaceStore(url, blob_dir=blob_dir)
    print(clean(store, settings).text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
