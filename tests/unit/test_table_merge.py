"""Cell-level merge of two people's edits to one sheet: different cells merge, the same cell
changed to two values is a conflict (and nothing else is), rows and categories added, renamed
and deleted meanwhile are followed, in either order of saving."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workspace.table_merge import (
    AddColumn,
    AddRow,
    DeleteColumn,
    DeleteRow,
    Doc,
    RenameColumn,
    SetCell,
    SetField,
    apply,
    diff,
    op_record,
    rebase,
)

CATS = ("dog", "blurry", "great_cat")


def sheet(n: int = 4) -> Doc:
    """n reviewed errors, three unticked categories, a comments column and a dev error."""
    rows = tuple(f"r{i}" for i in range(n))
    columns = ("example_id", *CATS, "comments")
    cells = {r: {"example_id": f"img_{i}", **dict.fromkeys(CATS, False), "comments": ""}
             for i, r in enumerate(rows)}
    return Doc(rows, cells, columns, {c: c for c in columns}, CATS, {"dev_error": 10.0})


def tick(row: str, column: str, value: bool = True) -> SetCell:
    return SetCell(row, column, not value, value)


def canonical(doc: Doc) -> tuple:
    """The sheet as people read it: columns by name, rows by id (the order of rows or columns
    two people added at once follows the order of their saves, so it is left out)."""
    names = {doc.names[c] for c in doc.columns}
    cells = {r: {doc.names[c]: doc.cells[r].get(c) for c in doc.columns} for r in doc.row_ids}
    base_order = [r for r in doc.row_ids if r.startswith("r")]
    return (frozenset(names), frozenset(doc.names[c] for c in doc.categories), cells,
            base_order, dict(doc.fields))


def both_orders(base: Doc, mine: list, theirs: list):
    """(mine saved second, theirs saved second): each rebased onto the other's revision."""
    first = rebase(mine, rebase(theirs, base).doc)
    second = rebase(theirs, rebase(mine, base).doc)
    return first, second


def test_ticks_in_different_cells_both_land_in_either_order():
    base = sheet()
    ana, ben = [tick("r0", "dog")], [tick("r1", "blurry"), tick("r0", "great_cat")]
    first, second = both_orders(base, ana, ben)
    for merged in (first, second):
        assert not merged.conflicts and not merged.unapplied
        assert merged.doc.value("r0", "dog") and merged.doc.value("r1", "blurry")
        assert merged.doc.value("r0", "great_cat")
    assert canonical(first.doc) == canonical(second.doc)


def test_the_same_cell_to_two_values_is_the_one_conflict_and_theirs_stays():
    base = sheet()
    ana = [SetCell("r2", "comments", "", "blurry, dark")]
    ben = [SetCell("r2", "comments", "", "a dog"), tick("r3", "dog")]
    merged = rebase(ben, apply(ana, base))
    (conflict,) = merged.conflicts
    assert (conflict.what, conflict.row, conflict.column) == ("cell", "r2", "comments")
    assert (conflict.base, conflict.mine, conflict.theirs) == ("", "a dog", "blurry, dark")
    assert merged.doc.value("r2", "comments") == "blurry, dark"  # nothing written over
    assert merged.doc.value("r3", "dog")  # the rest of ben's edit landed


def test_the_same_cell_to_the_same_value_is_no_conflict():
    base = sheet()
    merged = rebase([tick("r0", "dog")], apply([tick("r0", "dog")], base))
    assert not merged.conflicts and not merged.applied and merged.doc.value("r0", "dog")


def test_a_tick_in_a_category_renamed_meanwhile_lands_in_the_renamed_category():
    base = sheet()
    renamed = apply([RenameColumn("blurry", "blurry", "out of focus")], base)
    merged = rebase([tick("r1", "blurry")], renamed)
    assert not merged.conflicts and merged.doc.names["blurry"] == "out of focus"
    assert merged.doc.value("r1", "blurry") is True
    # the other order: the rename lands on the ticked sheet and the tick moves with it
    other = rebase([RenameColumn("blurry", "blurry", "out of focus")],
                   apply([tick("r1", "blurry")], base))
    assert canonical(other.doc) == canonical(merged.doc)


def test_a_tick_on_a_row_deleted_meanwhile_is_reported_not_dropped_silently():
    base = sheet()
    deleted = apply([DeleteRow("r2", base.cells["r2"])], base)
    merged = rebase([tick("r2", "dog"), tick("r0", "dog")], deleted)
    (lost,) = merged.unapplied
    assert lost.op == tick("r2", "dog") and lost.reason == "row deleted"
    assert "r2" not in merged.doc.cells and merged.doc.value("r0", "dog")


def test_a_tick_in_a_category_deleted_meanwhile_is_reported():
    base = sheet()
    merged = rebase([tick("r0", "dog")], apply([DeleteColumn("dog", "dog")], base))
    assert [u.reason for u in merged.unapplied] == ["column deleted"]
    assert "dog" not in merged.doc.names


def test_rows_added_by_both_are_all_kept_and_cells_of_new_columns_default():
    base = sheet(2)
    ana = [AddRow("a1", {"example_id": "new_a", "dog": True})]
    ben = [AddColumn("c9", "low light", True, "great_cat"), AddRow("b1", {"example_id": "new_b"})]
    first, second = both_orders(base, ana, ben)
    assert canonical(first.doc) == canonical(second.doc)
    doc = first.doc
    assert set(doc.row_ids) == {"r0", "r1", "a1", "b1"}
    assert doc.value("a1", "c9") is False and doc.value("a1", "dog") is True
    assert doc.names["c9"] == "low light" and "c9" in doc.categories


def test_a_category_both_added_under_one_name_becomes_one_column_with_both_ticks():
    base = sheet(2)
    ana = [AddColumn("ca", "low light", True), SetCell("r0", "ca", False, True)]
    ben = [AddColumn("cb", "low light", True), SetCell("r1", "cb", False, True)]
    first, second = both_orders(base, ana, ben)
    for merged in (first, second):
        column = merged.doc.column_named("low light")
        assert [merged.doc.names[c] for c in merged.doc.columns].count("low light") == 1
        assert merged.doc.value("r0", column) and merged.doc.value("r1", column)
    assert canonical(first.doc) == canonical(second.doc)


def test_two_renames_of_one_category_conflict_on_its_name():
    base = sheet()
    merged = rebase([RenameColumn("dog", "dog", "puppy")],
                    apply([RenameColumn("dog", "dog", "hound")], base))
    (conflict,) = merged.conflicts
    assert (conflict.what, conflict.mine, conflict.theirs) == ("name", "puppy", "hound")


def test_a_rename_onto_a_name_a_teammate_took_is_a_conflict():
    base = sheet()
    merged = rebase([RenameColumn("dog", "dog", "pet")],
                    apply([AddColumn("cx", "pet", True)], base))
    assert [c.what for c in merged.conflicts] == ["name"]


def test_settings_merge_key_by_key():
    base = sheet()
    ana = [SetField("dev_error", 10.0, 12.5)]
    ben = [SetField("label_category", None, "blurry")]
    first, second = both_orders(base, ana, ben)
    assert canonical(first.doc) == canonical(second.doc)
    assert first.doc.fields == {"dev_error": 12.5, "label_category": "blurry"}
    clash = rebase([SetField("dev_error", 10.0, 7.5)], apply(ana, base))
    assert [(c.what, c.mine, c.theirs) for c in clash.conflicts] == [("field", 7.5, 12.5)]


def test_diff_then_apply_gives_back_the_edited_sheet():
    base = sheet()
    edited = apply([RenameColumn("dog", "dog", "puppy"), DeleteRow("r3", base.cells["r3"]),
                    AddColumn("cn", "night", True, "great_cat"), tick("r0", "blurry"),
                    AddRow("n1", {"example_id": "x", "cn": True}),
                    SetField("dev_error", 10.0, 4.0)], base)
    ops = diff(base, edited)
    assert apply(ops, base) == edited
    assert {type(op).__name__ for op in ops} == {"RenameColumn", "DeleteRow", "AddColumn",
                                                "SetCell", "AddRow", "SetField"}


def test_a_tick_is_not_the_number_one():
    base = sheet()
    ops = diff(base, apply([SetCell("r0", "comments", "", 1)], base))
    assert ops == [SetCell("r0", "comments", "", 1)]
    assert diff(base, base) == []


def test_op_records_say_which_cell_and_both_values():
    assert op_record(tick("r1", "dog")) == {"op": "SetCell", "row": "r1", "column": "dog",
                                            "old": False, "new": True}
    assert op_record(RenameColumn("dog", "dog", "pup"))["new"] == "pup"


# ------------------------------------------------------------------------- properties

def _edit(draw, base: Doc, who: str) -> list:
    """A random edit of `base`: ticks and comments, rows added or deleted, categories added,
    renamed or deleted, settings changed."""
    cells: dict = {}  # one change per cell, as a diff makes it
    for _ in range(draw(st.integers(0, 6))):
        row = draw(st.sampled_from(base.row_ids))
        column = draw(st.sampled_from((*CATS, "comments")))
        new = draw(st.text("ab", max_size=2)) if column == "comments" else draw(st.booleans())
        if new != base.value(row, column):
            cells[row, column] = SetCell(row, column, base.value(row, column), new)
    ops: list = list(cells.values())
    if draw(st.booleans()):
        row = draw(st.sampled_from(base.row_ids))
        ops.append(DeleteRow(row, base.cells[row]))
    if draw(st.booleans()):
        ops.append(AddRow(f"{who}-row", {"example_id": who, "dog": draw(st.booleans())}))
    if draw(st.booleans()):
        column = draw(st.sampled_from(CATS))
        ops.append(RenameColumn(column, column, draw(st.sampled_from(("x", "y", f"{who}-r")))))
    if draw(st.booleans()):
        column = f"{who}-col"
        ops += [AddColumn(column, draw(st.sampled_from(("z", who))), True),
                SetCell(draw(st.sampled_from(base.row_ids)), column, False, True)]
    if draw(st.booleans()):
        column = draw(st.sampled_from(CATS))
        ops.append(DeleteColumn(column, column))
    if draw(st.booleans()):
        ops.append(SetField("dev_error", 10.0, draw(st.sampled_from((5.0, 7.5)))))
    return ops


@st.composite
def two_edits(draw):
    base = sheet(draw(st.integers(1, 5)))
    return base, _edit(draw, base, "ana"), _edit(draw, base, "ben")


@settings(max_examples=400, deadline=None)
@given(two_edits())
def test_two_edits_without_conflicts_give_the_same_sheet_in_either_order(case):
    base, ana, ben = case
    first, second = both_orders(base, ana, ben)
    if first.conflicts or second.conflicts:
        return
    assert canonical(first.doc) == canonical(second.doc)


@settings(max_examples=400, deadline=None)
@given(two_edits())
def test_conflicts_are_exactly_the_cells_both_set_to_different_values(case):
    base, ana, ben = case
    merged = rebase(ben, apply(ana, base))
    ana_cells = {(o.row, o.column): o.new for o in ana if isinstance(o, SetCell)}
    ben_cells = {(o.row, o.column): o.new for o in ben if isinstance(o, SetCell)}
    expected = {key for key in ana_cells.keys() & ben_cells.keys()
                if ana_cells[key] != ben_cells[key] and key[0] in base.cells
                and not any(isinstance(o, DeleteRow) and o.row == key[0] for o in ana)
                and not any(isinstance(o, DeleteColumn) and o.column == key[1] for o in ana)}
    found = {(c.row, c.column) for c in merged.conflicts if c.what == "cell"}
    assert found == expected


@settings(max_examples=300, deadline=None)
@given(two_edits())
def test_every_change_of_the_second_saver_is_applied_or_reported(case):
    base, ana, ben = case
    merged = rebase(ben, apply(ana, base))
    doc = merged.doc
    own = {o.row for o in ben if isinstance(o, DeleteRow)} | {
        o.column for o in ben if isinstance(o, DeleteColumn)}
    for op in ben:
        if not isinstance(op, SetCell) or op.column.endswith("-col") or {op.row, op.column} & own:
            continue  # ben's own deletions win over his own ticks
        reported = any(u.op == op for u in merged.unapplied) or any(
            (c.row, c.column) == (op.row, op.column) for c in merged.conflicts)
        assert reported or doc.value(op.row, op.column) == op.new


@pytest.mark.parametrize("order", ["ana first", "ben first"])
def test_delete_and_tick_of_one_row_end_the_same_either_way(order):
    base = sheet()
    ana, ben = [DeleteRow("r1", base.cells["r1"])], [tick("r1", "dog")]
    first, second = (ana, ben) if order == "ana first" else (ben, ana)
    merged = rebase(second, apply(first, base))
    assert "r1" not in merged.doc.cells
