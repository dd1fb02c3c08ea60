"""Which image values of a user's table the browser may load: the rule, without Streamlit.

An image column holds user data, and user data never names a server file: a value is previewed
only when it is an http(s) address on a host the admin allowed, with nothing in it a browser
could read as another host, or, when the admin set an image folder, a path to a regular image
file inside that folder (symlinks resolved, signature checked, size capped). Everything else
(other paths, data: URLs, other schemes) stays text.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

#: Largest local image inlined into a page.
MAX_LOCAL_IMAGE_BYTES = 512_000
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
               (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))

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


def image_type(head: bytes) -> str | None:
    """The MIME type of PNG, JPEG, GIF or WebP bytes from their signature, else None.

    Examples
    --------
    >>> image_type(b"\\x89PNG\\r\\n\\x1a\\n...")
    'image/png'
    >>> image_type(b"root:x:0:0") is None
    True
    """
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _SIGNATURES if head.startswith(magic)), None)


def local_image(value: object, root: Path | None, *,
                max_bytes: int = MAX_LOCAL_IMAGE_BYTES) -> tuple[bytes, str] | None:
    """(bytes, MIME type) of the image `value` names inside the admin's folder `root`, else None.

    The path is resolved (symlinks followed) and must stay inside `root`; the file must be a
    regular file of at most `max_bytes` whose first bytes are a PNG, JPEG, GIF or WebP
    signature. Without a root nothing is read.
    """
    if root is None or not isinstance(value, str) or not value.strip() or "\x00" in value:
        return None
    try:
        base = root.resolve(strict=True)
        target = (base / value.strip()).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not target.is_relative_to(base):
        return None
    data = _read_regular_file(target, max_bytes)
    mime = image_type(data[:12]) if data is not None else None
    return (data, mime) if mime is not None else None


def _read_regular_file(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of `path` when it is (still) a regular file of at most `max_bytes`."""
    try:
        # O_NOFOLLOW: a symlink swapped in after resolve() is refused; O_NONBLOCK: a FIFO
        # cannot hang the page (it is refused below as not a regular file).
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(max_bytes + 1)
    return data if len(data) <= max_bytes else None
