"""When a watch is gzipped, on both clusters: only a WatchList (``sendInitialEvents`` given
or defaulted, as v1.37 does for a watch without a resourceVersion, and
``allowWatchBookmarks``) whose client sends ``Accept-Encoding: gzip``, however small, as one
complete gzip member per flush (``perFlushGzipWriter``); and ``KubeClient.watch`` reads
such a stream past the ``k8s.io/initial-events-end`` bookmark on either.
"""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from tests.e2e.targets import Target

pytestmark = pytest.mark.e2e

INITIAL_END = "k8s.io/initial-events-end"
ROOT_CA = "kube-root-ca.crt"
TARGETS = ["real", "embedded"]


@pytest.fixture(scope="module")
def namespaces(targets: list[Target]) -> Iterator[str]:
    """One namespace, with one ConfigMap, on both clusters."""
    name = f"gzip-{uuid.uuid4().hex[:6]}"
    for target in targets:
        with target.client() as client:
            client.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
            client.create(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "before", "namespace": name},
                }
            )
    yield name
    for target in targets:
        with target.client() as client:
            client.delete("namespaces", name)


def _target(targets: list[Target], which: str) -> Target:
    (target,) = [t for t in targets if t.name == which]
    return target


def _members(body: bytes) -> list[bytes]:
    out: list[bytes] = []
    while body:
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
        out.append(decoder.decompress(body))
        assert decoder.eof, "each member is complete"
        body = decoder.unused_data
    return out


def _watch(
    target: Target, namespace: str, query: dict[str, str], accept: str
) -> tuple[httpx.Headers, bytes]:
    """The headers and the raw (undecoded) body of a one-second watch."""
    headers = {**target.headers, "Accept-Encoding": accept}
    path = f"{target.server}/api/v1/namespaces/{namespace}/configmaps"
    params = {"watch": "true", "timeoutSeconds": "1", **query}
    with (
        httpx.Client(verify=target.tls, timeout=30.0) as http,
        http.stream("GET", path, params=params, headers=headers) as response,
    ):
        assert response.status_code == 200
        return response.headers, b"".join(response.iter_raw())


CASES = [
    pytest.param({"allowWatchBookmarks": "true"}, "gzip", True, id="a defaulted WatchList"),
    pytest.param(
        {"allowWatchBookmarks": "true", "resourceVersion": "0"},
        "gzip",
        True,
        id="resourceVersion 0 is a WatchList too",
    ),
    pytest.param(
        {
            "allowWatchBookmarks": "true",
            "sendInitialEvents": "true",
            "resourceVersionMatch": "NotOlderThan",
        },
        "gzip, deflate",
        True,
        id="an explicit WatchList from a client that accepts gzip among others",
    ),
    pytest.param({}, "gzip", False, id="a watch without bookmarks"),
    pytest.param(
        {
            "allowWatchBookmarks": "true",
            "sendInitialEvents": "false",
            "resourceVersionMatch": "NotOlderThan",
            "resourceVersion": "1",
        },
        "gzip",
        False,
        id="sendInitialEvents=false",
    ),
    pytest.param({"allowWatchBookmarks": "true"}, "identity", False, id="no gzip accepted"),
]


@pytest.mark.parametrize("which", TARGETS)
@pytest.mark.parametrize(("query", "accept", "gzipped"), CASES)
def test_which_watches_are_gzipped(
    targets: list[Target],
    namespaces: str,
    which: str,
    query: dict[str, str],
    accept: str,
    gzipped: bool,
) -> None:
    headers, body = _watch(_target(targets, which), namespaces, query, accept)
    found = (headers.get("Content-Encoding"), headers.get("Vary"), body[:2] == b"\x1f\x8b")
    assert found == (("gzip", "Accept-Encoding", True) if gzipped else (None, None, False))


@pytest.mark.parametrize("which", TARGETS)
def test_a_gzipped_watch_list_is_complete_gzip_members_holding_the_initial_events(
    targets: list[Target], namespaces: str, which: str
) -> None:
    query = {"allowWatchBookmarks": "true"}
    _, body = _watch(_target(targets, which), namespaces, query, "gzip")
    lines = b"".join(_members(body)).splitlines()
    events = [json.loads(line) for line in lines]
    kinds = [
        (e["type"], e["object"]["metadata"].get("name"))
        for e in events
        if e["object"]["metadata"].get("name") != ROOT_CA
    ]
    assert kinds[:2] == [("ADDED", "before"), ("BOOKMARK", None)]
    assert events[[e["type"] for e in events].index("BOOKMARK")]["object"]["metadata"][
        "annotations"
    ] == {INITIAL_END: "true"}


@pytest.mark.parametrize("which", TARGETS)
def test_kube_client_reads_a_watch_list_past_the_initial_events_end(
    targets: list[Target], namespaces: str, which: str
) -> None:
    after = f"after-{uuid.uuid4().hex[:6]}"
    seen: list[tuple[str, str | None]] = []
    with _target(targets, which).client() as kube:
        for kind, obj in kube.watch("configmaps", namespaces, timeout_seconds=30):
            meta = obj.get("metadata") or {}
            if kind == "BOOKMARK":
                if (meta.get("annotations") or {}).get(INITIAL_END) == "true":
                    seen.append((kind, INITIAL_END))
                    kube.create(
                        {
                            "apiVersion": "v1",
                            "kind": "ConfigMap",
                            "metadata": {"name": after, "namespace": namespaces},
                        }
                    )
                continue
            if meta.get("name") != ROOT_CA:
                seen.append((kind, meta.get("name")))
            if meta.get("name") == after:
                break
    assert seen == [("ADDED", "before"), ("BOOKMARK", INITIAL_END), ("ADDED", after)]
