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

from collections.abc import Mapping
from typing import Any, Final

from mlkube.api import gojson, schema
from mlkube.api.field import Path, invalid
from mlkube.api.registry import ResourceType
from mlkube.api.schema import Schema
from mlkube.engine.errors import BadRequest, Invalid
from mlkube.engine.patch import lazyjson

__all__ = ["check_body", "check_patched", "check_patched_as"]

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


def check_patched(
    rt: ResourceType,
    patched: Mapping[str, Any],
    patch_type: str,
    *,
    live: Mapping[str, Any] | None = None,
    body: Any = None,
) -> None:
    """Refuse the result of a patch that does not decode into ``rt``'s type: a 422 on
    ``patch`` for a merge or JSON patch (:func:`check_patched_as`), the body's 400 otherwise."""
    media = patch_type.split(";", 1)[0].strip()
    if media in (_MERGE, _JSON):
        node = schema.kind_schema(rt.api_version, rt.kind)
        check_patched_as(rt.api_version, rt.kind, node, patched, media, live=live, body=body)
        return
    problem = gojson.type_error(rt.api_version, rt.kind, patched)
    if problem is not None:
        raise _cannot_handle(rt, problem)


def check_patched_as(
    api_version: str,
    kind: str,
    node: Schema | None,
    patched: Mapping[str, Any],
    patch_type: str,
    *,
    live: Mapping[str, Any] | None = None,
    body: Any = None,
) -> None:
    """Refuse (422 on ``patch``) a merge or JSON patch result that does not decode into
    ``kind``'s Go type (also a subresource's: the ``autoscaling/v1`` Scale).

    The value is the patched JSON as ``evanphx/json-patch`` wrote it from ``live`` (the
    object the patch applied to, ``node`` its schema) and ``body`` (the patch): keys sorted in
    the maps the patch looked into, Go's field order elsewhere, managedFields included
    (:mod:`mlkube.engine.patch.lazyjson`).
    """
    problem = gojson.type_error(api_version, kind, patched)
    if problem is None:
        return
    media = patch_type.split(";", 1)[0].strip()
    text: str | None = None
    if live is not None:
        if media == _MERGE:
            text = lazyjson.merge_patch_text(live, body, node)
        else:
            text = lazyjson.json_patch_text(live, body, node)
    if text is None:  # no object to replay on: the top level is a map all the same
        text = lazyjson.merge_patch_text(patched, {}, node)
    raise Invalid("", "", [invalid(Path("patch"), text, problem)])
