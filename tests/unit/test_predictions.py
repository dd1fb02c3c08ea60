"""read_predictions on good files of every format and on bad files that must each be named."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pandas as pd
import pytest

from analysis.predictions import (
    ColumnMapping,
    predictions_from_parquet,
    predictions_to_parquet,
    read_predictions,
)

GOOD = pd.DataFrame({
    "example_id": ["a", "b", "c", "d", "e", "f"],
    "label": ["cat", "not cat", "cat", "not cat", "cat", "not cat"],
    "score": [0.9, 0.2, 0.4, 0.7, 0.8, 0.1],
    "split": ["train", "train", "dev", "dev", "test", "Validation"],
    "source": ["web", "mobile", "web", "mobile", "web", "mobile"],
})


def _csv(frame: pd.DataFrame, **kwargs: object) -> bytes:
    return frame.to_csv(index=False, **kwargs).encode("utf-8")


def _parquet(frame: pd.DataFrame) -> bytes:
    sink = io.BytesIO()
    frame.to_parquet(sink, index=False)
    return sink.getvalue()


def _excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    sink = io.BytesIO()
    with pd.ExcelWriter(sink, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return sink.getvalue()


@pytest.mark.parametrize("data, filename", [
    (_csv(GOOD), "preds.csv"),
    (_csv(GOOD, sep="\t"), "preds.tsv"),
    (_csv(GOOD, sep=";"), "preds.csv"),
    (gzip.compress(_csv(GOOD)), "preds.csv.gz"),
    (_parquet(GOOD), "preds.parquet"),
    (_excel({"predictions": GOOD}), "preds.xlsx"),
    (b"\xef\xbb\xbf" + _csv(GOOD), "bom.csv"),
    (GOOD.to_csv(index=False).encode("utf-16"), "utf16.csv"),
])
def test_every_format_reads_to_the_same_binary_predictions(data, filename):
    predictions = read_predictions(data, filename)
    mapping = predictions.mapping
    assert (mapping.task, mapping.y_true, mapping.scores) == ("binary", "label", ("score",))
    assert (mapping.split, mapping.example_id, mapping.groups) == ("split", "example_id", ("source",))
    assert mapping.positive_label == "cat"  # "not cat" names the negative class
    assert predictions.y_true().tolist() == [1, 0, 1, 0, 1, 0]
    assert predictions.y_pred(threshold=0.5).tolist() == [1, 0, 0, 1, 1, 0]
    assert predictions.splits() == ["train", "dev", "test"]  # "Validation" -> dev
    assert predictions.subset("dev").n_rows == 3


def test_reads_from_a_path_and_a_file_object(data_dir):
    from_path = read_predictions(data_dir / "cat_classifier.csv")
    with (data_dir / "cat_classifier.csv").open("rb") as handle:
        from_handle = read_predictions(handle)
    assert from_path.n_rows == from_handle.n_rows == 10_000
    assert from_path.mapping.scores == ("score", "score_model_b")
    assert from_path.mapping.image == "image_path" and from_path.mapping.weight == "weight"
    assert from_path.mapping.text == ("description",)


def test_sample_multiclass_file_finds_class_probabilities(data_dir):
    predictions = read_predictions(data_dir / "animals_multiclass.csv")
    assert predictions.task == "multiclass"
    assert predictions.mapping.classes == ("bird", "cat", "dog", "fish")
    assert predictions.mapping.proba == ("p_bird", "p_cat", "p_dog", "p_fish")


def test_sample_multitask_file_keeps_missing_labels_as_nan(data_dir):
    predictions = read_predictions(data_dir / "driving_multitask.csv")
    assert predictions.task == "multilabel"
    assert predictions.mapping.task_scores == ("p_pedestrian", "p_car", "p_stop_sign",
                                               "p_traffic_light")
    labels = predictions.y_true()
    assert labels.shape == (2000, 4) and np.isnan(labels).any()
    assert set(np.unique(labels[~np.isnan(labels)])) == {0.0, 1.0}


def test_multiclass_without_predictions_takes_the_most_probable_class():
    data = b"y_true,p_a,p_b,p_c\na,0.7,0.2,0.1\nb,0.1,0.3,0.6\nc,0.2,0.2,0.6\n"
    predictions = read_predictions(data, "three.csv")
    assert predictions.y_pred().tolist() == ["a", "c", "c"]


def test_user_mapping_overrides_detection():
    data = b"truth,model_x,model_y,region\n1,0.9,0.2,eu\n0,0.3,0.8,us\n1,0.6,0.4,eu\n0,0.1,0.2,us\n"
    predictions = read_predictions(data, "m.csv", y_true="truth", scores=["model_x", "model_y"],
                                   groups=["region"])
    assert predictions.mapping.scores == ("model_x", "model_y")
    assert predictions.y_pred(model="model_y").tolist() == [0, 1, 0, 0]


def test_explicit_positive_label_flips_the_labels():
    data = b"label,pred\nham,ham\nspam,ham\nham,spam\n"
    predictions = read_predictions(data, "mail.csv", positive_label="ham")
    assert predictions.y_true().tolist() == [1, 0, 1]


def test_mapping_and_frame_survive_the_store_round_trip(data_dir):
    predictions = read_predictions(data_dir / "cat_classifier.csv")
    back = predictions_from_parquet(predictions_to_parquet(predictions),
                                    predictions.mapping.to_dict(), predictions.name)
    assert back.mapping == predictions.mapping
    assert ColumnMapping.from_dict(predictions.mapping.to_dict()) == predictions.mapping
    pd.testing.assert_frame_equal(back.frame, predictions.frame, check_dtype=False)


BAD_FILES = [
    ("empty", b"", "empty.csv", r"empty \(0 bytes\)"),
    ("header only", b"y_true,score\n", "h.csv", r"header .* but no rows"),
    ("wrong delimiter", b"y_true score\n1 0.2\n0 0.4\n", "space.csv",
     r"no true-label column"),
    ("ragged rows", b"y_true,score\n1,0.2,7\n0,0.4\n", "ragged.csv",
     r"has 3 fields where the header has 2"),
    ("non-numeric scores", b"y_true,score\n1,high\n0,0.4\n", "s.csv",
     r"'score' has 1 values that are not numbers: 'high' \(row 1\)"),
    ("NaN score", b"y_true,score\n1,\n0,0.4\n", "nan.csv", r"'score' has 1 empty/NaN"),
    ("infinite score", b"y_true,score\n1,inf\n0,0.4\n", "inf.csv", r"infinite"),
    ("scores outside [0, 1]", b"y_true,score\n1,2.5\n0,0.3\n1,1.5\n0,0.1\n1,0.9\n0,0.2\n",
     "percent.csv", r"2 values outside \[0, 1\].*sigmoid.*'softmax'.*'rank'"),
    ("duplicate column names", b"y_true,score,score\n1,0.2,0.3\n", "dup.csv",
     r"'score' appears twice \(columns 2 and 3\)"),
    ("unknown encoding", "y_true,score,note\n1,0.2,caf\xe9\n".encode("latin-1"), "l1.csv",
     r"not UTF-8 text \(byte 0xe9 on line 2\)"),
    ("not a table at all", bytes(range(256)) * 4, "blob.csv", r"not a text table"),
    ("missing true label", b"y_true,score\n,0.2\n0,0.4\n", "gap.csv",
     r"'y_true' has 1 empty cells \(row 1\)"),
    ("no prediction column", b"y_true,comment\n1,ok\n0,fine\n", "np.csv",
     r"no predicted-label or score column"),
    ("no label column", b"alpha,beta\n1,2\n", "nl.csv", r"no true-label column"),
    ("unknown split value", b"y_true,score,split\n1,0.2,holdout2\n", "sp.csv",
     r"split column 'split' has values the app does not know: 'holdout2'"),
    ("negative weight", b"y_true,score,weight\n1,0.2,-1\n0,0.3,1\n", "w.csv",
     r"weight column 'weight' has 1 values"),
    ("empty header cell", b"y_true,,score\n1,2,0.3\n", "eh.csv", r"column 2 has an empty name"),
    ("parquet that is not", b"y_true,score\n1,0.2\n", "fake.parquet", r"named like a Parquet"),
    ("old excel", b"y_true,score\n1,0.2\n", "old.xls", r"Excel 97"),
    ("truncated gzip", gzip.compress(b"y_true,score\n1,0.2\n")[:15], "t.csv.gz",
     r"not a valid gzip file"),
    ("multilabel value not 0/1", b"y_car,p_car,y_bus,p_bus\n1,0.3,yes,0.2\n", "ml.csv",
     r"task column 'y_bus' has 1 values that are not 0, 1 or empty"),
]


@pytest.mark.parametrize("data, filename, message",
                         [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_bad_files_raise_a_specific_value_error(data, filename, message):
    with pytest.raises(ValueError, match=message):
        read_predictions(data, filename)


def test_labels_that_are_not_binary_when_binary_is_asked():
    data = b"y_true,y_pred\ncat,dog\ndog,bird\nbird,cat\n"
    with pytest.raises(ValueError, match=r"not binary: 3 different values \('bird', 'cat', 'dog'\)"):
        read_predictions(data, "animals.csv", task="binary")


def test_excel_merged_header_is_named():
    frame = pd.DataFrame([["y_true", None], [1, 0.2]], columns=["Predictions", None])
    with pytest.raises(ValueError, match=r"no header \(merged or empty header cells\?\)"):
        read_predictions(_excel({"Sheet1": frame}), "merged.xlsx")


def test_excel_with_several_sheets_reads_the_first_non_empty_and_says_so():
    data = _excel({"notes": pd.DataFrame(), "preds": GOOD, "other": GOOD.head(2)})
    predictions = read_predictions(data, "book.xlsx")
    assert predictions.n_rows == 6
    assert any("also has 'notes', 'other'" in note for note in predictions.notes)
    assert read_predictions(data, "book.xlsx", sheet="other").n_rows == 2
    with pytest.raises(ValueError, match=r"has no sheet 'missing'"):
        read_predictions(data, "book.xlsx", sheet="missing")


def test_positive_label_that_is_not_a_label_is_refused():
    with pytest.raises(ValueError, match=r"positive_label 'dog' is not among the labels"):
        read_predictions(_csv(GOOD), "g.csv", positive_label="dog")


def test_unknown_mapping_option_is_named():
    with pytest.raises(ValueError, match=r"unknown mapping option 'truth'"):
        read_predictions(_csv(GOOD), "g.csv", truth="label")


def test_mapped_column_that_does_not_exist_is_named():
    with pytest.raises(ValueError, match=r"has no column 'nope' \(mapped as y_pred\)"):
        read_predictions(_csv(GOOD), "g.csv", y_pred="nope")


def test_missing_path_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"No file at"):
        read_predictions(tmp_path / "absent.csv")


def test_large_file_reads_without_python_loops(tmp_path):
    rng = np.random.default_rng(0)
    rows = 200_000
    frame = pd.DataFrame({"y_true": rng.integers(0, 2, rows), "score": rng.random(rows),
                          "split": rng.choice(["train", "dev", "test"], rows)})
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    predictions = read_predictions(path)
    assert predictions.n_rows == rows
    assert predictions.frame["score"].dtype == np.float64
