"""The aiohttp application: every path kube-apiserver serves that clients use, over a Backend.

Paths: ``/version``, ``/healthz``, ``/readyz``, ``/livez``; discovery (``/api``, ``/apis``,
``/apis/<g>``, ``/api/v1``, ``/apis/<g>/<v>``, aggregated v2 by Accept); ``/openapi/v3``;
and the resource routes of :mod:`.resources`. Filters, in kube-apiserver's order
(``server/config.go`` ``DefaultBuildHandlerChain``): the body limit (413 over 3 MiB),
bearer-token authentication (401 ``Unauthorized``; health and version are public, as the
``system:public-info-viewer`` role makes them), then the handler. Trailing slashes are
accepted; unknown paths are 404 with a Status; every engine error is written as its Status.
"""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler

from mlkube.engine.errors import ApiError, InternalError, MethodNotAllowed, Unauthorized
from mlkube.server import discovery, openapi, reviews
from mlkube.server.resources import Backend, handle, not_found, parse_path
from mlkube.server.wire import (
    MAX_BODY_BYTES,
    accept_ranges,
    error_response,
    json_response,
)

__all__ = ["BACKEND_KEY", "create_app"]

BACKEND_KEY: Final = web.AppKey("backend", Backend)
_TOKEN_KEY: Final = web.AppKey("token", str)
_BUILD_DATE_KEY: Final = web.AppKey("build_date", str)
_PUBLIC: Final = frozenset({"healthz", "livez", "readyz", "version"})
_UNAUTHORIZED: Final = "Unauthorized"
_NOT_ACCEPTABLE: Final = "only the following media types are accepted: application/json"
_log = logging.getLogger("mlkube.server")


def create_app(backend: Backend, *, token: str = "") -> web.Application:
    """The application over ``backend``; with a ``token``, requests must carry it."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[_errors, _authenticate])
    app[BACKEND_KEY] = backend
    app[_TOKEN_KEY] = token
    app[_BUILD_DATE_KEY] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    app.router.add_route("*", "/{tail:.*}", _dispatch)
    return app


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as err:
        return error_response(err)
    except web.HTTPException:
        raise
    except Exception as err:  # a bug: answer as kube-apiserver answers a panic
        _log.exception("internal error serving %s %s", request.method, request.path)
        return error_response(InternalError(err))


def _segments(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


@web.middleware
async def _authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.app[_TOKEN_KEY]
    if token:
        segments = _segments(request.path)
        if not (segments and segments[0] in _PUBLIC):
            header = request.headers.get("Authorization", "")
            scheme, _, given = header.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode(), token.encode()
            ):
                raise Unauthorized(_UNAUTHORIZED)
    return await handler(request)


def _health() -> web.Response:
    response = web.Response(body=b"ok")
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    return response


def _acceptable(request: web.Request) -> bool:
    ranges = accept_ranges(request.headers.get("Accept"))
    return any(r.matches_json() for r in ranges)


def _discovery(
    request: web.Request, doc: discovery.Document | None, *, aggregated: bool
) -> web.Response:
    if doc is None:
        raise not_found()
    if aggregated:
        if request.headers.get("If-None-Match") == doc.etag:
            return web.Response(status=304, headers={"ETag": doc.etag})
        return json_response(
            doc.body,
            content_type=discovery.AGGREGATED_CONTENT_TYPE,
            headers={"ETag": doc.etag, "Vary": "Accept", "Cache-Control": "public"},
        )
    return json_response(doc.body)


async def _dispatch(request: web.Request) -> web.StreamResponse:
    segments = _segments(request.path)
    if not segments:
        return json_response(
            {"paths": ["/api", "/api/v1", "/apis", "/openapi/v2", "/openapi/v3", "/version"]}
        )
    head, rest = segments[0], segments[1:]
    if head in ("healthz", "livez", "readyz"):
        return _health()
    if head == "version" and not rest:
        return json_response(discovery.version_info(request.app[_BUILD_DATE_KEY]))
    if head == "openapi":
        return openapi.serve(request, rest)
    if head not in ("api", "apis"):
        raise not_found()
    ranges = accept_ranges(request.headers.get("Accept"))
    if (head == "api" and len(rest) <= 1) or (head == "apis" and len(rest) <= 2):
        if request.method != "GET":
            raise MethodNotAllowed("", request.method.lower())
        if head == "api" and not rest:
            if discovery.wants_aggregated(ranges):
                return _discovery(request, discovery.aggregated(True), aggregated=True)
            return _discovery(request, discovery.api_versions(), aggregated=False)
        if head == "apis" and not rest:
            if discovery.wants_aggregated(ranges):
                return _discovery(request, discovery.aggregated(False), aggregated=True)
            return _discovery(request, discovery.api_group_list(), aggregated=False)
        if head == "apis" and len(rest) == 1:
            return _discovery(request, discovery.api_group(rest[0]), aggregated=False)
        group, version = ("", rest[0]) if head == "api" else (rest[0], rest[1])
        return _discovery(request, discovery.api_resource_list(group, version), aggregated=False)
    if not _acceptable(request):
        raise ApiError(_NOT_ACCEPTABLE, code=406, reason="NotAcceptable")
    if head == "api":
        group, version, path = "", rest[0], rest[1:]
    else:
        group, version, path = rest[0], rest[1], rest[2:]
    if reviews.is_review(group, version, path):
        return await reviews.serve_review(request, group, version, path[0])
    if discovery.api_resource_list(group, version) is None:
        raise not_found()
    rr = parse_path(group, version, path)
    return await handle(request, request.app[BACKEND_KEY], rr)
