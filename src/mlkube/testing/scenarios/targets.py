"""Where a scenario runs: the embedded engine in-process, or any cluster through a client.

Both targets offer the same verbs on wire-form dicts and raise errors carrying ``code``,
``reason`` and ``message`` (the engine's ``ApiError`` in-process, the client's ``ApiError``
over HTTP), so one runner holds both to the same expectations.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol

from mlkube.api.registry import lookup
from mlkube.client import KubeClient
from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster

__all__ = ["ClientTarget", "EngineTarget", "Target"]

_KWOK_ANNOTATION = "kwok.x-k8s.io/node"
#: What kube-apiserver answers to a granted eviction (the engine returns the pod instead).
_EVICTED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


class Target(Protocol):
    """A cluster a scenario can drive.

    ``advance(seconds)`` moves time: virtual time on a FakeClock, real sleeping elsewhere.
    ``virtual_time`` says which. ``prepare_node`` adapts a Node a scenario creates to the
    target (a real control plane's KWOK manages only annotated nodes).
    """

    name: str
    virtual_time: bool

    def create(self, obj: Mapping[str, Any], **options: Any) -> dict[str, Any]: ...

    def get(self, resource: str, name: str, namespace: str | None) -> dict[str, Any]: ...

    def list(
        self, resource: str, namespace: str | None, label_selector: str | None = None
    ) -> list[dict[str, Any]]: ...

    def replace(self, obj: Mapping[str, Any]) -> dict[str, Any]: ...

    def patch(
        self,
        resource: str,
        name: str,
        namespace: str | None,
        body: Any,
        patch_type: str,
        subresource: str = "",
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> dict[str, Any]: ...

    def delete(
        self, resource: str, name: str, namespace: str | None, **options: Any
    ) -> dict[str, Any]: ...

    def evict(
        self, name: str, namespace: str, eviction: Mapping[str, Any], *, dry_run: bool = False
    ) -> dict[str, Any]: ...

    def advance(self, seconds: float) -> None: ...

    def prepare_node(self, node: dict[str, Any]) -> dict[str, Any]: ...


_PATCH_TYPES = {
    "json": "application/json-patch+json",
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "apply": "application/apply-patch+yaml",
}


class EngineTarget:
    """The embedded engine, called in-process (no HTTP), on a FakeClock."""

    name = "embedded"
    virtual_time = True

    def __init__(self, cluster: Cluster | None = None) -> None:
        self.cluster = cluster or Cluster(clock=FakeClock(), seed=0)

    def create(self, obj: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        out = self.cluster.create(obj, **_engine_write_options(options))
        self.cluster.run_until_idle()
        return out

    def get(self, resource: str, name: str, namespace: str | None) -> dict[str, Any]:
        self.cluster.run_until_idle()
        return self.cluster.get(resource, name, namespace)

    def list(
        self, resource: str, namespace: str | None, label_selector: str | None = None
    ) -> list[dict[str, Any]]:
        self.cluster.run_until_idle()
        return self.cluster.list(resource, namespace, label_selector=label_selector)

    def replace(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        out = self.cluster.update(obj)
        self.cluster.run_until_idle()
        return out

    def patch(
        self,
        resource: str,
        name: str,
        namespace: str | None,
        body: Any,
        patch_type: str,
        subresource: str = "",
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> dict[str, Any]:
        out = self.cluster.patch(
            resource,
            name,
            body,
            _PATCH_TYPES[patch_type],
            namespace,
            subresource=subresource,
            field_manager=field_manager,
            force=bool(force),
        )
        self.cluster.run_until_idle()
        return out

    def delete(
        self, resource: str, name: str, namespace: str | None, **options: Any
    ) -> dict[str, Any]:
        out = self.cluster.delete(resource, name, namespace, **_engine_delete_options(options))
        self.cluster.run_until_idle()
        return out.object

    def evict(
        self, name: str, namespace: str, eviction: Mapping[str, Any], *, dry_run: bool = False
    ) -> dict[str, Any]:
        self.cluster.api.evict(namespace, name, eviction, dry_run=dry_run)
        self.cluster.run_until_idle()
        return _EVICTED

    def advance(self, seconds: float) -> None:
        self.cluster.advance(seconds)

    def prepare_node(self, node: dict[str, Any]) -> dict[str, Any]:
        return node


class ClientTarget:
    """Any cluster reached through a kubeconfig: the embedded server or a real control plane."""

    virtual_time = False

    def __init__(self, client: KubeClient, name: str = "real", *, kwok_nodes: bool = True) -> None:
        self.client = client
        self.name = name
        self._kwok_nodes = kwok_nodes

    def create(self, obj: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        return self.client.create(
            obj,
            dry_run=bool(options.get("dryRun")),
            field_manager=options.get("fieldManager"),
            field_validation=options.get("fieldValidation"),
        )

    def get(self, resource: str, name: str, namespace: str | None) -> dict[str, Any]:
        return self.client.get(resource, name, namespace)

    def list(
        self, resource: str, namespace: str | None, label_selector: str | None = None
    ) -> list[dict[str, Any]]:
        return self.client.list(resource, namespace, label_selector=label_selector)

    def replace(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        return self.client.replace(obj)

    def patch(
        self,
        resource: str,
        name: str,
        namespace: str | None,
        body: Any,
        patch_type: str,
        subresource: str = "",
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> dict[str, Any]:
        return self.client.patch(
            resource,
            name,
            body,
            namespace=namespace,
            patch_type=patch_type,
            subresource=subresource,
            field_manager=field_manager,
            force=force,
        )

    def delete(
        self, resource: str, name: str, namespace: str | None, **options: Any
    ) -> dict[str, Any]:
        return self.client.delete(
            resource,
            name,
            namespace,
            propagation_policy=options.get("propagationPolicy"),
            grace_period_seconds=options.get("gracePeriodSeconds"),
        )

    def evict(
        self, name: str, namespace: str, eviction: Mapping[str, Any], *, dry_run: bool = False
    ) -> dict[str, Any]:
        path = lookup("pods").path(namespace, name) + "/eviction"
        params = {"dryRun": "All"} if dry_run else None
        return dict(self.client.request("POST", path, params=params, body=dict(eviction)))

    def advance(self, seconds: float) -> None:
        time.sleep(seconds)

    def prepare_node(self, node: dict[str, Any]) -> dict[str, Any]:
        if not self._kwok_nodes:
            return node
        meta = node.setdefault("metadata", {})
        meta.setdefault("annotations", {})[_KWOK_ANNOTATION] = "fake"
        meta.setdefault("labels", {})["type"] = "kwok"
        return node


def _engine_write_options(options: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if options.get("dryRun"):
        out["dry_run"] = True
    if options.get("fieldManager"):
        out["field_manager"] = options["fieldManager"]
    if options.get("fieldValidation"):
        out["field_validation"] = options["fieldValidation"]
    return out


def _engine_delete_options(options: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "propagationPolicy" in options:
        out["propagation_policy"] = options["propagationPolicy"]
    if "gracePeriodSeconds" in options:
        out["grace_period_seconds"] = options["gracePeriodSeconds"]
    return out


def is_namespaced(resource: str) -> bool:
    return lookup(resource).namespaced
