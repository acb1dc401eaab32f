"""A WatchList is served gzipped, one complete gzip member per flush, as kube-apiserver
v1.37.2 serves it (``perFlushGzipWriter``, ``handlers/watch.go``; feature
WatchListCompression): only when the watch is a WatchList (``sendInitialEvents`` in effect
and ``allowWatchBookmarks``, ``isListWatchRequest``) and the client accepts ``gzip``, with
no size threshold. ``tests/e2e/test_watch_gzip.py`` asks both clusters the same questions.
"""

from __future__ import annotations

import http.client
import json
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlkube.client import KubeClient
from mlkube.server.serve import ServerThread
from mlkube.server.watch import gzip_member, is_watch_list, wants_gzip
from tests.unit.server.conftest import TOKEN, Http, configmap

CM = "/api/v1/namespaces/default/configmaps"
INITIAL_END = "k8s.io/initial-events-end"
#: The ConfigMap every namespace gets (the root CA publisher); not these tests' concern.
ROOT_CA = "kube-root-ca.crt"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            {"watch": "true", "allowWatchBookmarks": "true"},
            True,
            id="a watch without a resourceVersion is defaulted to sendInitialEvents",
        ),
        pytest.param(
            {"watch": "true", "allowWatchBookmarks": "true", "resourceVersion": "0"},
            True,
            id="resourceVersion 0 is defaulted to sendInitialEvents too",
        ),
        pytest.param(
            {"watch": "true", "allowWatchBookmarks": "true", "resourceVersion": "12"},
            False,
            id="a watch from a resourceVersion is no WatchList",
        ),
        pytest.param(
            {"watch": "true"},
            False,
            id="a watch without bookmarks is no WatchList",
        ),
        pytest.param(
            {
                "watch": "true",
                "sendInitialEvents": "true",
                "resourceVersionMatch": "NotOlderThan",
                "allowWatchBookmarks": "true",
            },
            True,
            id="sendInitialEvents=true with bookmarks is a WatchList",
        ),
        pytest.param(
            {
                "watch": "true",
                "sendInitialEvents": "false",
                "resourceVersionMatch": "NotOlderThan",
                "allowWatchBookmarks": "true",
            },
            False,
            id="sendInitialEvents=false is no WatchList",
        ),
    ],
)
def test_which_watches_are_watch_lists(query: dict[str, str], expected: bool) -> None:
    assert is_watch_list(query) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("gzip", True, id="gzip"),
        pytest.param("gzip, deflate", True, id="gzip among others, as httpx sends it"),
        pytest.param("deflate , gzip ", True, id="a token is trimmed"),
        pytest.param("gzip;q=1.0", False, id="a token with parameters is not gzip, as in Go"),
        pytest.param("identity", False, id="identity"),
        pytest.param("", False, id="no Accept-Encoding"),
    ],
)
def test_which_clients_accept_gzip(header: str, expected: bool) -> None:
    assert wants_gzip(header) is expected


def test_a_gzip_member_is_one_complete_gzip_stream() -> None:
    member = gzip_member(b'{"type":"ADDED"}\n')
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    assert (decoder.decompress(member), decoder.eof, decoder.unused_data) == (
        b'{"type":"ADDED"}\n',
        True,
        b"",
    )


def _members(body: bytes) -> list[bytes]:
    out: list[bytes] = []
    while body:
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
        out.append(decoder.decompress(body))
        assert decoder.eof, "a member ends before the next begins"
        body = decoder.unused_data
    return out


def _raw_watch(api: Http, query: str, accept_encoding: str | None) -> tuple[Any, bytes]:
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    if accept_encoding is not None:
        headers["Accept-Encoding"] = accept_encoding
    conn = http.client.HTTPConnection(api.host, api.port, timeout=30)
    try:
        conn.request("GET", f"{CM}?{query}&timeoutSeconds=1", headers=headers)
        resp = conn.getresponse()
        return resp.headers, resp.read()
    finally:
        conn.close()


def test_a_watch_list_asked_for_gzip_is_gzipped_per_flush(api: Http) -> None:
    api.post(CM, configmap("before"))
    headers, body = _raw_watch(api, "watch=true&allowWatchBookmarks=true", "gzip")
    assert (headers["Content-Encoding"], headers["Vary"]) == ("gzip", "Accept-Encoding")
    lines = b"".join(_members(body)).splitlines()
    events = [json.loads(line) for line in lines]
    events = [e for e in events if e["object"]["metadata"].get("name") != ROOT_CA]
    assert [e["type"] for e in events] == ["ADDED", "BOOKMARK"]
    assert events[1]["object"]["metadata"]["annotations"] == {INITIAL_END: "true"}


@pytest.mark.parametrize(
    ("query", "accept_encoding"),
    [
        pytest.param("watch=true&allowWatchBookmarks=true", None, id="without Accept-Encoding"),
        pytest.param("watch=true", "gzip", id="a watch without bookmarks"),
        pytest.param(
            "watch=true&allowWatchBookmarks=true&resourceVersion=1", "gzip", id="from a version"
        ),
    ],
)
def test_other_watches_are_not_compressed(
    api: Http, query: str, accept_encoding: str | None
) -> None:
    headers, body = _raw_watch(api, query, accept_encoding)
    assert headers.get("Content-Encoding") is None
    assert body[:2] != b"\x1f\x8b"


def _kubeconfig(served: ServerThread, path: Path) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": served.url}}],
        "users": [{"name": "u", "user": {"token": TOKEN}}],
        "contexts": [
            {"name": "c", "context": {"cluster": "c", "user": "u", "namespace": "default"}}
        ],
        "current-context": "c",
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_kube_client_reads_a_gzipped_watch_list_past_the_initial_events_end(
    served: ServerThread, api: Http, tmp_path: Path
) -> None:
    api.post(CM, configmap("before"))
    seen: list[tuple[str, str]] = []
    later = threading.Thread(target=api.post, args=(CM, configmap("after")))
    with KubeClient.from_kubeconfig(_kubeconfig(served, tmp_path / "kubeconfig")) as kube:
        for kind, obj in kube.watch("configmaps", "default", timeout_seconds=10):
            meta = obj.get("metadata") or {}
            if kind == "BOOKMARK":
                if (meta.get("annotations") or {}).get(INITIAL_END) == "true":
                    seen.append((kind, INITIAL_END))
                    later.start()  # a later flush, hence a second gzip member
                continue
            if meta.get("name") != ROOT_CA:
                seen.append((kind, str(meta.get("name"))))
            if meta.get("name") == "after":
                break
    later.join()
    assert seen == [("ADDED", "before"), ("BOOKMARK", INITIAL_END), ("ADDED", "after")]
