"""events.k8s.io/v1 Event validation, as kube-apiserver v1.37.

Cases follow pkg/apis/core/validation/events_test.go (TestValidateEventForCoreV1Events
is the legacy half; TestValidateEventForEventsV1Events and TestEventV1EventTimeImmutability
the events.k8s.io/v1 half). Paths keep core.Event's names where upstream does.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.engine.types.events import EventStrategy

STRATEGY = EventStrategy()
Obj = dict[str, Any]
NOW = "2026-01-01T00:00:00.000000Z"


def event(**fields: Any) -> Obj:
    o: Obj = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "web.1", "namespace": "default"},
        "eventTime": NOW,
        "regarding": {"kind": "Pod", "namespace": "default", "name": "web"},
        "reason": "Started",
        "action": "Start",
        "note": "started",
        "type": "Normal",
        "reportingController": "k8s.io/kubelet",
        "reportingInstance": "node-1",
    }
    for key, value in fields.items():
        if value is None:
            o.pop(key, None)
        else:
            o[key] = value
    return o


def messages(o: Obj) -> list[str]:
    return [e.error() for e in STRATEGY.validate(o)]


def test_a_complete_event_is_valid() -> None:
    assert messages(event()) == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"reportingController": None},
            [
                "reportingController: Required value",
                'reportingController: Invalid value: "": name part must be non-empty',
                'reportingController: Invalid value: "": name part must consist of alphanumeric '
                "characters, '-', '_' or '.', and must start and end with an alphanumeric "
                "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ],
            id="no reporting controller (also not a qualified name)",
        ),
        pytest.param(
            {"reportingInstance": None},
            ["reportingInstance: Required value"],
            id="no reporting instance",
        ),
        pytest.param({"action": None}, ["action: Required value"], id="no action"),
        pytest.param({"reason": None}, ["reason: Required value"], id="no reason"),
        pytest.param(
            {"reason": "r" * 129},
            ['reason: Invalid value: "": can have at most 128 characters'],
            id="a reason longer than 128",
        ),
        pytest.param(
            {"note": "n" * 1025},
            ['message: Invalid value: "": can have at most 1024 characters'],
            id="a note longer than 1024 (reported on core's message)",
        ),
        pytest.param(
            {"type": "Info"},
            ['type: Invalid value: "": has invalid value: Info'],
            id="a type other than Normal and Warning",
        ),
        pytest.param(
            {"deprecatedCount": 3},
            ['deprecatedCount: Invalid value: "": needs to be unset'],
            id="the deprecated count",
        ),
        pytest.param(
            {"deprecatedSource": {"component": "kubelet"}},
            ['deprecatedSource: Invalid value: "": needs to be unset'],
            id="the deprecated source",
        ),
        pytest.param(
            {"series": {"count": 1}},
            [
                'series.count: Invalid value: "": should be at least 2',
                "series.lastObservedTime: Required value",
            ],
            id="a series of one without a last observed time",
        ),
        pytest.param(
            {"regarding": {"kind": "Pod", "namespace": "other", "name": "web"}, "eventTime": None},
            [
                'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
                "eventTime: Required value",
            ],
            id="no eventTime, and the regarding namespace must match",
        ),
    ],
)
def test_invalid_events(fields: Obj, expected: list[str]) -> None:
    assert messages(event(**fields)) == expected


def test_a_cluster_scoped_regarding_object_needs_default_or_kube_system() -> None:
    o = event(regarding={"kind": "Node", "name": "node-1"})
    o["metadata"]["namespace"] = "team-a"
    assert messages(o) == [
        'involvedObject.namespace: Invalid value: "": does not match event.namespace'
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param({"series": {"count": 2, "lastObservedTime": NOW}}, [], id="a series grows"),
        pytest.param(
            {"note": "other"},
            ['message: Invalid value: "other": field is immutable'],
            id="the note is immutable",
        ),
        pytest.param(
            {"reportingInstance": "node-2"},
            ['reportingInstance: Invalid value: "node-2": field is immutable'],
            id="the reporting instance is immutable",
        ),
    ],
)
def test_event_updates(change: Obj, expected: list[str]) -> None:
    old = event()
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old) | change
    assert [e.error() for e in STRATEGY.validate_update(new, old)] == expected
