"""The predictions picker offers the admin's configured sources by name, and only them: the
metrics page then shows the engine's results and says which engine computed them; a name
that is not configured, a server path or a URL put in the page's state or address reaches
nothing (the picker's choice is a radio over the configured names: Streamlit accepts no
other value from the browser)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.source_picker import FILE_CHOICE
from tests.app.conftest import app_on_source, open_view, texts


@pytest.fixture
def lake_app(store_url: str, tmp_path: Path) -> AppTest:
    folder = tmp_path / "lake"
    folder.mkdir()
    for part in range(2):
        pd.DataFrame({"y_true": [0, 1] * 30, "score": [i / 60 for i in range(60)],
                      "split": ["train", "dev", "test"] * 20,
                      "device": ["phone", "web", "tv", "tv"] * 15}).to_parquet(
            folder / f"part-{part}.parquet")
    return app_on_source(f"{folder}/*.parquet")


def test_the_picker_offers_configured_sources_and_the_page_uses_them(lake_app: AppTest) -> None:
    at = open_view(lake_app, "views/metrics.py")
    radio = at.radio(key="metrics.file.source")
    assert list(radio.options) == [FILE_CHOICE, "lake"]
    radio.set_value("lake").run()
    assert not at.exception, at.exception
    shown = texts(at.caption)
    assert "computed by duckdb on source lake" in shown
    assert "exact (the engine grouped every distinct score)" in shown
    at.multiselect(key="metrics.source.slice_cols").set_value(["device"]).run()
    assert not at.exception, at.exception
    assert "slices tried (single columns and pairs of 1 column" in texts(at.caption)


@pytest.mark.parametrize("sneaked", ["/etc/passwd", "postgresql://postgres@127.0.0.1/x",
                                     "warehouse"])
def test_unconfigured_names_paths_and_urls_reach_nothing(lake_app: AppTest, sneaked: str) -> None:
    at = open_view(lake_app, "views/metrics.py")
    at.query_params["metrics.file.source"] = sneaked
    at.query_params["source"] = sneaked
    at.run()
    assert not at.exception, at.exception
    assert "computed by" not in texts(at.caption)
    assert sneaked not in [str(o) for o in at.radio(key="metrics.file.source").options]


def test_the_waterfall_counts_errors_per_split_on_the_engine(lake_app: AppTest) -> None:
    at = open_view(lake_app, "views/waterfall.py")
    at.session_state["src"] = "Predictions file"
    at.run()
    at.radio(key="waterfall.file.source").set_value("lake").run()
    assert not at.exception, at.exception
    assert "computed by duckdb on source lake" in texts(at.caption)
    at.slider(key="waterfall.source.threshold").set_value(0.2).run()
    assert not at.exception, at.exception
    assert "computed by duckdb on source lake" in texts(at.caption)


def test_the_error_slices_page_searches_a_source_on_its_engine(lake_app: AppTest) -> None:
    at = open_view(lake_app, "views/error_slices.py")
    at.radio(key="slices.pick.source").set_value("lake").run()
    assert not at.exception, at.exception
    at.multiselect(key="slices.source.columns").set_value(["device"]).run()
    assert not at.exception, at.exception
    shown = texts(at.caption)
    assert "computed by duckdb on source lake" in shown
    assert "slices tried" in texts(at.markdown)


def test_a_sheet_starts_from_a_seeded_sample_of_a_sources_dev_errors(lake_app: AppTest) -> None:
    at = open_view(lake_app, "views/error_analysis.py")
    at.radio(key="ea.source").set_value("predictions").run()
    at.radio(key="ea.pick.source").set_value("lake").run()
    assert not at.exception, at.exception
    shown = texts(at.caption)
    assert "computed by duckdb on source lake" in shown
    assert "misclassified dev rows drawn" in shown
    at.button(key="ea.start").click().run()
    assert not at.exception, at.exception
    sheet = at.data_editor[0].value
    assert set(sheet.columns) >= {"example_id", "y_true", "y_pred", "score"}
    assert len(sheet) == at.number_input(key="ea.total_errors").value > 0  # every dev error
    assert ((sheet["score"] >= 0.5).astype(int) != sheet["y_true"]).all()


def test_a_slice_found_on_a_source_becomes_a_sheet_category(store_url: str,
                                                             tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    n = 3_000
    device = rng.choice(["phone", "web", "tv"], n)
    y = rng.integers(0, 2, n)
    right = np.where(y == 1, 0.9, 0.1)
    pd.DataFrame({"y_true": y, "score": np.where(device == "tv", 1 - right, right),
                  "split": rng.choice(["train", "dev", "test"], n), "device": device}
                 ).to_parquet(tmp_path / "lake.parquet")
    at = open_view(app_on_source(tmp_path / "lake.parquet"), "views/error_slices.py")
    at.radio(key="slices.pick.source").set_value("lake").run()
    at.multiselect(key="slices.source.columns").set_value(["device"]).run()
    found = next(d.value for d in at.dataframe if "slice" in d.value.columns)
    assert found["slice"].iloc[0] == "device = tv" and found["error_rate"].iloc[0] == 1.0
    at.session_state["slices.source.found"] = {"selection": {"rows": [0], "columns": [],
                                                             "cells": []}}
    at.run()
    at.number_input(key="slices.source.n").set_value(20).run()
    at.button(key="slices.source.make").click().run()
    assert not at.exception, at.exception
    assert "with 20 examples ticked" in texts(at.success)
