"""KubeClient.watch reads every event of a gzip watch stream, one gzip member per flush,
as kube-apiserver v1.37 sends a WatchList (``perFlushGzipWriter``, handlers/watch.go)."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from lightkube.config.kubeconfig import KubeConfig

from mlkube.client import ConnectionFailed, KubeClient
from mlkube.client.gzipstream import gunzip_members, split_lines

INITIAL_END = {"k8s.io/initial-events-end": "true"}


def _event(kind: str, name: str | None, rv: str, **meta: Any) -> bytes:
    metadata: dict[str, Any] = {"resourceVersion": rv, **meta}
    if name is not None:
        metadata["name"] = name
    obj = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": metadata}
    return json.dumps({"type": kind, "object": obj}).encode() + b"\n"


#: What the server flushes: the initial events and their bookmark, then two live events.
FLUSHES = [
    _event("ADDED", "before", "10") + _event("BOOKMARK", None, "11", annotations=INITIAL_END),
    _event("ADDED", "after-1", "12"),
    _event("MODIFIED", "after-1", "13"),
]


def _members(flushes: list[bytes]) -> list[bytes]:
    """One complete gzip member per flush, as ``perFlushGzipWriter`` writes them."""
    return [gzip.compress(flush) for flush in flushes]


def _client(body: list[bytes], headers: dict[str, str]) -> KubeClient:
    def serve(request: httpx.Request) -> httpx.Response:
        assert request.url.params["watch"] == "true"
        return httpx.Response(200, headers=headers, content=iter(body))

    config = KubeConfig.from_dict(
        {
            "clusters": [{"name": "c", "cluster": {"server": "http://apiserver.test"}}],
            "users": [{"name": "u", "user": {"token": "t"}}],
            "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
            "current-context": "c",
        }
    ).get()
    assert config is not None
    return KubeClient(config, transport=httpx.MockTransport(serve))


def _watched(client: KubeClient) -> list[tuple[str, str | None]]:
    with client:
        return [(t, o["metadata"].get("name")) for t, o in client.watch("configmaps", "default")]


EXPECTED = [("ADDED", "before"), ("BOOKMARK", None), ("ADDED", "after-1"), ("MODIFIED", "after-1")]


def test_a_gzip_watch_yields_the_events_flushed_after_the_initial_events_end_bookmark() -> None:
    body = _members(FLUSHES)
    client = _client(body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert _watched(client) == EXPECTED


def test_gzip_members_cut_anywhere_by_the_transport_still_decode_in_order() -> None:
    stream = b"".join(_members(FLUSHES))
    body = [stream[i : i + 7] for i in range(0, len(stream), 7)]
    client = _client(body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert _watched(client) == EXPECTED


def test_an_uncompressed_watch_is_read_line_by_line_as_before() -> None:
    client = _client(list(FLUSHES), {"Content-Type": "application/json"})
    assert _watched(client) == EXPECTED


def test_a_stream_that_claims_gzip_but_is_not_says_so_instead_of_a_traceback() -> None:
    client = _client([b"not gzip at all\n"], {"Content-Encoding": "gzip"})
    with pytest.raises(ConnectionFailed, match="watch stream that is not gzip"):
        _watched(client)


def test_each_member_is_decoded_as_soon_as_its_chunk_arrives() -> None:
    seen: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        for member in _members([b"one\n", b"two\n"]):
            yield member
            # the consumer has the member's text before the next chunk is produced
            assert seen[-1:] != []
            assert seen[-1].endswith(b"\n")

    for out in gunzip_members(chunks()):
        seen.append(out)
    assert b"".join(seen) == b"one\ntwo\n"


def test_a_sync_flushed_member_decodes_before_the_member_ends() -> None:
    compressor = zlib.compressobj(wbits=zlib.MAX_WBITS | 16)
    first = compressor.compress(b"early\n") + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert b"".join(gunzip_members([first])) == b"early\n"


@pytest.mark.parametrize(
    ("chunks", "lines"),
    [
        pytest.param([b'{"a":1}\n{"b":2}\n'], [b'{"a":1}', b'{"b":2}'], id="two frames in a chunk"),
        pytest.param([b'{"a"', b":1}\n"], [b'{"a":1}'], id="a frame cut across chunks"),
        pytest.param([b'{"a":1}'], [b'{"a":1}'], id="a last frame without its newline"),
    ],
)
def test_watch_frames_are_the_lines_of_the_body(chunks: list[bytes], lines: list[bytes]) -> None:
    assert list(split_lines(chunks)) == lines
