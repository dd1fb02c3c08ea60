"""The training lab: a numpy network, the course's optimizers and schedules, seeded toy
datasets, gradient checking, a step-by-step training session, random search and transfer."""

from analysis.training.config import (
    ACTIVATIONS,
    COURSE_PRESET_EPOCHS,
    COURSE_PRESETS,
    DATASETS,
    DECAYS,
    DEV_SHIFTS,
    INITS,
    OPTIMIZERS,
    LabConfig,
)
from analysis.training.datasets import Dataset, make_dataset
from analysis.training.ewa import ewa_series, temperature_series
from analysis.training.gradcheck import GradCheckResult, gradient_check
from analysis.training.schedules import decayed_learning_rate
from analysis.training.search import SearchResult, SearchSpace, random_search, zoom
from analysis.training.session import EpochRecord, TrainingSession
from analysis.training.transfer import TransferResult, compare_transfer

__all__ = [
    "ACTIVATIONS", "COURSE_PRESETS", "COURSE_PRESET_EPOCHS", "DATASETS", "DECAYS", "DEV_SHIFTS",
    "INITS", "OPTIMIZERS", "Dataset", "EpochRecord", "GradCheckResult", "LabConfig",
    "SearchResult", "SearchSpace", "TrainingSession", "TransferResult", "compare_transfer",
    "decayed_learning_rate", "ewa_series", "gradient_check", "make_dataset", "random_search",
    "temperature_series", "zoom",
]
