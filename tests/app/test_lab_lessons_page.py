"""The training lab's lesson tabs in AppTest: race and surface, tiles and mini-batch costs,
batch-norm drift, remedies, the learning-curve run and its save, multi-task, transfer with
new layers, the search's effects and panda, your own data and the default story."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.state import workspace_items
from tests.app.conftest import open_view, plain
from tests.app.lab_component import component_spec
from workspace.kinds import LEARNING_CURVE

PAGE = "views/training_lab.py"


@pytest.fixture
def lab(app_test: AppTest) -> AppTest:
    return open_view(app_test, PAGE)


def _chart(at: AppTest, title: str) -> dict:
    """The plotly figure whose title contains `title`."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if title in str(spec["layout"].get("title", {}).get("text", "")):
            return spec
    raise AssertionError(f"no chart titled {title!r}")


def _values(array: object) -> np.ndarray:
    """A plotly array as numpy: plain JSON lists, or plotly's typed {"dtype", "bdata"}."""
    if isinstance(array, dict) and "bdata" in array:
        flat = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        shape = array.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(array)


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + \
            [i.value for i in at.info] + [s.value for s in at.success]
    return plain(" ".join(parts))


def _clean(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_race_draws_one_cost_curve_per_optimizer_and_the_surface_paths(lab):
    surface = _chart(lab, "saddle point")  # drawn at once: the surface is instant
    paths = [t for t in surface["data"] if t["type"] == "scatter" and t.get("mode") == "lines"]
    assert [t["name"] for t in paths] == ["gd", "momentum", "rmsprop", "adam"]
    assert all(len(_values(t["x"])) == 301 for t in paths)  # start + 300 steps
    assert abs(_values(paths[0]["x"])[0] - 1e-3) < 1e-12  # started 1e-3 off the saddle
    assert "never" not in _table(lab, "left the saddle at step")["left the saddle at step"].tolist()
    lab.number_input(key="race_epochs").set_value(20).run()
    lab.button(key="race_run").click().run()
    _clean(lab)
    first = component_spec(lab, "race")
    assert first["playing"] and 0 < first["frames"][-1]["x"] < 20  # live: part of the way
    _finish_race(lab)
    curves = component_spec(lab, "race")["charts"][0]["series"]
    assert [s["name"] for s in curves] == ["gd", "momentum", "rmsprop", "adam"]
    assert all(len(s["y"]) == 20 and min(s["y"]) > 0 for s in curves)
    assert "After 20 epochs from the same start" in _texts(lab)


def _finish_race(at: AppTest, updates: int = 20) -> None:
    """Rerun until the race has reached its epochs (AppTest does not fire the timer: each
    run of the page runs the race's fragment once)."""
    for _ in range(updates):
        if not component_spec(at, "race")["playing"]:
            return
        at.run()
        _clean(at)
    raise AssertionError(f"the race did not finish in {updates} updates")


def test_race_of_two_learning_rates_of_one_optimizer(lab):
    lab.radio(key="race_kind").set_value("settings").run()
    lab.number_input(key="race_epochs").set_value(10).run()
    lab.button(key="race_run").click().run()
    _clean(lab)
    names = [s["name"] for s in component_spec(lab, "race")["charts"][0]["series"]]
    assert names == ["adam α 0.01", "adam α 0.001"]


def test_surface_from_my_own_start(lab):
    lab.selectbox(key="surface_start").set_value("my own start").run()
    lab.number_input(key="surface_x").set_value(1.5).run()
    lab.number_input(key="surface_y").set_value(-2.0).run()
    paths = [t for t in _chart(lab, "saddle point")["data"] if t.get("mode") == "lines"]
    assert (_values(paths[0]["x"])[0], _values(paths[0]["y"])[0]) == (1.5, -2.0)


def test_inside_tab_shows_tiles_and_mini_batch_costs(lab):
    tiles = component_spec(lab, "tiles")["tiles"]
    assert len(tiles["grids"]) == 48  # 32 + 16 hidden units of the default network
    assert tiles["res"] == 20 and len(base64.b64decode(tiles["grids"][0])) == 400
    assert tiles["names"][-1] == "L2 u16"
    assert "use the full batch" in _texts(lab)  # 100 examples: full batch
    lab.button(key="lab_step").click().run()
    batch = _chart(lab, "Mini-batch cost")
    assert len(_values(batch["data"][0]["y"])) == 10  # full batch: one iteration per epoch, 10 epochs
    assert len(_values(batch["data"][1]["y"])) == 10


def test_batch_norm_drift_with_and_without(lab):
    lab.number_input(key="drift_epochs").set_value(20).run()
    lab.button(key="drift_run").click().run()
    _clean(lab)
    drift = _chart(lab, "Covariate shift")
    medians = [t["name"] for t in drift["data"] if str(t.get("name", "")).startswith("median")]
    assert medians == ["median, without batch norm", "median, with batch norm"]
    assert "interquartile ranges without batch norm" in _texts(lab)


def test_remedies_compare_the_gap_and_name_l1(lab):
    assert lab.number_input(key="l1").value == 0.0  # L1 is a sidebar setting
    assert "L1 λ, now 0" in _texts(lab)
    lab.number_input(key="remedy_epochs").set_value(20).run()
    lab.number_input(key="remedy_seeds").set_value(1).run()
    lab.number_input(key="remedy_members").set_value(2).run()
    lab.button(key="remedy_run").click().run()
    _clean(lab)
    bars = _chart(lab, "Train/dev gap")["data"]
    assert list(bars[0]["x"]) == ["none", "augmentation", "ensemble"]
    assert all(text.startswith("gap ") for text in bars[1]["text"])
    assert set(_table(lab, "gap")["remedy"]) == {"none", "augmentation",
                                                                       "ensemble"}


def test_learning_curve_run_is_drawn_and_saved_for_the_strategy_page(lab):
    lab.text_input(key="curve_sizes").set_value("20, 40, 80, 160").run()
    lab.number_input(key="curve_epochs").set_value(20).run()
    lab.button(key="curve_run").click().run()
    _clean(lab)
    points = _chart(lab, "Learning curve of the current setup")["data"]
    assert _values(points[0]["x"]).tolist() == [20, 40, 80, 160]
    lab.button(key="curve_save").click().run()
    _clean(lab)
    assert "Saved “learning curve”" in _texts(lab)
    curve = workspace_items().load(LEARNING_CURVE, "learning curve")  # what the strategy page fits
    assert curve["size"].tolist() == [20, 40, 80, 160]
    assert list(curve.columns) == ["size", "train_error_pct", "dev_error_pct"]


def test_bad_learning_curve_sizes_are_named(lab):
    lab.text_input(key="curve_sizes").set_value("20, lots").run()
    lab.button(key="curve_run").click().run()
    assert not lab.exception
    assert "got 'lots'" in plain(" ".join(e.value for e in lab.error))


def test_multitask_against_separate_networks(lab):
    lab.number_input(key="multi_epochs").set_value(20).run()
    lab.button(key="multi_run").click().run()
    _clean(lab)
    bars = _chart(lab, "Multi-task learning")["data"]
    assert [b["name"] for b in bars] == ["one multi-task network", "a network per task"]
    assert len(_values(bars[0]["y"])) == 4
    assert "Mean dev error over 4 tasks" in _texts(lab)


def test_transfer_with_two_new_layers(lab):
    lab.number_input(key="transfer_layers").set_value(2).run()
    lab.number_input(key="transfer_a").set_value(200).run()
    lab.number_input(key="transfer_epochs").set_value(10).run()
    lab.button(key="transfer_run").click().run()
    _clean(lab)
    assert len(_table(lab, "final dev error %")) == 3


def test_search_shows_each_hyperparameters_effect_and_panda_babysits(lab):
    lab.select_slider(key="search_depth").set_value(1).run()
    lab.number_input(key="search_trials").set_value(3).run()
    lab.number_input(key="search_epochs").set_value(5).run()
    lab.button(key="search_run").click().run()
    _clean(lab)
    effects = _chart(lab, "What each hyperparameter did")
    assert len(effects["data"]) == 1 and len(_values(effects["data"][0]["x"])) == 3  # learning rate only
    lab.radio(key="search_style").set_value("panda").run()
    lab.number_input(key="panda_chunk").set_value(5).run()
    lab.button(key="panda_new").click().run()
    lab.button(key="panda_step").click().run()
    _clean(lab)
    log = _table(lab, "action")
    assert log["epoch"].tolist() == [5] and log["action"].iloc[0]


def _points_csv(rows: int = 60) -> bytes:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 2))
    return pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1],
                         "label": np.where(x[:, 0] > 0, "cat", "dog")}).to_csv(index=False).encode()


def test_own_data_trains_and_never_shows_nan(lab):
    lab.file_uploader(key="own_file").set_value(("points.csv", _points_csv(), "text/csv")).run()
    lab.number_input(key="own_epochs").set_value(50).run()
    lab.button(key="own_train").click().run()
    _clean(lab)
    shown = {m.label: m.value for m in lab.metric}
    assert shown["Epoch"] == "50" and shown["Dev error"].endswith("%")
    assert _chart(lab, "Your points at epoch 50")
    everything = _texts(lab) + " ".join(str(m.value) for m in lab.metric)
    assert not re.search(r"\bnan\b", everything, re.IGNORECASE)
    curves = json.dumps(_chart(lab, "Cost and error"))
    assert "Bayes error nan" not in curves


@pytest.mark.parametrize(("content", "expected"), [
    (b"x1,x2,label\n" + b"".join(b"%d,%d,%s\n" % (i, i, b"ab"[i % 2:i % 2 + 1]) for i in range(11))
     + b"3,oops,b\n", "x2 must hold finite numbers"),
    (b"a,b,c\n" * 12, "the table needs columns x1, x2 and label"),
    (b"x1,x2,label\n1,2,a\n3,4,b\n", "the table must have 10 to"),
])
def test_bad_upload_shows_a_message_next_to_the_uploader(lab, content, expected):
    lab.file_uploader(key="own_file").set_value(("bad.csv", content, "text/csv")).run()
    assert not lab.exception
    assert expected in plain(" ".join(e.value for e in lab.error))


def test_default_run_tells_its_story_and_names_the_gap(lab):
    text = plain(" ".join(i.value for i in lab.info))
    assert "High variance" in text and "Train-dev gap now" in text
    lab.selectbox(key="lab_speed").set_value(1000).run()
    lab.button(key="lab_step").click().run()  # to the default target, epoch 1,000
    _clean(lab)
    story = next(plain(i.value) for i in lab.info if "Train-dev gap now" in i.value)
    gap = float(re.search(r"Train-dev gap now: \*\*([\d.]+) points", story).group(1))
    assert "at epoch 1,000" in story and gap >= 5.0
