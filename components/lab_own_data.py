"""The training lab on the user's own points: a CSV (or any table the workbench reads) of x1,
x2, label, read under the server's upload limits, split into train and dev and trained with
the current sidebar settings in a panel of its own (the live run keeps the generated data).
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from analysis.predictions import read_table
from analysis.text import escape_markdown
from analysis.training import Dataset, LabConfig, TrainingSession, dataset_from_frame
from charts.lab import decision_boundary_figure, learning_curves_figure
from components.errors import show_error
from components.lab_lessons import keep_result
from components.limits import parse_slot, read_limits

STATE = st.session_state
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet", "gz"]


def percent(value: float | None) -> str:
    """A percentage for a metric; unknown (None or NaN) shows as a dash, never "nan"."""
    return "–" if value is None or not math.isfinite(value) else f"{value:.1f}%"


def read_points(data: bytes, name: str, dev_share: float, seed: int) -> Dataset:
    """The upload as a lab Dataset; ValueError names what is wrong with the file."""
    limits = read_limits()
    with parse_slot(data, limits):
        frame, _, _ = read_table(data, name, limits=limits)
    return dataset_from_frame(frame, dev_share=dev_share, seed=seed, name=name)


def binary_config(config: LabConfig) -> LabConfig:
    """The sidebar's settings with a single sigmoid output (uploaded data has two classes)."""
    return config.replace(dataset="moons") if config.layer_dims[-1] != 1 else config


def own_data_tab(config: LabConfig | None) -> None:
    """Upload x1, x2, label; train the sidebar's network on it; show boundary and curves."""
    st.markdown("Train on **your own points**: a table with columns `x1`, `x2` and `label` "
                "(two classes, 10 to 20,000 rows). It trains with the sidebar's network and "
                "optimizer in this panel; the live run keeps the generated data.")
    upload = st.file_uploader("Your points (x1, x2, label)", type=UPLOAD_TYPES, key="own_file")
    problem = st.container()  # a bad file is named right under the uploader
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    dev_share = c1.slider("Share held out as dev", 0.05, 0.5, 0.2, 0.05, key="own_dev_share")
    epochs = c2.number_input("Epochs", 1, 20_000, 500, 100, key="own_epochs")
    train = c3.button("Train on my points", key="own_train", type="primary",
                      disabled=upload is None or config is None, icon=":material/upload_file:")
    if upload is None:
        STATE.pop("lab.own_session", None)
        return
    data = upload.getvalue()
    try:
        points = read_points(data, upload.name, float(dev_share), 0)
    except ValueError as err:
        with problem:
            show_error(err)
        STATE.pop("lab.own_session", None)
        return
    st.caption(f"{escape_markdown(upload.name)}: {len(points.y_train):,} training and "
               f"{len(points.y_dev):,} dev points; the Bayes error of uploaded data is unknown.")
    if train and config is not None:
        keep_result("lab.own_session", "Training on your points…", _train, binary_config(config),
                    points, int(epochs))
    session = STATE.get("lab.own_session")
    if session is not None:
        own_results(session)


def _train(config: LabConfig, points: Dataset, epochs: int) -> TrainingSession:
    """A session on the uploaded points trained `epochs` epochs (about 200 records kept)."""
    session = TrainingSession(config, dataset=points)
    session.advance(epochs, record_every=max(1, epochs // 200))
    return session


def own_results(session: TrainingSession) -> None:
    """Metrics, decision boundary and curves of the run on the uploaded points."""
    now = session.current()
    cols = st.columns(4)
    cols[0].metric("Epoch", f"{session.epoch:,}")
    cols[1].metric("Train error", percent(now.train_error))
    cols[2].metric("Dev error", percent(now.dev_error))
    cols[3].metric("Train/dev gap", "–" if not np.isfinite(now.dev_error - now.train_error)
                   else f"{now.dev_error - now.train_error:.1f} pts")
    data = session.dataset
    xs, ys, Z = session.decision_grid(resolution=60)
    left, right = st.columns(2)
    left.plotly_chart(decision_boundary_figure(
        xs, ys, Z, X_train=data.X_train, y_train=data.y_train, X_dev=data.X_dev,
        y_dev=data.y_dev, n_classes=2, title=f"Your points at epoch {session.epoch:,}"),
        key="own_boundary")
    right.plotly_chart(learning_curves_figure(session.history_frame(), bayes_error=None),
                       key="own_curves")
