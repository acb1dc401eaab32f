"""Self-reviews: ``kubectl auth can-i`` and ``kubectl auth whoami`` (and k9s's access checks).

The served cluster has one identity, the holder of its bearer token, and no authorizer
beyond authentication: every authenticated request is allowed, as for ``system:masters``
upstream. So a ``SelfSubjectAccessReview`` is always ``allowed`` and a
``SelfSubjectReview`` names that user (``authorization/v1`` and ``authentication/v1``
types). kubectl sends these bodies as protobuf; the answer does not depend on them, so a
JSON body's ``spec`` is echoed and a protobuf one is not decoded.
"""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from mlkube.engine.errors import MethodNotAllowed
from mlkube.server.wire import decode_json, json_response, read_body

__all__ = ["ADMIN_GROUPS", "ADMIN_USER", "is_review", "serve_review"]

ADMIN_USER: Final = "mlkube-admin"
ADMIN_GROUPS: Final = ("system:masters", "system:authenticated")
_REVIEWS: Final = {
    ("authorization.k8s.io", "v1", "selfsubjectaccessreviews"): "SelfSubjectAccessReview",
    ("authentication.k8s.io", "v1", "selfsubjectreviews"): "SelfSubjectReview",
}


def is_review(group: str, version: str, path: list[str]) -> bool:
    return len(path) == 1 and (group, version, path[0]) in _REVIEWS


async def serve_review(
    request: web.Request, group: str, version: str, resource: str
) -> web.Response:
    """POST a self-review: 201 with its status filled in."""
    kind = _REVIEWS[(group, version, resource)]
    if request.method != "POST":
        raise MethodNotAllowed(f"{resource}.{group}", request.method.lower())
    data = await read_body(request)
    spec: Any = {}
    if request.headers.get("Content-Type", "").startswith("application/json") and data.strip():
        body = decode_json(data)
        if isinstance(body, dict):
            spec = body.get("spec") or {}
    review: dict[str, Any] = {
        "kind": kind,
        "apiVersion": f"{group}/{version}",
        "metadata": {},
    }
    if kind == "SelfSubjectAccessReview":
        review["spec"] = spec
        review["status"] = {"allowed": True}
    else:
        review["status"] = {"userInfo": {"username": ADMIN_USER, "groups": list(ADMIN_GROUPS)}}
    return json_response(review, 201)
