"""Sign-in settings and the signed-in person, checked without Streamlit.

Sign-in fails closed: open mode (everyone may do everything) is only what runs when the secrets
hold no [auth] table at all. A secrets file that does not parse, an [auth] table that is
malformed or half-configured, or a short cookie secret raises AuthConfigError, and the app stops
with that message for the admin. A person is keyed on their provider-verified e-mail address,
lower-cased; nothing else (a display name, a constant) ever stands in for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MIN_COOKIE_SECRET = 32
DEFAULT_PROVIDER = "default"
# Keys st.login needs for every provider, and those shared by all providers in [auth].
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
SHARED_KEYS = ("redirect_uri", "cookie_secret")
_NOT_PROVIDERS = {"client_kwargs"}  # a table in [auth] that configures the default provider
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_FIX = ("Fix .streamlit/secrets.toml (see the README's 'Sign-in and sharing'), or remove the "
        "whole [auth] table to run open for local use, then restart the server.")


class AuthConfigError(ValueError):
    """The sign-in configuration is broken: the app must not run (never in open mode)."""


class SignInRefused(ValueError):
    """The provider signed someone in, but not with what the workbench needs (a verified e-mail)."""


@dataclass(frozen=True)
class SignInSettings:
    """How this server admits people: open (no [auth] at all) or through named providers."""

    enabled: bool
    providers: tuple[str, ...] = ()
    admins: frozenset[str] = frozenset()


OPEN = SignInSettings(enabled=False)


@dataclass(frozen=True)
class Identity:
    """A signed-in person: the lower-cased verified e-mail is the key; issuer and subject say
    which account at which provider it came from."""

    email: str
    issuer: str
    subject: str
    name: str = ""


def normalise_email(text: str | None) -> str:
    """The form e-mails are compared in: trimmed and lower-cased ('' for None)."""
    return (text or "").strip().lower()


def sign_in_settings(secrets: Mapping[str, Any] | None, *,
                     load_error: str | None = None) -> SignInSettings:
    """Check the secrets and say how people sign in; AuthConfigError when they are broken.

    Parameters
    ----------
    secrets : mapping or None
        The parsed secrets (None when no secrets file exists).
    load_error : str, optional
        Why an existing secrets file could not be read; a broken file is never "no sign-in".

    Examples
    --------
    >>> sign_in_settings(None).enabled
    False
    >>> sign_in_settings({"workbench": {"db_url": "sqlite://"}}).enabled
    False
    """
    if load_error:
        raise AuthConfigError(f"Sign-in is not available: the secrets file could not be read "
                              f"({load_error}). {_FIX}")
    if secrets is None or "auth" not in secrets:
        return OPEN
    auth = secrets["auth"]
    if not isinstance(auth, Mapping):
        raise _misconfigured(f"[auth] must be a table, got {type(auth).__name__}")
    _check_shared(auth)
    providers = _providers(auth)
    return SignInSettings(enabled=True, providers=providers, admins=_admins(secrets))


def _misconfigured(problem: str) -> AuthConfigError:
    return AuthConfigError(f"Sign-in is misconfigured: {problem}. {_FIX}")


def _require(section: Mapping[str, Any], keys: tuple[str, ...], where: str,
             why: str = "") -> None:
    """Every key in `keys` holds non-empty text, else the error names the missing ones."""
    missing = [key for key in keys if not _text(section.get(key))]
    if missing:
        raise _misconfigured(f"{where} has no {', '.join(missing)}{why}")


def _check_shared(auth: Mapping[str, Any]) -> None:
    _require(auth, SHARED_KEYS, "[auth]")
    redirect = str(auth["redirect_uri"]).strip()
    if not re.match(r"^https?://[^/]+/oauth2callback$", redirect):
        raise _misconfigured(f"[auth] redirect_uri {redirect!r} must be this server's address "
                             "ending in /oauth2callback, e.g. "
                             "'https://workbench.example.com/oauth2callback'")
    secret = str(auth["cookie_secret"])
    if len(secret) < MIN_COOKIE_SECRET:
        raise _misconfigured(f"[auth] cookie_secret has {len(secret)} characters, fewer than "
                             f"{MIN_COOKIE_SECRET}: generate one with "
                             "`python -c \"import secrets; print(secrets.token_hex(32))\"`")


def _providers(auth: Mapping[str, Any]) -> tuple[str, ...]:
    """The default provider (keys directly in [auth]) and each [auth.NAME] table, all complete."""
    named = {key: value for key, value in auth.items()
             if isinstance(value, Mapping) and key not in _NOT_PROVIDERS}
    providers = []
    if any(key in auth for key in PROVIDER_KEYS) or not named:
        _check_provider(DEFAULT_PROVIDER, auth, "[auth]")
        providers.append(DEFAULT_PROVIDER)
    for name, section in named.items():
        if "_" in name or name == DEFAULT_PROVIDER:
            raise _misconfigured(f"provider name {name!r} in [auth.{name}] may not be 'default' "
                                 "nor contain '_'")
        _check_provider(name, section, f"[auth.{name}]")
        providers.append(name)
    return tuple(providers)


def _check_provider(name: str, section: Mapping[str, Any], where: str) -> None:
    _require(section, PROVIDER_KEYS, where, f" (provider {name!r} needs client_id, "
                                            "client_secret and server_metadata_url)")
    url = str(section["server_metadata_url"]).strip()
    if not re.match(r"^https?://[^/\s]+/\S*$", url):
        raise _misconfigured(f"{where} server_metadata_url {url!r} is not an absolute http(s) "
                             "URL (the provider's .well-known/openid-configuration)")


def _admins(secrets: Mapping[str, Any]) -> frozenset[str]:
    workbench = secrets.get("workbench", {})
    admins = workbench.get("admins", []) if isinstance(workbench, Mapping) else []
    if isinstance(admins, str) or not isinstance(admins, list | tuple):
        raise _misconfigured("[workbench] admins must be a list of e-mail addresses, e.g. "
                             'admins = ["ann@example.com"]')
    bad = [a for a in admins if not isinstance(a, str) or not _EMAIL.match(a.strip())]
    if bad:
        raise _misconfigured(f"[workbench] admins has {bad[0]!r}, which is not an e-mail address")
    return frozenset(normalise_email(a) for a in admins)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def identity_from_claims(claims: Mapping[str, Any]) -> Identity:
    """The person the provider signed in, keyed on their verified e-mail; SignInRefused otherwise.

    Examples
    --------
    >>> identity_from_claims({"email": "Ann@Example.com", "email_verified": True,
    ...                       "iss": "https://id.example.com", "sub": "42"}).email
    'ann@example.com'
    """
    email = claims.get("email")
    if not _text(email) or not _EMAIL.match(email.strip()):
        raise SignInRefused("Your sign-in provider did not send an e-mail address, and the "
                            "workbench keys workspaces on it: sign in with an account that has "
                            "one, or ask the admin to add the 'email' scope.")
    if not _verified(claims.get("email_verified")):
        raise SignInRefused(f"Your sign-in provider has not verified the e-mail address "
                            f"{email.strip()} (email_verified is not true), so the workbench "
                            "cannot tell it is yours: verify it with your provider, then sign "
                            "in again.")
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not _text(issuer) or not _text(subject):
        raise SignInRefused("Your sign-in provider's answer has no issuer or subject (iss, sub): "
                            "ask the admin to check the provider configuration.")
    name = claims.get("name")
    return Identity(normalise_email(email), issuer.strip(), subject.strip(),
                    name.strip() if _text(name) else "")


def _verified(value: Any) -> bool:
    """True only for an explicit yes (some providers send the string 'true')."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
