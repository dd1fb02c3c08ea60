"""The same predictions evaluated in memory (the analysis functions) and by each engine
(DuckDB, PostgreSQL, Spark local) give the same counts exactly, the same ROC AUC / AP exactly
on the exact path and within the stated bound on the histogram path, and the same
calibration table; and the error-slice search finds the same slices.

Tables come from hypothesis: ties, splits that are missing, one class only.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.metrics import binary_metrics, calibration_metrics
from analysis.slices import find_error_slices
from analysis.split_errors import errors_by_split
from sources import adapter, pushdown
from sources.config import SourceConfig
from sources.slices import find_error_slices as source_slices

ROLES = pushdown.Roles(y_true="y", score="s", split="split")
SCORES = [0.0, 0.1, 0.25, 0.3, 0.5, 0.5, 0.7, 0.75, 0.9, 1.0]
_COUNTER = itertools.count()


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    """Predictions with ties (scores from a short list or free floats), a subset of the
    splits (so some are empty), and sometimes one class only."""
    n = draw(st.integers(1, 40))
    one_class = draw(st.sampled_from([None, 0, 1]))
    labels = [one_class] * n if one_class is not None else draw(
        st.lists(st.integers(0, 1), min_size=n, max_size=n))
    tied = draw(st.booleans())
    # free scores are rounded like logged probabilities (PostgreSQL refuses to square a
    # subnormal-range double: "value out of range: underflow")
    score = st.sampled_from(SCORES) if tied else st.floats(0, 1).map(lambda v: round(v, 9))
    scores = draw(st.lists(score, min_size=n, max_size=n))
    names = draw(st.lists(st.sampled_from(["train", "Validation", "dev", "test", "train_dev"]),
                          min_size=1, max_size=3, unique=True))
    splits = draw(st.lists(st.sampled_from(names), min_size=n, max_size=n))
    return pd.DataFrame({"y": pd.array(labels, dtype="int64"), "s": np.array(scores, float),
                         "split": splits})


Loader = Callable[[pd.DataFrame], "adapter.Connection"]


def _files_loader(root: Path, engine: str) -> Loader:
    """Each frame as a folder of Parquet files, opened as a DuckDB or Spark source."""
    def load(frame: pd.DataFrame) -> adapter.Connection:
        folder = root / f"t{next(_COUNTER)}"
        folder.mkdir()
        frame.to_parquet(folder / "part-0.parquet")
        return adapter.connect(SourceConfig("lake", engine, str(folder / "*.parquet")))
    return load


def _postgres_loader(url: str) -> Loader:
    engine = sa.create_engine(url)
    conn = adapter.connect(SourceConfig("warehouse", "postgres", url))  # one per run

    def load(frame: pd.DataFrame) -> adapter.Connection:
        name = f"predictions_{next(_COUNTER)}"
        frame.to_sql(name, engine, index=False)
        conn.tables = [name]
        return conn
    return load


@pytest.fixture(scope="module", params=["duckdb", "postgres", "spark"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Loader]]:
    """(engine name, a loader that puts a frame on that engine and opens it as a source)."""
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "duckdb":
        yield "duckdb", _files_loader(root, "duckdb")
    elif request.param == "postgres":
        yield "postgres", _postgres_loader(request.getfixturevalue("postgres_server").new_database())
    else:
        pytest.importorskip("pyspark", reason="Spark is optional: requirements-optional.txt")
        yield "spark", _files_loader(root, "spark")


def _examples(name: str) -> int:
    return {"duckdb": 40, "postgres": 10, "spark": 3}[name]


def _check(frame: pd.DataFrame, conn: adapter.Connection, threshold: float) -> None:
    table = adapter.table(conn, conn.tables[0])
    # per-split errors: the waterfall's numbers
    plain = pd.DataFrame({"y_true": frame["y"], "y_pred": (frame["s"] >= threshold).astype(int),
                          "split": frame["split"]})
    pd.testing.assert_frame_equal(pushdown.errors_by_split(table, ROLES, threshold=threshold),
                                  errors_by_split(plain), check_dtype=False)
    reference = binary_metrics(frame["y"].to_numpy(), scores=frame["s"].to_numpy(),
                               threshold=threshold)
    exact, curve = pushdown.binary_metrics(table, ROLES, threshold=threshold)
    assert curve.exact
    assert (exact.tp, exact.fp, exact.tn, exact.fn) == (reference.tp, reference.fp,
                                                        reference.tn, reference.fn)
    for ours, theirs in ((exact.roc_auc, reference.roc_auc),
                         (exact.average_precision, reference.average_precision)):
        assert (ours.value is None) == (theirs.value is None)
        if theirs.value is not None:
            assert math.isclose(ours.value, theirs.value, abs_tol=1e-12)
    # the histogram path: counts still exact at the threshold, areas within the bound
    approx, hist = pushdown.binary_metrics(table, ROLES, threshold=threshold, bins=16,
                                           exact_limit=0)
    assert not hist.exact
    assert (approx.tp, approx.fp, approx.tn, approx.fn) == (reference.tp, reference.fp,
                                                            reference.tn, reference.fn)
    if reference.roc_auc.value is not None:
        assert abs(approx.roc_auc.value - reference.roc_auc.value) <= hist.roc_auc_bound + 1e-9
    if reference.average_precision.value is not None:
        assert abs(approx.average_precision.value
                   - reference.average_precision.value) <= hist.ap_bound + 1e-9
    # calibration: the table and the point values
    ours_cal = pushdown.calibration(table, ROLES)
    theirs_cal = calibration_metrics(frame["y"].to_numpy(), frame["s"].to_numpy())
    assert ours_cal.table["count"].tolist() == theirs_cal.table["count"].tolist()
    assert ours_cal.table["observed"].tolist() == theirs_cal.table["observed"].tolist()
    np.testing.assert_allclose(ours_cal.table["mean_score"], theirs_cal.table["mean_score"],
                               rtol=1e-9, atol=1e-12)
    assert math.isclose(ours_cal.ece.value, theirs_cal.ece.value, abs_tol=1e-9)
    assert math.isclose(ours_cal.brier.value, theirs_cal.brier.value, abs_tol=1e-9)


def test_engines_agree_with_memory(engine: tuple[str, Loader]) -> None:
    name, load = engine

    @settings(max_examples=_examples(name), deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(frame=tables(), threshold=st.sampled_from([0.5, 0.3, 0.75]))
    def check(frame: pd.DataFrame, threshold: float) -> None:
        _check(frame, load(frame), threshold)

    check()


def test_misclassified_sample_is_seeded_and_wrong(engine: tuple[str, Loader]) -> None:
    frame = pd.DataFrame({"y": [1, 0] * 50, "s": np.linspace(0, 1, 100),
                          "split": ["dev", "train"] * 50})
    conn = engine[1](frame)
    table = adapter.table(conn, conn.tables[0])
    first = pushdown.misclassified_sample(table, ROLES, size=5, seed=3)
    again = pushdown.misclassified_sample(table, ROLES, size=5, seed=3)
    pd.testing.assert_frame_equal(first, again)
    assert len(first) == 5
    assert set(first["split"]) == {"dev"}
    assert ((first["s"] >= 0.5).astype(int) != first["y"]).all()


def _metadata_frame() -> pd.DataFrame:
    """Predictions with a categorical, a numeric (with missing values) and a 0/1 column, and
    errors concentrated in phone users over 45."""
    rng = np.random.default_rng(1)
    n = 1_500
    frame = pd.DataFrame({"y": rng.integers(0, 2, n), "s": rng.random(n).round(6),
                          "split": "dev", "device": rng.choice(["phone", "web", "tv"], n,
                                                               p=[0.5, 0.3, 0.2]),
                          "age": np.round(rng.normal(40, 10, n)), "flag": rng.integers(0, 2, n)})
    frame.loc[rng.random(n) < 0.05, "age"] = np.nan
    hard = (frame["device"] == "phone") & (frame["age"] > 45)
    frame.loc[hard, "y"] = 1 - (frame.loc[hard, "s"] >= 0.5).astype(int)
    return frame


@pytest.mark.parametrize("joint", [True, False], ids=["one-scan", "per-pair"])
def test_slice_search_agrees_with_memory(engine: tuple[str, Loader], joint: bool,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    name, load = engine
    if not joint:
        if name != "duckdb":
            pytest.skip("the per-pair path is the same Ibis on every engine")
        monkeypatch.setattr("sources.slices.JOINT_CELLS", 1)
    frame = _metadata_frame()
    # Spark's quantiles are approximate, so its numeric edges may differ: categorical only
    columns = ["device", "flag"] if name == "spark" else ["device", "age", "flag"]
    conn = load(frame)
    errors = ((frame["s"] >= 0.5).astype(int) != frame["y"]).to_numpy()
    expected = find_error_slices(frame, errors, columns, return_all=True)
    found = source_slices(adapter.table(conn, conn.tables[0]), ROLES, columns, return_all=True)
    shown = ["slice", "n", "errors", "beyond_parents"]
    pd.testing.assert_frame_equal(found[shown].reset_index(drop=True),
                                  expected[shown].reset_index(drop=True), check_dtype=False)
    np.testing.assert_allclose(found["p_value"], expected["p_value"], rtol=1e-9)
    assert found.attrs["summary"] == expected.attrs["summary"]
