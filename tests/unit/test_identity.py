"""Sign-in settings fail closed, and a person is keyed on their verified e-mail only."""

from __future__ import annotations

import pytest

from workspace.identity import (
    AuthConfigError,
    Identity,
    SignInRefused,
    identity_from_claims,
    sign_in_settings,
)

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "workbench", "client_secret": "s3cret",
        "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}
CLAIMS = {"email": "Ann@Example.com", "email_verified": True, "iss": "https://id.example.com",
          "sub": "248289761001", "name": "Ann Smith"}


def _without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


def test_no_secrets_or_no_auth_table_is_open_mode():
    assert not sign_in_settings(None).enabled
    assert not sign_in_settings({"workbench": {"db_url": "sqlite://"}}).enabled


def test_a_complete_auth_table_turns_sign_in_on_with_the_default_provider():
    settings = sign_in_settings({"auth": AUTH})
    assert settings.enabled and settings.providers == ("default",)


def test_a_secrets_file_that_does_not_parse_is_never_open_mode():
    with pytest.raises(AuthConfigError, match=r"could not be read .*Invalid value"):
        sign_in_settings(None, load_error="Error parsing secrets file: Invalid value (line 2)")


@pytest.mark.parametrize("key", ["redirect_uri", "cookie_secret", "client_id", "client_secret",
                                 "server_metadata_url"])
def test_a_half_configured_auth_table_names_what_is_missing(key):
    with pytest.raises(AuthConfigError, match=f"has no .*{key}"):
        sign_in_settings({"auth": _without(AUTH, key)})


@pytest.mark.parametrize("auth", ["yes", [], {}, {"cookie_secret": "x" * 40}])
def test_a_malformed_auth_table_stops_the_app(auth):
    with pytest.raises(AuthConfigError, match=r"misconfigured.*remove the whole \[auth\]"):
        sign_in_settings({"auth": auth})


def test_a_cookie_secret_shorter_than_32_characters_is_refused():
    with pytest.raises(AuthConfigError, match="cookie_secret has 31 characters, fewer than 32"):
        sign_in_settings({"auth": {**AUTH, "cookie_secret": "x" * 31}})
    assert sign_in_settings({"auth": {**AUTH, "cookie_secret": "x" * 32}}).enabled


@pytest.mark.parametrize("uri", ["localhost:8501/oauth2callback", "http://localhost:8501/",
                                 "http://localhost:8501/oauth2callback/extra"])
def test_a_redirect_uri_must_be_an_absolute_oauth2callback(uri):
    with pytest.raises(AuthConfigError, match="must be this server's address ending in"):
        sign_in_settings({"auth": {**AUTH, "redirect_uri": uri}})


def test_a_relative_metadata_url_is_refused():
    with pytest.raises(AuthConfigError, match="not an absolute http"):
        sign_in_settings({"auth": {**AUTH, "server_metadata_url": "/.well-known/x"}})


def test_named_providers_each_need_their_three_keys():
    shared = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"]}
    provider = _without(_without(AUTH, "redirect_uri"), "cookie_secret")
    settings = sign_in_settings({"auth": {**shared, "google": provider, "okta": provider}})
    assert settings.providers == ("google", "okta")
    with pytest.raises(AuthConfigError, match=r"\[auth.okta\] has no client_secret"):
        sign_in_settings({"auth": {**shared, "google": provider,
                                   "okta": _without(provider, "client_secret")}})
    with pytest.raises(AuthConfigError, match="may not be 'default' nor contain '_'"):
        sign_in_settings({"auth": {**shared, "my_idp": provider}})


def test_client_kwargs_is_not_taken_for_a_provider():
    settings = sign_in_settings({"auth": {**AUTH, "client_kwargs": {"prompt": "login"}}})
    assert settings.providers == ("default",)


def test_admins_are_lower_cased_and_must_be_e_mails():
    settings = sign_in_settings({"auth": AUTH, "workbench": {"admins": ["Ann@Example.com"]}})
    assert settings.admins == frozenset({"ann@example.com"})
    with pytest.raises(AuthConfigError, match="admins must be a list"):
        sign_in_settings({"auth": AUTH, "workbench": {"admins": "ann@example.com"}})
    with pytest.raises(AuthConfigError, match="'ann', which is not an e-mail"):
        sign_in_settings({"auth": AUTH, "workbench": {"admins": ["ann"]}})


def test_a_verified_email_is_the_lower_cased_key_with_issuer_and_subject():
    assert identity_from_claims(CLAIMS) == Identity("ann@example.com", "https://id.example.com",
                                                    "248289761001", "Ann Smith")
    assert identity_from_claims({**CLAIMS, "email_verified": "true"}).email == "ann@example.com"


@pytest.mark.parametrize("verified", [False, None, "false", 1, "yes"])
def test_an_unverified_email_is_refused_with_the_reason(verified):
    claims = {**CLAIMS, "email_verified": verified}
    if verified is None:
        claims = _without(CLAIMS, "email_verified")
    with pytest.raises(SignInRefused, match=r"has not verified the e-mail address Ann@Example"):
        identity_from_claims(claims)


@pytest.mark.parametrize("claims", [
    _without(CLAIMS, "email"),
    {**_without(CLAIMS, "email"), "name": "ann@example.com"},
    {**CLAIMS, "email": "  "},
    {**CLAIMS, "email": "Ann Smith"},
])
def test_a_name_or_nothing_never_stands_in_for_the_email(claims):
    with pytest.raises(SignInRefused, match="did not send an e-mail address"):
        identity_from_claims(claims)


@pytest.mark.parametrize("missing", ["iss", "sub"])
def test_issuer_and_subject_are_required(missing):
    with pytest.raises(SignInRefused, match="no issuer or subject"):
        identity_from_claims(_without(CLAIMS, missing))
