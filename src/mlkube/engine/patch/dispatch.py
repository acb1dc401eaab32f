"""One entry point for PATCH: pick the patch type by Content-Type, as ``handlers/patch.go``.

``apply_patch`` runs the patch mechanism ``PatchResource`` picks for the request's
Content-Type (``k8s.io/apiserver/pkg/endpoints/handlers/patch.go``): ``jsonPatcher`` for JSON
patch and JSON merge patch, ``smpPatcher`` for strategic merge patch, ``applyPatcher`` for
server-side apply. Any other type is 415 listing the supported ones. An apply body may be
given as YAML text; it is read as ``validateAndTranscodePatch`` reads it
(:mod:`~mlkube.engine.patch.yamlbody`), then decoded as the apply patcher decodes it
(``error decoding patch`` for a body that is not an object; whole numbers as ``int64``,
``jsonutil.ConvertMapNumbers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from mlkube.engine.errors import BadRequest
from mlkube.engine.patch._status import unsupported_media_type
from mlkube.engine.patch.apply import apply
from mlkube.engine.patch.json6902 import json_patch
from mlkube.engine.patch.merge import merge_patch
from mlkube.engine.patch.strategic import strategic_merge_patch
from mlkube.engine.patch.yamlbody import load_apply_yaml

__all__ = [
    "APPLY_PATCH",
    "JSON_PATCH",
    "MERGE_PATCH",
    "PATCH_TYPES",
    "STRATEGIC_MERGE_PATCH",
    "apply_patch",
]

# k8s.io/apimachinery/pkg/types/patch.go
JSON_PATCH: Final = "application/json-patch+json"
MERGE_PATCH: Final = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH: Final = "application/strategic-merge-patch+json"
APPLY_PATCH: Final = "application/apply-patch+yaml"
PATCH_TYPES: Final = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "string"


def _numbers(value: Any) -> Any:
    """The numbers as ``yaml.Unmarshal`` gives them (``jsonutil.ConvertMapNumbers``): the
    YAML is first turned into JSON, where a whole float below 1e21 is written as an integer
    and then read back as an ``int64``; an integer beyond ``int64`` is a ``float64``."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e21 and -(2**63) <= value < 2**63:
            return int(value)
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else float(value)
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    return value


def _decode_apply_body(body: Any) -> Mapping[str, Any]:
    if isinstance(body, bytes | str):
        body = load_apply_yaml(body)
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        raise BadRequest(
            "error decoding patch: error unmarshaling JSON: while decoding JSON: json: cannot "
            f"unmarshal {_json_kind(body)} into Go value of type map[string]interface {{}}"
        )
    decoded: Mapping[str, Any] = _numbers(dict(body))
    return decoded


def apply_patch(
    live: Mapping[str, Any] | None,
    body: Any,
    patch_type: str,
    *,
    api_version: str,
    kind: str,
    manager: str,
    now: datetime,
    force: bool = False,
    field_validation: str = "Warn",
    subresource: str = "",
) -> Any:
    """The object after applying ``body`` of ``patch_type`` to ``live``.

    ``live`` may be ``None`` only for an apply (which then creates). Content-Type
    parameters (``; charset=utf-8``) are ignored. For apply the result carries its
    managedFields; for the other types the caller records them with ``track_update``.
    """
    media_type = patch_type.split(";", 1)[0].strip().lower()
    if media_type == APPLY_PATCH:
        return apply(
            live,
            _decode_apply_body(body),
            manager=manager,
            force=force,
            api_version=api_version,
            kind=kind,
            now=now,
            subresource=subresource,
        )
    if media_type not in PATCH_TYPES:
        raise unsupported_media_type(PATCH_TYPES)
    if live is None:
        raise ValueError(f"{media_type} needs a live object")
    if media_type == JSON_PATCH:
        return json_patch(live, body, field_validation=field_validation)
    if media_type == MERGE_PATCH:
        return merge_patch(live, body, field_validation=field_validation)
    return strategic_merge_patch(live, body, api_version=api_version, kind=kind)
