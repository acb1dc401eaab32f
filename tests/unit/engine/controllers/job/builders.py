"""Builders for Job controller tests: Jobs, pod failure rules, a cluster, and a fake kubelet.

The kubelet here is the test's hand: it moves pods through the pod status subresource as an
external kubelet would (Running with startTime and containerStatuses, then Succeeded or
Failed with ``state.terminated.exitCode`` and ``finishedAt``, plus conditions such as
``DisruptionTarget``), so the controller under test sees exactly what it would see on a
real cluster.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from mlkube.api.timestamps import format_time
from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import MINIMAL_CONTROLLERS, Cluster, ControllerFactory
from mlkube.engine.controllers.job import COMPLETION_INDEX_ANNOTATION, JobController

Obj = dict[str, Any]


def job_controller(c: Cluster) -> JobController:
    return JobController(c.api)


def new_cluster(*extra: ControllerFactory) -> Cluster:
    """A cluster on a FakeClock with the default controllers, the Job controller and ``extra``."""
    return Cluster(
        clock=FakeClock(), seed=0, controllers=[*MINIMAL_CONTROLLERS, job_controller, *extra]
    )


class JobBuilder:
    """``make_job("pi").completions(3).parallelism(2).indexed().build()``."""

    def __init__(self, name: str) -> None:
        self._job: Obj = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [{"name": "main", "image": "busybox:1.36"}],
                    }
                }
            },
        }

    def _set(self, key: str, value: Any) -> JobBuilder:
        self._job["spec"][key] = value
        return self

    def completions(self, n: int | None) -> JobBuilder:
        return self._set("completions", n)

    def parallelism(self, n: int) -> JobBuilder:
        return self._set("parallelism", n)

    def indexed(self) -> JobBuilder:
        return self._set("completionMode", "Indexed")

    def backoff_limit(self, n: int) -> JobBuilder:
        return self._set("backoffLimit", n)

    def backoff_limit_per_index(self, n: int) -> JobBuilder:
        return self._set("backoffLimitPerIndex", n)

    def max_failed_indexes(self, n: int) -> JobBuilder:
        return self._set("maxFailedIndexes", n)

    def active_deadline(self, seconds: int) -> JobBuilder:
        return self._set("activeDeadlineSeconds", seconds)

    def suspended(self, value: bool = True) -> JobBuilder:
        return self._set("suspend", value)

    def ttl(self, seconds: int) -> JobBuilder:
        return self._set("ttlSecondsAfterFinished", seconds)

    def managed_by(self, name: str) -> JobBuilder:
        return self._set("managedBy", name)

    def pod_replacement_policy(self, policy: str) -> JobBuilder:
        return self._set("podReplacementPolicy", policy)

    def restart_policy(self, policy: str) -> JobBuilder:
        self._job["spec"]["template"]["spec"]["restartPolicy"] = policy
        return self

    def pod_failure_policy(self, *rules: Obj) -> JobBuilder:
        return self._set("podFailurePolicy", {"rules": list(rules)})

    def success_policy(self, *rules: Obj) -> JobBuilder:
        return self._set("successPolicy", {"rules": list(rules)})

    def build(self) -> Obj:
        return copy.deepcopy(self._job)


def make_job(name: str = "pi") -> JobBuilder:
    return JobBuilder(name)


def on_exit_codes(
    action: str, *codes: int, operator: str = "In", container: str | None = None
) -> Obj:
    req: Obj = {"operator": operator, "values": list(codes)}
    if container is not None:
        req["containerName"] = container
    return {"action": action, "onExitCodes": req}


def on_conditions(action: str, *types: str, status: str = "True") -> Obj:
    return {"action": action, "onPodConditions": [{"type": t, "status": status} for t in types]}


def index_of(pod: Obj) -> int:
    return int(pod["metadata"]["annotations"][COMPLETION_INDEX_ANNOTATION])


class Kubelet:
    """Drives the pods of a Job through their lifecycle via the status subresource."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def _now(self) -> str:
        return format_time(self.cluster.clock.now())

    def pods(self, job: str = "pi", *, phase: str | None = None) -> list[Obj]:
        pods = self.cluster.list(
            "pods", "default", label_selector=f"batch.kubernetes.io/job-name={job}"
        )
        if phase is not None:
            pods = [p for p in pods if (p.get("status") or {}).get("phase") == phase]
        return sorted(
            pods, key=lambda p: (p["metadata"]["creationTimestamp"], p["metadata"]["name"])
        )

    def pending(self, job: str = "pi") -> list[Obj]:
        return [
            p for p in self.pods(job, phase="Pending") if not p["metadata"].get("deletionTimestamp")
        ]

    def _write(self, pod: Obj, status: Obj) -> Obj:
        fresh = self.cluster.get("pods", pod["metadata"]["name"])
        fresh["status"] = {**(fresh.get("status") or {}), **status}
        return self.cluster.update_status(fresh)

    def _containers(self, pod: Obj, state: Obj, restarts: int = 0) -> list[Obj]:
        return [
            {
                "name": c["name"],
                "image": c["image"],
                "imageID": "",
                "ready": "running" in state,
                "restartCount": restarts,
                "started": "running" in state,
                "state": state,
            }
            for c in pod["spec"]["containers"]
        ]

    def start(self, pod: Obj, *, ready: bool = True, restarts: int = 0) -> Obj:
        now = self._now()
        return self._write(
            pod,
            {
                "phase": "Running",
                "startTime": now,
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "True" if ready else "False",
                        "lastTransitionTime": now,
                    }
                ],
                "containerStatuses": self._containers(
                    pod, {"running": {"startedAt": now}}, restarts
                ),
            },
        )

    def finish(self, pod: Obj, exit_code: int = 0, *, conditions: Sequence[Obj] = ()) -> Obj:
        now = self._now()
        terminated = {
            "exitCode": exit_code,
            "reason": "Completed" if exit_code == 0 else "Error",
            "startedAt": now,
            "finishedAt": now,
        }
        pod_conditions = [
            {"type": "Ready", "status": "False", "lastTransitionTime": now},
            *conditions,
        ]
        return self._write(
            pod,
            {
                "phase": "Succeeded" if exit_code == 0 else "Failed",
                "conditions": pod_conditions,
                "containerStatuses": self._containers(pod, {"terminated": terminated}),
            },
        )

    def succeed(self, pod: Obj) -> Obj:
        return self.finish(pod, 0)

    def fail(self, pod: Obj, exit_code: int = 1, *, disrupted: bool = False) -> Obj:
        conditions = (
            [
                {
                    "type": "DisruptionTarget",
                    "status": "True",
                    "reason": "EvictionByEvictionAPI",
                    "lastTransitionTime": self._now(),
                }
            ]
            if disrupted
            else []
        )
        return self.finish(pod, exit_code, conditions=conditions)

    def run_all(self, job: str, outcome: Callable[[Obj], int] = lambda p: 0) -> int:
        """Start and finish every pending pod of ``job`` (exit code from ``outcome``)."""
        pods = self.pending(job)
        for pod in pods:
            code = outcome(pod)
            self.finish(pod, code)
        return len(pods)


def job_status(cluster: Cluster, name: str = "pi") -> Obj:
    status: Obj = cluster.get("jobs", name).get("status") or {}
    return status


def conditions(cluster: Cluster, name: str = "pi") -> list[tuple[str, str, str, str]]:
    """(type, status, reason, message) of each condition, in order."""
    return [
        (c["type"], c["status"], c.get("reason", ""), c.get("message", ""))
        for c in job_status(cluster, name).get("conditions") or []
    ]


def job_events(cluster: Cluster, name: str = "pi") -> list[tuple[str, str, str]]:
    """(type, reason, message) of every Event about Job ``name``, oldest first."""
    events = [
        e
        for e in cluster.list("events", "default")
        if e["involvedObject"].get("kind") == "Job" and e["involvedObject"].get("name") == name
    ]
    events.sort(key=lambda e: (e["firstTimestamp"], e["metadata"]["name"]))
    return [(e["type"], e["reason"], e["message"]) for e in events]


class ConditionLog:
    """Every distinct condition list a Job went through, as watched, with the time seen."""

    def __init__(self, cluster: Cluster, name: str = "pi") -> None:
        from mlkube.api.registry import lookup

        self.cluster = cluster
        self.name = name
        self._watch = cluster.api.watch(lookup("jobs"), "default", resource_version="0")
        self.seen: list[tuple[str, ...]] = []

    def read(self) -> list[tuple[str, ...]]:
        for event in self._watch.drain():
            obj = event.object
            if obj["metadata"]["name"] != self.name:
                continue
            types = tuple(
                c["type"]
                for c in (obj.get("status") or {}).get("conditions") or []
                if c["status"] == "True"
            )
            if not self.seen or self.seen[-1] != types:
                self.seen.append(types)
        return self.seen
