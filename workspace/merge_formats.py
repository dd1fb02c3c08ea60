"""How each saved kind that teammates edit together reads as a merge `Doc` and back.

The error sheet stores its row ids and column ids beside its rows ("row_ids", "column_ids");
a revision saved before ids existed gets positional row ids ("r0", "r1", ...) and its column
names as column ids, the same for everyone who opens it, so two people who opened it merge.
A model table's rows are matched by model name (by position when names repeat). A project
goal is settings only: each of its fields merges on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workspace.kinds import (
    ERROR_SHEET,
    MODEL_TABLE,
    PROJECT_GOAL,
    VERSION_KEY,
    SavedKind,
    legacy_row_ids,
    stored_ids,
)
from workspace.table_merge import Doc

ROW_IDS = "row_ids"
COLUMN_IDS = "column_ids"


def _doc(rows: Sequence[Mapping[str, Any]], names: list[str], row_ids: list[str],
         column_ids: list[str], categories: Sequence[str], fields: Mapping[str, Any]) -> Doc:
    by_name = dict(zip(names, column_ids, strict=True))
    cells = {rid: {by_name[n]: row.get(n) for n in names} for rid, row in zip(row_ids, rows,
                                                                            strict=True)}
    return Doc(tuple(row_ids), cells, tuple(column_ids), dict(zip(column_ids, names, strict=True)),
               tuple(by_name[c] for c in categories if c in by_name), dict(fields))


def _rows(doc: Doc) -> list[dict[str, Any]]:
    return [{doc.names[c]: doc.cells[r].get(c) for c in doc.columns} for r in doc.row_ids]


@dataclass(frozen=True)
class MergeFormat:
    """One kind's content as a merge Doc and back (`to_content` keeps the ids)."""

    kind: SavedKind[Any]

    def to_doc(self, content: Mapping[str, Any]) -> Doc:
        """The stored content as a Doc (ValueError when it is not this kind's content)."""
        if self.kind is PROJECT_GOAL:
            return Doc((), {}, (), {}, (), {k: v for k, v in content.items() if k != VERSION_KEY})
        rows = content.get("rows")
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            raise ValueError(f"the saved {self.kind.singular} has no list of rows to merge into.")
        if self.kind is ERROR_SHEET:
            names = [str(c) for c in content.get("columns") or []]
            categories = [str(c) for c in content.get("categories") or []]
            fields = content.get("meta") or {}
        else:
            names = list(dict.fromkeys(str(k) for row in rows for k in row))
            categories = []
            fields = {k: content.get(k) for k in ("selection", "threshold")}
        row_ids = stored_ids(content, ROW_IDS, self._row_keys(rows))
        return _doc(rows, names, row_ids, stored_ids(content, COLUMN_IDS, names), categories, fields)

    def _row_keys(self, rows: Sequence[Mapping[str, Any]]) -> list[str]:
        """Ids of rows saved without them: model names when unique, else positions."""
        models = [row.get("model") for row in rows]
        if self.kind is MODEL_TABLE and all(isinstance(m, str) for m in models) \
                and len(set(models)) == len(models):
            return [f"model:{m}" for m in models]
        return legacy_row_ids(len(rows))

    def to_content(self, doc: Doc, template: Mapping[str, Any]) -> dict[str, Any]:
        """Stored content for `doc`; keys this merge does not handle are kept from `template`."""
        if self.kind is PROJECT_GOAL:
            return {**template, **doc.fields}
        content = {**template, "rows": _rows(doc), ROW_IDS: list(doc.row_ids),
                   COLUMN_IDS: list(doc.columns)}
        if self.kind is ERROR_SHEET:
            content.update(columns=[doc.names[c] for c in doc.columns],
                           categories=[doc.names[c] for c in doc.categories],
                           meta=dict(doc.fields))
        else:
            content.update(doc.fields)
        return content


SHEET_FORMAT = MergeFormat(ERROR_SHEET)
MODEL_TABLE_FORMAT = MergeFormat(MODEL_TABLE)
GOAL_FORMAT = MergeFormat(PROJECT_GOAL)
FORMATS = {f.kind.name: f for f in (SHEET_FORMAT, MODEL_TABLE_FORMAT, GOAL_FORMAT)}
