"""The project goal's error costs: replaced as a whole (validated again), the rest of the goal
kept, and stored through the PROJECT_GOAL kind the metrics page saves with."""

from __future__ import annotations

import pytest

from analysis.strategy import ProjectGoal
from workspace.kinds import PROJECT_GOAL

GOAL = ProjectGoal("accuracy", target=95, metric_unit="%",
                   satisficing=[("running_time_ms", "<=", 100, "ms")],
                   false_positive_cost=2, false_negative_cost=1,
                   human_error_pct={"team of reviewers": 0.5})
MATRIX = ((0, 1, 5), (1, 0, 1), (10, 1, 0))


def test_new_costs_keep_the_rest_of_the_goal():
    changed = GOAL.with_costs(1, 20)
    assert (changed.false_positive_cost, changed.false_negative_cost) == (1.0, 20.0)
    assert (changed.metric, changed.target, changed.satisfy) == (GOAL.metric, GOAL.target,
                                                                GOAL.satisfy)
    assert changed.human_error_pct == GOAL.human_error_pct


def test_the_matrix_is_kept_unless_a_new_one_is_given():
    with_matrix = GOAL.with_costs(1, 1, cost_matrix=MATRIX)
    assert with_matrix.cost_matrix == tuple(tuple(float(v) for v in row) for row in MATRIX)
    assert with_matrix.with_costs(3, 4).cost_matrix == with_matrix.cost_matrix


@pytest.mark.parametrize(("costs", "matrix", "message"), [
    ((0, 0), None, "both 0"),
    ((1, -1), None, "false_negative_cost"),
    ((1, 1), ((1, 1), (1, 0)), "diagonal must be 0"),
])
def test_costs_that_make_no_sense_are_refused(costs, matrix, message):
    with pytest.raises(ValueError, match=message):
        GOAL.with_costs(*costs, cost_matrix=matrix)


def test_costs_round_trip_through_the_saved_kind():
    saved = PROJECT_GOAL.to_content(GOAL.with_costs(3, 7, cost_matrix=MATRIX))
    back = PROJECT_GOAL.from_content(saved)
    assert (back.false_positive_cost, back.false_negative_cost) == (3.0, 7.0)
    assert back.cost_matrix[2][0] == 10.0
