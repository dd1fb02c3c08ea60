"""One number to decide with: confusion-matrix metrics with intervals, threshold analysis,
ROC/PR curves, slices and weighted error.

Everything is vectorised numpy: one `np.bincount` builds a confusion matrix, one sort builds
every score curve (ROC, PR, precision/recall/F1/queue rate against the threshold), and the
confusion matrix at any threshold is then read off the sorted curve without touching the rows
again. Values agree with scikit-learn (same tie handling: a threshold t flags every example
with score >= t). Undefined values (precision with no predicted positives, ...) are reported
with a reason, or replaced by an explicit `zero_division` number, never a crash.

Intervals are withheld ("too few examples") when their standard error is 0 or fewer than 10
positive examples stand behind a positive-class metric.

The package is cut along its seams: `inputs` (checks), `estimate` (a value with its interval),
`resample` (seeded bootstrap rows), `curves`, `binary`, `thresholds`, `multiclass`,
`multiclass_scores` (top-k, per-class thresholds), `multilabel`, `slices`, `calibration`,
`recalibration`, `cost` (cost of errors), `paired` (McNemar, model diff per slice),
`misreading` and `tables` (what other pages take: model table, error rows, confusion cells).
Import from `analysis.metrics`; the modules are an inside view. docs/metrics.md has the rules.
"""

from analysis.metrics.binary import (
    BinaryMetrics,
    binary_from_counts,
    binary_metrics,
    metrics_at_threshold,
)
from analysis.metrics.calibration import (
    CALIBRATION_RULE,
    CalibrationMetrics,
    calibration_metrics,
)
from analysis.metrics.cost import DecisionCost, ErrorCost, decision_cost, error_cost
from analysis.metrics.curves import ScoreCurve, score_curve
from analysis.metrics.estimate import MIN_POSITIVES, TOO_FEW, Estimate
from analysis.metrics.inputs import UNDEFINED, check_labels
from analysis.metrics.misreading import misreading_warning
from analysis.metrics.multiclass import (
    MulticlassMetrics,
    multiclass_from_confusion,
    multiclass_metrics,
)
from analysis.metrics.multiclass_scores import per_class_thresholds, top_k_accuracy
from analysis.metrics.multilabel import MultiLabelMetrics, multilabel_metrics
from analysis.metrics.paired import ALL_ROWS, ModelDiff, holm, mcnemar_exact, model_diff
from analysis.metrics.recalibration import Recalibration, recalibrate
from analysis.metrics.slices import (
    SliceMetrics,
    WeightedError,
    slice_metrics,
    slice_metrics_from_counts,
    weighted_error,
)
from analysis.metrics.tables import (
    confusion_cell_examples,
    error_examples,
    metrics_table,
    misclassified_examples,
)
from analysis.metrics.thresholds import (
    ThresholdChoice,
    best_f1_threshold,
    downsample_curve,
    threshold_for_target,
)

__all__ = [
    "ALL_ROWS",
    "CALIBRATION_RULE",
    "MIN_POSITIVES",
    "TOO_FEW",
    "UNDEFINED",
    "BinaryMetrics",
    "CalibrationMetrics",
    "DecisionCost",
    "ErrorCost",
    "Estimate",
    "ModelDiff",
    "MultiLabelMetrics",
    "MulticlassMetrics",
    "Recalibration",
    "ScoreCurve",
    "SliceMetrics",
    "ThresholdChoice",
    "WeightedError",
    "best_f1_threshold",
    "binary_from_counts",
    "binary_metrics",
    "calibration_metrics",
    "check_labels",
    "confusion_cell_examples",
    "decision_cost",
    "downsample_curve",
    "error_cost",
    "error_examples",
    "holm",
    "mcnemar_exact",
    "metrics_at_threshold",
    "metrics_table",
    "misclassified_examples",
    "misreading_warning",
    "model_diff",
    "multiclass_from_confusion",
    "multiclass_metrics",
    "multilabel_metrics",
    "per_class_thresholds",
    "recalibrate",
    "score_curve",
    "slice_metrics",
    "slice_metrics_from_counts",
    "threshold_for_target",
    "top_k_accuracy",
    "weighted_error",
]
