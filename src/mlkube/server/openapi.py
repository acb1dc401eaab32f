"""OpenAPI v3 documents of the served kinds, from :mod:`mlkube.api.schema`.

kube-apiserver publishes ``/openapi/v3`` (a root listing each group-version's document as
``serverRelativeURL`` with a content hash) and one document per group-version
(``apiserver/pkg/endpoints/openapi``, ``kube-openapi/pkg/handler3``). kubectl needs two things
of them: ``kubectl apply`` looks for a ``patch`` operation of the kind that declares the
``fieldValidation`` query parameter (then it validates on the server, ``--validate=strict``),
and ``kubectl explain`` reads ``components.schemas`` (the definition whose
``x-kubernetes-group-version-kind`` names the kind, with descriptions). References are
written as upstream writes them in v3: ``allOf: [{$ref}]`` when the property has its own
description, a bare ``$ref`` otherwise. ``/openapi/v2`` is the same definitions in v2 form
(:mod:`mlkube.server.openapi_v2`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from aiohttp import web

from mlkube.api import schema as _schema
from mlkube.api.registry import ALL, ResourceType, groups
from mlkube.server.discovery import KUBERNETES_VERSION
from mlkube.server.wire import encode, json_response

__all__ = ["QUERY_PARAMETERS", "add_references", "definition_name", "document", "root", "serve"]

_REF_PREFIX: Final = "#/components/schemas/"
_META: Final = "io.k8s.apimachinery.pkg.apis.meta.v1."
_COMMON_DEFINITIONS: Final = (f"{_META}Status", f"{_META}DeleteOptions")


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _convert(node: Any) -> Any:
    """A definition node in OpenAPI v3 form (``ref`` -> ``$ref``; mlkube's keys dropped)."""
    if isinstance(node, Mapping):
        out: dict[str, Any] = {}
        ref = node.get("ref")
        for key, value in node.items():
            if key == "ref" or key.startswith("x-mlkube-"):
                continue
            out[key] = _convert(value)
        if ref is not None:
            if out:
                out["allOf"] = [{"$ref": _REF_PREFIX + ref}]
            else:
                out["$ref"] = _REF_PREFIX + ref
        return out
    if isinstance(node, tuple | list):
        return [_convert(v) for v in node]
    return node


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, Mapping):
        ref = node.get("ref")
        if isinstance(ref, str) and ref not in found:
            found.add(ref)
            _refs(_schema.definition(ref), found)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, tuple | list):
        for value in node:
            _refs(value, found)


@cache
def _kind_definitions() -> dict[tuple[str, str], str]:
    """(apiVersion, kind) -> definition name, for every served kind and its List."""
    reachable: set[str] = set()
    for rt in ALL:
        for kind in (rt.kind, rt.list_kind):
            node = _schema.kind_schema(rt.api_version, kind)
            if node is not None:
                _refs(node, reachable)
    out: dict[tuple[str, str], str] = {}
    for rt in ALL:
        node = _schema.kind_schema(rt.api_version, rt.kind)
        if node is None:
            continue
        for name in reachable:
            if _schema.definition(name) is node:
                out[(rt.api_version, rt.kind)] = name
                list_name = f"{name.rsplit('.', 1)[0]}.{rt.list_kind}"
                list_node = _schema.kind_schema(rt.api_version, rt.list_kind)
                try:
                    if list_node is not None and _schema.definition(list_name) is list_node:
                        out[(rt.api_version, rt.list_kind)] = list_name
                except KeyError:
                    pass
                break
    return out


def _definition_name(rt: ResourceType, kind: str) -> str | None:
    return _kind_definitions().get((rt.api_version, kind))


def _parameter(name: str, description: str, kind: str = "string") -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": kind, "uniqueItems": True},
    }


_FIELD_VALIDATION: Final = _parameter(
    "fieldValidation",
    "fieldValidation instructs the server on how to handle objects in the request "
    "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, "
    "Warn (the default), Strict.",
)
_FIELD_MANAGER: Final = _parameter(
    "fieldManager", "fieldManager is a name associated with the actor or entity making changes."
)
_DRY_RUN: Final = _parameter(
    "dryRun", "When present, indicates that modifications should not be persisted."
)
_FORCE: Final = _parameter("force", 'Force is going to "force" Apply requests.', kind="boolean")
_PATCH_CONTENT: Final = (
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
)


def _operation(
    rt: ResourceType, action: str, op_id: str, ref: str | None, *, params: list[Any]
) -> dict[str, Any]:
    schema = {"$ref": _REF_PREFIX + ref} if ref else {"type": "object"}
    op: dict[str, Any] = {
        "description": f"{action} {rt.kind}",
        "operationId": op_id,
        "parameters": params,
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}
        },
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {
            "group": rt.group,
            "version": rt.version,
            "kind": rt.kind,
        },
    }
    if action in ("post", "put", "patch"):
        types = _PATCH_CONTENT if action == "patch" else ("application/json", "application/yaml")
        op["requestBody"] = {
            "content": {t: {"schema": schema} for t in types},
            "required": True,
        }
    return op


def _paths(rt: ResourceType) -> dict[str, Any]:
    ref = _definition_name(rt, rt.kind)
    list_ref = _definition_name(rt, rt.list_kind)
    base = f"/{_gv_path(rt.group, rt.version)}"
    collection = (
        f"{base}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{base}/{rt.plural}"
    )
    item = f"{collection}/{{name}}"
    op = f"{rt.kind}{'Namespaced' if rt.namespaced else ''}"
    writes = [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION]
    paths: dict[str, Any] = {
        collection: {
            "get": _operation(rt, "list", f"list{op}", list_ref, params=[]),
            "post": _operation(rt, "post", f"create{op}", ref, params=writes),
        },
        item: {
            "get": _operation(rt, "get", f"read{op}", ref, params=[]),
            "put": _operation(rt, "put", f"replace{op}", ref, params=writes),
            "patch": _operation(rt, "patch", f"patch{op}", ref, params=[*writes, _FORCE]),
            "delete": _operation(rt, "delete", f"delete{op}", None, params=[_DRY_RUN]),
        },
    }
    if rt.has_status:
        paths[f"{item}/status"] = {
            "get": _operation(rt, "get", f"read{op}Status", ref, params=[]),
            "put": _operation(rt, "put", f"replace{op}Status", ref, params=writes),
            "patch": _operation(rt, "patch", f"patch{op}Status", ref, params=[*writes, _FORCE]),
        }
    return paths


@cache
def _document_bytes(group: str, version: str) -> bytes | None:
    types = [t for t in ALL if t.group == group and t.version == version]
    if not types:
        return None
    paths: dict[str, Any] = {}
    wanted: set[str] = set(_COMMON_DEFINITIONS)
    for rt in types:
        paths.update(_paths(rt))
        for kind in (rt.kind, rt.list_kind):
            name = _definition_name(rt, kind)
            if name is not None:
                wanted.add(name)
                _refs(_schema.definition(name), wanted)
    for name in _COMMON_DEFINITIONS:
        _refs(_schema.definition(name), wanted)
    schemas: dict[str, Any] = {}
    for name in sorted(wanted):
        try:
            schemas[name] = _convert(_schema.definition(name))
        except KeyError:
            continue
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    return encode(doc)


def document(group: str, version: str) -> bytes | None:
    """The encoded document of one group-version, or None when it is not served."""
    return _document_bytes(group, version)


@cache
def root() -> bytes:
    """``/openapi/v3``: each group-version's URL, with the hash of its document."""
    paths: dict[str, Any] = {}
    for group, versions in groups():
        for version in versions:
            body = _document_bytes(group, version)
            if body is None:
                continue
            digest = hashlib.sha512(body).hexdigest()[:128].upper()
            paths[_gv_path(group, version)] = {
                "serverRelativeURL": f"/openapi/v3/{_gv_path(group, version)}?hash={digest}"
            }
    return encode({"paths": paths})


def definition_name(rt: ResourceType, kind: str) -> str | None:
    """The definition of ``kind`` (``rt``'s kind or list kind), or None without a schema."""
    return _definition_name(rt, kind)


def add_references(node: Any, found: set[str]) -> None:
    """Add to ``found`` every definition ``node`` reaches through references."""
    _refs(node, found)


#: The query parameters of the write operations (v3 form), by name.
QUERY_PARAMETERS: Final = {
    p["name"]: p for p in (_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION, _FORCE)
}


def serve(request: web.Request, segments: list[str]) -> web.Response:
    """Answer ``/openapi/...``: the v2 document, the v3 root and documents; anything else
    is 404."""
    from mlkube.server.resources import not_found

    if segments == ["v2"]:
        from mlkube.server import openapi_v2

        return openapi_v2.serve(request)
    if not segments or segments[0] != "v3":
        raise not_found()
    rest = segments[1:]
    if not rest:
        return json_response(root())
    body: bytes | None = None
    if rest[0] == "api" and len(rest) == 2:
        body = document("", rest[1])
    elif rest[0] == "apis" and len(rest) == 3:
        body = document(rest[1], rest[2])
    if body is None:
        raise not_found()
    headers = {"Cache-Control": "public, immutable"} if "hash" in request.query else None
    return json_response(body, headers=headers)
