"""A Kubernetes cluster you can hold in your hand: ``Cluster(clock=FakeClock())``.

One object wires the store, the API server's request pipeline and the controllers, and
offers kubectl-like verbs on wire-form dicts plus ``step()`` / ``run_until_idle()`` /
``advance(seconds)`` to let the controllers work. Everything a user or a component does
goes through :attr:`api`, exactly as it would go through kube-apiserver.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mlkube.api.registry import ResourceType, lookup
from mlkube.engine.apiserver import APIServer, DeleteOutcome, WriteResult, resource_for
from mlkube.engine.bootstrap import bootstrap, populate_namespace
from mlkube.engine.clock import Clock, FakeClock
from mlkube.engine.controllers import Controller, ControllerManager, ResourceQuotaController
from mlkube.engine.store import Store

__all__ = ["DEFAULT_CONTROLLERS", "Cluster", "ControllerFactory"]

#: Builds one controller for a cluster (the cluster's API server and clock are at hand).
ControllerFactory = Callable[["Cluster"], Controller]

#: The controllers every embedded cluster runs, in the order they run each step.
DEFAULT_CONTROLLERS: tuple[ControllerFactory, ...] = (lambda c: ResourceQuotaController(c.api),)


class Cluster:
    """An embedded cluster: store + API server + controllers, on one clock."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        path: str | Path | None = None,
        seed: int | None = None,
        ca_cert: str = "",
        controllers: Sequence[ControllerFactory] | None = None,
    ) -> None:
        self.clock: Clock = clock if clock is not None else FakeClock()
        self.store = Store.open(path, clock=self.clock) if path is not None else Store(self.clock)
        self.rng = random.Random(seed)
        self.api: APIServer = APIServer(self.store, self.clock, rng=self.rng)
        self.api.post_create.append(populate_namespace(ca_cert))
        bootstrap(self.api)
        factories = DEFAULT_CONTROLLERS if controllers is None else controllers
        self.controllers = ControllerManager(self.api, self.clock, [f(self) for f in factories])

    # -- kubectl-like verbs -----------------------------------------------------------

    def create(
        self, obj: Mapping[str, Any], *, namespace: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        """Create an object (its type from ``apiVersion``/``kind``); returns it as stored."""
        return self.write(obj, namespace=namespace, **kw).object

    def write(
        self, obj: Mapping[str, Any], *, namespace: str | None = None, **kw: Any
    ) -> WriteResult:
        rt = resource_for(obj)
        ns = (
            namespace
            or (obj.get("metadata") or {}).get("namespace")
            or ("default" if rt.namespaced else None)
        )
        return self.api.create(rt, obj, namespace=ns, **kw)

    def get(self, resource: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        rt = lookup(resource)
        return self.api.get(rt, self._ns(rt, namespace), name)

    def list(self, resource: str, namespace: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        rt = lookup(resource)
        return self.api.list(rt, namespace if rt.namespaced else None, **kw).items

    def update(self, obj: Mapping[str, Any], **kw: Any) -> dict[str, Any]:
        rt = resource_for(obj)
        return self.api.update(rt, obj, namespace=self._ns(rt, _meta_ns(obj)), **kw).object

    def update_status(self, obj: Mapping[str, Any], **kw: Any) -> dict[str, Any]:
        rt = resource_for(obj)
        return self.api.update_status(rt, obj, namespace=self._ns(rt, _meta_ns(obj)), **kw).object

    def patch(
        self,
        resource: str,
        name: str,
        body: Any,
        patch_type: str = "application/strategic-merge-patch+json",
        namespace: str | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        rt = lookup(resource)
        return self.api.patch(rt, self._ns(rt, namespace), name, body, patch_type, **kw).object

    def delete(
        self, resource: str, name: str, namespace: str | None = None, **kw: Any
    ) -> DeleteOutcome:
        rt = lookup(resource)
        return self.api.delete(rt, self._ns(rt, namespace), name, **kw)

    # -- letting the cluster work -----------------------------------------------------

    def step(self) -> int:
        """Run every component once over what changed; returns the work done."""
        return self.controllers.step()

    def run_until_idle(self, max_steps: int = 10_000) -> int:
        """Step until no component has anything left to do now; returns the steps taken."""
        for steps in range(1, max_steps + 1):
            if self.step() == 0 and not self.controllers.pending():
                return steps
        raise RuntimeError(f"the cluster did not settle within {max_steps} steps")

    def advance(self, seconds: float) -> None:
        """Move a FakeClock forward, letting components act at each timer on the way."""
        if not isinstance(self.clock, FakeClock):
            raise TypeError("advance() needs a FakeClock; a real clock moves by itself")
        self.run_until_idle()
        target = self.clock.monotonic() + seconds
        while (due := self.clock.next_timer()) is not None and due <= target:
            self.clock.run_until(due)
            self.run_until_idle()
        self.clock.run_until(target)
        self.run_until_idle()

    def close(self) -> None:
        self.controllers.stop()
        self.store.close()

    @staticmethod
    def _ns(rt: ResourceType, namespace: str | None) -> str | None:
        if not rt.namespaced:
            return None
        return namespace or "default"


def _meta_ns(obj: Mapping[str, Any]) -> str | None:
    ns = (obj.get("metadata") or {}).get("namespace")
    return str(ns) if ns else None
