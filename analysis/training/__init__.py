"""The training lab: a numpy network, the course's optimizers and schedules, seeded toy
datasets (or your own table), gradient checking, a step-by-step training session, an optimizer
race and a saddle surface, variance remedies, batch-norm drift and neuron tiles, multi-task
learning, random search by priorities and transfer."""

from analysis.training.config import (
    ACTIVATIONS,
    COURSE_PRESET_EPOCHS,
    COURSE_PRESETS,
    DATASETS,
    DECAYS,
    DEFAULT_STORY,
    DEV_SHIFTS,
    INITS,
    L1_METHODS,
    OPTIMIZERS,
    LabConfig,
)
from analysis.training.datasets import Dataset, dataset_from_frame, make_dataset
from analysis.training.diagnostics import batch_size_advice, neuron_tiles, preactivation_drift
from analysis.training.ewa import ewa_series, temperature_series
from analysis.training.gradcheck import GradCheckResult, gradient_check
from analysis.training.multitask import compare_multitask, make_multitask_data
from analysis.training.race import OptimizerRace, race, surface_paths
from analysis.training.remedies import augment, compare_remedies, learning_curve_run
from analysis.training.schedules import decayed_learning_rate
from analysis.training.search import (
    Panda,
    SearchResult,
    SearchSpace,
    effects,
    random_search,
    zoom,
)
from analysis.training.session import EpochRecord, TrainingSession
from analysis.training.transfer import TransferResult, compare_transfer

__all__ = [
    "ACTIVATIONS", "COURSE_PRESETS", "COURSE_PRESET_EPOCHS", "DATASETS", "DECAYS",
    "DEFAULT_STORY", "DEV_SHIFTS", "INITS", "L1_METHODS", "OPTIMIZERS", "Dataset", "EpochRecord",
    "GradCheckResult", "LabConfig", "OptimizerRace", "Panda", "SearchResult", "SearchSpace",
    "TrainingSession", "TransferResult", "augment", "batch_size_advice", "compare_multitask",
    "compare_remedies", "compare_transfer", "dataset_from_frame", "decayed_learning_rate",
    "effects", "ewa_series", "gradient_check", "learning_curve_run", "make_dataset",
    "make_multitask_data", "neuron_tiles", "preactivation_drift", "race", "random_search",
    "surface_paths", "temperature_series", "zoom",
]
