"""Error tree: a shallow decision tree fitted to "is this example misclassified?" on the
metadata, read as nested cohorts with their error rate and their share of all errors.

Each node is a cohort (the path of rules from the root); its children split it where the
error rate differs most. The node list is shaped for an icicle or treemap chart (id, parent,
n as the value, error rate as the colour).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from analysis.metadata_columns import check_metadata, encode_categorical, is_numeric_column
from analysis.validation import check_count


@dataclass(frozen=True)
class ErrorTreeNode:
    """One cohort of the error tree.

    rule is the condition that leads here from the parent ("" at the root), path all the
    rules from the root joined by " & " ("all rows" at the root); coverage is the share of
    all errors that fall in this node.
    """

    id: int
    parent: int | None
    depth: int
    rule: str
    path: str
    n: int
    errors: int
    error_rate: float
    coverage: float
    is_leaf: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the report and the chart."""
        return asdict(self)


@dataclass(frozen=True)
class _Feature:
    """One input column of the tree and how to say either side of a split on it."""

    name: str
    one_hot: bool
    has_missing: bool
    #: For a one-hot level, what its 0 side reads ("blur = no" when blur has two levels).
    otherwise: str = ""


def encode_for_tree(frame: pd.DataFrame, columns: Sequence[str], *,
                    max_levels: int = 10) -> tuple[pd.DataFrame, list[_Feature]]:
    """Numeric columns as they are (missing values stay NaN: the tree routes them), other
    columns one-hot, one 0/1 column per kept level ("device = phone"; one column in all for a
    column with two levels)."""
    parts: dict[str, np.ndarray] = {}
    features: list[_Feature] = []
    for name in columns:
        series = frame[name]
        if is_numeric_column(series):
            values = series.to_numpy(dtype=float, na_value=np.nan)
            parts[name] = values
            features.append(_Feature(name, one_hot=False, has_missing=bool(np.isnan(values).any())))
            continue
        encoded = encode_categorical(series, name, max_levels)
        conditions = encoded.conditions
        if len(conditions) == 2:
            # Two levels need one indicator, whose other side is the other level.
            parts[conditions[0].text()] = (encoded.codes == 0).astype(float)
            features.append(_Feature(conditions[0].text(), one_hot=True, has_missing=False,
                                     otherwise=conditions[1].text()))
            continue
        for code, condition in enumerate(conditions):
            label = condition.text()
            parts[label] = (encoded.codes == code).astype(float)
            features.append(_Feature(label, one_hot=True, has_missing=False,
                                     otherwise=label.replace(" = ", " != ", 1)))
    return pd.DataFrame(parts, index=frame.index), features


def _split_rules(feature: _Feature, threshold: float, missing_left: bool) -> tuple[str, str]:
    """Text of the left (<= threshold) and right branches of a split."""
    if feature.one_hot:
        # feature.name reads "device = phone"; the left branch (0) holds the other rows.
        return feature.otherwise, feature.name
    left, right = f"{feature.name} <= {threshold:.4g}", f"{feature.name} > {threshold:.4g}"
    if feature.has_missing:
        if missing_left:
            left += " or missing"
        else:
            right += " or missing"
    return left, right


def fit_error_tree(frame: pd.DataFrame, errors: object, columns: Sequence[str], *,
                   max_depth: int = 3, min_samples_leaf: int = 30, seed: int = 0,
                   max_levels: int = 10) -> list[ErrorTreeNode]:
    """Fit a shallow tree to the errors and return its nodes, root first (depth-first order).

    Parameters
    ----------
    frame : DataFrame
        One row per example with the metadata columns.
    errors : array of bool
        True where the model is wrong, one per row.
    columns : list of str
        Metadata columns the tree may split on (at most 20).
    max_depth : int
        Depth of the tree (1-6): shallow, so that each leaf reads as a cohort.
    min_samples_leaf : int
        Smallest leaf, so that no leaf's error rate rests on a handful of rows.
    seed : int
        Seed of the tree's tie-breaking among equally good splits.
    max_levels : int
        Values kept per categorical column (the rest become "(other)").

    Returns
    -------
    list of ErrorTreeNode
        n, errors and error_rate per node, coverage = node errors / all errors.

    Examples
    --------
    >>> frame = pd.DataFrame({"device": ["phone", "web"] * 100})
    >>> errors = np.r_[[True, False] * 40, [False] * 120]
    >>> [(node.path, node.errors) for node in fit_error_tree(frame, errors, ["device"])]
    [('all rows', 40), ('device = web', 0), ('device = phone', 40)]
    """
    data, flags, names = check_metadata(frame, errors, columns)
    depth = check_count("max_depth", max_depth, minimum=1)
    if depth > 6:
        raise ValueError(f"max_depth must be at most 6 (a deeper tree no longer reads as "
                         f"cohorts), got {max_depth!r}.")
    leaf = check_count("min_samples_leaf", min_samples_leaf, minimum=1)
    seed = check_count("seed", seed)
    levels = check_count("max_levels", max_levels, minimum=1)
    features_frame, features = encode_for_tree(data, names, max_levels=levels)
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf, random_state=seed)
    tree.fit(features_frame.to_numpy(), flags)
    return _nodes(tree, features_frame.to_numpy(), flags, features)


def _nodes(tree: DecisionTreeClassifier, x: np.ndarray, flags: np.ndarray,
           features: list[_Feature]) -> list[ErrorTreeNode]:
    """Walk the fitted tree depth-first; counts come from routing the rows (exact integers)."""
    structure = tree.tree_
    indicator = tree.decision_path(x)
    n = np.asarray(indicator.sum(axis=0)).ravel()
    wrong = np.asarray(indicator[np.flatnonzero(flags)].sum(axis=0)).ravel()
    total_errors = int(flags.sum())
    missing_left = getattr(structure, "missing_go_to_left", np.zeros(structure.node_count, bool))
    nodes: list[ErrorTreeNode] = []
    stack: list[tuple[int, int | None, int, str, tuple[str, ...]]] = [(0, None, 0, "", ())]
    while stack:
        node, parent, depth, rule, path = stack.pop()
        left, right = structure.children_left[node], structure.children_right[node]
        nodes.append(ErrorTreeNode(
            id=int(node), parent=parent, depth=depth, rule=rule,
            path=" & ".join(path) or "all rows", n=int(n[node]), errors=int(wrong[node]),
            error_rate=float(wrong[node] / n[node]),
            coverage=float(wrong[node] / total_errors) if total_errors else 0.0,
            is_leaf=bool(left == -1)))
        if left == -1:
            continue
        feature = features[structure.feature[node]]
        left_rule, right_rule = _split_rules(feature, float(structure.threshold[node]),
                                             bool(missing_left[node]))
        stack.append((int(right), int(node), depth + 1, right_rule, (*path, right_rule)))
        stack.append((int(left), int(node), depth + 1, left_rule, (*path, left_rule)))
    return nodes
