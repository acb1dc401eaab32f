"""The PersistentVolume binder, with the embedded cluster's local provisioner.

Follows ``pkg/controller/volume/persistentvolume/pv_controller.go`` (syncClaim,
syncUnboundClaim, syncBoundClaim, syncVolume, bind, updateVolumePhase, reclaimVolume,
provisionClaimOperationExternal, emitEventForUnboundDelayBindingClaim) and ``index.go``
with ``component-helpers/storage/volume/pv_helpers.go`` (findByClaim walking access-mode
sets from the smallest superset; FindMatchingVolume: pre-bound first, else the smallest
Available volume of the claim's class, selector and volumeMode that is large enough).

Dynamic provisioning is external, as for any CSI driver: the binder marks the claim with
``volume.kubernetes.io/storage-provisioner`` and reports ``ExternalProvisioning``; a class
whose provisioner is ``mlkube.io/local`` is then served by :class:`_LocalProvisioner`,
which does what ``sig-storage-lib-external-provisioner`` does (``Provisioning``, a PV named
``pvc-<claim uid>`` pre-bound to the claim, ``ProvisioningSucceeded``; deletion of its
Released volumes with reclaim policy ``Delete``). WaitForFirstConsumer claims wait for
the scheduler's ``volume.kubernetes.io/selected-node`` annotation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.labels import selector_from_label_selector
from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import format_time
from mlkube.engine.controllers.events import record
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import AlreadyExists, ApiError, Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = [
    "LOCAL_PROVISIONER",
    "NAME",
    "NO_PROVISIONER",
    "PersistentVolumeBinder",
    "claim_class",
    "find_best_match",
    "find_matching_volume",
    "is_volume_bound_to_claim",
    "volume_class",
]

NAME = "persistentvolume-binder"
COMPONENT: Final = "persistentvolume-controller"
LOCAL_PROVISIONER: Final = "mlkube.io/local"
#: The class provisioner of statically provisioned (local) volumes.
NO_PROVISIONER: Final = "kubernetes.io/no-provisioner"
#: ``--pvclaimbinder-sync-period``: how often a pending claim is looked at again.
SYNC_PERIOD: Final = 15.0
ANN_BIND_COMPLETED: Final = "pv.kubernetes.io/bind-completed"
ANN_BOUND_BY_CONTROLLER: Final = "pv.kubernetes.io/bound-by-controller"
ANN_PROVISIONED_BY: Final = "pv.kubernetes.io/provisioned-by"
ANN_SELECTED_NODE: Final = "volume.kubernetes.io/selected-node"
ANN_STORAGE_PROVISIONER: Final = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER: Final = "volume.beta.kubernetes.io/storage-provisioner"
ANN_BETA_CLASS: Final = "volume.beta.kubernetes.io/storage-class"
ANN_DEFAULT_CLASS: Final = "storageclass.kubernetes.io/is-default-class"
ANN_BETA_DEFAULT_CLASS: Final = "storageclass.beta.kubernetes.io/is-default-class"
#: Where the local provisioner's volumes live on a node.
LOCAL_VOLUME_ROOT: Final = "/var/lib/mlkube/volumes"

MSG_WAIT_FOR_FIRST_CONSUMER: Final = "waiting for first consumer to be created before binding"
MSG_NO_CLASS: Final = "no persistent volumes available for this claim and no storage class is set"
MSG_EXTERNAL_PROVISIONING: Final = (
    "Waiting for a volume to be created either by the external provisioner '{provisioner}' or "
    "manually by the system administrator. If volume creation is delayed, please verify that "
    "the provisioner is running and correctly registered."
)
MSG_CLAIM_LOST_REFERENCE: Final = (
    "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"
)
MSG_CLAIM_LOST_VOLUME: Final = (
    "Bound claim has lost its PersistentVolume. Data on the volume is lost!"
)
MSG_CLAIM_MISBOUND: Final = "Two claims are bound to the same volume, this one is bound incorrectly"

_PVS = lookup("persistentvolumes")
_PVCS = lookup("persistentvolumeclaims")
_CLASSES = lookup("storageclasses")
_PODS = lookup("pods")
_EVENTS = lookup("events")


# -- matching (index.go, pv_helpers.go) -----------------------------------------------------


def claim_class(claim: dict[str, Any]) -> str:
    """``GetPersistentVolumeClaimClass``: the beta annotation wins over the field."""
    ann = claim["metadata"].get("annotations") or {}
    if ANN_BETA_CLASS in ann:
        return str(ann[ANN_BETA_CLASS])
    return str((claim.get("spec") or {}).get("storageClassName") or "")


def volume_class(volume: dict[str, Any]) -> str:
    ann = volume["metadata"].get("annotations") or {}
    if ANN_BETA_CLASS in ann:
        return str(ann[ANN_BETA_CLASS])
    return str((volume.get("spec") or {}).get("storageClassName") or "")


def _storage(resources: dict[str, Any] | None) -> Quantity:
    return parse_quantity(str((resources or {}).get("storage", "0")))


def is_volume_bound_to_claim(volume: dict[str, Any], claim: dict[str, Any]) -> bool:
    """``IsVolumeBoundToClaim``: the claimRef names the claim (and its uid, if set)."""
    ref = (volume.get("spec") or {}).get("claimRef")
    if not ref:
        return False
    meta = claim["metadata"]
    if ref.get("name") != meta.get("name") or ref.get("namespace") != meta.get("namespace"):
        return False
    return not ref.get("uid") or ref.get("uid") == meta.get("uid")


def find_matching_volume(
    claim: dict[str, Any], volumes: Sequence[dict[str, Any]], *, delay_binding: bool
) -> dict[str, Any] | None:
    """``FindMatchingVolume`` on the PV controller's path (no node)."""
    spec = claim.get("spec") or {}
    requested = _storage((spec.get("resources") or {}).get("requests"))
    requested_class = claim_class(claim)
    selector = selector_from_label_selector(spec["selector"]) if spec.get("selector") else None
    claim_mode = spec.get("volumeMode") or "Filesystem"
    best: dict[str, Any] | None = None
    best_size: Quantity | None = None
    for volume in volumes:
        vspec = volume.get("spec") or {}
        if vspec.get("claimRef") and not is_volume_bound_to_claim(volume, claim):
            continue
        size = _storage(vspec.get("capacity"))
        if size < requested:
            continue
        if (vspec.get("volumeMode") or "Filesystem") != claim_mode:
            continue
        if volume["metadata"].get("deletionTimestamp"):
            continue
        if is_volume_bound_to_claim(volume, claim):
            return volume
        if delay_binding:
            continue
        if (volume.get("status") or {}).get("phase") != "Available":
            continue
        if selector is not None and not selector.matches(volume["metadata"].get("labels") or {}):
            continue
        if volume_class(volume) != requested_class:
            continue
        if best_size is None or best_size > size:
            best, best_size = volume, size
    return best


def find_best_match(
    claim: dict[str, Any], volumes: Sequence[dict[str, Any]], *, delay_binding: bool
) -> dict[str, Any] | None:
    """``findByClaim``: volumes grouped by their access-mode set; the sets that contain
    every requested mode are searched from the fewest modes up."""
    requested = set((claim.get("spec") or {}).get("accessModes") or [])
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for volume in volumes:
        modes = tuple(sorted(set((volume.get("spec") or {}).get("accessModes") or [])))
        groups.setdefault(modes, []).append(volume)
    for modes in sorted(groups, key=lambda m: (len(m), m)):
        if not requested <= set(modes):
            continue
        found = find_matching_volume(claim, groups[modes], delay_binding=delay_binding)
        if found is not None:
            return found
    return None


# -- the binder -------------------------------------------------------------------------------


class PersistentVolumeBinder:
    NAME = NAME

    def __init__(self, api: APIServer) -> None:
        self._api = api
        self._provisioner = _LocalProvisioner(api)

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_PVS, _PVCS)  # volumes first: a claim created with them finds them Available

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        obj = event.view
        meta = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        if rt.plural == "persistentvolumes":
            out = [f"volume:{meta.get('name')}"]
            ref = spec.get("claimRef") or {}
            if ref.get("name"):
                out.append(f"claim:{ref.get('namespace')}/{ref['name']}")
            return out
        key = f"claim:{meta.get('namespace')}/{meta.get('name')}"
        if event.type == "DELETED":
            return [f"volume:{spec['volumeName']}"] if spec.get("volumeName") else []
        return [key]

    def sync(self, key: str) -> float | None:
        kind, _, rest = key.partition(":")
        try:
            if kind == "volume":
                return self._sync_volume(rest)
            ns, _, name = rest.partition("/")
            return self._sync_claim(ns, name)
        except (Conflict, NotFound):
            return 1.0

    # -- claims -----------------------------------------------------------------------------

    def _sync_claim(self, ns: str, name: str) -> float | None:
        """``syncClaim``."""
        try:
            claim = self._api.get(_PVCS, ns, name)
        except NotFound:
            return None
        if claim["metadata"].get("deletionTimestamp") and not claim["spec"].get("volumeName"):
            return None
        if ANN_BIND_COMPLETED in (claim["metadata"].get("annotations") or {}):
            self._sync_bound_claim(claim)
            return None
        return self._sync_unbound_claim(claim)

    def _sync_unbound_claim(self, claim: dict[str, Any]) -> float | None:
        """``syncUnboundClaim``."""
        volumes = self._api.list(_PVS).items
        wanted = claim["spec"].get("volumeName")
        if wanted:
            volume = next((v for v in volumes if v["metadata"]["name"] == wanted), None)
            if volume is None:
                self._update_claim_status(claim, "Pending", None)
                return SYNC_PERIOD
            ref = volume["spec"].get("claimRef")
            if not ref or is_volume_bound_to_claim(volume, claim):
                self._bind(volume, claim)
                return None
            self._update_claim_status(claim, "Pending", None)
            return SYNC_PERIOD
        delay = self._delay_binding(claim)
        volume = find_best_match(claim, volumes, delay_binding=delay)
        if volume is not None:
            self._bind(volume, claim)
            return None
        if self._assign_default_class(claim):
            return None  # the claim's update brings it back here with its class
        ann = claim["metadata"].get("annotations") or {}
        class_name = claim_class(claim)
        if delay and ANN_SELECTED_NODE not in ann:
            self._wait_for_consumer(claim)
        elif class_name:
            self._provision(claim, class_name)
            return SYNC_PERIOD
        else:
            self._event(claim, "Normal", "FailedBinding", MSG_NO_CLASS)
        self._update_claim_status(claim, "Pending", None)
        return SYNC_PERIOD

    def _assign_default_class(self, claim: dict[str, Any]) -> bool:
        """``assignDefaultStorageClass`` (retroactive default class): a claim created
        without ``storageClassName`` gets the default class once there is one."""
        if "storageClassName" in claim["spec"] or ANN_BETA_CLASS in (
            claim["metadata"].get("annotations") or {}
        ):
            return False
        defaults = [
            sc
            for sc in self._api.list(_CLASSES).items
            if (sc["metadata"].get("annotations") or {}).get(ANN_DEFAULT_CLASS) == "true"
            or (sc["metadata"].get("annotations") or {}).get(ANN_BETA_DEFAULT_CLASS) == "true"
        ]
        if not defaults:
            return False
        # GetDefaultClass: the newest default wins, then the name
        defaults.sort(key=lambda sc: sc["metadata"]["name"])
        defaults.sort(key=lambda sc: sc["metadata"].get("creationTimestamp", ""), reverse=True)
        updated = copy.deepcopy(claim)
        updated["spec"]["storageClassName"] = defaults[0]["metadata"]["name"]
        self._api.update(
            _PVCS, updated, namespace=claim["metadata"]["namespace"], user_agent=USER_AGENT
        )
        return True

    def _delay_binding(self, claim: dict[str, Any]) -> bool:
        """``IsDelayBindingMode``: the claim's class binds on WaitForFirstConsumer."""
        name = claim_class(claim)
        if not name:
            return False
        try:
            sc = self._api.get(_CLASSES, None, name)
        except NotFound:
            return False
        return sc.get("volumeBindingMode") == "WaitForFirstConsumer"

    def _wait_for_consumer(self, claim: dict[str, Any]) -> None:
        """``emitEventForUnboundDelayBindingClaim``."""
        meta = claim["metadata"]
        pods = [
            p["metadata"]["name"]
            for p in self._api.list(_PODS, meta["namespace"]).items
            if not (p.get("spec") or {}).get("nodeName")
            and any(
                (v.get("persistentVolumeClaim") or {}).get("claimName") == meta["name"]
                for v in (p.get("spec") or {}).get("volumes") or []
            )
        ]
        if len(pods) > 1:
            self._event(
                claim,
                "Normal",
                "WaitForPodScheduled",
                f"waiting for pods {','.join(pods)} to be scheduled",
            )
        elif pods:
            self._event(
                claim, "Normal", "WaitForPodScheduled", f"waiting for pod {pods[0]} to be scheduled"
            )
        else:
            self._event(claim, "Normal", "WaitForFirstConsumer", MSG_WAIT_FOR_FIRST_CONSUMER)

    def _provision(self, claim: dict[str, Any], class_name: str) -> None:
        """``provisionClaim`` / ``provisionClaimOperationExternal``."""
        try:
            sc = self._api.get(_CLASSES, None, class_name)
        except NotFound:
            self._event(
                claim,
                "Warning",
                "ProvisioningFailed",
                f'storageclass.storage.k8s.io "{class_name}" not found',
            )
            return
        provisioner = str(sc.get("provisioner", ""))
        if provisioner == NO_PROVISIONER:
            # findProvisionablePlugin: an in-tree name no plugin provides
            message = f"no volume plugin matched name: {provisioner}"
            self._event(claim, "Warning", "ProvisioningFailed", message)
            return
        ann = claim["metadata"].setdefault("annotations", {})
        if (
            ann.get(ANN_STORAGE_PROVISIONER) != provisioner
            or ann.get(ANN_BETA_STORAGE_PROVISIONER) != provisioner
        ):
            ann[ANN_STORAGE_PROVISIONER] = provisioner
            ann[ANN_BETA_STORAGE_PROVISIONER] = provisioner
            claim = self._api.update(
                _PVCS, claim, namespace=claim["metadata"]["namespace"], user_agent=USER_AGENT
            ).object
        self._event(
            claim,
            "Normal",
            "ExternalProvisioning",
            MSG_EXTERNAL_PROVISIONING.format(provisioner=provisioner),
        )
        if provisioner == LOCAL_PROVISIONER:
            self._provisioner.provision(claim, sc)

    def _sync_bound_claim(self, claim: dict[str, Any]) -> None:
        """``syncBoundClaim``."""
        name = claim["spec"].get("volumeName")
        if not name:
            self._update_claim_status(claim, "Lost", None, ("ClaimLost", MSG_CLAIM_LOST_REFERENCE))
            return
        try:
            volume = self._api.get(_PVS, None, name)
        except NotFound:
            self._update_claim_status(claim, "Lost", None, ("ClaimLost", MSG_CLAIM_LOST_VOLUME))
            return
        ref = volume["spec"].get("claimRef")
        if not ref or ref.get("uid") == claim["metadata"]["uid"]:
            self._bind(volume, claim)
            return
        self._update_claim_status(claim, "Lost", None, ("ClaimMisbound", MSG_CLAIM_MISBOUND))

    # -- volumes ----------------------------------------------------------------------------

    def _sync_volume(self, name: str) -> float | None:
        """``syncVolume``."""
        try:
            volume = self._api.get(_PVS, None, name)
        except NotFound:
            return None
        ref = volume["spec"].get("claimRef")
        if not ref or not ref.get("uid"):
            self._update_volume_phase(volume, "Available")
            return None
        try:
            claim: dict[str, Any] | None = self._api.get(
                _PVCS, ref.get("namespace"), ref.get("name", "")
            )
        except NotFound:
            claim = None
        if claim is not None and claim["metadata"].get("uid") != ref.get("uid"):
            claim = None
        if claim is None:
            if (volume.get("status") or {}).get("phase") not in ("Released", "Failed"):
                volume = self._update_volume_phase(volume, "Released")
            self._reclaim(volume)
            return None
        claimed_name = claim["spec"].get("volumeName")
        if not claimed_name:
            return None  # the claim's sync finishes the binding (its key is queued too)
        if claimed_name == name:
            self._update_volume_phase(volume, "Bound")
            return None
        ann = volume["metadata"].get("annotations") or {}
        if (
            ANN_PROVISIONED_BY in ann
            and volume["spec"].get("persistentVolumeReclaimPolicy") == "Delete"
        ):
            if (volume.get("status") or {}).get("phase") not in ("Released", "Failed"):
                volume = self._update_volume_phase(volume, "Released")
            self._reclaim(volume)
            return None
        self._unbind(volume)
        return None

    def _reclaim(self, volume: dict[str, Any]) -> None:
        """``reclaimVolume``: Retain keeps it Released; Delete hands it to its provisioner."""
        policy = volume["spec"].get("persistentVolumeReclaimPolicy", "Retain")
        if policy != "Delete":
            return
        ann = volume["metadata"].get("annotations") or {}
        if ann.get(ANN_PROVISIONED_BY) == LOCAL_PROVISIONER:
            self._provisioner.delete(volume)

    def _unbind(self, volume: dict[str, Any]) -> None:
        """``unbindVolume``: drop a controller's claimRef, or only its uid for a user's."""
        updated = copy.deepcopy(volume)
        ann = updated["metadata"].get("annotations") or {}
        if ANN_BOUND_BY_CONTROLLER in ann:
            updated["spec"].pop("claimRef", None)
            ann.pop(ANN_BOUND_BY_CONTROLLER)
        else:
            updated["spec"]["claimRef"].pop("uid", None)
        stored = self._api.update(_PVS, updated, user_agent=USER_AGENT).object
        self._update_volume_phase(stored, "Available")

    # -- writes -------------------------------------------------------------------------------

    def _bind(self, volume: dict[str, Any], claim: dict[str, Any]) -> None:
        """``bind``: 1. volume claimRef, 2. volume Bound, 3. claim volumeName and
        annotations, 4. claim Bound with the volume's capacity and modes."""
        # 1. bindVolumeToClaim
        if not is_volume_bound_to_claim(volume, claim) or not volume["spec"]["claimRef"].get("uid"):
            updated = copy.deepcopy(volume)
            had_ref = bool(updated["spec"].get("claimRef"))
            meta = claim["metadata"]
            updated["spec"]["claimRef"] = {
                "kind": "PersistentVolumeClaim",
                "namespace": meta["namespace"],
                "name": meta["name"],
                "uid": meta["uid"],
                "apiVersion": "v1",
                "resourceVersion": meta["resourceVersion"],
            }
            if not had_ref:
                updated["metadata"].setdefault("annotations", {})[ANN_BOUND_BY_CONTROLLER] = "yes"
            volume = self._api.update(_PVS, updated, user_agent=USER_AGENT).object
        # 2. updateVolumePhase
        volume = self._update_volume_phase(volume, "Bound")
        # 3. bindClaimToVolume
        updated_claim = copy.deepcopy(claim)
        ann = updated_claim["metadata"].setdefault("annotations", {})
        dirty = False
        if updated_claim["spec"].get("volumeName") != volume["metadata"]["name"]:
            updated_claim["spec"]["volumeName"] = volume["metadata"]["name"]
            ann.setdefault(ANN_BOUND_BY_CONTROLLER, "yes")
            dirty = True
        if ANN_BIND_COMPLETED not in ann:
            ann[ANN_BIND_COMPLETED] = "yes"
            dirty = True
        if dirty:
            claim = self._api.update(
                _PVCS,
                updated_claim,
                namespace=claim["metadata"]["namespace"],
                user_agent=USER_AGENT,
            ).object
        # 4. updateClaimStatus
        self._update_claim_status(claim, "Bound", volume)

    def _update_volume_phase(self, volume: dict[str, Any], phase: str) -> dict[str, Any]:
        status = volume.get("status") or {}
        if status.get("phase") == phase:
            return volume
        new_status = {k: v for k, v in status.items() if k not in ("message", "reason")}
        new_status["phase"] = phase
        new_status["lastPhaseTransitionTime"] = format_time(self._api.clock.now())
        return self._api.update_status(
            _PVS, {**volume, "status": new_status}, user_agent=USER_AGENT
        ).object

    def _update_claim_status(
        self,
        claim: dict[str, Any],
        phase: str,
        volume: dict[str, Any] | None,
        event: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        """``updateClaimStatus`` (``WithEvent``: a Warning when the phase changes)."""
        status = copy.deepcopy(claim.get("status") or {})
        old_phase = status.get("phase")
        status["phase"] = phase
        if volume is None:
            status.pop("accessModes", None)
            status.pop("capacity", None)
        else:
            status["accessModes"] = list(volume["spec"].get("accessModes") or [])
            status["capacity"] = dict(volume["spec"].get("capacity") or {})
        if status == (claim.get("status") or {}):
            return claim
        stored = self._api.update_status(
            _PVCS,
            {**claim, "status": status},
            namespace=claim["metadata"]["namespace"],
            user_agent=USER_AGENT,
        ).object
        if event is not None and old_phase != phase:
            self._event(stored, "Warning", *event)
        return stored

    def _event(self, obj: dict[str, Any], kind: str, reason: str, message: str) -> None:
        _record_event(self._api, obj, kind, reason, message, COMPONENT)


class _LocalProvisioner:
    """The external provisioner for ``mlkube.io/local`` (``sig-storage-lib-external-
    provisioner`` controller.go provisionClaimOperation / deleteVolumeOperation): a
    hostPath-style volume per claim under :data:`LOCAL_VOLUME_ROOT`."""

    def __init__(self, api: APIServer) -> None:
        self._api = api

    def provision(self, claim: dict[str, Any], sc: dict[str, Any]) -> None:
        meta, spec = claim["metadata"], claim["spec"]
        name = f"pvc-{meta['uid']}"
        try:
            self._api.get(_PVS, None, name)
            return  # already provisioned; the binder binds it
        except NotFound:
            pass
        node = (meta.get("annotations") or {}).get(ANN_SELECTED_NODE)
        if sc.get("volumeBindingMode") == "WaitForFirstConsumer" and not node:
            return
        key = f"{meta['namespace']}/{meta['name']}"
        self._event(
            claim,
            "Normal",
            "Provisioning",
            f'External provisioner is provisioning volume for claim "{key}"',
        )
        volume: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": name, "annotations": {ANN_PROVISIONED_BY: LOCAL_PROVISIONER}},
            "spec": {
                "capacity": {
                    "storage": ((spec.get("resources") or {}).get("requests") or {}).get(
                        "storage", "0"
                    )
                },
                "accessModes": list(spec.get("accessModes") or []),
                "volumeMode": spec.get("volumeMode") or "Filesystem",
                "storageClassName": sc["metadata"]["name"],
                "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy") or "Delete",
                "claimRef": {
                    "kind": "PersistentVolumeClaim",
                    "namespace": meta["namespace"],
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "apiVersion": "v1",
                    "resourceVersion": meta["resourceVersion"],
                },
                "hostPath": {"path": f"{LOCAL_VOLUME_ROOT}/{name}", "type": "DirectoryOrCreate"},
            },
        }
        if sc.get("mountOptions"):
            volume["spec"]["mountOptions"] = list(sc["mountOptions"])
        if node:
            volume["spec"]["nodeAffinity"] = {
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {
                                    "key": "kubernetes.io/hostname",
                                    "operator": "In",
                                    "values": [node],
                                }
                            ]
                        }
                    ]
                }
            }
        try:
            self._api.create(_PVS, volume, field_manager=LOCAL_PROVISIONER)
        except AlreadyExists:
            return
        except ApiError as err:
            class_name = sc["metadata"]["name"]
            message = f'failed to provision volume with StorageClass "{class_name}": {err.message}'
            self._event(claim, "Warning", "ProvisioningFailed", message)
            return
        self._event(
            claim, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {name}"
        )

    def delete(self, volume: dict[str, Any]) -> None:
        if volume["metadata"].get("deletionTimestamp"):
            return
        try:
            self._api.delete(_PVS, None, volume["metadata"]["name"])
        except NotFound:
            return

    def _event(self, obj: dict[str, Any], kind: str, reason: str, message: str) -> None:
        _record_event(self._api, obj, kind, reason, message, LOCAL_PROVISIONER)


def _record_event(
    api: APIServer, obj: dict[str, Any], kind: str, reason: str, message: str, component: str
) -> None:
    """Record a core/v1 Event through the shared recorder (count aggregation and
    ``<object>.<hex nanos>`` names as client-go's)."""
    record(api, obj, kind, reason, message, component)
