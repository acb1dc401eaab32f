"""The OpenAPI v2 (Swagger 2.0) document of the served kinds, from the same definitions as v3.

kube-apiserver still serves ``/openapi/v2`` (``kube-openapi/pkg/handler``): clients older
than v3, and tools that only read v2, fetch it; kubectl falls back to it when v3 is missing.
It differs from v3 in shape only: ``definitions`` with ``#/definitions/`` references (a
``$ref`` beside its own ``description``, where v3 wraps it in ``allOf``), operations with
``consumes``/``produces``, a ``body`` parameter and a ``schema`` per response, and
``BearerToken`` security. mlkube reads protobuf request bodies but writes none, so
``produces`` lists JSON and YAML only, and a request that accepts nothing but the
protobuf form of the document (``application/com.github.proto-openapi.spec.v2...``) gets
406 with an empty body, as the upstream handler answers an Accept it cannot serve.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from aiohttp import web

from mlkube.api import schema as _schema
from mlkube.api.registry import ALL, ResourceType
from mlkube.server import openapi
from mlkube.server.discovery import KUBERNETES_VERSION
from mlkube.server.wire import accept_ranges, encode, json_response

__all__ = ["document", "serve"]

_REF_PREFIX: Final = "#/definitions/"
_PRODUCES: Final = ["application/json", "application/yaml"]
_PATCH_TYPES: Final = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
]
_STATUS: Final = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
_DELETE_OPTIONS: Final = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
_UNAUTHORIZED: Final = {"description": "Unauthorized"}


def _convert(node: Any) -> Any:
    """A definition node in v2 form (``ref`` -> ``$ref``, kept beside the node's own keys)."""
    if isinstance(node, Mapping):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key.startswith("x-mlkube-"):
                continue
            if key == "ref":
                out["$ref"] = _REF_PREFIX + value
            else:
                out[key] = _convert(value)
        return out
    if isinstance(node, tuple | list):
        return [_convert(v) for v in node]
    return node


def _tag(rt: ResourceType) -> str:
    """``core_v1``, ``apps_v1``, ``rbacAuthorization_v1``: the group's camel-cased name."""
    if not rt.group:
        return f"core_{rt.version}"
    parts = rt.group.removesuffix(".k8s.io").split(".")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:]) + f"_{rt.version}"


def _operation_id(action: str, rt: ResourceType, suffix: str = "") -> str:
    """``readCoreV1NamespacedConfigMap``, as the route builder names operations."""
    group, version = _tag(rt).rsplit("_", 1)
    scope = "Namespaced" if rt.namespaced else ""
    return f"{action}{group[:1].upper()}{group[1:]}{version.capitalize()}{scope}{rt.kind}{suffix}"


def _query(parameter: Mapping[str, Any]) -> dict[str, Any]:
    """A v3 query parameter (``schema`` holds the type) in v2 form (the type inline)."""
    schema = parameter.get("schema") or {}
    return {
        "uniqueItems": True,
        "type": schema.get("type", "string"),
        "description": parameter["description"],
        "name": parameter["name"],
        "in": "query",
    }


_DRY_RUN: Final = _query(openapi.QUERY_PARAMETERS["dryRun"])
_FIELD_MANAGER: Final = _query(openapi.QUERY_PARAMETERS["fieldManager"])
_FIELD_VALIDATION: Final = _query(openapi.QUERY_PARAMETERS["fieldValidation"])
_FORCE: Final = _query(openapi.QUERY_PARAMETERS["force"])


def _ref(name: str | None) -> dict[str, Any]:
    return {"$ref": _REF_PREFIX + name} if name else {"type": "object"}


def _body(name: str | None, *, patch: bool = False) -> dict[str, Any]:
    schema = {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"}
    return {
        "name": "body",
        "in": "body",
        "required": True,
        "schema": schema if patch else _ref(name),
    }


def _op(
    rt: ResourceType,
    action: str,
    op_id: str,
    description: str,
    responses: dict[str, Any],
    parameters: list[dict[str, Any]] | None = None,
    consumes: list[str] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "description": description,
        "consumes": consumes or ["*/*"],
        "produces": list(_PRODUCES),
        "schemes": ["https"],
        "tags": [_tag(rt)],
        "operationId": op_id,
    }
    if parameters:
        op["parameters"] = parameters
    op["responses"] = {**responses, "401": _UNAUTHORIZED}
    op["x-kubernetes-action"] = action
    op["x-kubernetes-group-version-kind"] = {
        "group": rt.group,
        "kind": rt.kind,
        "version": rt.version,
    }
    return op


def _ok(name: str | None, *codes: str) -> dict[str, Any]:
    words = {"200": "OK", "201": "Created", "202": "Accepted"}
    return {code: {"description": words[code], "schema": _ref(name)} for code in codes}


def _path_parameters(rt: ResourceType, *, named: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if named:
        out.append(
            {
                "uniqueItems": True,
                "type": "string",
                "description": f"name of the {rt.kind}",
                "name": "name",
                "in": "path",
                "required": True,
            }
        )
    if rt.namespaced:
        out.append(
            {
                "uniqueItems": True,
                "type": "string",
                "description": "object name and auth scope, such as for teams and projects",
                "name": "namespace",
                "in": "path",
                "required": True,
            }
        )
    return out


def _paths(rt: ResourceType) -> dict[str, Any]:
    ref = openapi.definition_name(rt, rt.kind)
    list_ref = openapi.definition_name(rt, rt.list_kind)
    base = "/api/" + rt.version if not rt.group else f"/apis/{rt.group}/{rt.version}"
    collection = (
        f"{base}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{base}/{rt.plural}"
    )
    item = f"{collection}/{{name}}"
    writes = [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION]
    kind = rt.kind
    paths: dict[str, Any] = {
        collection: {
            "get": _op(
                rt, "list", _operation_id("list", rt), f"list or watch objects of kind {kind}",
                _ok(list_ref, "200"),
            ),
            "post": _op(
                rt, "post", _operation_id("create", rt), f"create a {kind}",
                _ok(ref, "200", "201", "202"), [_body(ref), *writes],
            ),
            "parameters": _path_parameters(rt, named=False),
        },
        item: {
            "get": _op(
                rt, "get", _operation_id("read", rt), f"read the specified {kind}", _ok(ref, "200")
            ),
            "put": _op(
                rt, "put", _operation_id("replace", rt), f"replace the specified {kind}",
                _ok(ref, "200", "201"), [_body(ref), *writes],
            ),
            "delete": _op(
                rt, "delete", _operation_id("delete", rt), f"delete a {kind}",
                _ok(_STATUS, "200", "202"),
                [{"name": "body", "in": "body", "schema": _ref(_DELETE_OPTIONS)}, _DRY_RUN],
            ),
            "patch": _op(
                rt, "patch", _operation_id("patch", rt), f"partially update the specified {kind}",
                _ok(ref, "200", "201"), [_body(ref, patch=True), *writes, _FORCE],
                consumes=list(_PATCH_TYPES),
            ),
            "parameters": _path_parameters(rt, named=True),
        },
    }  # fmt: skip
    if rt.has_status:
        paths[f"{item}/status"] = {
            "get": _op(
                rt, "get", _operation_id("read", rt, "Status"),
                f"read status of the specified {kind}", _ok(ref, "200"),
            ),
            "put": _op(
                rt, "put", _operation_id("replace", rt, "Status"),
                f"replace status of the specified {kind}", _ok(ref, "200", "201"),
                [_body(ref), *writes],
            ),
            "patch": _op(
                rt, "patch", _operation_id("patch", rt, "Status"),
                f"partially update status of the specified {kind}", _ok(ref, "200", "201"),
                [_body(ref, patch=True), *writes, _FORCE], consumes=list(_PATCH_TYPES),
            ),
            "parameters": _path_parameters(rt, named=True),
        }  # fmt: skip
    return paths


@cache
def document() -> bytes:
    """The encoded v2 document: every served kind's paths and the definitions they reach."""
    paths: dict[str, Any] = {}
    wanted: set[str] = {_STATUS, _DELETE_OPTIONS, "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"}
    for rt in ALL:
        if openapi.definition_name(rt, rt.kind) is None:
            continue
        paths.update(_paths(rt))
        for kind in (rt.kind, rt.list_kind):
            name = openapi.definition_name(rt, kind)
            if name is not None:
                wanted.add(name)
                openapi.add_references(_schema.definition(name), wanted)
    for name in (_STATUS, _DELETE_OPTIONS):
        openapi.add_references(_schema.definition(name), wanted)
    definitions: dict[str, Any] = {}
    for name in sorted(wanted):
        try:
            definitions[name] = _convert(_schema.definition(name))
        except KeyError:
            if name.endswith(".Patch"):
                definitions[name] = {
                    "description": "Patch is provided to give a concrete name and type to "
                    "the Kubernetes PATCH request body.",
                    "type": "object",
                }
    major, minor, _ = KUBERNETES_VERSION.lstrip("v").split(".")
    doc = {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": f"{major}.{minor}"},
        "paths": dict(sorted(paths.items())),
        "definitions": definitions,
        "securityDefinitions": {
            "BearerToken": {
                "description": "Bearer Token authentication",
                "type": "apiKey",
                "name": "authorization",
                "in": "header",
            }
        },
        "security": [{"BearerToken": []}],
    }
    return encode(doc)


@cache
def _etag() -> str:
    return '"' + hashlib.sha512(document()).hexdigest()[:128].upper() + '"'


def serve(request: web.Request) -> web.Response:
    """``GET /openapi/v2``: the JSON document, or 406 when only protobuf is acceptable."""
    for media in accept_ranges(request.headers.get("Accept")):
        if media.matches_json():
            headers = {"Etag": _etag(), "Vary": "Accept"}
            if request.headers.get("If-None-Match") == _etag():
                return web.Response(status=304, headers=headers)
            return json_response(document(), headers=headers)
    return web.Response(status=406, headers={"Vary": "Accept"})
