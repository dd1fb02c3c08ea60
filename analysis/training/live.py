"""Session state of the training lab as plain functions over a dict-like `state`.

The page passes `st.session_state`; unit tests pass a plain dict. AppTest never fires the
fragment's `run_every` timer, so everything a tick does (advance k epochs, stop at the target
epoch, stop on divergence or early stopping) lives here where tests can drive it.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.training.config import COURSE_PRESET_EPOCHS, COURSE_PRESETS, LabConfig, settings
from analysis.training.optimizers import make_optimizer
from analysis.training.session import TrainingSession

SESSION_KEY = "lab.session"
RUNNING_KEY = "lab.running"
NOTICE_KEY = "lab.notice"
SECONDS_PER_EPOCH_KEY = "lab.seconds_per_epoch"
UNTIL_KEY = "until"  # widget key (and URL parameter): train until this epoch
PRESET_KEY = "lab_preset"  # widget key of the presets menu (not in the URL)
LOADED_PRESET_KEY = "lab.loaded_preset"  # set by the menu, popped once announced
PRESET_NAME_KEY = "lab.preset_name"  # the last preset loaded (kept)

DEFAULT_UNTIL = 1000
TICK_BUDGET_SECONDS = 0.3  # work per live tick; the fragment reruns every TICK_INTERVAL_SECONDS
TICK_INTERVAL_SECONDS = 1.0  # one page update a second while playing ...
FRAMES_PER_TICK = 10  # ... carrying this many frames, which the browser plays in between

CONFIG_FIELDS: tuple[str, ...] = tuple(settings())
# Settings the session reads afresh every epoch (learning rate, schedule, mini-batch size,
# early stopping) or that only concern the optimizer: a running session takes them mid-run,
# as TensorFlow Playground does. Everything else (data, architecture, initialisation, and the
# regularisation baked into the network's layers) starts a new run. Each field declares which
# (its Setting's on_change).
OPTIMIZER_FIELDS: frozenset[str] = frozenset(
    name for name, rule in settings().items() if rule.on_change == "new optimizer")
CONTINUE_FIELDS: frozenset[str] = frozenset(
    name for name, rule in settings().items() if rule.on_change != "restart")
RESTART_FIELDS: frozenset[str] = frozenset(CONFIG_FIELDS) - CONTINUE_FIELDS


# ------------------------------------------------------------------ widgets <-> LabConfig

def widget_values(config: LabConfig) -> dict[str, Any]:
    """The value each settings widget shows for `config` (hidden layers as text "10,5")."""
    values = {name: getattr(config, name) for name in CONFIG_FIELDS}
    values["hidden"] = ",".join(str(units) for units in config.hidden)
    return values


def config_from_widgets(values: Mapping[str, Any]) -> LabConfig:
    """Build the LabConfig the widgets describe; a bad value raises ValueError naming it.

    Keys that are not settings (other widgets) are ignored; missing ones keep the default.
    """
    return LabConfig(**{name: values[name] for name in CONFIG_FIELDS if name in values})


def field_of_error(message: str, names: Sequence[str] = CONFIG_FIELDS) -> str | None:
    """The setting a validation message is about (the first name it starts with or mentions).

    Used to show the message next to the widget that caused it.

    >>> field_of_error("keep_prob must be above 0 (it is the share of units kept), got 0.")
    'keep_prob'
    >>> field_of_error("hidden layer sizes must be between 1 and 256, got 0 in (0,).")
    'hidden'
    """
    lowered = message.lower()
    starts = [n for n in names if lowered.startswith(n)]
    if starts:
        return max(starts, key=len)  # "n_train_dev" before "n_train"
    mentioned = [(lowered.find(n), -len(n), n) for n in names if n in lowered]
    return min(mentioned)[2] if mentioned else None


# ------------------------------------------------------------------ the run

@dataclass(frozen=True)
class ConfigChange:
    """What happened to the run when the settings were read: new, unchanged, reset or continued."""

    action: str
    fields: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        names = ", ".join(self.fields[:4])
        if len(self.fields) > 4:
            names += f" and {len(self.fields) - 4} more"
        if self.action == "reset":
            return (f"The run restarted at epoch 0 because {names} changed: new data, network or "
                    "regularisation needs new weights.")
        if self.action == "continue":
            fresh = ""
            if set(self.fields) & OPTIMIZER_FIELDS:
                fresh = " (the optimizer's moving averages start afresh)"
            return f"Training continues from the current weights with the new {names}{fresh}."
        return ""


def current_session(state: Mapping[str, Any]) -> TrainingSession | None:
    """The training session of this browser tab, or None before the first settings are read."""
    return state.get(SESSION_KEY)


def reset(state: MutableMapping[str, Any], config: LabConfig) -> TrainingSession:
    """Start over: a new network at epoch 0 on freshly generated data; training paused."""
    session = TrainingSession(config)
    state[SESSION_KEY] = session
    state[RUNNING_KEY] = False
    state.pop(SECONDS_PER_EPOCH_KEY, None)
    return session


def changed_fields(old: LabConfig, new: LabConfig) -> tuple[str, ...]:
    """Names of the settings that differ between two configs, in LabConfig order."""
    return tuple(n for n in CONFIG_FIELDS if getattr(old, n) != getattr(new, n))


def sync_config(state: MutableMapping[str, Any], config: LabConfig) -> ConfigChange:
    """Bring the run in line with the settings the widgets show.

    Before the first epoch any change simply rebuilds the session. After it, a change to
    optimisation settings only continues the run; any other change restarts it.
    """
    session = current_session(state)
    if session is None:
        reset(state, config)
        return ConfigChange("new")
    changed = changed_fields(session.config, config)
    if not changed:
        return ConfigChange("unchanged")
    if session.epoch == 0:
        reset(state, config)  # nothing trained yet: nothing to lose, nothing to announce
        return ConfigChange("new", changed)
    if set(changed) <= CONTINUE_FIELDS:
        _retune(session, config)
        change = ConfigChange("continue", changed)
    else:
        reset(state, config)
        change = ConfigChange("reset", changed)
    state[NOTICE_KEY] = change.message
    return change


def _retune(session: TrainingSession, config: LabConfig) -> None:
    """Hand new optimisation settings to the session; the trained weights stay.

    The session reads the learning rate, its decay, the mini-batch size and the patience from
    its config every epoch. A new optimizer (or new betas) starts with fresh moving averages.
    """
    changed = set(changed_fields(session.config, config))
    session.config = config
    if changed & OPTIMIZER_FIELDS:
        session.optimizer = make_optimizer(config.optimizer, learning_rate=config.learning_rate,
                                           beta1=config.beta1, beta2=config.beta2,
                                           epsilon=config.epsilon)


def is_running(state: Mapping[str, Any]) -> bool:
    return bool(state.get(RUNNING_KEY, False))


def start(state: MutableMapping[str, Any]) -> None:
    """Play: the live fragment ticks until paused, the target epoch, divergence or early stop."""
    session = current_session(state)
    if session is None or session.diverged or session.stopped_early:
        return
    state[RUNNING_KEY] = True
    state.pop(NOTICE_KEY, None)


def pause(state: MutableMapping[str, Any]) -> None:
    state[RUNNING_KEY] = False


def run_interval(state: Mapping[str, Any]) -> float | None:
    """The fragment's run_every: a tick every TICK_INTERVAL_SECONDS while running, no timer when paused."""
    return TICK_INTERVAL_SECONDS if is_running(state) else None


RECORDS_PER_TICK = 100


def tick(state: MutableMapping[str, Any], epochs_per_tick: int, *, until: int | None = None,
         keep: int = RECORDS_PER_TICK) -> list:
    """Advance the run by `epochs_per_tick` epochs (never past `until`); returns the new records.

    A tick keeps at most ~`keep` history records (every epoch for short ticks, every
    k-th epoch and the last one for long ones), so a 100,000-epoch run stays quick to draw.
    Stops the run (running flag off, a notice saying why) when it reaches `until`, when
    early stopping triggers, or when the cost diverges.
    """
    if epochs_per_tick < 1:
        raise ValueError(f"epochs_per_tick must be at least 1, got {epochs_per_tick}")
    session = current_session(state)
    if session is None:
        raise ValueError("there is no training session yet: read the settings first (sync_config)")
    epochs = epochs_per_tick if until is None else min(epochs_per_tick, max(until - session.epoch, 0))
    records = []
    if epochs > 0 and not _finished(session):
        records = session.advance(epochs, record_every=max(1, epochs // max(keep, 1)))
    reason = stop_reason(session, until)
    if reason:
        if is_running(state):
            state[NOTICE_KEY] = reason
        state[RUNNING_KEY] = False
    return records


def _finished(session: TrainingSession) -> bool:
    return bool(session.diverged or session.stopped_early)


def stop_reason(session: TrainingSession, until: int | None) -> str | None:
    """Why training cannot go on (diverged, early stopping, target epoch), or None."""
    if session.diverged:
        return ("Training diverged: the cost became infinite or NaN. Lower the learning rate "
                "(or turn on batch norm), then press Reset.")
    if session.stopped_early:
        return (f"Early stopping at epoch {session.epoch}: the dev error has not improved for "
                f"{session.config.early_stopping_patience} epochs.")
    if until is not None and session.epoch >= until:
        return f"Reached epoch {session.epoch}, the target. Raise “Train until epoch” to go on."
    return None


def auto_epochs(seconds_per_epoch: float | None, *, budget: float | None = None,
                low: int = 1, high: int = 2000) -> int:
    """Epochs per tick that fit the time budget (by default TICK_BUDGET_SECONDS, read when
    called), given the last measured time of one epoch.

    >>> auto_epochs(0.001)
    300
    >>> auto_epochs(None)
    10
    """
    if seconds_per_epoch is None or not np.isfinite(seconds_per_epoch) or seconds_per_epoch <= 0:
        return 10  # first tick: small, then measured
    budget = TICK_BUDGET_SECONDS if budget is None else budget
    return int(np.clip(budget / seconds_per_epoch, low, high))


def record_timing(state: MutableMapping[str, Any], epochs: int, seconds: float) -> None:
    """Remember how long an epoch takes (smoothed) so the next auto tick fits the budget."""
    if epochs <= 0 or seconds <= 0:
        return
    measured = seconds / epochs
    previous = state.get(SECONDS_PER_EPOCH_KEY)
    state[SECONDS_PER_EPOCH_KEY] = measured if previous is None else 0.5 * previous + 0.5 * measured


# ------------------------------------------------------------------ presets and saved runs

# What the course's programming assignments report for each preset, to compare with the run
# (accuracy = 100 - error; the data differ in their random draw, so expect a few points apart).
COURSE_FINDINGS: dict[str, str] = {
    "Init: zeros (circles)": "the course reports 50% train / 50% test accuracy after 15,000 "
                             "iterations: symmetry is never broken.",
    "Init: random x10 (circles)": "the course reports 83% train / 86% test accuracy after 15,000 "
                                  "iterations: large weights start in the flat part of the sigmoid.",
    "Init: He (circles)": "the course reports 99.3% train / 96% test accuracy after 15,000 iterations.",
    "Optimizer: gradient descent (moons)": "the course reports 72% training accuracy after 5,000 epochs.",
    "Optimizer: momentum (moons)": "the course reports 72% training accuracy after 5,000 epochs "
                                   "(momentum barely helps at this small learning rate).",
    "Optimizer: Adam (moons)": "the course reports 94% training accuracy after 5,000 epochs.",
    "Decay: GD 0.1 with stepwise decay (moons)": "the course reports about 95% training accuracy "
                                                 "with α0 / (1 + ⌊epoch / 1000⌋).",
    "Regularisation: none (noisy flower)": "expect a large train/dev gap: the network fits the noise.",
    "Regularisation: L2 (noisy flower)": "expect most of the unregularised train/dev gap to close.",
    "Regularisation: dropout (noisy flower)": "expect most of the unregularised train/dev gap to close.",
    "Batch norm: deep net without batch norm": "at this learning rate the deep net without batch "
                                               "norm struggles or diverges.",
    "Batch norm: deep net with batch norm": "batch norm lets the same deep net train at this "
                                            "learning rate.",
}


def loaded_preset(state: Mapping[str, Any]) -> str | None:
    """The course preset the current run still matches (None once a setting differs from it)."""
    name = state.get(PRESET_NAME_KEY)
    session = current_session(state)
    if name in COURSE_PRESETS and session is not None and session.config == COURSE_PRESETS[name]:
        return name
    return None


def apply_preset(state: MutableMapping[str, Any], name: str) -> LabConfig:
    """Fill the settings widgets with a course preset (and its suggested number of epochs)."""
    if name not in COURSE_PRESETS:
        raise ValueError(f"preset must be one of {sorted(COURSE_PRESETS)}, got {name!r}")
    config = COURSE_PRESETS[name]
    state.update(widget_values(config))
    state[UNTIL_KEY] = int(COURSE_PRESET_EPOCHS.get(name, DEFAULT_UNTIL))
    state[LOADED_PRESET_KEY] = name
    state[PRESET_NAME_KEY] = name
    return config


def experiment_content(state: Mapping[str, Any], *, until: int | None = None) -> dict[str, Any]:
    """What "Save experiment" stores (item kind "lab_experiment"): the session's own state."""
    session = current_session(state)
    if session is None:
        raise ValueError("there is no run to save yet: choose settings first")
    content = dict(session.to_state())
    if until is not None:
        content["until"] = int(until)
    return content


def load_experiment(state: MutableMapping[str, Any], content: Mapping[str, Any]) -> TrainingSession:
    """Reopen a saved experiment: its run and the widgets showing its settings. Paused.

    Raises ValueError when the saved content is not an experiment (damaged or older).
    """
    if not isinstance(content, Mapping) or not isinstance(content.get("until", 0), int):
        raise ValueError("it is not a saved experiment of this version: it may be damaged or "
                         "older. Save the experiment again.")
    session = TrainingSession.from_state(dict(content))
    state[SESSION_KEY] = session
    state[RUNNING_KEY] = False
    state.update(widget_values(session.config))
    if "until" in content:
        state[UNTIL_KEY] = int(content["until"])
    state[NOTICE_KEY] = f"Opened a saved experiment at epoch {session.epoch}."
    return session


# ------------------------------------------------------------------ shapes for the charts

def grad_norm_matrix(history: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, norms) from EpochRecords: one row per record, one column per layer."""
    if not history:
        return np.arange(0), np.zeros((0, 0))
    epochs = np.array([r.epoch for r in history])
    norms = np.array([r.grad_norms for r in history], dtype=float)
    return epochs, norms
