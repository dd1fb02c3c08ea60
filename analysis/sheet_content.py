"""The error-analysis sheet's stored form: JSON-able content for the workspace store and back.

workspace.kinds.ERROR_SHEET delegates to these two functions; nothing else parses a sheet's
content.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.error_sheet import validate_sheet
from analysis.validation import rows_preview


def sheet_to_content(sheet: pd.DataFrame, categories: Sequence[str],
                     meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """JSON-able form of a sheet for the workspace store (ticks as booleans, NaN as None)."""
    frame = validate_sheet(sheet, categories)
    rows = []
    for record in frame.astype(object).to_dict(orient="records"):
        rows.append({str(k): _json_cell(v) for k, v in record.items()})
    return {"version": 1, "columns": [str(c) for c in frame.columns], "categories": list(categories),
            "rows": rows, "meta": dict(meta or {})}


def _json_cell(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value if isinstance(value, int | str) else str(value)


def sheet_from_content(content: Mapping[str, Any]) -> tuple[pd.DataFrame, list[str], dict[str, Any]]:
    """Inverse of sheet_to_content: (sheet, categories, meta).

    Raises ValueError saying what is wrong when the content is not a sheet of this version
    (damaged, older, or saved by another page), so a page can name it instead of failing.
    """
    if not isinstance(content, Mapping) or not isinstance(content.get("columns"), list) \
            or not isinstance(content.get("rows"), list):
        raise ValueError("it is not an error-analysis sheet of this version (no list of columns "
                         "and rows): it may be damaged, older, or saved by another page.")
    rows = content["rows"]
    odd = [i for i, row in enumerate(rows) if not isinstance(row, Mapping)
           or any(isinstance(v, Mapping | list) for v in row.values())]
    if odd:
        raise ValueError(f"{len(odd)} of its rows are not rows of cells ({rows_preview(odd)}): "
                         "the sheet is damaged.")
    categories = content.get("categories", [])
    if not isinstance(categories, list):
        raise ValueError(f"its categories are not a list of column names: {categories!r}.")
    frame = pd.DataFrame(list(rows), columns=[str(c) for c in content["columns"]])
    meta = content.get("meta") or {}
    if not isinstance(meta, Mapping):
        raise ValueError(f"its settings are not a mapping: {meta!r}.")
    return validate_sheet(frame, [str(c) for c in categories]), [str(c) for c in categories], \
        _clean_meta(meta)


def _clean_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The sheet's settings with values of the wrong type dropped (their defaults apply)."""
    cleaned = dict(meta)
    error = cleaned.get("dev_error")
    if error is not None and not (isinstance(error, int | float) and not isinstance(error, bool)
                                  and 0 <= error <= 100):
        cleaned.pop("dev_error")
    total = cleaned.get("total_dev_errors")
    if total is not None and not (isinstance(total, int) and not isinstance(total, bool)
                                  and total >= 0):
        cleaned["total_dev_errors"] = None
    if not isinstance(cleaned.get("label_category"), str | None):
        cleaned["label_category"] = None
    return cleaned
