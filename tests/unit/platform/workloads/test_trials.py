"""A sweep's trials (index -> parameters) and the metrics protocol of its trials."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlkube.platform.problems import SpecError
from mlkube.platform.workloads import Sweep, parse_metrics, parse_param, rank, trials
from mlkube.platform.workloads.params import parse_range
from tests.unit.platform.workloads.builders import sweep


def _sweep(**fields: Any) -> Sweep:
    w = sweep(**fields)
    assert isinstance(w, Sweep)
    return w


def test_a_grid_is_the_cartesian_product_in_the_order_given_the_last_varying_fastest() -> None:
    w = _sweep(params={"lr": [0.1, 0.01], "opt": ["adam", "sgd"], "l2": [0]})
    assert trials(w) == [
        {"lr": 0.1, "opt": "adam", "l2": 0},
        {"lr": 0.1, "opt": "sgd", "l2": 0},
        {"lr": 0.01, "opt": "adam", "l2": 0},
        {"lr": 0.01, "opt": "sgd", "l2": 0},
    ]


def test_random_search_over_lists_picks_distinct_combinations_of_the_grid() -> None:
    w = _sweep(params={"lr": [1, 2, 3, 4], "l2": [0, 1, 2]}, random=6)
    picked = trials(w)
    grid = trials(_sweep(params={"lr": [1, 2, 3, 4], "l2": [0, 1, 2]}))
    assert len(picked) == 6
    assert len({tuple(t.items()) for t in picked}) == 6
    assert all(t in grid for t in picked)


def test_random_search_is_the_same_on_every_call_and_changes_with_the_seed() -> None:
    params = {"lr": "loguniform(1e-4,1e-1)", "batch": [32, 64], "layers": "int(2,8)"}
    first = trials(_sweep(params=params, random=8, seed=1))
    assert first == trials(_sweep(params=params, random=8, seed=1))
    assert first != trials(_sweep(params=params, random=8, seed=2))


def test_ranges_are_sampled_within_their_ends() -> None:
    params = {"lr": "loguniform(1e-4,1e-1)", "dropout": "uniform(0.1, 0.5)", "layers": "int(2,8)"}
    for t in trials(_sweep(params=params, random=50)):
        assert 1e-4 <= float(t["lr"]) <= 1e-1
        assert 0.1 <= float(t["dropout"]) <= 0.5
        assert isinstance(t["layers"], int)
        assert 2 <= t["layers"] <= 8


def test_trials_of_a_malformed_grid_is_a_spec_error() -> None:
    w = _sweep()
    w.spec.params = {"lr": []}
    with pytest.raises(SpecError, match=r"^spec\.params\.lr: has no values"):
        trials(w)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        pytest.param("lr=0.1,0.01", ("lr", [0.1, 0.01]), id="numbers are numbers"),
        pytest.param("layers=2,4", ("layers", [2, 4]), id="integers stay integers"),
        pytest.param("opt=adam,sgd", ("opt", ["adam", "sgd"]), id="words are strings"),
        pytest.param("bn=true,false", ("bn", [True, False]), id="true and false are booleans"),
        pytest.param(
            "lr=loguniform(1e-4,1e-1)", ("lr", "loguniform(1e-4,1e-1)"), id="a range stays a range"
        ),
    ],
)
def test_a_param_flag_is_a_name_and_its_values(text: str, parsed: tuple[str, Any]) -> None:
    assert parse_param(text) == parsed


@given(st.floats(min_value=1e-9, max_value=1e9), st.floats(min_value=1.001, max_value=1e3))
def test_a_log_uniform_range_between_any_two_positive_ends_parses(
    low: float, factor: float
) -> None:
    parsed = parse_range(f"loguniform({low!r}, {low * factor!r})")
    assert (parsed.distribution, parsed.low) == ("loguniform", low)


@pytest.mark.parametrize(
    ("log", "metrics"),
    [
        pytest.param('mlkube-metric: {"loss": 0.5}\n', {"loss": 0.5}, id="one line"),
        pytest.param(
            'epoch 1\nmlkube-metric: {"loss": 0.5, "acc": 0.7}\n'
            'epoch 2\nmlkube-metric: {"loss": 0.25}\n',
            {"loss": 0.25, "acc": 0.7},
            id="later lines win, metric by metric",
        ),
        pytest.param(
            '2026-12-01T09:00:00Z mlkube-metric: {"loss": 1}\n',
            {"loss": 1.0},
            id="a prefix before the marker (kubectl logs --timestamps)",
        ),
        pytest.param(
            "mlkube-metric: not json\nmlkube-metric: [1]\n"
            'mlkube-metric: {"ok": true, "name": "x", "nan": NaN, "loss": 2}\n',
            {"loss": 2.0},
            id="what is not a finite number is skipped",
        ),
        pytest.param("no metrics here\n", {}, id="no metric lines"),
    ],
)
def test_parse_metrics_reads_the_metric_lines_of_a_log(log: str, metrics: dict[str, float]) -> None:
    assert parse_metrics(log) == metrics
    assert all(math.isfinite(v) for v in parse_metrics(log).values())


def test_rank_orders_trials_best_first_and_those_without_the_metric_last() -> None:
    results = {0: {"loss": 0.3}, 1: {"acc": 0.9}, 2: {"loss": 0.1}, 3: {"loss": 0.2}}
    assert rank(results, "loss") == [2, 3, 0, 1]
    assert rank(results, "loss", "maximize") == [0, 3, 2, 1]
