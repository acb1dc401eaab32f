"""Whose writes an eviction makes: kube-apiserver's own, as observed on v1.37.2. The
``DisruptionTarget`` condition goes straight to the pod storage (``addConditionAndDeletePod``
calls ``r.store.Update``, past the handlers that keep managedFields), so the pod's
managedFields are untouched; the budget is written through the loopback client, whose
manager is ``kube-apiserver``."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.disruption import DisruptionController

from .controllers.builders import cluster, make_node
from .test_eviction import NS, budget, evict, running


@pytest.fixture
def c() -> Cluster:
    cl = cluster(lambda cl: DisruptionController(cl.api))
    cl.create(make_node("n1").build())
    return cl


def _managers(obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (m.get("manager", ""), m.get("operation", ""), m.get("subresource", ""))
        for m in obj["metadata"].get("managedFields") or []
    ]


def test_the_disruption_target_condition_adds_no_managed_fields_entry(c: Cluster) -> None:
    running(c, "web-0", grace=30)
    before = c.get("pods", "web-0", NS)["metadata"]["managedFields"]
    c.api.evict(NS, "web-0", {"metadata": {"name": "web-0"}}, user_agent="kubectl/v1.37.2")
    pod = c.get("pods", "web-0", NS)
    assert any(x["type"] == "DisruptionTarget" for x in pod["status"]["conditions"])
    assert pod["metadata"]["managedFields"] == before


def test_the_budget_is_spent_by_kube_apiserver_not_by_the_requester(c: Cluster) -> None:
    c.create(budget(minAvailable=0))
    running(c, "web-0", grace=30)
    c.api.evict(NS, "web-0", {"metadata": {"name": "web-0"}}, user_agent="kubectl/v1.37.2")
    pdb = c.get("poddisruptionbudgets", "budget", NS)
    assert ("kube-apiserver", "Update", "status") in _managers(pdb)
    assert all(manager != "kubectl" for manager, _, _ in _managers(pdb))


def test_a_dry_run_eviction_writes_nothing(c: Cluster) -> None:
    running(c, "web-0", grace=30)
    before = c.get("pods", "web-0", NS)
    evict(c, "web-0", dry_run=True)
    assert c.get("pods", "web-0", NS) == before
