"""The error-slices page over a data source shows an error tree grown on a seeded sample the
engine draws, and says plainly how many of how many rows it was grown on; the sample is drawn
once per setting (a rerun does not draw it again) and a new seed draws another."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import app_on_source, never_again, open_view, texts


@pytest.fixture
def lake_app(store_url: str, tmp_path: Path) -> AppTest:
    rng = np.random.default_rng(6)
    n = 2_000
    frame = pd.DataFrame({"y_true": rng.integers(0, 2, n), "score": rng.random(n).round(4),
                          "split": rng.choice(["train", "dev", "test"], n),
                          "device": rng.choice(["phone", "web", "<b>tv</b>"], n)})
    # the model is always wrong on the device with markup in its name, so every tree shows it
    tv = frame["device"] == "<b>tv</b>"
    frame.loc[tv, "score"] = np.where(frame.loc[tv, "y_true"] == 1, 0.1, 0.9)
    folder = tmp_path / "lake"
    folder.mkdir()
    frame.to_parquet(folder / "part-0.parquet")
    return app_on_source(f"{folder}/*.parquet")


def _tree_page(at: AppTest) -> AppTest:
    at = open_view(at, "views/error_slices.py")
    at.radio(key="slices.pick.source").set_value("lake").run()
    at.multiselect(key="slices.source.columns").set_value(["device"]).run()
    assert not at.exception, at.exception
    return at


def test_the_tree_is_grown_on_a_seeded_sample_and_says_of_how_many_rows(
        lake_app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("components.source_error_tree.MAX_TREE_ROWS", 500)
    at = _tree_page(lake_app)
    assert "Error tree" in [h.value for h in at.subheader]
    shown = texts(at.info)
    assert "Grown on a random sample of 500 of" in shown and "seed 0" in shown
    assert "computed by duckdb on source lake" in texts(at.caption)
    tree = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    assert tree["type"] == "icicle" and tree["values"][0] == 500  # the root: the sample
    assert "device = &lt;b&gt;tv&lt;/b&gt;" in tree["labels"]  # user text escaped

    monkeypatch.setattr("components.source_error_tree.error_tree_on_sample",
                        never_again("the tree's sample was drawn again on a rerun"))
    at.run()
    assert not at.exception, at.exception
    assert "Grown on a random sample of 500 of" in texts(at.info)
    monkeypatch.undo()
    monkeypatch.setattr("components.source_error_tree.MAX_TREE_ROWS", 500)
    at.number_input(key="slices.source.tree_seed").set_value(5).run()
    assert not at.exception, at.exception
    assert "seed 5" in texts(at.info)


def test_a_source_smaller_than_the_sample_gets_its_tree_of_every_row(lake_app: AppTest) -> None:
    at = _tree_page(lake_app)
    assert "Grown on all" in texts(at.caption)
    assert not at.info or "random sample" not in texts(at.info)
