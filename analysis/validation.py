"""Input checks shared by every analysis module, so each kind of input is validated once.

Each helper names the parameter and the value it received, so a user can fix the input
without reading the source (scikit-learn style).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

import numpy as np


def values_preview(values: Sequence[object], limit: int = 3) -> str:
    """Render the first few offending values for an error message."""
    shown = ", ".join(repr(v) for v in list(values)[:limit])
    more = len(values) - limit
    return f"{shown} (and {more} more)" if more > 0 else shown


def rows_preview(index: Sequence[int], limit: int = 5) -> str:
    """Render 1-based row numbers ('rows 4, 9, 17 and 3 more') for messages about a table."""
    rows = [int(i) + 1 for i in list(index)[:limit]]
    more = len(index) - limit
    text = ", ".join(str(r) for r in rows)
    label = "row" if len(index) == 1 else "rows"
    return f"{label} {text}" + (f" and {more} more" if more > 0 else "")


def check_number(name: str, value: object, *, low: float | None = None,
                 high: float | None = None, allow_none: bool = False) -> float | None:
    """Return `value` as a float after checking it is a finite number within [low, high].

    Strings holding numbers ("3.5") are accepted, since form fields and query parameters
    arrive as text.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none:
            return None
        raise ValueError(f"{name} is missing: enter a number.")
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}.")
    if isinstance(value, str):
        try:
            value = float(value.strip().rstrip("%"))
        except ValueError:
            raise ValueError(f"{name} must be a number, got the text {value!r}.") from None
    if not isinstance(value, Real | np.number):
        raise ValueError(f"{name} must be a number, got {type(value).__name__} {value!r}.")
    number = float(value)
    if math.isnan(number):
        if allow_none:
            return None
        raise ValueError(f"{name} is NaN (empty): enter a number.")
    if math.isinf(number):
        raise ValueError(f"{name} is infinite: enter a finite number.")
    if low is not None and number < low:
        raise ValueError(f"{name} must be at least {low:g}, got {number:g}.")
    if high is not None and number > high:
        raise ValueError(f"{name} must be at most {high:g}, got {number:g}.")
    return number


def check_percent(name: str, value: object, *, allow_none: bool = False) -> float | None:
    """Check an error rate given in percent (0-100)."""
    return check_number(name, value, low=0.0, high=100.0, allow_none=allow_none)


def check_fraction(name: str, value: object, *, allow_none: bool = False) -> float | None:
    """Check a probability or share given as a fraction (0-1)."""
    return check_number(name, value, low=0.0, high=1.0, allow_none=allow_none)


def check_confidence(value: object, name: str = "confidence") -> float:
    """Check a confidence level: a fraction strictly between 0 and 1 (0.95 is usual).

    The one check every interval and sample size uses: 1.0 would ask for an infinite z (an
    interval of infinite width), 0 for no interval at all.
    """
    number = check_fraction(name, value)
    if number is None or not 0 < number < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1 (e.g. 0.95); got {value!r}.")
    return number


def check_count(name: str, value: object, *, minimum: int = 0) -> int:
    """Check a whole count (number of examples, epochs, ...) at least `minimum`."""
    number = check_number(name, value, low=minimum)
    if number is None or number != int(number):
        raise ValueError(f"{name} must be a whole number, got {value!r}.")
    return int(number)


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """Check that `value` is one of `choices`, listing them when it is not."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}.")
    return str(value)


def check_array(name: str, values: object, *, dtype: type | None = float,
                allow_nan: bool = False, ndim: int = 1) -> np.ndarray:
    """Convert to a numpy array of `ndim` dimensions, rejecting NaN/inf unless allowed."""
    try:
        array = np.asarray(values, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers only; it has values that are not numeric.") from None
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {array.shape}.")
    if array.size == 0:
        raise ValueError(f"{name} is empty: it needs at least one value.")
    if np.issubdtype(array.dtype, np.floating):
        bad = ~np.isfinite(array) if not allow_nan else np.isinf(array)
        if bad.any():
            where = np.flatnonzero(bad.reshape(len(array), -1).any(axis=1)) if ndim > 1 else np.flatnonzero(bad)
            raise ValueError(f"{name} has {len(where)} values that are NaN or infinite "
                             f"({rows_preview(where)}): remove or fill them.")
    return array


def check_binary(name: str, values: object) -> np.ndarray:
    """Return 0/1 labels as an int8 array; anything else is named with its rows."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}.")
    if array.size == 0:
        raise ValueError(f"{name} is empty: it needs at least one label.")
    if array.dtype == bool:
        return array.astype(np.int8)
    if np.issubdtype(array.dtype, np.number):
        ok = (array == 0) | (array == 1)
    else:
        ok = np.isin(array.astype(str), ["0", "1", "0.0", "1.0"])
    if not ok.all():
        where = np.flatnonzero(~ok)
        bad_values = list(dict.fromkeys(array[where].tolist()))
        raise ValueError(f"{name} has {len(where)} values that are not 0/1: {values_preview(bad_values)} "
                         f"({rows_preview(where)}).")
    if np.issubdtype(array.dtype, np.number):
        return array.astype(np.int8)
    return array.astype(str).astype(float).astype(np.int8)


def check_same_length(**arrays: Sequence[object] | np.ndarray | None) -> int:
    """Check that every given array has the same length and return it."""
    lengths = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"inputs must have the same number of rows: {described}.")
    return next(iter(lengths.values()), 0)
