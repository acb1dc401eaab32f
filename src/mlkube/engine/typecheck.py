"""Values of the wrong JSON type, refused where kube-apiserver refuses them.

A body is decoded into its kind's Go struct before anything else, so a label that is a
boolean is a 400 (``<Kind> in version "v1" cannot be handled as a <Kind>: json: cannot
unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string``), never a
crash further on. A merge or JSON patch is applied to the stored object as JSON first; a
result that does not decode is a 422 on the field ``patch`` whose value is that JSON
(``handlers/patch.go`` ``applyPatchToCurrentObject``). The Go messages come from
:mod:`mlkube.api.gojson`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from mlkube.api import gojson
from mlkube.api.field import Path, invalid
from mlkube.api.registry import ResourceType
from mlkube.engine.errors import BadRequest, Invalid

__all__ = ["check_body", "check_patched"]

_MERGE: Final = "application/merge-patch+json"
_JSON: Final = "application/json-patch+json"


def _cannot_handle(rt: ResourceType, detail: str) -> BadRequest:
    return BadRequest(
        f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {detail}'
    )


def check_body(rt: ResourceType, obj: Mapping[str, Any]) -> None:
    """Refuse (400) a body whose values Go cannot decode into ``rt``'s type."""
    problem = gojson.type_error(rt.api_version, rt.kind, obj)
    if problem is not None:
        raise _cannot_handle(rt, problem)


def check_patched(rt: ResourceType, patched: Mapping[str, Any], patch_type: str) -> None:
    """Refuse the result of a patch that does not decode into ``rt``'s type: a 422 on
    ``patch`` for a merge or JSON patch (the value is the patched JSON, keys sorted as
    Go's ``map`` encoding sorts them, managedFields left out as the handler leaves them
    out), the body's 400 otherwise."""
    media = patch_type.split(";", 1)[0].strip()
    problem = gojson.type_error(rt.api_version, rt.kind, patched)
    if problem is None:
        return
    if media not in (_MERGE, _JSON):
        raise _cannot_handle(rt, problem)
    shown = dict(patched)
    meta = shown.get("metadata")
    if isinstance(meta, Mapping) and "managedFields" in meta:
        shown["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    text = json.dumps(shown, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    raise Invalid("", "", [invalid(Path("patch"), text, problem)])
