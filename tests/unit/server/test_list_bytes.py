"""A JSON List on the wire is byte for byte the encoding of the engine's decoded list."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from mlkube.api.registry import by_resource
from mlkube.server.serve import ServerThread
from tests.unit.server.conftest import TABLE_ACCEPT, Http, pod

PODS = "/api/v1/namespaces/default/pods"
_encode = msgspec.json.Encoder().encode


def _expected(served: ServerThread, reply: bytes, namespace: str | None, **options: Any) -> bytes:
    """The old handler's answer, from the engine's list at the reply's resourceVersion (the
    controllers may write between the two reads)."""
    rv = msgspec.json.decode(reply)["metadata"]["resourceVersion"]
    rt = by_resource("", "v1", "pods")
    options.update(resource_version=rv, resource_version_match="Exact")
    cluster = served.served
    assert cluster is not None
    result = served.call(lambda: cluster.cluster.api.list(rt, namespace, **options))
    meta: dict[str, Any] = {"resourceVersion": result.resource_version}
    if result.continue_:
        meta["continue"] = result.continue_
    if result.remaining_item_count is not None:
        meta["remainingItemCount"] = result.remaining_item_count
    return (
        b'{"kind":"PodList","apiVersion":"v1","metadata":'
        + _encode(meta)
        + b',"items":'
        + _encode(result.items)
        + b"}"
    )


@pytest.fixture
def pods(api: Http) -> Http:
    for i, app in enumerate(["web", "db", "web", "cache"]):
        body = pod(f"p{i}", app=app)
        body["metadata"]["annotations"] = {"note": 'ünïcode "quoted" \\ \u2028'}
        assert api.post(PODS, body).status == 201
    return api


@pytest.mark.parametrize(
    ("query", "options"),
    [
        ("", {}),
        ("?labelSelector=app%3Dweb", {"label_selector": "app=web"}),
        ("?fieldSelector=metadata.name%3Dp1", {"field_selector": "metadata.name=p1"}),
        ("?limit=3", {"limit": 3}),
    ],
    ids=["everything", "a label selector", "a field selector", "a first page"],
)
def test_a_json_list_is_the_encoding_of_the_decoded_items(
    pods: Http, served: ServerThread, query: str, options: dict[str, Any]
) -> None:
    reply = pods.get(PODS + query)
    assert reply.status == 200
    assert reply.body == _expected(served, reply.body, "default", **options)


def test_a_list_across_namespaces_is_the_encoding_of_the_decoded_items(
    pods: Http, served: ServerThread
) -> None:
    reply = pods.get("/api/v1/pods")
    assert reply.body == _expected(served, reply.body, None)


def test_a_table_list_still_renders_rows_from_the_decoded_items(pods: Http) -> None:
    body = pods.get(PODS + "?includeObject=Object", headers={"Accept": TABLE_ACCEPT}).json()
    assert body["kind"] == "Table"
    assert [row["object"]["kind"] for row in body["rows"]] == ["Pod"] * 4
