"""The Deployment controller: one ReplicaSet per pod template, rolled out by strategy.

It exists to run ``syncDeployment`` as numbered steps; the steps live in their own
modules (``sync``, ``progress``, ``rollout``). Follows
``pkg/controller/deployment/deployment_controller.go`` (the event handlers and
``syncDeployment``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from mlkube.api.labels import selector_from_label_selector
from mlkube.api.registry import ResourceType
from mlkube.engine.controllers.deployment.rollout import DeploymentRollout
from mlkube.engine.controllers.deployment.util import _DEPLOYMENTS, _PODS, _RS, NAME, _rolling
from mlkube.engine.controllers.replicaset import controller_of
from mlkube.engine.errors import AlreadyExists, Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["DeploymentController"]


class DeploymentController(DeploymentRollout):
    NAME = NAME

    def __init__(self, api: APIServer) -> None:
        self._api = api

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_DEPLOYMENTS, _RS, _PODS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        obj = event.view
        meta = obj.get("metadata") or {}
        ns = meta.get("namespace", "")
        if rt.plural == "deployments":
            return [f"{ns}/{meta.get('name')}"]
        if rt.plural == "pods":
            # deletePod: a Recreate rollout waits for the last old pod to go
            ref = controller_of(obj)
            if event.type != "DELETED" or ref is None or ref.get("kind") != "ReplicaSet":
                return []
            try:
                obj = self._api.get(_RS, ns, ref["name"])
            except NotFound:
                return []
        ref = controller_of(obj)
        if ref is not None:
            return [f"{ns}/{ref['name']}"] if ref.get("kind") == "Deployment" else []
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return [
            f"{ns}/{d['metadata']['name']}"
            for d in self._api.list(_DEPLOYMENTS, ns).items
            if selector_from_label_selector(d["spec"].get("selector")).matches(labels)
        ]

    def sync(self, key: str) -> float | None:
        ns, _, name = key.partition("/")
        try:
            d = self._api.get(_DEPLOYMENTS, ns, name)
        except NotFound:
            return None
        try:
            return self._sync(d)
        except (Conflict, NotFound, AlreadyExists):
            return 1.0

    def _sync(self, d: dict[str, Any]) -> float | None:
        """``syncDeployment``: 1. claim ReplicaSets, 2. status only while deleting,
        3. paused conditions, 4. scale or roll out by strategy, 5. rollout status."""
        rs_list = self._claim(d)
        if d["metadata"].get("deletionTimestamp"):
            self._sync_status(d, *self._split(d, rs_list))
            return None
        self._check_paused(d)
        if d["spec"].get("paused") or self._is_scaling_event(d, rs_list):
            new_rs, old = self._revision_sync(d, rs_list, create=False)
            self._scale(d, new_rs, old)
            if d["spec"].get("paused"):
                self._cleanup(d, old)
            self._sync_status(d, new_rs, old)
            return None
        if _rolling(d):
            return self._rollout_rolling(d, rs_list)
        return self._rollout_recreate(d, rs_list)
