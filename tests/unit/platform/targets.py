"""Test targets: an in-process embedded cluster, and a recorder of every write sent to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.platform.names import FIELD_MANAGER
from mlkube.platform.target import ClusterAPI, EmbeddedTarget


class Recording:
    """A :class:`ClusterAPI` that records the writes it passes on: ``("apply", kind/name)``."""

    def __init__(self, inner: ClusterAPI) -> None:
        self.inner = inner
        self.writes: list[tuple[str, str]] = []

    def get(self, resource: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return self.inner.get(resource, name, namespace)

    def list(self, resource: str, *, label_selector: str | None = None) -> list[dict[str, Any]]:
        return self.inner.list(resource, label_selector=label_selector)

    def apply(
        self,
        obj: Mapping[str, Any],
        *,
        subresource: str = "",
        dry_run: bool = False,
        field_manager: str = FIELD_MANAGER,
    ) -> dict[str, Any]:
        kind, name = str(obj["kind"]).lower(), obj["metadata"]["name"]
        self.writes.append(("apply", f"{kind}/{name}" + (f"/{subresource}" if subresource else "")))
        return self.inner.apply(
            obj, subresource=subresource, dry_run=dry_run, field_manager=field_manager
        )

    def delete(self, resource: str, name: str, namespace: str | None = None) -> None:
        self.writes.append(("delete", f"{resource}/{name}"))
        self.inner.delete(resource, name, namespace)

    def version(self) -> dict[str, Any]:
        return self.inner.version()


def embedded() -> tuple[Cluster, Recording]:
    cluster = Cluster(clock=FakeClock(), seed=7)
    return cluster, Recording(EmbeddedTarget(cluster))


def make_node(
    name: str, labels: dict[str, str] | None = None, taints: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A node as a real cluster's kubelet registers it (before mlkube touches it)."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "spec": {"taints": taints or []},
        "status": {"capacity": {"cpu": "96", "memory": "1152Gi", "pods": "110"}},
    }
