"""URL parameters have one meaning per name, and links shared before a rename still open the
same view (the old name is read as an alias)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from components.url_params import URL_PARAMS
from tests.app.conftest import metric_values, open_view


def test_a_name_means_the_same_kind_of_value_on_every_page():
    kinds: dict[str, set[str]] = {}
    for params in URL_PARAMS.values():
        for name, param in params.items():
            unit = "percent" if "percent" in param.meaning else param.parse.__name__
            kinds.setdefault(name, set()).add(unit)
    assert {name: units for name, units in kinds.items() if len(units) > 1} == {}
    old = [o for params in URL_PARAMS.values() for p in params.values() for o in p.old_names]
    assert {"thr", "dev", "test", "train_dev", "error", "check_error"} <= set(old)


def test_an_old_split_planner_link_with_dev_and_test_opens_the_same_plan(app_test: AppTest):
    app_test.query_params.update({"sizing": "enter sizes", "dev": "4000", "test": "3000"})
    planner = open_view(app_test, "views/split_planner.py")
    assert planner.number_input(key="dev_size").value == 4000
    assert planner.number_input(key="test_size").value == 3000
    assert metric_values(planner)["dev"] == "4,000"


def test_an_old_waterfall_link_with_thr_opens_the_same_threshold(sample_app: AppTest):
    sample_app.query_params.update({"src": "Predictions file", "thr": "0.7"})
    waterfall = open_view(sample_app, "views/waterfall.py")
    assert waterfall.slider(key="threshold").value == 0.7
