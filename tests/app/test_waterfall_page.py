"""The bias & variance page run through app.py with AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analysis.predictions import read_predictions
from analysis.split_errors import errors_by_split
from analysis.waterfall_cases import PRESETS
from storage import WorkspaceStore
from tests.app.conftest import metric_values, open_view, table_with, texts
from workspace.kinds import WATERFALL_SNAPSHOT

PAGE = "views/waterfall.py"


@pytest.fixture
def waterfall(app_test: AppTest) -> AppTest:
    return open_view(app_test, PAGE)



def _type(at: AppTest, **values: float | None) -> AppTest:
    for key, value in values.items():
        at.number_input(key=key).set_value(value)
    return at.run()




def test_empty_form_invites_typing_without_an_error(waterfall: AppTest):
    assert "Type at least the training error" in texts(waterfall.info)
    assert not waterfall.error and not waterfall.get("plotly_chart")
    _type(waterfall, dev=10.0)
    assert "train is missing but dev was given" in texts(waterfall.error)


def test_typing_a_case_shows_the_waterfall_and_the_diagnosis_changes(waterfall: AppTest):
    _type(waterfall, human=1.0, train=8.0, dev=10.0)
    assert not waterfall.exception and not waterfall.error
    assert "Avoidable bias (7.0 points) dominates" in texts(waterfall.markdown)
    assert "Train a bigger model." in texts(waterfall.markdown)
    assert metric_values(waterfall)["avoidable bias (points)"] == "+7.0"
    assert "No train-dev set" in texts(waterfall.warning)
    assert len(waterfall.get("plotly_chart")) == 1
    _type(waterfall, human=7.5)
    assert "Variance (2.0 points) dominates" in texts(waterfall.markdown)
    assert "Get more training data." in texts(waterfall.markdown)


def test_best_human_reference_is_the_proxy(waterfall: AppTest):
    _type(waterfall, human=3.0, expert=1.0, experienced=0.7, team=0.5, train=0.7, dev=0.8)
    assert metric_values(waterfall)["avoidable bias (points)"] == "+0.2"
    assert "Avoidable bias (0.2 points) dominates" in texts(waterfall.markdown)


def test_a_preset_fills_the_form(waterfall: AppTest):
    names = list(PRESETS)
    index = names.index("Bias and mismatch (train 10, train-dev 11, dev 20)")
    waterfall.button(key=f"waterfall.preset.{index}").click().run()
    values = {k: waterfall.number_input(key=k).value for k in ("human", "train", "train_dev", "dev")}
    assert values == {"human": 0.0, "train": 10.0, "train_dev": 11.0, "dev": 20.0}
    assert waterfall.number_input(key="test").value is None
    assert "Avoidable bias (10.0 points) and data mismatch (9.0 points) both matter" \
        in texts(waterfall.markdown)
    medical = names.index("Medical imaging (doctors: best human 0.5, train 0.7, dev 0.8)")
    waterfall.button(key=f"waterfall.preset.{medical}").click().run()
    assert waterfall.number_input(key="team").value == 0.5
    assert waterfall.number_input(key="train_dev").value is None


def test_negative_gap_preset_warns(waterfall: AppTest):
    index = list(PRESETS).index(
        "Dev easier than training data (human 4, train 7, train-dev 10, dev 6)")
    waterfall.button(key=f"waterfall.preset.{index}").click().run()
    assert "easier than the training distribution" in texts(waterfall.warning)


def test_bad_input_shows_an_error_and_keeps_the_other_fields(waterfall: AppTest):
    _type(waterfall, human=1.0, train=8.0, dev=10.0)
    _type(waterfall, train=120.0)
    assert not waterfall.exception
    assert "train must be at most 100, got 120" in texts(waterfall.error)
    assert waterfall.number_input(key="dev").value == 10.0
    assert waterfall.number_input(key="human").value == 1.0
    # The rest of the page (the general formulation, the snapshots) still renders.
    assert waterfall.get("arrow_data_editor") or waterfall.dataframe
    assert waterfall.text_input(key="waterfall.snapshot_name")
    _type(waterfall, train=None, train_dev=5.0)
    assert "train is missing but train_dev, dev was given" in texts(waterfall.error)
    _type(waterfall, train=8.0, train_dev=None, team=-1.0)
    assert "human['team of experts'] must be at least 0" in texts(waterfall.error)


def test_sizes_add_intervals_and_flag_noise(waterfall: AppTest):
    _type(waterfall, human=1.0, train=8.0, dev=10.0, n_train=100, n_dev=100)
    assert "within the noise" in texts(waterfall.warning)
    assert "within the noise" in " ".join(str(m.delta) for m in waterfall.metric)


def test_url_parameters_fill_the_form(app_test: AppTest):
    app_test.query_params.update({"human": "1", "train": "10", "train_dev": "11", "dev": "20",
                                  "n_dev": "500"})
    app_test.switch_page(PAGE)
    app_test.run()
    assert not app_test.exception
    assert app_test.number_input(key="train_dev").value == 11.0
    assert app_test.number_input(key="n_dev").value == 500
    assert "both matter" in texts(app_test.markdown)


def test_sample_predictions_give_per_split_errors_with_intervals(sample_app: AppTest, data_dir):
    sample_app.switch_page(PAGE)
    sample_app.run()
    sample_app.segmented_control(key="src").set_value("Predictions file").run()
    assert not sample_app.exception and not sample_app.error
    levels = sample_app.table[0].value
    assert levels.index.tolist() == ["human", "train", "train-dev", "dev", "test"]
    intervals = levels["95% interval (Wilson)"]
    assert intervals.str.contains("% – ").sum() == 4
    expected = errors_by_split(read_predictions(data_dir / "cat_classifier.csv")).set_index("split")
    for split, row in expected.iterrows():
        assert levels.loc[split, "wrong / examples"] == f"{int(row.errors):,} / {int(row.examples):,}"
        assert intervals[split] == f"{row.low:.2f}% – {row.high:.2f}%"
    assert "Human level from the project" in texts(sample_app.caption)
    assert "data mismatch" in texts(sample_app.markdown).lower()
    assert sample_app.get("plotly_chart")


def test_general_formulation_grid_derives_its_gaps(waterfall: AppTest):
    gaps = table_with(waterfall, "meaning")
    assert dict(zip(gaps["gap"], gaps["points"], strict=True))["data mismatch"] == -4.0
    assert "target data is easier" in texts(waterfall.warning)
    waterfall.button(key="waterfall.formulation_clear").click().run()
    assert "Not derivable" in texts(waterfall.caption)
    _type(waterfall, human=1.0, train=8.0, train_dev=9.0, dev=12.0)
    waterfall.button(key="waterfall.formulation_fill").click().run()
    gaps = table_with(waterfall, "meaning")
    assert dict(zip(gaps["gap"], gaps["points"], strict=True)) == {
        "avoidable bias": 7.0, "variance": 1.0, "data mismatch": 3.0}


def test_snapshots_are_saved_and_drawn_as_history(waterfall: AppTest, store_url: str):
    _type(waterfall, human=0.0, train=10.0, train_dev=11.0, dev=20.0)
    waterfall.text_input(key="waterfall.snapshot_name").set_value("v1")
    waterfall.button(key="waterfall.save").click().run()
    assert "Saved snapshot **v1**" in texts(waterfall.success)
    _type(waterfall, train=4.0, train_dev=5.0, dev=8.0)
    waterfall.text_input(key="waterfall.snapshot_name").set_value("v2")
    waterfall.button(key="waterfall.save").click().run()
    assert len(waterfall.get("plotly_chart")) == 2  # the waterfall and the history
    store = WorkspaceStore(store_url)
    workspace = store.list_workspaces()[0]
    saved = {i.name: i.content for i in store.list_items(workspace.id, WATERFALL_SNAPSHOT.name)}
    assert set(saved) == {"v1", "v2"}
    assert saved["v1"]["inputs"]["dev"] == 20.0
    assert saved["v2"]["result"]["main_problem"] == "avoidable bias"
    # Opening v1 puts its inputs back into the form.
    waterfall.selectbox(key="waterfall.open_choice").set_value("v1")
    waterfall.button(key="waterfall.open").click().run()
    assert waterfall.number_input(key="dev").value == 20.0


def test_saving_without_a_name_says_so(waterfall: AppTest):
    _type(waterfall, human=1.0, train=8.0, dev=10.0)
    waterfall.button(key="waterfall.save").click().run()
    assert "name is empty" in texts(waterfall.error)


def test_first_visit_with_the_sample_loaded_opens_the_file_view(sample_app: AppTest):
    sample_app.switch_page(PAGE).run()
    assert not sample_app.exception
    assert sample_app.segmented_control(key="src").value == "Predictions file"
    assert not sample_app.warning or all("Session State" not in w.value for w in sample_app.warning)
    assert any("data mismatch" in m.value.lower() for m in sample_app.markdown)


def test_a_link_with_typed_rates_stays_on_typed_rates_even_with_a_file_loaded(sample_app):
    sample_app.query_params.update({"train": "8", "dev": "10"})
    sample_app.switch_page(PAGE).run()
    assert sample_app.segmented_control(key="src").value == "Typed rates"


def test_a_teammates_new_session_gets_the_projects_human_levels(sample_app: AppTest):
    from tests.app.conftest import APP_PATH

    teammate = AppTest.from_file(APP_PATH, default_timeout=60).run()
    teammate.switch_page(PAGE).run()
    assert any("Human level from the project" in c.value for c in teammate.caption)
    assert any(m.label.startswith("avoidable bias") for m in teammate.metric)
    assert not any("No human-level error" in w.value for w in teammate.warning)
