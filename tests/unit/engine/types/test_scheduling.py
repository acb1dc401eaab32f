"""PriorityClass defaulting and validation, as kube-apiserver v1.37.

Cases follow pkg/apis/scheduling/validation/validation_test.go (TestValidatePriorityClass,
TestValidatePriorityClassUpdate) and pkg/apis/scheduling/v1/defaults_test.go. Only one
``globalDefault`` class per cluster is the Priority admission plugin's rule.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.engine.types.scheduling import PriorityClassStrategy

STRATEGY = PriorityClassStrategy()
Obj = dict[str, Any]


def priority_class(name: str = "high", value: int = 1000, **fields: Any) -> Obj:
    o: Obj = {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {"name": name},
        "value": value,
    } | fields
    STRATEGY.default(o)
    STRATEGY.prepare_for_create(o)
    return o


def messages(o: Obj) -> list[str]:
    return [e.error() for e in STRATEGY.validate(o)]


def test_preemption_policy_defaults_to_preempt_lower_priority() -> None:
    assert priority_class()["preemptionPolicy"] == "PreemptLowerPriority"


@pytest.mark.parametrize(
    "o",
    [
        pytest.param(priority_class(value=1_000_000_000), id="the highest user value"),
        pytest.param(priority_class(value=-5), id="a negative value"),
        pytest.param(priority_class(preemptionPolicy="Never"), id="a non-preempting class"),
        pytest.param(
            priority_class("system-node-critical", 2_000_001_000), id="system-node-critical"
        ),
        pytest.param(
            priority_class("system-cluster-critical", 2_000_000_000),
            id="system-cluster-critical",
        ),
    ],
)
def test_valid_priority_classes(o: Obj) -> None:
    assert messages(o) == []


@pytest.mark.parametrize(
    ("o", "expected"),
    [
        pytest.param(
            priority_class(value=1_000_000_001),
            "value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
            id="a user value above one billion",
        ),
        pytest.param(
            priority_class("system-foo", 10),
            "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved "
            "for system use only. error: system-foo is not a known system priority class",
            id="an unknown system- name",
        ),
        pytest.param(
            priority_class("system-node-critical", 10),
            "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved "
            "for system use only. error: value of system-node-critical PriorityClass must be "
            "2000001000",
            id="a system class with the wrong value",
        ),
        pytest.param(
            priority_class("system-cluster-critical", 2_000_000_000, globalDefault=True),
            "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved "
            "for system use only. error: globalDefault of system-cluster-critical "
            "PriorityClass must be false",
            id="a system class as global default",
        ),
        pytest.param(
            priority_class(preemptionPolicy="Sometimes"),
            'preemptionPolicy: Unsupported value: "Sometimes": supported values: '
            '"PreemptLowerPriority", "Never"',
            id="an unknown preemption policy",
        ),
    ],
)
def test_invalid_priority_classes(o: Obj, expected: str) -> None:
    assert messages(o) == [expected]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param({"description": "new"}, [], id="the description may change"),
        pytest.param({"globalDefault": True}, [], id="globalDefault may change"),
        pytest.param(
            {"value": 2000},
            ["value: Forbidden: may not be changed in an update."],
            id="the value is immutable",
        ),
        pytest.param(
            {"preemptionPolicy": "Never"},
            ['preemptionPolicy: Invalid value: "Never": field is immutable'],
            id="the preemption policy is immutable",
        ),
    ],
)
def test_priority_class_updates(change: Obj, expected: list[str]) -> None:
    old = priority_class()
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old) | change
    STRATEGY.prepare_for_update(new, old)
    assert [e.error() for e in STRATEGY.validate_update(new, old)] == expected
