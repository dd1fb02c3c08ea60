"""Session state behind small helpers: the store, the open workspace, the loaded files.

Values shared across pages live under keys no widget owns (a page's widget values are dropped
when another page runs), all prefixed "workbench." so they never collide with widget keys.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from analysis.predictions import (
    Predictions,
    predictions_from_parquet,
    predictions_to_parquet,
)
from storage import Item, Workspace, WorkspaceStore, default_url
from storage.store import ENV_URL
from workspace.gate import NoAccess, WorkspaceGate
from workspace.identity import Identity, SignInSettings, identity_from_claims, sign_in_settings

T = TypeVar("T")

_WORKSPACE_KEY = "workbench.workspace_id"
_FILES_KEY = "workbench.files"
_FILES_OF_KEY = "workbench.files_workspace"
_ACTIVE_KEY = "workbench.active_file"
_RESOLVED_KEY = "workbench.workspace"
_ACCESS_NOTICE = "access.notice"
_UNREADABLE_KEY = "workbench.unreadable_files"
_SHARED_PREFIX = "workbench.shared."
PREDICTIONS_KIND = "predictions"
SETTINGS_KIND = "project_settings"
_HUMAN_LEVELS_ITEM = "human levels"
DEFAULT_WORKSPACE = "My project"


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
    """The one WorkspaceStore of this server process (shared by every session).

    Only workspace_data() hands it on, wrapped in the access gate; pages never use it directly.
    """
    return _store_for(store_url())


def _secrets() -> tuple[dict[str, Any] | None, str | None]:
    """The parsed secrets (None when no secrets file exists) and why an existing one is unreadable.

    Streamlit reports a file that does not parse as "not found" (a FileNotFoundError): telling
    the two apart here is what keeps a broken file from meaning "no sign-in".
    """
    try:
        return st.secrets.to_dict(), None
    except FileNotFoundError as err:
        files = st.get_option("secrets.files") or []
        if any(Path(path).exists() for path in files):
            return None, str(err)
        return None, None


def sign_in() -> SignInSettings:
    """How people sign in on this server; AuthConfigError when the configuration is broken."""
    secrets, problem = _secrets()
    return sign_in_settings(secrets, load_error=problem)


def auth_enabled() -> bool:
    """True when an OpenID Connect provider is configured ([auth] in secrets.toml)."""
    return sign_in().enabled


def current_identity() -> Identity | None:
    """The signed-in person (None when the app runs open or nobody signed in yet).

    SignInRefused when the provider's answer lacks a verified e-mail.
    """
    if not auth_enabled() or not getattr(st.user, "is_logged_in", False):
        return None
    return identity_from_claims(st.user.to_dict())


def workspace_data() -> WorkspaceGate:
    """The session's way to workspace data: every read and write re-checks the user's access."""
    settings = sign_in()
    return WorkspaceGate(store(), user=current_identity(), auth=settings.enabled,
                         admins=settings.admins)


def current_user() -> str:
    """The signed-in user's verified e-mail; 'local user' when the app runs open."""
    return workspace_data().author


def access_lost(callback: Callable[..., None]) -> Callable[..., None]:
    """Wrap a widget callback so that losing access shows a message instead of an exception
    (a callback cannot draw; app.py shows the message on the run that follows)."""
    @functools.wraps(callback)
    def guarded(*args: Any, **kwargs: Any) -> None:
        try:
            callback(*args, **kwargs)
        except NoAccess as err:
            set_shared(_ACCESS_NOTICE, str(err))
    return guarded


def take_access_notice() -> str | None:
    """Why the session just lost its workspace (once), for app.py to show."""
    return pop_shared(_ACCESS_NOTICE)


def resolve_workspace() -> Workspace:
    """The workspace this session works in, checked now: the session's choice, else the URL's
    ?ws=, else the most recently used one, else a new 'My project'. A choice that is no longer
    reachable (deleted, or the owner removed this user) is dropped with a message.

    app.py calls it once per run; current_workspace() then hands out the same row.
    """
    gate = workspace_data()
    for workspace_id in (st.session_state.get(_WORKSPACE_KEY), query_int("ws", 0)):
        if not workspace_id:
            continue
        try:
            return _remember(gate.get_workspace(workspace_id))
        except NoAccess as err:
            set_shared(_ACCESS_NOTICE, str(err))
            forget_workspace(workspace_id)
    visible = gate.list_workspaces()
    return _remember(visible[0] if visible else gate.create_workspace(DEFAULT_WORKSPACE))


def forget_workspace(workspace_id: int) -> None:
    """Stop working in `workspace_id` (gone, or just deleted from this session): the next run
    opens another one. The URL's ?ws= goes too, else every rerun would point back at it."""
    if st.session_state.get(_WORKSPACE_KEY) == workspace_id:
        for key in (_WORKSPACE_KEY, _RESOLVED_KEY, _FILES_KEY, _ACTIVE_KEY):
            st.session_state.pop(key, None)
    if query_int("ws", 0) == workspace_id:
        st.query_params.pop("ws", None)


def _remember(workspace: Workspace) -> Workspace:
    st.session_state[_WORKSPACE_KEY] = workspace.id
    st.session_state[_RESOLVED_KEY] = workspace
    return workspace


def current_workspace() -> Workspace:
    """The workspace resolve_workspace() chose on this run (resolved now if it has not run).

    Reads and writes still go through workspace_data(), which checks access again at that moment.
    """
    resolved = st.session_state.get(_RESOLVED_KEY)
    if resolved is not None and resolved.id == st.session_state.get(_WORKSPACE_KEY):
        return resolved
    return resolve_workspace()


def open_workspace(workspace_id: int) -> None:
    """Make `workspace_id` the session's workspace (its files load on the next run)."""
    st.session_state[_WORKSPACE_KEY] = int(workspace_id)
    st.session_state.pop(_RESOLVED_KEY, None)
    st.session_state.pop(_FILES_KEY, None)
    st.session_state.pop(_ACTIVE_KEY, None)


def _restore_files(workspace_id: int) -> tuple[dict[str, Predictions], dict[str, str]]:
    """Predictions files saved in the workspace, newest first, read back from their blobs, and
    the ones that no longer read (name -> why), which every page leaves out."""
    files: dict[str, Predictions] = {}
    unreadable: dict[str, str] = {}
    gate = workspace_data()
    for summary in gate.list_items(workspace_id, PREDICTIONS_KIND):
        item = gate.get_item(workspace_id, PREDICTIONS_KIND, summary.name)
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
        workspace_data().save_item(current_workspace().id, PREDICTIONS_KIND, predictions.name,
                                   content=content, blob=predictions_to_parquet(predictions))


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
        item = workspace_data().get_item(workspace_id, SETTINGS_KIND, _HUMAN_LEVELS_ITEM)
        cached = (workspace_id, dict(item.content) if item and item.content else {})
        set_shared("project.human_levels", cached)
    return dict(cached[1])


def set_project_human_levels(levels: dict[str, float]) -> None:
    """Save the project's human-level references in the workspace."""
    workspace_id = current_workspace().id
    workspace_data().save_item(workspace_id, SETTINGS_KIND, _HUMAN_LEVELS_ITEM,
                               content=dict(levels))
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
