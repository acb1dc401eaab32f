"""Watch streams: one JSON event per line, bookmarks, timeouts, 410 as an ERROR event."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mlkube.server.serve import ServerThread
from tests.unit.server.conftest import TABLE_ACCEPT, TOKEN, Http, configmap

CM = "/api/v1/namespaces/default/configmaps"


class Stream:
    def __init__(self, resp: http.client.HTTPResponse) -> None:
        self.resp = resp

    def next(self) -> dict[str, Any]:
        line = self.resp.readline()
        assert line, "the stream ended"
        assert line.endswith(b"\n")
        event: dict[str, Any] = json.loads(line)
        return event

    def until(self, event_type: str, name: str) -> dict[str, Any]:
        while True:
            event = self.next()
            meta = event["object"].get("metadata", {})
            if event["type"] == event_type and meta.get("name") == name:
                return event


@contextmanager
def watching(api: Http, path: str, accept: str = "application/json") -> Iterator[Stream]:
    conn = http.client.HTTPConnection(api.host, api.port, timeout=30)
    conn.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}", "Accept": accept})
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.headers["Transfer-Encoding"] == "chunked"
    try:
        yield Stream(resp)
    finally:
        conn.close()


def _rv(api: Http) -> str:
    rv: str = api.get(CM).json()["metadata"]["resourceVersion"]
    return rv


@pytest.mark.parametrize(
    "flag",
    [
        pytest.param("true", id="watch=true"),
        pytest.param("1", id="watch=1"),
        pytest.param("True", id="watch=True as the Python clients send it"),
    ],
)
def test_watch_streams_added_modified_and_deleted_events(api: Http, flag: str) -> None:
    rv = _rv(api)
    with watching(api, f"{CM}?watch={flag}&resourceVersion={rv}") as stream:
        api.post(CM, configmap("a", k="1"))
        added = stream.next()
        api("PATCH", f"{CM}/a", {"data": {"k": "2"}}, content_type="application/merge-patch+json")
        modified = stream.next()
        api("DELETE", f"{CM}/a")
        deleted = stream.next()
    assert [e["type"] for e in (added, modified, deleted)] == ["ADDED", "MODIFIED", "DELETED"]
    assert added["object"]["kind"] == "ConfigMap"
    assert modified["object"]["data"] == {"k": "2"}
    assert int(deleted["object"]["metadata"]["resourceVersion"]) > int(
        modified["object"]["metadata"]["resourceVersion"]
    )


@pytest.mark.parametrize(
    "flag",
    [
        pytest.param("false", id="watch=false"),
        pytest.param("0", id="watch=0"),
        pytest.param("FALSE", id="watch=FALSE"),
    ],
)
def test_false_watch_values_list_instead(api: Http, flag: str) -> None:
    assert api.get(f"{CM}?watch={flag}").json()["kind"] == "ConfigMapList"


def test_a_watch_without_resource_version_starts_with_the_current_objects(api: Http) -> None:
    api.post(CM, configmap("existing"))
    with watching(api, f"{CM}?watch=true") as stream:
        event = stream.until("ADDED", "existing")
    assert event["object"]["metadata"]["name"] == "existing"


def test_a_streaming_list_ends_its_initial_events_with_an_annotated_bookmark(api: Http) -> None:
    api.post(CM, configmap("a"))
    path = (
        f"{CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
        "&allowWatchBookmarks=true"
    )
    with watching(api, path) as stream:
        events = [stream.next()]
        while events[-1]["type"] != "BOOKMARK":
            events.append(stream.next())
    bookmark = events[-1]["object"]
    assert {e["type"] for e in events[:-1]} == {"ADDED"}
    assert bookmark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert bookmark["kind"] == "ConfigMap"


def test_send_initial_events_without_not_older_than_is_422(api: Http) -> None:
    reply = api.get(f"{CM}?watch=true&sendInitialEvents=true")
    assert reply.status == 422
    assert (
        "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
        in (reply.json()["message"])
    )


def test_timeout_seconds_ends_the_stream_cleanly(api: Http) -> None:
    reply = api.get(f"{CM}?watch=true&resourceVersion={_rv(api)}&timeoutSeconds=1")
    assert (reply.status, reply.body) == (200, b"")


def test_a_too_old_resource_version_is_an_error_event_in_a_200_stream(tmp_path: Path) -> None:
    with ServerThread(token=TOKEN, state_dir=tmp_path) as first:
        Http(first.url).post(CM, configmap("a"))
    with ServerThread(token=TOKEN, state_dir=tmp_path) as second:
        reply = Http(second.url).get(f"{CM}?watch=true&resourceVersion=1")
    assert reply.status == 200
    [event] = reply.lines()
    assert event["type"] == "ERROR"
    assert event["object"]["code"] == 410
    assert event["object"]["reason"] == "Expired"
    assert event["object"]["message"].startswith("too old resource version: 1 (")


def test_a_table_watch_sends_column_definitions_only_first(api: Http) -> None:
    with watching(api, f"{CM}?watch=true&resourceVersion={_rv(api)}", TABLE_ACCEPT) as stream:
        api.post(CM, configmap("a", k="1"))
        first = stream.next()
        api.post(CM, configmap("b"))
        second = stream.next()
    assert first["object"]["kind"] == "Table"
    assert [c["name"] for c in first["object"]["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert second["object"]["columnDefinitions"] is None
    assert second["object"]["rows"][0]["cells"][:2] == ["b", 0]
    assert second["object"]["rows"][0]["object"]["kind"] == "PartialObjectMetadata"


def test_a_watch_on_a_named_object_sees_only_that_object(api: Http) -> None:
    rv = _rv(api)
    with watching(api, f"/api/v1/watch/namespaces/default/configmaps/b?resourceVersion={rv}") as s:
        api.post(CM, configmap("a"))
        api.post(CM, configmap("b"))
        event = s.next()
    assert event["object"]["metadata"]["name"] == "b"
