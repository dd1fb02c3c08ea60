"""Which split shape suits how much data there is: the course's rule of thumb, stated with the
thresholds it uses, so the split planner can say when 70/30 or 60/20/20 is right (small data)
and when it wastes data (big data, where 98/1/1 is fine).

The thresholds are the course's orders of magnitude: 100, 1,000 or 10,000 examples is small
data; a million is big data. In between, dev and test need only be big enough for what they
must measure (analysis.sample_size), which is usually well under 20% each.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.validation import check_count

SMALL_DATA_MAX = 100_000  # below this, the classic shares (70/30, 60/20/20) are right
BIG_DATA_MIN = 1_000_000  # from here, 98/1/1 leaves dev and test 10,000 examples each


@dataclass(frozen=True)
class SplitRule:
    """The course's advice for a data size: the regime, the shares it suggests and why."""

    total: int
    regime: str  # "small data", "medium data" or "big data"
    shares: str  # e.g. "70/30 or 60/20/20"
    note: str
    two_way_fits: bool  # a 70/30 train / test split is a reasonable choice at this size

    def to_dict(self) -> dict[str, object]:
        """The rule as plain JSON-able data."""
        return {"total": self.total, "regime": self.regime, "shares": self.shares,
                "note": self.note, "two_way_fits": self.two_way_fits}


def split_rule(total_examples: int) -> SplitRule:
    """The course's split rule of thumb for `total_examples` examples.

    Examples
    --------
    >>> split_rule(10_000).shares
    '70/30 or 60/20/20'
    >>> split_rule(1_000_000).shares
    '98/1/1'
    """
    total = check_count("total_examples", total_examples, minimum=1)
    if total < SMALL_DATA_MAX:
        return SplitRule(total, "small data", "70/30 or 60/20/20", (
            f"With {total:,} examples (under {SMALL_DATA_MAX:,}: small data), the classic "
            "shares are right: 70/30 train / test, or 60/20/20 train / dev / test when you also "
            "tune on a dev set. A two-way split is fine while you do not need an unbiased final "
            "figure."), True)
    if total >= BIG_DATA_MIN:
        one_pct = total // 100
        return SplitRule(total, "big data", "98/1/1", (
            f"With {total:,} examples ({BIG_DATA_MIN:,} or more: big data), 70/30 or 60/20/20 "
            f"would spend {3 * total // 10:,} examples or more on evaluation: 98/1/1 "
            f"({one_pct:,} each for dev and test) is fine, as dev only has to tell apart the "
            "models you compare and test only has to give the final figure with confidence."),
            False)
    return SplitRule(total, "medium data", "sizes from what dev and test must measure", (
        f"With {total:,} examples (between {SMALL_DATA_MAX:,} and {BIG_DATA_MIN:,}), size dev "
        "and test by what they must measure (a difference to detect, an interval width) "
        "rather than by a share: about 10,000 each is usually plenty, well under 20%."), False)
