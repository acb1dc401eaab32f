"""The ``null`` Go's encoding writes for an unset struct-valued time.

``metav1.Time`` and ``MicroTime`` are structs, which ``omitempty`` never drops, and marshal
as ``null`` when zero; only ``omitzero`` (``ObjectMeta.creationTimestamp``) leaves them out.
So kube-apiserver v1.37.2 stores and serves ``lastProbeTime: null`` in every pod condition,
``eventTime: null`` in a core Event written without one, and no ``creationTimestamp`` in a
pod template (``tests/e2e/test_time_nulls.py`` checks both clusters). The generator asks
``encoding/json`` itself which fields those are (the ``null`` times among a struct's
``zeros``); these tests pin its answer and what :func:`fill_zeros` and ``clean_body`` do
with the times (``test_gojson_zeros.py`` covers the other zero values).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.api import gojson, schema

_META = "k8s.io/apimachinery/pkg/apis/meta/v1."
_CORE = "k8s.io/api/core/v1."


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param(
            _CORE + "PodCondition",
            ("lastProbeTime", "lastTransitionTime"),
            id="a pod condition's two times",
        ),
        pytest.param(
            _CORE + "NodeCondition",
            ("lastHeartbeatTime", "lastTransitionTime"),
            id="a node condition's two times",
        ),
        pytest.param(
            "k8s.io/api/batch/v1.JobCondition",
            ("lastProbeTime", "lastTransitionTime"),
            id="a job condition's two times",
        ),
        pytest.param(
            "k8s.io/api/apps/v1.DeploymentCondition",
            ("lastTransitionTime", "lastUpdateTime"),
            id="a deployment condition's two times",
        ),
        pytest.param(
            _CORE + "ContainerStateRunning", ("startedAt",), id="a running container's start"
        ),
        pytest.param(
            _CORE + "ContainerStateTerminated",
            ("finishedAt", "startedAt"),
            id="a terminated container's start and end",
        ),
        pytest.param(
            _CORE + "Event",
            ("eventTime", "firstTimestamp", "lastTimestamp"),
            id="a core Event's three times, MicroTime included",
        ),
        pytest.param(
            _META + "Condition",
            ("lastTransitionTime",),
            id="a metav1.Condition's transition, required and not omitempty",
        ),
        pytest.param(
            _META + "ObjectMeta",
            (),
            id="creationTimestamp is omitzero, deletionTimestamp a pointer: neither is null",
        ),
        pytest.param(_CORE + "PodStatus", (), id="a pod's startTime is a pointer, never null"),
    ],
)
def test_the_go_types_say_which_fields_encode_as_null(key: str, expected: tuple[str, ...]) -> None:
    fields = gojson.go_type(key)["fields"]
    nulls = tuple(
        sorted(
            name
            for name, zero in gojson.zero_fields(key).items()
            if zero is None and gojson.go_type(fields[name])["shape"] == "time"
        )
    )
    assert nulls == expected


def _pod(status: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": status}


@pytest.mark.parametrize(
    ("api_version", "kind", "body", "expected"),
    [
        pytest.param(
            "v1",
            "Pod",
            _pod(
                {
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "True",
                            "lastTransitionTime": "2026-01-01T00:00:00Z",
                        }
                    ]
                }
            ),
            _pod(
                {
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "True",
                            "lastTransitionTime": "2026-01-01T00:00:00Z",
                            "lastProbeTime": None,
                        }
                    ]
                }
            ),
            id="a condition without lastProbeTime gets lastProbeTime null",
        ),
        pytest.param(
            "v1",
            "Pod",
            _pod(
                {
                    "containerStatuses": [
                        {
                            "name": "c",
                            "state": {"running": {}},
                            "lastState": {"terminated": {"exitCode": 1}},
                        }
                    ]
                }
            ),
            _pod(
                {
                    "containerStatuses": [
                        {
                            "name": "c",
                            "state": {"running": {"startedAt": None}},
                            "lastState": {
                                "terminated": {"exitCode": 1, "startedAt": None, "finishedAt": None}
                            },
                        }
                    ]
                }
            ),
            id="container states present get their unset times as null",
        ),
        pytest.param(
            "v1",
            "Pod",
            _pod({"containerStatuses": [{"name": "c", "state": {}}]}),
            _pod({"containerStatuses": [{"name": "c", "state": {}}]}),
            id="an absent container state stays absent (its pointer is nil)",
        ),
        pytest.param(
            "v1",
            "Event",
            {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "reason": "X"},
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": "e"},
                "reason": "X",
                "eventTime": None,
                "firstTimestamp": None,
                "lastTimestamp": None,
            },
            id="a core Event without times gets all three as null",
        ),
        pytest.param(
            "batch/v1",
            "Job",
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": "j"},
                "spec": {"template": {"metadata": {"labels": {"a": "b"}}}},
            },
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": "j"},
                "spec": {"template": {"metadata": {"labels": {"a": "b"}}}},
            },
            id="a pod template gets no creationTimestamp",
        ),
        pytest.param(
            "v1",
            "ConfigMap",
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "c"},
                "data": {"k": "v"},
            },
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "c"},
                "data": {"k": "v"},
            },
            id="a kind without such times is left as it is",
        ),
    ],
)
def test_fill_zeros_writes_the_nulls_go_encodes(
    api_version: str, kind: str, body: dict[str, Any], expected: dict[str, Any]
) -> None:
    gojson.fill_zeros(api_version, kind, body)
    assert _times(body) == expected


def _times(value: Any) -> Any:
    """``value`` without the zero values that are not times (``""``, ``0``, ``false``, the
    ``null`` of a list, a struct left ``{}`` by them), which test_gojson_zeros.py pins."""
    if isinstance(value, list):
        return [_times(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if item in ("", 0, False) or (item is None and key in _NIL_LISTS):
            continue
        kept = _times(item)
        if kept == {} and (item != {} or key in _ZERO_STRUCTS):
            continue
        out[key] = kept
    return out


_NIL_LISTS = {"containers"}
_ZERO_STRUCTS = {"involvedObject", "lastState", "source", "spec", "status", "resources"}


def test_a_time_already_set_is_kept() -> None:
    body = _pod({"conditions": [{"type": "Ready", "lastProbeTime": "2026-01-01T00:00:00Z"}]})
    before = copy.deepcopy(body)
    before["status"]["conditions"][0]["lastTransitionTime"] = None
    gojson.fill_zeros("v1", "Pod", body)
    assert _times(body) == before


def test_decoding_a_body_keeps_the_null_of_an_unset_condition_time() -> None:
    # clean_body drops null fields (Go leaves them unset), then writes back the ones Go
    # encodes as null: a client's lastProbeTime: null survives, and so does an omitted one.
    body = _pod(
        {
            "conditions": [
                {"type": "A", "status": "True", "lastProbeTime": None},
                {"type": "B", "status": "True", "reason": None},
            ]
        }
    )
    schema.clean_body("v1", "Pod", body)
    assert body["status"]["conditions"] == [
        {"type": "A", "status": "True", "lastProbeTime": None, "lastTransitionTime": None},
        {"type": "B", "status": "True", "lastProbeTime": None, "lastTransitionTime": None},
    ]


def test_the_schema_marks_the_same_fields_as_present_in_a_typed_object() -> None:
    # server-side apply's typed comparison sees them (f:lastProbeTime in managedFields)
    node = schema.definition("io.k8s.api.core.v1.PodCondition")["properties"]
    assert {name for name, prop in node.items() if prop.get("x-mlkube-not-omitempty")} == {
        "lastProbeTime",
        "lastTransitionTime",
    }
