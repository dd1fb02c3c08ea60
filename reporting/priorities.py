"""The report's "what to work on first" section: the newest error-analysis sheet's categories
ranked by ceiling gain per unit of effort, with the ideas, effort and owner the team typed
beside the sheet (the priority table of the error-analysis page, same function)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from analysis.error_priorities import ranked_plan
from analysis.error_sheet import category_label
from reporting.builders import newest_sheet, when
from reporting.registry import ReportContext, register
from reporting.sections import ErrorAnalysisSection, Section
from workspace.kinds import SHEET_PRIORITIES

_SHOWN = {"rank": "rank", "category": "category", "share": "share %",
          "ceiling_gain": "ceiling gain (points)", "best_dev_error": "dev error at best %",
          "effort": "effort", "gain_per_effort": "gain per effort", "owner": "owner",
          "ideas": "ideas"}


@dataclass(frozen=True)
class PrioritiesSection(Section):
    """The priority table of the newest sheet: rank, ceiling gain, effort, owner, ideas."""

    key: ClassVar[str] = "priorities"
    title: ClassVar[str] = "What to work on first: priorities and owners"
    markdown_table: ClassVar[bool] = True

    ranking: pd.DataFrame | None = None


def _plans(context: ReportContext, sheet_name: str) -> tuple[dict[str, dict[str, Any]], Any]:
    """The team's ideas / effort / owner for a sheet and the item holding them (None if none)."""
    item = context.data.item(SHEET_PRIORITIES, sheet_name)
    if item is None:
        return {}, None
    return context.data.read(SHEET_PRIORITIES, item), item


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 2)


def _printed(ranking: pd.DataFrame, plans: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The ranking as the report prints it: labels, shares in percent, blanks for no estimate."""
    table = ranking.assign(ideas=[plans.get(c, {}).get("ideas", "") for c in ranking["category"]])
    table["category"] = table["category"].map(category_label)
    table["share"] = (100 * table["share"]).round(1)
    for column in ("ceiling_gain", "best_dev_error", "effort", "gain_per_effort"):
        table[column] = [_number(v) for v in table[column]]
    return table[list(_SHOWN)].rename(columns=_SHOWN)


def _bullet(row: pd.Series) -> str:
    effort = "no effort estimate" if pd.isna(row["effort"]) else (
        f"effort {row['effort']:g}, {row['gain_per_effort']:.2f} points per unit")
    return (f"{int(row['rank'])}. {category_label(row['category'])}: at most "
            f"{row['ceiling_gain']:.2f} points of dev error, {effort}, owner "
            f"{row['owner'] or 'nobody yet'}.")


@register(PrioritiesSection, after=ErrorAnalysisSection)
def priorities_section(context: ReportContext) -> PrioritiesSection:
    """Rank the newest sheet's categories by ceiling gain per effort, with their owners."""
    newest = newest_sheet(context)
    if newest is None:
        return PrioritiesSection.absent("No error-analysis sheet is saved, so there is nothing "
                                        "to rank (error-analysis page).")
    _, item, categories, _, summary = newest
    if not categories:
        return PrioritiesSection.absent(f"Sheet {item.name!r} has no categories to rank.")
    plans, saved = _plans(context, item.name)
    ranking = ranked_plan(summary.table, summary.dev_error, plans)
    top = ranking.iloc[0]
    owners = int((ranking["owner"] != "").sum())
    source = ("no ideas, efforts or owners typed yet" if saved is None else
              f"efforts and owners saved by {saved.updated_by or 'someone'} "
              f"({when(saved.updated_at)})")
    text = (f"Sheet {item.name!r} at {summary.dev_error:g}% dev error, {source}: work on "
            f"{category_label(top['category'])} first (dev error {top['best_dev_error']:.2f}% at "
            f"best). {owners} of {len(ranking)} categories have an owner.")
    return PrioritiesSection(
        True, text, bullets=tuple(_bullet(row) for _, row in ranking.head(5).iterrows()),
        tables=(("Priority table (ceiling gain per unit of effort)", _printed(ranking, plans)),),
        warnings=tuple(ranking.attrs.get("notes", [])), ranking=ranking)
