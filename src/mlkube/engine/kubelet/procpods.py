"""How a process node's kubelet moves a pod: the same lifecycle as the simulated one, with
real subprocesses deciding when containers exit and with which codes.

Start waits for ``sim.mlkube.io/start-after`` as the ``pod-ready`` stage says, then runs
the containers (:class:`~mlkube.engine.kubelet.process.ProcessRuntime`) with the pod's
environment and volumes (:mod:`~mlkube.engine.kubelet.env`). Exits are found by polling;
restarts use the kubelet's back-off. Deletion and ``activeDeadlineSeconds`` send SIGTERM,
then SIGKILL after the grace period (the deletion's, or ``terminationGracePeriodSeconds``
for a deadline, as ``pkg/kubelet/kubelet.go`` killPod does); the pod is reported once
every process is gone. A container whose environment cannot be resolved waits with reason
``CreateContainerConfigError``, as ``kuberuntime_container.go`` startContainer reports it.
A container with a ``readinessProbe`` starts unready and is probed while it runs
(:mod:`~mlkube.engine.kubelet.probes`); each change of its readiness is written with the
pod's Ready and ContainersReady conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import lookup
from mlkube.api.timestamps import format_time
from mlkube.engine.controllers import events
from mlkube.engine.errors import NotFound
from mlkube.engine.kubelet import effects, env, podstatus, probes, stages
from mlkube.engine.kubelet.agent import USER_AGENT, NodeAgent, PodRun

if TYPE_CHECKING:
    from mlkube.engine.kubelet.kubelet import Kubelets, Step

__all__ = ["CONFIG_ERROR", "POLL_INTERVAL", "process_step"]

#: How often a process node's kubelet looks at its subprocesses (cluster clock).
POLL_INTERVAL: Final = 0.1
CONFIG_ERROR: Final = "CreateContainerConfigError"
_CONFIG_RETRY: Final = 10.0
_NODES = lookup("nodes")
#: The component Events of the kubelet name (``source.component``).
NAME: Final = "kubelet"


def _lookup(kubelet: Kubelets) -> env.Lookup:
    def get(plural: str, namespace: str, name: str) -> dict[str, Any] | None:
        try:
            return kubelet.api.get(lookup(plural), namespace, name)
        except NotFound:
            return None

    return get


def _start(kubelet: Kubelets, pod: Mapping[str, Any], agent: NodeAgent) -> str | None:
    """Run every container; the reason it could not, if it could not."""
    runtime = kubelet.runtime
    get = _lookup(kubelet)
    node = get("nodes", "", agent.name) or {}
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    try:
        mounts = env.prepare_volumes(pod, runtime.pod_dir(pod), runtime.state_dir, get)
        envs = {
            str(c.get("name")): env.environment(pod, c, get, allocatable=allocatable, mounts=mounts)
            for c in (pod.get("spec") or {}).get("containers") or []
        }
    except env.EnvError as err:
        return str(err)
    runtime.start(pod, envs)
    return None


def _arm_probes(pod: Mapping[str, Any], run: PodRun, now: float) -> None:
    """Fresh prober workers for every probed container (it just started or restarted)."""
    run.readiness = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        probe = probes.probe_of(c)
        if probe is not None:
            run.readiness[str(c.get("name"))] = probes.ProbeState(probe, started_at=now)


def _with_readiness(
    pod: Mapping[str, Any], status: dict[str, Any], run: PodRun, stamp: str
) -> dict[str, Any]:
    """``status`` with each probed running container's readiness and the conditions that
    follow from it."""
    if not run.readiness:
        return status
    statuses = []
    for s in status.get("containerStatuses") or []:
        worker = run.readiness.get(str(s.get("name")))
        if worker is not None and "running" in (s.get("state") or {}):
            s = {**s, "ready": worker.ready}
        statuses.append(s)
    phase = str(status.get("phase") or "Running")
    conditions = podstatus.conditions(pod, statuses, phase, stamp)
    return {**status, "containerStatuses": statuses, "conditions": conditions}


def _probe(kubelet: Kubelets, pod: Mapping[str, Any], run: PodRun, now: float) -> bool:
    """Run the probes that are due; True when some container's readiness changed. A failed
    probe is a Warning ``Unhealthy`` event, as the kubelet's prober records it."""
    changed = False
    containers = {str(c.get("name")): c for c in (pod.get("spec") or {}).get("containers") or []}
    for name, worker in run.readiness.items():
        if not worker.due(now):
            continue
        execute = kubelet.runtime.exec_probe(run.uid, name)
        result = probes.check(worker.probe, containers.get(name) or {}, execute)
        changed = worker.record(result, now) or changed
        if not result.ok:
            message = probes.FAILED_MESSAGE.format(output=result.message)
            events.record(
                kubelet.api,
                pod,
                events.WARNING,
                probes.UNHEALTHY,
                message,
                NAME,
                user_agent=USER_AGENT,
            )
    return changed


def _next_probe(run: PodRun, now: float) -> float:
    return min((w.when() - now for w in run.readiness.values()), default=POLL_INTERVAL)


def _config_error(pod: Mapping[str, Any], message: str) -> dict[str, Any]:
    status = dict(pod.get("status") or {})
    status["containerStatuses"] = [
        {
            "name": c.get("name"),
            "image": c.get("image"),
            "imageID": "",
            "ready": False,
            "restartCount": 0,
            "started": False,
            "state": {"waiting": {"reason": CONFIG_ERROR, "message": message}},
        }
        for c in (pod.get("spec") or {}).get("containers") or []
    ]
    return status


def _stop(
    kubelet: Kubelets,
    key: str,
    pod: dict[str, Any],
    run: PodRun,
    facts: stages.Facts,
) -> Step:
    runtime = kubelet.runtime
    if not runtime.has(run.uid):
        if facts.deleting:
            return kubelet.delete(key, pod)
        codes = dict.fromkeys(effects.container_names(pod), 137)
    else:
        grace = effects.grace_of(pod) if facts.deleting else effects.termination_grace(pod)
        runtime.stop(run.uid, grace)
        left = runtime.tick(run.uid)
        found = runtime.poll(run.uid)
        if found is None:
            wait = POLL_INTERVAL if left is None or left <= 0 else min(POLL_INTERVAL, left)
            return kubelet.after(key, wait)
        codes = found
    status = kubelet.killed(pod, codes, deadline=not facts.deleting)
    written = kubelet.write_status(key, pod, status)
    runtime.forget(run.uid)
    run.deadline = False
    kubelet.free_ip(run)
    if facts.deleting:
        return kubelet.delete(key, written)
    return written


def process_step(
    kubelet: Kubelets,
    key: str,
    pod: dict[str, Any],
    run: PodRun,
    agent: NodeAgent,
    facts: stages.Facts,
) -> Step:
    """One step of a process pod's lifecycle (see the module docstring)."""
    runtime = kubelet.runtime
    now = kubelet.clock.monotonic()
    stamp = format_time(kubelet.clock.now())
    if facts.containers == stages.EXITED and not facts.deleting:
        return None
    if facts.deleting and facts.containers == stages.NONE:
        return kubelet.delete(key, pod)
    if facts.deleting or run.deadline:
        return _stop(kubelet, key, pod, run, facts)
    if facts.phase == "Pending":
        choice = kubelet.next_stage(pod, run, facts)
        if choice is None:
            return None
        if choice[1] > now + 1e-9:
            return kubelet.after(key, choice[1] - now)
        run.ip = run.ip or agent.allocate()
        status = effects.started(pod, now=stamp, host_ip=agent.internal_ip, pod_ip=run.ip)
        failure = _start(kubelet, {**pod, "status": status}, agent)
        if failure is not None:
            waiting = _config_error(pod, failure)
            if waiting != pod.get("status"):
                kubelet.write_status(key, pod, waiting)
            return kubelet.after(key, _CONFIG_RETRY)
        run.started_at = run.pod_started_at = now
        _arm_probes(pod, run, now)
        return kubelet.write_status(key, pod, _with_readiness(pod, status, run, stamp))
    deadline = (pod.get("spec") or {}).get("activeDeadlineSeconds")
    if (
        deadline is not None
        and run.pod_started_at is not None
        and now >= run.pod_started_at + float(deadline)
    ):
        run.deadline = True
        return pod
    until_deadline = (
        run.pod_started_at + float(deadline) - now
        if deadline is not None and run.pod_started_at is not None
        else POLL_INTERVAL
    )
    if facts.containers == stages.BACKOFF:
        assert run.finished_at is not None
        due = run.finished_at + run.backoff
        if due > now + 1e-9:
            return kubelet.after(key, min(due - now, until_deadline))
        run.next_backoff(run.finished_at, now)
        run.started_at = now
        if _start(kubelet, pod, agent) is not None:
            return kubelet.after(key, _CONFIG_RETRY)
        _arm_probes(pod, run, now)
        status = _with_readiness(pod, effects.restarted(pod, now=stamp), run, stamp)
        return kubelet.write_status(key, pod, status)
    codes = runtime.poll(run.uid) if runtime.has(run.uid) else None
    if codes is None:
        if not runtime.has(run.uid):  # the kubelet restarted: its processes are gone
            codes = dict.fromkeys(effects.container_names(pod), 137)
        elif _probe(kubelet, pod, run, now):
            status = _with_readiness(pod, dict(pod.get("status") or {}), run, stamp)
            return kubelet.write_status(key, pod, status)
        else:
            wait = min(POLL_INTERVAL, until_deadline, max(0.0, _next_probe(run, now)))
            return kubelet.after(key, wait)
    status = kubelet.exited(pod, run, codes)
    restarting_now = any(
        "running" in (s.get("state") or {}) for s in status.get("containerStatuses") or []
    )
    if restarting_now:
        _start(kubelet, pod, agent)
        _arm_probes(pod, run, now)
        status = _with_readiness(pod, status, run, stamp)
    elif status.get("phase") in ("Succeeded", "Failed"):
        runtime.forget(run.uid)
        kubelet.free_ip(run)
    return kubelet.write_status(key, pod, status)
