"""analysis/model_rows.py: models of the same examples lined up across files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from analysis.model_rows import binary_models
from analysis.predictions import read_predictions

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "cat_classifier.csv"


@pytest.fixture(scope="module")
def cats():
    return read_predictions(SAMPLE)


def test_score_columns_of_one_file_are_models(cats):
    rows = binary_models(cats, split="dev")
    assert rows.names == ["score", "score_model_b"]
    dev = cats.frame[cats.frame["split"] == "dev"]
    assert len(rows.y_true) == len(dev)
    np.testing.assert_array_equal(rows.scores["score"], dev["score"].to_numpy())
    assert rows.example_ids[0] == dev["image_id"].iloc[0]
    assert list(rows.groups) == ["source", "device", "lighting", "blur"] and rows.weights is not None
    np.testing.assert_array_equal(rows.predicted("score", 0.7), (dev["score"] >= 0.7).to_numpy())


def test_another_file_is_aligned_by_example_id(cats):
    shuffled = cats.frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    other = replace(cats, frame=shuffled, name="retrained.csv")
    rows = binary_models(cats, split="dev", others={"retrained.csv": other})
    assert rows.names[-2:] == ["retrained.csv: score", "retrained.csv: score_model_b"]
    np.testing.assert_array_equal(rows.scores["retrained.csv: score"], rows.scores["score"])


def test_files_of_other_examples_are_refused(cats):
    fewer = replace(cats, frame=cats.frame.iloc[:100], name="small.csv")
    with pytest.raises(ValueError, match=r"small\.csv lacks"):
        binary_models(cats, others={"small.csv": fewer})
    flipped = cats.frame.copy()
    flipped[cats.mapping.y_true] = (1 - flipped[cats.mapping.y_true]).astype(np.int8)
    with pytest.raises(ValueError, match="different true labels"):
        binary_models(cats, others={"x": replace(cats, frame=flipped, name="x")})
    no_ids = replace(cats, mapping=replace(cats.mapping, example_id=None))
    with pytest.raises(ValueError, match="no example id column"):
        binary_models(no_ids, others={"s": replace(fewer, mapping=no_ids.mapping)})
