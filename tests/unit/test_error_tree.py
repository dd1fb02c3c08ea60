"""Error tree against scikit-learn's own tree on the same data, and its cohorts in words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier

from analysis.error_tree import encode_for_tree, fit_error_tree


def _photos(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Errors concentrate on blurry phone photos and on old photos; 3% of ages unknown."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "device": rng.choice(["phone", "tablet", "web"], rows),
        "blur": rng.choice(["yes", "no"], rows, p=[0.3, 0.7]),
        "age_days": rng.uniform(0, 1000, rows),
    })
    frame.loc[rng.random(rows) < 0.03, "age_days"] = np.nan
    rate = np.where((frame["device"] == "phone") & (frame["blur"] == "yes"), 0.45, 0.06)
    rate = np.where(frame["age_days"] > 800, rate + 0.15, rate)
    return frame, rng.random(rows) < rate


def test_error_tree_matches_scikit_learns_tree_on_the_same_data():
    frame, errors = _photos(5_000, seed=0)
    columns = ["device", "blur", "age_days"]
    nodes = fit_error_tree(frame, errors, columns, max_depth=3, min_samples_leaf=30, seed=0)
    x, _ = encode_for_tree(frame, columns)
    reference = DecisionTreeClassifier(max_depth=3, min_samples_leaf=30, random_state=0)
    reference.fit(x.to_numpy(), errors)
    tree = reference.tree_
    assert len(nodes) == tree.node_count
    for node in nodes:
        assert node.n == tree.n_node_samples[node.id]
        # scikit-learn stores class fractions per node; column 1 is the class True.
        assert node.errors == pytest.approx(tree.value[node.id, 0, 1] * tree.n_node_samples[node.id])
        assert node.error_rate == pytest.approx(tree.value[node.id, 0, 1])
        assert node.is_leaf == (tree.children_left[node.id] == -1)
    children = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node)
    for parent in nodes:
        if not parent.is_leaf:
            assert sorted(c.id for c in children[parent.id]) == sorted(
                [tree.children_left[parent.id], tree.children_right[parent.id]])
            assert sum(c.n for c in children[parent.id]) == parent.n


def test_root_holds_every_row_and_leaves_cover_every_error():
    frame, errors = _photos(4_000, seed=1)
    nodes = fit_error_tree(frame, errors, ["device", "blur", "age_days"])
    root = nodes[0]
    assert (root.id, root.parent, root.path, root.n, root.errors) == (
        0, None, "all rows", 4_000, int(errors.sum()))
    assert root.coverage == 1.0
    assert sum(n.coverage for n in nodes if n.is_leaf) == pytest.approx(1.0)
    assert sum(n.n for n in nodes if n.is_leaf) == 4_000


def test_blurry_phone_photos_are_the_worst_leaf_and_read_as_a_cohort():
    frame, errors = _photos(8_000, seed=2)
    nodes = fit_error_tree(frame, errors, ["device", "blur", "age_days"], max_depth=2)
    worst = max((n for n in nodes if n.is_leaf), key=lambda n: n.error_rate)
    assert set(worst.path.split(" & ")) == {"device = phone", "blur = yes"}
    child = next(n for n in nodes if n.id == worst.id)
    assert child.rule in worst.path


def test_numeric_split_says_where_missing_values_go():
    frame, errors = _photos(8_000, seed=3)
    nodes = fit_error_tree(frame, errors, ["age_days"], max_depth=1)
    rules = [n.rule for n in nodes[1:]]
    assert any(r.startswith("age_days <= ") for r in rules)
    assert any(r.startswith("age_days > ") for r in rules)
    assert sum("or missing" in r for r in rules) == 1


def test_no_errors_gives_a_single_node():
    frame, _ = _photos(200, seed=4)
    nodes = fit_error_tree(frame, np.zeros(200, bool), ["device"])
    assert [(n.n, n.errors, n.coverage, n.is_leaf) for n in nodes] == [(200, 0, 0.0, True)]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"max_depth": 0}, "max_depth must be at least 1"),
    ({"max_depth": 9}, "max_depth must be at most 6"),
    ({"min_samples_leaf": 0}, "min_samples_leaf must be at least 1"),
    ({"columns": ["lens"]}, "columns names 'lens', which frame lacks"),
])
def test_invalid_tree_inputs_name_the_parameter(kwargs, message):
    frame, errors = _photos(100, seed=5)
    call = {"columns": ["device"], **kwargs}
    with pytest.raises(ValueError, match=message):
        fit_error_tree(frame, errors, call.pop("columns"), **call)
