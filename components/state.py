"""Session state behind small helpers: the store, the open workspace, the loaded files.

Values shared across pages live under keys no widget owns (a page's widget values are dropped
when another page runs), all prefixed "workbench." so they never collide with widget keys.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from analysis.predictions import (
    Predictions,
    predictions_from_parquet,
    predictions_to_parquet,
)
from storage import Item, Workspace, WorkspaceStore, default_url
from storage.store import ENV_URL

T = TypeVar("T")

_WORKSPACE_KEY = "workbench.workspace_id"
_FILES_KEY = "workbench.files"
_FILES_OF_KEY = "workbench.files_workspace"
_ACTIVE_KEY = "workbench.active_file"
_UNREADABLE_KEY = "workbench.unreadable_files"
_SHARED_PREFIX = "workbench.shared."
PREDICTIONS_KIND = "predictions"
SETTINGS_KIND = "project_settings"
_HUMAN_LEVELS_ITEM = "human levels"
DEFAULT_WORKSPACE = "My project"
LOCAL_USER = "local user"


def store_url() -> str:
    """$WORKBENCH_DB_URL, else [workbench] db_url in .streamlit/secrets.toml, else SQLite."""
    if os.environ.get(ENV_URL, "").strip():
        return os.environ[ENV_URL].strip()
    try:
        configured = st.secrets.get("workbench", {}).get("db_url")
    except (FileNotFoundError, KeyError, AttributeError):
        configured = None
    return configured or default_url()


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> WorkspaceStore:
    return WorkspaceStore(url)


def store() -> WorkspaceStore:
    """The one WorkspaceStore of this server process (shared by every session)."""
    return _store_for(store_url())


def auth_enabled() -> bool:
    """True when an OpenID Connect provider is configured ([auth] in secrets.toml)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, AttributeError):
        return False


def current_user() -> str:
    """The signed-in user's e-mail (or name); 'local user' when the app runs open."""
    if auth_enabled() and getattr(st.user, "is_logged_in", False):
        return str(st.user.get("email") or st.user.get("name") or "signed-in user")
    return LOCAL_USER


def _visible_workspaces() -> list[Workspace]:
    user = current_user() if auth_enabled() else None
    return store().list_workspaces(user=user)


def _usable(workspace: Workspace | None) -> bool:
    if workspace is None or workspace.deleted_at is not None:
        return False
    if not auth_enabled():
        return True
    user = current_user()
    return workspace.owner == user or user in workspace.members


def current_workspace() -> Workspace:
    """The workspace this session works in: the session's choice, else the URL's ?ws=, else
    the most recently used one, else a new 'My project'."""
    candidates = [st.session_state.get(_WORKSPACE_KEY), query_int("ws", 0)]
    for workspace_id in candidates:
        if workspace_id:
            workspace = store().get_workspace(int(workspace_id))
            if _usable(workspace):
                st.session_state[_WORKSPACE_KEY] = workspace.id
                return workspace
    visible = _visible_workspaces()
    owner = current_user() if auth_enabled() else None
    workspace = visible[0] if visible else store().create_workspace(DEFAULT_WORKSPACE, owner=owner)
    st.session_state[_WORKSPACE_KEY] = workspace.id
    return workspace


def open_workspace(workspace_id: int) -> None:
    """Make `workspace_id` the session's workspace (its files load on the next run)."""
    st.session_state[_WORKSPACE_KEY] = int(workspace_id)
    st.session_state.pop(_FILES_KEY, None)
    st.session_state.pop(_ACTIVE_KEY, None)


def _restore_files(workspace_id: int) -> tuple[dict[str, Predictions], dict[str, str]]:
    """Predictions files saved in the workspace, newest first, read back from their blobs, and
    the ones that no longer read (name -> why), which every page leaves out."""
    files: dict[str, Predictions] = {}
    unreadable: dict[str, str] = {}
    for summary in store().list_items(workspace_id, PREDICTIONS_KIND):
        item = store().get_item(workspace_id, PREDICTIONS_KIND, summary.name)
        if item is None:
            continue
        try:
            files[item.name] = predictions_from_item(item)
        except ValueError as err:
            unreadable[item.name] = str(err)
    return files, unreadable


def predictions_from_item(item: Item) -> Predictions:
    """A saved predictions item read back; ValueError says why when it no longer reads."""
    content = item.content if isinstance(item.content, dict) else {}
    if item.blob is None or not isinstance(content.get("mapping"), dict):
        raise ValueError("the saved file has no table or no column mapping (an old or damaged "
                         "save); upload the file again.")
    try:
        return predictions_from_parquet(item.blob, content["mapping"], item.name,
                                        tuple(map(str, content.get("notes") or ())))
    except (ValueError, KeyError, TypeError, OSError) as err:
        raise ValueError(f"the saved table no longer reads ({err}); upload the file "
                         "again.") from None


def loaded_predictions() -> dict[str, Predictions]:
    """Files available to every page of this session (restored from the workspace once)."""
    workspace_id = current_workspace().id
    if st.session_state.get(_FILES_OF_KEY) != workspace_id or _FILES_KEY not in st.session_state:
        files, unreadable = _restore_files(workspace_id)
        st.session_state[_FILES_KEY] = files
        st.session_state[_UNREADABLE_KEY] = unreadable
        st.session_state[_FILES_OF_KEY] = workspace_id
        st.session_state[_ACTIVE_KEY] = next(iter(files), None)
    return st.session_state[_FILES_KEY]


def unreadable_predictions() -> dict[str, str]:
    """Saved predictions files of the workspace that no longer read: name -> why."""
    loaded_predictions()
    return dict(st.session_state.get(_UNREADABLE_KEY, {}))


def reload_files() -> None:
    """Read the workspace's files again on the next call (after one was renamed or deleted)."""
    st.session_state.pop(_FILES_KEY, None)


def active_predictions() -> Predictions | None:
    """The primary file of the project (the first loaded, or the one last made active)."""
    files = loaded_predictions()
    return files.get(st.session_state.get(_ACTIVE_KEY) or "", next(iter(files.values()), None))


def add_predictions(predictions: Predictions, *, make_active: bool = True,
                    persist: bool = True) -> None:
    """Offer `predictions` to every page; saved in the workspace so a teammate sees it too."""
    files = loaded_predictions()
    files[predictions.name] = predictions
    if make_active:
        st.session_state[_ACTIVE_KEY] = predictions.name
    if persist:
        content = {"mapping": predictions.mapping.to_dict(), "notes": list(predictions.notes),
                   "rows": predictions.n_rows, "columns": list(map(str, predictions.frame.columns))}
        store().save_item(current_workspace().id, PREDICTIONS_KIND, predictions.name,
                          content=content, blob=predictions_to_parquet(predictions),
                          author=current_user())


def set_active(name: str) -> None:
    """Make a loaded file the project's primary one."""
    if name in loaded_predictions():
        st.session_state[_ACTIVE_KEY] = name


def project_human_levels() -> dict[str, float]:
    """The project's human-level references (name -> error %), saved in the workspace so that
    every page and every teammate's session starts from the same Bayes proxy."""
    workspace_id = current_workspace().id
    cached = get_shared("project.human_levels")
    if cached is None or cached[0] != workspace_id:
        item = store().get_item(workspace_id, SETTINGS_KIND, _HUMAN_LEVELS_ITEM)
        cached = (workspace_id, dict(item.content) if item and item.content else {})
        set_shared("project.human_levels", cached)
    return dict(cached[1])


def set_project_human_levels(levels: dict[str, float]) -> None:
    """Save the project's human-level references in the workspace."""
    workspace_id = current_workspace().id
    store().save_item(workspace_id, SETTINGS_KIND, _HUMAN_LEVELS_ITEM, content=dict(levels),
                      author=current_user())
    set_shared("project.human_levels", (workspace_id, dict(levels)))


def set_shared(key: str, value: Any) -> None:
    """Hand a value to another page (kept under a key no widget owns)."""
    st.session_state[_SHARED_PREFIX + key] = value


def get_shared(key: str, default: T | None = None) -> Any:
    """A value another page handed over with set_shared, else `default`."""
    return st.session_state.get(_SHARED_PREFIX + key, default)


def pop_shared(key: str, default: T | None = None) -> Any:
    """Take a handed-over value once (it is removed)."""
    return st.session_state.pop(_SHARED_PREFIX + key, default)


def _query(name: str, default: T, parse: Callable[[str], T]) -> T:
    raw = st.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except (TypeError, ValueError):
        return default


def query_float(name: str, default: float) -> float:
    """A number from the URL's query string, `default` when absent or not a finite number."""
    value = _query(name, default, float)
    return value if value == value and abs(value) != float("inf") else default


def query_int(name: str, default: int) -> int:
    """A whole number from the URL's query string, `default` when absent or malformed."""
    return _query(name, default, int)


def query_str(name: str, default: str) -> str:
    """Text from the URL's query string, `default` when absent."""
    return _query(name, default, str)


def content_digest(data: bytes) -> str:
    """A short stable fingerprint of uploaded bytes (for widget keys and cache keys)."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()
