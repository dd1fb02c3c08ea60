"""The error-analysis page in AppTest: start from the course's sample, edit cells and categories,
see the summary follow, and two sessions editing at once merge cell by cell."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.page_state import EXAMPLES_FOR_SHEET, ExamplesForSheet
from tests.app.conftest import plain

PAGE = "views/error_analysis.py"


def open_page(at: AppTest) -> AppTest:
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def start_from_sample(at: AppTest) -> AppTest:
    open_page(at)
    at.radio(key="ea.source").set_value("sample").run()
    at.button(key="ea.start").click().run()
    assert not at.exception
    return at


def summary_counts(at: AppTest) -> dict[str, int]:
    table = next(d.value for d in at.dataframe if "best dev error" in d.value.columns)
    return dict(zip(table["category"], table["errors"].astype(int), strict=True))


def editor(at: AppTest):
    return at.data_editor[0]


def history_revisions(at: AppTest) -> list[int]:
    """The revisions the history lists (switched on first: it is read only on demand)."""
    if not at.toggle(key="ea.history_on").value:
        at.toggle(key="ea.history_on").set_value(True).run()
    table = next(d.value for d in at.dataframe if "revision" in d.value.columns)
    return table["revision"].astype(int).tolist()


def test_start_from_the_sample_shows_the_course_numbers(app_test):
    at = start_from_sample(app_test)
    assert summary_counts(at) == {"blurry": 61, "great cat": 43, "instagram filter": 12,
                                  "dog": 8, "incorrectly labeled": 6}
    assert any("3.9%" in plain(m.value) for m in at.markdown)
    assert len(editor(at).value) == 100
    assert any("Not worth fixing labels yet" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 2  # ceilings and co-occurrence
    assert [b.label for b in at.get("download_button")] == ["Export CSV", "Export Excel"]


def test_editing_cells_changes_the_summary_and_every_edit_is_saved(app_test):
    at = start_from_sample(app_test)
    rows = editor(at).value
    free = rows.index[~rows["dog"].astype(bool)].tolist()
    key = editor(at).key
    at.session_state[key] = {"edited_rows": {free[0]: {"dog": True}}, "added_rows": [],
                             "deleted_rows": []}
    at.run()
    assert summary_counts(at)["dog"] == 9
    assert history_revisions(at)[0] == 2
    # the editor reports cumulative changes: the second edit must not lose the first
    at.session_state[key] = {"edited_rows": {free[0]: {"dog": True}, free[1]: {"dog": True}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    assert summary_counts(at)["dog"] == 10
    assert history_revisions(at)[:2] == [3, 2]
    assert not at.exception


def test_renaming_a_category_keeps_its_ticks(app_test):
    at = start_from_sample(app_test)
    at.selectbox(key="ea.cat_pick").set_value("blurry")
    at.text_input(key="ea.cat_rename").set_value("out of focus")
    at.button(key="ea.cat_do_rename").click().run()
    counts = summary_counts(at)
    assert counts["out of focus"] == 61 and "blurry" not in counts
    assert "out of focus" in editor(at).value.columns
    assert not at.error


def test_adding_and_deleting_categories_keep_the_other_ticks(app_test):
    at = start_from_sample(app_test)
    at.text_input(key="ea.cat_new").set_value("low light")
    at.button(key="ea.cat_add").click().run()
    assert summary_counts(at)["low light"] == 0
    at.selectbox(key="ea.cat_pick").set_value("dog")
    at.button(key="ea.cat_delete").click().run()
    counts = summary_counts(at)
    assert "dog" not in counts and counts["great cat"] == 43 and counts["blurry"] == 61


def test_a_bad_category_name_shows_an_error_and_loses_nothing(app_test):
    at = start_from_sample(app_test)
    at.selectbox(key="ea.cat_pick").set_value("blurry")
    at.text_input(key="ea.cat_rename").set_value("dog")
    at.button(key="ea.cat_do_rename").click().run()
    assert any("already a column" in e.value for e in at.error)
    assert summary_counts(at)["blurry"] == 61 and summary_counts(at)["dog"] == 8


def test_label_noise_verdict_follows_the_chosen_category_and_dev_error(app_test):
    at = start_from_sample(app_test)
    at.number_input(key="ea.dev_error").set_value(2.0).run()
    at.selectbox(key="ea.label_category").set_value("great_cat").run()
    assert any("Fix the dev (and test) labels now" in plain(s.value) for s in at.success)
    values = {m.label: m.value for m in at.metric}
    assert values["From bad labels"] == "0.86 pts" and values["Share of errors"] == "43%"


def test_a_sample_of_all_dev_errors_shows_intervals(app_test):
    at = start_from_sample(app_test)
    at.number_input(key="ea.total_errors").set_value(1000).run()
    table = next(d.value for d in at.dataframe if "best dev error" in d.value.columns)
    assert "of all 1000" in table.columns
    blurry = table.set_index("category").loc["blurry"]
    assert blurry["share"].startswith("61% (") and blurry["of all 1000"].startswith("≈610 (")


def test_two_sessions_ticking_different_cells_both_land_without_a_copy(store_url):
    from tests.app.conftest import APP_PATH

    ana = start_from_sample(AppTest.from_file(APP_PATH, default_timeout=60).run())
    ben = open_page(AppTest.from_file(APP_PATH, default_timeout=60).run())
    assert summary_counts(ben)["dog"] == 8  # ben opened the same sheet

    rows = editor(ana).value
    free = rows.index[~rows["dog"].astype(bool)].tolist()
    ana.session_state[editor(ana).key] = {"edited_rows": {free[0]: {"dog": True}},
                                          "added_rows": [], "deleted_rows": []}
    ana.run()
    # ben ticks another cell on the revision he opened: both ticks are kept, in one sheet
    ben.session_state[editor(ben).key] = {"edited_rows": {free[1]: {"dog": True}},
                                          "added_rows": [], "deleted_rows": []}
    ben.run()
    assert not ben.warning and summary_counts(ben)["dog"] == 10
    assert ben.selectbox(key="sheet").options == ["Dev errors 1"]  # no conflict copy
    assert summary_counts(ana.run())["dog"] == 10  # ana sees ben's tick on her next run
    assert editor(ana).value.loc[free[1], "dog"]


def test_a_same_cell_clash_offers_the_choice_to_the_second_saver(store_url):
    from tests.app.conftest import APP_PATH

    ana = start_from_sample(AppTest.from_file(APP_PATH, default_timeout=60).run())
    ben = open_page(AppTest.from_file(APP_PATH, default_timeout=60).run())
    for person, text in ((ana, "dark room"), (ben, "a small dog")):
        person.session_state[editor(person).key] = {"edited_rows": {0: {"comments": text}},
                                                    "added_rows": [], "deleted_rows": []}
        person.run()
    assert any("same cell" in w.value for w in ben.warning)
    assert any("you set 'a small dog'" in plain(m.value) and "local user set 'dark room'"
               in plain(m.value) for m in ben.markdown)
    ben.button(key="ea.conflict.0.mine").click().run()
    assert editor(ben).value.loc[0, "comments"] == "a small dog"
    assert not any("same cell" in w.value for w in ben.warning)
    assert editor(ana.run()).value.loc[0, "comments"] == "a small dog"


def _settings_widgets(at: AppTest):
    dev = next(n for n in at.number_input if n.label == "Dev error (%)")
    label = next(s for s in at.selectbox if s.label.startswith("Category meaning"))
    return dev, label


def test_a_teammates_settings_reach_the_widgets_as_their_defaults(store_url):
    """A browser that starts a settings widget bare (its run with the value was cut short by a
    rerun) shows the widget's default and sends it back as if typed; so the default must be
    the sheet's value, never 0.00 or the first category, or everyone's settings are
    overwritten."""
    from tests.app.conftest import APP_PATH

    ana = start_from_sample(AppTest.from_file(APP_PATH, default_timeout=60).run())
    ben = open_page(AppTest.from_file(APP_PATH, default_timeout=60).run())
    for person in (ana, ben):
        dev, label = _settings_widgets(person)
        assert dev.proto.default == dev.value == 10.0
        assert label.options[label.proto.default] == "incorrectly labeled"
    _settings_widgets(ana)[0].set_value(12.5).run()
    ben.run()  # ben's page merges ana's revision: his settings widgets start anew from it
    dev, label = _settings_widgets(ben)
    assert dev.key != "ea.dev_error" and dev.proto.default == dev.value == 12.5
    assert label.options[label.proto.default] == "incorrectly labeled"
    assert [w for w in ben.warning if "same cell" in w.value] == []


@pytest.mark.slow
def test_start_from_loaded_predictions_and_suspects(sample_app):
    at = open_page(sample_app)
    at.button(key="ea.start").click().run()
    assert not at.exception
    assert len(editor(at).value) == 100
    assert any("No category is ticked yet" in m.value for m in at.markdown)
    assert at.number_input(key="ea.total_errors").value > 100  # a sample of all dev errors
    suspects = [d.value for d in at.dataframe if "label_quality" in d.value.columns]
    assert suspects and len(suspects[0]) > 0
    at.button(key="ea.add_suspects").click().run()
    assert len(editor(at).value) > 100
    assert editor(at).value["comments"].str.startswith("check this label").any()


def test_rows_handed_over_by_the_metrics_page_start_a_sheet(app_test):
    open_page(app_test)
    rows = pd.DataFrame({"example_id": ["a", "b", "c"], "image_path": ["x.jpg"] * 3,
                         "y_true": [1, 0, 1], "y_pred": [0, 1, 0], "score": [0.2, 0.7, 0.4]})
    app_test.session_state[EXAMPLES_FOR_SHEET.key] = ExamplesForSheet(rows, 10.0, "metrics page")
    app_test.run()
    app_test.radio(key="ea.source").set_value("incoming").run()
    app_test.button(key="ea.start").click().run()
    assert not app_test.exception
    assert editor(app_test).value["example_id"].tolist() == ["a", "b", "c"]
    assert app_test.number_input(key="ea.total_errors").value == 3


def test_handed_over_rows_are_taken_once_and_dropped_once_a_sheet_uses_them(app_test):
    open_page(app_test)
    rows = pd.DataFrame({"example_id": ["a", "b"], "y_true": [1, 0], "y_pred": [0, 1],
                         "score": [0.2, 0.7]})
    app_test.session_state[EXAMPLES_FOR_SHEET.key] = ExamplesForSheet(rows, 5.0, "metrics page")
    app_test.run()
    assert EXAMPLES_FOR_SHEET.key not in app_test.session_state  # taken by the page
    app_test.radio(key="ea.source").set_value("incoming").run()  # still offered after a rerun
    app_test.button(key="ea.start").click().run()
    assert not app_test.exception
    app_test.run()
    assert "Rows handed over by the metrics page" not in app_test.radio(key="ea.source").options


def test_handed_over_rows_carry_the_metrics_pages_dev_error(app_test):
    open_page(app_test)
    rows = pd.DataFrame({"example_id": ["a", "b"], "y_true": [1, 0], "y_pred": [0, 1],
                         "score": [0.2, 0.7]})
    app_test.session_state[EXAMPLES_FOR_SHEET.key] = ExamplesForSheet(
        rows, 9.87, "metrics page", {"model": "score", "threshold": 0.5})
    app_test.run()
    app_test.radio(key="ea.source").set_value("incoming").run()
    app_test.button(key="ea.start").click().run()
    assert not app_test.exception
    assert app_test.number_input(key="ea.dev_error").value == pytest.approx(9.87)


def test_many_handed_over_rows_are_sampled_fairly(app_test):
    open_page(app_test)
    rows = pd.DataFrame({"example_id": [f"e{i}" for i in range(150)], "y_true": [1] * 150,
                         "y_pred": [0] * 150, "score": [0.3] * 150})
    app_test.session_state[EXAMPLES_FOR_SHEET.key] = ExamplesForSheet(rows, 10.0, "metrics page")
    app_test.run()
    app_test.radio(key="ea.source").set_value("incoming").run()
    app_test.button(key="ea.start").click().run()
    ids = editor(app_test).value["example_id"].tolist()
    assert len(ids) == 100 and ids != [f"e{i}" for i in range(100)]  # random, not the first 100
    assert app_test.number_input(key="ea.total_errors").value == 150


def test_an_older_revision_can_be_restored(app_test):
    at = start_from_sample(app_test)
    rows = editor(at).value
    free = rows.index[~rows["dog"].astype(bool)].tolist()
    at.session_state[editor(at).key] = {"edited_rows": {free[0]: {"dog": True}},
                                        "added_rows": [], "deleted_rows": []}
    at.run()
    assert summary_counts(at)["dog"] == 9
    assert not any(s.key == "ea.restore_pick" for s in at.selectbox)  # history read on demand
    at.toggle(key="ea.history_on").set_value(True).run()
    at.selectbox(key="ea.restore_pick").set_value(1)
    at.button(key="ea.restore").click().run()
    assert summary_counts(at)["dog"] == 8
    assert history_revisions(at) == [3, 2, 1]  # restoring is a new revision; none is lost
    assert any("Restored revision 1" in s.value for s in at.success)
