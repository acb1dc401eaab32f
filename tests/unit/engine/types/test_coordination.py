"""Lease validation, as kube-apiserver v1.37.

Cases follow pkg/apis/coordination/validation/validation_test.go (TestValidateLease,
TestValidateLeaseSpecUpdate, TestValidateCoordinatedLeaseStrategy).
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.types.coordination import LeaseStrategy
from mlkube.engine.types.strategy import strategy_for

STRATEGY = LeaseStrategy()


def lease(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "leader", "namespace": "kube-system"},
        "spec": spec,
    }


def messages(o: dict[str, Any]) -> list[str]:
    return [e.error() for e in STRATEGY.validate(o)]


def test_leases_have_neither_status_nor_generation() -> None:
    s = strategy_for("coordination.k8s.io/v1", "Lease")
    assert (s.has_status, s.has_generation) == (False, False)


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param({}, id="an empty spec"),
        pytest.param(
            {"holderIdentity": "a", "leaseDurationSeconds": 15, "leaseTransitions": 0},
            id="a held lease",
        ),
        pytest.param(
            {"strategy": "OldestEmulationVersion", "preferredHolder": "b"},
            id="a preferred holder with a strategy",
        ),
        pytest.param({"strategy": "example.com/custom"}, id="a prefixed custom strategy"),
    ],
)
def test_valid_leases(spec: dict[str, Any]) -> None:
    assert messages(lease(**spec)) == []


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            {"leaseDurationSeconds": 0},
            "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
            id="a zero duration",
        ),
        pytest.param(
            {"leaseTransitions": -1},
            "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
            id="negative transitions",
        ),
        pytest.param(
            {"strategy": "Newest"},
            'spec.strategy: Unsupported value: "Newest": supported values: '
            '"OldestEmulationVersion"',
            id="an unknown built-in strategy",
        ),
        pytest.param(
            {"preferredHolder": "b"},
            "spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined",
            id="a preferred holder without a strategy",
        ),
    ],
)
def test_invalid_leases(spec: dict[str, Any], expected: str) -> None:
    assert messages(lease(**spec)) == [expected]
