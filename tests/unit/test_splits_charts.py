"""The split planner's figures, checked without a browser."""

from __future__ import annotations

from analysis.splits import plan_splits
from charts.splits import allocation_figure, composition_figure
from charts.theme import COLORS


def _table():
    return plan_splits({"web": 200_000, "mobile": 10_000}, target="mobile").table()


def test_composition_is_a_stack_of_one_trace_per_source_with_the_target_first():
    fig = composition_figure(_table(), target="mobile")
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["mobile (target)", "web"]
    mobile, web = fig.data
    # dev and test are 100% mobile; counts are in the labels
    assert list(mobile.y)[2:] == [100.0, 100.0]
    assert list(web.y)[2:] == [0.0, 0.0]
    assert list(mobile.text) == ["4,939", "61", "2,500", "2,500"]
    assert list(mobile.x) == ["train<br>202,500", "train-dev<br>2,500", "dev<br>2,500", "test<br>2,500"]


def test_composition_in_counts_stacks_to_split_totals():
    fig = composition_figure(_table(), target="mobile", as_share=False)
    totals = [sum(t.y[i] for t in fig.data) for i in range(4)]
    assert totals == [202_500, 2_500, 2_500, 2_500]
    assert fig.layout.yaxis.title.text == "examples"


def test_allocation_shows_where_each_source_goes_in_split_colours():
    fig = allocation_figure(_table())
    assert [t.name for t in fig.data] == ["train", "train-dev", "dev", "test"]
    assert fig.data[2].marker.color == COLORS["dev"]
    dev = fig.data[2]
    # a quarter of mobile's 10,000 examples go to dev, none of web's
    assert dict(zip(dev.y, dev.x, strict=True)) == {"web<br>200,000": 0.0, "mobile<br>10,000": 25.0}
    assert list(dev.customdata) == [0, 2_500]
    assert [sum(t.x[i] for t in fig.data) for i in range(2)] == [100.0, 100.0]
