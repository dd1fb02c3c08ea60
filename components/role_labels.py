"""How the column mapping names each role, shared by the file mapping form (components/inputs.py)
and a data source's mapping (components/source_picker.py), so both ask in the same words."""

from __future__ import annotations

NONE = "(none)"
SINGLE_ROLES = {
    "y_true": "True label",
    "y_pred": "Predicted label",
    "split": "Split (train / train-dev / dev / test)",
    "weight": "Weight",
    "example_id": "Example id",
    "image": "Image path or URL",
}
MULTI_ROLES = {
    "scores": "Score columns (P(positive), one per model)",
    "proba": "Per-class probability columns",
    "groups": "Slice columns",
    "task_labels": "Task label columns (multi-label)",
    "task_scores": "Task score columns (same order)",
}
POSITIVE_HELP = "The label that counts as 'positive' (e.g. cat)."
