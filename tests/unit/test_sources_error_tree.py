"""A source's error tree is grown on a seeded sample of its rows drawn by the engine: the same
seed draws the same rows and grows the same tree, which is the in-memory tree of that sample;
when the source has no more rows than the sample's size it is the in-memory tree of every
row. Checked on DuckDB and PostgreSQL (and Spark local, when installed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.error_tree import fit_error_tree
from sources import adapter, pushdown
from sources.config import SourceConfig
from sources.error_tree import MAX_TREE_ROWS, error_tree_on_sample
from sources.sampling import seeded_sample
from tests.unit import test_sources_equivalence

engine = test_sources_equivalence.engine  # the fixture: DuckDB, PostgreSQL and Spark local

ROLES = pushdown.Roles(y_true="y", score="s", split="split")
COLUMNS = ["device", "age"]


def _frame(n: int = 3_000) -> pd.DataFrame:
    """Errors concentrated in phone users over 45; levels with distinct counts (so the
    one-hot order of the tree does not depend on the order rows arrive in)."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"y": rng.integers(0, 2, n), "s": rng.random(n).round(6),
                          "split": "dev",
                          "device": rng.choice(["phone", "web", "tv"], n, p=[0.5, 0.3, 0.2]),
                          "age": np.round(rng.normal(40, 10, n))})
    frame.loc[rng.random(n) < 0.05, "age"] = np.nan
    hard = (frame["device"] == "phone") & (frame["age"] > 45)
    frame.loc[hard, "y"] = 1 - (frame.loc[hard, "s"] >= 0.5).astype(int)
    return frame


def _paths(nodes: list) -> list[tuple[str, int, int]]:
    return sorted((node.path, node.n, node.errors) for node in nodes)


def test_the_same_seed_draws_the_same_sample_and_grows_the_in_memory_tree_of_it(
        engine: tuple) -> None:
    frame = _frame()
    conn = engine[1](frame)
    table = adapter.table(conn, conn.tables[0])
    first = error_tree_on_sample(table, ROLES, COLUMNS, size=1_000, seed=7)
    again = error_tree_on_sample(table, ROLES, COLUMNS, size=1_000, seed=7)
    other = error_tree_on_sample(table, ROLES, COLUMNS, size=1_000, seed=8)
    assert (first.sampled, first.total) == (1_000, 3_000)
    pd.testing.assert_frame_equal(first.sample, again.sample)
    assert first.nodes == again.nodes
    assert not first.sample.equals(other.sample)
    # the tree is the in-memory tree of the sample it was grown on
    assert first.nodes == fit_error_tree(first.sample, first.errors, COLUMNS)
    # the sample's rows and flags are rows of the table with their own errors
    wrong = (frame["s"] >= 0.5).astype(int) != frame["y"]
    seen = frame.assign(wrong=wrong).groupby(["device", "age", "wrong"], dropna=False).size()
    drawn = first.sample.assign(wrong=first.errors).groupby(["device", "age", "wrong"],
                                                            dropna=False).size()
    assert (drawn <= seen.reindex(drawn.index)).all()
    assert "a random sample of 1,000 of 3,000 rows (33.3%)" in first.summary
    assert "seed 7" in first.summary


def test_the_sample_is_spread_over_rows_that_share_their_metadata(engine: tuple) -> None:
    """Thousands of rows share each (device, age): the sample must take some of each group,
    not whole groups (a hash of the returned columns alone would)."""
    frame = _frame(20_000)
    conn = engine[1](frame)
    grown = error_tree_on_sample(adapter.table(conn, conn.tables[0]), ROLES, COLUMNS,
                                 size=2_000, seed=1)
    wrong = (frame["s"] >= 0.5).astype(int) != frame["y"]
    assert abs(grown.errors.mean() - wrong.mean()) < 0.05
    shares = grown.sample["device"].value_counts(normalize=True)
    expected = frame["device"].value_counts(normalize=True)
    assert (abs(shares - expected) < 0.05).all()
    assert grown.sample.groupby(["device", "age"], dropna=False).ngroups > 100


def test_rows_equal_in_every_column_are_sampled_in_proportion(engine: tuple) -> None:
    """A table of predicted labels and categories only (no id, no score) holds few distinct
    rows, each thousands of times: the sample takes each in its share, not whole groups of
    copies (a hash of the row's values alone gives every copy the same place)."""
    rng = np.random.default_rng(2)
    n = 12_000
    frame = pd.DataFrame({"y": rng.choice(["cat", "dog"], n), "device": rng.choice(
        ["phone", "web", "tv"], n, p=[0.5, 0.3, 0.2])})
    frame["guess"] = np.where(rng.random(n) < 0.7, frame["y"], "cat")
    conn = engine[1](frame)
    sample = seeded_sample(adapter.table(conn, conn.tables[0]), size=1_200, seed=3)
    assert len(sample) == 1_200
    assert sample.groupby(["y", "device", "guess"]).ngroups == frame.groupby(
        ["y", "device", "guess"]).ngroups
    shares = sample["device"].value_counts(normalize=True)
    expected = frame["device"].value_counts(normalize=True)
    assert (abs(shares - expected) < 0.05).all()
    again = seeded_sample(adapter.table(conn, conn.tables[0]), size=1_200, seed=3)
    pd.testing.assert_frame_equal(sample, again)


def test_a_source_no_bigger_than_the_sample_gets_the_in_memory_tree_of_every_row(
        engine: tuple) -> None:
    frame = _frame(1_200)
    conn = engine[1](frame)
    grown = error_tree_on_sample(adapter.table(conn, conn.tables[0]), ROLES, COLUMNS,
                                 threshold=0.5, min_samples_leaf=40, seed=3)
    errors = ((frame["s"] >= 0.5).astype(int) != frame["y"]).to_numpy()
    expected = fit_error_tree(frame, errors, COLUMNS, min_samples_leaf=40)
    assert (grown.sampled, grown.total) == (1_200, 1_200)
    assert grown.summary == "Grown on all 1,200 rows."
    assert _paths(grown.nodes) == _paths(expected)
    assert any("device = phone" in node.path and "age > 45" in node.path for node in expected)


def test_the_sample_and_the_columns_are_bounded(tmp_path: Path) -> None:
    folder = tmp_path / "lake"
    folder.mkdir()
    _frame(100).to_parquet(folder / "part-0.parquet")
    conn = adapter.connect(SourceConfig("lake", "duckdb", str(folder / "*.parquet")))
    table = adapter.table(conn, "predictions")
    with pytest.raises(ValueError, match=f"at most {MAX_TREE_ROWS:,} rows"):
        error_tree_on_sample(table, ROLES, COLUMNS, size=MAX_TREE_ROWS + 1)
    with pytest.raises(ValueError, match="Choose 1 to 10 metadata columns"):
        error_tree_on_sample(table, ROLES, [])
    with pytest.raises(ValueError, match="no column 'nope'"):
        error_tree_on_sample(table, ROLES, ["device", "nope"])
    assert len(seeded_sample(table, size=30, seed=1)) == 30
    assert len(seeded_sample(table, size=500, seed=1)) == 100
