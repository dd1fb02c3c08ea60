"""An upload above `[workbench] duckdb_above_mb` is evaluated by DuckDB on the metrics,
waterfall and error-slices pages (never read into pandas); below it, the usual in-memory
reading is kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP_PATH, never_again, texts, upload_on


def _predictions(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, rows)
    return pd.DataFrame({"y_true": y, "score": np.round(0.3 * y + 0.7 * rng.random(rows), 4),
                         "split": rng.choice(["train", "dev", "test"], rows),
                         "device": rng.choice(["phone", "web"], rows)})


@pytest.fixture
def routed_app(store_url: str) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=90)
    at.secrets["workbench"] = {"duckdb_above_mb": 1}
    return at.run()


def _refuse_pandas_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: object, **__: object) -> None:
        raise AssertionError("a large upload was read into pandas")

    for reader in ("read_csv", "read_parquet", "read_table"):
        monkeypatch.setattr(pd, reader, refused)




@pytest.mark.parametrize(("page", "key", "panel"), [
    ("views/metrics.py", "metrics.file", "metrics.source.threshold"),
    ("views/waterfall.py", "waterfall.file", "waterfall.source.threshold"),
    ("views/error_slices.py", "slices.pick", "slices.source.threshold")])
def test_a_large_upload_is_evaluated_by_duckdb(routed_app: AppTest,
                                               monkeypatch: pytest.MonkeyPatch, page: str,
                                               key: str, panel: str) -> None:
    frame = _predictions(80_000)
    assert len(frame.to_csv(index=False).encode()) > 1024 * 1024
    _refuse_pandas_reading(monkeypatch)
    if page == "views/waterfall.py":
        routed_app.session_state["src"] = "Predictions file"
    at = upload_on(routed_app, page, key, "big.csv", frame)
    if page == "views/error_slices.py":
        at.multiselect(key="slices.source.columns").set_value(["device"]).run()
    shown = texts(at.caption)
    assert "evaluated by DuckDB where the server stored it" in shown
    assert "computed by duckdb on source big.csv" in shown
    assert at.slider(key=panel).value == 0.5
    # a rerun reuses the Parquet copy: the upload is not hashed and written again
    monkeypatch.setattr("components.source_upload.upload_source",
                        never_again("the large upload was hashed and written again on a rerun"))
    at.slider(key=panel).set_value(0.3).run()
    assert not at.exception, at.exception
    assert "computed by duckdb on source big.csv" in texts(at.caption)


def test_a_small_upload_is_still_read_in_memory(routed_app: AppTest) -> None:
    at = upload_on(routed_app, "views/metrics.py", "metrics.file", "small.csv",
                   _predictions(300))
    assert "evaluated by DuckDB" not in texts(at.caption)
    assert "computed by duckdb" not in texts(at.caption)
