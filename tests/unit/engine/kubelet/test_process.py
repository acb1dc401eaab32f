"""The local process runtime: pods on a ``sim.mlkube.io/runtime: process`` node run real
Python scripts, under the same lifecycle rules as any pod.

Environment resolution follows ``kubelet_pods.go`` makeEnvironmentVariables
(``kubelet_pods_test.go`` TestMakeEnvironmentVariables: values, $(VAR) expansion,
fieldRef, configMapKeyRef, secretKeyRef, resourceFieldRef); killing follows
``kuberuntime_container.go`` killContainer (SIGTERM, SIGKILL after the grace period).
Processes run in wall time; virtual time is advanced in small steps while waiting, with a
generous wall-clock budget that only guards against a hang.
"""

from __future__ import annotations

import base64
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mlkube.engine.cluster import Cluster

from .builders import NS, cluster, kubelet_of, make_node, make_pod, state

INDEX = "batch.kubernetes.io/job-completion-index"

TRAIN = """\
import os, pathlib, sys
index = os.environ["JOB_COMPLETION_INDEX"]
print(f"index={index} lr={os.environ['LR']} token={os.environ['TOKEN']} cpus={os.environ['CPUS']}")
print("greeting=" + os.environ["GREETING"])
data = pathlib.Path(os.environ["MLKUBE_MOUNT_DATA"])
(data / f"shard-{index}.txt").write_text(index)
print("seen=" + ",".join(sorted(p.name for p in data.iterdir())))
sys.exit(int(os.environ.get("EXIT", "0")))
"""

HANG = """\
import signal, sys, time
def term(signum, frame):
    print("got SIGTERM, ignoring it", flush=True)
signal.signal(signal.SIGTERM, term)
print("ready", flush=True)
while True:
    time.sleep(0.05)
"""

FLAKY = """\
import os, pathlib, sys
marker = pathlib.Path(os.environ["MLKUBE_MOUNT_SCRATCH"]) / "attempts"
attempt = int(marker.read_text()) + 1 if marker.exists() else 1
marker.write_text(str(attempt))
print(f"attempt {attempt}", flush=True)
sys.exit(1 if attempt == 1 else 0)
"""


def wait(c: Cluster, done: Callable[[], bool], *, step: float = 0.1, budget: float = 30.0) -> None:
    """Advance virtual time in ``step``s until ``done()``; fail after ``budget`` wall seconds."""
    deadline = time.monotonic() + budget
    while not done():
        if time.monotonic() > deadline:
            pytest.fail("the processes did not get there within the wall-clock budget")
        c.advance(step)
        time.sleep(0.005)


def settle(c: Cluster, done: Callable[[], bool], budget: float = 30.0) -> None:
    """Wait in wall time without moving virtual time."""
    deadline = time.monotonic() + budget
    while not done():
        if time.monotonic() > deadline:
            pytest.fail("the processes did not get there within the wall-clock budget")
        c.run_until_idle()
        time.sleep(0.01)


@pytest.fixture
def c(tmp_path: Path) -> Iterator[Cluster]:
    c = cluster(state_dir=tmp_path / "state")
    c.create(make_node("laptop").process().capacity(cpu="8", memory="16Gi").build())
    c.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "hparams", "namespace": NS},
            "data": {"lr": "0.01"},
        }
    )
    c.create(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "creds", "namespace": NS},
            "data": {"token": base64.b64encode(b"s3cr3t").decode()},
        }
    )
    c.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": NS},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
    )
    c.run_until_idle()
    yield c
    kubelet_of(c).close()


def script(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def trainer(name: str, index: int, path: str, **extra: Any) -> dict[str, Any]:
    env = [
        {
            "name": "JOB_COMPLETION_INDEX",
            "valueFrom": {"fieldRef": {"fieldPath": f"metadata.annotations['{INDEX}']"}},
        },
        {"name": "LR", "valueFrom": {"configMapKeyRef": {"name": "hparams", "key": "lr"}}},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
        {
            "name": "CPUS",
            "valueFrom": {"resourceFieldRef": {"containerName": "main", "resource": "limits.cpu"}},
        },
        {"name": "WHO", "value": "trainer"},
        {"name": "GREETING", "value": "hello $(WHO) #$(JOB_COMPLETION_INDEX)"},
        *extra.pop("env", []),
    ]
    pod = (
        make_pod(name)
        .annotate(**{INDEX: str(index)})
        .restart("Never")
        .on("laptop")
        .container(
            command=[sys.executable, path],
            env=env,
            volumeMounts=[{"name": "data", "mountPath": "/data"}],
        )
        .build()
    )
    pod["spec"]["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    pod["spec"].update(extra)
    return pod


def phase(c: Cluster, name: str) -> str:
    return str(c.get("pods", name, NS)["status"]["phase"])


def test_indexed_pods_run_a_real_script_with_their_environment_and_shared_data(
    c: Cluster, tmp_path: Path
) -> None:
    path = script(tmp_path, "train.py", TRAIN)
    for i in range(2):
        c.create(trainer(f"train-{i}", i, path))
    wait(c, lambda: all(phase(c, f"train-{i}") == "Succeeded" for i in range(2)))
    logs = [kubelet_of(c).logs(NS, f"train-{i}", "main") for i in range(2)]
    assert logs[0].splitlines()[:2] == [
        "index=0 lr=0.01 token=s3cr3t cpus=8",
        "greeting=hello trainer #0",
    ]
    assert logs[1].splitlines()[0] == "index=1 lr=0.01 token=s3cr3t cpus=8"
    # The claim's data outlives the pods: a later pod sees both shards.
    c.create(trainer("train-2", 2, path))
    wait(c, lambda: phase(c, "train-2") == "Succeeded")
    assert kubelet_of(c).logs(NS, "train-2", "main").splitlines()[-1] == (
        "seen=shard-0.txt,shard-1.txt,shard-2.txt"
    )
    terminated = state(c.get("pods", "train-2", NS))["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (0, "Completed")


def test_a_failing_script_reports_its_exit_code(c: Cluster, tmp_path: Path) -> None:
    path = script(tmp_path, "train.py", TRAIN)
    c.create(trainer("train-0", 0, path, env=[{"name": "EXIT", "value": "3"}]))
    wait(c, lambda: phase(c, "train-0") == "Failed")
    terminated = state(c.get("pods", "train-0", NS))["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (3, "Error")


def test_a_restarted_container_keeps_its_previous_log(c: Cluster, tmp_path: Path) -> None:
    path = script(tmp_path, "flaky.py", FLAKY)
    pod = (
        make_pod("flaky")
        .restart("OnFailure")
        .on("laptop")
        .container(
            command=[sys.executable, path],
            volumeMounts=[{"name": "scratch", "mountPath": "/scratch"}],
        )
        .build()
    )
    pod["spec"]["volumes"] = [{"name": "scratch", "emptyDir": {}}]
    c.create(pod)
    wait(c, lambda: phase(c, "flaky") == "Succeeded")
    main = c.get("pods", "flaky", NS)["status"]["containerStatuses"][0]
    assert main["restartCount"] == 1
    assert kubelet_of(c).logs(NS, "flaky", "main") == "attempt 2\n"
    assert kubelet_of(c).logs(NS, "flaky", "main", previous=True) == "attempt 1\n"


def test_a_hung_process_past_its_deadline_gets_sigterm_then_sigkill(
    c: Cluster, tmp_path: Path
) -> None:
    path = script(tmp_path, "hang.py", HANG)
    pod = (
        make_pod("hung")
        .restart("Never")
        .deadline(2)
        .grace(3)
        .on("laptop")
        .container(command=[sys.executable, path])
        .build()
    )
    c.create(pod)
    log = lambda: kubelet_of(c).logs(NS, "hung", "main")  # noqa: E731
    settle(c, lambda: "ready" in log())
    c.advance(2)  # the deadline: SIGTERM, which the script ignores
    settle(c, lambda: "got SIGTERM" in log())
    assert phase(c, "hung") == "Running"
    c.advance(2.9)
    assert phase(c, "hung") == "Running"  # still inside the 3 s grace period
    wait(c, lambda: phase(c, "hung") == "Failed")
    status = c.get("pods", "hung", NS)["status"]
    assert (status["reason"], status["message"]) == (
        "DeadlineExceeded",
        "Pod was active on the node longer than the specified deadline",
    )
    terminated = state(c.get("pods", "hung", NS))["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (137, "Error")
    assert c.clock.monotonic() >= 5.0


def test_deleting_a_process_pod_stops_its_process(c: Cluster, tmp_path: Path) -> None:
    path = script(tmp_path, "hang.py", HANG)
    c.create(
        make_pod("hung").on("laptop").grace(1).container(command=[sys.executable, path]).build()
    )
    settle(c, lambda: "ready" in kubelet_of(c).logs(NS, "hung", "main"))
    c.delete("pods", "hung", NS)

    def deleted() -> bool:
        return not [p for p in c.list("pods", NS) if p["metadata"]["name"] == "hung"]

    wait(c, deleted)
    assert "got SIGTERM" in kubelet_of(c).logs(NS, "hung", "main")


INDEXED = """\
import os, time
index = os.environ["JOB_COMPLETION_INDEX"]
print(f"training shard {index}", flush=True)
if index == "3":
    time.sleep(3600)  # hangs: the Job's deadline has to stop it
"""


@pytest.mark.slow
def test_an_indexed_job_runs_real_processes_and_its_deadline_kills_a_hung_one(
    tmp_path: Path,
) -> None:
    # The issue's acceptance: an Indexed Job of 4 with parallelism 2 on a process node.
    from mlkube.engine.controllers.job import JobController

    c = cluster(lambda cl: JobController(cl.api, cl.clock), state_dir=tmp_path / "state")
    try:
        c.create(make_node("laptop").process().build())
        path = script(tmp_path, "indexed.py", INDEXED)
        c.create(
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": "train", "namespace": NS},
                "spec": {
                    "completionMode": "Indexed",
                    "completions": 4,
                    "parallelism": 2,
                    "backoffLimit": 0,
                    "activeDeadlineSeconds": 8,
                    "template": {
                        "spec": {
                            "nodeName": "laptop",
                            "restartPolicy": "Never",
                            "terminationGracePeriodSeconds": 1,
                            "containers": [
                                {
                                    "name": "main",
                                    "image": "python:3.11",
                                    "command": [sys.executable, path],
                                }
                            ],
                        }
                    },
                },
            }
        )

        def pods_by_index() -> dict[str, dict[str, Any]]:
            return {
                p["metadata"]["annotations"][INDEX]: p
                for p in c.list("pods", NS)
                if p["metadata"].get("annotations", {}).get(INDEX) is not None
            }

        def finished(job: dict[str, Any]) -> bool:
            return any(
                k["type"] == "Failed" and k["status"] == "True"
                for k in job.get("status", {}).get("conditions") or []
            )

        hung: set[str] = set()

        def done() -> bool:
            hung.update(p["metadata"]["name"] for i, p in pods_by_index().items() if i == "3")
            return finished(c.get("jobs", "train", NS))

        wait(c, done, step=0.2, budget=60)
        job = c.get("jobs", "train", NS)
        assert job["status"]["completedIndexes"] == "0-2"
        failed = next(k for k in job["status"]["conditions"] if k["type"] == "Failed")
        assert failed["reason"] == "DeadlineExceeded"
        logs = {
            i: kubelet_of(c).logs(NS, p["metadata"]["name"], "main")
            for i, p in pods_by_index().items()
        }
        for i in ("0", "1", "2"):
            assert logs[i] == f"training shard {i}\n"
        # The hung index ran, and its pod was stopped and deleted at the deadline.
        assert len(hung) == 1
        (name,) = hung
        assert kubelet_of(c).logs(NS, name, "main") == "training shard 3\n"
        assert name not in {p["metadata"]["name"] for p in c.list("pods", NS)}
    finally:
        kubelet_of(c).close()
