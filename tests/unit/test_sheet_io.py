"""Sheet export/import: formula cells neutralised (OWASP CSV injection), text round-trips."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis.sheet_io import (
    FORMULA_TRIGGERS,
    export_csv,
    export_excel,
    neutralise_cell,
    read_sheet,
    restore_cell,
)

DATA = Path(__file__).resolve().parents[2] / "data"


def risky_sheet() -> pd.DataFrame:
    return pd.DataFrame({
        "example_id": ["img_1", "img_2", "img_3", "img_4"],
        "y_true": [1, 0, 1, 0],
        "score": [0.25, -0.5, 0.75, 1.0],
        "blurry": [True, False, True, False],
        "comments": ['=HYPERLINK("http://evil","x")', "+1+2", "@SUM(A1)", "-2+3"],
    })


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_each_trigger_gets_a_leading_apostrophe(trigger):
    assert neutralise_cell(f"{trigger}cmd") == f"'{trigger}cmd"
    assert restore_cell(neutralise_cell(f"{trigger}cmd")) == f"{trigger}cmd"


def test_plain_text_and_numbers_are_left_alone():
    assert neutralise_cell("blurry night shot") == "blurry night shot"
    assert neutralise_cell(-3.5) == -3.5
    assert neutralise_cell(True) is True


def test_csv_export_neutralises_formula_cells_but_not_numbers():
    text = export_csv(risky_sheet()).decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "example_id,y_true,score,blurry,comments"
    assert "'=HYPERLINK" in lines[1] and "'+1+2" in lines[2] and "'@SUM(A1)" in lines[3]
    assert "'-2+3" in lines[4]
    assert ",-0.5," in lines[2]  # a negative number stays a number
    assert "'-0.5" not in text


def test_excel_export_holds_no_formula_and_numbers_stay_numbers():
    book = openpyxl.load_workbook(io.BytesIO(export_excel(risky_sheet())))
    cells = list(book.active.iter_rows(min_row=2, values_only=False))
    comment_cells = [row[4] for row in cells]
    assert all(c.data_type == "s" and str(c.value).startswith("'") for c in comment_cells)
    assert cells[1][2].value == -0.5 and cells[1][2].data_type == "n"
    assert cells[0][3].value is True


@pytest.mark.parametrize("filename", ["sheet.csv", "sheet.xlsx"])
def test_formula_cell_survives_the_round_trip_as_text(filename):
    sheet = risky_sheet()
    data = export_csv(sheet) if filename.endswith(".csv") else export_excel(sheet)
    back, categories = read_sheet(data, filename)
    assert categories == ["blurry"]
    assert back["comments"].tolist() == sheet["comments"].tolist()
    assert back["score"].tolist() == sheet["score"].tolist()
    assert back["blurry"].tolist() == sheet["blurry"].tolist()


def test_text_that_starts_with_an_apostrophe_round_trips_too():
    sheet = pd.DataFrame({"example_id": ["a", "b"], "dog": [True, False],
                          "comments": ["'quoted", "''twice"]})
    back, _ = read_sheet(export_csv(sheet), "s.csv")
    assert back["comments"].tolist() == ["'quoted", "''twice"]


def test_a_formula_typed_as_a_category_name_is_neutralised_in_the_header():
    sheet = pd.DataFrame({"example_id": ["a"], "=cmd": [True], "comments": [""]})
    assert export_csv(sheet).decode("utf-8-sig").startswith("example_id,'=cmd,")
    back, categories = read_sheet(export_csv(sheet), "s.csv")
    assert categories == ["=cmd"] and bool(back.loc[0, "=cmd"])


NULL_WORDS = {"NA", "N/A", "NaN", "nan", "null", "NULL", "None"}


@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", *FORMULA_TRIGGERS, "'"]),
                          st.text(alphabet=st.characters(
                              blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                              min_size=1, max_size=12)),
                min_size=1, max_size=8))
def test_any_text_round_trips_through_csv_and_excel(parts):
    texts = [prefix + body for prefix, body in parts]
    assume(not any(t in NULL_WORDS for t in texts))  # the reader treats these words as empty
    texts.append("a plain comment")  # keeps the column text even when the others look numeric
    sheet = pd.DataFrame({"example_id": [f"id{i}" for i in range(len(texts))],
                          "dog": [i % 2 == 0 for i in range(len(texts))], "comments": texts})
    back, _ = read_sheet(export_csv(sheet), "s.csv", categories=["dog"])
    assert back["comments"].tolist() == texts
    assert back["dog"].tolist() == sheet["dog"].tolist()
    back, _ = read_sheet(export_excel(sheet), "s.xlsx", categories=["dog"])
    # XML stores no bare carriage return: .xlsx gives it back as a line feed
    assert back["comments"].tolist() == [t.replace("\r", "\n") for t in texts]


def test_the_sample_sheet_imports_with_its_five_categories():
    sheet, categories = read_sheet(DATA / "error_sheet_sample.csv")
    assert categories == ["dog", "great_cat", "blurry", "instagram_filter", "incorrectly_labeled"]
    assert sheet[categories].sum().tolist() == [8, 43, 61, 12, 6]
    assert len(sheet) == 100


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.csv", "empty"),
    (b"example_id,blurry\na,maybe\n", "s.csv", "column 'blurry' has 1 values that are not ticks"),
    (b"not a workbook", "s.xlsx", "not one"),
])
def test_bad_files_say_what_is_wrong(data, name, message):
    with pytest.raises(ValueError, match=message):
        read_sheet(data, name, categories=["blurry"] if b"blurry" in data else None)


def test_missing_path_is_reported():
    with pytest.raises(ValueError, match="No file at"):
        read_sheet("/nonexistent/sheet.csv")


def test_sheet_with_one_value_at_XFD1500_is_refused_before_it_is_built():
    from analysis.limits import ReadLimits
    from tests.corpus.hostile import xlsx_far_cell

    with pytest.raises(ValueError, match=r"16,384 columns; the limit is 2,000 columns"):
        read_sheet(xlsx_far_cell("XFD1500"), "sheet.xlsx")
    with pytest.raises(ValueError, match=r"\(max_rows\)"):
        read_sheet(export_csv(risky_sheet()), "sheet.csv", limits=ReadLimits(max_rows=3))
