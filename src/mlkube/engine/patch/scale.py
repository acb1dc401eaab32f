"""The scale subresource's managedFields: the parent's entries seen as a Scale's, and back.

A write to ``<workload>/scale`` (PUT, any PATCH, server-side apply) runs the field manager
on an ``autoscaling/v1`` Scale, not on the workload (``pkg/registry/apps/deployment/storage/
storage.go`` ``scaleUpdatedObjectInfo``, the same for ReplicaSets and StatefulSets). The
Scale's managedFields come from the workload's and go back to it through
``k8s.io/apimachinery/pkg/util/managedfields/scalehandler.go``:

- :func:`to_subresource`: every workload entry that owns ``.spec.replicas`` becomes a Scale
  entry owning ``.spec.replicas``, in ``autoscaling/v1`` (so a conflict reads ``conflict with
  "kubectl" using autoscaling/v1``); the other entries are left out.
- :func:`to_parent`: a workload entry keeps ``.spec.replicas`` only while the Scale entry of
  the same identifier still exists; every other Scale entry that owns ``.spec.replicas``
  becomes a workload entry owning it, in the workload's version and with the workload's time
  for that identifier (none for a new manager: upstream writes such entries without a time).

The Scale's schema (kube-apiserver's OpenAPI of ``autoscaling/v1`` ``Scale``) is here too,
for apply's schema check; its Go types are generated with the served kinds' (``gotypes.json``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from mlkube.api.schema import Schema
from mlkube.engine.patch import fieldpath as fp
from mlkube.engine.patch.fieldpath import Path
from mlkube.engine.patch.managedfields import (
    ManagedFields,
    VersionedSet,
    decode_managed_fields,
    encode_managed_fields,
)

__all__ = [
    "REPLICAS_PATHS",
    "SCALE_API_VERSION",
    "SCALE_KIND",
    "SCALE_SCHEMA",
    "to_parent",
    "to_subresource",
]

SCALE_API_VERSION: Final = "autoscaling/v1"
SCALE_KIND: Final = "Scale"
_REPLICAS: Final[Path] = (fp.field("spec"), fp.field("replicas"))
#: replicasPathInDeployment / ...InReplicaSet / ...InStatefulSet: group/version -> path
REPLICAS_PATHS: Final[Mapping[str, Path]] = MappingProxyType({"apps/v1": _REPLICAS})

_INT32: Final = MappingProxyType({"type": "integer", "format": "int32"})
#: The autoscaling/v1 Scale as kube-apiserver's OpenAPI describes it.
SCALE_SCHEMA: Final[Schema] = MappingProxyType(
    {
        "type": "object",
        "properties": MappingProxyType(
            {
                "apiVersion": MappingProxyType({"type": "string"}),
                "kind": MappingProxyType({"type": "string"}),
                "metadata": MappingProxyType(
                    {
                        "ref": "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                        "x-mlkube-value-struct": True,
                    }
                ),
                "spec": MappingProxyType(
                    {
                        "type": "object",
                        "properties": MappingProxyType({"replicas": _INT32}),
                        "x-mlkube-value-struct": True,
                    }
                ),
                "status": MappingProxyType(
                    {
                        "type": "object",
                        "properties": MappingProxyType(
                            {"replicas": _INT32, "selector": MappingProxyType({"type": "string"})}
                        ),
                        "required": ("replicas",),
                        "x-mlkube-value-struct": True,
                    }
                ),
            }
        ),
    }
)


def to_subresource(
    parent_entries: Any, mappings: Mapping[str, Path] = REPLICAS_PATHS
) -> list[dict[str, Any]]:
    """``ScaleHandler.ToSubresource``: the Scale's managedFields for the workload's entries
    (ValueError for entries that do not decode)."""
    managed = decode_managed_fields(parent_entries)
    out = ManagedFields.empty()
    for identifier, versioned in managed.fields.items():
        path = mappings.get(versioned.api_version)
        if path is None or path not in versioned.paths:
            continue
        out.fields[identifier] = VersionedSet({_REPLICAS}, SCALE_API_VERSION, versioned.applied)
        out.times[identifier] = managed.times.get(identifier)
    return encode_managed_fields(out)


def to_parent(
    parent_entries: Any,
    scale_entries: Any,
    group_version: str,
    mappings: Mapping[str, Path] = REPLICAS_PATHS,
) -> list[dict[str, Any]]:
    """``ScaleHandler.ToParent``: the workload's managedFields after a write to its scale
    (ValueError for entries that do not decode)."""
    parent = decode_managed_fields(parent_entries)
    scale_fields = dict(decode_managed_fields(scale_entries).fields)
    out = ManagedFields.empty()
    for identifier, versioned in parent.fields.items():
        if versioned.api_version not in mappings:
            continue  # an entry in a version without a replicas path is dropped
        path = mappings[versioned.api_version]
        if path not in versioned.paths:
            out.fields[identifier] = versioned
        elif identifier not in scale_fields:
            rest = versioned.paths - {path}  # the scale write took .spec.replicas
            if not rest:
                continue
            out.fields[identifier] = VersionedSet(rest, versioned.api_version, versioned.applied)
        else:
            out.fields[identifier] = versioned
            del scale_fields[identifier]
        out.times[identifier] = parent.times.get(identifier)
    for identifier, versioned in scale_fields.items():
        if _REPLICAS not in versioned.paths:
            continue
        out.fields[identifier] = VersionedSet(
            {mappings[group_version]}, group_version, versioned.applied
        )
        out.times[identifier] = parent.times.get(identifier)
    return encode_managed_fields(out)
