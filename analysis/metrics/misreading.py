"""Results that look like a misread file: a binary model that ranks negatives above
positives, or that does worse than always predicting the majority class, most often has
its scores or labels read for the other class.
"""

from __future__ import annotations

from analysis.metrics.binary import BinaryMetrics


def misreading_warning(result: BinaryMetrics) -> str | None:
    """The warning a page shows beside a binary result that looks misread, or None.

    Rules: the ROC AUC interval lies entirely below 0.5 (the scores rank negatives first),
    or the accuracy is below the majority-class rate (always predicting the commoner class
    would do better). Below 50% accuracy, swapping the classes would help, and the text
    says by how much.

    Examples
    --------
    >>> from analysis.metrics import binary_metrics
    >>> misreading_warning(binary_metrics([1, 1, 1, 0], [0, 0, 0, 1]))[:61]
    'Accuracy 0.0% is below the 75.0% of always predicting the maj'
    >>> misreading_warning(binary_metrics([1, 1, 0, 0], [1, 1, 0, 0])) is None
    True
    """
    if not isinstance(result, BinaryMetrics):
        raise ValueError(f"result must come from binary_metrics(...); got {type(result).__name__}.")
    auc = result.roc_auc
    if auc is not None and auc.high is not None and auc.high < 0.5:
        return (f"ROC AUC {auc.value:.3f} (interval {auc.low:.3f}-{auc.high:.3f}) lies below "
                f"0.5: the scores rank negatives above positives. They may be the other class's "
                f"scores; swapped, the ROC AUC would be {1 - auc.value:.3f}.")
    accuracy = result.accuracy.value
    positives = result.tp + result.fn
    majority = max(positives, result.n - positives) / result.n
    if accuracy is None or accuracy >= majority:
        return None
    which = "positive" if positives > result.n - positives else "negative"
    text = (f"Accuracy {accuracy:.1%} is below the {majority:.1%} of always predicting the "
            f"majority class ({which}).")
    if accuracy < 0.5:
        return (f"{text} The scores or predictions may belong to the other class; swapped, "
                f"the accuracy would be {1 - accuracy:.1%}.")
    return f"{text} Check the threshold and which class counts as positive."
