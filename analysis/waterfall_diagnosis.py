"""The waterfall's words: the tactics for each problem, the diagnosis sentence and the
warnings a result carries (noise, missing levels, errors below human level).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analysis.general_formulation import format_points
from analysis.waterfall_result import Gap, SplitError

TACTICS: dict[str, tuple[str, ...]] = {
    "avoidable bias": (
        "Train a bigger model.",
        "Train longer, or with a better optimizer (momentum, RMSprop, Adam).",
        "Search for a better architecture or better hyperparameters.",
    ),
    "variance": (
        "Get more training data.",
        "Regularize: L2, dropout, data augmentation.",
        "Search for a better architecture or better hyperparameters.",
    ),
    "data mismatch": (
        "Do manual error analysis to see how the training data differs from dev/test.",
        "Make the training data more like dev/test, or collect more data like dev/test.",
        "Synthesize artificial data (beware: synthesizing from a tiny subset, e.g. 1 hour of "
        "car noise over 10,000 hours of speech, overfits to that subset).",
    ),
    "overfitting to dev": ("Get a bigger dev set.",),
}
TASK_KINDS = ("structured data", "perception")
# Where models most often pass the best human, and where they rarely do.
_TASK_NOTES = {
    None: ("Structured-data problems (online ads, product recommendation, logistics such as "
           "transit time, loan approval) surpass humans far more often than natural perception "
           "tasks (vision, speech)."),
    "structured data": ("This is a structured-data problem: such problems (online ads, product "
                        "recommendation, logistics, loan approval) often surpass humans, because "
                        "the model sees far more data than any person, so this is plausible."),
    "perception": ("This is a perception task (vision, speech): such tasks rarely surpass the best "
                   "humans, so check that the human reference is truly the best and that training "
                   "error is measured on the same kind of examples."),
}



def diagnosis_text(gaps: Sequence[Gap], problems: Sequence[str], ties: Sequence[str] = ()) -> str:
    """The diagnosis sentence: the problem that dominates, those that tie, or why none is named."""
    size = {g.kind: g.size for g in gaps}
    if not gaps:
        return "Only the training error is known: give human level or a later error to see a gap."
    if not problems:
        if any(g.within_noise for g in gaps):
            return "No gap stands out from the noise: more examples are needed to tell."
        return "No gap is positive: the model does as well on every later set as before it."
    named = [f"{kind} ({format_points(size[kind])} points)" for kind in problems]
    if len(named) == 1:
        return f"{named[0][0].upper()}{named[0][1:]} dominates: focus on reducing {problems[0]}."
    listed = ", ".join(named[:-1]) + f" and {named[-1]}"
    verb = "both matter" if len(named) == 2 else "all matter"
    if ties:
        tied = " and ".join(ties) if len(ties) == 2 else ", ".join(ties[:-1]) + f" and {ties[-1]}"
        return (f"{listed[0].upper()}{listed[1:]} {verb}; {tied} tie for largest (the numbers "
                "cannot say which is bigger), so work on them together or gather more examples "
                "to tell them apart.")
    return f"{listed[0].upper()}{listed[1:]} {verb}; start with {problems[0]} (the largest)."


def gap_warnings(levels: Sequence[SplitError], gaps: Sequence[Gap], has_train_dev: bool,
                 confidence: float) -> list[str]:
    """Warnings on missing levels (human, train-dev), gaps within the noise and gaps below 0."""
    error = {s.split: s.error for s in levels}
    notes = []
    if "human" not in error:
        notes.append("No human-level error was given: avoidable bias cannot be measured. "
                     "Enter the best human performance you know as the Bayes proxy.")
    if not has_train_dev and "dev" in error:
        notes.append("No train-dev set: the dev - train gap mixes variance and data mismatch, "
                     "so they cannot be told apart. Hold out a random slice of the training "
                     "data, not trained on, as a train-dev set.")
    for gap in gaps:
        if gap.within_noise:
            notes.append(_noise_warning(gap, levels, confidence))
        elif gap.size < 0 and gap.kind != "avoidable bias":
            # Below the proxy is read against the best human and the Bayes estimate together.
            notes.append(_negative_warning(gap, error))
    return notes


def beyond_human_notes(levels: Sequence[SplitError], best_human: float | None,
                        bayes_error_pct: float | None, task_kind: str | None) -> list[str]:
    """What training error below the best human (or below the Bayes estimate) means."""
    error = {s.split: s.error for s in levels}
    train = error.get("train")
    notes = []
    if bayes_error_pct is not None and best_human is not None and bayes_error_pct > best_human:
        notes.append(f"The estimated Bayes error ({bayes_error_pct:g}%) is above the best human "
                     f"level ({best_human:g}%): Bayes error is the lowest error anyone can reach, "
                     "so the estimate is probably too high.")
    if train is None:
        return notes
    below_human = best_human is not None and train < best_human
    if bayes_error_pct is not None and train < bayes_error_pct:
        notes.append(f"Training error ({train:g}%) is below the estimated Bayes error "
                     f"({bayes_error_pct:g}%): no model does better than Bayes error on new data, "
                     "so either the estimate is too high or the model fits its training set "
                     "beyond what generalises."
                     + (f" {_TASK_NOTES[task_kind]}" if below_human else ""))
    elif below_human and bayes_error_pct is not None:
        notes.append(f"Training error ({train:g}%) is below the best human level "
                     f"({best_human:g}%); avoidable bias is measured from the separately "
                     f"estimated Bayes error ({bayes_error_pct:g}%) instead: "
                     f"{format_points(train - bayes_error_pct)} points. Progress usually slows "
                     "past human level, and manual error analysis gets harder. "
                     f"{_TASK_NOTES[task_kind]}")
    elif below_human:
        notes.append(f"Training error ({train:g}%) is below human level ({best_human:g}%): "
                     "avoidable bias is no longer measurable (human level is no longer a good "
                     "proxy for Bayes error) and progress usually slows from here. "
                     f"{_TASK_NOTES[task_kind]} If Bayes error can be estimated separately, "
                     "enter it: it then replaces human level as the proxy.")
    return notes


def _noise_warning(gap: Gap, levels: Sequence[SplitError], confidence: float) -> str:
    counts = {s.split: s.examples for s in levels}
    sizes = " and ".join(f"{counts[lvl]:,} {lvl} examples" for lvl in (gap.start, gap.end)
                         if counts.get(lvl))
    return (f"The {gap.kind} gap ({format_points(gap.size)} points) is within the noise: its "
            f"{confidence:.0%} interval runs from {format_points(gap.low)} to {format_points(gap.high)} "
            f"points with {sizes}. It is not reported as a problem; more examples would tell.")


def _negative_warning(gap: Gap, error: Mapping[str, float]) -> str:
    start, end = error[gap.start], error[gap.end]
    if gap.kind == "variance":
        return (f"{gap.end.capitalize()} error ({end:g}%) is lower than training error "
                f"({start:g}%): unusual; check that the {gap.end} set is held out and not trained on.")
    if gap.kind == "data mismatch":
        return (f"Dev error ({end:g}%) is lower than train-dev error ({start:g}%), a gap "
                f"of {format_points(gap.size)} points: the dev/test data is easier than the "
                "training distribution.")
    return (f"Test error ({end:g}%) is lower than dev error ({start:g}%): dev and test should "
            "come from the same distribution; check how they were split.")

