"""The kubelet's words for pod status: condition reasons and messages
(``pkg/kubelet/status/generate.go``, ``generate_test.go``), the CrashLoopBackOff message
(``kuberuntime_manager.go`` doBackOff) and image references as containerd reports them."""

from __future__ import annotations

import pytest

from mlkube.engine.kubelet import podstatus

from .builders import make_pod


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        pytest.param(10, "back-off 10s", id="the first back-off"),
        pytest.param(80, "back-off 1m20s", id="minutes are written as Go writes durations"),
        pytest.param(300, "back-off 5m0s", id="the cap"),
    ],
)
def test_the_crash_loop_message_names_the_delay_container_and_pod(seconds: int, text: str) -> None:
    pod = make_pod("p", "ml").build()
    pod["metadata"]["uid"] = "u-1"
    assert podstatus.backoff_message(seconds, "main", pod) == (
        f"{text} restarting failed container=main pod=p_ml(u-1)"
    )


def test_unready_containers_are_listed_as_a_go_slice() -> None:
    # generate_test.go: "containers with unready status: [1234 5678]"
    assert podstatus.unready_message(["1234", "5678"]) == (
        "containers with unready status: [1234 5678]"
    )


@pytest.mark.parametrize(
    ("image", "ref"),
    [
        pytest.param("busybox:1.36", "docker.io/library/busybox:1.36", id="an official image"),
        pytest.param("busybox", "docker.io/library/busybox:latest", id="no tag means latest"),
        pytest.param("team/train:v2", "docker.io/team/train:v2", id="a Docker Hub user image"),
        pytest.param(
            "ghcr.io/team/train:v2", "ghcr.io/team/train:v2", id="a registry host is kept"
        ),
        pytest.param(
            "localhost:5000/train", "localhost:5000/train:latest", id="a registry with a port"
        ),
    ],
)
def test_images_are_reported_fully_qualified(image: str, ref: str) -> None:
    assert podstatus.image_ref(image) == ref
    assert podstatus.image_id(image).startswith(ref.rsplit(":", 1)[0] + "@sha256:")


def _statuses(ready: bool) -> list[dict]:
    return [{"name": "main", "ready": ready}]


@pytest.mark.parametrize(
    ("phase", "ready", "expected"),
    [
        pytest.param(
            "Running",
            True,
            {"Ready": ("True", None, None), "Initialized": ("True", None, None)},
            id="a running ready pod",
        ),
        pytest.param(
            "Running",
            False,
            {
                "Ready": (
                    "False",
                    "ContainersNotReady",
                    "containers with unready status: [main]",
                ),
                "ContainersReady": (
                    "False",
                    "ContainersNotReady",
                    "containers with unready status: [main]",
                ),
            },
            id="an unready container makes the pod unready",
        ),
        pytest.param(
            "Succeeded",
            False,
            {
                "Ready": ("False", "PodCompleted", None),
                "ContainersReady": ("False", "PodCompleted", None),
                "Initialized": ("True", "PodCompleted", None),
                "PodReadyToStartContainers": ("False", None, None),
            },
            id="a succeeded pod is PodCompleted",
        ),
        pytest.param(
            "Failed",
            False,
            {
                "Ready": ("False", "PodFailed", None),
                "ContainersReady": ("False", "PodFailed", None),
                "Initialized": ("True", None, None),
            },
            id="a failed pod is PodFailed and stays initialized without a reason",
        ),
    ],
)
def test_conditions_carry_the_kubelets_reasons(
    phase: str, ready: bool, expected: dict[str, tuple]
) -> None:
    pod = make_pod().build()
    got = {
        c["type"]: (c["status"], c.get("reason"), c.get("message"))
        for c in podstatus.conditions(pod, _statuses(ready), phase, "2026-01-01T00:00:00Z")
    }
    for kind, value in expected.items():
        assert got[kind] == value


def test_conditions_come_in_the_kubelets_order_after_foreign_ones() -> None:
    pod = make_pod().build()
    pod["status"] = {
        "conditions": [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": "t0"},
            {"type": "DisruptionTarget", "status": "True", "lastTransitionTime": "t0"},
        ]
    }
    kinds = [c["type"] for c in podstatus.conditions(pod, _statuses(True), "Running", "t1")]
    assert kinds == [
        "DisruptionTarget",
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]


def test_a_condition_keeps_its_transition_time_while_its_status_holds() -> None:
    pod = make_pod().build()
    pod["status"] = {
        "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "t0"}]
    }
    by_type = {c["type"]: c for c in podstatus.conditions(pod, _statuses(True), "Running", "t1")}
    assert by_type["Ready"]["lastTransitionTime"] == "t0"
    assert by_type["Initialized"]["lastTransitionTime"] == "t1"
