"""JSON patch (RFC 6902, ``application/json-patch+json``) with kube-apiserver's statuses.

The operations themselves are the ``jsonpatch`` library's; what this module adds is the
handling of ``applyJSPatch`` in ``k8s.io/apiserver/pkg/endpoints/handlers/patch.go``:

1. With field validation ``Strict`` or ``Warn`` the body is first decoded into
   ``[]jsonPatchOp``; a body of the wrong shape is 400 ``error decoding patch: json: ...``.
   With ``Ignore`` the library's decoder (``jsonpatch.DecodePatch``) gives the 400 instead.
2. More than 10000 operations is 413 ``Request entity too large: The allowed maximum
   operations in a JSON patch is 10000, got N``.
3. ``replace`` of a member an object lacks adds it, as the library kube-apiserver uses
   (``gopkg.in/evanphx/json-patch.v4``) does.
4. An operation that does not apply (a failed ``test``, a missing path, an unknown ``op``)
   is 422 with the fixed message ``the server rejected our request due to an error in our
   request``, reason ``Invalid`` and empty details: the library's text is discarded
   (``NewGenericServerResponse``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping
from types import MappingProxyType
from typing import Any, Final

import jsonpatch
import jsonpointer

from mlkube.api import gojson
from mlkube.engine.errors import BadRequest, RequestEntityTooLarge
from mlkube.engine.patch._status import unprocessable

__all__ = ["MAX_JSON_PATCH_OPERATIONS", "json_patch"]

# k8s.io/apiserver/pkg/endpoints/handlers/patch.go
MAX_JSON_PATCH_OPERATIONS: Final = 10000

_VALIDATIONS: Final = ("Strict", "Warn", "Ignore")
_STRING_FIELDS: Final = ("op", "path", "from")


def _decode_strict(ops: Any) -> None:
    """``kjson.UnmarshalStrict(body, &[]jsonPatchOp{})`` type errors."""
    prefix = "error decoding patch: json: cannot unmarshal"
    if ops is None:
        return
    if not isinstance(ops, list):
        raise BadRequest(
            f"{prefix} {gojson.json_type(ops)} into Go value of type []handlers.jsonPatchOp"
        )
    for op in ops:
        if op is None:
            continue
        if not isinstance(op, dict):
            raise BadRequest(
                f"{prefix} {gojson.json_type(op)} into Go value of type handlers.jsonPatchOp"
            )
        for name in _STRING_FIELDS:
            value = op.get(name)
            if value is not None and not isinstance(value, str):
                raise BadRequest(
                    f"{prefix} {gojson.json_type(value)} into Go struct field jsonPatchOp.{name} "
                    "of type string"
                )


def _decode_library(ops: Any) -> list[Any]:
    """``jsonpatch.DecodePatch`` (a list of JSON objects) type errors."""
    prefix = "json: cannot unmarshal"
    if ops is None:
        return []
    if not isinstance(ops, list):
        raise BadRequest(f"{prefix} {gojson.json_type(ops)} into Go value of type jsonpatch.Patch")
    for op in ops:
        if op is not None and not isinstance(op, dict):
            raise BadRequest(
                f"{prefix} {gojson.json_type(op)} into Go value of type jsonpatch.Operation"
            )
    return ops


class _ReplaceOperation(jsonpatch.ReplaceOperation):
    """evanphx/json-patch.v4's ``replace``: a member an object lacks is set, not refused
    (``partialDoc.get`` answers a missing key without an error)."""

    def apply(self, obj: Any) -> Any:
        subobj, part = self.pointer.to_last(obj)
        if isinstance(subobj, MutableMapping) and part is not None and part not in subobj:
            if "value" not in self.operation:
                raise jsonpatch.InvalidJsonPatch("The operation does not contain a 'value' member")
            subobj[part] = copy.deepcopy(self.operation["value"])
            return obj
        return super().apply(obj)


class _JsonPatch(jsonpatch.JsonPatch):
    operations = MappingProxyType({**jsonpatch.JsonPatch.operations, "replace": _ReplaceOperation})


def json_patch(original: Mapping[str, Any], ops: Any, *, field_validation: str = "Warn") -> Any:
    """Apply the decoded JSON patch ``ops`` to ``original`` (neither is mutated)."""
    if field_validation not in _VALIDATIONS:
        raise ValueError(f"field_validation must be one of {_VALIDATIONS}")
    if field_validation != "Ignore":
        _decode_strict(ops)
    operations = _decode_library(ops)
    if len(operations) > MAX_JSON_PATCH_OPERATIONS:
        raise RequestEntityTooLarge(
            f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, "
            f"got {len(operations)}"
        )
    if any(op is None for op in operations):
        raise unprocessable()
    doc = copy.deepcopy(dict(original))
    try:
        return _JsonPatch(copy.deepcopy(operations)).apply(doc, in_place=True)
    except (
        jsonpatch.JsonPatchException,
        jsonpointer.JsonPointerException,
        KeyError,
        IndexError,
        TypeError,
        ValueError,
    ):
        raise unprocessable() from None
