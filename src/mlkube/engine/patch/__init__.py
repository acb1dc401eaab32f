"""Patching and field ownership: JSON patch, merge patch, strategic merge patch, apply.

One module per patch type (``application/json-patch+json``, ``merge-patch+json``,
``strategic-merge-patch+json``, ``apply-patch+yaml``), each failing with the
:class:`~mlkube.engine.errors.ApiError` kube-apiserver returns; ``managedfields`` (also
importable as ``managed``) for the ownership every write records; ``dispatch.apply_patch``
to pick the patch type by Content-Type; ``unstructured`` (Go's ``FromUnstructured``, which
turns a patched map back into the Go type), ``validation`` (apply's schema check) and
``scale`` (the scale subresource's managedFields), ``lazyjson`` (the patched JSON a
422 on ``patch`` shows, as the patch library wrote it) and ``yamlbody`` (an apply body read
as go-yaml reads it). Strategic merge patch and server-side
apply are written by hand: no Python library implements them.
"""

from __future__ import annotations

from mlkube.engine.patch import managedfields
from mlkube.engine.patch import managedfields as managed
from mlkube.engine.patch.apply import apply, conflict_error
from mlkube.engine.patch.dispatch import PATCH_TYPES, apply_patch
from mlkube.engine.patch.json6902 import MAX_JSON_PATCH_OPERATIONS, json_patch
from mlkube.engine.patch.managedfields import (
    decode_managed_fields,
    default_manager,
    encode_managed_fields,
    manager_identifier,
    manager_name,
    track_update,
)
from mlkube.engine.patch.merge import merge_patch
from mlkube.engine.patch.strategic import strategic_merge_patch
from mlkube.engine.patch.unstructured import ConversionError, from_unstructured

__all__ = [
    "MAX_JSON_PATCH_OPERATIONS",
    "PATCH_TYPES",
    "ConversionError",
    "apply",
    "apply_patch",
    "conflict_error",
    "decode_managed_fields",
    "default_manager",
    "encode_managed_fields",
    "from_unstructured",
    "json_patch",
    "managed",
    "managedfields",
    "manager_identifier",
    "manager_name",
    "merge_patch",
    "strategic_merge_patch",
    "track_update",
]
