"""The deletion rules as pure functions: ``rest.BeforeDelete`` and ``ShouldDeleteDuringUpdate``.

``Store.delete_result`` and ``Store.update`` apply these; the verbs' own specifications are
in ``test_delete.py`` and ``test_update.py``. Cases from
``k8s.io/apiserver/pkg/registry/rest/delete.go`` and ``registry/generic/registry/store.go``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mlkube.api.registry import ResourceType
from mlkube.engine.errors import InternalError
from mlkube.engine.store.deletion import before_delete, should_delete_during_update

from .conftest import NAMESPACES, PODS

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("meta", "grace", "graceful", "outcome", "after"),
    [
        pytest.param(
            {"name": "a"},
            30,
            True,
            True,
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:30Z",
                "deletionGracePeriodSeconds": 30,
            },
            id="a graceful delete sets deletionTimestamp to now plus the grace period",
        ),
        pytest.param(
            {"name": "a", "generation": 3},
            0,
            True,
            True,
            {
                "name": "a",
                "generation": 4,
                "deletionTimestamp": "2026-01-01T00:00:00Z",
                "deletionGracePeriodSeconds": 0,
            },
            id="the first graceful delete bumps a positive generation",
        ),
        pytest.param(
            {"name": "a"},
            None,
            False,
            False,
            {"name": "a"},
            id="a type that does not delete gracefully changes nothing",
        ),
        pytest.param(
            {"name": "a", "deletionGracePeriodSeconds": -5},
            None,
            False,
            False,
            {"name": "a", "deletionGracePeriodSeconds": 1},
            id="a negative stored deletionGracePeriodSeconds is treated as one second",
        ),
        pytest.param(
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:30Z",
                "deletionGracePeriodSeconds": 30,
            },
            10,
            True,
            True,
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:10Z",
                "deletionGracePeriodSeconds": 10,
            },
            id="a shorter grace period moves a pending deletionTimestamp back",
        ),
        pytest.param(
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:20Z",
                "deletionGracePeriodSeconds": 30,
            },
            5,
            True,
            True,
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:00Z",
                "deletionGracePeriodSeconds": 1,
            },
            id="a shorter grace period already over stops at now with the shortest graceful period",
        ),
        pytest.param(
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:20Z",
                "deletionGracePeriodSeconds": 30,
            },
            0,
            True,
            True,
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:00Z",
                "deletionGracePeriodSeconds": 0,
            },
            id="a grace period of zero on a pending deletion stops at now and stays zero",
        ),
        pytest.param(
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:30Z",
                "deletionGracePeriodSeconds": 30,
            },
            30,
            True,
            None,
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:30Z",
                "deletionGracePeriodSeconds": 30,
            },
            id="a grace period that is not shorter leaves a pending deletion alone",
        ),
        pytest.param(
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:30Z",
                "deletionGracePeriodSeconds": 30,
            },
            None,
            True,
            None,
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:30Z",
                "deletionGracePeriodSeconds": 30,
            },
            id="a delete without a grace period leaves a pending deletion alone",
        ),
        pytest.param(
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:00Z",
                "deletionGracePeriodSeconds": 0,
            },
            30,
            True,
            False,
            {
                "name": "a",
                "deletionTimestamp": "2026-01-01T00:00:00Z",
                "deletionGracePeriodSeconds": 0,
            },
            id="an object being deleted with no grace left is deleted at once",
        ),
    ],
)
def test_before_delete(
    meta: dict[str, Any],
    grace: int | None,
    graceful: bool,
    outcome: bool | None,
    after: dict[str, Any],
) -> None:
    assert before_delete(meta, grace, graceful, NOW) is outcome
    assert meta == after


def test_a_graceful_delete_without_a_resolved_grace_period_is_an_internal_error() -> None:
    with pytest.raises(InternalError) as info:
        before_delete({"name": "a"}, None, True, NOW)

    assert (
        str(info.value) == "Internal error occurred: options.GracePeriodSeconds should not be nil"
    )


_DELETING: dict[str, Any] = {"deletionTimestamp": "2026-01-01T00:00:00Z"}


@pytest.mark.parametrize(
    ("rt", "new", "old_meta", "deletes"),
    [
        pytest.param(
            PODS,
            {"metadata": {"name": "a"}},
            _DELETING,
            True,
            id="clearing the last finalizer of an object being deleted deletes it",
        ),
        pytest.param(
            PODS,
            {"metadata": {"name": "a", "finalizers": ["f"]}},
            _DELETING,
            False,
            id="an object being deleted that keeps a finalizer stays",
        ),
        pytest.param(
            PODS,
            {"metadata": {"name": "a"}},
            {**_DELETING, "deletionGracePeriodSeconds": 30},
            False,
            id="an object whose grace period is pending stays",
        ),
        pytest.param(
            PODS,
            {"metadata": {"name": "a"}},
            {},
            False,
            id="an object not being deleted stays",
        ),
        pytest.param(
            NAMESPACES,
            {"metadata": {"name": "ns"}, "spec": {"finalizers": ["kubernetes"]}},
            _DELETING,
            False,
            id="a namespace also waits for its spec.finalizers",
        ),
        pytest.param(
            NAMESPACES,
            {"metadata": {"name": "ns"}, "spec": {}},
            _DELETING,
            True,
            id="a namespace with no finalizers left is deleted",
        ),
    ],
)
def test_should_delete_during_update(
    rt: ResourceType, new: dict[str, Any], old_meta: dict[str, Any], deletes: bool
) -> None:
    assert should_delete_during_update(rt, new, old_meta) is deletes
