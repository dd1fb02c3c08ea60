"""Persistence of workspaces: SQLite by default, any SQLAlchemy URL through the same code."""

from storage.store import (
    Item,
    StaleRevisionError,
    UnreadableContent,
    Workspace,
    WorkspaceStore,
    default_url,
)

__all__ = ["Item", "StaleRevisionError", "UnreadableContent", "Workspace", "WorkspaceStore",
           "default_url"]
