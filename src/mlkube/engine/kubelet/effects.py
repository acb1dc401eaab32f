"""What each stage's ``next`` does to a pod's status: start, exit, restart, kill.

Pure functions from the pod as stored to the status the kubelet writes next (the
``statusTemplate`` of a KWOK stage, written once in Python). The kubelet decides *when*;
these decide *what*, for the simulated and the process runtime alike. Follows
``pkg/kubelet/kubelet_pods.go`` (getPhase: a pod whose containers exited and will not be
restarted is Succeeded when every exit code is 0, else Failed; restartPolicy Always
restarts every exit, OnFailure only failures) and the shapes in
:mod:`mlkube.engine.kubelet.podstatus`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlkube.engine.kubelet import podstatus

__all__ = [
    "DEFAULT_GRACE",
    "container_names",
    "exited",
    "grace_of",
    "killed",
    "restarted",
    "started",
    "termination_grace",
    "will_restart",
]

#: ``terminationGracePeriodSeconds`` when a pod does not say.
DEFAULT_GRACE = 30

Obj = dict[str, Any]


def _containers(pod: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((pod.get("spec") or {}).get("containers") or [])


def _by_name(pod: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return {str(s.get("name")): s for s in statuses}


def _uid(pod: Mapping[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("uid", ""))


def _status(pod: Mapping[str, Any], phase: str, statuses: list[Obj], now: str) -> Obj:
    status: Obj = dict(pod.get("status") or {})
    status["phase"] = phase
    status["containerStatuses"] = statuses
    status["conditions"] = podstatus.conditions(pod, statuses, phase, now)
    generation = (pod.get("metadata") or {}).get("generation")
    if generation is not None:
        status["observedGeneration"] = generation
    return status


def started(pod: Mapping[str, Any], *, now: str, host_ip: str, pod_ip: str) -> Obj:
    """Pending -> Running: every container running and ready, init containers completed
    (a restartable init container keeps running), IPs and ``startTime`` set."""
    uid = _uid(pod)
    statuses = [podstatus.running(c, uid, started_at=now) for c in _containers(pod)]
    status = _status(pod, "Running", statuses, now)
    init = (pod.get("spec") or {}).get("initContainers") or []
    if init:
        status["initContainerStatuses"] = [
            podstatus.running(c, uid, started_at=now)
            if c.get("restartPolicy") == "Always"
            else {
                **podstatus.terminated(c, uid, exit_code=0, started_at=now, finished_at=now),
                "ready": True,
            }
            for c in init
        ]
    status.setdefault("startTime", now)
    status["hostIP"] = host_ip
    status["hostIPs"] = [{"ip": host_ip}]
    status["podIP"] = pod_ip
    status["podIPs"] = [{"ip": pod_ip}]
    return status


def will_restart(pod: Mapping[str, Any], codes: Mapping[str, int]) -> bool:
    """Whether the kubelet restarts containers that exited with ``codes``."""
    policy = (pod.get("spec") or {}).get("restartPolicy") or "Always"
    if policy == "Always":
        return True
    return policy == "OnFailure" and any(code != 0 for code in codes.values())


def _started_at(status: Mapping[str, Any], now: str) -> str:
    state = status.get("state") or {}
    run = state.get("running") or state.get("terminated") or {}
    return str(run.get("startedAt") or now)


def _terminated_record(
    c: Mapping[str, Any], old: Mapping[str, Any], uid: str, code: int, now: str
) -> Obj:
    restarts = int(old.get("restartCount") or 0)
    return podstatus.terminated(
        c,
        uid,
        exit_code=code,
        started_at=_started_at(old, now),
        finished_at=now,
        restarts=restarts,
        last=old.get("lastState"),
    )


def exited(
    pod: Mapping[str, Any],
    *,
    now: str,
    codes: Mapping[str, int],
    backoff: float | None,
) -> Obj:
    """The containers exited with ``codes``.

    Not restarted: terminated, and the pod Succeeded (all 0) or Failed. Restarted: at once
    with ``restartCount + 1`` when ``backoff`` is None, else waiting in CrashLoopBackOff for
    ``backoff`` seconds; either way the run that ended is in ``lastState``.
    """
    uid = _uid(pod)
    old = _by_name(pod)
    statuses: list[Obj] = []
    restarting = will_restart(pod, codes)
    for c in _containers(pod):
        name = str(c.get("name"))
        record = _terminated_record(c, old.get(name) or {}, uid, codes.get(name, 0), now)
        if not restarting:
            statuses.append(record)
            continue
        last = {"terminated": record["state"]["terminated"]}
        restarts = int(record["restartCount"])
        if backoff is None:
            statuses.append(
                podstatus.running(c, uid, started_at=now, restarts=restarts + 1, last=last)
            )
        else:
            statuses.append(
                podstatus.waiting_backoff(c, pod, seconds=backoff, restarts=restarts, last=last)
            )
    if restarting:
        return _status(pod, "Running", statuses, now)
    phase = "Succeeded" if all(code == 0 for code in codes.values()) else "Failed"
    return _status(pod, phase, statuses, now)


def restarted(pod: Mapping[str, Any], *, now: str) -> Obj:
    """A container waiting out its back-off starts again with ``restartCount + 1``."""
    uid = _uid(pod)
    old = _by_name(pod)
    statuses: list[Obj] = []
    for c in _containers(pod):
        was = old.get(str(c.get("name"))) or {}
        statuses.append(
            podstatus.running(
                c,
                uid,
                started_at=now,
                restarts=int(was.get("restartCount") or 0) + 1,
                last=was.get("lastState"),
            )
        )
    return _status(pod, "Running", statuses, now)


def killed(
    pod: Mapping[str, Any],
    *,
    now: str,
    codes: Mapping[str, int],
    reason: str | None = None,
    message: str | None = None,
) -> Obj:
    """The kubelet stopped the pod (deletion or deadline): every container terminated with
    ``codes`` (143 after SIGTERM, 137 after SIGKILL) and the pod terminal; a container that
    was waiting out a back-off reports its last run."""
    uid = _uid(pod)
    old = _by_name(pod)
    statuses: list[Obj] = []
    for c in _containers(pod):
        name = str(c.get("name"))
        was = old.get(name) or {}
        state = was.get("state") or {}
        if "running" in state:
            statuses.append(_terminated_record(c, was, uid, codes.get(name, 137), now))
        elif "terminated" in (was.get("lastState") or {}):
            statuses.append({**was, "state": dict(was["lastState"]), "ready": False})
        else:
            statuses.append(_terminated_record(c, was, uid, codes.get(name, 137), now))
    phase = (
        "Succeeded"
        if all((s.get("state") or {}).get("terminated", {}).get("exitCode") == 0 for s in statuses)
        else "Failed"
    )
    status = _status(pod, phase, statuses, now)
    if reason:
        status["reason"] = reason
    if message:
        status["message"] = message
    return status


def container_names(pod: Mapping[str, Any]) -> list[str]:
    return [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or []]


def grace_of(pod: Mapping[str, Any]) -> float:
    """The grace period of a pod being deleted."""
    meta = pod.get("metadata") or {}
    grace = meta.get("deletionGracePeriodSeconds")
    return float(grace) if grace is not None else float(termination_grace(pod))


def termination_grace(pod: Mapping[str, Any]) -> int:
    grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds")
    return int(grace) if grace is not None else DEFAULT_GRACE
