"""A sweep's trials (index -> parameters) and the metrics protocol its trials report by.

Trial ``i`` of a sweep is completion index ``i`` of its Indexed Job; its parameters are
``trials(sweep)[i]``, the same on every call (the renderer writes them into the
``<name>-params`` ConfigMap, ``mlkube results`` reads them back). A grid is the cartesian
product of the lists in the order given (the last parameter varies fastest, like nested
loops); ``random: N`` draws N trials with ``random.Random(seed)``: N distinct combinations
of the grid when every parameter is a list, else one independent draw per parameter and
trial (a list value uniformly, a range by its distribution).

Metrics: a trial prints lines ``mlkube-metric: {"loss": 0.1, "acc": 0.9}`` (a JSON object)
on stdout; :func:`parse_metrics` merges them in order, so the last value of each metric
wins, and :func:`rank` orders trials by one metric.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Mapping
from typing import Final

from mlkube.platform.problems import Problem, SpecError
from mlkube.platform.workloads.model import Scalar, Sweep
from mlkube.platform.workloads.params import grid_size, parse_range, problems

__all__ = ["METRIC_PREFIX", "parse_metrics", "rank", "trials"]

#: What starts a metrics line in a trial's log.
METRIC_PREFIX: Final = "mlkube-metric:"


def trials(sweep: Sweep) -> list[dict[str, Scalar]]:
    """Every trial's parameters, by completion index; :class:`SpecError` on a malformed grid."""
    spec = sweep.spec
    found = problems(spec.params, spec.random, "spec.params")
    if found:
        raise SpecError(found)
    names = list(spec.params)
    if spec.random is None:
        lists = [v for v in spec.params.values() if isinstance(v, list)]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*lists)]
    rng = random.Random(spec.seed)
    if all(isinstance(v, list) for v in spec.params.values()):
        return [
            _nth(spec.params, i) for i in rng.sample(range(grid_size(spec.params)), spec.random)
        ]
    ranges = {n: parse_range(v) for n, v in spec.params.items() if isinstance(v, str)}
    return [
        {
            name: ranges[name].sample(rng) if isinstance(values, str) else rng.choice(values)
            for name, values in spec.params.items()
        }
        for _ in range(spec.random)
    ]


def _nth(params: Mapping[str, list[Scalar] | str], n: int) -> dict[str, Scalar]:
    """The n-th combination of the grid, in :func:`itertools.product` order."""
    chosen: dict[str, Scalar] = {}
    for name in reversed(list(params)):
        values = params[name]
        assert isinstance(values, list)
        n, i = divmod(n, len(values))
        chosen[name] = values[i]
    return {name: chosen[name] for name in params}


def parse_metrics(log_text: str) -> dict[str, float]:
    """The metrics a trial reported: every ``mlkube-metric:`` line merged, last value wins.

    A line may carry a prefix before the marker (``kubectl logs --timestamps``); lines that
    are not a JSON object, and values that are not finite numbers, are skipped.
    """
    metrics: dict[str, float] = {}
    for line in log_text.splitlines():
        at = line.find(METRIC_PREFIX)
        if at < 0:
            continue
        try:
            data = json.loads(line[at + len(METRIC_PREFIX) :])
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        for key, value in data.items():
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and math.isfinite(value):
                metrics[str(key)] = float(value)
    return metrics


def rank(
    results: Mapping[int, Mapping[str, float]], metric: str, goal: str = "minimize"
) -> list[int]:
    """Trial indexes best first by ``metric`` (``minimize`` or ``maximize``); trials without
    the metric come last, by index."""
    if goal not in ("minimize", "maximize"):
        raise SpecError(
            [Problem("sweep", "spec.goal", f'unknown goal "{goal}"', "minimize or maximize")]
        )
    sign = 1.0 if goal == "minimize" else -1.0
    have = sorted(
        (i for i in results if metric in results[i]), key=lambda i: (sign * results[i][metric], i)
    )
    return have + sorted(i for i in results if metric not in results[i])
