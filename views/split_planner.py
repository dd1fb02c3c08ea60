"""Split planner: how big dev and test must be and where each source goes; checks a split you
already have; writes a seeded split column into your file."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.limits import ReadLimits
from analysis.predictions import READABLE_FILE_TYPES, read_table
from analysis.sample_size import (
    SAMPLE_DESIGNS,
    SampleSize,
    detectable_difference,
    dev_size_to_detect,
    interval_half_width,
    size_for_interval,
)
from analysis.sheet_io import export_csv
from analysis.split_assignment import SplitAssignment, assign_splits
from analysis.splits import (
    SplitPlan,
    audit_split,
    format_sources,
    parse_sources,
    plan_splits,
    shuffled_split,
    split_counts,
)
from analysis.text import escape_markdown
from charts.splits import allocation_figure, composition_figure
from components.errors import show_error
from components.limits import parse_slot, read_limits
from components.share import copy_link
from components.split_plan import (
    GoalSets,
    goal_sets,
    goal_sizes_caption,
    save_plan_section,
    shape_input,
)
from components.state import content_digest
from components.url_params import start_value

COURSE_SOURCES = format_sources({"web": 200_000, "mobile": 10_000})
SIZING = ("course default", "enter sizes", "derive from what you need")
NO_STRATIFY = "(do not stratify)"
PAGE = "split-planner"  # its URL path: the key of its table of URL parameters


@st.cache_data(show_spinner=False, max_entries=8)
def _read_upload(data: bytes, name: str, limits: ReadLimits) -> pd.DataFrame:
    return read_table(data, name, limits=limits)[0]


@st.cache_data(show_spinner="Writing the split column...", max_entries=8)
def _assign(data: bytes, name: str, source_column: str, target: str, dev: int | None,
            test: int | None, train_dev: int | None, seed: int, stratify: str | None,
            split_column: str, _dev_needed: SampleSize | None, _test_needed: SampleSize | None,
            needed_key: str, two_way: bool) -> SplitAssignment:
    # needed_key stands for the two SampleSize objects (unhashable for the cache) in the key.
    return assign_splits(_read_upload(data, name, read_limits()), source_column=source_column, target=target,
                         dev_size=dev, test_size=test, train_dev_size=train_dev, seed=seed,
                         stratify_column=stratify, split_column=split_column,
                         dev_needed=_dev_needed, test_needed=_test_needed, two_way=two_way)


def sources_input() -> dict[str, int] | None:
    text = st.text_input("Data sources and their sizes", value=COURSE_SOURCES, key="sources",
                         bind="query-params",
                         help="One 'name: size' per source, separated by ';' (e.g. 'web: 200000; "
                              "mobile: 10000').")
    try:
        return parse_sources(text or "")
    except ValueError as err:
        show_error(err)
        return None


def target_input(sources: dict[str, int], sets: GoalSets) -> str:
    names = list(sources)
    # The goal's dev distribution when a source bears its name, else the scarce source: usually
    # the one the product will meet (the app's own data).
    named = [i for i, name in enumerate(names) if sets.distribution
             and name.casefold() in sets.distribution.casefold()]
    index = named[0] if named else min(range(len(names)), key=lambda i: sources[names[i]])
    return st.selectbox("Target distribution (what the model will meet)", names, index=index,
                        key="target", bind="query-params",
                        help="Dev and test come from this source only.")


def sizing_inputs(sets: GoalSets, two_way: bool) -> tuple[int | None, int | None,
                                                         SampleSize | None, SampleSize | None]:
    """Dev/test sizes as typed (starting from the project goal's), or the sample sizes needed;
    (dev, test, dev_needed, test_needed). A two-way split has no dev size."""
    mode = st.radio("Dev and test sizes", SIZING, key="sizing", bind="query-params",
                    horizontal=True, index=SIZING.index("enter sizes") if sets.given else 0)
    if mode == "enter sizes":
        goal_sizes_caption(sets)
        left, right = st.columns(2)
        dev = left.number_input("Dev size", min_value=0, step=500, key="dev_size",
                                value=sets.dev_size or start_value(PAGE, "dev_size"),
                                bind="query-params", disabled=two_way)
        test = right.number_input("Test size", min_value=0, step=500, key="test_size",
                                  value=sets.test_size or start_value(PAGE, "test_size"),
                                  bind="query-params")
        return int(dev), int(test), None, None
    if mode == "derive from what you need":
        return (None, None, *_needed_sizes())
    return None, None, None, None


def _needed_sizes() -> tuple[SampleSize | None, SampleSize | None]:
    st.markdown("**Dev set: detect a difference between two models**")
    c1, c2, c3, c4 = st.columns(4)
    difference = c1.number_input("Difference to detect (points)", min_value=0.0, value=1.0,
                                 step=0.1, format="%.2f", key="detect", bind="query-params")
    error_rate = c2.number_input("Current error rate (%)", min_value=0.0, max_value=100.0,
                                 value=start_value(PAGE, "error_pct"), step=0.5, key="error_pct", bind="query-params")
    alpha = c3.number_input("Significance level α", min_value=0.0, max_value=0.5, value=0.05,
                            step=0.01, key="alpha", bind="query-params")
    power = c4.number_input("Power", min_value=0.5, max_value=1.0, value=0.8, step=0.05,
                            key="power", bind="query-params")
    d1, d2 = st.columns(2)
    design = d1.radio("Test", SAMPLE_DESIGNS, key="design", bind="query-params", horizontal=True,
                      help="two-proportion: independent samples. paired: both models scored on the "
                           "same dev examples (McNemar).")
    discordant = None
    if design == "paired":
        discordant = d2.number_input(
            "Discordant rate (%): examples exactly one model gets wrong (blank = independent mistakes)",
            min_value=0.0, max_value=100.0, value=None, step=0.5, key="psi", bind="query-params")
    dev_needed = test_needed = None
    try:
        dev_needed = dev_size_to_detect(difference, error_rate, alpha=alpha, power=power,
                                        design=design, discordant_rate_pct=discordant)
        st.caption(f"{dev_needed.explanation} Formula: {dev_needed.formula}. "
                   f"Assumes {dev_needed.assumptions}.")
    except ValueError as err:
        show_error(err)
    st.markdown("**Test set: a confidence interval this narrow**")
    t1, t2 = st.columns(2)
    half_width = t1.number_input("Interval half-width (± points)", min_value=0.0, max_value=50.0,
                                 value=1.0, step=0.1, key="halfwidth", bind="query-params")
    confidence = t2.number_input("Confidence", min_value=0.5, max_value=0.999, value=0.95,
                                 step=0.01, key="confidence", bind="query-params")
    try:
        test_needed = size_for_interval(error_rate, half_width, confidence=confidence)
        st.caption(f"{test_needed.explanation} Formula: {test_needed.formula}. "
                   f"Assumes {test_needed.assumptions}.")
    except ValueError as err:
        show_error(err)
    return dev_needed, test_needed


def train_dev_input() -> int | None:
    value = st.number_input("Train-dev size (blank = the dev size, at most 10% of the training pool)",
                            min_value=0, value=start_value(PAGE, "train_dev_size"), step=500,
                            key="train_dev_size",
                            bind="query-params")
    return None if value is None else int(value)


def show_plan(plan: SplitPlan) -> None:
    cols = st.columns(4)
    for col, split in zip(cols, ("train", "train-dev", "dev", "test"), strict=True):
        target_part = plan.count(split, plan.target)
        col.metric(split, f"{plan.count(split):,}",
                   help=f"{target_part:,} from the target {escape_markdown(repr(plan.target))}")
    for warning in plan.warnings:
        st.warning(escape_markdown(warning), icon=":material/warning:")
    size_check(plan)
    table = plan.table()
    shares = st.toggle("Show counts instead of shares", key="counts", bind="query-params")
    st.plotly_chart(composition_figure(table, target=plan.target, as_share=not shares),
                    key="composition_chart")
    st.plotly_chart(allocation_figure(table), key="allocation_chart")
    st.dataframe(table, key="plan_table", column_config=_table_columns(table))
    st.markdown("**How the course's rules apply here**\n\n"
                + "\n".join(f"- {escape_markdown(note)}" for note in plan.notes))


def _table_columns(table: pd.DataFrame) -> dict[str, st.column_config.Column]:
    config = {str(c): st.column_config.NumberColumn(format="localized") for c in table.columns}
    config["share of all"] = st.column_config.NumberColumn(format="percent")
    return config


def size_check(plan: SplitPlan) -> None:
    """What the planned dev and test sizes can tell apart, at an error rate the user expects."""
    left, right = st.columns([1, 3], vertical_alignment="center")
    error_rate = left.number_input("Expected error rate (%)", min_value=0.1, max_value=99.9,
                                   value=start_value(PAGE, "check_error_pct"), step=0.5,
                                   key="check_error_pct", bind="query-params")
    try:
        smallest = detectable_difference(max(plan.count("dev"), 1), error_rate)
        half = interval_half_width(max(plan.count("test"), 1), error_rate)
    except ValueError as err:
        show_error(err)
        return
    dev_text = (f"dev ({plan.count('dev'):,}) tells apart models about {smallest:.2f} points "
                "apart (two-proportion test, α 0.05, power 0.8)" if smallest is not None else
                f"dev ({plan.count('dev'):,}) is too small to tell any two models apart reliably")
    right.caption(f"At {error_rate:g}% error, {dev_text}; test ({plan.count('test'):,}) measures "
                  f"the final error to ±{half:.2f} points (95%).")


def own_split_section(sources: dict[str, int], plan: SplitPlan) -> None:
    st.subheader("Check your own split")
    st.caption("Type how many examples of each source you put in each split. It starts with what "
               "shuffling every source together would give, the mistake the course warns about.")
    start = shuffled_split(sources, dev_size=plan.count("dev"), test_size=plan.count("test"),
                           train_dev_size=plan.count("train-dev"))[list(sources)]
    editor_key = "own_split_" + content_digest(format_sources(sources).encode())
    edited = st.data_editor(start, key=editor_key, num_rows="fixed",
                            column_config={name: st.column_config.NumberColumn(min_value=0, step=1)
                                           for name in sources})
    try:
        audit = audit_split(edited.fillna(0), target=plan.target)
    except ValueError as err:
        show_error(err)
        return
    for warning in audit.warnings:
        st.warning(escape_markdown(warning), icon=":material/warning:")
    if audit.ok:
        st.success("This split follows the course's rules: " + escape_markdown(" ".join(audit.passed)),
                   icon=":material/check_circle:")


def file_section(dev: int | None, test: int | None, train_dev: int | None,
                 dev_needed: SampleSize | None, test_needed: SampleSize | None,
                 two_way: bool = False) -> None:
    st.subheader("Write a split column into your file")
    st.caption("Upload a table with one row per example and a column saying where each example "
               "comes from. Sizes follow your choices above; the file's own source counts are used.")
    upload = st.file_uploader("File with a source column", type=list(READABLE_FILE_TYPES),
                              key="split_file")
    if upload is None:
        return
    data = upload.getvalue()
    try:
        limits = read_limits()
        with parse_slot(data, limits):
            frame = _read_upload(data, upload.name, limits)
    except ValueError as err:
        show_error(err)
        return
    columns = [str(c) for c in frame.columns]
    c1, c2, c3 = st.columns(3)
    default_source = columns.index("source") if "source" in columns else 0
    source_column = c1.selectbox("Source column", columns, index=default_source,
                                 key="split_source_column")
    values = sorted(frame[source_column].dropna().astype(str).str.strip().unique().tolist())
    target = c2.selectbox("Target value", values, key="split_file_target",
                          index=_smallest_value(frame[source_column], values))
    stratify = c3.selectbox("Stratify by", [NO_STRATIFY, *columns], key="split_stratify",
                            index=1 + columns.index("y_true") if "y_true" in columns else 0)
    s1, s2 = st.columns(2)
    seed = s1.number_input("Seed", min_value=0, value=0, step=1, key="split_seed")
    split_column = s2.text_input("Name of the split column", value="split", key="split_name")
    if split_column in columns:
        _audit_existing(frame, split_column, source_column, target)
    try:
        result = _assign(data, upload.name, source_column, target, dev, test, train_dev, int(seed),
                         None if stratify == NO_STRATIFY else stratify, split_column,
                         dev_needed, test_needed, _needed_key(dev_needed, test_needed), two_way)
    except ValueError as err:
        show_error(err)
        return
    for warning in result.plan.warnings:
        st.warning(escape_markdown(warning), icon=":material/warning:")
    written = split_counts(result.frame, split_column=split_column, source_column=source_column)
    st.markdown(f"**The split written to column {escape_markdown(repr(split_column))}**")
    st.dataframe(written, key="written_table", column_config=_table_columns(written))
    st.caption(escape_markdown(" ".join(result.notes)))
    stem = upload.name.rsplit(".", 1)[0].removesuffix(".csv")
    st.download_button("Download the file with its split column", key="split_download",
                       data=export_csv(result.frame),
                       file_name=f"{stem}_split.csv", mime="text/csv", on_click="ignore",
                       icon=":material/download:")


def _smallest_value(column: pd.Series, values: list[str]) -> int:
    counts = column.dropna().astype(str).str.strip().value_counts()
    return values.index(str(counts.idxmin())) if len(counts) else 0


def _needed_key(*needed: SampleSize | None) -> str:
    return "|".join(str(n.to_dict()) if n else "-" for n in needed)


def _audit_existing(frame: pd.DataFrame, split_column: str, source_column: str, target: str) -> None:
    st.info(f"The file already has a column {escape_markdown(repr(split_column))}: here is how it "
            "holds up. The download replaces it.", icon=":material/info:")
    try:
        existing = split_counts(frame, split_column=split_column, source_column=source_column)
        audit = audit_split(existing, target=target)
    except ValueError as err:
        show_error(err)
        return
    with st.expander("Your existing split"):
        st.dataframe(existing, key="existing_table", column_config=_table_columns(existing))
    for warning in audit.warnings:
        st.warning(f"Your split: {escape_markdown(warning)}", icon=":material/warning:")
    if audit.ok:
        st.success("Your existing split follows the course's rules.", icon=":material/check_circle:")


st.title("Split planner")
st.caption("Dev and test come from the distribution you care about; training data may come from "
           "elsewhere; a train-dev slice tells variance from data mismatch.")
copy_link()
sources = sources_input()
dev = test = train_dev = None
dev_needed = test_needed = None
two_way = False
if sources is not None:
    project_sets = goal_sets()
    target = target_input(sources, project_sets)
    two_way = shape_input(sources)
    dev, test, dev_needed, test_needed = sizing_inputs(project_sets, two_way)
    if two_way:
        dev = dev_needed = None  # no dev set: its size means nothing
    train_dev = train_dev_input()
    try:
        plan = plan_splits(sources, target=target, dev_size=dev, test_size=test,
                           train_dev_size=train_dev, dev_needed=dev_needed,
                           test_needed=test_needed, two_way=two_way)
    except ValueError as err:
        show_error(err)
        plan = None
    if plan is not None:
        st.subheader("Recommended split")
        show_plan(plan)
        save_plan_section(plan)
        own_split_section(sources, plan)
file_section(dev, test, train_dev, dev_needed, test_needed, two_way)
