"""The upload limits come from [workbench.limits] in secrets.toml; a wrong table is named."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _limits_script() -> None:
    import streamlit as st

    from components.errors import attempt
    from components.limits import read_limits

    limits = attempt(read_limits, error_title="Upload limits")
    if limits is not None:
        st.write(f"rows {limits.max_rows:,} · cells {limits.max_cells:,}")


def _run(secrets: dict) -> AppTest:
    at = AppTest.from_function(_limits_script, default_timeout=30)
    for key, value in secrets.items():
        at.secrets[key] = value
    return at.run()


def test_without_a_limits_table_the_defaults_hold():
    at = _run({})
    assert [m.value for m in at.markdown] == ["rows 10,000,000 · cells 200,000,000"]


def test_workbench_limits_in_secrets_override_the_defaults():
    at = _run({"workbench": {"limits": {"max_rows": 1000}}})
    assert [m.value for m in at.markdown] == ["rows 1,000 · cells 200,000,000"]


def test_a_misspelt_limit_is_shown_with_the_keys_there_are():
    at = _run({"workbench": {"limits": {"max_row": 1000}}})
    assert "no key 'max\\_row'" in at.error[0].value and not at.exception
