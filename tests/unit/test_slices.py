"""Error slices: planted cohorts are found first, noise is not reported, counts and p-values
agree with a brute-force pandas search and scipy's Fisher test, Holm matches a hand count."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.slices import find_error_slices, slice_mask
from analysis.stats import holm_adjust


def _metadata(rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """Five metadata columns of a photo app: three categorical, two numeric."""
    return pd.DataFrame({
        "device": rng.choice(["phone", "tablet", "web"], rows),
        "light": rng.choice(["day", "night", "dusk"], rows),
        "breed": rng.choice([f"breed_{i}" for i in range(6)], rows),
        "age": rng.uniform(0, 80, rows),
        "size_kb": rng.lognormal(5, 1, rows),
    })


@pytest.mark.parametrize("cohort_size", [60, 300, 1500])
def test_planted_cohort_of_any_size_is_found_and_ranked_first(cohort_size):
    rng = np.random.default_rng(cohort_size)
    frame = _metadata(10_000, rng)
    camera = np.full(10_000, "new", dtype=object)
    camera[rng.choice(10_000, cohort_size, replace=False)] = "old"
    frame["camera"] = camera
    errors = rng.random(10_000) < np.where(camera == "old", 0.5, 0.08)
    found = find_error_slices(frame, errors, list(frame.columns))
    assert found.iloc[0]["slice"] == "camera = old"
    assert found.iloc[0]["n"] == cohort_size
    assert found.iloc[0]["p_adjusted"] < 0.05


def test_planted_pair_phone_at_night_is_ranked_above_its_parents():
    rng = np.random.default_rng(7)
    frame = _metadata(20_000, rng)
    cohort = ((frame["device"] == "phone") & (frame["light"] == "night")).to_numpy()
    errors = rng.random(20_000) < np.where(cohort, 0.30, 0.08)
    found = find_error_slices(frame, errors, list(frame.columns))
    top = found.iloc[0]
    assert top["slice"] == "device = phone & light = night"
    assert (top["column_a"], top["level_a"], top["column_b"], top["level_b"]) == (
        "device", "phone", "light", "night")
    assert slice_mask(frame, top).sum() == cohort.sum() == top["n"]


def test_no_cohort_reports_a_slice_in_at_most_5_percent_of_200_seeds():
    # Family-wise control: with no real cohort, Holm over every slice tried keeps the chance
    # of reporting anything at all below alpha (Fisher's test is conservative on top).
    reported = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        frame = pd.DataFrame({
            "device": rng.integers(0, 3, 5_000).astype(str),
            "light": rng.integers(0, 4, 5_000).astype(str),
            "breed": rng.integers(0, 6, 5_000).astype(str),
            "age": rng.uniform(0, 80, 5_000),
            "size_kb": rng.lognormal(5, 1, 5_000),
        })
        errors = rng.random(5_000) < 0.1
        reported += len(find_error_slices(frame, errors, list(frame.columns))) > 0
    assert reported <= 10


def test_counts_and_p_values_agree_with_brute_force_pandas_and_scipy_fisher():
    rng = np.random.default_rng(3)
    frame = _metadata(600, rng)
    frame.loc[rng.random(600) < 0.1, "device"] = None
    frame.loc[rng.random(600) < 0.05, "age"] = np.nan
    errors = rng.random(600) < np.where(frame["light"] == "night", 0.3, 0.1)
    columns = ["device", "light", "age"]
    every = find_error_slices(frame, errors, columns, min_size=20, return_all=True)
    total, total_errors = len(frame), int(errors.sum())
    for _, row in every.iterrows():
        mask = slice_mask(frame, row)
        n, k = int(mask.sum()), int(errors[mask].sum())
        assert (row["n"], row["errors"]) == (n, k)
        table = [[k, n - k], [total_errors - k, total - n - total_errors + k]]
        expected = stats.fisher_exact(table, alternative="greater").pvalue
        assert row["p_value"] == pytest.approx(expected, rel=1e-9, abs=1e-300)
    # Brute force: label each row with its level per column (from the single slices' masks
    # with min_size=1, which must partition the rows), count every cell with groupby.
    singles = find_error_slices(frame, errors, columns, min_size=1, max_order=1, return_all=True)
    labels = pd.DataFrame(index=frame.index, columns=columns, dtype=object)
    for _, row in singles.iterrows():
        mask = slice_mask(frame, row)
        assert labels.loc[mask, row["column_a"]].isna().all()
        labels.loc[mask, row["column_a"]] = row["level_a"]
    assert labels.notna().all().all()
    sizes = [labels.groupby(c).size() for c in columns]
    sizes += [labels.groupby([a, b]).size() for i, a in enumerate(columns) for b in columns[i + 1:]]
    assert every.attrs["n_tried"] == len(every) == sum(int((s >= 20).sum()) for s in sizes)


def test_holm_matches_a_hand_computation():
    # Sorted: 0.005 x 4 = 0.02; 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> 0.06
    # (adjusted values never decrease along the sorted order).
    adjusted = holm_adjust(np.array([0.01, 0.04, 0.03, 0.005]))
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm_adjust(np.array([0.5, 0.9])) == pytest.approx([1.0, 1.0])


def test_holm_runs_over_every_slice_tried():
    rng = np.random.default_rng(11)
    frame = _metadata(3_000, rng)
    errors = rng.random(3_000) < np.where(frame["device"] == "web", 0.2, 0.1)
    every = find_error_slices(frame, errors, ["device", "light", "breed"], return_all=True)
    assert every.attrs["n_tried"] == len(every)
    assert every["p_adjusted"].to_numpy() == pytest.approx(holm_adjust(every["p_value"].to_numpy()))
    assert f"{every.attrs['n_tried']:,} slices tried" in every.attrs["summary"]
    found = find_error_slices(frame, errors, ["device", "light", "breed"])
    assert (found["p_adjusted"] < 0.05).all()
    assert found.iloc[0]["slice"] == "device = web"


def test_columns_are_ranked_by_excess_errors():
    rng = np.random.default_rng(5)
    frame = _metadata(20_000, rng)
    rate = np.where(frame["device"] == "phone", 0.15, 0.08)   # big slice, moderate excess
    rate = np.where(frame["breed"] == "breed_0", 0.40, rate)  # smaller slice, larger excess
    errors = rng.random(20_000) < rate
    found = find_error_slices(frame, errors, list(frame.columns), max_order=1)
    excess = found["excess_errors"].to_numpy()
    assert (np.diff(excess) <= 0).all()
    assert found["slice"].head(2).tolist() == ["breed = breed_0", "device = phone"]
    expected = found["errors"] - found["n"] * errors.mean()
    assert found["excess_errors"].to_numpy() == pytest.approx(expected.to_numpy())


def test_numeric_columns_are_cut_at_quantiles_with_readable_labels():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"age": rng.permutation(np.linspace(0, 80, 8_000))})
    errors = rng.random(8_000) < np.where(frame["age"] >= 60, 0.3, 0.1)
    every = find_error_slices(frame, errors, ["age"], return_all=True)
    assert sorted(every["slice"]) == ["age < 20", "age >= 60", "age in [20, 40)",
                                      "age in [40, 60)"]
    assert every.iloc[0]["slice"] == "age >= 60"
    assert all(re.fullmatch(r"age (< |>= |in \[)[\d., )\[]+", s) for s in every["slice"])
    assert every["n"].sum() == 8_000


def test_missing_values_are_their_own_level():
    rng = np.random.default_rng(4)
    lighting = rng.choice(["day", "night"], 4_000).astype(object)
    lighting[:300] = None
    errors = rng.random(4_000) < np.r_[np.full(300, 0.4), np.full(3_700, 0.1)]
    found = find_error_slices(pd.DataFrame({"lighting": lighting}), errors, ["lighting"])
    assert found.iloc[0]["slice"] == "lighting = (missing)"
    assert found.iloc[0]["n"] == 300


def test_high_cardinality_column_keeps_its_top_levels_and_says_so():
    rng = np.random.default_rng(8)
    user = rng.choice([f"user_{i:02d}" for i in range(40)], 6_000)
    frame = pd.DataFrame({"user": user})
    errors = rng.random(6_000) < 0.1
    every = find_error_slices(frame, errors, ["user"], max_levels=5, return_all=True)
    assert len(every) == 6
    assert "(other)" in every["level_a"].tolist()
    assert every.attrs["notes"] == ["user has 40 distinct values: its 5 most frequent are kept "
                                    "and the other 35 grouped as (other)."]
    other = every[every["level_a"] == "(other)"].iloc[0]
    assert slice_mask(frame, other).sum() == other["n"]


def test_pairs_that_only_repeat_one_columns_excess_are_hidden_unless_asked():
    rng = np.random.default_rng(9)
    frame = _metadata(30_000, rng)
    errors = rng.random(30_000) < np.where(frame["light"] == "night", 0.25, 0.08)
    found = find_error_slices(frame, errors, list(frame.columns))
    assert found["slice"].tolist() == ["light = night"]
    assert "only repeat a single column's excess" in found.attrs["summary"]
    everything = find_error_slices(frame, errors, list(frame.columns), keep_redundant=True)
    assert len(everything) > 1
    assert not everything["beyond_parents"].iloc[1:].any()


def test_result_columns_and_intervals():
    rng = np.random.default_rng(1)
    frame = _metadata(5_000, rng)
    errors = rng.random(5_000) < np.where(frame["device"] == "tablet", 0.3, 0.1)
    top = find_error_slices(frame, errors, ["device", "light"]).iloc[0]
    low, high = stats.binomtest(int(top["errors"]), int(top["n"])).proportion_ci(method="wilson")
    assert (top["low"], top["high"]) == pytest.approx((low, high))
    assert top["share_of_errors"] == pytest.approx(top["errors"] / errors.sum())
    assert top["error_rate"] == pytest.approx(top["errors"] / top["n"])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"errors": np.zeros(5, bool)}, "errors has 5 values but frame has 100 rows"),
    ({"columns": ["device", "nope"]}, "columns names 'nope', which frame lacks"),
    ({"columns": [f"c{i}" for i in range(21)]}, "at most 20"),
    ({"columns": "device"}, "columns must be a list"),
    ({"columns": []}, "columns is empty"),
    ({"max_order": 3}, "max_order must be 1"),
    ({"min_size": 0}, "min_size must be at least 1"),
    ({"bins": 1}, "bins must be at least 2"),
    ({"alpha": 0}, "alpha must be above 0"),
    ({"errors": np.full(100, 2)}, "errors has 100 values that are not 0/1"),
])
def test_invalid_inputs_name_the_parameter(kwargs, message):
    frame = pd.DataFrame({"device": ["phone", "web"] * 50})
    call = {"errors": np.zeros(100, bool), "columns": ["device"], **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        find_error_slices(frame, call.pop("errors"), call.pop("columns"), **call)


def test_empty_frame_is_refused():
    with pytest.raises(ValueError, match="frame has no rows"):
        find_error_slices(pd.DataFrame({"device": []}), np.zeros(0, bool), ["device"])
