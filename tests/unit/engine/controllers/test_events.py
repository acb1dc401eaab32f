"""The event recorder (client-go tools/record: event.go, events_cache.go
TestEventCorrelator "the same event is aggregated into a count")."""

from __future__ import annotations

from typing import Any

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.events import NORMAL, WARNING, record


def _cluster() -> tuple[Cluster, dict[str, Any]]:
    c = Cluster(clock=FakeClock(), seed=0, controllers=[])
    obj = c.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cm", "namespace": "default"},
        }
    )
    return c, obj


def test_an_event_names_its_object_its_source_and_its_time() -> None:
    c, obj = _cluster()
    event = record(c.api, obj, NORMAL, "SuccessfulCreate", "Created pod: p", "job-controller")
    assert event is not None
    assert event["metadata"]["name"] == "cm.18867251edfa0000"  # <name>.<unix nanoseconds in hex>
    assert event["metadata"]["namespace"] == "default"
    assert event["involvedObject"] == {
        "kind": "ConfigMap",
        "namespace": "default",
        "name": "cm",
        "uid": obj["metadata"]["uid"],
        "apiVersion": "v1",
        "resourceVersion": obj["metadata"]["resourceVersion"],
    }
    assert (event["type"], event["reason"], event["message"]) == (
        NORMAL,
        "SuccessfulCreate",
        "Created pod: p",
    )
    assert event["source"] == {"component": "job-controller"}
    assert event["reportingComponent"] == "job-controller"
    assert (event["firstTimestamp"], event["lastTimestamp"], event["count"]) == (
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
        1,
    )


def test_the_same_event_again_bumps_the_count_and_last_timestamp() -> None:
    c, obj = _cluster()
    first = record(c.api, obj, WARNING, "FailedCreate", "Error creating: quota", "job-controller")
    assert isinstance(c.clock, FakeClock)
    c.clock.advance(5)
    again = record(c.api, obj, WARNING, "FailedCreate", "Error creating: quota", "job-controller")
    assert first is not None
    assert again is not None
    assert again["metadata"]["name"] == first["metadata"]["name"]
    assert (again["count"], again["firstTimestamp"], again["lastTimestamp"]) == (
        2,
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:05Z",
    )
    assert len(c.list("events", "default")) == 1


def test_a_different_message_is_a_different_event_even_in_the_same_instant() -> None:
    c, obj = _cluster()
    a = record(c.api, obj, NORMAL, "SuccessfulCreate", "Created pod: a", "job-controller")
    b = record(c.api, obj, NORMAL, "SuccessfulCreate", "Created pod: b", "job-controller")
    assert a is not None
    assert b is not None
    assert a["metadata"]["name"] != b["metadata"]["name"]
    assert sorted(e["message"] for e in c.list("events", "default")) == [
        "Created pod: a",
        "Created pod: b",
    ]


def test_an_event_whose_earlier_copy_was_deleted_starts_again_at_one() -> None:
    c, obj = _cluster()
    first = record(c.api, obj, NORMAL, "Completed", "Job completed", "job-controller")
    assert first is not None
    c.delete("events", first["metadata"]["name"], "default")
    again = record(c.api, obj, NORMAL, "Completed", "Job completed", "job-controller")
    assert again is not None
    assert again["count"] == 1
