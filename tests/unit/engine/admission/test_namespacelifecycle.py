"""NamespaceLifecycle (apiserver/pkg/admission/plugin/namespace/lifecycle/admission_test.go)."""

from __future__ import annotations

import pytest

from mlkube.api.registry import lookup
from mlkube.engine.admission.interface import Attributes, Operation
from mlkube.engine.admission.plugins.namespacelifecycle import NamespaceLifecycle
from mlkube.engine.errors import Forbidden, NotFound

from .conftest import FakeContext, create, pod


def test_a_pod_in_an_active_namespace_is_admitted(ctx: FakeContext) -> None:
    NamespaceLifecycle().admit(create("pods", pod()), ctx)


def test_a_pod_in_a_missing_namespace_is_not_found(ctx: FakeContext) -> None:
    with pytest.raises(NotFound) as err:
        NamespaceLifecycle().admit(create("pods", pod(), namespace="nope"), ctx)
    assert err.value.message == 'namespaces "nope" not found'
    assert err.value.code == 404


def test_a_pod_in_a_terminating_namespace_is_forbidden_with_a_cause(ctx: FakeContext) -> None:
    ctx.add("namespaces", {"metadata": {"name": "gone"}, "status": {"phase": "Terminating"}})
    with pytest.raises(Forbidden) as err:
        NamespaceLifecycle().admit(create("pods", pod("x"), namespace="gone"), ctx)
    assert err.value.message == (
        'pods "x" is forbidden: unable to create new content in namespace gone '
        "because it is being terminated"
    )
    status = err.value.to_status()
    assert status["details"]["causes"] == [
        {
            "reason": "NamespaceTerminating",
            "message": "namespace gone is being terminated",
            "field": "metadata.namespace",
        }
    ]


def test_an_update_in_a_terminating_namespace_is_allowed(ctx: FakeContext) -> None:
    ctx.add("namespaces", {"metadata": {"name": "gone"}, "status": {"phase": "Terminating"}})
    attrs = create("pods", pod("x"), namespace="gone")
    attrs.operation = Operation.UPDATE
    NamespaceLifecycle().admit(attrs, ctx)


def test_deleting_an_object_in_a_missing_namespace_is_allowed(ctx: FakeContext) -> None:
    attrs = create("pods", pod("x"), namespace="nope")
    attrs.operation = Operation.DELETE
    NamespaceLifecycle().admit(attrs, ctx)


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_an_immortal_namespace_may_not_be_deleted(ctx: FakeContext, name: str) -> None:
    attrs = Attributes(Operation.DELETE, lookup("namespaces"), "", name, None)
    with pytest.raises(Forbidden) as err:
        NamespaceLifecycle().admit(attrs, ctx)
    assert (
        err.value.message == f'namespaces "{name}" is forbidden: this namespace may not be deleted'
    )


def test_cluster_scoped_objects_skip_the_namespace_check(ctx: FakeContext) -> None:
    NamespaceLifecycle().admit(create("nodes", {"metadata": {"name": "n1"}}), ctx)
