"""The wire details every handler shares: JSON bytes, Status bodies, query values, bodies.

kube-apiserver writes ``application/json`` without a charset, every error as a
``metav1.Status`` whose ``code`` is the HTTP status (``responsewriters/status.go``), and
warnings as ``Warning: 299 - "<text>"`` headers (``filters/warning.go``). Query booleans
follow ``runtime/conversion.go`` ``Convert_Slice_string_To_bool``: absent, ``0`` and
``false`` (any case) are false, anything else is true. Bodies above 3 MiB are 413
(``MaxRequestBodyBytes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import msgspec
import yaml
from aiohttp import web

from mlkube.api.field import Path, not_supported
from mlkube.engine.errors import ApiError, BadRequest, Invalid, RequestEntityTooLarge
from mlkube.engine.patch.yamlbody import load_apply_yaml

__all__ = [
    "JSON",
    "MAX_BODY_BYTES",
    "MediaRange",
    "accept_ranges",
    "decode_apply_yaml",
    "decode_json",
    "decode_yaml",
    "dry_run",
    "encode",
    "error_response",
    "json_response",
    "query_bool",
    "query_int",
    "read_body",
    "success_status",
]

JSON: Final = "application/json"
#: ``--max-request-bytes`` default of kube-apiserver (``server/config.go``): 3 MiB.
MAX_BODY_BYTES: Final = 3 * 1024 * 1024
_DRY_RUN_ALL: Final = "All"

encode = msgspec.json.Encoder().encode
_json_decoder = msgspec.json.Decoder()
_yaml_loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def json_response(
    body: Any,
    status: int = 200,
    *,
    content_type: str = JSON,
    warnings: Iterable[str] = (),
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """A JSON response; ``body`` may be already-encoded bytes."""
    data = body if isinstance(body, bytes) else encode(body)
    response = web.Response(body=data, status=status, headers=headers)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "no-cache, private"
    for text in warnings:
        response.headers.add("Warning", _warning(text))
    return response


def _warning(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'299 - "{escaped}"'


def error_response(err: ApiError) -> web.Response:
    """The error's ``metav1.Status`` with its code as the HTTP status."""
    status = err.to_status()
    code = int(status.get("code") or 500)
    headers: dict[str, str] = {}
    if err.retry_after_seconds:
        headers["Retry-After"] = str(err.retry_after_seconds)
    return json_response(status, code, headers=headers)


def success_status(
    *, name: str = "", group: str = "", kind: str = "", uid: str = "", code: int = 0
) -> dict[str, Any]:
    """A ``Status`` of ``Success`` (a delete that removed the object, a binding)."""
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
    }
    details = {
        k: v for k, v in (("name", name), ("group", group), ("kind", kind), ("uid", uid)) if v
    }
    if details:
        status["details"] = details
    if code:
        status["code"] = code
    return status


# -- query values ---------------------------------------------------------------------------


def query_bool(query: Mapping[str, str], name: str) -> bool:
    """``Convert_Slice_string_To_bool``: absent, ``0``, ``false`` (any case) are false."""
    if name not in query:
        return False
    return query[name].lower() not in ("0", "false")


def query_int(query: Mapping[str, str], name: str) -> int | None:
    """An integer query value, or None when absent; 400 when it is not an integer."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(
            f'strconv.ParseInt: parsing "{raw}": invalid syntax'
            if name != "limit"
            else f'limit: Invalid value: "{raw}": must be an integer'
        ) from None


def dry_run(values: Iterable[str], options_kind: str) -> bool:
    """``dryRun`` values: only ``All`` is supported (422 on the options kind otherwise)."""
    values = [v for v in values if v != ""]
    for value in values:
        if value != _DRY_RUN_ALL:
            raise Invalid(
                f"{options_kind}.meta.k8s.io", "", [not_supported(Path("dryRun"), value, ["All"])]
            )
    return bool(values)


# -- bodies ---------------------------------------------------------------------------------


async def read_body(request: web.Request) -> bytes:
    """The request body, refused with 413 above :data:`MAX_BODY_BYTES`."""
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise RequestEntityTooLarge(f"limit is {MAX_BODY_BYTES}")
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise RequestEntityTooLarge(f"limit is {MAX_BODY_BYTES}") from None


def decode_json(data: bytes) -> Any:
    """A JSON body; 400 with the parser's message when it is malformed."""
    try:
        return _json_decoder.decode(data)
    except msgspec.DecodeError as err:
        raise BadRequest(f"couldn't get version/kind; json parse error: {err}") from None


def decode_apply_yaml(data: bytes) -> Any:
    """An ``apply-patch+yaml`` body: JSON, or the first YAML document, as ``yaml.ToJSON``
    reads it; 400 ``error encoding patch: yaml: line N: ...`` in go-yaml's words when it is
    malformed (:mod:`mlkube.engine.patch.yamlbody`)."""
    try:
        return _json_decoder.decode(data)
    except msgspec.DecodeError:
        pass
    return load_apply_yaml(data)


def decode_yaml(data: bytes) -> Any:
    """A YAML (or JSON) body, such as an ``apply-patch+yaml``; 400 when malformed."""
    try:
        return _json_decoder.decode(data)
    except msgspec.DecodeError:
        pass
    try:
        return yaml.load(data, Loader=_yaml_loader)
    except yaml.YAMLError as err:
        raise BadRequest(f"error decoding YAML: {err}") from None


# -- Accept ---------------------------------------------------------------------------------


class MediaRange(msgspec.Struct, frozen=True):
    """One entry of an Accept header: ``type/subtype`` and its parameters."""

    mime: str
    params: dict[str, str]

    def matches_json(self) -> bool:
        return self.mime in (JSON, "application/*", "*/*")


def accept_ranges(header: str | None) -> list[MediaRange]:
    """The Accept header's entries in order (an absent header accepts anything)."""
    if not header:
        return [MediaRange("*/*", {})]
    out: list[MediaRange] = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        params: dict[str, str] = {}
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            if key:
                params[key.strip().lower()] = value.strip().strip('"')
        out.append(MediaRange(pieces[0].lower(), params))
    return out
