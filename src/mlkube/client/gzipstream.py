"""A streamed body of concatenated gzip members, decoded member after member.

kube-apiserver compresses a WatchList response (``sendInitialEvents=true``, which v1.37
makes the default of every watch without a resourceVersion,
``apimachinery/pkg/apis/meta/internalversion/defaults.go``) one complete gzip member per
flush: ``perFlushGzipWriter`` in ``apiserver/pkg/endpoints/handlers/watch.go`` closes its
writer at every flush. Go's ``gzip.Reader`` is multistream and reads member after member
(RFC 1952 section 2.2); httpx's decoder stops at the end of the first, so everything the
server flushed after the ``k8s.io/initial-events-end`` bookmark was silently dropped.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import Final

__all__ = ["gunzip_members", "split_lines"]

_GZIP_WBITS: Final = zlib.MAX_WBITS | 16


def gunzip_members(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The decompressed bytes of ``chunks``, a gzip stream of one or more members,
    yielded as soon as each chunk decodes (a watch must not wait for a member's end).

    Raises :class:`zlib.error` on bytes that are not gzip."""
    decoder = zlib.decompressobj(_GZIP_WBITS)
    for chunk in chunks:
        data = chunk
        while data:
            out = decoder.decompress(data)
            if out:
                yield out
            if not decoder.eof:
                break
            # the member ended inside this chunk: the rest starts the next one
            data = decoder.unused_data
            decoder = zlib.decompressobj(_GZIP_WBITS)
    tail = decoder.flush()
    if tail:
        yield tail


def split_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The newline-terminated frames of a watch body, however its chunks cut them; a last
    frame without its newline (a server that stopped mid-way) is yielded too."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        yield from lines
    if pending:
        yield pending
