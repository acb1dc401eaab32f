"""The resource routes: REST verbs on collections, objects and subresources over the engine.

Path shapes follow ``apiserver/pkg/endpoints/installer.go``; the verbs' HTTP answers follow
``handlers/{get,create,update,patch,delete,watch}.go``: 201 for a create, 200 or 201 for an
update or an apply that created, a Status of Success for a delete that removed an object of
a store without ``ReturnDeletedObject``, the List of deleted objects for deletecollection.
Every semantic decision is the engine's; this module parses requests and writes answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from aiohttp import web

from mlkube.api import gojson
from mlkube.api.field import Path, forbidden, required
from mlkube.api.registry import ResourceType, UnknownResource, by_resource
from mlkube.engine.apiserver import APIServer
from mlkube.engine.errors import ApiError, BadRequest, Invalid, MethodNotAllowed
from mlkube.server import tables
from mlkube.server.protobuf import PROTOBUF, decode_object
from mlkube.server.remotecommand import ExecContext, serve_exec
from mlkube.server.watch import TableView, stream_watch
from mlkube.server.wire import (
    accept_ranges,
    decode_apply_yaml,
    decode_json,
    decode_yaml,
    dry_run,
    encode,
    json_response,
    query_bool,
    query_int,
    read_body,
    success_status,
)

__all__ = ["NOT_FOUND", "Backend", "ResourceRequest", "handle", "parse_path"]

NOT_FOUND: Final = "the server could not find the requested resource"
APPLY_PATCH: Final = "application/apply-patch+yaml"
PATCH_TYPES: Final = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    APPLY_PATCH,
)
_FIELD_MANAGER_REQUIRED: Final = "is required for apply patch"
_FORCE_NON_APPLY: Final = "may not be specified for non-apply patch"
#: Stores with ``ReturnDeletedObject``: a delete answers with the final object.
_RETURNS_DELETED: Final = frozenset({("", "pods")})
_JOB_ORPHAN_WARNING: Final = (
    "child pods are preserved by default when jobs are deleted; set "
    "propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress "
    "this warning"
)


def not_found() -> ApiError:
    """An unknown path: 404 with a Status (kubectl prints the message as is)."""
    return ApiError(NOT_FOUND, code=404, reason="NotFound", details={})


@dataclass
class Backend:
    """What the handlers need: the engine's API server, its clock, and a write hook."""

    api: APIServer
    now: Callable[[], datetime]
    on_write: Callable[[], None]
    #: ``(namespace, pod, container, previous) -> text``: the kubelets' container logs.
    logs: Callable[[str, str, str, bool], str] | None = None
    #: Where ``pods/exec`` runs a command in a process-runtime container.
    exec_context: ExecContext | None = None


@dataclass(frozen=True, slots=True)
class ResourceRequest:
    """A parsed resource path."""

    rt: ResourceType
    namespace: str | None
    name: str
    subresource: str
    watch_path: bool  # the deprecated ``/watch/`` prefix


def parse_path(group: str, version: str, segments: list[str]) -> ResourceRequest:
    """``[watch/][namespaces/<ns>/]<resource>[/<name>[/<subresource>]]`` (404 otherwise)."""
    watch_path = bool(segments) and segments[0] == "watch"
    if watch_path:
        segments = segments[1:]
    namespace: str | None = None
    if (
        len(segments) >= 3
        and segments[0] == "namespaces"
        and segments[2]
        not in (
            "status",
            "finalize",
        )
    ):
        namespace = segments[1]
        segments = segments[2:]
    if not segments or len(segments) > 3 or any(not s for s in segments):
        raise not_found()
    try:
        rt = by_resource(group, version, segments[0])
    except UnknownResource:
        raise not_found() from None
    name = segments[1] if len(segments) > 1 else ""
    sub = segments[2] if len(segments) > 2 else ""
    if namespace is not None and not rt.namespaced:
        raise not_found()
    if rt.namespaced and namespace is None and name:
        raise not_found()
    if sub and sub not in rt.subresources:
        raise not_found()
    if watch_path and sub:
        raise not_found()
    return ResourceRequest(rt, namespace, name, sub, watch_path)


# -- dispatch -------------------------------------------------------------------------------


async def handle(request: web.Request, backend: Backend, rr: ResourceRequest) -> web.StreamResponse:
    """Route one resource request by method and path shape."""
    method = request.method
    if rr.subresource:
        return await _subresource(request, backend, rr)
    if not rr.name:
        if method == "GET":
            return await _list_or_watch(request, backend, rr)
        if method == "POST":
            if rr.rt.namespaced and rr.namespace is None:
                raise MethodNotAllowed(rr.rt, "create")
            if (rr.rt.group, rr.rt.plural) == ("", "bindings"):
                return await _binding(request, backend, rr)
            return await _create(request, backend, rr)
        if method == "DELETE":
            return await _delete_collection(request, backend, rr)
        raise MethodNotAllowed(rr.rt, _verb(method))
    if rr.watch_path:
        if method != "GET":
            raise MethodNotAllowed(rr.rt, _verb(method))
        return await _list_or_watch(request, backend, rr)
    if method == "GET":
        return _get(request, backend, rr)
    if method == "PUT":
        return await _update(request, backend, rr)
    if method == "PATCH":
        return await _patch(request, backend, rr)
    if method == "DELETE":
        return await _delete(request, backend, rr)
    raise MethodNotAllowed(rr.rt, _verb(method))


def _verb(method: str) -> str:
    return {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(
        method, method.lower()
    )


def _user_agent(request: web.Request) -> str:
    return request.headers.get("User-Agent", "")


def _table_request(request: web.Request) -> bool:
    for r in accept_ranges(request.headers.get("Accept")):
        if r.params.get("as") == "Table" and r.params.get("g") == "meta.k8s.io":
            return r.params.get("v") in ("v1", "v1beta1")
        if r.matches_json():
            return False
    return False


def _ns(rr: ResourceRequest) -> str | None:
    return rr.namespace if rr.rt.namespaced else None


# -- reads ----------------------------------------------------------------------------------


def _get(request: web.Request, backend: Backend, rr: ResourceRequest) -> web.Response:
    obj = backend.api.get(rr.rt, _ns(rr), rr.name)
    if _table_request(request):
        include = tables.check_include_object(request.query.get("includeObject", ""))
        meta = obj.get("metadata") or {}
        doc = tables.table(
            rr.rt,
            [obj],
            backend.now(),
            include=include,
            list_meta={"resourceVersion": meta.get("resourceVersion", "")},
        )
        return json_response(doc)
    return json_response(obj)


async def _list_or_watch(
    request: web.Request, backend: Backend, rr: ResourceRequest
) -> web.StreamResponse:
    q = request.query
    label_selector = q.get("labelSelector") or None
    field_selector = q.get("fieldSelector") or None
    if rr.name:
        own = f"metadata.name={rr.name}"
        field_selector = f"{field_selector},{own}" if field_selector else own
    rv = q.get("resourceVersion") or None
    rvm = q.get("resourceVersionMatch") or None
    as_table = _table_request(request)
    include = tables.check_include_object(q.get("includeObject", "")) if as_table else ""
    if rr.watch_path or query_bool(q, "watch"):
        send_initial: bool | None = None
        if "sendInitialEvents" in q:
            send_initial = query_bool(q, "sendInitialEvents")
            if send_initial and rvm != "NotOlderThan":
                raise Invalid(
                    "ListOptions.meta.k8s.io",
                    "",
                    [
                        forbidden(
                            Path("sendInitialEvents"),
                            "sendInitialEvents requires setting resourceVersionMatch to "
                            "NotOlderThan",
                        )
                    ],
                )
        elif rvm:
            raise Invalid(
                "ListOptions.meta.k8s.io",
                "",
                [
                    forbidden(
                        Path("resourceVersionMatch"),
                        "resourceVersionMatch is forbidden for watch unless sendInitialEvents "
                        "is provided",
                    )
                ],
            )
        timeout = query_int(q, "timeoutSeconds")
        bookmarks = query_bool(q, "allowWatchBookmarks")

        def open_watch() -> Any:
            return backend.api.watch(
                rr.rt,
                _ns(rr),
                resource_version=rv,
                label_selector=label_selector,
                field_selector=field_selector,
                allow_bookmarks=bookmarks,
                send_initial_events=send_initial,
            )

        view = TableView(rr.rt, include, backend.now) if as_table else None
        return await stream_watch(
            request, open_watch, timeout_seconds=float(timeout) if timeout else None, view=view
        )
    if query_bool(q, "sendInitialEvents"):
        raise Invalid(
            "ListOptions.meta.k8s.io",
            "",
            [forbidden(Path("sendInitialEvents"), "sendInitialEvents is forbidden for list")],
        )
    with _collector_paused():
        return _list(request, backend, rr, label_selector, field_selector, as_table, include)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Decoding a large list allocates millions of objects; the cyclic collector would
    rescan the whole heap many times on the way (a 10,000-pod list: 2 s instead of 0.3 s).
    Lists make no cycles, so it waits until the answer is built."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _list(
    request: web.Request,
    backend: Backend,
    rr: ResourceRequest,
    label_selector: str | None,
    field_selector: str | None,
    as_table: bool,
    include: str,
) -> web.Response:
    """A List in JSON, or a Table. The JSON List splices the stored encodings
    (``APIServer.list_encoded``): the bytes an encode of the decoded items would give."""
    q = request.query
    options: dict[str, Any] = {
        "label_selector": label_selector,
        "field_selector": field_selector,
        "limit": query_int(q, "limit"),
        "continue_": q.get("continue") or None,
        "resource_version": q.get("resourceVersion") or None,
        "resource_version_match": q.get("resourceVersionMatch") or None,
    }
    if as_table:
        result = backend.api.list(rr.rt, _ns(rr), **options)
        meta = _list_meta(result.resource_version, result.continue_, result.remaining_item_count)
        items = result.items
        if include == "Object":
            items = [
                {"kind": rr.rt.kind, "apiVersion": rr.rt.api_version, **item} for item in items
            ]
        doc = tables.table(rr.rt, items, backend.now(), include=include, list_meta=meta)
        return json_response(doc)
    encoded = backend.api.list_encoded(rr.rt, _ns(rr), **options)
    meta = _list_meta(encoded.resource_version, encoded.continue_, encoded.remaining_item_count)
    body = b"".join(
        (
            b'{"kind":"',
            rr.rt.list_kind.encode(),
            b'","apiVersion":"',
            rr.rt.api_version.encode(),
            b'","metadata":',
            encode(meta),
            b',"items":',
            encoded.items,
            b"}",
        )
    )
    return json_response(body)


def _list_meta(
    resource_version: str, continue_: str, remaining_item_count: int | None
) -> dict[str, Any]:
    meta: dict[str, Any] = {"resourceVersion": resource_version}
    if continue_:
        meta["continue"] = continue_
    if remaining_item_count is not None:
        meta["remainingItemCount"] = remaining_item_count
    return meta


# -- writes ---------------------------------------------------------------------------------


_BODY_TYPES: Final = ("application/json", "application/yaml")
_UNKNOWN_FORMAT: Final = (
    "the body of the request was in an unknown format - accepted media types include: "
)


def _unsupported_body(accepted: tuple[str, ...] = _BODY_TYPES) -> ApiError:
    return ApiError(_UNKNOWN_FORMAT + ", ".join(accepted), code=415, reason="UnsupportedMediaType")


async def _object_body(request: web.Request) -> Any:
    """The request's object: JSON, YAML, or the few protobuf kinds kubectl's typed
    clients send (:mod:`.protobuf`); other types are 415."""
    content_type = request.headers.get("Content-Type", "application/json").split(";")[0]
    content_type = content_type.strip().lower()
    if content_type == PROTOBUF:
        try:
            return decode_object(await read_body(request))
        except LookupError:
            raise _unsupported_body() from None
    if content_type not in ("", "application/json", "application/yaml", "*/*"):
        raise _unsupported_body()
    data = await read_body(request)
    if not data.strip():
        raise BadRequest("the body of the request was in an unknown format")
    if content_type == "application/yaml":
        return decode_yaml(data)
    return decode_json(data)


def _write_options(request: web.Request, options_kind: str) -> dict[str, Any]:
    q = request.query
    return {
        "dry_run": dry_run(q.getall("dryRun", []), options_kind),
        "field_manager": q.get("fieldManager") or None,
        "field_validation": q.get("fieldValidation") or "Warn",
        "user_agent": _user_agent(request),
    }


async def _create(request: web.Request, backend: Backend, rr: ResourceRequest) -> web.Response:
    body = await _object_body(request)
    options = _write_options(request, "CreateOptions")
    result = backend.api.create(rr.rt, body, namespace=_ns(rr), **options)
    if not options["dry_run"]:
        backend.on_write()
    return json_response(result.object, 201, warnings=result.warnings)


async def _update(
    request: web.Request, backend: Backend, rr: ResourceRequest, subresource: str = ""
) -> web.Response:
    body = await _object_body(request)
    options = _write_options(request, "UpdateOptions")
    result = backend.api.update(
        rr.rt, body, namespace=_ns(rr), name=rr.name, subresource=subresource, **options
    )
    if not options["dry_run"]:
        backend.on_write()
    return json_response(result.object, 201 if result.created else 200, warnings=result.warnings)


def _patch_type(request: web.Request) -> str:
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in PATCH_TYPES:
        raise _unsupported_body(PATCH_TYPES)
    return content_type


async def _patch(
    request: web.Request, backend: Backend, rr: ResourceRequest, subresource: str = ""
) -> web.Response:
    patch_type = _patch_type(request)
    data = await read_body(request)
    is_apply = patch_type == APPLY_PATCH
    options = _write_options(request, "PatchOptions")
    force = query_bool(request.query, "force")
    errors = []
    if is_apply and not options["field_manager"]:
        errors.append(required(Path("fieldManager"), _FIELD_MANAGER_REQUIRED))
    if not is_apply and "force" in request.query:
        errors.append(forbidden(Path("force"), _FORCE_NON_APPLY))
    if errors:
        raise Invalid("PatchOptions.meta.k8s.io", "", errors)
    body: Any = decode_apply_yaml(data) if is_apply else _decode_patch(data)
    result = backend.api.patch(
        rr.rt,
        _ns(rr),
        rr.name,
        body,
        patch_type,
        subresource=subresource,
        force=force,
        **options,
    )
    if not options["dry_run"]:
        backend.on_write()
    return json_response(result.object, 201 if result.created else 200, warnings=result.warnings)


def _decode_patch(data: bytes) -> Any:
    if not data.strip():
        raise BadRequest("error decoding patch: unexpected end of JSON input")
    try:
        return decode_json(data)
    except BadRequest as err:
        raise BadRequest(f"error decoding patch: {err.message.rsplit(': ', 1)[-1]}") from None


_DELETE_FIELDS: Final = (
    "gracePeriodSeconds",
    "propagationPolicy",
    "orphanDependents",
    "preconditions",
    "dryRun",
)


async def _delete_options(request: web.Request) -> dict[str, Any]:
    """DeleteOptions from the body (kubectl) and the query (the Python client)."""
    data = await read_body(request)
    body: dict[str, Any] = {}
    if data.strip():
        decoded = decode_json(data)
        if not isinstance(decoded, dict):
            raise BadRequest("the body of the request was in an unknown format")
        wrong_type = gojson.type_error("meta/v1", "DeleteOptions", decoded)
        if wrong_type is not None:
            raise BadRequest(wrong_type)  # a bare Go message, as the delete handler answers
        api_version = decoded.get("apiVersion")
        if api_version not in (None, "", "v1", "meta.k8s.io/v1"):
            raise BadRequest(
                f'no kind "DeleteOptions" is registered for version "{api_version}" in scheme'
            )
        body = {k: decoded[k] for k in _DELETE_FIELDS if decoded.get(k) is not None}
    q = request.query
    grace = body.get("gracePeriodSeconds")
    if grace is None:
        grace = query_int(q, "gracePeriodSeconds")
    policy = body.get("propagationPolicy") or q.get("propagationPolicy") or None
    orphan = body.get("orphanDependents")
    if orphan is None and "orphanDependents" in q:
        orphan = query_bool(q, "orphanDependents")
    dry = body.get("dryRun")
    dry_values = list(dry) if isinstance(dry, list) else q.getall("dryRun", [])
    return {
        "grace_period_seconds": int(grace) if grace is not None else None,
        "propagation_policy": policy,
        "orphan_dependents": orphan,
        "preconditions": body.get("preconditions"),
        "dry_run": dry_run(dry_values, "DeleteOptions"),
    }


async def _delete(request: web.Request, backend: Backend, rr: ResourceRequest) -> web.Response:
    options = await _delete_options(request)
    outcome = backend.api.delete(rr.rt, _ns(rr), rr.name, **options)
    if not options["dry_run"]:
        backend.on_write()
    warnings = []
    if (
        (rr.rt.group, rr.rt.plural) == ("batch", "jobs")
        and options["propagation_policy"] is None
        and options["orphan_dependents"] is None
    ):
        warnings.append(_JOB_ORPHAN_WARNING)
    if not outcome.deleted or (rr.rt.group, rr.rt.plural) in _RETURNS_DELETED:
        return json_response(outcome.object, warnings=warnings)
    meta = outcome.object.get("metadata") or {}
    status = success_status(
        name=rr.name, group=rr.rt.group, kind=rr.rt.plural, uid=str(meta.get("uid") or "")
    )
    return json_response(status, warnings=warnings)


async def _delete_collection(
    request: web.Request, backend: Backend, rr: ResourceRequest
) -> web.Response:
    if "deletecollection" not in rr.rt.verbs:
        raise MethodNotAllowed(rr.rt, "deletecollection")
    options = await _delete_options(request)
    q = request.query
    outcomes = backend.api.delete_collection(
        rr.rt,
        _ns(rr),
        label_selector=q.get("labelSelector") or None,
        field_selector=q.get("fieldSelector") or None,
        **options,
    )
    if not options["dry_run"]:
        backend.on_write()
    items = []
    for outcome in outcomes:
        item = dict(outcome.object)
        item.pop("kind", None)
        item.pop("apiVersion", None)
        items.append(item)
    return json_response(
        {
            "kind": rr.rt.list_kind,
            "apiVersion": rr.rt.api_version,
            "metadata": {},
            "items": items,
        }
    )


# -- subresources ---------------------------------------------------------------------------


async def _subresource(
    request: web.Request, backend: Backend, rr: ResourceRequest
) -> web.StreamResponse:
    sub = rr.subresource
    verbs = rr.rt.subresources[sub].verbs
    verb = "get" if request.method == "GET" else _verb(request.method)
    if verb not in verbs:
        raise MethodNotAllowed(f"{rr.rt.qualified}/{sub}", verb)
    if sub == "scale" and verb == "get":
        return json_response(backend.api.get_scale(rr.rt, rr.namespace or "", rr.name))
    if sub == "binding":
        return await _binding(request, backend, rr)
    if sub == "eviction":
        return await _eviction(request, backend, rr)
    if sub == "log":
        return await _log(request, backend, rr)
    if sub == "exec":
        assert rr.namespace is not None
        return await serve_exec(request, backend.api, rr.namespace, rr.name, backend.exec_context)
    if verb == "get":
        return json_response(backend.api.get(rr.rt, _ns(rr), rr.name))
    if verb == "update":
        return await _update(request, backend, rr, sub)
    return await _patch(request, backend, rr, sub)


async def _binding(request: web.Request, backend: Backend, rr: ResourceRequest) -> web.Response:
    """``pods/<name>/binding`` or the ``bindings`` collection (the name from the body)."""
    body = await _object_body(request)
    if not isinstance(body, Mapping):
        raise BadRequest("the body of the request was in an unknown format")
    assert rr.namespace is not None
    name = rr.name or str((body.get("metadata") or {}).get("name") or "")
    backend.api.bind(rr.namespace, name, body)
    backend.on_write()
    return json_response(success_status(code=201), 201)


async def _eviction(request: web.Request, backend: Backend, rr: ResourceRequest) -> web.Response:
    """``pods/eviction``: the engine decides (PodDisruptionBudgets, dryRun, deleteOptions);
    a granted eviction is a Status of Success with 201, as a create."""
    body = await _object_body(request)
    assert rr.namespace is not None
    is_dry = dry_run(request.query.getall("dryRun", []), "CreateOptions")
    backend.api.evict(rr.namespace, rr.name, body, dry_run=is_dry, user_agent=_user_agent(request))
    if not is_dry:
        backend.on_write()
    return json_response(success_status(code=201), 201)


async def _log(request: web.Request, backend: Backend, rr: ResourceRequest) -> web.StreamResponse:
    """``pods/log``: the container is checked as the kubelet checks it; the text is what the
    kubelet kept (a process-runtime container's output; a simulated one prints nothing),
    ``tailLines`` keeping the last lines; ``follow`` streams what the container prints next
    until it terminates (or the pod is gone), as the kubelet's ``--follow`` does."""
    pod = backend.api.get(rr.rt, _ns(rr), rr.name)
    containers = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]
    init = [c.get("name", "") for c in (pod.get("spec") or {}).get("initContainers") or []]
    container = request.query.get("container", "")
    if not container:
        if len(containers) != 1:
            raise BadRequest(
                f"a container name must be specified for pod {rr.name}, choose one of: "
                f"[{' '.join(containers)}]"
                + (f" or one of the init containers: [{' '.join(init)}]" if init else "")
            )
        container = containers[0]
    elif container not in containers and container not in init:
        raise BadRequest(f"container {container} is not valid for pod {rr.name}")
    previous = request.query.get("previous", "").lower() in ("1", "true")

    def read() -> str:
        return backend.logs(_ns(rr) or "", rr.name, container, previous) if backend.logs else ""

    text = read()
    sent = len(text)
    tail = request.query.get("tailLines")
    if tail is not None and tail.isdigit():
        lines = text.splitlines(keepends=True)
        text = "".join(lines[-int(tail) :]) if int(tail) else ""
    follow = request.query.get("follow", "").lower() in ("1", "true")
    if not follow or previous:
        response = web.Response(body=text.encode(), status=200)
        response.headers["Content-Type"] = "text/plain"
        return response
    stream = web.StreamResponse(status=200)
    stream.headers["Content-Type"] = "text/plain"
    stream.enable_chunked_encoding()
    await stream.prepare(request)
    try:
        if text:
            await stream.write(text.encode())
        while True:
            done = _container_done(backend, rr, container)
            more = read()
            if len(more) > sent:
                await stream.write(more[sent:].encode())
                sent = len(more)
            if done:
                break
            await asyncio.sleep(_FOLLOW_POLL_SECONDS)
        await stream.write_eof()
    except ConnectionResetError:
        pass
    return stream


#: How often a followed log is re-read (the runtime appends to a file; there is no event).
_FOLLOW_POLL_SECONDS = 0.2


def _container_done(backend: Backend, rr: ResourceRequest, container: str) -> bool:
    """Whether a followed container will print no more: terminated, or its pod gone."""
    try:
        pod = backend.api.get(rr.rt, _ns(rr), rr.name)
    except ApiError:
        return True
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return True
    for cs in [
        *(status.get("containerStatuses") or []),
        *(status.get("initContainerStatuses") or []),
    ]:
        if cs.get("name") == container:
            return "terminated" in (cs.get("state") or {})
    return False
