"""Choosing between models: one optimizing metric plus satisficing constraints, and a paired
comparison of two models on the same dev examples (with the dev-set size that would tell
them apart, from analysis.sample_size).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics import check_labels, mcnemar_exact
from analysis.sample_size import paired_n
from analysis.validation import (
    check_choice,
    check_confidence,
    check_count,
    check_fraction,
    check_number,
    check_same_length,
    rows_preview,
)

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq,
}
GOALS = ("max", "min")


# --------------------------------------------------------------------------- optimizing / satisficing
@dataclass(frozen=True, eq=False)
class ModelSelection:
    """The winner under 'optimize one metric, satisfy the others', and why each other model lost.

    `table` is the input with columns `meets_constraints` (bool) and `verdict` (words) added;
    `reasons` maps every model to its verdict; `winner` is None when no model meets every
    constraint.
    """

    winner: str | None
    optimize: str
    goal: str
    satisfy: dict[str, tuple[str, float]]
    model_column: str
    table: pd.DataFrame
    reasons: dict[str, str]
    summary: str
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"winner": self.winner, "optimize": self.optimize, "goal": self.goal,
                "satisfy": {k: list(v) for k, v in self.satisfy.items()},
                "model_column": self.model_column, "reasons": self.reasons,
                "summary": self.summary, "table": self.table.to_dict(orient="records"),
                "warnings": list(self.warnings)}


def _check_metric_column(table: pd.DataFrame, name: str, column: object) -> pd.Series:
    if column not in table.columns:
        raise ValueError(f"{name} names the column {column!r}, which the model table does not "
                         f"have; choose one of {', '.join(map(repr, map(str, table.columns)))}.")
    values = pd.to_numeric(table[column], errors="coerce")
    text = np.flatnonzero(values.isna().to_numpy() & table[column].notna().to_numpy())
    if text.size:
        raise ValueError(f"column {column!r} has values that are not numbers "
                         f"({rows_preview(text)}): type plain numbers such as 92 or 0.92.")
    return values.astype(float)


def _check_constraints(satisfy: Mapping[str, object] | None) -> dict[str, tuple[str, float]]:
    if satisfy is None:
        return {}
    if not isinstance(satisfy, Mapping):
        raise ValueError("satisfy must map a metric to (operator, bound), e.g. "
                         f"{{'running_time_ms': ('<=', 100)}}; got {satisfy!r}.")
    checked = {}
    for metric, rule in satisfy.items():
        if not isinstance(rule, tuple | list) or len(rule) != 2:
            raise ValueError(f"satisfy[{metric!r}] must be (operator, bound) such as ('<=', 100); "
                             f"got {rule!r}.")
        op = check_choice(f"the operator for {metric!r}", rule[0], tuple(OPERATORS))
        checked[str(metric)] = (op, float(check_number(f"the bound for {metric!r}", rule[1])))
    return checked


def _guess_model_column(table: pd.DataFrame) -> str:
    for column in table.columns:
        if str(column).lower() in ("model", "name", "models"):
            return column
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]):
            return column
    raise ValueError("the model table needs a column naming the models (e.g. 'model'); "
                     "none of its columns holds text.")


@dataclass(frozen=True, eq=False)
class SavedModelTable:
    """A model table saved in a workspace, with the choice made on it (the controls' defaults)."""

    table: pd.DataFrame
    optimize: str | None
    goal: str
    satisfy: dict[str, tuple[str, float]]


_CELL_TYPES = (str, int, float, bool, type(None))


def saved_model_table(content: object) -> SavedModelTable:
    """Read a saved model table back; ValueError says what is wrong when it is damaged, older,
    or not a model table, so the page can name it instead of failing."""
    if not isinstance(content, Mapping) or not isinstance(content.get("rows", []), list):
        raise ValueError("it is not a model table of this version (no list of rows): it may be "
                         "damaged, older, or saved by another page.")
    rows = content.get("rows", [])
    odd = [i for i, row in enumerate(rows) if not isinstance(row, Mapping)
           or not all(isinstance(v, _CELL_TYPES) for v in row.values())]
    if odd:
        raise ValueError(f"{len(odd)} of its rows hold something other than plain cells "
                         f"({rows_preview(odd)}): the table is damaged.")
    selection = content.get("selection") or {}
    if not isinstance(selection, Mapping):
        raise ValueError(f"the choice saved with it is not a mapping: {selection!r}.")
    optimize = selection.get("optimize")
    goal = selection.get("goal", "max")
    return SavedModelTable(table=pd.DataFrame([dict(r) for r in rows]),
                           optimize=optimize if isinstance(optimize, str) else None,
                           goal=goal if goal in GOALS else "max",
                           satisfy=_check_constraints(selection.get("satisfy") or {}))


def select_model(table: pd.DataFrame, *, optimize: str, satisfy: Mapping[str, object] | None = None,
                 goal: str = "max", model_column: str | None = None) -> ModelSelection:
    """Pick the model with the best `optimize` value among those meeting every `satisfy` rule.

    Parameters
    ----------
    table : DataFrame, one row per model
    optimize : column to maximise (or minimise with goal='min')
    satisfy : {column: (operator, bound)}, operators '<=', '<', '>=', '>', '=='
        Satisficing metrics: they only have to be good enough.
    goal : 'max' or 'min'
    model_column : column naming the models; default 'model' or the first text column

    Examples
    --------
    >>> course = pd.DataFrame({"model": ["A", "B", "C"], "accuracy": [90, 92, 95],
    ...                        "running_time_ms": [80, 95, 1500]})
    >>> choice = select_model(course, optimize="accuracy", satisfy={"running_time_ms": ("<=", 100)})
    >>> choice.winner
    'B'
    >>> choice.reasons["C"]
    'fails running_time_ms <= 100: it has 1500'
    """
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ValueError("table must be a non-empty DataFrame with one row per model.")
    check_choice("goal", goal, GOALS)
    names_column = model_column if model_column is not None else _guess_model_column(table)
    if names_column not in table.columns:
        raise ValueError(f"model_column {names_column!r} is not a column of the table.")
    names = table[names_column].astype(str).str.strip()
    blank = np.flatnonzero((names == "").to_numpy() | table[names_column].isna().to_numpy())
    if blank.size:
        raise ValueError(f"some models have no name ({rows_preview(blank)}): name every row.")
    duplicated = names[names.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(f"model names must be unique; {duplicated!r} appears more than once.")
    scores = _check_metric_column(table, "optimize", optimize)
    rules = _check_constraints(satisfy)
    constraint_values = {metric: _check_metric_column(table, "satisfy", metric) for metric in rules}

    failures: dict[str, list[str]] = {name: [] for name in names}
    for metric, (op, bound) in rules.items():
        for name, value in zip(names, constraint_values[metric], strict=True):
            if math.isnan(value):
                failures[name].append(f"has no value for {metric}")
            elif not OPERATORS[op](value, bound):
                failures[name].append(f"fails {metric} {op} {bound:g}: it has {value:g}")
    for name, value in zip(names, scores, strict=True):
        if math.isnan(value):
            failures[name].append(f"has no value for {optimize}")
    eligible = [i for i, name in enumerate(names) if not failures[name]]
    warnings: list[str] = []
    winner = None
    if eligible:
        values = scores.iloc[eligible].to_numpy()
        best = values.max() if goal == "max" else values.min()
        tied = [names.iloc[eligible[i]] for i in np.flatnonzero(values == best)]
        winner = tied[0]
        if len(tied) > 1:
            warnings.append(f"{', '.join(tied)} tie on {optimize} = {best:g}; {winner} is listed first")
    reasons = _selection_reasons(names, scores, failures, winner, optimize, goal)
    result = table.copy()
    result["meets_constraints"] = [not failures[name] for name in names]
    result["verdict"] = [reasons[name] for name in names]
    return ModelSelection(winner, optimize, goal, rules, names_column, result, reasons,
                          _selection_summary(winner, scores, names, optimize, goal, rules),
                          tuple(warnings))


def _selection_reasons(names: pd.Series, scores: pd.Series, failures: dict[str, list[str]],
                       winner: str | None, optimize: str, goal: str) -> dict[str, str]:
    reasons = {}
    best = scores[names == winner].iloc[0] if winner is not None else None
    better = "highest" if goal == "max" else "lowest"
    worse = "<" if goal == "max" else ">"
    for name, value in zip(names, scores, strict=True):
        if failures[name]:
            reasons[name] = "; ".join(failures[name])
        elif name == winner:
            reasons[name] = f"wins: meets every constraint and has the {better} {optimize} ({value:g})"
        else:
            relation = "=" if value == best else worse
            reasons[name] = (f"meets every constraint but {optimize} {value:g} {relation} "
                             f"{best:g} ({winner})")
    return reasons


def _selection_summary(winner: str | None, scores: pd.Series, names: pd.Series, optimize: str,
                       goal: str, rules: dict[str, tuple[str, float]]) -> str:
    direction = "maximise" if goal == "max" else "minimise"
    subject = (" subject to " + ", ".join(f"{m} {op} {b:g}" for m, (op, b) in rules.items())) if rules else ""
    if winner is None:
        return f"No model meets every constraint ({direction} {optimize}{subject}): relax a bound or add models."
    value = scores[names == winner].iloc[0]
    return f"{winner} wins: {direction} {optimize}{subject} -> {optimize} = {value:g}."


# --------------------------------------------------------------------------- paired comparison
@dataclass(frozen=True)
class ModelComparison:
    """Two models on the same examples: errors, the difference, exact McNemar and a paired bootstrap.

    `difference` = error_a - error_b (positive: B makes fewer mistakes). `only_a_wrong` /
    `only_b_wrong` are the discordant pairs McNemar's test looks at.
    """

    name_a: str
    name_b: str
    n: int
    error_a: float
    error_b: float
    difference: float
    only_a_wrong: int
    only_b_wrong: int
    p_value: float
    low: float
    high: float
    confidence: float
    significant: bool
    verdict: str
    needed_dev_size: int | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"warnings": list(self.warnings)}


def compare_models(y_true: object, pred_a: object, pred_b: object, *, names: tuple[str, str] = ("A", "B"),
                   confidence: float = 0.95, alpha: float = 0.05, n_boot: int = 2000,
                   seed: int = 0) -> ModelComparison:
    """Is B's error really different from A's on these same examples?

    Exact McNemar test on the examples exactly one model gets wrong, and a paired bootstrap
    interval of error_a - error_b. Resampling rows only changes how many examples fall into
    'only A wrong' / 'both or neither' / 'only B wrong', so each replicate is one multinomial
    draw (same distribution as resampling rows, at no cost per row).

    Examples
    --------
    >>> truth = [1] * 100
    >>> a = [1] * 88 + [0] * 12          # 12 mistakes
    >>> b = [1] * 98 + [0] * 2           # 2 mistakes, all shared with A
    >>> c = compare_models(truth, a, b)
    >>> c.only_a_wrong, c.only_b_wrong, round(c.p_value, 4)
    (10, 0, 0.002)
    """
    truth, a, b = check_labels("y_true", y_true), check_labels("pred_a", pred_a), check_labels("pred_b", pred_b)
    if len({truth.dtype.kind, a.dtype.kind, b.dtype.kind}) > 1:
        truth, a, b = truth.astype(str), a.astype(str), b.astype(str)
    n = check_same_length(y_true=truth, pred_a=a, pred_b=b)
    level = check_confidence(confidence)
    significance = check_fraction("alpha", alpha)
    if not 0 < significance < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1 (0.05 is usual); got {alpha!r}.")
    draws = check_count("n_boot", n_boot, minimum=100)
    if len(names) != 2 or names[0] == names[1]:
        raise ValueError(f"names must be two different model names; got {names!r}.")
    wrong_a, wrong_b = truth != a, truth != b
    only_a = int((wrong_a & ~wrong_b).sum())
    only_b = int((wrong_b & ~wrong_a).sum())
    error_a, error_b = float(wrong_a.mean()), float(wrong_b.mean())
    p_value = mcnemar_exact(only_a, only_b)
    rng = np.random.default_rng(seed)
    replicate = rng.multinomial(n, [only_a / n, 1 - (only_a + only_b) / n, only_b / n], size=draws)
    differences = (replicate[:, 0] - replicate[:, 2]) / n
    low, high = np.quantile(differences, [(1 - level) / 2, (1 + level) / 2])
    difference = error_a - error_b
    warnings = []
    if only_a + only_b < 10:
        warnings.append(f"only {only_a + only_b} examples separate the models: the test has little power")
    needed = None
    if difference != 0 and only_a + only_b > 0:
        needed = paired_n(abs(difference), (only_a + only_b) / n, alpha=significance, power=0.8)
    significant = p_value < significance
    verdict = _comparison_verdict(names, n, difference, p_value, float(low), float(high), level,
                                  significant, needed)
    return ModelComparison(names[0], names[1], n, error_a, error_b, difference, only_a, only_b,
                           p_value, float(low), float(high), level, significant, verdict, needed,
                           tuple(warnings))


def _comparison_verdict(names: tuple[str, str], n: int, difference: float, p_value: float, low: float,
                        high: float, confidence: float, significant: bool, needed: int | None) -> str:
    if difference == 0:
        return (f"{names[0]} and {names[1]} make the same number of mistakes on these {n:,} "
                f"examples (p = {p_value:.3g}): the dev set cannot tell them apart.")
    better, worse = (names[1], names[0]) if difference > 0 else names
    interval = f"{confidence:.0%} interval for the difference {100 * low:+.2f} to {100 * high:+.2f} points"
    gap = f"{better}'s error is {100 * abs(difference):.2f} points lower than {worse}'s ({interval})"
    if significant:
        return f"{gap}; p = {p_value:.3g}, so the difference is unlikely to be chance: prefer {better}."
    need = f" Telling a gap this size apart would take about {needed:,} dev examples." if needed else ""
    return (f"{gap}, but p = {p_value:.3g}: on {n:,} examples this could be chance, so the dev "
            f"set cannot yet say which model is better.{need}")
