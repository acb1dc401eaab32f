"""Table output: kubectl's columns and cells, as the printers in printers.go compute them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mlkube.api.registry import lookup
from mlkube.server.tables import human_duration, printer_for, table
from tests.unit.server.conftest import TABLE_ACCEPT, Http, configmap, pod

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def _ago(seconds: int) -> str:
    return (NOW - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        pytest.param(-2, "<invalid>", id="more than a second in the future is invalid"),
        pytest.param(0, "0s", id="zero"),
        pytest.param(119, "119s", id="under two minutes in seconds"),
        pytest.param(125, "2m5s", id="under ten minutes with seconds"),
        pytest.param(180, "3m", id="whole minutes drop the seconds"),
        pytest.param(600, "10m", id="ten minutes and up in minutes"),
        pytest.param(179 * 60, "179m", id="under three hours in minutes"),
        pytest.param(3 * 3600, "3h", id="three hours"),
        pytest.param(7 * 3600 + 59 * 60, "7h59m", id="under eight hours with minutes"),
        pytest.param(47 * 3600, "47h", id="under two days in hours"),
        pytest.param(2 * 86400, "2d", id="two days"),
        pytest.param(7 * 86400 + 23 * 3600, "7d23h", id="under eight days with hours"),
        pytest.param(729 * 86400, "729d", id="under two years in days"),
        pytest.param(2 * 365 * 86400, "2y", id="two years"),
        pytest.param(7 * 365 * 86400 + 364 * 86400, "7y364d", id="under eight years with days"),
        pytest.param(9 * 365 * 86400, "9y", id="eight years and up in years"),
    ],
)
def test_human_duration_follows_duration_go(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def _pod_row(obj: dict[str, Any]) -> list[Any]:
    doc = table(lookup("pods"), [obj], NOW)
    cells: list[Any] = doc["rows"][0]["cells"]
    return cells


def _pod(status: dict[str, Any], **spec: Any) -> dict[str, Any]:
    obj = pod("p")
    obj["metadata"]["creationTimestamp"] = _ago(300)
    obj["spec"].update(spec)
    obj["status"] = status
    return obj


def _running(ready: bool = True, restarts: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "name": "main",
        "ready": ready,
        "restartCount": restarts,
        "state": {"running": {"startedAt": _ago(60)}},
        **extra,
    }


@pytest.mark.parametrize(
    ("status", "ready", "reason", "restarts"),
    [
        pytest.param({"phase": "Pending"}, "0/1", "Pending", "0", id="a pending pod"),
        pytest.param(
            {
                "phase": "Pending",
                "containerStatuses": [
                    {
                        "name": "main",
                        "ready": False,
                        "restartCount": 0,
                        "state": {"waiting": {"reason": "ContainerCreating"}},
                    }
                ],
            },
            "0/1",
            "ContainerCreating",
            "0",
            id="a waiting container's reason wins",
        ),
        pytest.param(
            {"phase": "Running", "containerStatuses": [_running()]},
            "1/1",
            "Running",
            "0",
            id="a running ready pod",
        ),
        pytest.param(
            {
                "phase": "Running",
                "containerStatuses": [
                    _running(
                        restarts=3,
                        lastState={"terminated": {"exitCode": 1, "finishedAt": _ago(135)}},
                    )
                ],
            },
            "1/1",
            "Running",
            "3 (2m15s ago)",
            id="restarts show when the last one was",
        ),
        pytest.param(
            {
                "phase": "Succeeded",
                "containerStatuses": [
                    {
                        "name": "main",
                        "ready": False,
                        "restartCount": 0,
                        "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
                    }
                ],
            },
            "0/1",
            "Completed",
            "0",
            id="a finished pod is Completed",
        ),
        pytest.param(
            {
                "phase": "Failed",
                "containerStatuses": [
                    {
                        "name": "main",
                        "ready": False,
                        "restartCount": 0,
                        "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}},
                    }
                ],
            },
            "0/1",
            "OOMKilled",
            "0",
            id="a container killed for memory",
        ),
        pytest.param(
            {
                "phase": "Failed",
                "containerStatuses": [
                    {
                        "name": "main",
                        "ready": False,
                        "restartCount": 0,
                        "state": {"terminated": {"exitCode": 2}},
                    }
                ],
            },
            "0/1",
            "ExitCode:2",
            "0",
            id="a terminated container without reason shows its exit code",
        ),
    ],
)
def test_pod_ready_status_and_restarts(
    status: dict[str, Any], ready: str, reason: str, restarts: str
) -> None:
    assert _pod_row(_pod(status))[:5] == ["p", ready, reason, restarts, "5m"]


def test_the_second_of_three_init_containers_shows_init_progress() -> None:
    inits = [{"name": n, "image": "busybox"} for n in ("a", "b", "c")]
    status = {
        "phase": "Pending",
        "initContainerStatuses": [
            {"name": "a", "restartCount": 0, "state": {"terminated": {"exitCode": 0}}},
            {"name": "b", "restartCount": 0, "state": {"running": {}}},
            {"name": "c", "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}},
        ],
    }
    assert _pod_row(_pod(status, initContainers=inits))[2] == "Init:1/3"


def test_a_pod_being_deleted_is_terminating() -> None:
    obj = _pod({"phase": "Running", "containerStatuses": [_running()]})
    obj["metadata"]["deletionTimestamp"] = _ago(0)
    assert _pod_row(obj)[2] == "Terminating"


def test_wide_pod_cells_and_the_completed_row_condition() -> None:
    obj = _pod({"phase": "Succeeded", "podIPs": [{"ip": "10.0.0.7"}]}, nodeName="n1")
    row = table(lookup("pods"), [obj], NOW)["rows"][0]
    assert row["cells"][5:] == ["10.0.0.7", "n1", "<none>", "<none>"]
    assert row["conditions"] == [
        {
            "type": "Completed",
            "status": "True",
            "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        }
    ]


def _job(spec: dict[str, Any], status: dict[str, Any]) -> dict[str, Any]:
    template = {"spec": {"containers": [{"name": "main", "image": "trainer:1"}]}}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "train", "creationTimestamp": _ago(3600)},
        "spec": {"template": template, **spec},
        "status": status,
    }


@pytest.mark.parametrize(
    ("spec", "status", "cells"),
    [
        pytest.param(
            {"completions": 4, "parallelism": 2},
            {"succeeded": 1, "startTime": _ago(90)},
            ["Running", "1/4", "90s"],
            id="a running job counts completions and its duration so far",
        ),
        pytest.param(
            {"parallelism": 3},
            {"succeeded": 0},
            ["Running", "0/1 of 3", ""],
            id="a job without completions shows its parallelism; no start, no duration",
        ),
        pytest.param(
            {"completions": 1},
            {
                "succeeded": 1,
                "startTime": _ago(600),
                "completionTime": _ago(300),
                "conditions": [{"type": "Complete", "status": "True"}],
            },
            ["Complete", "1/1", "5m"],
            id="a complete job's duration is start to completion",
        ),
        pytest.param(
            {},
            {"conditions": [{"type": "Failed", "status": "True"}]},
            ["Failed", "0/1", ""],
            id="a failed job",
        ),
    ],
)
def test_job_status_completions_and_duration(
    spec: dict[str, Any], status: dict[str, Any], cells: list[str]
) -> None:
    row = table(lookup("jobs"), [_job(spec, status)], NOW)["rows"][0]["cells"]
    assert row[1:4] == cells
    assert row[4:7] == ["60m", "main", "trainer:1"]


@pytest.mark.parametrize(
    ("conditions", "unschedulable", "status"),
    [
        pytest.param([{"type": "Ready", "status": "True"}], False, "Ready", id="ready"),
        pytest.param(
            [{"type": "Ready", "status": "Unknown"}], False, "NotReady", id="unknown is NotReady"
        ),
        pytest.param([], False, "Unknown", id="no Ready condition at all"),
        pytest.param(
            [{"type": "Ready", "status": "True"}],
            True,
            "Ready,SchedulingDisabled",
            id="a cordoned node",
        ),
    ],
)
def test_node_status(conditions: list[Any], unschedulable: bool, status: str) -> None:
    node = {
        "metadata": {
            "name": "n1",
            "creationTimestamp": _ago(60),
            "labels": {"node-role.kubernetes.io/worker": "", "kubernetes.io/role": "gpu"},
        },
        "spec": {"unschedulable": unschedulable},
        "status": {"conditions": conditions, "nodeInfo": {"kubeletVersion": "v1.37.0"}},
    }
    cells = table(lookup("nodes"), [node], NOW)["rows"][0]["cells"]
    assert cells[:5] == ["n1", status, "gpu,worker", "60s", "v1.37.0"]


def test_quota_cells_split_requests_and_limits() -> None:
    quota = {
        "metadata": {"name": "q", "creationTimestamp": _ago(10)},
        "status": {
            "hard": {"pods": "10", "requests.cpu": "2", "limits.cpu": "4"},
            "used": {"pods": "1", "requests.cpu": "100m", "limits.cpu": "0"},
        },
    }
    cells = table(lookup("quota"), [quota], NOW)["rows"][0]["cells"]
    assert cells == ["q", "pods: 1/10, requests.cpu: 100m/2", "limits.cpu: 0/4", "10s"]


def test_a_resource_without_a_printer_gets_name_and_created_at() -> None:
    printer = printer_for(lookup("limitranges"))
    doc = table(
        lookup("limitranges"), [{"metadata": {"name": "l", "creationTimestamp": _ago(5)}}], NOW
    )
    assert [(c["name"], c["type"]) for c in doc["columnDefinitions"]] == [
        ("Name", "string"),
        ("Created At", "date"),
    ]
    assert doc["rows"][0]["cells"] == ["l", _ago(5)]
    assert printer.columns[0][0] == "Name"


def test_column_definitions_mark_wide_columns_with_priority_one() -> None:
    columns = table(lookup("pods"), [], NOW)["columnDefinitions"]
    assert [(c["name"], c["priority"]) for c in columns] == [
        ("Name", 0),
        ("Ready", 0),
        ("Status", 0),
        ("Restarts", 0),
        ("Age", 0),
        ("IP", 1),
        ("Node", 1),
        ("Nominated Node", 1),
        ("Readiness Gates", 1),
    ]
    assert columns[0]["format"] == "name"


def test_kubectls_accept_header_gets_a_table_for_a_list(api: Http) -> None:
    api.post("/api/v1/namespaces/default/configmaps", configmap("a", k="1", j="2"))
    reply = api.get(
        "/api/v1/namespaces/default/configmaps?limit=500", headers={"Accept": TABLE_ACCEPT}
    )
    body = reply.json()
    assert (body["kind"], body["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    rows = {r["cells"][0]: r for r in body["rows"]}
    assert rows["a"]["cells"][1] == 2
    assert rows["a"]["object"]["kind"] == "PartialObjectMetadata"
    assert body["metadata"]["resourceVersion"].isdigit()


def test_include_object_none_and_object_change_the_row_object(api: Http) -> None:
    api.post("/api/v1/namespaces/default/configmaps", configmap("a"))
    base = "/api/v1/namespaces/default/configmaps?includeObject="
    none = api.get(base + "None", headers={"Accept": TABLE_ACCEPT}).json()
    full = api.get(base + "Object", headers={"Accept": TABLE_ACCEPT}).json()
    assert all(r["object"] is None for r in none["rows"])
    assert {r["object"]["kind"] for r in full["rows"]} == {"ConfigMap"}


def test_a_single_object_get_with_the_table_accept_is_a_one_row_table(api: Http) -> None:
    created = api.post("/api/v1/namespaces/default/configmaps", configmap("a")).json()
    body = api.get(
        "/api/v1/namespaces/default/configmaps/a", headers={"Accept": TABLE_ACCEPT}
    ).json()
    assert len(body["rows"]) == 1
    assert body["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
