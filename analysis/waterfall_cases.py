"""The course's worked bias/variance cases, ready to load into the waterfall page, and the
human-level references a page offers.
"""

from __future__ import annotations

from typing import Any

# The human-level references a page offers; the best (lowest) of them is the Bayes proxy.
HUMAN_REFERENCES = ("typical human", "typical expert", "experienced expert", "team of experts")

PRESETS: dict[str, dict[str, Any]] = {
    "Bias dominates (human 1, train 8, dev 10)": {"human": 1.0, "train": 8.0, "dev": 10.0},
    "Variance dominates (human 7.5, train 8, dev 10)": {"human": 7.5, "train": 8.0, "dev": 10.0},
    "Variance (train 1, train-dev 9, dev 10)": {
        "human": 0.0, "train": 1.0, "train_dev": 9.0, "dev": 10.0},
    "Data mismatch (train 1, train-dev 1.5, dev 10)": {
        "human": 0.0, "train": 1.0, "train_dev": 1.5, "dev": 10.0},
    "Bias (human 0, train 10, train-dev 11, dev 12)": {
        "human": 0.0, "train": 10.0, "train_dev": 11.0, "dev": 12.0},
    "Bias and mismatch (train 10, train-dev 11, dev 20)": {
        "human": 0.0, "train": 10.0, "train_dev": 11.0, "dev": 20.0},
    "Dev easier than training data (human 4, train 7, train-dev 10, dev 6)": {
        "human": 4.0, "train": 7.0, "train_dev": 10.0, "dev": 6.0},
    # Radiology: typical human 3, typical doctor 1, experienced doctor 0.7, team of
    # experienced doctors 0.5 -> the proxy is 0.5.
    "Medical imaging (doctors: best human 0.5, train 0.7, dev 0.8)": {
        "human": dict(zip(HUMAN_REFERENCES, (3.0, 1.0, 0.7, 0.5), strict=True)),
        "train": 0.7, "dev": 0.8},
}
"""The course's worked cases as decompose() keyword arguments.

Where the course says "assume human level is about 0%", human is 0.
"""
