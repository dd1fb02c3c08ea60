"""The error waterfall's result: the levels (human -> train -> train-dev -> dev -> test), the
gaps between them, and the result object that carries numbers, diagnosis and warnings.

analysis.bias_variance computes it; analysis.waterfall_diagnosis words it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.general_formulation import FORMULATION_COLUMNS, FORMULATION_ROWS
from analysis.validation import check_choice

LEVELS = ("human", "train", "train-dev", "dev", "test")
GAP_KINDS = ("avoidable bias", "variance", "data mismatch", "overfitting to dev")
# The argument each level is given by, so error messages name what the caller typed.
LEVEL_ARGUMENTS = {"human": "human", "train": "train", "train-dev": "train_dev", "dev": "dev", "test": "test"}


@dataclass(frozen=True)
class SplitError:
    """The error on one split: percent, the counts behind it and its confidence interval."""

    split: str
    error: float
    examples: int | None = None
    errors: int | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Gap:
    """One step of the waterfall: `size` = error(end) - error(start), in percentage points.

    `low`/`high` bound the gap at the result's confidence when the counts are known;
    `within_noise` is True when that interval contains 0 (the gap cannot be told from chance);
    `matters` is True when the gap is a problem worth naming.
    """

    kind: str
    start: str
    end: str
    size: float
    low: float | None = None
    high: float | None = None
    within_noise: bool = False
    matters: bool = False


@dataclass(frozen=True)
class BiasVarianceResult:
    """The decomposition of a model's error, its diagnosis and its warnings.

    Error rates and gaps are in percent / percentage points; a gap is None where one of its
    two ends was not given. `ties` lists the problems that tie for largest (empty when one
    stands out); `main_problem` is then only the first of them, and the diagnosis says they
    tie. `bayes_error_pct` is the separately estimated Bayes error when one was given (it is
    then the proxy instead of the best human level).
    """

    bayes_proxy: float | None
    human_references: tuple[tuple[str, float], ...]
    levels: tuple[SplitError, ...]
    gaps: tuple[Gap, ...]
    avoidable_bias: float | None
    variance: float | None
    data_mismatch: float | None
    dev_overfit: float | None
    main_problem: str | None
    problems: tuple[str, ...]
    tactics: dict[str, tuple[str, ...]]
    within_noise: tuple[str, ...]
    warnings: tuple[str, ...]
    diagnosis: str
    confidence: float = 0.95
    from_data: bool = False
    ties: tuple[str, ...] = ()
    bayes_error_pct: float | None = None
    task_kind: str | None = None

    def error(self, level: str) -> float | None:
        """The error at `level` ("human", "train", "train-dev", "dev", "test") or None."""
        check_choice("level", level, LEVELS)
        return next((s.error for s in self.levels if s.split == level), None)

    def gap(self, kind: str) -> Gap | None:
        """The gap of `kind` (one of GAP_KINDS), or None when it could not be computed."""
        check_choice("kind", kind, GAP_KINDS)
        return next((g for g in self.gaps if g.kind == kind), None)

    def as_inputs(self) -> dict[str, Any]:
        """decompose() keyword arguments that rebuild this result (JSON-able).

        A result from data becomes its rates and counts, so a saved snapshot redraws the
        same waterfall, intervals included, without the file.
        """
        rates = {LEVEL_ARGUMENTS[s.split]: s.error for s in self.levels if s.split != "human"}
        sizes = {LEVEL_ARGUMENTS[s.split]: s.examples for s in self.levels if s.examples}
        inputs: dict[str, Any] = {"human": dict(self.human_references) or None, **rates}
        if sizes:
            inputs["sizes"] = sizes
        if self.confidence != 0.95:
            inputs["confidence"] = self.confidence
        if self.bayes_error_pct is not None:
            inputs["bayes_error_pct"] = self.bayes_error_pct
        if self.task_kind is not None:
            inputs["task_kind"] = self.task_kind
        return inputs

    def formulation_table(self) -> pd.DataFrame:
        """The levels placed in the general formulation's 3x2 table (NaN where unknown).

        Human level and training error sit in the general distribution's column; train-dev is
        "not trained on" there; dev is "not trained on" in the target column.
        """
        table = pd.DataFrame(np.nan, index=list(FORMULATION_ROWS),
                             columns=list(FORMULATION_COLUMNS), dtype=float)
        general, target = FORMULATION_COLUMNS
        cells = {"human": (FORMULATION_ROWS[0], general), "train": (FORMULATION_ROWS[1], general),
                 "train-dev": (FORMULATION_ROWS[2], general), "dev": (FORMULATION_ROWS[2], target)}
        for level in self.levels:
            if level.split in cells:
                table.loc[cells[level.split]] = level.error
        return table

    def level_table(self) -> pd.DataFrame:
        """The error at each level with its count and interval (percent), in waterfall order."""
        columns = ["level", "error", "examples", "errors", "low", "high"]
        return pd.DataFrame([[s.split, s.error, s.examples, s.errors, s.low, s.high]
                             for s in self.levels], columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of everything in the result (for storage and the report)."""
        data = asdict(self)
        data["human_references"] = [list(pair) for pair in self.human_references]
        data["tactics"] = {k: list(v) for k, v in self.tactics.items()}
        for key in ("problems", "within_noise", "warnings", "ties"):
            data[key] = list(data[key])
        data["levels"] = [asdict(s) for s in self.levels]
        data["gaps"] = [asdict(g) for g in self.gaps]
        return data
