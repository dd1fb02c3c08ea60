"""Image previews of a user's table: the admin's allowed hosts and image folder, read from
secrets.toml.

`[workbench] image_hosts = ["images.example.com"]` lists the hosts whose http(s) images the
browser may load; `[workbench] image_root = "/srv/images"` names the one folder whose image
files may be previewed (inlined). Without them no image is previewed and every value is text.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis.image_policy import allowed_hosts, local_image, preview_url

_LOG = logging.getLogger(__name__)


def _setting(name: str) -> object:
    """`[workbench] name` of secrets.toml, None when absent."""
    try:
        return st.secrets.get("workbench", {}).get(name)
    except (FileNotFoundError, KeyError, AttributeError):
        return None


def image_hosts() -> frozenset[str]:
    """The allowed image hosts; none when unset or malformed (the problem goes to the log)."""
    configured = _setting("image_hosts")
    try:
        return allowed_hosts(configured)
    except ValueError as err:
        _LOG.warning("[workbench] image_hosts in secrets.toml is ignored: %s", err)
        return frozenset()


def image_root() -> Path | None:
    """The admin's image folder; None when unset or not a folder (the problem goes to the log)."""
    configured = _setting("image_root")
    if configured is None:
        return None
    root = Path(str(configured)).expanduser()
    if not root.is_absolute() or not root.is_dir():
        _LOG.warning("[workbench] image_root in secrets.toml is ignored: %r is not the absolute "
                     "path of a folder.", configured)
        return None
    return root


def _preview(value: object, hosts: frozenset[str], root: Path | None) -> str | None:
    url = preview_url(value, hosts)
    if url is not None:
        return url
    found = local_image(value, root)
    if found is None:
        return None
    data, mime = found
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def previews(values: pd.Series, hosts: frozenset[str] | None = None,
             root: Path | None = None) -> pd.Series:
    """Per value, what the browser may show as its image (an allowed URL, or an image file of
    the admin's folder inlined), or None (shown as text). Defaults: the admin's settings."""
    allowed = image_hosts() if hosts is None else hosts
    folder = image_root() if root is None else root
    return values.map(lambda value: _preview(value, allowed, folder)).astype(object)
