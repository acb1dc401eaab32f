"""Fixtures for the store's specifications: a FakeClock, a Store and object builders."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mlkube.api import registry
from mlkube.api.registry import ResourceType
from mlkube.engine.clock import FakeClock
from mlkube.engine.store import Store

PODS: ResourceType = registry.lookup("pods")
JOBS: ResourceType = registry.lookup("jobs")
NODES: ResourceType = registry.lookup("nodes")
CONFIGMAPS: ResourceType = registry.lookup("configmaps")
NAMESPACES: ResourceType = registry.lookup("namespaces")


def make_pod(
    name: str = "",
    namespace: str = "ml",
    *,
    labels: dict[str, str] | None = None,
    finalizers: list[str] | None = None,
    node: str | None = None,
    phase: str | None = None,
    generate_name: str | None = None,
) -> dict[str, Any]:
    """A small wire-form Pod."""
    meta: dict[str, Any] = {"namespace": namespace}
    if name:
        meta["name"] = name
    if generate_name is not None:
        meta["generateName"] = generate_name
    if labels:
        meta["labels"] = dict(labels)
    if finalizers:
        meta["finalizers"] = list(finalizers)
    spec: dict[str, Any] = {"containers": [{"name": "main", "image": "busybox"}]}
    if node is not None:
        spec["nodeName"] = node
    pod: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
    if phase is not None:
        pod["status"] = {"phase": phase}
    return pod


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> Store:
    return Store(clock, rng=random.Random(7))
