"""Open mode is for one machine: the server listens on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT


def test_the_server_listens_on_this_machine_only_by_default():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"


def test_the_readmes_team_command_names_its_address_explicitly():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"`(streamlit run app\.py[^`]*)`", readme)
    assert any("--server.address 0.0.0.0" in command for command in commands)
