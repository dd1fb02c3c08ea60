"""LabConfig: defaults, validation, dict round trip; course presets are well-formed."""

import pytest

from analysis.training import COURSE_PRESET_EPOCHS, COURSE_PRESETS, LabConfig


def test_hidden_accepts_the_spellings_a_text_field_and_json_give():
    assert LabConfig(hidden="[16, 8]").hidden == (16, 8)
    assert LabConfig(hidden="").hidden == ()
    assert LabConfig(hidden=[4, 2]).hidden == (4, 2)


@pytest.mark.parametrize(("changes", "param"), [
    ({"learning_rate": "fast"}, "learning_rate"),
    ({"learning_rate": 0}, "learning_rate"),
    ({"dataset": "mnist"}, "dataset"),
    ({"hidden": "10,abc"}, "hidden"),
    ({"hidden": "10,0"}, "hidden"),
    ({"batch_norm": "maybe"}, "batch_norm"),
    ({"keep_prob": 1.5}, "keep_prob"),
    ({"keep_prob": 0}, "keep_prob"),
    ({"batch_size": -3}, "batch_size"),
    ({"batch_size": 2.5}, "batch_size"),
    ({"beta1": 1}, "beta1"),
    ({"label_flip": 0.6}, "label_flip"),
    ({"n_train": 1}, "n_train"),
    ({"optimizer": "sgd"}, "optimizer"),
    ({"decay": "cosine"}, "decay"),
])
def test_bad_values_raise_naming_the_setting(changes, param):
    with pytest.raises(ValueError, match=param):
        LabConfig(**changes)


def test_replace_validates_again():
    with pytest.raises(ValueError, match="activation"):
        LabConfig().replace(activation="swish")


def test_dict_round_trip_and_unknown_keys():
    cfg = LabConfig(hidden=(3,), l2=0.1)
    assert LabConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown lab settings"):
        LabConfig.from_dict({**cfg.to_dict(), "momentum": 0.9})


def test_layer_dims_add_input_and_output_units():
    assert LabConfig(hidden=(10, 5)).layer_dims == (2, 10, 5, 1)
    assert LabConfig(dataset="blobs", hidden=(4,)).layer_dims == (2, 4, 3)


def test_course_presets_match_the_assignments():
    assert set(COURSE_PRESETS) == set(COURSE_PRESET_EPOCHS)
    he = COURSE_PRESETS["Init: He (circles)"]
    assert (he.dataset, he.n_train, he.n_dev, he.noise, he.layer_dims) == \
        ("circles", 300, 100, 0.05, (2, 10, 5, 1))
    assert (he.optimizer, he.learning_rate, he.batch_size) == ("gd", 0.01, 0)
    assert COURSE_PRESETS["Init: random x10 (circles)"].init_scale == 10.0
    adam = COURSE_PRESETS["Optimizer: Adam (moons)"]
    assert (adam.layer_dims, adam.batch_size, adam.learning_rate) == ((2, 5, 2, 1), 64, 0.0007)
    decay = COURSE_PRESETS["Decay: GD 0.1 with stepwise decay (moons)"]
    assert (decay.decay, decay.decay_interval, decay.learning_rate) == ("step", 1000, 0.1)
