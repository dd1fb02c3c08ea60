"""Which image values of a user's table the browser may load: the rule, without Streamlit.

An image column holds user data, and user data never names a server file: a value is previewed
only when it is an http(s) address on a host the admin allowed, with nothing in it a browser
could read as another host. Everything else (paths, data: URLs, other schemes) stays text.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

_SCHEMES = ("http", "https")
# Characters a browser folds into the address (or drops) before it picks the host: a value
# holding one is not checked further, whatever Python's parser would make of it.
_AMBIGUOUS = frozenset("\\@ \t\r\n\x00")


def allowed_hosts(configured: object) -> frozenset[str]:
    """The admin's image hosts as a set of lower-case names (an absent setting allows none).

    Raises ValueError when the setting is not a list of host names, so a typo in the
    configuration is reported instead of silently allowing something else.

    Examples
    --------
    >>> sorted(allowed_hosts(["Images.Example.com"]))
    ['images.example.com']
    >>> allowed_hosts(None)
    frozenset()
    """
    if configured is None:
        return frozenset()
    if isinstance(configured, str) or not isinstance(configured, Iterable):
        raise ValueError(f"image_hosts must be a list of host names such as "
                         f"[\"images.example.com\"], got {configured!r}.")
    hosts = set()
    for host in configured:
        name = str(host).strip().lower()
        if not name or any(c in _AMBIGUOUS or c in "/:" for c in name):
            raise ValueError(f"image_hosts holds {host!r}, which is not a plain host name: write "
                             "the name only, such as \"images.example.com\".")
        hosts.add(name)
    return frozenset(hosts)


def preview_url(value: object, hosts: frozenset[str]) -> str | None:
    """`value` when the browser may load it as an image, else None (the value stays text).

    Only an http(s) URL whose host is exactly one of `hosts` passes: no user name or password
    in it (``https://images.example.com@evil.org/`` names evil.org), no backslash or blank a
    browser would reinterpret, no other scheme (file:, data:, javascript:) and no bare path.

    Examples
    --------
    >>> hosts = frozenset({"images.example.com"})
    >>> preview_url("https://images.example.com/cat.jpg", hosts)
    'https://images.example.com/cat.jpg'
    >>> preview_url("/etc/passwd", hosts) is None
    True
    >>> preview_url("https://images.example.com@evil.org/x.png", hosts) is None
    True
    """
    if not isinstance(value, str) or not hosts:
        return None
    text = value.strip()
    if any(c in _AMBIGUOUS for c in text):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port  # a malformed port raises ValueError here
    except ValueError:
        return None
    if parts.scheme.lower() not in _SCHEMES or not text.lower().startswith(f"{parts.scheme.lower()}://"):
        return None
    return text if host is not None and host in hosts else None
