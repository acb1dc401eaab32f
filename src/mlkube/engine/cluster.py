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
from mlkube.engine.controllers.cronjob import CronJobController
from mlkube.engine.controllers.deployment import DeploymentController
from mlkube.engine.controllers.disruption import DisruptionController
from mlkube.engine.controllers.endpoints import EndpointsController
from mlkube.engine.controllers.garbagecollector import GarbageCollector
from mlkube.engine.controllers.job import JobController
from mlkube.engine.controllers.namespace import NamespaceController
from mlkube.engine.controllers.nodelifecycle import node_lifecycle
from mlkube.engine.controllers.pvbinder import PersistentVolumeBinder
from mlkube.engine.controllers.replicaset import ReplicaSetController
from mlkube.engine.controllers.storageprotection import StorageProtectionController
from mlkube.engine.controllers.tainteviction import taint_eviction
from mlkube.engine.controllers.ttlafterfinished import TTLAfterFinishedController
from mlkube.engine.kubelet import kubelets
from mlkube.engine.scheduler.component import scheduler
from mlkube.engine.store import Store

__all__ = ["DEFAULT_CONTROLLERS", "MINIMAL_CONTROLLERS", "Cluster", "ControllerFactory"]

#: Builds one controller for a cluster (the cluster's API server and clock are at hand).
ControllerFactory = Callable[["Cluster"], Controller]


def _controller(cls: Callable[[APIServer], Controller]) -> ControllerFactory:
    def factory(cluster: Cluster) -> Controller:
        return cls(cluster.api)

    factory.__name__ = getattr(cls, "__name__", "controller")
    return factory


#: The controllers every embedded cluster runs, in the order they run each step (those of
#: kube-controller-manager's default set that the embedded cluster serves).
#: What quota admission needs and nothing else: unit specifications of one controller run it
#: on top of these, alone.
MINIMAL_CONTROLLERS: tuple[ControllerFactory, ...] = (_controller(ResourceQuotaController),)

DEFAULT_CONTROLLERS: tuple[ControllerFactory, ...] = (
    *tuple(
        _controller(cls)
        for cls in (
            ResourceQuotaController,
            JobController,
            TTLAfterFinishedController,
            CronJobController,
            DeploymentController,
            ReplicaSetController,
            GarbageCollector,
            NamespaceController,
            PersistentVolumeBinder,
            StorageProtectionController,
            EndpointsController,
            DisruptionController,
        )
    ),
    scheduler,
    kubelets,
    node_lifecycle,
    taint_eviction,
)


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
        #: Where process-runtime pods keep their working directories and volumes.
        self.state_dir: Path | None = Path(f"{path}.d") if path is not None else None
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
        # A timer due within a nanosecond of the target is due at the target (float sums).
        while (due := self.clock.next_timer()) is not None and due <= target + 1e-9:
            self.clock.run_until(due)
            self.run_until_idle()
        self.clock.run_until(target)
        self.run_until_idle()

    def close(self) -> None:
        for controller in self.controllers.controllers:
            close = getattr(controller, "close", None)
            if callable(close):
                close()
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
