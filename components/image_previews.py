"""Image previews of a user's table: the admin's allowed hosts read from secrets.toml.

`[workbench] image_hosts = ["images.example.com"]` lists the hosts whose http(s) images the
browser may load; without it no image is previewed and every value is shown as text.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from analysis.image_policy import allowed_hosts, preview_url

_LOG = logging.getLogger(__name__)


def image_hosts() -> frozenset[str]:
    """The allowed image hosts; none when unset or malformed (the problem goes to the log)."""
    try:
        configured = st.secrets.get("workbench", {}).get("image_hosts")
    except (FileNotFoundError, KeyError, AttributeError):
        return frozenset()
    try:
        return allowed_hosts(configured)
    except ValueError as err:
        _LOG.warning("[workbench] image_hosts in secrets.toml is ignored: %s", err)
        return frozenset()


def previews(values: pd.Series, hosts: frozenset[str] | None = None) -> pd.Series:
    """Per value, the address the browser may load as an image, or None (shown as text)."""
    allowed = image_hosts() if hosts is None else hosts
    return values.map(lambda value: preview_url(value, allowed)).astype(object)
