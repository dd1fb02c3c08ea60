"""The optimizer race, live: every racer trains the sidebar's network from the same data and
weights, a few epochs per update, and the browser draws their cost curves as they go (the
lab's drawing component, frames played between updates); then the saddle/plateau surface
with each optimizer's path.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from analysis.text import escape_markdown
from analysis.training import OPTIMIZERS, LabConfig, OptimizerRace, live, surface_paths
from analysis.training.frames import one_blas_thread, race_frames
from analysis.training.race import DEFAULT_RACE, MAX_SURFACE_STEPS, race_result
from charts.lab_live import race_spec
from charts.lab_race import surface_figure
from components import lab_live
from components.errors import attempt

STATE = st.session_state
RUN_KEY = "lab.race_run"
SURFACE_STARTS = {"1e-3 off the saddle point": (1e-3, 1e-3),
                  "on the plateau, far from both minima": (2.0, 2.2),
                  "my own start": None}


@dataclass
class LiveRace:
    """A race in progress on the page: the racers, how far they go, and the time one epoch
    of all of them takes (measured, so an update fits the live tick's budget)."""

    contest: OptimizerRace
    target: int
    running: bool = True
    timing: dict[str, float] = field(default_factory=dict)
    frames: list[dict[str, Any]] = field(default_factory=list)

    @property
    def epoch(self) -> int:
        return next(iter(self.contest.sessions.values())).epoch

    def update(self) -> None:
        """Train the next chunk of epochs (in frames) and stop at the target."""
        per_epoch = self.timing.get(live.SECONDS_PER_EPOCH_KEY)
        epochs = max(min(live.auto_epochs(per_epoch), self.target - self.epoch), 0)
        began = time.perf_counter()
        self.frames = race_frames(self.contest, epochs, frames=live.FRAMES_PER_TICK)
        live.record_timing(self.timing, epochs, time.perf_counter() - began)
        self.running = self.epoch < self.target and bool(self.frames)

    def final_frame(self) -> dict[str, Any]:
        costs = self.contest.final_costs()
        return {"x": self.epoch, "values": {k: (float(v) if np.isfinite(v) else None)
                                            for k, v in costs.items()}}


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


def _start_race(config: LabConfig, epochs: int) -> None:
    """Build the racers (same data, same weights); a bad entry is shown by the button."""
    with one_blas_thread():
        contest = attempt(OptimizerRace, config, race_entries())
    STATE.pop(RUN_KEY, None)
    if contest is not None:
        STATE[RUN_KEY] = LiveRace(contest, int(epochs))


def race_tab(config: LabConfig | None) -> None:
    """Optimizers trained live from the same data and weights, cost curves on one chart;
    then the same optimizers on the saddle/plateau surface."""
    st.markdown("Every racer trains the current network on the **same data from the same "
                "initial weights**: only the update rule differs.")
    race_controls()
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    epochs = c1.number_input("Epochs", 1, 5000, 300, 50, key="race_epochs")
    if c2.button("Race", key="race_run", type="primary", disabled=config is None,
                 icon=":material/sprint:") and config is not None:
        _start_race(config, int(epochs))
    if STATE.get(RUN_KEY) is None:
        st.info("Press **Race** to train every racer from the same start, live.",
                icon=":material/info:")
    else:
        race_live()
    st.divider()
    surface_panel()


def race_live() -> None:
    """The race's own fragment: an update about once a second until the racers reach their
    epochs, each handing the browser several frames of the cost curves."""
    run: LiveRace = STATE[RUN_KEY]

    @st.fragment(run_every=live.TICK_INTERVAL_SECONDS if run.running else None)
    def _race() -> None:
        if run.running:
            run.update()
            if not run.running:
                st.rerun(scope="app")  # finished: turn the timer off, sum it up
        frames = run.frames if run.running else [run.final_frame()]
        lab_live.draw(race_spec(run.contest, frames, playing=run.running,
                                frame_ms=lab_live.frame_ms(), run=lab_live.run_token(run)),
                      key="race_live")
        if not run.running:
            st.markdown(escape_markdown(race_result(run.contest).summary))

    _race()


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
