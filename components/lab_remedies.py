"""Training-lab panels that compare whole runs: variance remedies (augmentation, a seed
ensemble; L1 is a sidebar setting), a learning-curve run handed to the strategy page, and
multi-task learning against a network per task.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from analysis.strategy.stored import CURVE_ITEM
from analysis.text import escape_markdown
from analysis.training import (
    LabConfig,
    compare_multitask,
    compare_remedies,
    learning_curve_run,
    make_multitask_data,
)
from analysis.training.datasets import bayes_error
from analysis.training.multitask import MultiTaskResult
from charts.lab_panels import curve_points_figure, multitask_figure, remedy_gap_figure
from components.errors import show_error
from components.lab_lessons import keep_result, kept
from components.state import current_workspace, workspace_items
from workspace.kinds import LEARNING_CURVE

STATE = st.session_state
STRATEGY_PAGE = "views/strategy.py"
APP_ROOT = Path(__file__).resolve().parents[1]
ERROR_COLUMNS = {
    "train_error": st.column_config.NumberColumn("train error", format="%.1f%%"),
    "dev_error": st.column_config.NumberColumn("dev error", format="%.1f%%"),
    "gap": st.column_config.NumberColumn("gap (points)", format="%.1f"),
    "multi_task": st.column_config.NumberColumn("multi-task dev error", format="%.1f%%"),
    "separate": st.column_config.NumberColumn("separate dev error", format="%.1f%%"),
    "labelled": st.column_config.NumberColumn("labelled training examples", format="%d"),
}


def remedies_tab(config: LabConfig | None) -> None:
    """Variance remedies on the current setup, then the learning-curve run."""
    if config is None:
        st.info("Fix the settings in the sidebar first.", icon=":material/info:")
        return
    remedies_panel(config)
    st.divider()
    learning_curve_panel(config)


def remedies_panel(config: LabConfig) -> None:
    """Plain, augmented and ensemble runs of the current setup: train/dev gap of each."""
    st.markdown("**Variance remedies** on the current setup: data augmentation (jittered "
                "copies, plus flips or rotations only where they keep the labels) and an "
                "ensemble of networks from several seeds, against no remedy. Errors are "
                "measured on the original training examples.")
    st.caption(f"L1 regularisation is a sidebar setting (Regularisation › L1 λ, now "
               f"{config.l1:g}, {escape_markdown(config.l1_method)} steps); the proximal "
               f"step drives some weights to exactly zero.")
    c1, c2, c3, c4 = st.columns(4, vertical_alignment="bottom")
    epochs = c1.number_input("Epochs per run", 1, 5000, 300, 50, key="remedy_epochs")
    seeds = c2.number_input("Data draws (seeds)", 1, 5, 3, key="remedy_seeds")
    members = c3.number_input("Ensemble members", 2, 10, 5, key="remedy_members")
    if c4.button("Compare remedies", key="remedy_run", type="primary",
                 icon=":material/healing:"):
        keep_result("lab.remedies", "Training plain, augmented and ensemble runs…",
                    compare_remedies, config, epochs=int(epochs),
                    seeds=list(range(config.seed, config.seed + int(seeds))),
                    members=int(members))
    if (result := kept("lab.remedies", "Compare remedies")) is not None:
        show_comparison("remedy", remedy_gap_figure(result.runs), result.summary, result.runs)


def show_comparison(key: str, figure: object, summary: str, table: pd.DataFrame) -> None:
    """A comparison's chart, its sentence and its table of errors."""
    st.plotly_chart(figure, key=f"{key}_chart")
    st.markdown(escape_markdown(summary))
    st.dataframe(table, hide_index=True, key=f"{key}_table", column_config=ERROR_COLUMNS)


def parse_sizes(text: str) -> list[int]:
    """Training-set sizes from "25, 50, 100"; a ValueError names the entry that is wrong."""
    sizes = []
    for part in (p.strip() for p in text.split(",")):
        if not part.isdigit() or int(part) < 2:
            raise ValueError(f"training-set sizes must be whole numbers of at least 2, "
                             f"separated by commas (e.g. 25, 50, 100, 200); got {part!r}.")
        sizes.append(int(part))
    return sizes


def learning_curve_table(frame: pd.DataFrame) -> pd.DataFrame:
    """learning_curve_run's table in the columns of the saved learning curve (LEARNING_CURVE)."""
    return pd.DataFrame({"size": frame["size"].astype(int),
                         "train_error_pct": frame["train_error"].astype(float),
                         "dev_error_pct": frame["dev_error"].astype(float)})


def learning_curve_panel(config: LabConfig) -> None:
    """Train the current setup at several sizes, draw the points, save them for the strategy
    page."""
    st.markdown("**Learning curve**: the current setup trained at several training-set sizes "
                "(same dev set), to see whether more data would help before buying it.")
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    text = c1.text_input("Training-set sizes", "25, 50, 100, 200, 400", key="curve_sizes")
    epochs = c2.number_input("Epochs per size", 1, 5000, 300, 50, key="curve_epochs")
    run = c3.button("Run the sizes", key="curve_run", type="primary", icon=":material/show_chart:")
    if run:
        try:
            sizes = parse_sizes(text)
        except ValueError as err:
            show_error(err)
        else:
            keep_result("lab.curve", "Training at each size…", learning_curve_run, config,
                        sizes, epochs=int(epochs))
    frame = kept("lab.curve", "Run the sizes")
    if frame is None:
        return
    bayes = bayes_error(config.dataset, config.noise, config.label_flip)
    st.plotly_chart(curve_points_figure(frame, bayes_error=bayes), key="curve_chart")
    st.dataframe(frame, hide_index=True, key="curve_table", column_config=ERROR_COLUMNS)
    save_curve(frame)


def save_curve(frame: pd.DataFrame) -> None:
    """Save the points as a workspace item the strategy page's learning curve reads."""
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    name = c1.text_input("Save as", CURVE_ITEM, key="curve_name",
                         help="The strategy page fits the curve saved as "
                              f"“{CURVE_ITEM}”; another name keeps it aside.")
    if not c2.button("Save for the strategy page", key="curve_save", icon=":material/save:"):
        return
    if not name.strip():
        show_error("Give the learning curve a name before saving it.")
        return
    workspace = current_workspace()
    try:
        item = workspace_items().save(LEARNING_CURVE, name.strip(), learning_curve_table(frame))
    except ValueError as err:
        show_error(err)
        return
    st.success(f"Saved “{escape_markdown(item.name)}” (revision {item.revision}) in "
               f"{escape_markdown(workspace.name)}; the strategy page can fit it.")
    if (APP_ROOT / STRATEGY_PAGE).exists():
        st.page_link(STRATEGY_PAGE, label="Open the strategy page", icon=":material/trending_down:")


def multitask_tab() -> None:
    """One network with a sigmoid output per task (missing labels left out of the loss)
    against a network per task, on tasks that share features."""
    st.markdown("**Multi-task learning**: tasks built from the same hidden features, some "
                "training labels missing (“?”, left out of the loss). One network with a "
                "sigmoid output per task against a separate network per task.")
    c1, c2, c3, c4 = st.columns(4)
    tasks = c1.number_input("Tasks", 2, 8, 4, key="multi_tasks")
    n_train = c2.number_input("Training examples", 10, 5000, 200, 50, key="multi_train")
    missing = c3.slider("Labels missing", 0.0, 0.9, 0.5, 0.05, key="multi_missing")
    epochs = c4.number_input("Epochs", 1, 5000, 500, 50, key="multi_epochs")
    if st.button("Compare", key="multi_run", type="primary", icon=":material/hub:"):
        keep_result("lab.multitask", "Training one multi-task network and one per task…",
                    _multitask, int(tasks), int(n_train), float(missing), int(epochs))
    if (result := kept("lab.multitask", "Compare")) is not None:
        show_comparison("multi", multitask_figure(result.per_task), result.summary,
                        result.per_task)


def _multitask(tasks: int, n_train: int, missing: float, epochs: int) -> MultiTaskResult:
    """Tasks drawn with seed 1, compared (a fixed seed: the same widgets give the same run)."""
    data = make_multitask_data(tasks=tasks, n_train=n_train, missing=missing, seed=1)
    return compare_multitask(data, epochs=epochs, seed=1)
