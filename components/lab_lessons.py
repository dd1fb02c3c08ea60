"""Training-lab panels for more of the course's lessons: what the hidden units compute
(tiles), mini-batch costs, batch-norm drift, the default experiment's story and the search's
caviar/panda styles (the optimizer race is in components/lab_race.py).

Each panel reads the current settings (a LabConfig) or the live session and keeps the result
of a slow run in session state, so reruns only redraw it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from analysis.text import escape_markdown
from analysis.training import (
    DEFAULT_STORY,
    LabConfig,
    Panda,
    SearchResult,
    TrainingSession,
    batch_size_advice,
    effects,
    neuron_tiles,
    preactivation_drift,
)
from analysis.training.search import caviar_workers
from charts.lab_lessons import batch_cost_figure, drift_figure, effects_figure
from charts.lab_live import tiles_spec
from components import lab_live
from components.errors import attempt

STATE = st.session_state
STYLES = ("caviar", "panda")
STYLE_NAMES = {"caviar": "Caviar: many models in parallel",
               "panda": "Panda: babysit one model"}


def keep_result(key: str, doing: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run a slow analysis under a spinner and keep what it returns in STATE[key]; a bad
    input is shown where the call stands and the previous result is dropped."""
    with st.spinner(doing):
        result = attempt(fn, *args, **kwargs)
    STATE.pop(key, None)
    if result is not None:
        STATE[key] = result


def kept(key: str, button: str) -> Any | None:
    """The result kept under STATE[key], or None after a hint to press `button`."""
    result = STATE.get(key)
    if result is None:
        st.info(f"Press **{button}** to run it on the current settings.", icon=":material/info:")
    return result


# ---------------------------------------------------------------------------- inside the network

def inside_tab(session: TrainingSession | None, config: LabConfig | None) -> None:
    """Per-neuron tiles and mini-batch costs of the live run; batch-norm drift on demand."""
    if session is None:
        st.info("Fix the settings in the sidebar to build the first network.", icon=":material/info:")
        return
    st.caption(f"As of epoch {session.epoch:,} of the live run (switch tabs or press Step to "
               f"refresh while it plays).")
    tiles_panel(session)
    st.divider()
    batch_panel(session)
    st.divider()
    drift_panel(config)


def tiles_panel(session: TrainingSession) -> None:
    """Each hidden unit's output over the input plane (Playground's neuron pictures), drawn by
    the browser from one byte per cell; computed again only when the run has moved on."""
    st.markdown("**What each hidden unit computes**: its output over the input plane "
                "(blue positive, white zero, red negative); later layers combine the earlier units' "
                "shapes.")
    stamp = (id(session), session.epoch)
    if STATE.get("lab.tiles_stamp") != stamp:
        STATE.pop("lab.tiles", None)
        tiles = attempt(neuron_tiles, session, resolution=20)
        if tiles is None:
            return
        if len(tiles.tiles) == 0:
            st.info("The network has no hidden units to draw: add a hidden layer.",
                    icon=":material/info:")
            return
        STATE["lab.tiles"] = tiles_spec(tiles, run=f"{id(session):x}-{session.epoch}")
        STATE["lab.tiles_stamp"] = stamp
    lab_live.draw(STATE["lab.tiles"], key="tiles_live")


def batch_panel(session: TrainingSession) -> None:
    """The noisy cost of every mini-batch beside the per-epoch cost, with the course's advice
    on the batch size for this training set."""
    advice = batch_size_advice(len(session.dataset.y_train))
    st.markdown(f"**Mini-batch cost per iteration** beside the cost of each epoch. The course's "
                f"advice for this data: {escape_markdown(advice.reason)}")
    iterations = session.iteration_frame()
    if iterations.empty:
        st.info("The cost of each mini-batch appears after the first epoch (press Step).",
                icon=":material/info:")
        return
    st.plotly_chart(batch_cost_figure(session.history_frame(), iterations), key="batch_chart")


def drift_panel(config: LabConfig | None) -> None:
    """A hidden layer's pre-activations over training, with and without batch norm."""
    st.markdown("**Batch norm and covariate shift**: how a hidden layer's pre-activations move "
                "during training, without and with batch norm (same data, same start).")
    layers = len(config.hidden) if config is not None else 0
    if layers == 0:
        st.info("Add a hidden layer in the sidebar to look at its pre-activations.",
                icon=":material/info:")
        return
    c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
    layer = c1.number_input("Hidden layer", 1, layers, min(2, layers), key="drift_layer")
    epochs = c2.number_input("Epochs", 10, 2000, 200, 10, key="drift_epochs")
    if c3.button("Compare with and without batch norm", key="drift_run",
                 icon=":material/ssid_chart:"):
        keep_result("lab.drift", "Training with and without batch norm…", preactivation_drift,
                    config, layer=int(layer), epochs=int(epochs), every=max(1, int(epochs) // 20))
    drift = kept("lab.drift", "Compare with and without batch norm")
    if drift is not None:
        st.plotly_chart(drift_figure(drift), key="drift_chart")
        st.markdown(escape_markdown(drift.verdict))


# ---------------------------------------------------------------------------- the default story

def story(session: TrainingSession) -> None:
    """Beside the default experiment: the story it tells, and the train-dev gap it shows now."""
    if session.config != LabConfig():
        return
    now = session.current()
    gap = now.train_dev_error - now.train_error
    st.info(f"{escape_markdown(DEFAULT_STORY)} Train-dev gap now: **{gap:.1f} points** "
            f"(train-dev error {now.train_dev_error:.1f}% − train error {now.train_error:.1f}%)"
            f" at epoch {session.epoch:,}.", icon=":material/auto_stories:")


# ---------------------------------------------------------------------------- search styles

def search_style() -> str:
    """The course's two ways to search: caviar (many models in parallel) or panda."""
    workers = caviar_workers()
    return st.radio("How to search", STYLES, key="search_style", horizontal=True,
                    format_func=STYLE_NAMES.get,
                    help=f"Caviar trains the trials in parallel on {workers} worker "
                         f"process{'es' if workers > 1 else ''} beside the server; panda trains "
                         "one model a chunk at a time and halves its learning rate when the "
                         "cost stops falling.")


def search_depth() -> int:
    """How many of the course's priority tiers the search tunes."""
    return st.select_slider(
        "Tune up to priority", [1, 2, 3, 4], 4, key="search_depth",
        format_func={1: "1 · learning rate", 2: "2 · + momentum β, batch size, units",
                     3: "3 · + layers, decay", 4: "4 · + L2, keep_prob"}.get,
        help="The course's order: learning rate first; then momentum's β (only for momentum), "
             "mini-batch size (powers of two) and hidden units; then layers and learning-rate "
             "decay. Adam's β1, β2 and ε stay at 0.9, 0.999 and 1e-8.")


def effects_panel(result: SearchResult) -> None:
    """What each sampled hyperparameter did to dev error, one panel per hyperparameter."""
    table = effects(result)
    if table.empty:
        st.info("No hyperparameter varied in this search.", icon=":material/info:")
        return
    st.plotly_chart(effects_figure(table), key="search_effects")


def panda_panel(config: LabConfig | None) -> None:
    """Babysit one model: train a chunk, look at the cost, go on or go back and halve α."""
    c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
    chunk = c1.number_input("Epochs per look", 1, 2000, 50, 10, key="panda_chunk")
    if c2.button("Start over", key="panda_new", disabled=config is None) and config is not None:
        keep_result("lab.panda", "Building the model…", Panda, config, chunk=int(chunk))
    panda = STATE.get("lab.panda")
    if c3.button("Train a chunk and look", key="panda_step", type="primary",
                 disabled=panda is None, icon=":material/visibility:") and panda is not None:
        panda.chunk = int(chunk)
        panda.step()
    if panda is None:
        st.info("Press **Start over** to begin babysitting the current setup.",
                icon=":material/info:")
        return
    log = panda.log_frame()
    if log.empty:
        st.caption("No look yet: press **Train a chunk and look**.")
        return
    last = log.iloc[-1]
    cols = st.columns(3)
    cols[0].metric("Epoch", f"{int(last['epoch']):,}")
    cols[1].metric("Dev error", f"{last['dev_error']:.1f}%")
    cols[2].metric("Learning rate", f"{last['learning_rate']:.3g}")
    st.dataframe(log.assign(cost=np.round(log["cost"], 5)), hide_index=True, key="panda_log")
