"""A simulated kubelet moves bound pods through their lifecycle, in virtual time.

Shapes from ``pkg/kubelet/kubelet_pods.go`` and ``status/generate.go``; restarts from
``kuberuntime_manager.go`` doBackOff and client-go ``flowcontrol/backoff_test.go``
(10 s initial, doubling, 5 min cap); deletion from ``status_manager.go`` syncPod; the
deadline from ``active_deadline_test.go`` (reason DeadlineExceeded and its message).
"""

from __future__ import annotations

import pytest

from mlkube.api.registry import lookup
from mlkube.engine.cluster import Cluster

from .builders import (
    NS,
    Pod,
    bind,
    cluster,
    condition,
    gone,
    make_node,
    make_pod,
    state,
    timeline,
)

PODS = lookup("pods")


@pytest.fixture
def c() -> Cluster:
    c = cluster()
    c.create(make_node("n1").build())
    c.run_until_idle()
    return c


def phase(c: Cluster, name: str = "p") -> str:
    return str(c.get("pods", name, NS)["status"]["phase"])


def test_a_bound_pod_runs_with_the_kubelets_status(c: Cluster) -> None:
    c.create(make_pod().build())
    bind(c, "p")
    c.run_until_idle()
    pod = c.get("pods", "p", NS)
    status = pod["status"]
    assert status["phase"] == "Running"
    assert status["startTime"] == "2026-01-01T00:00:00Z"
    assert status["hostIP"] == "172.18.0.2"
    assert status["hostIPs"] == [{"ip": "172.18.0.2"}]
    assert status["podIP"] == "10.0.0.1"
    assert status["podIPs"] == [{"ip": "10.0.0.1"}]
    main = status["containerStatuses"][0]
    assert main["state"] == {"running": {"startedAt": "2026-01-01T00:00:00Z"}}
    assert (main["ready"], main["started"], main["restartCount"]) == (True, True, 0)
    assert main["image"] == "docker.io/library/busybox:1.36"
    assert main["imageID"].startswith("docker.io/library/busybox@sha256:")
    assert main["containerID"].startswith("containerd://")
    assert [(k["type"], k["status"]) for k in status["conditions"]] == [
        ("PodReadyToStartContainers", "True"),
        ("Initialized", "True"),
        ("Ready", "True"),
        ("ContainersReady", "True"),
        ("PodScheduled", "True"),
    ]


def test_a_pod_waits_for_start_after_from_its_binding(c: Cluster) -> None:
    c.advance(0.5)
    c.create(make_pod().starts_after("2500ms").build())
    bind(c, "p")
    assert timeline(c, lambda: phase(c), 5, step=0.5) == [(0.5, "Pending"), (3.0, "Running")]


@pytest.mark.parametrize(
    ("pod", "outcome"),
    [
        pytest.param(make_pod(), ("Running", None), id="a bare pod runs until deleted"),
        pytest.param(
            make_pod().restart("Never").owned_by_job(),
            ("Succeeded", {"exitCode": 0, "reason": "Completed"}),
            id="a Job's pod exits right after it starts",
        ),
        pytest.param(
            make_pod().restart("Never").exits_with(3),
            ("Failed", {"exitCode": 3, "reason": "Error"}),
            id="a non-zero exit code fails a Never pod",
        ),
        pytest.param(
            make_pod().restart("OnFailure").owned_by_job(),
            ("Succeeded", {"exitCode": 0, "reason": "Completed"}),
            id="exit 0 completes an OnFailure pod",
        ),
    ],
)
def test_what_a_pod_does_is_read_from_its_annotations(
    c: Cluster, pod: Pod, outcome: tuple[str, dict | None]
) -> None:
    c.create(pod.on("n1").build())
    c.run_until_idle()
    live = c.get("pods", "p", NS)
    assert live["status"]["phase"] == outcome[0]
    if outcome[1] is not None:
        terminated = state(live)["terminated"]
        assert {k: terminated[k] for k in outcome[1]} == outcome[1]
        assert terminated["startedAt"] == terminated["finishedAt"] == "2026-01-01T00:00:00Z"


def test_a_pod_runs_for_its_run_for_then_completes(c: Cluster) -> None:
    c.create(make_pod().restart("Never").runs_for("90s").on("n1").build())
    assert timeline(c, lambda: phase(c), 120, step=10) == [(0.0, "Running"), (90.0, "Succeeded")]
    pod = c.get("pods", "p", NS)
    terminated = state(pod)["terminated"]
    assert (terminated["startedAt"], terminated["finishedAt"]) == (
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:01:30Z",
    )
    assert condition(pod, "Ready") is not None
    assert condition(pod, "Ready")["reason"] == "PodCompleted"  # type: ignore[index]


def restarts(c: Cluster) -> tuple[int, str]:
    main = c.get("pods", "p", NS)["status"]["containerStatuses"][0]
    return int(main["restartCount"]), next(iter(main["state"]))


def test_a_crashing_container_restarts_with_the_kubelets_back_off(c: Cluster) -> None:
    # Runs 5 s per attempt. The first crash restarts at once; later ones wait 10 s, 20 s,
    # 40 s, ... counted from the crash (IsInBackOffSince(finishedAt)).
    c.create(make_pod().restart("OnFailure").runs_for("5s").exits_with(1).on("n1").build())
    assert timeline(c, lambda: restarts(c), 100) == [
        (0.0, (0, "running")),
        (5.0, (1, "running")),
        (10.0, (1, "waiting")),
        (20.0, (2, "running")),
        (25.0, (2, "waiting")),
        (45.0, (3, "running")),
        (50.0, (3, "waiting")),
        (90.0, (4, "running")),
        (95.0, (4, "waiting")),
    ]


def test_the_back_off_is_capped_at_five_minutes(c: Cluster) -> None:
    c.create(make_pod().restart("Always").runs_for("1s").on("n1").build())
    c.advance(1200)
    waiting = state(c.get("pods", "p", NS))["waiting"]
    assert waiting["reason"] == "CrashLoopBackOff"
    assert waiting["message"].startswith("back-off 5m0s restarting failed container=main pod=p_")


def test_a_waiting_container_makes_the_pod_unready_and_remembers_its_last_run(
    c: Cluster,
) -> None:
    c.create(make_pod().restart("Always").runs_for("1s").exits_with(2).on("n1").build())
    c.advance(2)
    pod = c.get("pods", "p", NS)
    main = pod["status"]["containerStatuses"][0]
    assert main["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert main["lastState"]["terminated"]["exitCode"] == 2
    assert (main["ready"], main["started"]) == (False, False)
    ready = condition(pod, "Ready")
    assert ready is not None
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False",
        "ContainersNotReady",
        "containers with unready status: [main]",
    )
    assert pod["status"]["phase"] == "Running"


def test_restart_policy_always_restarts_a_clean_exit_too(c: Cluster) -> None:
    c.create(make_pod().restart("Always").runs_for("5s").on("n1").build())
    c.advance(6)
    main = c.get("pods", "p", NS)["status"]["containerStatuses"][0]
    assert main["restartCount"] == 1
    assert main["lastState"]["terminated"]["reason"] == "Completed"


@pytest.mark.parametrize(
    ("pod", "deleted_at", "exit_code"),
    [
        pytest.param(make_pod(), 0.0, 143, id="a process that stops on SIGTERM goes at once"),
        pytest.param(make_pod().stops_after("4s"), 4.0, 143, id="a slow stop is waited for"),
        pytest.param(
            make_pod().stops_after("2m").grace(10),
            10.0,
            137,
            id="a stop slower than the grace period is SIGKILLed at its end",
        ),
    ],
)
def test_a_deleted_pod_is_terminated_then_deleted_by_the_kubelet(
    c: Cluster, pod: Pod, deleted_at: float, exit_code: int
) -> None:
    c.create(pod.on("n1").build())
    c.run_until_idle()
    watch = c.api.watch(PODS, NS)
    c.delete("pods", "p", NS)
    if deleted_at > 0:
        c.advance(deleted_at - 0.5)
        assert not gone(lambda: c.get("pods", "p", NS))
        c.advance(0.5)
    else:
        c.run_until_idle()
    assert gone(lambda: c.get("pods", "p", NS))
    reported = [e.object for e in watch.drain() if e.type == "MODIFIED"]
    final = [o for o in reported if o["status"].get("phase") == "Failed"]
    assert final, "the kubelet reports the terminal phase before it deletes the pod"
    assert state(final[-1])["terminated"]["exitCode"] == exit_code


def test_active_deadline_fails_the_pod(c: Cluster) -> None:
    c.create(make_pod().restart("Never").deadline(30).on("n1").build())
    assert timeline(c, lambda: phase(c), 40, step=5) == [(0.0, "Running"), (30.0, "Failed")]
    status = c.get("pods", "p", NS)["status"]
    assert (status["reason"], status["message"]) == (
        "DeadlineExceeded",
        "Pod was active on the node longer than the specified deadline",
    )


def test_pods_on_a_node_get_distinct_ips(c: Cluster) -> None:
    for name in ("a", "b", "c"):
        c.create(make_pod(name).on("n1").build())
    c.run_until_idle()
    ips = [c.get("pods", n, NS)["status"]["podIP"] for n in ("a", "b", "c")]
    assert ips == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]


def test_a_node_with_a_pod_cidr_takes_ips_from_it() -> None:
    c = cluster()
    c.create(make_node("n1").pod_cidr("10.244.7.0/24").build())
    c.create(make_pod().on("n1").build())
    c.run_until_idle()
    assert c.get("pods", "p", NS)["status"]["podIP"] == "10.244.7.1"


def test_a_pod_on_a_stopped_node_is_left_alone() -> None:
    c = cluster()
    c.create(make_node("n1").stopped().build())
    c.create(make_pod().on("n1").build())
    c.advance(30)
    assert phase(c) == "Pending"


def test_a_pod_bound_to_a_node_that_does_not_exist_waits_for_it() -> None:
    c = cluster()
    c.create(make_pod().on("later").build())
    c.advance(5)
    assert phase(c) == "Pending"
    c.create(make_node("later").build())
    c.run_until_idle()
    assert phase(c) == "Running"


def test_status_driven_from_outside_is_respected(c: Cluster) -> None:
    # Tests may play the kubelet through the status subresource: a terminal pod is done.
    c.create(make_pod().on("n1").build())
    c.run_until_idle()
    pod = c.get("pods", "p", NS)
    pod["status"]["phase"] = "Succeeded"
    c.update_status(pod)
    c.advance(60)
    assert phase(c) == "Succeeded"


def test_a_node_whose_kubelet_is_external_is_left_to_it() -> None:
    # sim.mlkube.io/kubelet: external -- a test plays this node's kubelet by hand.
    c = cluster()
    c.create(make_node("n1").annotate(**{"sim.mlkube.io/kubelet": "external"}).build())
    c.create(make_pod().on("n1").build())
    c.advance(30)
    assert phase(c) == "Pending"
    assert "conditions" not in (c.get("nodes", "n1").get("status") or {})
    c.delete("pods", "p", NS)
    c.advance(60)
    assert not gone(lambda: c.get("pods", "p", NS))  # terminating until its kubelet acts
