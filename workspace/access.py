"""Who may see and change which workspace: pure rules, unit-tested on their own.

With sign-in configured a user sees only workspaces they own or are a member of; members open,
rename and duplicate, only the owner deletes and manages members. E-mails are compared
lower-cased, so entries saved with capitals keep working. A workspace without an owner (made
while the app ran open) is nobody's once sign-in is on: only an admin sees it, to give it an
owner. Without sign-in the app is open for local use and everyone may do everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from storage import Workspace
from workspace.identity import normalise_email

# A deleted workspace can be restored from the page for this long (the store never erases it).
UNDO_WINDOW = timedelta(minutes=10)

_MEMBER = re.compile(r"^(?=.{3,200}$)[^\s,;@]+@[^\s,;@]+$")  # one e-mail address


@dataclass(frozen=True)
class Permissions:
    """What one user may do with one workspace."""

    see: bool
    open: bool
    rename: bool
    duplicate: bool
    delete: bool
    manage_members: bool
    reason: str


def is_owner(workspace: Workspace, user: str) -> bool:
    """True when `user` (an e-mail, any case) owns `workspace`."""
    return workspace.owner is not None and normalise_email(workspace.owner) == normalise_email(user)


def is_member(workspace: Workspace, user: str) -> bool:
    """True when `user` owns `workspace` or is on its member list (compared lower-cased)."""
    key = normalise_email(user)
    return is_owner(workspace, user) or key in {normalise_email(m) for m in workspace.members}


def other_members(workspace: Workspace) -> list[str]:
    """The members besides the owner (the owner is always a member), in saved order."""
    return [m for m in workspace.members if not is_owner(workspace, m)]


def parse_members(text: str, *, owner: str | None = None) -> list[str]:
    """Members typed one per line or separated by commas, lower-cased (sign-in keys on the
    lower-cased e-mail); the owner is left out (always a member).

    Examples
    --------
    >>> parse_members("bob@example.com, carol@example.com\\nbob@example.com", owner="ann@x.org")
    ['bob@example.com', 'carol@example.com']
    """
    if text is None:
        return []
    if not isinstance(text, str):
        raise ValueError(f"members must be text (one e-mail per line), got {type(text).__name__}.")
    people: list[str] = []
    for token in re.split(r"[,;\n]+", text):
        person = token.strip()
        if not person:
            continue
        if not _MEMBER.match(person):
            raise ValueError(f"members: {person[:60]!r} is not one sign-in name: write one e-mail "
                             "address per line (no spaces inside).")
        person = normalise_email(person)
        if person != normalise_email(owner) and person not in people:
            people.append(person)
    return people


def permissions(workspace: Workspace, user: str, *, auth: bool) -> Permissions:
    """The actions `user` may take on `workspace` (everything when the app runs open)."""
    if not auth:
        return Permissions(True, True, True, True, True, False,
                           "open for local use: no sign-in is configured")
    if not is_member(workspace, user):
        return Permissions(False, False, False, False, False, False,
                           f"{user} is not a member of {workspace.name!r}")
    owner = is_owner(workspace, user)
    role = "owner" if owner else "member"
    return Permissions(True, True, True, True, owner, owner, f"{user} is its {role}")


def visible(workspaces: Iterable[Workspace], user: str, *, auth: bool) -> list[Workspace]:
    """Workspaces `user` may see, deleted ones left out, order kept."""
    return [w for w in workspaces
            if w.deleted_at is None and permissions(w, user, auth=auth).see]


def unowned(workspaces: Iterable[Workspace]) -> list[Workspace]:
    """Workspaces made while the app ran open (no owner), deleted ones left out."""
    return [w for w in workspaces if w.owner is None and w.deleted_at is None]


def restorable(workspaces: Iterable[Workspace], user: str, *, auth: bool,
               now: datetime | None = None, window: timedelta = UNDO_WINDOW) -> list[Workspace]:
    """Deleted workspaces still inside the undo window that `user` could delete (owner or open app)."""
    moment = now or datetime.now(UTC)
    found = []
    for workspace in workspaces:
        if workspace.deleted_at is None or moment - workspace.deleted_at > window:
            continue
        if permissions(replace(workspace, deleted_at=None), user, auth=auth).delete:
            found.append(workspace)
    return sorted(found, key=lambda w: w.deleted_at, reverse=True)
