"""One serialisable description of a training-lab experiment (TF Playground keeps its whole
state in one object that also goes into the URL; so do we).

`LabConfig` holds every setting of the lab, validates itself on construction, and turns into
URL query parameters and back. `COURSE_PRESETS` are the course's programming-assignment setups.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from analysis.validation import check_choice, check_count, check_number

DATASETS = ("circles", "moons", "xor", "blobs", "spirals", "flower")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid")
INITS = ("zeros", "random", "xavier", "he")
OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")
DECAYS = ("none", "inverse", "exponential", "sqrt", "step")
DEV_SHIFTS = ("none", "rotate", "noisier")

MAX_POINTS = 20_000  # per split: the lab is a demo, not a training farm
MAX_LAYERS = 10
MAX_UNITS = 256

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class LabConfig:
    """Every setting of one training-lab experiment (data, architecture, init, regularisation,
    optimisation). Construction validates; a bad field raises ValueError naming it.

    Examples
    --------
    >>> cfg = LabConfig(dataset="moons", learning_rate=0.1)
    >>> cfg.to_query()
    {'dataset': 'moons', 'learning_rate': '0.1'}
    >>> LabConfig.from_query(cfg.to_query()) == cfg
    True
    """

    # data
    dataset: str = "circles"
    n_train: int = 300
    n_train_dev: int = 100
    n_dev: int = 100
    noise: float = 0.1
    label_flip: float = 0.0
    dev_shift: str = "none"
    shift_amount: float = 0.0  # degrees for "rotate", extra noise for "noisier"
    seed: int = 1
    # architecture
    hidden: tuple[int, ...] = field(default=(10, 5))
    activation: str = "relu"
    # initialisation
    init: str = "he"
    init_scale: float = 10.0  # multiplier of N(0, 1) weights for init="random"
    # regularisation
    l2: float = 0.0
    keep_prob: float = 1.0
    batch_norm: bool = False
    normalize_inputs: bool = True
    # optimisation
    optimizer: str = "adam"
    learning_rate: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    batch_size: int = 0  # 0 = full batch
    decay: str = "none"
    decay_rate: float = 1.0
    decay_interval: int = 1000
    early_stopping_patience: int = 0  # epochs without a better dev error; 0 = off

    def __post_init__(self) -> None:
        # hidden arrives as a list from forms and JSON: keep a hashable tuple of ints
        object.__setattr__(self, "hidden", _parse_hidden(self.hidden))
        self.validate()

    def validate(self) -> LabConfig:
        """Check every field; raise ValueError naming the first bad one. Returns self."""
        check_choice("dataset", self.dataset, DATASETS)
        check_count("n_train", self.n_train, minimum=2)
        check_count("n_train_dev", self.n_train_dev, minimum=0)
        check_count("n_dev", self.n_dev, minimum=1)
        for name in ("n_train", "n_train_dev", "n_dev"):
            if getattr(self, name) > MAX_POINTS:
                raise ValueError(f"{name} must be at most {MAX_POINTS}, got {getattr(self, name)}.")
        check_number("noise", self.noise, low=0.0, high=2.0)
        check_number("label_flip", self.label_flip, low=0.0, high=0.45)
        check_choice("dev_shift", self.dev_shift, DEV_SHIFTS)
        check_number("shift_amount", self.shift_amount, low=0.0,
                     high=180.0 if self.dev_shift == "rotate" else 2.0)
        check_count("seed", self.seed, minimum=0)
        if len(self.hidden) > MAX_LAYERS:
            raise ValueError(f"hidden has {len(self.hidden)} layers; use at most {MAX_LAYERS}.")
        for units in self.hidden:
            if not 1 <= units <= MAX_UNITS:
                raise ValueError(f"hidden layer sizes must be between 1 and {MAX_UNITS}, "
                                 f"got {units} in {self.hidden}.")
        check_choice("activation", self.activation, ACTIVATIONS)
        check_choice("init", self.init, INITS)
        check_number("init_scale", self.init_scale, low=0.0, high=1000.0)
        check_number("l2", self.l2, low=0.0, high=100.0)
        keep = check_number("keep_prob", self.keep_prob, low=0.0, high=1.0)
        if keep == 0.0:
            raise ValueError("keep_prob must be above 0 (it is the share of units kept), got 0.")
        for name in ("batch_norm", "normalize_inputs"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}.")
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        rate = check_number("learning_rate", self.learning_rate, low=0.0, high=100.0)
        if rate == 0.0:
            raise ValueError("learning_rate must be above 0, got 0.")
        for name in ("beta1", "beta2"):
            beta = check_number(name, getattr(self, name), low=0.0, high=1.0)
            if beta == 1.0:
                raise ValueError(f"{name} must be below 1 (1 would never forget), got 1.")
        check_number("epsilon", self.epsilon, low=1e-300, high=1.0)
        check_count("batch_size", self.batch_size, minimum=0)
        check_choice("decay", self.decay, DECAYS)
        check_number("decay_rate", self.decay_rate, low=0.0, high=1000.0)
        check_count("decay_interval", self.decay_interval, minimum=1)
        check_count("early_stopping_patience", self.early_stopping_patience, minimum=0)
        return self

    @property
    def layer_dims(self) -> tuple[int, ...]:
        """Units per layer, input and output included, e.g. (2, 10, 5, 1)."""
        n_out = 3 if self.dataset == "blobs" else 1
        return (2, *self.hidden, n_out)

    def replace(self, **changes: object) -> LabConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, object]:
        """Every field as JSON-able values (hidden as a list)."""
        out = dataclasses.asdict(self)
        out["hidden"] = list(self.hidden)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> LabConfig:
        """Inverse of to_dict; unknown keys are an error (they signal a wrong file)."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown lab settings {unknown}; known ones are {sorted(names)}.")
        return cls(**dict(data))

    def to_query(self) -> dict[str, str]:
        """URL query parameters for the fields that differ from the default."""
        default = LabConfig()
        query = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                query[f.name] = _format_value(value)
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, object]) -> LabConfig:
        """Build a config from URL query parameters (strings). Missing keys keep their
        defaults; keys that are not settings (other widgets on the page) are ignored;
        a bad value raises ValueError naming the parameter."""
        changes: dict[str, object] = {}
        for f in fields(cls):
            if f.name not in query:
                continue
            raw = query[f.name]
            if isinstance(raw, list | tuple) and f.name != "hidden":
                raw = raw[-1] if raw else ""
            changes[f.name] = _parse_value(f.name, f.type, raw)
        return cls(**changes)


def _format_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _parse_value(name: str, type_name: str, raw: object) -> object:
    text = raw if not isinstance(raw, str) else raw.strip()
    if name == "hidden":
        return _parse_hidden(text)
    if type_name == "bool":
        if isinstance(text, bool):
            return text
        if str(text).lower() in _TRUE:
            return True
        if str(text).lower() in _FALSE:
            return False
        raise ValueError(f"{name} must be true or false, got {raw!r}.")
    if type_name == "int":
        return check_count(name, text, minimum=0)
    if type_name == "float":
        return check_number(name, text)
    return str(text)


def _parse_hidden(value: object) -> tuple[int, ...]:
    """Hidden layer sizes from a tuple/list or text such as "10,5", "10-5", "[10, 5]" or ""."""
    if isinstance(value, str):
        text = value.strip().strip("[]()")
        for sep in ("-", " ", ";", "x"):
            text = text.replace(sep, ",")
        parts = [p for p in text.split(",") if p.strip()]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise ValueError(f"hidden must be layer sizes such as (10, 5), got {value!r}.")
    sizes = []
    for part in parts:
        try:
            number = float(part)
        except (TypeError, ValueError):
            raise ValueError(f"hidden must list whole numbers of units such as 10,5; "
                             f"got {value!r}.") from None
        if isinstance(part, bool) or number != int(number):
            raise ValueError(f"hidden must list whole numbers of units such as 10,5; "
                             f"got {value!r}.")
        sizes.append(int(number))
    return tuple(sizes)


# The course's programming assignments ("Improving Deep Neural Networks"), one click each.
# The course's figures come from one random draw (its seed 3) and we cannot replay its
# generator, so each group uses the seed whose draw behaves most like the course's (searched
# once, by hand): on moons, of seeds 1-119 most let plain gradient descent reach 80-92% in
# 5,000 epochs at 0.0007 (some stall at 50%), while the course's run sits on a plateau near
# 72%, as seed 45's does; on circles, random x10 init lands anywhere from 55% to 99% by seed
# (1-69 tried) and seed 64 comes nearest the course's 83% / 86% with He still near 99% / 96%.
_CIRCLES = LabConfig(dataset="circles", n_train=300, n_train_dev=0, n_dev=100, noise=0.05,
                     seed=64, hidden=(10, 5), activation="relu", optimizer="gd", learning_rate=0.01,
                     batch_size=0, normalize_inputs=False)
_MOONS = LabConfig(dataset="moons", n_train=300, n_train_dev=0, n_dev=100, noise=0.2,
                   seed=45, hidden=(5, 2), activation="relu", init="he", learning_rate=0.0007,
                   batch_size=64, normalize_inputs=False)
# small training set, big network, 10% flipped labels: overfits unless regularised
_NOISY_FLOWER = LabConfig(dataset="flower", n_train=200, n_train_dev=200, n_dev=400, noise=0.1,
                          label_flip=0.1, hidden=(64, 32), activation="relu", init="he",
                          optimizer="adam", learning_rate=0.01, batch_size=0)
# six layers at a learning rate where plain mini-batch descent blows up within two epochs
_DEEP = LabConfig(dataset="spirals", n_train=400, n_train_dev=100, n_dev=200, noise=0.05,
                  hidden=(32, 32, 32, 32, 32), activation="relu", init="he",
                  optimizer="gd", learning_rate=1.5, batch_size=64)

COURSE_PRESETS: dict[str, LabConfig] = {
    "Init: zeros (circles)": _CIRCLES.replace(init="zeros"),
    "Init: random x10 (circles)": _CIRCLES.replace(init="random", init_scale=10.0),
    "Init: He (circles)": _CIRCLES.replace(init="he"),
    "Optimizer: gradient descent (moons)": _MOONS.replace(optimizer="gd"),
    "Optimizer: momentum (moons)": _MOONS.replace(optimizer="momentum", beta1=0.9),
    "Optimizer: Adam (moons)": _MOONS.replace(optimizer="adam"),
    "Decay: GD 0.1 with stepwise decay (moons)": _MOONS.replace(
        optimizer="gd", learning_rate=0.1, decay="step", decay_rate=1.0, decay_interval=1000),
    "Regularisation: none (noisy flower)": _NOISY_FLOWER,
    "Regularisation: L2 (noisy flower)": _NOISY_FLOWER.replace(l2=0.7),
    "Regularisation: dropout (noisy flower)": _NOISY_FLOWER.replace(keep_prob=0.6),
    "Batch norm: deep net without batch norm": _DEEP,
    "Batch norm: deep net with batch norm": _DEEP.replace(batch_norm=True),
}

COURSE_PRESET_EPOCHS: dict[str, int] = {
    "Init: zeros (circles)": 15_000,
    "Init: random x10 (circles)": 15_000,
    "Init: He (circles)": 15_000,
    "Optimizer: gradient descent (moons)": 5_000,
    "Optimizer: momentum (moons)": 5_000,
    "Optimizer: Adam (moons)": 5_000,
    "Decay: GD 0.1 with stepwise decay (moons)": 5_000,
    "Regularisation: none (noisy flower)": 1_000,
    "Regularisation: L2 (noisy flower)": 1_000,
    "Regularisation: dropout (noisy flower)": 1_000,
    "Batch norm: deep net without batch norm": 200,
    "Batch norm: deep net with batch norm": 200,
}
