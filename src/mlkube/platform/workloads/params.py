"""Sweep parameters: the values a grid enumerates and the ranges random search samples.

A parameter is a list of scalar values (``lr: [0.1, 0.01]``; on the command line
``--param lr=0.1,0.01``) or, for random search, a range: ``uniform(a,b)``,
``loguniform(a,b)`` (``a > 0``; sampled uniformly in log space) or ``int(a,b)`` (both ends
included). Every mistake is a :class:`~mlkube.platform.problems.Problem` naming the
parameter, so a malformed grid is refused before anything is created. The YAML shape check
of :mod:`mlkube.platform.shape` does not know unions of scalars; the shape of ``params`` is
checked here instead.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from mlkube.platform.problems import Problem, SpecError, child, index
from mlkube.platform.workloads.model import Scalar

__all__ = [
    "MAX_TRIALS",
    "Range",
    "grid_size",
    "normalize",
    "parse_param",
    "parse_range",
    "parse_value",
    "problems",
    "shape_problems",
]

RULE: Final = "params"
#: Upstream's limit on completions of an Indexed Job with backoffLimitPerIndex
#: (``pkg/apis/batch/validation``: maxParallelismForIndexedJob and maxFailedIndexesLimit).
MAX_TRIALS: Final = 100_000
_RANGE = re.compile(r"\s*(uniform|loguniform|int)\s*\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)\s*")
_INT = re.compile(r"[+-]?[0-9]+")
_FIX_RANGE = "use uniform(a,b), loguniform(a,b) or int(a,b), or a list of values"
_SIGNIFICANT = 6

Distribution = Literal["uniform", "loguniform", "int"]
_DISTRIBUTIONS: Final[dict[str, Distribution]] = {
    "uniform": "uniform",
    "loguniform": "loguniform",
    "int": "int",
}


@dataclass(frozen=True)
class Range:
    """A range random search samples from."""

    distribution: Distribution
    low: float
    high: float

    def sample(self, rng: random.Random) -> Scalar:
        """One value; floats rounded to six significant digits (readable in tables)."""
        if self.distribution == "int":
            return rng.randint(int(self.low), int(self.high))
        if self.distribution == "loguniform":
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        return float(f"{value:.{_SIGNIFICANT}g}")


def parse_range(text: str) -> Range:
    """``"loguniform(1e-4, 1e-1)"`` -> a :class:`Range`; ``ValueError`` with the reason."""
    match = _RANGE.fullmatch(text)
    if match is None:
        raise ValueError(f'"{text}" is not a range')
    dist, low_text, high_text = match.groups()
    if dist == "int" and not (_INT.fullmatch(low_text) and _INT.fullmatch(high_text)):
        raise ValueError(f'"{text}": int(a,b) takes two integers')
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise ValueError(f'"{text}": the ends of a range are numbers') from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f'"{text}": the ends of a range are finite numbers')
    if low > high or (low == high and dist != "int"):
        raise ValueError(f'"{text}": the low end must be below the high end')
    if dist == "loguniform" and low <= 0:
        raise ValueError(f'"{text}": loguniform needs a low end above 0')
    return Range(_DISTRIBUTIONS[dist], low, high)


def parse_value(text: str) -> Scalar:
    """A command-line value as YAML would read it: ``1`` int, ``0.1`` float,
    ``true``/``false`` bool, anything else a string."""
    stripped = text.strip()
    if _INT.fullmatch(stripped):
        return int(stripped)
    if stripped in ("true", "false"):
        return stripped == "true"
    try:
        number = float(stripped)
    except ValueError:
        return stripped
    return number if math.isfinite(number) else stripped


def parse_param(text: str) -> tuple[str, list[Scalar] | str]:
    """``--param lr=0.1,0.01`` -> ``("lr", [0.1, 0.01])``; ``lr=loguniform(1e-4,1e-1)`` ->
    ``("lr", "loguniform(1e-4,1e-1)")``. Raises :class:`SpecError` naming ``--param``."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not name or not values.strip():
        raise SpecError(
            [
                Problem(
                    RULE,
                    "--param",
                    f'"{text}" is not NAME=VALUE,VALUE,...',
                    "e.g. --param lr=0.1,0.01 or --param lr=loguniform(1e-4,1e-1)",
                )
            ]
        )
    if _RANGE.fullmatch(values):
        return name, values.strip()
    items = values.split(",")
    if any(not v.strip() for v in items):
        raise SpecError(
            [Problem(RULE, f"--param {name}", f'"{values}" has an empty value', "remove it")]
        )
    return name, [parse_value(v) for v in items]


def shape_problems(raw: Any, path: str) -> list[Problem]:
    """The shape of ``params`` in decoded YAML: a mapping of names to lists of scalars or
    range strings."""
    if not isinstance(raw, dict):
        return [Problem("schema", path, "expected a mapping of parameter names to values")]
    out: list[Problem] = []
    for name, values in raw.items():
        where = child(path, str(name))
        if not isinstance(name, str):
            out.append(Problem("schema", where, "keys must be strings (quote it)"))
        elif isinstance(values, list):
            for i, value in enumerate(values):
                if value is None or isinstance(value, list | dict):
                    out.append(
                        Problem(
                            "schema",
                            index(where, i),
                            "expected a string, number or boolean",
                            "a parameter's values are scalars",
                        )
                    )
        elif not isinstance(values, str):
            out.append(Problem("schema", where, "expected a list of values or a range", _FIX_RANGE))
    return out


_EXPONENT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+")


def normalize(params: Mapping[str, Any]) -> dict[str, Any]:
    """Values as YAML 1.2 reads them: PyYAML (YAML 1.1) reads ``1e-4`` as a string, which a
    learning rate never is."""
    return {
        name: [float(v) if isinstance(v, str) and _EXPONENT.fullmatch(v) else v for v in values]
        if isinstance(values, list)
        else values
        for name, values in params.items()
    }


def grid_size(params: Mapping[str, list[Scalar] | str]) -> int:
    """How many combinations the lists give (ranges count as one)."""
    return math.prod(len(v) if isinstance(v, list) else 1 for v in params.values())


def problems(
    params: Mapping[str, list[Scalar] | str], random_trials: int | None, path: str
) -> list[Problem]:
    """Every mistake in a sweep's parameters (``path`` is ``spec.params``)."""
    if not params:
        return [
            Problem(
                RULE,
                path,
                "Required value: a sweep needs at least one parameter",
                "e.g. params: {lr: [0.1, 0.01]} (on the command line --param lr=0.1,0.01)",
            )
        ]
    out: list[Problem] = []
    for name, values in params.items():
        where = child(path, name)
        if isinstance(values, str):
            try:
                parse_range(values)
            except ValueError as err:
                out.append(Problem(RULE, where, str(err), _FIX_RANGE))
                continue
            if random_trials is None:
                out.append(
                    Problem(
                        RULE,
                        where,
                        f'the range "{values}" has no grid of values',
                        "sample it with random: N (--random N), or list the values",
                    )
                )
        elif not values:
            out.append(Problem(RULE, where, "has no values", "list at least one value"))
        elif len(set(map(repr, values))) != len(values):
            out.append(Problem(RULE, where, "lists a value twice", "remove the duplicate"))
    if out:
        return out
    size = grid_size(params)
    ranged = any(isinstance(v, str) for v in params.values())
    if random_trials is None and size > MAX_TRIALS:
        out.append(
            Problem(
                RULE,
                path,
                f"the grid has {size} combinations; an Indexed Job runs at most {MAX_TRIALS}",
                "sample it with random: N (--random N)",
            )
        )
    if random_trials is not None and not ranged and random_trials > size:
        out.append(
            Problem(
                RULE,
                "spec.random",
                f"{random_trials} trials but the grid has only {size} combinations",
                f"use random: {size} or fewer, or drop random to run the whole grid",
            )
        )
    if random_trials is not None and random_trials > MAX_TRIALS:
        out.append(
            Problem(
                RULE,
                "spec.random",
                f"an Indexed Job runs at most {MAX_TRIALS} trials",
                "sample fewer",
            )
        )
    return out
