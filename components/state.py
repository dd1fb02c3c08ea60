"""Session state behind small helpers: the store, the open workspace, the loaded files.

Values shared across pages live under keys no widget owns (a page's widget values are dropped
when another page runs), all prefixed "workbench." so they never collide with widget keys.
A workspace's files are listed at once but each table is read only when a page uses it; a big
upload is saved in a background thread so the page shows its analysis meanwhile.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from analysis.predictions import Predictions
from components.errors import escape_markdown, show_error
from storage import Workspace, WorkspaceStore, default_url
from storage.blobs import ENV_BLOB_DIR, default_blob_dir
from storage.store import ENV_URL
from workspace.cleanup import CleanupSettings, clean_at_start
from workspace.data import WorkspaceData
from workspace.gate import NoAccess, WorkspaceGate
from workspace.identity import Identity, SignInSettings, identity_from_claims, sign_in_settings
from workspace.kinds import HUMAN_LEVELS_ITEM, PREDICTIONS, PROJECT_SETTINGS, PredictionsFile

T = TypeVar("T")

_WORKSPACE_KEY = "workbench.workspace_id"
_FILES_KEY = "workbench.files"
_FILES_OF_KEY = "workbench.files_workspace"
_ACTIVE_KEY = "workbench.active_file"
_RESOLVED_KEY = "workbench.workspace"
_ACCESS_NOTICE = "access.notice"
_SAVES_KEY = "workbench.background_saves"
_SHARED_PREFIX = "workbench.shared."
_RUN_GATE_KEY = "workbench.run_gate"
DEFAULT_WORKSPACE = "My project"
ENV_BLOB_THRESHOLD_MB = "WORKBENCH_BLOB_THRESHOLD_MB"
DEFAULT_BLOB_THRESHOLD_MB = 8.0
BACKGROUND_SAVE_ROWS = 100_000  # uploads this long are saved while the page draws


def _setting(env: str, key: str) -> str | None:
    """$env, else [workbench] key in .streamlit/secrets.toml, else None."""
    if os.environ.get(env, "").strip():
        return os.environ[env].strip()
    try:
        configured = st.secrets.get("workbench", {}).get(key)
    except (FileNotFoundError, KeyError, AttributeError):
        configured = None
    return str(configured) if configured not in (None, "") else None


def store_url() -> str:
    """$WORKBENCH_DB_URL, else [workbench] db_url in .streamlit/secrets.toml, else SQLite."""
    return _setting(ENV_URL, "db_url") or default_url()


def blob_settings() -> tuple[str, int]:
    """Where big blobs go and from which size in bytes: $WORKBENCH_BLOB_DIR /
    $WORKBENCH_BLOB_THRESHOLD_MB, else [workbench] blob_dir / blob_threshold_mb, else a
    blobs/ folder beside the SQLite file (or .workbench/blobs) from 8 MB."""
    folder = _setting(ENV_BLOB_DIR, "blob_dir") or str(default_blob_dir(store_url()))
    raw = _setting(ENV_BLOB_THRESHOLD_MB, "blob_threshold_mb")
    try:
        megabytes = float(raw) if raw is not None else DEFAULT_BLOB_THRESHOLD_MB
    except ValueError:
        raise ValueError(f"blob_threshold_mb is {raw!r}: set it to a number of megabytes, "
                         "e.g. 8.") from None
    if not megabytes >= 0:
        raise ValueError(f"blob_threshold_mb is {raw!r}: set it to 0 or more megabytes.")
    return folder, int(megabytes * 1024 * 1024)


@st.cache_resource(show_spinner=False)
def _store_for(url: str, blob_dir: str, blob_threshold_bytes: int,
               cleanup: CleanupSettings) -> WorkspaceStore:
    """Open the store once per server process and clean it up at start (workspace.cleanup)."""
    opened = WorkspaceStore(url, blob_dir=Path(blob_dir), blob_threshold_bytes=blob_threshold_bytes)
    clean_at_start(opened, cleanup)
    return opened


def store() -> WorkspaceStore:
    """The one WorkspaceStore of this server process (shared by every session).

    Only workspace_data() hands it on, wrapped in the access gate; pages never use it directly.
    """
    return _store_for(store_url(), *blob_settings(), cleanup_settings())


def cleanup_settings() -> CleanupSettings:
    """The admin's retention and revisions-kept settings ($WORKBENCH_RETENTION_DAYS /
    $WORKBENCH_KEEP_REVISIONS, else [workbench] retention_days / keep_revisions)."""
    return CleanupSettings.from_lookup(_setting)


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
    """The session's way to workspace data: every read and write checks the user's access.

    During a page run this is the run's gate (begin_run), which reads the workspace rows once
    for the whole run; a widget callback, which runs before the page, gets a gate that reads
    them at every check.
    """
    gate = st.session_state.get(_RUN_GATE_KEY)
    return gate if gate is not None else _new_gate(per_run=False)


def _new_gate(*, per_run: bool) -> WorkspaceGate:
    settings = sign_in()
    return WorkspaceGate(store(), user=current_identity(), auth=settings.enabled,
                         admins=settings.admins, per_run=per_run)


def begin_run() -> None:
    """Start a page run with a fresh gate: the workspace is read once, then checked from it."""
    st.session_state[_RUN_GATE_KEY] = _new_gate(per_run=True)


def end_run() -> None:
    """End the page run: callbacks and the next run read the workspace afresh."""
    st.session_state.pop(_RUN_GATE_KEY, None)


def workspace_items() -> WorkspaceData:
    """The open workspace's saved items, typed by kind (workspace.kinds), through the gate."""
    return WorkspaceData(workspace_data(), current_workspace().id)


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


class WorkspaceFiles(Mapping[str, Predictions]):
    """The workspace's predictions files by name (newest first, then those added this
    session); a file's table is read from the store the first time a page asks for it.

    A saved file that no longer reads (damaged or an old format) leaves the mapping when that
    is found out, and is named in `unreadable` with the reason, so no page fails on it.
    """

    def __init__(self, workspace_id: int, contents: dict[str, PredictionsFile],
                 unreadable: dict[str, str] | None = None) -> None:
        self.workspace_id = workspace_id
        self._contents = dict(contents)  # each file's saved description (mapping, rows, ...)
        self._loaded: dict[str, Predictions] = {}
        self.unreadable: dict[str, str] = dict(unreadable or {})

    def __getitem__(self, name: str) -> Predictions:
        if name not in self._loaded:
            if name not in self._contents:
                raise KeyError(name)
            try:
                self._loaded[name] = _read_file(self.workspace_id, name, self._contents[name])
            except ValueError as err:
                del self._contents[name]
                self.unreadable[name] = str(err)
                raise KeyError(name) from err
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._contents))

    def __len__(self) -> int:
        return len(self._contents)

    def __contains__(self, name: object) -> bool:
        return name in self._contents  # Mapping's default would read the table

    def task_of(self, name: str) -> str:
        """The file's task, known without reading its table."""
        if name in self._loaded:
            return self._loaded[name].task
        return self._contents[name].task

    def summary(self, name: str) -> dict[str, Any]:
        """File, task, rows and splits for a listing, without reading the table."""
        if name in self._loaded:
            loaded = self._loaded[name]
            rows, splits = loaded.n_rows, loaded.splits()
        else:
            rows, splits = self._contents[name].rows, self._contents[name].splits
        return {"file": name, "task": self.task_of(name), "rows": rows,
                "splits": ", ".join(splits or [])}

    def add(self, predictions: Predictions) -> None:
        """Offer a file read in this session (kept in memory, no store read needed)."""
        self._contents.setdefault(predictions.name, PredictionsFile(predictions.mapping))
        self._loaded[predictions.name] = predictions
        self.unreadable.pop(predictions.name, None)


def _read_file(workspace_id: int, name: str, described: PredictionsFile) -> Predictions:
    """One predictions file's table, streamed from its blob; ValueError says why it no longer
    reads."""
    stream = WorkspaceData(workspace_data(), workspace_id).open_blob(PREDICTIONS, name)
    if stream is None:
        raise ValueError(f"{name} has no saved table any more (a teammate deleted or renamed it, "
                         "or the save was damaged): upload the file again.")
    with stream:
        return described.read_table(stream, name)


def _list_files(workspace_id: int) -> WorkspaceFiles:
    """The workspace's files, newest first: their saved descriptions only, no table."""
    contents: dict[str, PredictionsFile] = {}
    unreadable: dict[str, str] = {}
    data = WorkspaceData(workspace_data(), workspace_id)
    for item in data.items(PREDICTIONS):
        try:
            contents[item.name] = data.read(PREDICTIONS, item)
        except ValueError as err:
            unreadable[item.name] = str(err)
    return WorkspaceFiles(workspace_id, contents, unreadable)


def loaded_predictions() -> WorkspaceFiles:
    """Files available to every page of this session (listed from the workspace once; each
    table is read when first used)."""
    workspace_id = current_workspace().id
    if st.session_state.get(_FILES_OF_KEY) != workspace_id or _FILES_KEY not in st.session_state:
        st.session_state[_FILES_KEY] = files = _list_files(workspace_id)
        st.session_state[_FILES_OF_KEY] = workspace_id
        st.session_state[_ACTIVE_KEY] = next(iter(files), None)
    return st.session_state[_FILES_KEY]


def unreadable_predictions() -> dict[str, str]:
    """Saved predictions files of the workspace that no longer read: name -> why."""
    return dict(loaded_predictions().unreadable)


def reload_files() -> None:
    """Read the workspace's files again on the next call (after one was renamed or deleted)."""
    st.session_state.pop(_FILES_KEY, None)


def active_predictions() -> Predictions | None:
    """The primary file of the project (the first loaded, or the one last made active)."""
    files = loaded_predictions()
    name = st.session_state.get(_ACTIVE_KEY) or ""
    for candidate in [name, *files]:
        found = files.get(candidate) if candidate in files else None
        if found is not None:
            return found
    return None


@dataclass
class BackgroundSave:
    """A file saved to the workspace in a thread once the page is drawn; its outcome is shown
    on a later run."""

    name: str
    thread: threading.Thread | None = None
    done: threading.Event = field(default_factory=threading.Event)
    revision: int | None = None
    error: str | None = None

    def run(self, target: WorkspaceData, predictions: Predictions) -> None:
        """Save now (in this thread); any failure is kept to be told, never dropped."""
        with contextlib.suppress(OSError):  # yield the CPU to the sessions drawing pages
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        try:
            self.revision = target.save(PREDICTIONS, predictions.name, predictions).revision
        except Exception as err:  # shown to the user on the next run, with what to do
            self.error = str(err) or type(err).__name__
        finally:
            self.done.set()


def add_predictions(predictions: Predictions, *, make_active: bool = True,
                    persist: bool = True) -> None:
    """Offer `predictions` to every page; saved in the workspace so a teammate sees it too
    (a big file in the background once the page is drawn: start_background_saves starts it,
    report_background_saves tells how it went)."""
    loaded_predictions().add(predictions)
    if make_active:
        st.session_state[_ACTIVE_KEY] = predictions.name
    if not persist:
        return
    if predictions.n_rows < BACKGROUND_SAVE_ROWS:
        workspace_items().save(PREDICTIONS, predictions.name, predictions)
        return
    job = BackgroundSave(predictions.name)
    target = WorkspaceData(workspace_data().uncached(), current_workspace().id)
    job.thread = threading.Thread(target=job.run, name=f"save {predictions.name}", daemon=False,
                                  args=(target, predictions))
    st.session_state.setdefault(_SAVES_KEY, []).append(job)


def start_background_saves() -> None:
    """Start the saves queued by this run (call when the page is drawn, even if the run
    stopped early, so a queued save always starts)."""
    for job in st.session_state.get(_SAVES_KEY, []):
        if job.thread is not None and job.thread.ident is None:
            job.thread.start()


def report_background_saves() -> None:
    """Tell the outcome of background saves that finished since the last run; say which are
    still running. A failed save is shown until this run shows it (never lost)."""
    jobs: list[BackgroundSave] = st.session_state.get(_SAVES_KEY, [])
    for job in [j for j in jobs if j.done.is_set()]:
        jobs.remove(job)
        name = escape_markdown(job.name)
        if job.error is None:
            st.toast(f"Saved {name} in the workspace (revision {job.revision}).",
                     icon=":material/cloud_done:")
        else:
            show_error(f"{job.name} could not be saved in the workspace: {job.error}. It is "
                       "still open in this session; upload it again to retry the save.")
    for job in jobs:
        st.caption(f":material/cloud_upload: Saving {escape_markdown(job.name)} in the "
                   "workspace…")


def project_human_levels() -> dict[str, float]:
    """The project's human-level references (name -> error %), saved in the workspace so that
    every page and every teammate's session starts from the same Bayes proxy."""
    workspace_id = current_workspace().id
    cached = get_shared("project.human_levels")
    if cached is None or cached[0] != workspace_id:
        try:
            levels = workspace_items().load(PROJECT_SETTINGS, HUMAN_LEVELS_ITEM) or {}
        except ValueError:  # damaged: start from no references (saving again repairs it)
            levels = {}
        cached = (workspace_id, levels)
        set_shared("project.human_levels", cached)
    return dict(cached[1])


def set_project_human_levels(levels: dict[str, float]) -> None:
    """Save the project's human-level references in the workspace."""
    workspace_id = current_workspace().id
    workspace_items().save(PROJECT_SETTINGS, HUMAN_LEVELS_ITEM, dict(levels))
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


def query_int(name: str, default: int) -> int:
    """A whole number from the URL's query string, `default` when absent or malformed."""
    return _query(name, default, int)


def content_digest(data: bytes) -> str:
    """A short stable fingerprint of uploaded bytes (for widget keys and cache keys)."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()
