"""Persistence of workspaces: SQLite by default, any SQLAlchemy URL through the same code."""

from storage.migrate import SchemaTooNewError
from storage.schema import Item, StaleRevisionError, UnreadableContent, Workspace
from storage.store import WorkspaceStore, default_url

__all__ = ["Item", "SchemaTooNewError", "StaleRevisionError", "UnreadableContent", "Workspace",
           "WorkspaceStore",
           "default_url"]
