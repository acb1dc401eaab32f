"""StorageObjectInUseProtection: claims and volumes carry a protection finalizer.

New PersistentVolumeClaims get ``kubernetes.io/pvc-protection`` and new PersistentVolumes
``kubernetes.io/pv-protection``, so neither disappears while a pod (or claim) uses it; the
protection controllers remove the finalizer when it is safe. Follows
``plugin/pkg/admission/storage/storageobjectinuseprotection/admission.go``.
"""

from __future__ import annotations

from mlkube.engine.admission.interface import AdmissionContext, Attributes, Operation

__all__ = ["NAME", "PVC_PROTECTION", "PV_PROTECTION", "StorageObjectInUseProtection"]

NAME = "StorageObjectInUseProtection"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"


class StorageObjectInUseProtection:
    NAME = NAME

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        if attrs.operation is not Operation.CREATE or attrs.subresource:
            return
        if attrs.is_("", "persistentvolumeclaims"):
            finalizer = PVC_PROTECTION
        elif attrs.is_("", "persistentvolumes"):
            finalizer = PV_PROTECTION
        else:
            return
        assert attrs.obj is not None
        meta = attrs.obj.setdefault("metadata", {})
        finalizers = list(meta.get("finalizers") or [])
        if finalizer not in finalizers:
            meta["finalizers"] = [*finalizers, finalizer]

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        return
