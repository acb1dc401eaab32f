"""A tiny in-memory AdmissionContext and request builders for admission plugin tests."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from mlkube.api.registry import ResourceType, lookup
from mlkube.engine.admission.interface import Attributes, Operation
from mlkube.engine.errors import Conflict


class FakeContext:
    """The cluster as admission sees it, held in a dict."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.status_writes: list[dict[str, Any]] = []
        self.clock = datetime(2026, 12, 1, tzinfo=UTC)

    def add(self, resource: str, obj: dict[str, Any]) -> dict[str, Any]:
        rt = lookup(resource)
        meta = obj.setdefault("metadata", {})
        meta.setdefault("resourceVersion", "1")
        self.objects[(rt.qualified, meta.get("namespace", ""), meta["name"])] = obj
        return obj

    def now(self) -> datetime:
        return self.clock

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> dict[str, Any] | None:
        found = self.objects.get((rt.qualified, namespace or "", name))
        return copy.deepcopy(found) if found is not None else None

    def list(self, rt: ResourceType, namespace: str | None) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(o)
            for (q, ns, _), o in sorted(self.objects.items())
            if q == rt.qualified and (namespace is None or ns == namespace)
        ]

    def update_status(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        meta = obj["metadata"]
        key = (rt.qualified, meta.get("namespace", ""), meta["name"])
        stored = self.objects[key]
        if stored["metadata"]["resourceVersion"] != meta["resourceVersion"]:
            raise Conflict(rt, meta["name"], "the object has been modified")
        new = copy.deepcopy(obj)
        new["metadata"]["resourceVersion"] = str(int(meta["resourceVersion"]) + 1)
        self.objects[key] = new
        self.status_writes.append(copy.deepcopy(new))
        return copy.deepcopy(new)


@pytest.fixture
def ctx() -> FakeContext:
    context = FakeContext()
    context.add("namespaces", {"metadata": {"name": "ml"}, "status": {"phase": "Active"}})
    context.add("serviceaccounts", {"metadata": {"name": "default", "namespace": "ml"}})
    return context


def create(resource: str, obj: dict[str, Any], *, namespace: str = "ml") -> Attributes:
    rt = lookup(resource)
    meta = obj.setdefault("metadata", {})
    if rt.namespaced:
        meta.setdefault("namespace", namespace)
    return Attributes(
        operation=Operation.CREATE,
        resource=rt,
        namespace=namespace if rt.namespaced else "",
        name=meta.get("name", ""),
        obj=obj,
    )


def pod(name: str = "p", **spec: Any) -> dict[str, Any]:
    containers = spec.pop("containers", [{"name": "main", "image": "busybox"}])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": containers, **spec},
    }
