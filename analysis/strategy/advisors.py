"""The course's advisors on learning from several tasks, driven by the team's numbers:
transfer learning (A -> B), multi-task learning and end-to-end learning vs a pipeline.

Each returns an `Advice`: a verdict ("yes", "no" or "maybe"), the reasons, the thresholds it
used (so the team sees which number decided it) and the course's example nearest the input.
Quantities may be counted in any unit (examples, hours of audio) as long as the numbers
compared with each other share it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.strategy.thresholds import Threshold, at_least
from analysis.validation import check_array, check_number, rows_preview

VERDICTS = ("yes", "no", "maybe")
# Transfer A -> B pays when A has at least this many times B's data.
TRANSFER_DATA_RATIO = 10.0
# Below this many target examples only the new last layer is retrained; from it on, all layers.
SMALL_TARGET_EXAMPLES = 1_000.0
# Multi-task: "similar amounts of data" = the largest task has at most this many times the
# smallest; and even the largest task must gain at least its own amount from the others.
SIMILAR_DATA_RATIO = 10.0
POOLED_DATA_RATIO = 1.0
# End-to-end wins once x -> y data is an order of magnitude above the scarcest step's data
# (speech: a pipeline is good at ~3,000 h, end-to-end wins at 10,000-100,000 h).
END_TO_END_RATIO = 10.0
# What to do, per advisor and verdict (transfer's sentence also names the layers).
_RECOMMENDATIONS = {
    "multi-task": {"yes": "Train one network with an output per task.",
                   "maybe": "Try one network with an output per task against separate networks.",
                   "no": "Train separate networks (or consider transfer learning)."},
    "end-to-end": {"yes": "Learn x -> y end to end.",
                   "maybe": "Try end-to-end against the pipeline; keep the pipeline until it wins.",
                   "no": "Keep the pipeline: there is not enough x -> y data to learn the whole "
                         "mapping."},
}


@dataclass(frozen=True)
class CourseExample:
    """One of the course's worked examples: its name and what the course concludes."""

    name: str
    lesson: str


@dataclass(frozen=True)
class Advice:
    """The course's recommendation for the team's numbers.

    `verdict` is "yes", "no" or "maybe"; `reasons` are sentences with the numbers;
    `thresholds` the rules used; `closest_example` the course's case nearest the input.
    For transfer, `retrain` says which layers to fine-tune ("last layer" or "all layers")
    and `retrain_options` the alternatives.
    """

    question: str
    verdict: str
    recommendation: str
    reasons: tuple[str, ...]
    thresholds: tuple[Threshold, ...]
    closest_example: CourseExample
    retrain: str | None = None
    retrain_options: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# ---------------------------------------------------------------------------- input checks

def _check_amount(name: str, value: object) -> float:
    number = check_number(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be a positive amount of data (examples or hours); got {value!r}.")
    return number


def _check_amounts(name: str, values: object, *, minimum: int) -> tuple[float, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ValueError(f"{name} must be a list of amounts of data, one per item; got {values!r}.")
    if len(values) < minimum:
        raise ValueError(f"{name} needs at least {minimum} amounts; got {len(values)}.")
    array = check_array(name, list(values))
    bad = [i for i, v in enumerate(array) if v <= 0]
    if bad:
        raise ValueError(f"{name} must hold positive amounts of data; {rows_preview(bad)} "
                         f"hold {array[bad[0]]:g}.")
    return tuple(float(v) for v in array)


def _check_flag(name: str, value: object, *, allow_none: bool = True) -> bool | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, bool):
        unknown = " or None when not known" if allow_none else ""
        raise ValueError(f"{name} must be True or False{unknown}; got {value!r}.")
    return value


def _first_rule(rules: Sequence[tuple[bool, str, str]]) -> tuple[str, str]:
    """(verdict, reason) of the first rule that holds; each advisor ends with an always-true
    rule, so the order of the list is the order of precedence."""
    return next((verdict, reason) for holds, verdict, reason in rules if holds)


def _log_distance(value: float, low: float, high: float) -> float:
    """How many orders of magnitude `value` lies outside [low, high] (0 inside; low may be 0)."""
    if value < low:
        return math.log10(low / value)
    if value > high:
        return math.log10(value / high)
    return 0.0


def _amount(value: float) -> str:
    """An amount of data as people write it: 1,000,000 rather than 1e+06; 0.5 stays 0.5."""
    return f"{value:,.0f}" if value >= 1 and float(value).is_integer() else f"{value:,.4g}"


def _ratio_text(ratio: float) -> str:
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.2g}x"


# ---------------------------------------------------------------------------- transfer

_TRANSFER_EXAMPLES = (
    (CourseExample("image recognition (1,000,000 images) -> radiology diagnosis (100 images)",
                   "Pre-train on image recognition, swap the output layer, retrain it on the "
                   "radiology images: low-level features (edges, shapes) carry over."),
     1_000_000.0, 100.0),
    (CourseExample("speech recognition (10,000 h) -> wake-word detection (1 h)",
                   "Pre-train on speech recognition, then fine-tune on the wake-word audio: "
                   "what was learned about sounds carries over."),
     10_000.0, 1.0),
)


def transfer_advice(*, source_examples: float, target_examples: float, same_input_type: bool,
                    shared_low_level_features: bool | None,
                    small_target_examples: float = SMALL_TARGET_EXAMPLES) -> Advice:
    """Should task B (target) start from a network trained on task A (source)?

    Transfer makes sense when A and B take the same kind of input, A has far more data
    (at least 10x B's here) and A's low-level features help B. Then: swap the output layer
    for a freshly initialised one and retrain only it while B's data is small (below
    `small_target_examples`), all layers from there on.

    Parameters
    ----------
    source_examples, target_examples : float
        Data for A and for B, in the same unit (examples, hours).
    same_input_type : bool
        Do A and B take the same kind of input (both images, both audio)?
    shared_low_level_features : bool or None
        Would A's low-level features help B? None when not known.
    small_target_examples : float
        Target data below this retrains only the last layer (1,000 by default).

    Examples
    --------
    >>> advice = transfer_advice(source_examples=1_000_000, target_examples=100,
    ...                          same_input_type=True, shared_low_level_features=True)
    >>> advice.verdict, advice.retrain
    ('yes', 'last layer')
    """
    source = _check_amount("source_examples", source_examples)
    target = _check_amount("target_examples", target_examples)
    same = _check_flag("same_input_type", same_input_type, allow_none=False)
    shared = _check_flag("shared_low_level_features", shared_low_level_features)
    small = _check_amount("small_target_examples", small_target_examples)
    ratio = source / target
    far_more = at_least(f"source data at least {TRANSFER_DATA_RATIO:g}x target data",
                        TRANSFER_DATA_RATIO, ratio)
    more = Threshold("source data more than target data", 1.0, ratio, ratio > 1)
    enough_target = at_least(f"target data at least {small:,.0f}: retrain all layers "
                             "(below it, only the last layer)", small, target)
    reasons = [f"A has {_amount(source)} and B has {_amount(target)}: A has {_ratio_text(ratio)} B's data."]
    verdict, reason = _first_rule([
        (not same, "no", "A and B take different kinds of input, so A's features do not apply "
                         "to B."),
        (shared is False, "no", "A's low-level features would not help B, so there is nothing "
                                "to carry over."),
        (not more.met, "no", "A has no more data than B: an example of B is worth more to B than "
                             "one of A, so train on B directly."),
        (not far_more.met, "maybe", f"A has more data than B but less than "
                                    f"{TRANSFER_DATA_RATIO:g}x: the gain from pre-training is "
                                    "likely small; try it against training on B alone."),
        (shared is None, "maybe", "Whether A's low-level features help B is not known: try it "
                                  "against training on B alone."),
        (True, "yes", "Same input type, far more data for A, and A's low-level features help B."),
    ])
    reasons.append(reason)
    retrain, options = None, ()
    if verdict != "no":
        retrain = "all layers" if enough_target.met else "last layer"
        reasons.append(f"B has {_amount(target)} (threshold {small:,.0f}): retrain "
                       + ("all layers, initialised from A (fine-tuning)." if enough_target.met else
                          "only the new output layer, keeping A's weights fixed."))
        options = ("Replace the output layer with several new layers instead of one: more "
                   "capacity for B, but they need more of B's data to train.",)
    example = min(_TRANSFER_EXAMPLES, key=lambda e: abs(math.log10(source / e[1]))
                  + abs(math.log10(target / e[2])))[0]
    return Advice("transfer learning", verdict, _transfer_sentence(verdict, retrain),
                  tuple(reasons), (far_more, more, enough_target), example, retrain, options)


def _transfer_sentence(verdict: str, retrain: str | None) -> str:
    if verdict == "no":
        return "Do not transfer: train on B's data directly."
    action = ("retrain only the new output layer" if retrain == "last layer"
              else "fine-tune all layers")
    lead = "Transfer" if verdict == "yes" else "Transfer may help"
    return f"{lead}: pre-train on A, swap the output layer for a new one and {action} on B."


# ---------------------------------------------------------------------------- multi-task

_MULTITASK_EXAMPLES = (
    (CourseExample("100 tasks with 1,000 examples each",
                   "Each task gains from the other 99,000 examples: one network for all of "
                   "them beats 100 separate small ones."),
     100, 1_000.0),
    (CourseExample("object detection: pedestrian, car, stop sign, traffic light in one image",
                   "One network with four 0/1 outputs shares the low-level features; a "
                   "missing label is left out of the loss."),
     4, None),
)


def multitask_advice(*, examples_per_task: Sequence[float], shared_low_level_features: bool | None,
                     network_big_enough: bool | None) -> Advice:
    """Should several tasks be learned by one network with one output per task?

    Multi-task learning helps when the tasks share low-level features, have similar
    amounts of data (the largest at most 10x the smallest here) so that each task, even the
    largest, gains at least its own amount of data from the others, and the network is big
    enough to learn all of them (only a network too small makes it worse than separate ones).

    Examples
    --------
    >>> advice = multitask_advice(examples_per_task=[1_000] * 100, shared_low_level_features=True,
    ...                           network_big_enough=True)
    >>> advice.verdict, advice.closest_example.name
    ('yes', '100 tasks with 1,000 examples each')
    """
    amounts = _check_amounts("examples_per_task", examples_per_task, minimum=2)
    shared = _check_flag("shared_low_level_features", shared_low_level_features)
    big = _check_flag("network_big_enough", network_big_enough)
    total, largest, smallest = math.fsum(amounts), max(amounts), min(amounts)
    spread, pooled = largest / smallest, (total - largest) / largest
    similar = Threshold(f"largest task at most {SIMILAR_DATA_RATIO:g}x the smallest (similar "
                        "amounts of data)", SIMILAR_DATA_RATIO, spread, spread <= SIMILAR_DATA_RATIO)
    gains = at_least(f"the other tasks together hold at least {POOLED_DATA_RATIO:g}x the largest "
                     "task's data", POOLED_DATA_RATIO, pooled)
    each = (f"{_amount(largest)} examples each" if largest == smallest else
            f"{_amount(smallest)} to {_amount(largest)} examples")
    reasons = [f"{len(amounts)} tasks with {each} ({_amount(total)} in all): even the largest "
               f"task gains {_amount(total - largest)} examples from the others "
               f"({_ratio_text(pooled)} its own)."]
    verdict, reason = _first_rule([
        (shared is False, "no", "The tasks share no low-level features: each would only compete "
                                "for the network's capacity. Train separate networks."),
        (big is False, "no", "The network is not big enough for all the tasks, the one case "
                             "where multi-task learning does worse than separate networks: make "
                             "it bigger first."),
        (not similar.met or not gains.met, "maybe", "The amounts of data differ too much: the "
                                                    "tasks with the most data gain little from "
                                                    "the others, the small ones gain most."),
        (shared is None or big is None, "maybe", "Whether the tasks share low-level features "
                                                 "and the network is big enough is not fully "
                                                 "known: compare against separate networks."),
        (True, "yes", "Shared low-level features, similar amounts of data and a network big "
                      "enough: one network learns all tasks better than separate ones."),
    ])
    reasons.append(reason)
    example = min(_MULTITASK_EXAMPLES, key=lambda e: _multitask_distance(amounts, e[1], e[2]))[0]
    note = ("Multi-task learning is rarely used outside object detection; transfer learning is "
            "far more common.")
    return Advice("multi-task learning", verdict, _RECOMMENDATIONS["multi-task"][verdict],
                  tuple(reasons), (similar, gains), example, warnings=(note,))


def _multitask_distance(amounts: Sequence[float], tasks: int, per_task: float | None) -> float:
    distance = abs(math.log10(len(amounts) / tasks))
    if per_task is not None:
        middle = sorted(amounts)[len(amounts) // 2]
        distance += abs(math.log10(middle / per_task))
    return distance


# ---------------------------------------------------------------------------- end-to-end

_END_TO_END_EXAMPLES = (
    (CourseExample("face recognition at a gate, in two steps (find the face, then compare "
                   "identities)",
                   "Each step has plenty of data while the whole mapping from a camera image to "
                   "an identity does not: the two-step pipeline works better."),
     0.0, 0.1),
    (CourseExample("speech recognition with about 3,000 h of audio",
                   "A pipeline (audio -> features -> phonemes -> words) works well; end-to-end "
                   "does not have enough data yet."),
     1.0, 1.0),
    (CourseExample("speech recognition with 10,000-100,000 h of audio against a 3,000 h pipeline",
                   "With this much x -> y data end-to-end learning wins: it lets the data speak."),
     10_000 / 3_000, 100_000 / 3_000),
)


def end_to_end_advice(*, end_to_end_examples: float, examples_per_step: Sequence[float]) -> Advice:
    """Learn x -> y with one network, or keep a pipeline of steps?

    The key question: is there enough data to learn the whole mapping? End-to-end needs
    much more x -> y data than a pipeline needs for its steps; here "yes" when the x -> y
    data is at least 10x the scarcest step's data, "no" when it is no more than it.

    Parameters
    ----------
    end_to_end_examples : float
        Labelled (x, y) pairs for the whole mapping.
    examples_per_step : sequence of float
        Labelled data for each step of the pipeline (at least two steps), same unit.

    Examples
    --------
    >>> end_to_end_advice(end_to_end_examples=3_000, examples_per_step=[3_000, 3_000]).verdict
    'no'
    >>> end_to_end_advice(end_to_end_examples=100_000, examples_per_step=[3_000, 3_000]).verdict
    'yes'
    """
    whole = _check_amount("end_to_end_examples", end_to_end_examples)
    steps = _check_amounts("examples_per_step", examples_per_step, minimum=2)
    scarcest = min(steps)
    ratio = whole / scarcest
    enough = at_least(f"end-to-end (x -> y) data at least {END_TO_END_RATIO:g}x the scarcest "
                      "step's data", END_TO_END_RATIO, ratio)
    more = Threshold("end-to-end data more than the scarcest step's data", 1.0, ratio, ratio > 1)
    reasons = [f"The whole mapping has {_amount(whole)} labelled pairs; the scarcest of the "
               f"{len(steps)} steps has {_amount(scarcest)}: {_ratio_text(ratio)}."]
    verdict, reason = _first_rule([
        (bool(enough.met), "yes", "There is enough data to learn the whole mapping: end-to-end "
                                  "lets the data speak and needs less hand design."),
        (bool(more.met), "maybe", f"End-to-end has more data than the scarcest step but less "
                                  f"than {END_TO_END_RATIO:g}x: it may start to compete; compare "
                                  "both on the dev set."),
        (True, "no", "Each step has at least as much data as the whole mapping: a pipeline uses "
                     "it, and keeps useful hand-designed parts end-to-end would drop."),
    ])
    reasons.append(reason)
    example = min(_END_TO_END_EXAMPLES, key=lambda e: _log_distance(ratio, e[1], e[2]))[0]
    return Advice("end-to-end learning", verdict, _RECOMMENDATIONS["end-to-end"][verdict],
                  tuple(reasons), (enough, more), example)
