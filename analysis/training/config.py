"""One serialisable description of a training-lab experiment (TF Playground keeps its whole
state in one object that also goes into the URL; so do we).

`LabConfig` holds every setting of the lab and validates itself on construction; each field
declares its `Setting` (label, group, widget, bounds, help, what a change does mid-run), from
which the sidebar, its groups and the live fields are derived. The sidebar's widgets are bound
to URL parameters named like the fields. `COURSE_PRESETS` are the course's
programming-assignment setups.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from analysis.validation import check_choice, check_count, check_number

DATASETS = ("circles", "moons", "xor", "blobs", "spirals", "flower")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid")
INITS = ("zeros", "random", "xavier", "he")
OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")
DECAYS = ("none", "inverse", "exponential", "sqrt", "step")
DEV_SHIFTS = ("none", "rotate", "noisier")
L1_METHODS = ("proximal", "subgradient")

MAX_POINTS = 20_000  # per split: the lab is a demo, not a training farm
MAX_LAYERS = 10
MAX_UNITS = 256

# The sidebar's groups, in the order they are drawn.
SETTING_GROUPS = ("Data", "Architecture", "Initialisation", "Regularisation", "Optimisation")
WIDGET_KINDS = ("select", "slider", "number", "checkbox", "text")
# What a change does to a running session: "restart" builds new data / a new network at epoch
# 0; "continue" keeps the weights (the session reads the setting afresh every epoch);
# "new optimizer" keeps the weights but starts the optimizer's moving averages afresh.
ON_CHANGE = ("restart", "continue", "new optimizer")


@dataclass(frozen=True)
class Setting:
    """How one LabConfig field is shown, bounded and treated when it changes mid-run.

    The single declaration of a lab setting: validation reads `low`/`high`/`options` from
    here, the sidebar draws its widget from here (same bounds, so a widget cannot offer a
    value validation refuses), and the live run reads `on_change`.
    """

    label: str
    group: str
    widget: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple[str, ...] = ()
    help: str | None = None
    format: str | None = None
    # the value must be strictly above `low` / below `high` (a widget can still reach the
    # bound itself; validation refuses it and the page shows why next to the group)
    above_low: bool = False
    below_high: bool = False
    on_change: str = "restart"
    # (field, values): the widget is greyed out unless that field holds one of the values
    enabled_when: tuple[str, tuple[str, ...]] | None = None
    # fields with the same row name are drawn side by side
    row: str | None = None

    def __post_init__(self) -> None:
        check_choice("group", self.group, SETTING_GROUPS)
        check_choice("widget", self.widget, WIDGET_KINDS)
        check_choice("on_change", self.on_change, ON_CHANGE)


def _setting(default: object, label: str, group: str, widget: str, **options: object) -> Any:
    """A dataclass field with its Setting in the metadata."""
    return field(default=default, metadata={"setting": Setting(label, group, widget, **options)})


def setting_of(name: str) -> Setting:
    """The Setting of LabConfig field `name`."""
    for f in fields(LabConfig):
        if f.name == name:
            return f.metadata["setting"]
    raise ValueError(f"{name!r} is not a lab setting; known ones are "
                     f"{[f.name for f in fields(LabConfig)]}.")


def settings() -> dict[str, Setting]:
    """Every lab setting by field name, in the order the sidebar draws them."""
    return {f.name: f.metadata["setting"] for f in fields(LabConfig)}


DECAY_HELP = ("α = α0 × factor. inverse: 1 / (1 + rate·epoch); exponential: rate^epoch; "
              "sqrt: rate / √epoch; step: 1 / (1 + rate·⌊epoch / interval⌋).")


@dataclass(frozen=True)
class LabConfig:
    """Every setting of one training-lab experiment (data, architecture, init, regularisation,
    optimisation). Construction validates; a bad field raises ValueError naming it.

    Each field carries its `Setting` (label, group, widget, bounds, help, what a change does
    to a running session) in its metadata; fields are declared in the order the sidebar draws
    them.

    Examples
    --------
    >>> cfg = LabConfig(dataset="moons", learning_rate=0.1)
    >>> cfg.replace(hidden="8,4").hidden
    (8, 4)
    >>> setting_of("learning_rate").on_change
    'continue'
    """

    # data
    dataset: str = _setting("moons", "Dataset", "Data", "select", options=DATASETS)
    noise: float = _setting(0.3, "Noise", "Data", "slider", low=0.0, high=1.0, step=0.01,
                            help="Standard deviation of the noise added to the points.")
    label_flip: float = _setting(
        0.0, "Label-flip rate", "Data", "slider", low=0.0, high=0.45, step=0.01,
        help="Share of labels flipped at random: it sets the Bayes error of the data.")
    n_train: int = _setting(100, "Train", "Data", "number", low=2, high=MAX_POINTS, step=50,
                            row="sizes")
    n_train_dev: int = _setting(100, "Train-dev", "Data", "number", low=0, high=MAX_POINTS,
                                step=50, row="sizes")
    n_dev: int = _setting(100, "Dev", "Data", "number", low=1, high=MAX_POINTS, step=50,
                          row="sizes")
    dev_shift: str = _setting(
        "none", "Dev distribution shift", "Data", "select", options=DEV_SHIFTS,
        help="none = dev drawn like train; rotate = dev points rotated; noisier = more "
             "noise on dev. A shifted dev set shows the data-mismatch gap.")
    # degrees for "rotate" (at most 180), extra noise for "noisier" (at most 2: checked below)
    shift_amount: float = _setting(
        0.0, "Shift amount (degrees for rotate, 0–2 extra noise for noisier)", "Data", "number",
        low=0.0, high=180.0)
    seed: int = _setting(1, "Seed", "Data", "number", low=0, step=1)
    normalize_inputs: bool = _setting(
        True, "Normalise inputs", "Data", "checkbox",
        help="Subtract the mean and divide by the standard deviation of the training set.")
    # architecture
    hidden: tuple[int, ...] = _setting(
        (32, 16), "Hidden layers (units per layer)", "Architecture", "text",
        help="e.g. 10,5 = two hidden layers of 10 and 5 units; empty = logistic regression.")
    activation: str = _setting(
        "relu", "Activation", "Architecture", "select", options=ACTIVATIONS,
        help="Hidden-layer activation; the output is sigmoid (two classes) or softmax (more).")
    # initialisation
    init: str = _setting(
        "he", "Weights", "Initialisation", "select", options=INITS,
        help="zeros (never breaks symmetry); random = N(0, 1) × scale; "
             "xavier = N(0, 1/n_prev), for tanh; he = N(0, 2/n_prev), for ReLU.")
    # multiplier of N(0, 1) weights for init="random"
    init_scale: float = _setting(10.0, "Scale (random init)", "Initialisation", "number",
                                 low=0.0, high=1000.0, step=1.0,
                                 enabled_when=("init", ("random",)))
    # regularisation
    l2: float = _setting(0.0, "L2 λ", "Regularisation", "number", low=0.0, high=100.0,
                         step=0.05, format="%.3f")
    l1: float = _setting(0.0, "L1 λ", "Regularisation", "number", low=0.0, high=100.0,
                         step=0.01, format="%.3f", row="l1",
                         help="Adds (λ/m)·Σ|W| to the cost: drives weights to exactly zero.")
    l1_method: str = _setting(
        "proximal", "L1 step", "Regularisation", "select", options=L1_METHODS, row="l1",
        help="proximal: after each update W := sign(W)·max(|W| − αλ/m, 0), so weights reach "
             "exactly 0; subgradient: add (λ/m)·sign(W) to dW (weights hover around 0).")
    keep_prob: float = _setting(1.0, "Dropout keep_prob", "Regularisation", "slider", low=0.0,
                                high=1.0, step=0.05, above_low=True,
                                help="1 = no dropout. Dropout is off when the errors are measured.")
    batch_norm: bool = _setting(False, "Batch normalisation", "Regularisation", "checkbox")
    # epochs without a better dev error; 0 = off
    early_stopping_patience: int = _setting(
        0, "Early stopping patience (epochs, 0 = off)", "Regularisation", "number", low=0,
        step=50, on_change="continue")
    # optimisation
    optimizer: str = _setting(
        "adam", "Optimizer", "Optimisation", "select", options=OPTIMIZERS,
        on_change="new optimizer",
        help="gd = gradient descent; momentum uses β1; rmsprop uses β2; adam uses both, with "
             "bias correction.")
    learning_rate: float = _setting(0.01, "Learning rate α", "Optimisation", "number", low=0.0,
                                    high=100.0, step=0.001, format="%g", above_low=True,
                                    on_change="continue")
    # beta = 1 would never forget
    beta1: float = _setting(0.9, "β1 (momentum)", "Optimisation", "number", low=0.0, high=1.0,
                            below_high=True, step=0.01, format="%g", on_change="new optimizer",
                            enabled_when=("optimizer", ("momentum", "adam")), row="betas")
    beta2: float = _setting(0.999, "β2 (RMS)", "Optimisation", "number", low=0.0, high=1.0,
                            below_high=True, step=0.001, format="%g", on_change="new optimizer",
                            enabled_when=("optimizer", ("rmsprop", "adam")), row="betas")
    epsilon: float = _setting(1e-8, "ε (RMSprop, Adam)", "Optimisation", "number", low=1e-300,
                              high=1.0, step=1e-9, format="%.1e", on_change="new optimizer",
                              enabled_when=("optimizer", ("rmsprop", "adam")))
    # 0 = full batch
    batch_size: int = _setting(0, "Mini-batch size (0 = full batch)", "Optimisation", "number",
                               low=0, step=32, on_change="continue")
    decay: str = _setting("none", "Learning-rate decay", "Optimisation", "select",
                          options=DECAYS, help=DECAY_HELP, on_change="continue")
    decay_rate: float = _setting(1.0, "Decay rate", "Optimisation", "number", low=0.0,
                                 high=1000.0, step=0.1, format="%g", on_change="continue",
                                 enabled_when=("decay", DECAYS[1:]), row="decay")
    decay_interval: int = _setting(1000, "Step interval", "Optimisation", "number", low=1,
                                   step=100, on_change="continue",
                                   enabled_when=("decay", ("step",)), row="decay")

    def __post_init__(self) -> None:
        # hidden arrives as a list from forms and JSON: keep a hashable tuple of ints
        object.__setattr__(self, "hidden", _parse_hidden(self.hidden))
        self.validate()

    def validate(self) -> LabConfig:
        """Check every field against its Setting; raise ValueError naming the first bad one.

        Returns self. Beyond the declared bounds: the shift amount of "noisier" is at most 2,
        and the hidden layers are bounded in number and size.
        """
        for f in fields(self):
            _check_setting(f.name, getattr(self, f.name), f.metadata["setting"],
                           whole=f.type == "int")
        if self.dev_shift != "rotate":
            check_number("shift_amount", self.shift_amount, low=0.0, high=2.0)
        if len(self.hidden) > MAX_LAYERS:
            raise ValueError(f"hidden has {len(self.hidden)} layers; use at most {MAX_LAYERS}.")
        for units in self.hidden:
            if not 1 <= units <= MAX_UNITS:
                raise ValueError(f"hidden layer sizes must be between 1 and {MAX_UNITS}, "
                                 f"got {units} in {self.hidden}.")
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


def _check_setting(name: str, value: object, rule: Setting, *, whole: bool) -> None:
    """Check one field against its declared kind and bounds (`whole`: an int field)."""
    if rule.widget == "select":
        check_choice(name, value, rule.options)
    elif rule.widget == "checkbox":
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, got {value!r}.")
    elif rule.widget != "text":
        if whole:
            check_count(name, value, minimum=int(rule.low or 0))
        number = check_number(name, value, low=rule.low, high=rule.high)
        if rule.above_low and number == rule.low:
            raise ValueError(f"{name} must be above {rule.low:g}, got {number:g}.")
        if rule.below_high and number == rule.high:
            raise ValueError(f"{name} must be below {rule.high:g}, got {number:g}.")


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


# What the default experiment shows when played to the page's default target epoch (1,000):
# 100 noisy moons points and a 32-16 network overfit, train error falling to 0% (below the
# data's Bayes error of about 8.5%) while train-dev and dev errors stay about 10 points higher.
DEFAULT_STORY = ("High variance: with 100 noisy training points this 32-16 network learns the "
                 "training set by heart (train error falls to 0%, below the data's Bayes "
                 "error) while train-dev and dev errors stay about 10 points higher. Try L2, "
                 "L1, dropout, data augmentation, an ensemble, or more training data.")

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
