"""A source mapped like a file gives the in-memory numbers exactly, on DuckDB, PostgreSQL and
Spark local: text labels with a chosen positive class, predicted labels only, example weights,
metrics per slice, and multiclass labels (the confusion matrix counted by the engine).

Tables come from hypothesis: ties, empty splits, one class only. The engines come from the
equivalence tests' fixture (one PostgreSQL database and one Spark session per run).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.metrics import binary_metrics, multiclass_metrics, slice_metrics, weighted_error
from analysis.predictions import canonical_split
from sources import adapter, breakdowns, labels, pushdown
from tests.unit.test_sources_equivalence import Loader, engine  # noqa: F401  (the fixture)

LABEL_KINDS = {"zero-one": [0, 1], "text": ["cat", "dog"], "multiclass": ["a", "b", "c", "d"]}


@st.composite
def mapped_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, str, str]:
    """(frame, label kind, model column 's' or 'p'): labels of one kind (sometimes one class
    only), a score or predicted labels, weights, a region slice and a subset of the splits."""
    n = draw(st.integers(1, 30))
    kind = draw(st.sampled_from(list(LABEL_KINDS)))
    values = LABEL_KINDS[kind]
    one_class = draw(st.booleans())
    label = st.sampled_from(values[:1] if one_class else values)
    model = "p" if kind == "multiclass" else draw(st.sampled_from(["s", "p"]))
    frame = pd.DataFrame({
        "y": draw(st.lists(label, min_size=n, max_size=n)),
        "p": draw(st.lists(st.sampled_from(values), min_size=n, max_size=n)),
        "s": draw(st.lists(st.sampled_from([0.1, 0.3, 0.5, 0.5, 0.8]), min_size=n, max_size=n)),
        "w": draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 10.0]), min_size=n, max_size=n)),
        "region": draw(st.lists(st.sampled_from(["US", "EU", "India"]), min_size=n, max_size=n)),
        "split": draw(st.lists(st.sampled_from(["train", "test", "Validation"]), min_size=n,
                               max_size=n)),
    })
    return frame, kind, model


def _roles(table: object, frame: pd.DataFrame, model: str, pick: int) -> pushdown.Roles:
    """The roles the mapping form builds: the engine's label codes, a positive class."""
    codes = labels.label_codes(table, "y", "p" if model == "p" else None)
    expected = sorted({str(v) for v in frame["y"]} | ({str(v) for v in frame["p"]}
                                                      if model == "p" else set()))
    assert list(codes.classes) == expected
    roles = pushdown.Roles(y_true="y", score="s" if model == "s" else None,
                           y_pred="p" if model == "p" else None, split="split", weight="w",
                           codes=codes)
    if codes.task == "binary":
        options = [labels.positive_choice(codes)[0], *codes.classes]
        roles = dataclasses.replace(roles, positive=options[pick % len(options)])
    return roles


def _memory(frame: pd.DataFrame, roles: pushdown.Roles) -> tuple[np.ndarray, np.ndarray]:
    """y_true and y_pred as the in-memory page evaluates them (0/1, or class texts)."""
    if roles.task != "binary":
        return frame["y"].astype(str).to_numpy(), frame["p"].astype(str).to_numpy()
    y_true = (frame["y"].astype(str) == roles.positive).astype(int).to_numpy()
    if roles.score is not None:
        return y_true, (frame["s"] >= 0.5).astype(int).to_numpy()
    return y_true, (frame["p"].astype(str) == roles.positive).astype(int).to_numpy()


def _check(frame: pd.DataFrame, conn: adapter.Connection, model: str, pick: int,
           splits: tuple[str | None, ...] = (None, "dev")) -> None:
    table = adapter.table(conn, conn.tables[0])
    roles = _roles(table, frame, model, pick)
    for split in splits:
        rows = frame if split is None else frame[[canonical_split(v) == split
                                                  for v in frame["split"]]]
        if rows.empty:  # an empty split: refused on the engine as in memory
            with pytest.raises(ValueError, match="No rows"):
                breakdowns.slice_metrics(table, roles, "region", split=split)
            continue
        y_true, y_pred = _memory(rows, roles)
        binary = roles.task == "binary"
        if binary:
            ours, theirs = (breakdowns.label_metrics(table, roles, split=split),
                            binary_metrics(y_true, y_pred))
            assert (ours.tp, ours.fp, ours.tn, ours.fn) == (theirs.tp, theirs.fp, theirs.tn,
                                                            theirs.fn)
            assert ours.table().equals(theirs.table())
        else:
            ours, theirs = (breakdowns.multiclass_metrics(table, roles, split=split),
                            multiclass_metrics(y_true, y_pred, labels=roles.codes.classes))
            assert ours.labels == theirs.labels
            np.testing.assert_array_equal(ours.confusion, theirs.confusion)
            for part in ("per_class", "averages", "top_confusions"):
                pd.testing.assert_frame_equal(getattr(ours, part), getattr(theirs, part),
                                              check_exact=True, check_dtype=False)
        found = breakdowns.slice_metrics(table, roles, "region", split=split)
        expected = slice_metrics(y_true, y_pred, rows["region"].to_numpy(), column="region",
                                 binary=binary)
        pd.testing.assert_frame_equal(found.table, expected.table, check_exact=True,
                                      check_dtype=False)
        assert (found.average_error, found.overall_error, found.worst_slice) == (
            expected.average_error, expected.overall_error, expected.worst_slice)
        assert breakdowns.weighted_error(table, roles, split=split) == weighted_error(
            y_true, y_pred, weights=rows["w"].to_numpy())


# Spark answers each query in seconds: two fixed tables on all rows instead of generated ones
# (choosing a split's rows is the same Ibis filter on every engine)
SPARK_CASES = [
    (pd.DataFrame({"y": ["dog", "cat", "cat", "dog", "cat"], "p": ["dog", "dog", "cat", "cat",
                                                                   "cat"],
                   "s": [0.8, 0.5, 0.1, 0.3, 0.5], "w": [1.0, 10.0, 0.5, 2.0, 1.0],
                   "region": ["US", "EU", "US", "India", "EU"],
                   "split": ["train", "test", "train", "test", "train"]}), "s", 1),
    (pd.DataFrame({"y": ["a", "b", "c", "a", "c", "b"], "p": ["a", "c", "c", "b", "c", "b"],
                   "s": 0.5, "w": [1.0, 2.0, 1.0, 10.0, 0.5, 1.0],
                   "region": ["US", "US", "EU", "EU", "India", "US"],
                   "split": ["Validation", "train", "Validation", "test", "train", "dev"]}),
     "p", 0),
]


def test_mapped_sources_agree_with_memory(engine: tuple[str, Loader]) -> None:  # noqa: F811
    name, load = engine
    if name == "spark":
        for frame, model, pick in SPARK_CASES:
            _check(frame, load(frame), model, pick, splits=(None,))
        return

    @settings(max_examples={"duckdb": 40, "postgres": 15}[name], deadline=None,
              derandomize=True, suppress_health_check=list(HealthCheck))
    @given(case=mapped_tables(), pick=st.integers(0, 2))
    def check(case: tuple[pd.DataFrame, str, str], pick: int) -> None:
        frame, _kind, model = case
        _check(frame, load(frame), model, pick)

    check()


def test_text_labels_with_a_positive_class_count_errors_per_split(
        engine: tuple[str, Loader]) -> None:  # noqa: F811
    """The waterfall's per-split errors honour the chosen positive class of text labels."""
    frame = pd.DataFrame({"y": ["spam", "ham", "ham", "spam"] * 3, "s": [0.9, 0.2, 0.7, 0.4] * 3,
                          "split": ["train", "dev", "test"] * 4})
    conn = engine[1](frame)
    table = adapter.table(conn, conn.tables[0])
    codes = labels.label_codes(table, "y")
    assert labels.positive_choice(codes)[0] == "ham"  # the same guess as the file reader's
    for positive in ("spam", "ham"):
        roles = pushdown.Roles(y_true="y", score="s", split="split", codes=codes,
                               positive=positive)
        found = pushdown.errors_by_split(table, roles)
        wrong = (frame["s"] >= 0.5) != (frame["y"] == positive)
        expected = wrong.groupby(frame["split"]).sum()
        assert dict(zip(found["split"], found["errors"], strict=True)) == expected.to_dict()


def test_label_columns_are_bounded_and_blank_labels_refused(
        engine: tuple[str, Loader]) -> None:  # noqa: F811
    if engine[0] == "spark":
        pytest.skip("the checks are the same Ibis on every engine")
    many = pd.DataFrame({"y": [f"c{i}" for i in range(labels.MAX_LABELS + 1)], "s": 0.5})
    conn = engine[1](many)
    with pytest.raises(ValueError, match=f"more than {labels.MAX_LABELS} distinct values"):
        labels.label_codes(adapter.table(conn, conn.tables[0]), "y")
    blank = pd.DataFrame({"y": ["cat", None, " ", "dog"], "s": 0.5})
    conn = engine[1](blank)
    with pytest.raises(ValueError, match="2 empty labels"):
        labels.label_codes(adapter.table(conn, conn.tables[0]), "y")
    classes = pd.DataFrame({"y": [f"c{i}" for i in range(labels.MAX_CLASSES + 1)], "s": 0.5})
    conn = engine[1](classes)
    with pytest.raises(ValueError, match=f"at most {labels.MAX_CLASSES}"):
        labels.label_codes(adapter.table(conn, conn.tables[0]), "y")


def test_a_missing_slice_value_is_its_own_slice_and_many_values_are_refused(
        engine: tuple[str, Loader], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    if engine[0] == "spark":
        pytest.skip("the grouping is the same Ibis on every engine")
    frame = pd.DataFrame({"y": [1, 0, 1, 0], "s": [0.9, 0.8, 0.2, 0.1],
                          "region": ["US", None, "US", None]})
    conn = engine[1](frame)
    table = adapter.table(conn, conn.tables[0])
    roles = pushdown.Roles(y_true="y", score="s", codes=labels.label_codes(table, "y"),
                           positive="1")
    found = breakdowns.slice_metrics(table, roles, "region")
    assert found.table[["region", "n", "errors"]].values.tolist() == [
        [breakdowns.MISSING, 2, 1.0], ["US", 2, 1.0]]
    monkeypatch.setattr(breakdowns, "MAX_SLICES", 1)
    with pytest.raises(ValueError, match="more than 1 distinct values"):
        breakdowns.slice_metrics(table, roles, "region")
