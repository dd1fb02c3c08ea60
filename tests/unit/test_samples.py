"""The sample project is rebuilt byte for byte by its seeded script, and tells the course's story."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd

from tests.conftest import DATA

SAMPLES = ("cat_classifier.csv", "animals_multiclass.csv", "driving_multitask.csv",
           "error_sheet_sample.csv")


def test_make_samples_rebuilds_the_committed_files(tmp_path):
    spec = importlib.util.spec_from_file_location("make_samples", DATA / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in SAMPLES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_cat_classifier_shows_a_data_mismatch_story():
    cats = pd.read_csv(DATA / "cat_classifier.csv")
    error = {split: 100 * np.mean(rows["y_pred"] != rows["y_true"])
             for split, rows in cats.groupby("split")}
    assert error["train"] < error["train-dev"] < error["dev"] - 4  # mismatch is the big gap
    assert set(cats.loc[cats["split"].isin(["dev", "test"]), "source"]) == {"mobile"}


def test_error_sheet_has_the_course_totals():
    sheet = pd.read_csv(DATA / "error_sheet_sample.csv")
    totals = sheet[["dog", "great_cat", "blurry", "instagram_filter", "incorrectly_labeled"]].sum()
    assert totals.tolist() == [8, 43, 61, 12, 6] and len(sheet) == 100
