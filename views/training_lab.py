"""Training lab: a small numpy network trained live, one control per technique of the course.

Settings live in the sidebar (bound to the URL, so a link reopens the experiment); training
advances inside a fragment that reruns once a second while playing and hands the browser a
second's frames, which the lab's drawing component plays in between (docs/training_lab.md).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analysis.text import escape_markdown
from analysis.training import (
    COURSE_PRESETS,
    SearchSpace,
    compare_transfer,
    ewa_series,
    live,
    random_search,
    temperature_series,
    zoom,
)
from analysis.training import frames as lab_frames
from analysis.training.config import LabConfig, setting_of
from charts import lab as lab_charts
from charts.lab_live import live_spec
from charts.waterfall import waterfall_figure
from components import lab_lessons, lab_live, lab_race
from components.errors import attempt, show_error
from components.lab_own_data import own_data_tab
from components.lab_remedies import multitask_tab, remedies_tab
from components.lab_settings import settings_sidebar
from components.page_state import PageState
from components.share import copy_link
from components.state import access_lost, current_workspace, workspace_items
from workspace.kinds import LAB_EXPERIMENT

STATE = st.session_state
PAGE = PageState("lab")  # this page's own keys (lab.gradcheck, lab.search, ...)
URL = {"bind": "query-params"}

SPEEDS = ("auto", 1, 10, 100, 1000)
SEARCH_COLUMNS = {
    "trial": st.column_config.NumberColumn("trial", format="%d"),
    "learning_rate": st.column_config.NumberColumn("learning rate", format="%.2e"),
    "beta1": st.column_config.NumberColumn("β", format="%.4f"),
    "hidden": st.column_config.TextColumn("hidden units"),
    "n_layers": st.column_config.NumberColumn("layers", format="%d"),
    "l2": st.column_config.NumberColumn("L2 λ", format="%.3f"),
    "keep_prob": st.column_config.NumberColumn("keep_prob", format="%.2f"),
    "train_error": st.column_config.NumberColumn("train error", format="%.1f%%"),
    "dev_error": st.column_config.NumberColumn("dev error", format="%.1f%%"),
    "cost": st.column_config.NumberColumn("cost", format="%.4f"),
    "diverged": st.column_config.CheckboxColumn("diverged"),
}


# ---------------------------------------------------------------------------- settings (sidebar)

def read_config(slots: dict[str, DeltaGenerator]) -> LabConfig | None:
    """The config the widgets describe, or None after showing the error beside its group."""
    try:
        return live.config_from_widgets(STATE)
    except ValueError as err:
        field = live.field_of_error(str(err))
        group = setting_of(field).group if field else "Data"
        with slots[group]:
            show_error(err)
        st.error(f"A setting in **{group}** (sidebar) needs fixing: {escape_markdown(err)} Training "
                 "is paused until it is fixed; the last valid run is kept.", icon=":material/error:")
        return None


# ---------------------------------------------------------------------------- run controls

def _epochs_per_tick() -> int:
    speed = STATE.get("lab_speed", "auto")
    if speed == "auto":
        return live.auto_epochs(STATE.get(live.SECONDS_PER_EPOCH_KEY))
    return int(speed)


def _until() -> int:
    return int(STATE.get(live.UNTIL_KEY, live.DEFAULT_UNTIL))


def _on_play_pause() -> None:
    if live.is_running(STATE):
        live.pause(STATE)
    else:
        live.start(STATE)


def _on_step() -> None:
    live.pause(STATE)
    if live.current_session(STATE) is not None:
        _timed_tick()


def _on_reset() -> None:
    session = live.current_session(STATE)
    if session is not None:
        live.reset(STATE, session.config)


def _on_preset() -> None:
    name = STATE.get(live.PRESET_KEY)
    if name:
        live.apply_preset(STATE, name)
    STATE[live.PRESET_KEY] = None  # the menu is an action, not a setting


def _timed_tick(frames: int = 1) -> list[dict]:
    """Train one tick (in `frames` chunks), remember how long an epoch took; the frames."""
    session = live.current_session(STATE)
    before, began = session.epoch, time.perf_counter()
    pictures = lab_frames.play_frames(STATE, _epochs_per_tick(), frames=frames, until=_until())
    live.record_timing(STATE, session.epoch - before, time.perf_counter() - began)
    return pictures


def run_controls(*, settings_ok: bool) -> None:
    """Presets, target epoch, speed, Play/Pause/Step/Reset (training needs valid settings)."""
    running = live.is_running(STATE)
    c_preset, c_until, c_speed = st.columns([3, 1.2, 1.2], vertical_alignment="bottom")
    c_preset.selectbox("Course presets", list(COURSE_PRESETS), index=None, key=live.PRESET_KEY,
                       placeholder="Load a setup from the course's programming assignments…",
                       on_change=_on_preset)
    c_until.number_input("Train until epoch", 1, 1_000_000, live.DEFAULT_UNTIL, 100,
                         key=live.UNTIL_KEY, **URL)
    c_speed.selectbox("Epochs per tick", SPEEDS, key="lab_speed",
                      format_func=lambda s: "auto (≈0.3 s of work)" if s == "auto" else str(s))
    b1, b2, b3, b4 = st.columns([1, 1, 1, 3], vertical_alignment="center")
    b1.button("Pause" if running else "Play", key="lab_play", on_click=_on_play_pause,
              type="primary", icon=":material/pause:" if running else ":material/play_arrow:",
              width="stretch", disabled=not settings_ok)
    b2.button("Step", key="lab_step", on_click=_on_step, icon=":material/skip_next:",
              width="stretch", disabled=not settings_ok,
              help="Advance one tick (the epochs per tick above) and pause.")
    b3.button("Reset", key="lab_reset", on_click=_on_reset, icon=":material/restart_alt:",
              width="stretch", disabled=not settings_ok,
              help="New weights at epoch 0, same settings and data.")
    with b4:
        copy_link("Copy link to this experiment")


# ---------------------------------------------------------------------------- live view

def run_summary(session) -> None:
    """One line on what is being trained, and what the course found for a loaded preset."""
    c = session.config
    shape = " → ".join(str(n) for n in c.layer_dims)
    output = "sigmoid" if c.layer_dims[-1] == 1 else "softmax"
    batch = "full batch" if c.batch_size == 0 else f"mini-batch {c.batch_size}"
    st.caption(f"Network {shape} ({c.activation}, {output} output, {c.init} init) · {c.optimizer}, "
               f"α {c.learning_rate:g}, {batch} · Bayes error of this data "
               f"{session.dataset.bayes_error:.1f}% (the floor no model can beat).")
    if preset := live.loaded_preset(STATE):
        st.caption(f"**{preset}**: {live.COURSE_FINDINGS[preset]} Accuracy = 100% − error.")


def live_charts(session, frames: list[dict], *, playing: bool) -> None:
    """Counters, boundary, cost, errors and gradient norms, drawn in the browser: while
    playing, the tick's frames; paused, one finer picture of the run as it is."""
    if not playing:
        frames = [lab_frames.session_frame(session, lab_frames.GRID_PAUSED)]
    lab_live.draw(live_spec(session, frames, playing=playing, frame_ms=lab_live.frame_ms(),
                            run=lab_live.run_token(session)), key="lab_live")


def waterfall_view(session) -> None:
    if not session.history:
        st.info("The error waterfall of this run appears after the first epoch.", icon=":material/info:")
        return
    try:
        result = session.waterfall()
    except ValueError as err:
        show_error(err)
        return
    st.plotly_chart(_waterfall_figure(result, session), key="lab_waterfall")
    st.caption(escape_markdown(result.diagnosis))


def _waterfall_figure(result, session):
    return waterfall_figure(result, title=f"Error waterfall at epoch {session.epoch:,} "
                                          f"(Bayes error {session.dataset.bayes_error:.1f}%)")


def live_view() -> None:
    """The part that trains: reruns on its own about once a second while playing, and each
    rerun hands the browser several frames to play until the next."""

    @st.fragment(run_every=live.run_interval(STATE))
    def _live() -> None:
        session = live.current_session(STATE)
        if session is None:
            return
        frames = _timed_tick(live.FRAMES_PER_TICK) if live.is_running(STATE) else []
        if frames and not live.is_running(STATE):
            st.rerun(scope="app")  # it stopped itself: turn the timer off, say why
        playing = live.is_running(STATE)
        run_summary(session)
        if not playing:  # the browser draws a second behind the server: no server-side numbers
            lab_lessons.story(session)
        live_charts(session, frames, playing=playing)
        if playing:
            st.caption("The story of the run and its error waterfall are drawn when training pauses.")
        else:
            waterfall_view(session)

    _live()


@st.fragment
def gradient_check_panel() -> None:
    st.markdown("**Gradient check** — two-sided differences (ε = 1e-7) against backprop, "
                "dropout off: ~1e-7 great, ~1e-5 look closer, ~1e-3 likely a bug.")
    c1, c2 = st.columns([1, 2], vertical_alignment="center")
    broken = c2.checkbox("Break the backward pass on purpose (to see a bug flagged)", key="lab_gc_break")
    if c1.button("Run gradient check", key="lab_gc_run", icon=":material/rule:"):
        session = live.current_session(STATE)
        try:
            PAGE.set("gradcheck", (session.epoch, broken,
                                  session.gradient_check(break_backward=broken)))
        except ValueError as err:
            show_error(err)
    if "gradcheck" in PAGE:
        epoch, was_broken, result = PAGE.get("gradcheck")
        show = {"great": st.success, "look closer": st.warning}.get(result.verdict, st.error)
        show(f"**{result.verdict}** — relative difference {result.difference:.2e} at epoch {epoch:,}"
             f"{' (backward pass broken on purpose)' if was_broken else ''}. {result.message}")
        st.dataframe(pd.DataFrame({"parameter": list(result.per_layer),
                                   "relative difference": list(result.per_layer.values())}),
                     hide_index=True, key="lab_gc_table",
                     column_config={"relative difference": st.column_config.NumberColumn(format="%.2e")})


def save_panel() -> None:
    workspace = current_workspace()
    c1, c2 = st.columns(2)
    with c1:
        name = st.text_input("Experiment name", key="lab_save_name", placeholder="e.g. He init on circles")
        if st.button("Save experiment", key="lab_save", icon=":material/save:"):
            if not name.strip():
                show_error("Give the experiment a name before saving it.")
            else:
                try:
                    content = live.experiment_content(STATE, until=_until())
                    item = workspace_items().save(LAB_EXPERIMENT, name.strip(), content)
                    st.success(f"Saved “{escape_markdown(item.name)}” (revision {item.revision}) "
                               f"in {escape_markdown(workspace.name)}.")
                except ValueError as err:
                    show_error(err)
    with c2:
        saved = workspace_items().names(LAB_EXPERIMENT)
        choice = st.selectbox("Saved experiments", saved, index=None, key="lab_open_choice",
                              placeholder="none saved yet" if not saved else "Choose one…")
        st.button("Open", key="lab_open", disabled=choice is None, icon=":material/folder_open:",
                  on_click=_on_open, args=(choice,))
        if error := PAGE.pop("open_error"):
            show_error(error)


@access_lost
def _on_open(name: str) -> None:
    # A callback: the settings widgets take the saved values before they are drawn again.
    try:
        content = workspace_items().load(LAB_EXPERIMENT, name)
        if content is None:
            raise ValueError(f"the experiment “{name}” is no longer in this workspace.")
        live.load_experiment(STATE, content)
    except ValueError as err:
        PAGE.set("open_error", str(err))


# ---------------------------------------------------------------------------- other tabs

def _run_and_keep(key: str, doing: str, fn, *args, **kwargs) -> None:
    """Run a slow analysis once (on a button press) and keep its result for later reruns."""
    with st.spinner(doing):
        result = attempt(fn, *args, **kwargs)
    if result is not None:
        PAGE.set(key, result)


def _slider_range(pair: tuple, low: float, high: float) -> tuple:
    """A (low, high) pair clipped into a range slider's bounds (a zoomed space may reach past them)."""
    a, b = (min(max(v, low), high) for v in pair)
    return (a, b)


def search_tab(config: LabConfig | None) -> None:
    st.markdown("Random search, not a grid: the learning rate is drawn on a log scale (10^r), "
                "β as 1 − 10^r. Each trial trains a short run from the current settings; zoom in "
                "around the best trials and search again (coarse to fine).")
    if lab_lessons.search_style() == "panda":
        lab_lessons.panda_panel(config)
        return
    depth = lab_lessons.search_depth()
    default = SearchSpace()
    space_values = PAGE.setdefault("search_space", default)
    c1, c2, c3 = st.columns(3)
    lr = c1.slider("log10 learning rate", -6.0, 1.0, _slider_range(space_values.log10_lr, -6.0, 1.0),
                   0.1, key="search_lr")
    beta = c2.slider("log10 (1 − β)", -4.0, 0.0,
                     _slider_range(space_values.log10_one_minus_beta, -4.0, 0.0), 0.1, key="search_beta")
    layers = c3.slider("hidden layers", 1, 6, _slider_range(space_values.hidden_layers, 1, 6),
                       key="search_layers")
    c1, c2, c3 = st.columns(3)
    units = c1.slider("units per layer", 1, 64, _slider_range(space_values.units, 1, 64), key="search_units")
    l2 = c2.slider("L2 λ", 0.0, 5.0, _slider_range(space_values.l2, 0.0, 5.0), 0.05, key="search_l2")
    keep = c3.slider("keep_prob", 0.3, 1.0, _slider_range(space_values.keep_prob, 0.3, 1.0), 0.05,
                     key="search_keep")
    st.caption(f"Learning rate from {10 ** lr[0]:.1e} to {10 ** lr[1]:.1e}; "
               f"β from {1 - 10 ** beta[1]:.4g} to {1 - 10 ** beta[0]:.4g}.")
    c1, c2, c3, c4 = st.columns(4, vertical_alignment="bottom")
    n_trials = c1.number_input("Trials", 1, 200, 20, key="search_trials")
    epochs = c2.number_input("Epochs per trial", 1, 5000, 200, 50, key="search_epochs")
    seed = c3.number_input("Search seed", 0, None, 0, key="search_seed")
    run = c4.button("Run search", key="search_run", type="primary", disabled=config is None,
                    icon=":material/travel_explore:")
    if run and config is not None:
        space = SearchSpace(log10_lr=lr, log10_one_minus_beta=beta, hidden_layers=layers,
                            units=units, l2=l2, keep_prob=keep, depth=depth)
        _run_and_keep("search", f"Training {n_trials} networks for {epochs} epochs each…",
                      random_search, config, space, n_trials=int(n_trials), epochs=int(epochs),
                      seed=int(seed), mode="caviar")
    result = PAGE.get("search")
    if result is None:
        st.info("Press **Run search** to train the trials.", icon=":material/info:")
        return
    st.plotly_chart(lab_charts.search_scatter_figure(result.trials, best=result.best), key="search_scatter")
    lab_lessons.effects_panel(result)
    st.markdown("**Best configurations** (lowest dev error)")
    st.dataframe(result.best, hide_index=True, key="search_best", column_config=SEARCH_COLUMNS)
    if st.button("Zoom in around the best (coarse to fine)", key="search_zoom", icon=":material/zoom_in:"):
        PAGE.set("search_space", zoom(result))
        for key in ("search_lr", "search_beta", "search_layers", "search_units", "search_l2", "search_keep"):
            STATE.pop(key, None)
        st.rerun()


def transfer_tab(config: LabConfig | None) -> None:
    st.markdown("Pre-train on a large task A, replace the output layer, then train on a small "
                "task B: fine-tune the last layer only, all layers, or train B from scratch.")
    c1, c2, c3, c4, c5 = st.columns(5, vertical_alignment="bottom")
    n_a = c1.number_input("Task A examples", 10, 20_000, 2000, 500, key="transfer_a")
    n_b = c2.number_input("Task B examples", 4, 5000, 60, 10, key="transfer_b")
    epochs = c3.number_input("Epochs", 1, 5000, 300, 50, key="transfer_epochs")
    new_layers = c4.number_input("New layers", 1, 4, 1, key="transfer_layers")
    run = c5.button("Compare", key="transfer_run", type="primary", disabled=config is None,
                    icon=":material/compare_arrows:")
    if run and config is not None:
        _run_and_keep("transfer", "Pre-training on task A, then fine-tuning on task B…",
                      compare_transfer, config, n_task_a=int(n_a), n_task_b=int(n_b),
                      epochs=int(epochs), new_layers=int(new_layers))
    result = PAGE.get("transfer")
    if result is None:
        st.info("Press **Compare** to run the three strategies.", icon=":material/info:")
        return
    st.plotly_chart(lab_charts.transfer_curves_figure(result.curves), key="transfer_curves")
    st.markdown(result.summary)
    st.dataframe(pd.DataFrame({"strategy": list(result.final),
                               "final dev error %": list(result.final.values())}),
                 hide_index=True, key="transfer_final",
                 column_config={"final dev error %": st.column_config.NumberColumn(format="%.1f%%")})


def ewa_tab() -> None:
    st.markdown("An exponentially weighted average keeps about 1/(1−β) steps of memory; "
                "momentum, RMSprop and Adam apply it to the gradients. Starting from V₀ = 0 it "
                "is biased low at first; bias correction divides by 1 − βᵗ.")
    st.latex(r"V_t = \beta V_{t-1} + (1-\beta)\,\theta_t \qquad \hat V_t = \frac{V_t}{1-\beta^t}")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    beta = c1.slider("β", 0.5, 0.995, 0.9, 0.005, key="ewa_beta", format="%.3f", **URL)
    corrected = c2.toggle("Bias correction", True, key="ewa_correction", **URL)
    values = temperature_series(365)
    t = np.arange(1, len(values) + 1)
    plain = ewa_series(values, beta=beta, bias_correction=False)
    curves = ({"with bias correction": ewa_series(values, beta=beta, bias_correction=True),
               "without (starts at 0)": plain} if corrected else {"without bias correction": plain})
    st.plotly_chart(lab_charts.ewa_figure(t, values, curves, beta=beta), key="ewa_chart")


# ---------------------------------------------------------------------------- page

st.title("Training lab")
st.caption("A small numpy network trained live: initialisation, regularisation, optimizers, "
           "batch norm, learning-rate decay and gradient checking from “Improving Deep Neural "
           "Networks”, with the error waterfall of the run.")

group_slots = settings_sidebar()
config = read_config(group_slots)
if config is None:
    live.pause(STATE)
else:
    change = live.sync_config(STATE, config)
    preset = STATE.pop(live.LOADED_PRESET_KEY, None)
    if preset and change.action != "unchanged":
        STATE[live.NOTICE_KEY] = (f"Loaded the course preset “{preset}”: a new run at epoch 0, "
                                       f"suggested length {_until():,} epochs. Press Play.")
    elif preset:
        STATE[live.NOTICE_KEY] = f"The settings already match the course preset “{preset}”."

run_controls(settings_ok=config is not None)
if notice := STATE.pop(live.NOTICE_KEY, None):
    st.info(escape_markdown(notice), icon=":material/info:")

session = live.current_session(STATE)
(live_tab, race_slot, inside_slot, remedies_slot, search_tab_slot, transfer_tab_slot, multi_slot,
 own_slot, ewa_tab_slot) = st.tabs(
    ["Live training", "Optimizer race", "Inside the network", "Variance remedies",
     "Hyperparameter search", "Transfer learning", "Multi-task", "Your data", "Weighted averages"])
with live_tab:
    if session is None:
        st.info("Fix the settings in the sidebar to build the first network.", icon=":material/info:")
    else:
        live_view()
        with st.expander("Gradient check", icon=":material/rule:"):
            gradient_check_panel()
        with st.expander("Save or open an experiment", icon=":material/save:"):
            save_panel()
with race_slot:
    lab_race.race_tab(config)
with inside_slot:
    lab_lessons.inside_tab(session, config)
with remedies_slot:
    remedies_tab(config)
with search_tab_slot:
    search_tab(config)
with transfer_tab_slot:
    transfer_tab(config)
with multi_slot:
    multitask_tab()
with own_slot:
    own_data_tab(config)
with ewa_tab_slot:
    ewa_tab()
