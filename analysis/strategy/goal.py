"""The project goal: the one metric a team optimizes, the bounds the rest only have to meet,
what its errors cost, what the dev and test sets are and which human level it measures against.

A goal is stored in the workspace as JSON (`to_content` / `from_content`, with a schema
version); `pick_model` applies it to a table of models through analysis.selection.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from analysis.selection import GOALS, OPERATORS, ModelSelection, select_model
from analysis.validation import check_choice, check_count, check_number, check_percent
from analysis.waterfall_diagnosis import TASK_KINDS

SCHEMA_VERSION = 1
GOAL_KIND = "project_goal"


def _check_text(name: str, value: object) -> str:
    """A name a person typed: a non-empty string, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty text, e.g. 'accuracy'; got {value!r}.")
    return value.strip()


@dataclass(frozen=True)
class SatisficingBound:
    """A metric that only has to be good enough: `metric operator threshold` (e.g. running
    time <= 100 ms). `unit` is free text shown beside the threshold."""

    metric: str
    operator: str
    threshold: float
    unit: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "metric", _check_text("satisficing metric", self.metric))
        check_choice(f"the operator for {self.metric!r}", self.operator, tuple(OPERATORS))
        object.__setattr__(self, "threshold",
                           check_number(f"the threshold for {self.metric!r}", self.threshold))
        if not isinstance(self.unit, str):
            raise ValueError(f"the unit for {self.metric!r} must be text such as 'ms'; "
                             f"got {self.unit!r}.")

    def describe(self) -> str:
        """The bound as a person reads it: 'running_time_ms <= 100 ms'."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.metric} {self.operator} {self.threshold:g}{unit}"


@dataclass(frozen=True)
class EvaluationSet:
    """What a dev or test set is: the distribution it is drawn from (words) and its size."""

    distribution: str
    size: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "distribution",
                           _check_text("the set's distribution", self.distribution))
        object.__setattr__(self, "size", check_count("the set's size", self.size, minimum=1))


@dataclass(frozen=True)
class ProjectGoal:
    """Where the project aims: one optimizing metric, satisficing bounds, error costs, the
    dev and test sets and the human-level references.

    Parameters
    ----------
    metric : str
        The single optimizing metric (a column of the model table, e.g. 'accuracy').
    direction : {'max', 'min'}
        Whether a higher or a lower value of `metric` is better.
    target : float, optional
        The value of `metric` the project aims for.
    metric_unit : str
        Unit of `metric` and `target` (free text, e.g. '%').
    satisficing : sequence of SatisficingBound or (metric, operator, threshold[, unit])
        At most one bound per metric, none on the optimizing metric.
    false_positive_cost, false_negative_cost : float
        What one error of each kind costs (relative weights, >= 0, not both 0).
    cost_matrix : square sequence of sequences, optional
        Multiclass costs, rows = true class, columns = predicted class, 0 on the diagonal.
    dev_set, test_set : EvaluationSet or (distribution, size), optional
    human_error_pct : mapping name -> error in percent
        Human-level references; the best (lowest) is the Bayes proxy.
    bayes_error_pct : float, optional
        A separately estimated Bayes error; the proxy instead of human level when given.
    task_kind : {'structured data', 'perception'}, optional

    Examples
    --------
    >>> goal = ProjectGoal("accuracy", target=95, metric_unit="%",
    ...                    satisficing=[("running_time_ms", "<=", 100, "ms")],
    ...                    human_error_pct={"typical doctor": 1, "team of doctors": 0.5})
    >>> goal.bayes_proxy_pct, goal.satisficing[0].describe()
    (0.5, 'running_time_ms <= 100 ms')
    """

    metric: str
    direction: str = "max"
    target: float | None = None
    metric_unit: str = ""
    satisficing: tuple[SatisficingBound, ...] = ()
    false_positive_cost: float = 1.0
    false_negative_cost: float = 1.0
    cost_matrix: tuple[tuple[float, ...], ...] | None = None
    dev_set: EvaluationSet | None = None
    test_set: EvaluationSet | None = None
    human_error_pct: tuple[tuple[str, float], ...] = ()
    bayes_error_pct: float | None = None
    task_kind: str | None = None

    def __post_init__(self) -> None:
        # Normalising in place keeps the constructor forgiving (lists, dicts, tuples) while
        # the stored object is always the same immutable shape.
        metric = _check_text("metric", self.metric)
        object.__setattr__(self, "metric", metric)
        check_choice("direction", self.direction, GOALS)
        object.__setattr__(self, "target", check_number("target", self.target, allow_none=True))
        if not isinstance(self.metric_unit, str):
            raise ValueError(f"metric_unit must be text such as '%'; got {self.metric_unit!r}.")
        object.__setattr__(self, "satisficing", _check_bounds(self.satisficing, metric))
        fp = check_number("false_positive_cost", self.false_positive_cost, low=0.0)
        fn = check_number("false_negative_cost", self.false_negative_cost, low=0.0)
        if fp == 0 and fn == 0:
            raise ValueError("false_positive_cost and false_negative_cost are both 0: give at "
                             "least one error a cost (1 and 1 weigh them equally).")
        object.__setattr__(self, "false_positive_cost", fp)
        object.__setattr__(self, "false_negative_cost", fn)
        object.__setattr__(self, "cost_matrix", _check_cost_matrix(self.cost_matrix))
        object.__setattr__(self, "dev_set", _check_set("dev_set", self.dev_set))
        object.__setattr__(self, "test_set", _check_set("test_set", self.test_set))
        object.__setattr__(self, "human_error_pct", _check_humans(self.human_error_pct))
        object.__setattr__(self, "bayes_error_pct",
                           check_percent("bayes_error_pct", self.bayes_error_pct, allow_none=True))
        if self.task_kind is not None:
            check_choice("task_kind", self.task_kind, TASK_KINDS)

    @property
    def best_human_pct(self) -> float | None:
        """The lowest human-level error, or None when no reference is given."""
        return min((value for _, value in self.human_error_pct), default=None)

    @property
    def bayes_proxy_pct(self) -> float | None:
        """The separate Bayes estimate when given, else the best human level."""
        return self.bayes_error_pct if self.bayes_error_pct is not None else self.best_human_pct

    @property
    def satisfy(self) -> dict[str, tuple[str, float]]:
        """The bounds in analysis.selection's form: {metric: (operator, threshold)}."""
        return {b.metric: (b.operator, b.threshold) for b in self.satisficing}

    @property
    def warnings(self) -> tuple[str, ...]:
        """What in the goal contradicts the course's rules without being invalid."""
        notes = []
        if (self.dev_set is not None and self.test_set is not None
                and self.dev_set.distribution.casefold() != self.test_set.distribution.casefold()):
            notes.append(f"The dev set ({self.dev_set.distribution!r}) and the test set "
                         f"({self.test_set.distribution!r}) describe different distributions: "
                         "draw both from the data you expect in the future and care about.")
        best = self.best_human_pct
        if self.bayes_error_pct is not None and best is not None and self.bayes_error_pct > best:
            notes.append(f"The estimated Bayes error ({self.bayes_error_pct:g}%) is above the best "
                         f"human level ({best:g}%): Bayes error is the lowest reachable error, so "
                         "the estimate is probably too high.")
        if self.target is None:
            notes.append("No target is set: place the target first, then work on hitting it.")
        return tuple(notes)

    def with_costs(self, false_positive_cost: float, false_negative_cost: float, *,
                   cost_matrix: Sequence[Sequence[float]] | None = None) -> ProjectGoal:
        """The same goal with new error costs (validated again); the multiclass matrix is kept
        when `cost_matrix` is None.

        Examples
        --------
        >>> ProjectGoal("accuracy").with_costs(2, 5).false_negative_cost
        5.0
        """
        matrix = self.cost_matrix if cost_matrix is None else cost_matrix
        return replace(self, false_positive_cost=false_positive_cost,
                       false_negative_cost=false_negative_cost, cost_matrix=matrix)

    def to_content(self) -> dict[str, Any]:
        """The goal as JSON-able content for the workspace, with its schema version."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": GOAL_KIND,
            "metric": self.metric,
            "direction": self.direction,
            "target": self.target,
            "metric_unit": self.metric_unit,
            "satisficing": [[b.metric, b.operator, b.threshold, b.unit] for b in self.satisficing],
            "false_positive_cost": self.false_positive_cost,
            "false_negative_cost": self.false_negative_cost,
            "cost_matrix": None if self.cost_matrix is None else [list(r) for r in self.cost_matrix],
            "dev_set": _set_content(self.dev_set),
            "test_set": _set_content(self.test_set),
            "human_error_pct": [[name, value] for name, value in self.human_error_pct],
            "bayes_error_pct": self.bayes_error_pct,
            "task_kind": self.task_kind,
        }

    @classmethod
    def from_content(cls, content: Mapping[str, Any]) -> ProjectGoal:
        """Rebuild a goal saved by `to_content`; every field is validated again."""
        if not isinstance(content, Mapping) or content.get("kind") != GOAL_KIND:
            raise ValueError("the stored item is not a project goal (its kind is not "
                             f"{GOAL_KIND!r}): it may come from another page.")
        version = content.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"the stored project goal has schema version {version!r}; this "
                             f"version of the app reads version {SCHEMA_VERSION}: update the app.")
        return cls(**{key: content[key] for key in _CONTENT_FIELDS if key in content})


_CONTENT_FIELDS = ("metric", "direction", "target", "metric_unit", "satisficing",
                   "false_positive_cost", "false_negative_cost", "cost_matrix", "dev_set",
                   "test_set", "human_error_pct", "bayes_error_pct", "task_kind")


def _check_bounds(bounds: object, metric: str) -> tuple[SatisficingBound, ...]:
    if isinstance(bounds, str | bytes | Mapping) or not isinstance(bounds, Sequence):
        raise ValueError("satisficing must be a list of (metric, operator, threshold[, unit]), "
                         f"e.g. [('running_time_ms', '<=', 100, 'ms')]; got {bounds!r}.")
    checked = []
    for i, bound in enumerate(bounds):
        if isinstance(bound, SatisficingBound):
            checked.append(bound)
        elif isinstance(bound, Sequence) and not isinstance(bound, str) and len(bound) in (3, 4):
            checked.append(SatisficingBound(*bound))
        else:
            raise ValueError(f"satisficing[{i}] must be (metric, operator, threshold[, unit]) "
                             f"such as ('running_time_ms', '<=', 100, 'ms'); got {bound!r}.")
    names = [b.metric for b in checked]
    if metric in names:
        raise ValueError(f"satisficing bounds {metric!r}, which is the optimizing metric: a metric "
                         "is either optimized or satisficed, not both.")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"satisficing lists {', '.join(map(repr, twice))} more than once: keep "
                         "one bound per metric.")
    return tuple(checked)


def _check_cost_matrix(matrix: object) -> tuple[tuple[float, ...], ...] | None:
    if matrix is None:
        return None
    if isinstance(matrix, str | bytes) or not isinstance(matrix, Sequence) or len(matrix) < 2:
        raise ValueError("cost_matrix must be a square table of costs with at least two classes "
                         f"(rows = true class, columns = predicted class); got {matrix!r}.")
    rows = []
    for i, row in enumerate(matrix):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence) or len(row) != len(matrix):
            raise ValueError(f"cost_matrix row {i + 1} must hold {len(matrix)} costs (the matrix "
                             f"is square); got {row!r}.")
        rows.append(tuple(check_number(f"cost_matrix[{i}][{j}]", v, low=0.0)
                          for j, v in enumerate(row)))
    costly_diagonal = [i for i in range(len(rows)) if rows[i][i] != 0]
    if costly_diagonal:
        i = costly_diagonal[0]
        raise ValueError(f"cost_matrix[{i}][{i}] is {rows[i][i]:g}: a correct prediction costs "
                         "nothing, so the diagonal must be 0.")
    if not any(math.fsum(r) > 0 for r in rows):
        raise ValueError("cost_matrix is all zeros: give the errors that matter a cost.")
    return tuple(rows)


def _check_set(name: str, value: object) -> EvaluationSet | None:
    if value is None or isinstance(value, EvaluationSet):
        return value
    if isinstance(value, Mapping):
        if set(value) != {"distribution", "size"}:
            raise ValueError(f"{name} must have a distribution and a size; got keys "
                             f"{sorted(map(str, value))}.")
        return EvaluationSet(value["distribution"], value["size"])
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        return EvaluationSet(*value)
    raise ValueError(f"{name} must be (distribution, size), e.g. ('mobile-app photos', 2500); "
                     f"got {value!r}.")


def _set_content(value: EvaluationSet | None) -> dict[str, Any] | None:
    return None if value is None else {"distribution": value.distribution, "size": value.size}


def _check_humans(value: object) -> tuple[tuple[str, float], ...]:
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items = list(value)
    else:
        raise ValueError("human_error_pct must map a reference's name to its error in percent, "
                         f"e.g. {{'experienced doctor': 0.7}}; got {value!r}.")
    pairs = []
    for item in items:
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
            raise ValueError(f"human_error_pct entries must be (name, error %); got {item!r}.")
        name = _check_text("a human reference's name", item[0])
        pairs.append((name, check_percent(f"human_error_pct[{name!r}]", item[1])))
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("human_error_pct names a reference twice: give each one once.")
    return tuple(pairs)


def pick_model(goal: ProjectGoal, table: pd.DataFrame, *,
               model_column: str | None = None) -> ModelSelection:
    """The best model in `table` under the goal: the best optimizing metric among the models
    that meet every satisficing bound (analysis.selection.select_model does the work).

    Examples
    --------
    >>> models = pd.DataFrame({"model": ["A", "B", "C"], "accuracy": [90, 92, 95],
    ...                        "running_time_ms": [80, 95, 1500]})
    >>> goal = ProjectGoal("accuracy", satisficing=[("running_time_ms", "<=", 100, "ms")])
    >>> pick_model(goal, models).winner
    'B'
    """
    if not isinstance(goal, ProjectGoal):
        raise ValueError(f"goal must be a ProjectGoal; got {type(goal).__name__}.")
    return select_model(table, optimize=goal.metric, satisfy=goal.satisfy, goal=goal.direction,
                        model_column=model_column)
