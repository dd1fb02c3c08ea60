"""The training-label check on the error-analysis page, on the sample's cat classifier: refused
until the scores are marked out-of-fold, then the suspects ranked, the noise rate with its
interval, the verdict and the advice, and the suspects sent to a new sheet as a category."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from components.training_labels_panel import KEY
from storage import WorkspaceStore
from tests.app.conftest import metric_values, open_view, texts

PAGE = "views/error_analysis.py"


def _training_suspects(at: AppTest):
    """The training suspects (the dev suspects above them have an 'in_sheet' column)."""
    return next(d.value for d in at.dataframe
                if "label_quality" in d.value.columns and "in_sheet" not in d.value.columns)


def test_in_sample_scores_are_refused_until_marked_out_of_fold(sample_app: AppTest):
    at = open_view(sample_app, PAGE)
    assert at.selectbox(key=f"{KEY}.pick.file").value == "cat_classifier.csv"
    assert "memorised their labels" in texts(at.info)
    assert "Suspected wrong labels" not in metric_values(at)


def test_suspects_noise_rate_and_advice_then_sent_to_a_new_sheet(sample_app: AppTest, store_url):
    at = open_view(sample_app, PAGE)
    at.checkbox(key=f"{KEY}.out_of_fold").check().run()
    assert not at.exception and not at.error
    cards = metric_values(at)
    assert cards["Training rows checked"] == "6,000"  # the train split only
    suspects = int(cards["Suspected wrong labels"])
    assert suspects > 50
    assert cards["Estimated noise rate"].endswith("%")
    assert "95% interval of the noise rate" in texts(at.caption)
    assert "label noise." in texts(at.warning) + texts(at.info)
    assert "fixing" in (texts(at.warning) + texts(at.info)).lower()
    ranked = _training_suspects(at)
    assert ranked["label_quality"].is_monotonic_increasing  # most suspicious first
    assert (ranked["y_true"] != ranked["y_pred"]).all()

    at.number_input(key=f"{KEY}.n").set_value(20).run()
    at.button(key=f"{KEY}.send").click().run()
    assert not at.exception and not at.error
    assert "with 20 suspects ticked" in texts(at.success)
    name = "Training label suspects in cat_classifier.csv"
    assert at.selectbox(key="sheet").value == name  # the new sheet is open
    item = WorkspaceStore(store_url).get_item(at.session_state["workbench.workspace_id"],
                                              "error_sheet", name)
    assert item.content["categories"] == ["suspect training label"]
    rows = item.content["rows"]
    assert len(rows) == 20 and all(r["suspect training label"] for r in rows)
    assert {r["example_id"] for r in rows} == set(ranked["example_id"].head(20))
