"""The advisors on the course's examples (transfer, multi-task, end-to-end) and on inputs that
sit exactly on each stated threshold, both sides."""

from __future__ import annotations

import pytest

from analysis.strategy import end_to_end_advice, multitask_advice, transfer_advice
from analysis.strategy.advisors import (
    END_TO_END_RATIO,
    POOLED_DATA_RATIO,
    SIMILAR_DATA_RATIO,
    SMALL_TARGET_EXAMPLES,
    TRANSFER_DATA_RATIO,
    VERDICTS,
)


def _transfer(source, target, *, same=True, shared=True, **kwargs):
    return transfer_advice(source_examples=source, target_examples=target, same_input_type=same,
                           shared_low_level_features=shared, **kwargs)


def _multitask(amounts, *, shared=True, big=True):
    return multitask_advice(examples_per_task=amounts, shared_low_level_features=shared,
                            network_big_enough=big)


# ------------------------------------------------------------------ transfer, the course's cases


def test_transfer_from_image_recognition_to_radiology():
    advice = _transfer(1_000_000, 100)
    assert advice.verdict == "yes" and advice.retrain == "last layer"
    assert advice.closest_example.name.startswith("image recognition (1,000,000 images)")
    assert "10,000x" in advice.reasons[0]
    assert any(t.name == "source data at least 10x target data" and t.met for t in advice.thresholds)
    assert any("several new layers" in o for o in advice.retrain_options)


def test_transfer_from_speech_to_wake_word():
    advice = _transfer(10_000, 1)
    assert advice.verdict == "yes" and advice.retrain == "last layer"
    assert advice.closest_example.name.startswith("speech recognition (10,000 h)")


def test_transfer_to_a_larger_radiology_set_retrains_all_layers():
    advice = _transfer(1_000_000, 50_000)
    assert advice.verdict == "yes" and advice.retrain == "all layers"
    assert "fine-tune all layers" in advice.recommendation


@pytest.mark.parametrize(("same", "shared", "verdict"), [
    (False, True, "no"), (True, False, "no"), (True, None, "maybe"), (True, True, "yes")])
def test_transfer_needs_the_same_input_and_shared_low_level_features(same, shared, verdict):
    advice = _transfer(1_000_000, 100, same=same, shared=shared)
    assert advice.verdict == verdict
    assert (advice.retrain is None) is (verdict == "no")


# ------------------------------------------------------------------ transfer, on the thresholds


@pytest.mark.parametrize(("source", "verdict"), [
    (TRANSFER_DATA_RATIO * 100, "yes"),          # exactly 10x: at least 10x is met
    (TRANSFER_DATA_RATIO * 100 - 1, "maybe"),    # just under 10x
    (100.5, "maybe"),                            # just more than B
    (100, "no"),                                 # exactly as much as B
    (50, "no"),
])
def test_transfer_data_ratio_thresholds(source, verdict):
    advice = _transfer(source, 100)
    assert advice.verdict == verdict


@pytest.mark.parametrize(("target", "retrain"), [
    (SMALL_TARGET_EXAMPLES, "all layers"), (SMALL_TARGET_EXAMPLES - 1, "last layer")])
def test_which_layers_to_retrain_sits_on_the_target_size_threshold(target, retrain):
    advice = _transfer(10_000_000, target)
    assert advice.retrain == retrain
    assert advice.thresholds[2].value == SMALL_TARGET_EXAMPLES
    assert _transfer(10_000_000, 500, small_target_examples=200).retrain == "all layers"


# ------------------------------------------------------------------ multi-task


def test_multitask_with_100_tasks_of_1000_examples():
    advice = _multitask([1_000] * 100)
    assert advice.verdict == "yes"
    assert "gains 99,000 examples from the others" in advice.reasons[0]
    assert advice.closest_example.name == "100 tasks with 1,000 examples each"
    assert any("transfer learning is far more common" in w for w in advice.warnings)


def test_multitask_for_pedestrian_car_stop_sign_and_light():
    advice = _multitask([10_000, 10_000, 10_000, 10_000])
    assert advice.verdict == "yes"
    assert advice.closest_example.name.startswith("object detection")


@pytest.mark.parametrize(("shared", "big", "verdict"), [
    (False, True, "no"), (True, False, "no"), (None, True, "maybe"), (True, None, "maybe")])
def test_multitask_needs_shared_features_and_a_network_big_enough(shared, big, verdict):
    assert _multitask([1_000] * 4, shared=shared, big=big).verdict == verdict


@pytest.mark.parametrize(("amounts", "verdict"), [
    ([100, 1_000, 1_000], "yes"),        # largest exactly 10x the smallest
    ([99.9, 1_000, 1_000], "maybe"),     # just over 10x
    ([1_000, 1_000], "yes"),             # the other task holds exactly 1x the largest
    ([999, 1_000], "maybe"),             # just under 1x
])
def test_multitask_data_thresholds(amounts, verdict):
    advice = _multitask(amounts)
    assert advice.verdict == verdict
    similar, gains = advice.thresholds
    assert (similar.value, gains.value) == (SIMILAR_DATA_RATIO, POOLED_DATA_RATIO)


# ------------------------------------------------------------------ end-to-end


def test_speech_pipeline_at_3000_hours_beats_end_to_end():
    advice = end_to_end_advice(end_to_end_examples=3_000, examples_per_step=[3_000, 3_000])
    assert advice.verdict == "no"
    assert advice.closest_example.name == "speech recognition with about 3,000 h of audio"


@pytest.mark.parametrize(("hours", "verdict"), [(10_000, "maybe"), (100_000, "yes")])
def test_speech_end_to_end_wins_from_10000_to_100000_hours(hours, verdict):
    advice = end_to_end_advice(end_to_end_examples=hours, examples_per_step=[3_000, 3_000])
    assert advice.verdict == verdict
    assert advice.closest_example.name.startswith("speech recognition with 10,000-100,000 h")


def test_face_recognition_at_a_gate_works_better_in_two_steps():
    advice = end_to_end_advice(end_to_end_examples=10_000,
                               examples_per_step=[1_000_000, 10_000_000])
    assert advice.verdict == "no" and "Keep the pipeline" in advice.recommendation
    assert advice.closest_example.name.startswith("face recognition at a gate")
    assert "1,000,000" in advice.reasons[0]


@pytest.mark.parametrize(("whole", "verdict"), [
    (END_TO_END_RATIO * 1_000, "yes"), (END_TO_END_RATIO * 1_000 - 1, "maybe"),
    (1_001, "maybe"), (1_000, "no")])
def test_end_to_end_ratio_thresholds(whole, verdict):
    advice = end_to_end_advice(end_to_end_examples=whole, examples_per_step=[1_000, 5_000])
    assert advice.verdict == verdict
    assert advice.thresholds[0].observed == pytest.approx(whole / 1_000)


# ------------------------------------------------------------------ shape and bad input


def test_every_advice_states_its_verdict_reasons_and_thresholds():
    for advice in (_transfer(1_000_000, 100), _multitask([1_000] * 100),
                   end_to_end_advice(end_to_end_examples=3_000, examples_per_step=[3_000, 300])):
        assert advice.verdict in VERDICTS
        assert advice.reasons and all(r.endswith(".") for r in advice.reasons)
        assert advice.thresholds and all(t.name for t in advice.thresholds)
        assert advice.closest_example.lesson


@pytest.mark.parametrize(("call", "match"), [
    (lambda: _transfer(0, 100), "source_examples must be a positive amount"),
    (lambda: _transfer(1_000, "many"), "target_examples must be a number"),
    (lambda: _transfer(1_000, 10, same="yes"), "same_input_type must be True or False;"),
    (lambda: _transfer(1_000, 10, shared=1), "shared_low_level_features must be True or False"),
    (lambda: _multitask([1_000]), "examples_per_task needs at least 2 amounts"),
    (lambda: _multitask([1_000, -5]), "examples_per_task must hold positive amounts"),
    (lambda: _multitask("1000, 1000"), "examples_per_task must be a list"),
    (lambda: _multitask([1_000, 1_000], big="no"), "network_big_enough must be True or False"),
    (lambda: end_to_end_advice(end_to_end_examples=-1, examples_per_step=[1, 2]),
     "end_to_end_examples must be a positive amount"),
    (lambda: end_to_end_advice(end_to_end_examples=10, examples_per_step=[5]),
     "examples_per_step needs at least 2 amounts"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()
