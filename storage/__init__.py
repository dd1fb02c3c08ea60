"""Persistence of workspaces: SQLite by default, any SQLAlchemy URL through the same code."""

from storage.migrate import SchemaTooNewError
from storage.store import Item, StaleRevisionError, Workspace, WorkspaceStore, default_url

__all__ = ["Item", "SchemaTooNewError", "StaleRevisionError", "Workspace", "WorkspaceStore",
           "default_url"]
