"""Transfer learning on toy data: pre-train on a large task A, replace the output layer and
fine-tune on a small, related task B, against training B from scratch.

Task B draws fresh points of the same dataset rotated by TASK_B_ROTATION degrees, with only a
few labelled examples: the low-level features learned on A still help. The output layer can be
replaced by one new layer or by several (new hidden layers of the last hidden size, then a
new output); "fine-tune last layer" then trains all the new layers and freezes A's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from analysis.training.config import LabConfig
from analysis.training.datasets import Dataset, make_dataset, rotate
from analysis.training.session import TrainingSession
from analysis.validation import check_count

TASK_B_ROTATION = 20.0
TASK_B_DEV = 500
MAX_NEW_LAYERS = 4
STRATEGIES = ("from scratch", "fine-tune last layer", "fine-tune all layers")


@dataclass(frozen=True)
class TransferResult:
    """curves: dev error of task B per epoch and strategy; final: last dev error per strategy;
    summary: one sentence for the page."""

    curves: pd.DataFrame
    final: dict[str, float]
    summary: str
    task_a_dev_error: float = float("nan")

    def to_dict(self) -> dict[str, object]:
        return {"curves": self.curves.to_dict(orient="records"), "final": dict(self.final),
                "summary": self.summary, "task_a_dev_error": self.task_a_dev_error}


def task_b_dataset(config: LabConfig) -> Dataset:
    """Fresh points of the same dataset, every split rotated by TASK_B_ROTATION degrees."""
    data = make_dataset(config)
    center = data.X_train.mean(axis=0)
    return dataclasses.replace(
        data, name=f"{data.name} (rotated {TASK_B_ROTATION:g} deg)",
        X_train=rotate(data.X_train, TASK_B_ROTATION, center),
        X_train_dev=rotate(data.X_train_dev, TASK_B_ROTATION, center),
        X_dev=rotate(data.X_dev, TASK_B_ROTATION, center))


def copy_hidden_layers(source: TrainingSession, target: TrainingSession) -> None:
    """Copy every layer of the source but its output one into the target's first layers; the
    target's later layers (its new ones) keep their fresh init."""
    src, dst = source.network, target.network
    for name in src.param_slices:
        layer = int("".join(ch for ch in name if ch.isdigit()))
        if layer < src.n_layers:
            dst.view(dst.params, name)[:] = src.view(src.params, name)
    for src_layer, dst_layer in zip(src.layers[:-1], dst.layers, strict=False):
        dst_layer.running_mean[:] = src_layer.running_mean
        dst_layer.running_var[:] = src_layer.running_var
        dst_layer.stats_seen = src_layer.stats_seen


def compare_transfer(base: LabConfig, *, n_task_a: int = 2000, n_task_b: int = 60,
                     epochs: int = 300, seed: int = 0, new_layers: int = 1) -> TransferResult:
    """Pre-train on task A (n_task_a examples), then train task B (n_task_b examples) three
    ways for `epochs` epochs: from scratch, fine-tuning the new layers only ("last layer"),
    fine-tuning all. `new_layers` replace A's output layer: 1 = a new output layer; k > 1
    adds k - 1 new hidden layers (as wide as the last hidden one) before it. Task B's network
    from scratch has the same shape.

    Examples
    --------
    >>> r = compare_transfer(LabConfig(dataset="moons"), n_task_a=200, n_task_b=20, epochs=5)
    >>> sorted(r.final) == sorted(STRATEGIES)
    True
    """
    n_task_a = check_count("n_task_a", n_task_a, minimum=10)
    n_task_b = check_count("n_task_b", n_task_b, minimum=2)
    epochs = check_count("epochs", epochs, minimum=1)
    new_layers = check_count("new_layers", new_layers, minimum=1)
    if new_layers > MAX_NEW_LAYERS:
        raise ValueError(f"new_layers must be 1 to {MAX_NEW_LAYERS}, got {new_layers}.")
    if not base.hidden:
        raise ValueError("transfer needs at least one hidden layer to reuse: set hidden, "
                         "e.g. (10, 5).")
    common = {"dev_shift": "none", "shift_amount": 0.0, "early_stopping_patience": 0}
    config_a = base.replace(n_train=n_task_a, n_train_dev=0, n_dev=TASK_B_DEV, seed=seed, **common)
    source = TrainingSession(config_a)
    source.advance(epochs, record_every=epochs)

    config_b = base.replace(n_train=n_task_b, n_train_dev=0, n_dev=TASK_B_DEV, seed=seed + 1,
                            hidden=base.hidden + base.hidden[-1:] * (new_layers - 1), **common)
    data_b = task_b_dataset(config_b)
    frames, final = [], {}
    for strategy in STRATEGIES:
        # task B keeps task A's input normalisation so the reused features see the same scale
        session = TrainingSession(config_b, dataset=data_b, input_stats=(source.mu, source.sigma))
        if strategy != "from scratch":
            copy_hidden_layers(source, session)
        if strategy == "fine-tune last layer":
            session.freeze_layers(source.network.n_layers - 1)
        session.advance(epochs)
        history = session.history_frame()[["epoch", "dev_error"]]
        frames.append(history.assign(strategy=strategy))
        final[strategy] = float(history["dev_error"].iloc[-1])
    curves = pd.concat(frames, ignore_index=True)[["epoch", "strategy", "dev_error"]]
    best = min(final, key=final.get)
    gain = final["from scratch"] - final[best]
    summary = (f"With {n_task_b} task-B examples, '{best}' reaches {final[best]:.1f}% dev error "
               f"against {final['from scratch']:.1f}% from scratch"
               + (f" ({gain:.1f} points better)." if gain > 0 else
                  ": pre-training on task A did not help here."))
    return TransferResult(curves=curves, final=final, summary=summary,
                          task_a_dev_error=float(source.current().dev_error))
