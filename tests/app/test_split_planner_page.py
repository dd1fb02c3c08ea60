"""The split planner page run through app.py with AppTest."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import metric_values, open_view, texts

PAGE = "views/split_planner.py"


@pytest.fixture
def planner(app_test: AppTest) -> AppTest:
    return open_view(app_test, PAGE)




def test_course_example_is_shown_with_both_charts(planner: AppTest):
    assert metric_values(planner) == {"train": "202,500", "train-dev": "2,500", "dev": "2,500",
                                 "test": "2,500"}
    assert len(planner.get("plotly_chart")) == 2
    rules = texts(planner.markdown)
    assert "other 5,000 'mobile' examples go into train" in rules
    assert not planner.error
    check = texts(planner.caption)
    assert "At 10% error, dev (2,500) tells apart models about 2.25 points apart" in check
    assert "test (2,500) measures the final error to ±1.18 points" in check


def test_the_shuffled_split_in_the_editor_is_flagged(planner: AppTest):
    warnings = texts(planner.warning)
    assert "dev is 95% non-'mobile' data" in warnings
    assert "test is 95% non-'mobile' data" in warnings


def test_derived_sizes_follow_the_formulas(planner: AppTest):
    planner.text_input(key="sources").set_value("web: 500000; mobile: 40000").run()
    planner.radio(key="sizing").set_value("derive from what you need").run()
    assert not planner.exception and not planner.error
    metrics = metric_values(planner)
    assert metrics["dev"] == "13,495" and metrics["test"] == "3,458"
    assert "13,495 examples" in texts(planner.caption)
    planner.radio(key="design").set_value("paired").run()
    planner.number_input(key="psi").set_value(5.0).run()
    assert metric_values(planner)["dev"] == "3,923"


def test_too_large_sizes_give_an_error_and_the_rest_still_renders(planner: AppTest):
    planner.radio(key="sizing").set_value("enter sizes").run()
    planner.number_input(key="dev_size").set_value(6_000).run()
    planner.number_input(key="test_size").set_value(6_000).run()
    assert "exceeds the 10,000 examples of the target 'mobile'" in texts(planner.error)
    assert not planner.exception
    assert planner.file_uploader(key="split_file") is not None
    assert planner.number_input(key="dev_size").value == 6_000  # what was typed is kept


def test_unreadable_sources_are_explained(planner: AppTest):
    planner.text_input(key="sources").set_value("web 200000").run()
    assert "could not read 'web 200000'" in texts(planner.error)
    assert not planner.exception
    assert not planner.metric


def test_changing_the_target_moves_dev_and_test(planner: AppTest):
    planner.selectbox(key="target").set_value("web").run()
    assert metric_values(planner)["dev"] == "10,000"  # a quarter of 200,000, capped at 10,000


def _upload_frame() -> bytes:
    frame = pd.DataFrame({"id": range(600), "source": ["web"] * 400 + ["mobile"] * 200,
                          "y_true": [0, 1] * 300})
    return frame.to_csv(index=False).encode()


def test_uploaded_file_gets_a_seeded_split_column_to_download(planner: AppTest):
    planner.file_uploader(key="split_file").set_value(("mine.csv", _upload_frame(), "text/csv")).run()
    assert not planner.exception and not planner.error
    assert planner.selectbox(key="split_source_column").value == "source"
    assert planner.selectbox(key="split_file_target").value == "mobile"
    assert planner.selectbox(key="split_stratify").value == "y_true"
    button = planner.get_by_key("split_download")
    assert button is not None
    assert "Split written to column 'split' with seed 0" in texts(planner.caption)


def test_uploaded_file_with_a_split_that_breaks_the_rules_is_warned_about(planner: AppTest):
    frame = pd.DataFrame({"source": ["web"] * 60 + ["mobile"] * 40,
                          "split": (["train"] * 40 + ["dev"] * 10 + ["test"] * 10
                                    + ["train"] * 20 + ["dev"] * 10 + ["test"] * 10)})
    buffer = io.BytesIO()
    frame.to_csv(buffer, index=False)
    planner.file_uploader(key="split_file").set_value(("old.csv", buffer.getvalue(), "text/csv")).run()
    warnings = texts(planner.warning)
    assert "Your split: dev is 50% non-'mobile' data" in warnings
    assert not planner.exception
