"""DefaultStorageClass: a claim that names no class gets the cluster's default class.

Only a claim whose ``spec.storageClassName`` is absent is changed (an empty string means
"no class" and is kept). With several default classes the newest wins. Follows
``plugin/pkg/admission/storage/storageclass/setdefault/admission.go`` and
``pkg/volume/util/storageclass.go`` (GetDefaultClass).
"""

from __future__ import annotations

from typing import Any

from mlkube.api.registry import lookup
from mlkube.engine.admission.interface import AdmissionContext, Attributes, Operation

__all__ = ["DEFAULT_CLASS_ANNOTATIONS", "NAME", "DefaultStorageClass", "default_storage_class"]

NAME = "DefaultStorageClass"
DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)
_STORAGE_CLASSES = lookup("storageclasses")


def default_storage_class(classes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The default class: annotated ``is-default-class: "true"``; the newest (then the
    name that sorts first) when several are."""
    defaults = [
        sc
        for sc in classes
        if any(
            (sc.get("metadata", {}).get("annotations") or {}).get(a) == "true"
            for a in DEFAULT_CLASS_ANNOTATIONS
        )
    ]
    if not defaults:
        return None
    defaults.sort(
        key=lambda sc: (sc["metadata"].get("creationTimestamp", ""), sc["metadata"]["name"]),
    )
    newest = defaults[-1]["metadata"].get("creationTimestamp", "")
    tied = [sc for sc in defaults if sc["metadata"].get("creationTimestamp", "") == newest]
    return min(tied, key=lambda sc: str(sc["metadata"]["name"]))


class DefaultStorageClass:
    NAME = NAME

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        if not attrs.is_("", "persistentvolumeclaims") or attrs.operation is not Operation.CREATE:
            return
        assert attrs.obj is not None
        spec = attrs.obj.setdefault("spec", {})
        if "storageClassName" in spec and spec["storageClassName"] is not None:
            return
        found = default_storage_class(ctx.list(_STORAGE_CLASSES, None))
        if found is not None:
            spec["storageClassName"] = found["metadata"]["name"]

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        return
