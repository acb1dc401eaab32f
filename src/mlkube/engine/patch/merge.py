"""JSON merge patch (RFC 7386, ``application/merge-patch+json``) as kube-apiserver applies it.

kube-apiserver calls ``jsonpatch.MergePatch`` of ``gopkg.in/evanphx/json-patch.v4``; this
module reproduces it on decoded values: objects merge recursively, ``null`` deletes a key,
anything else (arrays included) replaces the target whole, and ``null``s inside a value that
is taken whole are dropped (``pruneNulls``). Before merging, the handler decodes the body
into ``map[string]interface{}`` when field validation is ``Strict`` or ``Warn``
(``handlers/patch.go`` ``applyJSPatch``), so a body that is not an object is a 400
``error decoding patch: ...``; with ``Ignore`` a JSON array replaces the object and a
scalar or ``null`` is the library's ``Invalid JSON Patch``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from mlkube.api import gojson
from mlkube.engine.errors import BadRequest

__all__ = ["ERR_BAD_JSON_PATCH", "merge_patch"]

# gopkg.in/evanphx/json-patch.v4 errors.go
ERR_BAD_JSON_PATCH: Final = "Invalid JSON Patch"

_VALIDATIONS: Final = ("Strict", "Warn", "Ignore")


def merge_patch(original: Mapping[str, Any], patch: Any, *, field_validation: str = "Warn") -> Any:
    """Apply the decoded merge ``patch`` to ``original`` (neither is mutated).

    Returns the patched document: a dict, or the patch list itself for an array body with
    ``field_validation="Ignore"``. Raises :class:`~mlkube.engine.errors.BadRequest` as
    kube-apiserver does.
    """
    if field_validation not in _VALIDATIONS:
        raise ValueError(f"field_validation must be one of {_VALIDATIONS}")
    if field_validation != "Ignore" and patch is not None and not isinstance(patch, dict):
        raise BadRequest(
            f"error decoding patch: json: cannot unmarshal {gojson.json_type(patch)} into Go value "
            "of type map[string]interface {}"
        )
    if isinstance(patch, list):
        return [_pruned(v) for v in patch]
    if not isinstance(patch, dict):
        raise BadRequest(ERR_BAD_JSON_PATCH)
    doc = copy.deepcopy(dict(original))
    _merge_docs(doc, patch)
    return doc


def _merge_docs(doc: dict[str, Any], patch: Mapping[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            doc.pop(key, None)
            continue
        current = doc.get(key)
        if current is None:
            doc[key] = _pruned(value)
        elif isinstance(current, dict):
            if isinstance(value, dict):
                _merge_docs(current, value)
            else:
                doc[key] = copy.deepcopy(value)
        else:
            doc[key] = _pruned(value)


def _pruned(value: Any) -> Any:
    """A copy of ``value`` without ``null`` object members, at any depth (``pruneNulls``)."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value
