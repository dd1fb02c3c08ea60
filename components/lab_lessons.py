"""Training-lab panels for more of the course's lessons: the optimizer race and the saddle
surface, what the hidden units compute (tiles), mini-batch costs, batch-norm drift, the
default experiment's story and the search's caviar/panda styles.

Each panel reads the current settings (a LabConfig) or the live session and keeps the result
of a slow run in session state, so reruns only redraw it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from analysis.text import escape_markdown
from analysis.training import (
    DEFAULT_STORY,
    OPTIMIZERS,
    LabConfig,
    Panda,
    SearchResult,
    TrainingSession,
    batch_size_advice,
    effects,
    neuron_tiles,
    preactivation_drift,
    race,
    surface_paths,
)
from analysis.training.race import DEFAULT_RACE, MAX_SURFACE_STEPS
from analysis.training.search import caviar_workers
from charts.lab_lessons import batch_cost_figure, drift_figure, effects_figure
from charts.lab_race import race_figure, surface_figure, tiles_figure
from components.errors import attempt

STATE = st.session_state
SURFACE_STARTS = {"1e-3 off the saddle point": (1e-3, 1e-3),
                  "on the plateau, far from both minima": (2.0, 2.2),
                  "my own start": None}
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


# ---------------------------------------------------------------------------- optimizer race

def race_entries() -> list[Any]:
    """The racers the widgets describe: several optimizers, or two settings of one."""
    if STATE.get("race_kind", "optimizers") == "optimizers":
        return list(STATE.get("race_optimizers", DEFAULT_RACE))
    name = STATE.get("race_one", "adam")
    rates = (STATE.get("race_lr_a", 0.01), STATE.get("race_lr_b", 0.001))
    return [{"label": f"{name} α {rate:g}", "optimizer": name, "learning_rate": float(rate)}
            for rate in rates]


def race_controls() -> None:
    """Which optimizers race (or two learning rates of one) and for how long."""
    st.radio("Race", ["optimizers", "settings"], key="race_kind", horizontal=True,
             format_func={"optimizers": "different optimizers",
                          "settings": "two learning rates of one optimizer"}.get)
    if STATE.get("race_kind", "optimizers") == "optimizers":
        st.multiselect("Optimizers", list(OPTIMIZERS), default=list(DEFAULT_RACE),
                       key="race_optimizers")
    else:
        c1, c2, c3 = st.columns(3)
        c1.selectbox("Optimizer", list(OPTIMIZERS), index=3, key="race_one")
        c2.number_input("Learning rate A", 1e-6, 10.0, 0.01, format="%.4f", key="race_lr_a")
        c3.number_input("Learning rate B", 1e-6, 10.0, 0.001, format="%.4f", key="race_lr_b")


def race_tab(config: LabConfig | None) -> None:
    """Optimizers trained from the same data and weights, cost curves on one chart; then the
    same optimizers on the saddle/plateau surface."""
    st.markdown("Every racer trains the current network on the **same data from the same "
                "initial weights**: only the update rule differs.")
    race_controls()
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    epochs = c1.number_input("Epochs", 1, 5000, 300, 50, key="race_epochs")
    if c2.button("Race", key="race_run", type="primary", disabled=config is None,
                 icon=":material/sprint:") and config is not None:
        keep_result("lab.race", "Training every racer from the same start…", race, config,
                    race_entries(), epochs=int(epochs))
    result = kept("lab.race", "Race")
    if result is not None:
        st.plotly_chart(race_figure(result.curves), key="race_chart")
        st.markdown(escape_markdown(result.summary))
    st.divider()
    surface_panel()


def surface_start() -> tuple[float, float]:
    """Where the surface's paths start: a named start or the user's own point."""
    c1, c2, c3 = st.columns([2, 1, 1])
    choice = c1.selectbox("Start", list(SURFACE_STARTS), key="surface_start")
    named = SURFACE_STARTS[choice]
    x = c2.number_input("x", -2.5, 2.5, 0.5, 0.1, key="surface_x", disabled=named is not None)
    y = c3.number_input("y", -2.5, 2.5, 0.5, 0.1, key="surface_y", disabled=named is not None)
    return named if named is not None else (float(x), float(y))


def surface_panel() -> None:
    """Each chosen optimizer's path on f = 1 - exp(-(x² + (y² - 1)²/4))."""
    st.markdown("**Saddle points, not local optima.** The surface below has a saddle point at "
                "the origin, two minima at (0, ±1) and a plateau all around; each racer takes "
                "real optimizer steps on it (learning rates tuned to the surface).")
    start = surface_start()
    steps = st.slider("Steps", 10, 1000, 300, 10, key="surface_steps")
    entries = race_entries()
    if not entries:
        st.info("Choose at least one optimizer above.", icon=":material/info:")
        return
    paths = attempt(surface_paths, start, entries, steps=min(int(steps), MAX_SURFACE_STEPS))
    if paths is None:
        return
    left, right = st.columns([3, 2])
    left.plotly_chart(surface_figure(paths), key="surface_chart")
    right.dataframe(pd.DataFrame({
        "optimizer": list(paths.final_value),
        "final f": list(paths.final_value.values()),
        "left the saddle at step": [("never" if s is None else str(s))
                                    for s in paths.escaped_at.values()]}),
        hide_index=True, key="surface_table",
        column_config={"final f": st.column_config.NumberColumn(format="%.4f")})
    right.caption("Near the saddle the gradient is tiny, yet every optimizer slides off it "
                  "toward a minimum. From the plateau, plain gradient descent crawls while "
                  "RMSprop and Adam, which divide by the gradient's size, keep their pace.")


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
    """Each hidden unit's output over the input plane (Playground's neuron pictures)."""
    st.markdown("**What each hidden unit computes**: its output over the input plane "
                "(blue positive, white zero, red negative); later layers combine the earlier units' "
                "shapes.")
    stamp = (id(session), session.epoch)  # drawing 48 tiles takes ~0.6 s: once per epoch
    if STATE.get("lab.tiles_stamp") != stamp:
        STATE.pop("lab.tiles", None)
        tiles = attempt(neuron_tiles, session, resolution=20)
        figure = attempt(tiles_figure, tiles) if tiles is not None else None
        if figure is None:
            return
        STATE["lab.tiles"], STATE["lab.tiles_stamp"] = figure, stamp
    st.plotly_chart(STATE["lab.tiles"], key="tiles_chart")


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
