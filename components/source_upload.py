"""Large uploads routed to DuckDB: from `[workbench] duckdb_above_mb` on, an uploaded
CSV/TSV/Parquet predictions file becomes a DuckDB source over a Parquet copy in a folder the
app owns (beside the workspace's blobs), and the page evaluates it like an admin's source.
The server then holds the upload's bytes and DuckDB's memory limit, never the pandas table.
The file is held to the in-memory limits (sources/uploads.py); a refusal is shown next to
the uploader. Excel workbooks stay with the in-memory reader (and its workbook limits): DuckDB
reads them only through an extension fetched from the network.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.limits import ReadLimits
from analysis.reading import check_upload_size
from analysis.text import escape_markdown
from components.errors import show_error
from components.limits import parse_slot, read_limits
from components.source_picker import large_upload_slot
from components.state import blob_settings
from sources.config import SourceConfig
from sources.uploads import MB, duckdb_above_mb, routed_kind, upload_source

FOLDER_NAME = "large_uploads"


def _threshold_mb() -> int | None:
    """`[workbench] duckdb_above_mb` of secrets.toml (None: every upload is read in memory)."""
    try:
        value = st.secrets.get("workbench", {}).get("duckdb_above_mb")
    except (FileNotFoundError, KeyError, AttributeError):  # no secrets.toml
        return None
    return duckdb_above_mb(value)


def large_upload_folder() -> Path:
    """The app's own folder for large uploads' Parquet copies (beside the blobs folder)."""
    return Path(blob_settings()[0]).parent / FOLDER_NAME


def forget_large_upload(key: str) -> None:
    """Picker `key` no longer holds a large upload (called before the picker draws)."""
    st.session_state.pop(large_upload_slot(key), None)


def _stored(key: str, upload: object, limits: ReadLimits) -> SourceConfig:
    """The upload's DuckDB source, written once per uploaded file; a refusal is kept too, so
    reruns neither hash nor check the file again (ValueError: why it is refused)."""
    memo_key, file_id = f"{key}.large_upload_memo", getattr(upload, "file_id", None)
    memo = st.session_state.get(memo_key)
    if memo is not None and memo[0] == (file_id, limits):
        if isinstance(memo[1], ValueError):
            raise memo[1]
        if Path(memo[1].location).exists():
            return memo[1]
    data = upload.getvalue()
    try:
        with parse_slot(data, limits), st.spinner(f"Writing {escape_markdown(upload.name)} "
                                                  "for DuckDB…"):
            source = upload_source(data, upload.name, large_upload_folder(), limits=limits)
    except ValueError as err:
        st.session_state[memo_key] = ((file_id, limits), err)
        raise
    st.session_state[memo_key] = ((file_id, limits), source)
    return source


def _read_in_memory_note(name: str, size: int, above: int) -> None:
    """Why a workbook above the admin's size is still read in memory, and what bounds it:
    DuckDB's Excel reader is an extension downloaded from the network, which this server
    does not do, so the in-memory reader's workbook checks (cells, inflation) hold it."""
    try:
        cells = f"{read_limits().max_excel_cells:,}"
    except ValueError:  # the in-memory reading shows the settings error next to the uploader
        cells = "the server's limit of"
    st.caption(f":material/memory: {escape_markdown(name)} is {size / MB:,.1f} MB, above "
               f"{above:,} MB, but Excel workbooks are not read by DuckDB on this server: it is "
               f"read in memory, and refused before that if a sheet holds more than {cells} "
               "cells (max_excel_cells) or its content inflates past the upload limits. "
               "Save it as CSV or Parquet to have DuckDB evaluate it.")


def routed_to_duckdb(key: str, upload: object) -> bool:
    """True when `upload` is above the admin's size and is now picker `key`'s DuckDB source
    (or was refused, with the reason shown); False for the in-memory reading."""
    try:
        above = _threshold_mb()
    except ValueError as err:
        show_error(err, title="Settings")
        return True
    name = str(getattr(upload, "name", "upload"))
    size = int(getattr(upload, "size", 0))
    if above is None or size <= above * MB:
        return False
    if routed_kind(name) is None:
        _read_in_memory_note(name, size, above)
        return False
    try:
        limits = read_limits()
        check_upload_size(name, size, limits)  # before the bytes are copied and hashed
        source = _stored(key, upload, limits)
    except ValueError as err:
        show_error(err, title=f"{name} cannot be used as predictions")
        return True
    st.session_state[large_upload_slot(key)] = source
    st.caption(f":material/database: {escape_markdown(name)} is {size / MB:,.1f} MB, above "
               f"{above:,} MB: it is evaluated by DuckDB where the server stored it, not read "
               "into memory. Map its columns below.")
    return True
