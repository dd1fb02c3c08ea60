"""Uploads above `[workbench] duckdb_above_mb` are queried through DuckDB: the file is
rewritten as Parquet in the app's own folder without ever being read into pandas, and its
metrics equal the in-memory ones."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.metrics import binary_metrics
from sources import adapter, pushdown
from sources.uploads import KEEP_SECONDS, duckdb_above_mb, routed_kind, upload_source

ROLES = pushdown.Roles(y_true="y_true", score="score", split="split")


def _frame(rows: int = 2_000) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, rows)
    return pd.DataFrame({"y_true": y, "score": np.round(0.3 * y + 0.7 * rng.random(rows), 3),
                         "split": rng.choice(["train", "dev", "test"], rows)})


def _no_pandas_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: object, **__: object) -> None:
        raise AssertionError("a large upload was read into pandas")

    for reader in ("read_csv", "read_parquet", "read_table", "read_excel"):
        monkeypatch.setattr(pd, reader, refused)


@pytest.mark.parametrize(("name", "encode"), [
    ("big.csv", lambda f, _: f.to_csv(index=False).encode()),
    ("big.tsv", lambda f, _: f.to_csv(index=False, sep="\t").encode()),
    ("big.parquet", lambda f, p: (f.to_parquet(p), p.read_bytes())[1])])
def test_a_large_upload_is_never_read_into_pandas_and_gives_the_in_memory_metrics(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, encode: object) -> None:
    frame = _frame()
    data = encode(frame, tmp_path / "encoded.parquet")
    reference = binary_metrics(frame["y_true"].to_numpy(), scores=frame["score"].to_numpy(),
                               threshold=0.5)
    _no_pandas_reading(monkeypatch)
    folder = tmp_path / "large_uploads"
    source = upload_source(data, name, folder)
    stored = Path(source.location)
    assert stored.parent.parent == folder.resolve() and stored.name == "predictions.parquet"
    assert [p.name for p in stored.parent.iterdir()] == ["predictions.parquet"]  # upload gone
    conn = adapter.connect(source)
    metrics, curve = pushdown.binary_metrics(adapter.table(conn, "predictions"), ROLES,
                                             threshold=0.5)
    assert curve.exact
    assert (metrics.tp, metrics.fp, metrics.tn, metrics.fn) == (
        reference.tp, reference.fp, reference.tn, reference.fn)
    assert math.isclose(metrics.roc_auc.value, reference.roc_auc.value, abs_tol=1e-12)
    assert math.isclose(metrics.average_precision.value, reference.average_precision.value,
                        abs_tol=1e-12)


def test_the_same_content_is_stored_once_under_its_digest_never_its_name(tmp_path: Path) -> None:
    data = _frame(50).to_csv(index=False).encode()
    first = upload_source(data, "../../etc/evil.csv", tmp_path)
    again = upload_source(data, "other.csv", tmp_path)
    assert first.location == again.location
    assert Path(first.location).resolve().is_relative_to(tmp_path.resolve())
    assert "evil" not in first.location


def test_unreadable_or_unsupported_uploads_are_refused_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="DuckDB could not read"):
        upload_source(b"PAR1 not really parquet", "broken.parquet", tmp_path)
    with pytest.raises(ValueError, match="not a CSV, TSV or Parquet"):
        upload_source(b"x", "book.xlsx", tmp_path)
    assert routed_kind("a.CSV.GZ") == ".csv.gz" and routed_kind("a.xlsx") is None


@pytest.mark.parametrize("bad", [0, -5, 2.5, "10", True])
def test_the_setting_is_a_whole_number_of_megabytes(bad: object) -> None:
    assert duckdb_above_mb(None) is None and duckdb_above_mb(100) == 100
    with pytest.raises(ValueError, match="duckdb_above_mb"):
        duckdb_above_mb(bad)


def test_copies_not_uploaded_for_a_week_are_deleted_and_a_new_upload_keeps_its_own(
        tmp_path: Path) -> None:
    old = Path(upload_source(_frame(40).to_csv(index=False).encode(), "old.csv",
                             tmp_path).location)
    week_ago = time.time() - KEEP_SECONDS - 60
    os.utime(old, (week_ago, week_ago))
    writing = tmp_path / ("f" * 32)
    writing.mkdir()  # a copy being written (no predictions.parquet yet) is left alone
    new = Path(upload_source(_frame(60).to_csv(index=False).encode(), "new.csv",
                             tmp_path).location)
    assert new.exists() and writing.exists()
    assert not old.parent.exists()
    again = Path(upload_source(_frame(60).to_csv(index=False).encode(), "new.csv",
                               tmp_path).location)
    assert again == new and time.time() - new.stat().st_mtime < KEEP_SECONDS
