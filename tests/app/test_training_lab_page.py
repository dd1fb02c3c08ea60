"""The training lab page in AppTest: rendering, presets, Step, settings changes, bad input, saving.

AppTest never fires the fragment's run_every timer: the live loop is checked in Chromium
(tests/e2e/test_training_lab_e2e.py) and the tick logic in tests/unit/test_lab_state.py.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import plain
from tests.app.lab_component import component_spec, counter

PAGE = "views/training_lab.py"


@pytest.fixture
def lab(app_test: AppTest) -> AppTest:
    app_test.run()
    app_test.switch_page(PAGE)
    app_test.run()
    assert not app_test.exception
    return app_test


def _metric(at: AppTest, label: str) -> str:
    return counter(at, label)


def _infos(at: AppTest) -> str:
    return " ".join(plain(i.value) for i in at.info)


def test_page_renders_controls_metrics_and_charts(lab):
    assert lab.title[0].value == "Training lab"
    spec = component_spec(lab)
    assert [c["label"] for c in spec["counters"]] == ["Epoch", "Cost", "Train error",
                                                     "Train-dev error", "Dev error", "Learning rate"]
    assert [c["title"] for c in spec["charts"]] == ["Cost (log)", "Error",
                                                   "Gradient norm per layer (log)"]
    assert not spec["playing"] and spec["frames"][-1]["side"] == 80  # paused: the fine grid
    assert _metric(lab, "Epoch") == "0"
    # the untrained network is evaluated: a real cost, not a dash
    assert float(_metric(lab, "Cost")) > 0
    assert lab.selectbox(key="dataset").value == "moons"
    assert lab.text_input(key="hidden").value == "32,16"
    assert lab.number_input(key="learning_rate").value == pytest.approx(0.01)
    assert len(lab.get("plotly_chart")) >= 2  # surface, EWA (the waterfall after epoch 1)
    assert [b.label for b in lab.button if b.key in ("lab_play", "lab_step", "lab_reset")] == [
        "Play", "Step", "Reset"]
    assert not lab.error


def test_step_advances_the_epoch_counter_and_draws_the_waterfall(lab):
    lab.button(key="lab_step").click().run()
    assert _metric(lab, "Epoch") == "10"  # first tick on "auto" is 10 epochs, then measured
    titles = [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
              for c in lab.get("plotly_chart")]
    assert any("Error waterfall at epoch 10" in t for t in titles)
    lab.selectbox(key="lab_speed").set_value(100).run()
    lab.button(key="lab_step").click().run()
    assert _metric(lab, "Epoch") == "110"
    assert not lab.exception


def test_step_stops_at_the_target_epoch(lab):
    lab.number_input(key="until").set_value(5).run()
    lab.button(key="lab_step").click().run()
    assert _metric(lab, "Epoch") == "5"
    lab.button(key="lab_step").click().run()
    assert _metric(lab, "Epoch") == "5"


def test_play_ticks_and_turns_into_pause(lab):
    lab.button(key="lab_play").click().run()
    assert lab.button(key="lab_play").label == "Pause"
    assert int(_metric(lab, "Epoch")) > 0  # the fragment ticked during the rerun
    playing = component_spec(lab)
    assert playing["playing"] and len(playing["frames"]) > 1  # a tick sends several frames
    lab.button(key="lab_play").click().run()
    assert lab.button(key="lab_play").label == "Play"
    paused_at = _metric(lab, "Epoch")
    lab.run()
    assert _metric(lab, "Epoch") == paused_at  # paused: no more epochs


def test_course_preset_fills_the_controls(lab):
    lab.selectbox(key="lab_preset").select("Optimizer: Adam (moons)").run()
    assert lab.selectbox(key="dataset").value == "moons"
    assert lab.text_input(key="hidden").value == "5,2"
    assert lab.selectbox(key="optimizer").value == "adam"
    assert lab.number_input(key="learning_rate").value == pytest.approx(0.0007)
    assert lab.number_input(key="batch_size").value == 64
    assert lab.slider(key="noise").value == pytest.approx(0.2)
    assert lab.number_input(key="until").value == 5000
    assert "Optimizer: Adam (moons)" in _infos(lab)
    assert lab.selectbox(key="lab_preset").value is None  # the menu is an action
    assert any("course reports 94% training accuracy" in c.value for c in lab.caption)
    assert any("Network 2 → 5 → 2 → 1" in c.value for c in lab.caption)
    assert _metric(lab, "Epoch") == "0"
    assert not lab.exception


def test_bad_hidden_layers_show_an_error_and_keep_the_page(lab):
    lab.button(key="lab_step").click().run()
    lab.text_input(key="hidden").input("10, five").run()
    errors = " ".join(e.value for e in lab.error)
    assert "hidden" in errors and "whole numbers" in errors
    assert "Architecture" in errors
    assert lab.text_input(key="hidden").value == "10, five"  # nothing typed is lost
    assert _metric(lab, "Epoch") == "10"  # the last valid run is kept and still drawn
    # training waits for valid settings: Play and Step are disabled, the epoch stays
    assert lab.button(key="lab_play").disabled and lab.button(key="lab_step").disabled
    lab.text_input(key="hidden").input("32,16").run()
    assert not lab.error and not lab.button(key="lab_step").disabled
    assert _metric(lab, "Epoch") == "10"  # the same run continues once the setting is back
    assert not lab.exception


def test_bad_keep_prob_is_named(lab):
    lab.slider(key="keep_prob").set_value(0.0).run()
    assert any("keep_prob" in plain(e.value) for e in lab.error)


def test_data_change_restarts_and_learning_rate_change_continues(lab):
    lab.button(key="lab_step").click().run()
    lab.number_input(key="learning_rate").set_value(0.05).run()
    assert _metric(lab, "Epoch") == "10"
    assert "continues" in _infos(lab)
    lab.button(key="lab_step").click().run()
    assert _metric(lab, "Learning rate") == "0.05"
    lab.slider(key="noise").set_value(0.2).run()
    assert _metric(lab, "Epoch") == "0"
    assert "restarted at epoch 0" in _infos(lab) and "noise" in _infos(lab)


def test_gradient_check_gives_a_verdict(lab):
    lab.button(key="lab_gc_run").click().run()
    assert any("great" in s.value for s in lab.success)
    lab.checkbox(key="lab_gc_break").check().run()
    lab.button(key="lab_gc_run").click().run()
    assert any("likely a bug" in e.value for e in lab.error)


def test_save_and_reopen_an_experiment(lab):
    lab.button(key="lab_step").click().run()
    lab.button(key="lab_save").click().run()
    assert any("name" in e.value for e in lab.error)  # a name is needed
    lab.text_input(key="lab_save_name").input("first run").run()
    lab.button(key="lab_save").click().run()
    assert any("Saved “first run”" in s.value for s in lab.success)
    lab.button(key="lab_reset").click().run()
    assert _metric(lab, "Epoch") == "0"
    lab.selectbox(key="lab_open_choice").select("first run").run()
    lab.button(key="lab_open").click().run()
    assert _metric(lab, "Epoch") == "10"
    assert not lab.exception


def test_url_parameters_reopen_the_experiment(app_test):
    app_test.run()
    app_test.switch_page(PAGE)
    # URL parameters named like the LabConfig fields: raw option values, not display labels
    query = {"dataset": "moons", "hidden": "8,4", "learning_rate": "0.003", "optimizer": "gd",
             "init": "random", "dev_shift": "rotate", "shift_amount": "30.0"}
    app_test.query_params.update(query)
    app_test.run()
    assert not app_test.error
    assert app_test.selectbox(key="optimizer").value == "gd"
    assert app_test.selectbox(key="init").value == "random"
    assert app_test.selectbox(key="dev_shift").value == "rotate"
    assert app_test.number_input(key="shift_amount").value == 30.0
    assert app_test.selectbox(key="dataset").value == "moons"
    assert app_test.text_input(key="hidden").value == "8,4"
    assert app_test.number_input(key="learning_rate").value == pytest.approx(0.003)


def _ewa_spec(at: AppTest) -> str:
    return next(c.proto.spec for c in at.get("plotly_chart") if "Exponentially" in c.proto.spec)


def test_weighted_average_toggle_and_search_tab(lab):
    assert "with bias correction" in _ewa_spec(lab)
    lab.toggle(key="ewa_correction").set_value(False).run()
    assert "with bias correction" not in _ewa_spec(lab)
    assert "without bias correction" in _ewa_spec(lab)
    lab.number_input(key="search_trials").set_value(3).run()
    lab.number_input(key="search_epochs").set_value(5).run()
    charts = len(lab.get("plotly_chart"))
    lab.button(key="search_run").click().run()
    assert len(lab.get("plotly_chart")) == charts + 2  # the trials and each hyperparameter's effect
    assert any(len(df.value) == 3 and "dev_error" in df.value.columns for df in lab.dataframe)
    wide = lab.slider(key="search_lr").value
    lab.button(key="search_zoom").click().run()
    narrow = lab.slider(key="search_lr").value
    assert wide[0] <= narrow[0] and narrow[1] <= wide[1] and narrow != wide  # coarse to fine
    assert not lab.exception
