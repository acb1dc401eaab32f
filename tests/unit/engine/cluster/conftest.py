"""Builders for cluster-level specifications: a fresh embedded cluster and small objects."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster


@pytest.fixture
def cluster() -> Cluster:
    c = Cluster(clock=FakeClock(), seed=1)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}})
    return c


def pod(name: str = "p", *, namespace: str = "ml", **spec: Any) -> dict[str, Any]:
    containers = spec.pop("containers", [{"name": "main", "image": "busybox:1.36"}])
    meta: dict[str, Any] = {"namespace": namespace}
    if name.endswith("-"):
        meta["generateName"] = name
    else:
        meta["name"] = name
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": containers, **spec},
    }


def container(name: str = "main", image: str = "busybox:1.36", **resources: dict[str, str]) -> dict:
    c: dict[str, Any] = {"name": name, "image": image}
    if resources:
        c["resources"] = resources
    return c


def job(name: str = "train", *, namespace: str = "ml", **spec: Any) -> dict[str, Any]:
    template = spec.pop(
        "template",
        {"spec": {"restartPolicy": "Never", "containers": [container()]}},
    )
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"template": template, **spec},
    }


def quota(name: str, hard: dict[str, str], *, namespace: str = "ml", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"hard": hard, **spec},
    }
