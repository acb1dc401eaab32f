"""Watch streams over HTTP: chunked JSON lines, one ``{"type","object"}`` event per line.

Follows ``apiserver/pkg/endpoints/handlers/watch.go`` (``serveWatch``): headers flushed at
once, each event one JSON document and a newline, flushed whenever the queue is empty (one
write here);
``timeoutSeconds`` ends the response cleanly (the zero-length chunk, no ERROR event); a
resourceVersion older than the history is HTTP 200 then one ERROR event with the 410 Status
(``cacher.go``). With the Table Accept header each event's object is a one-row Table, and
only the first carries ``columnDefinitions`` (``response.go`` ``watchEmbeddedEncoder``);
ERROR events keep their Status.

A WatchList request (``sendInitialEvents`` in effect, as v1.37 defaults it for a watch
without a resourceVersion, ``meta/internalversion/defaults.go``, and
``allowWatchBookmarks=true``: ``isListWatchRequest`` in ``handlers/get.go``) whose client
sends ``Accept-Encoding: gzip`` is answered gzipped (feature WatchListCompression, on by
default in v1.37), whatever its size: ``Content-Encoding: gzip``, ``Vary: Accept-Encoding``
and one complete gzip member per flush (``perFlushGzipWriter``), so a client reads every
event as soon as it is flushed. Other watches are never compressed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from aiohttp import web

from mlkube.api.registry import ResourceType
from mlkube.engine.errors import ApiError, Gone
from mlkube.engine.store import Event, Watch
from mlkube.server.tables import table
from mlkube.server.wire import JSON, encode, query_bool

__all__ = [
    "DEFAULT_MIN_REQUEST_TIMEOUT",
    "TableView",
    "gzip_member",
    "is_watch_list",
    "stream_watch",
    "wants_gzip",
]

#: ``--min-request-timeout``: a watch without timeoutSeconds ends in [T, 2T) seconds.
DEFAULT_MIN_REQUEST_TIMEOUT: Final = 1800.0
_ERROR: Final = "ERROR"
#: ``gzipContentEncodingLevel`` (``responsewriters/compression.go``): least CPU.
_GZIP_LEVEL: Final = 1
_GZIP_WBITS: Final = zlib.MAX_WBITS | 16


def is_watch_list(query: Mapping[str, str]) -> bool:
    """Whether a watch's query makes it a WatchList request (``isListWatchRequest``):
    ``sendInitialEvents`` true, given or defaulted (a watch with neither it nor
    ``resourceVersionMatch`` and a resourceVersion of ``""`` or ``"0"`` gets it,
    ``SetListOptionsDefaults``), and ``allowWatchBookmarks`` true."""
    if "sendInitialEvents" in query:
        initial = query_bool(query, "sendInitialEvents")
    else:
        legacy = query.get("resourceVersion", "") in ("", "0")
        initial = legacy and not query.get("resourceVersionMatch")
    return initial and query_bool(query, "allowWatchBookmarks")


def wants_gzip(accept_encoding: str) -> bool:
    """``ContentEncodingSupported``: one comma-separated token of ``Accept-Encoding`` is
    exactly ``gzip`` once trimmed (so ``gzip;q=1`` is not)."""
    return any(token.strip() == "gzip" for token in accept_encoding.split(","))


def gzip_member(data: bytes) -> bytes:
    """``data`` as one complete gzip member (header, deflate stream, trailer)."""
    writer = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
    return writer.compress(data) + writer.flush()


@dataclass(frozen=True, slots=True)
class TableView:
    """How to turn watch events into one-row Tables."""

    rt: ResourceType
    include: str
    now: Callable[[], datetime]


def _frame(event_type: str, obj: Any) -> bytes:
    return encode({"type": event_type, "object": obj}) + b"\n"


class _Encoder:
    """Event bytes for the stream: raw JSON lines, or Tables when asked for."""

    def __init__(self, view: TableView | None) -> None:
        self._view = view
        self._headers = True

    def encode(self, event: Event) -> bytes:
        if self._view is None or event.type == _ERROR:
            return event.to_json() + b"\n"
        view = self._view
        obj: Mapping[str, Any] = event.object
        meta = dict(obj.get("metadata") or {})
        doc = table(
            view.rt,
            [obj],
            view.now(),
            include=view.include,
            list_meta={"resourceVersion": meta.get("resourceVersion", "")},
            headers=self._headers,
        )
        self._headers = False
        return _frame(event.type, doc)


async def stream_watch(
    request: web.Request,
    open_watch: Callable[[], Watch],
    *,
    timeout_seconds: float | None,
    view: TableView | None = None,
    min_request_timeout: float = DEFAULT_MIN_REQUEST_TIMEOUT,
) -> web.StreamResponse:
    """Serve a watch until its timeout, the client leaving, or the server stopping.

    ``open_watch`` raises the engine's errors: :class:`Gone` becomes an ERROR event in a
    200 stream, anything else an ordinary error response (raised to the caller).
    """
    try:
        watch: Watch | None = open_watch()
        gone: ApiError | None = None
    except Gone as err:
        watch, gone = None, err
    response = web.StreamResponse(status=200)
    response.headers["Content-Type"] = JSON
    response.headers["Cache-Control"] = "no-cache, private"
    gzipped = is_watch_list(request.query) and wants_gzip(
        request.headers.get("Accept-Encoding", "")
    )
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
        response.headers.add("Vary", "Accept-Encoding")
    response.enable_chunked_encoding()
    await response.prepare(request)

    async def flush(data: bytes) -> None:
        await response.write(gzip_member(data) if gzipped else data)

    if watch is None:
        assert gone is not None
        await flush(_frame(_ERROR, gone.to_status()))
        await response.write_eof()
        return response
    if timeout_seconds is None or timeout_seconds <= 0:
        timeout_seconds = min_request_timeout * (1 + random.random())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    encoder = _Encoder(view)
    try:
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                async with asyncio.timeout(remaining):
                    event = await watch.get()
            except TimeoutError:
                break
            if event is None:
                break
            chunk = [encoder.encode(event)]
            chunk.extend(encoder.encode(e) for e in watch.drain())
            await flush(b"".join(chunk))
    except (ConnectionResetError, asyncio.CancelledError):
        watch.stop()
        raise
    finally:
        watch.stop()
    with contextlib.suppress(ConnectionResetError):
        await response.write_eof()
    return response
