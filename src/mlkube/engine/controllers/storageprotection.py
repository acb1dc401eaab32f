"""Storage object protection: a claim in use by a pod, or a bound volume, is not removed.

Admission gives every PersistentVolumeClaim the ``kubernetes.io/pvc-protection`` finalizer
and every PersistentVolume ``kubernetes.io/pv-protection``; this controller removes them
once deletion is safe: a deleted claim when no non-terminal pod of its namespace uses it, a
deleted volume when it is no longer Bound. Follows
``pkg/controller/volume/pvcprotection/pvc_protection_controller.go`` and
``pkg/controller/volume/pvprotection/pv_protection_controller.go``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from mlkube.api.registry import ResourceType, lookup
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["NAME", "PVC_PROTECTION", "PV_PROTECTION", "StorageProtectionController"]

NAME = "storage-protection"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
_PVCS, _PVS, _PODS = lookup("persistentvolumeclaims"), lookup("persistentvolumes"), lookup("pods")


class StorageProtectionController:
    NAME = NAME

    def __init__(self, api: APIServer) -> None:
        self._api = api

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_PVCS, _PVS, _PODS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        obj = event.view
        meta = obj.get("metadata", {})
        if rt is _PVCS and meta.get("deletionTimestamp"):
            return [f"pvc/{meta.get('namespace')}/{meta['name']}"]
        if rt is _PVS and meta.get("deletionTimestamp"):
            return [f"pv/{meta['name']}"]
        if rt is _PODS:
            claims = [
                v["persistentVolumeClaim"]["claimName"]
                for v in (obj.get("spec") or {}).get("volumes") or []
                if v.get("persistentVolumeClaim")
            ]
            return [f"pvc/{meta.get('namespace')}/{c}" for c in claims]
        return []

    def sync(self, key: str) -> float | None:
        kind, _, rest = key.partition("/")
        try:
            if kind == "pvc":
                namespace, _, name = rest.partition("/")
                self._sync_claim(namespace, name)
            else:
                self._sync_volume(rest)
        except NotFound:
            return None
        except Conflict:
            return 0.0
        return None

    def _sync_claim(self, namespace: str, name: str) -> None:
        claim = self._api.get(_PVCS, namespace, name)
        meta = claim["metadata"]
        if not meta.get("deletionTimestamp") or PVC_PROTECTION not in (
            meta.get("finalizers") or []
        ):
            return
        for pod in self._api.list(_PODS, namespace).items:
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            for volume in (pod.get("spec") or {}).get("volumes") or []:
                if (volume.get("persistentVolumeClaim") or {}).get("claimName") == name:
                    return  # still in use
        self._remove_finalizer(_PVCS, claim, PVC_PROTECTION)

    def _sync_volume(self, name: str) -> None:
        volume = self._api.get(_PVS, None, name)
        meta = volume["metadata"]
        if not meta.get("deletionTimestamp") or PV_PROTECTION not in (meta.get("finalizers") or []):
            return
        if (volume.get("status") or {}).get("phase") == "Bound":
            return
        self._remove_finalizer(_PVS, volume, PV_PROTECTION)

    def _remove_finalizer(self, rt: ResourceType, obj: dict[str, Any], finalizer: str) -> None:
        obj["metadata"]["finalizers"] = [f for f in obj["metadata"]["finalizers"] if f != finalizer]
        self._api.update(rt, obj, namespace=obj["metadata"].get("namespace"), user_agent=USER_AGENT)
