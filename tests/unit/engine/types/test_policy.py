"""PodDisruptionBudget validation, as kube-apiserver v1.37.

Cases follow pkg/apis/policy/validation/validation_test.go
(TestValidatePodDisruptionBudgetSpec, TestValidateMinAvailablePodDisruptionBudgetSpec,
TestValidateUnhealthyPodEvictionPolicyDisruptionBudgetSpec,
TestValidatePodDisruptionBudgetStatus) and pkg/registry/policy/poddisruptionbudget/
strategy_test.go.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.engine.types.policy import PodDisruptionBudgetStrategy
from mlkube.engine.types.strategy import strategy_for

STRATEGY = PodDisruptionBudgetStrategy()
Obj = dict[str, Any]


def pdb(**spec: Any) -> Obj:
    o: Obj = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}} | spec,
    }
    STRATEGY.default(o)
    STRATEGY.prepare_for_create(o)
    return o


def messages(o: Obj) -> list[str]:
    return [e.error() for e in STRATEGY.validate(o)]


def test_registered_with_status_and_generation() -> None:
    s = strategy_for("policy/v1", "PodDisruptionBudget")
    assert (s.has_status, s.has_generation) == (True, True)


def test_create_resets_status_to_zero_counters() -> None:
    assert pdb()["status"] == {
        "disruptionsAllowed": 0,
        "currentHealthy": 0,
        "desiredHealthy": 0,
        "expectedPods": 0,
    }


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param({"minAvailable": 2}, id="an absolute minAvailable"),
        pytest.param({"minAvailable": "50%"}, id="a percent minAvailable"),
        pytest.param({"maxUnavailable": "100%"}, id="maxUnavailable of 100 percent"),
        pytest.param({"unhealthyPodEvictionPolicy": "AlwaysAllow"}, id="AlwaysAllow eviction"),
        pytest.param({"selector": {}}, id="an empty selector selects every pod"),
    ],
)
def test_valid_budgets(spec: Obj) -> None:
    assert messages(pdb(**spec)) == []


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            {"minAvailable": 1, "maxUnavailable": 1},
            'spec: Invalid value: {"minAvailable":1,"selector":{"matchLabels":{"app":"web"}},'
            '"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set',
            id="both minAvailable and maxUnavailable",
        ),
        pytest.param(
            {"minAvailable": -1},
            "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0",
            id="a negative minAvailable",
        ),
        pytest.param(
            {"maxUnavailable": "120%"},
            'spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%',
            id="more than 100 percent",
        ),
        pytest.param(
            {"minAvailable": "1"},
            'spec.minAvailable: Invalid value: "1": a valid percent string must be a numeric '
            "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for "
            "validation is '[0-9]+%')",
            id="a string that is not a percent",
        ),
        pytest.param(
            {"unhealthyPodEvictionPolicy": "Sometimes"},
            'spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported '
            'values: "AlwaysAllow", "IfHealthyBudget"',
            id="an unknown unhealthy pod eviction policy",
        ),
    ],
)
def test_invalid_budgets(spec: Obj, expected: str) -> None:
    assert messages(pdb(**spec)) == [expected]


def test_the_spec_may_change_and_bumps_generation() -> None:
    old = pdb(minAvailable=1)
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old)
    new["spec"]["minAvailable"] = 2
    STRATEGY.prepare_for_update(new, old)
    assert (STRATEGY.validate_update(new, old), new["metadata"]["generation"]) == ([], 2)


def test_negative_status_counters_are_invalid() -> None:
    old = pdb()
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old)
    new["status"]["disruptionsAllowed"] = -1
    STRATEGY.prepare_for_status_update(new, old)
    assert [e.error() for e in STRATEGY.validate_status_update(new, old)] == [
        "status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0"
    ]
