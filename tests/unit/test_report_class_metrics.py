"""The report covers the file and models the presenter chose, and multiclass and multi-label
files get a per-class section: per-class precision/recall/F1, macro/micro/weighted averages and
top-k accuracy checked against scikit-learn."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_recall_fscore_support, top_k_accuracy_score

from analysis.metrics import multilabel_metrics
from analysis.predictions import read_predictions
from reporting import collect_story, render_markdown
from storage import WorkspaceStore
from tests.unit.test_report import save_predictions
from workspace.gate import WorkspaceGate

DATA = Path(__file__).resolve().parents[2] / "data"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path) -> WorkspaceStore:
    return WorkspaceStore(f"sqlite:///{tmp_path / 'report.sqlite'}")


@pytest.fixture
def workspace(db):
    """The cat file (two models), the animals and driving files, and a 2-row file saved last."""
    workspace = db.create_workspace("Review")
    for name in ("cat_classifier.csv", "animals_multiclass.csv", "driving_multitask.csv"):
        save_predictions(db, workspace.id, read_predictions(DATA / name))
    tiny = read_predictions(b"y_true,score\n1,0.9\n0,0.2\n", "tiny.csv")
    save_predictions(db, workspace.id, tiny)
    return workspace


def _story(db, workspace, **options):
    return collect_story(WorkspaceGate(db, user=None, auth=False), workspace.id, now=NOW,
                         **options)


def test_the_chosen_file_is_reported_not_the_last_upload(db, workspace):
    chosen = _story(db, workspace, primary="cat_classifier.csv").section("metrics")
    assert chosen.summary.startswith("cat_classifier.csv")
    tiny = _story(db, workspace, primary="tiny.csv").section("metrics")
    assert tiny.summary.startswith("tiny.csv")


def test_the_chosen_models_are_reported_and_compared(db, workspace):
    cat = read_predictions(DATA / "cat_classifier.csv")
    first, second = cat.mapping.scores[:2]
    one = _story(db, workspace, primary="cat_classifier.csv", models=[second])
    assert f"model {second!r}" in one.section("metrics").summary
    assert one.section("selection").comparison is None  # one model: no A/B
    both = _story(db, workspace, primary="cat_classifier.csv", models=[second, first])
    metrics = both.section("metrics")
    assert [t for t, _ in metrics.tables][1].startswith("Chosen models")
    assert metrics.tables[1][1]["model"].tolist() == [second, first]
    comparison = both.section("selection").comparison
    assert comparison is not None and (comparison.name_a, comparison.name_b) == (second, first)


def test_a_model_the_file_lacks_is_refused_by_name(db, workspace):
    with pytest.raises(ValueError, match="no model 'nope'"):
        _story(db, workspace, primary="cat_classifier.csv", models=["nope"])


def test_multiclass_file_per_class_metrics_match_sklearn(db, workspace):
    story = _story(db, workspace, primary="animals_multiclass.csv")
    assert not story.section("metrics").present  # binary metrics do not apply
    section = story.section("class_metrics")
    assert section.present and section.multiclass is not None
    animals = read_predictions(DATA / "animals_multiclass.csv").subset("dev")
    truth, guess = animals.y_true(), animals.y_pred()
    classes = list(animals.mapping.classes)
    p, r, f, support = precision_recall_fscore_support(truth, guess, labels=classes,
                                                       zero_division=0)
    per_class = dict(section.tables)["animals_multiclass.csv: per class (dev)"]
    np.testing.assert_allclose(per_class["precision %"], np.round(100 * p, 2))
    np.testing.assert_allclose(per_class["recall %"], np.round(100 * r, 2))
    np.testing.assert_allclose(per_class["f1 %"], np.round(100 * f, 2))
    assert per_class["support"].tolist() == support.tolist()
    averages = dict(section.tables)["animals_multiclass.csv: averages (macro, micro, weighted)"]
    for average in ("macro", "micro", "weighted"):
        expected = precision_recall_fscore_support(truth, guess, labels=classes, average=average,
                                                   zero_division=0)[2]
        row = averages.set_index("average").loc[average]
        assert row["f1 %"] == pytest.approx(round(100 * expected, 2), abs=0.01)
    top_k = dict(section.tables)[
        "animals_multiclass.csv: top-k accuracy (true class among the k most probable)"]
    proba = animals.frame[list(animals.mapping.proba)].to_numpy(float)
    for k, value in zip(top_k["k"], top_k["top-k accuracy %"], strict=True):
        expected = top_k_accuracy_score(truth, proba, k=int(k), labels=classes)
        assert value == pytest.approx(round(100 * expected, 2))


def test_multilabel_micro_and_macro_match_sklearn():
    rng = np.random.default_rng(0)
    truth = (rng.random((200, 3)) < 0.4).astype(float)
    guess = np.where(rng.random((200, 3)) < 0.8, truth, 1 - truth)
    averages = multilabel_metrics(truth, y_pred=guess).averages.set_index("average")
    for average in ("macro", "micro"):
        p, r, f, _ = precision_recall_fscore_support(truth, guess, average=average)
        assert averages.loc[average, "precision"] == pytest.approx(p)
        assert averages.loc[average, "recall"] == pytest.approx(r)
        assert averages.loc[average, "f1"] == pytest.approx(f)


def test_a_binary_choice_still_reports_the_workspaces_multiclass_and_multilabel_files(db, workspace):
    section = _story(db, workspace, primary="cat_classifier.csv").section("class_metrics")
    assert section.multiclass is not None and section.multilabel is not None
    assert "animals_multiclass.csv" in section.summary and "driving_multitask.csv" in section.summary
    markdown = render_markdown(_story(db, workspace, primary="driving_multitask.csv"))
    assert "Per-class metrics (multiclass and multi-label)" in markdown
    assert "micro F1" in markdown


def test_multilabel_per_task_table_has_a_row_per_task(db, workspace):
    section = _story(db, workspace, primary="driving_multitask.csv").section("class_metrics")
    per_task = next(t for c, t in section.tables if "per task" in c)
    assert len(per_task) == 4 and isinstance(per_task, pd.DataFrame)
    assert section.multiclass is None


def test_ranking_scores_get_a_threshold_in_their_own_units(db, workspace):
    rng = np.random.default_rng(0)
    truth = (rng.random(300) < 0.4).astype(int)
    scores = np.clip(np.where(truth == 1, rng.normal(4, 3, 300), rng.normal(-2, 2, 300)), -7, 12)
    frame = pd.DataFrame({"y_true": truth, "decision": scores})
    ranked = read_predictions(frame.to_csv(index=False).encode(), "ranked.csv",
                              score_transform="rank")
    save_predictions(db, workspace.id, ranked)
    default = _story(db, workspace, primary="ranked.csv").section("metrics")
    assert default.threshold == 0.0 and "scores' own range" in default.summary
    typed = _story(db, workspace, primary="ranked.csv", threshold=2.5).section("metrics")
    assert typed.threshold == 2.5
    assert typed.metrics.recall.value == pytest.approx(float(np.mean(scores[truth == 1] >= 2.5)))
    with pytest.raises(ValueError, match="threshold"):
        _story(db, workspace, primary="cat_classifier.csv", threshold=2.5)
