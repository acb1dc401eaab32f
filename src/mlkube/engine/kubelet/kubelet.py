"""Simulated kubelets: one per Node, run as one controller keyed by node and by pod.

Each Node of the embedded cluster gets a kubelet (like KWOK, without a process per node):
it keeps its node Ready (status posted when it differs from what the kubelet would post,
and every ``nodeStatusReportFrequency``) and renews the node's Lease every 10 s on the
cluster clock. A node annotated ``sim.mlkube.io/stopped: "true"`` has a dead kubelet (no
heartbeats, no pod updates), which is how the node lifecycle controller is exercised; one
annotated ``sim.mlkube.io/kubelet: external`` is left to whoever plays its kubelet.
Bound pods move through the stages of :mod:`~mlkube.engine.kubelet.stages` (what each
stage writes is :mod:`~mlkube.engine.kubelet.effects`); pods of nodes annotated
``sim.mlkube.io/runtime: process`` really run (:mod:`~mlkube.engine.kubelet.procpods`).

Everything goes through the API server, as a kubelet writes through kube-apiserver; a pod
is finally deleted with grace 0 and a uid precondition (``pkg/kubelet/status/
status_manager.go`` syncPod). Follows ``pkg/kubelet/kubelet.go`` (syncPod: Pending ->
Running -> terminal), ``pkg/kubelet/kuberuntime/kuberuntime_manager.go`` (doBackOff: the
first crash restarts at once, later ones wait 10 s doubling to 5 min) and
``pkg/kubelet/active_deadline.go``.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import format_micro_time, format_time, parse_time
from mlkube.engine.errors import AlreadyExists, Conflict, NotFound
from mlkube.engine.kubelet import effects, nodestatus, podstatus, stages
from mlkube.engine.kubelet.agent import USER_AGENT, NodeAgent, PodRun
from mlkube.engine.kubelet.effects import container_names, grace_of, termination_grace
from mlkube.engine.kubelet.process import ProcessRuntime
from mlkube.engine.kubelet.procpods import process_step
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer
    from mlkube.engine.clock import Clock

__all__ = [
    "KUBELET_ANNOTATION",
    "NAME",
    "RUNTIME_ANNOTATION",
    "STOPPED_ANNOTATION",
    "Kubelets",
    "Step",
]

NAME: Final = "kubelet"
STOPPED_ANNOTATION: Final = "sim.mlkube.io/stopped"
#: ``external``: the node's kubelet is someone else (a test playing it through the status
#: subresource); the simulated kubelet leaves the node and its pods alone.
KUBELET_ANNOTATION: Final = "sim.mlkube.io/kubelet"
RUNTIME_ANNOTATION: Final = "sim.mlkube.io/runtime"
SIGTERM_EXIT: Final = 143
SIGKILL_EXIT: Final = 137

_PODS = lookup("pods")
_NODES = lookup("nodes")
_LEASES = lookup("leases")

#: What one step of a pod's sync yields: the pod as written (look again at once), a
#: delay to be synced after, or None (nothing more to do).
Step = dict[str, Any] | float | None


class Kubelets:
    """Every node's simulated kubelet: a Controller keyed ``node/<name>`` and
    ``pod/<namespace>/<name>``."""

    NAME = NAME

    def __init__(
        self,
        api: APIServer,
        clock: Clock,
        *,
        state_dir: str | Path | None = None,
        table: Sequence[stages.Stage] = stages.STAGES,
    ) -> None:
        self.api = api
        self.clock = clock
        self.table = tuple(table)
        self._state_dir = Path(state_dir) if state_dir is not None else None
        self.agents: dict[str, NodeAgent] = {}
        self.runs: dict[str, PodRun] = {}  # pod key -> run
        self._pods_on: dict[str, set[str]] = {}  # node -> pod keys
        self._written: dict[str, int] = {}  # key -> resourceVersion of our own last write
        self._timers: dict[str, float] = {}  # key -> when a pending timer syncs it
        self._runtime: ProcessRuntime | None = None

    # -- Controller -------------------------------------------------------------------

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_NODES, _PODS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        obj = event.view
        if rt is _NODES:
            return self._node_event(event, obj)
        node = (obj.get("spec") or {}).get("nodeName")
        if not node:
            return ()
        meta = obj.get("metadata") or {}
        key = f"pod/{meta.get('namespace')}/{meta.get('name')}"
        if event.type == "DELETED":
            self._pods_on.get(node, set()).discard(key)
            return (key,)
        self._pods_on.setdefault(node, set()).add(key)
        if self._written.get(key) == event.resource_version:
            return ()  # our own write: the sync that made it already planned what is next
        return (key,)

    def sync(self, key: str) -> float | None:
        now = self.clock.monotonic()
        if self._timers.get(key, float("inf")) <= now:
            del self._timers[key]
        kind, _, rest = key.partition("/")
        if kind == "node":
            return self._sync_node(key, rest)
        namespace, _, name = rest.partition("/")
        return self._sync_pod(key, namespace, name)

    # -- the public surface -----------------------------------------------------------

    def logs(self, namespace: str, pod: str, container: str, previous: bool = False) -> str:
        """A container's log for ``pods/log``: what a process-runtime container printed;
        a simulated container prints nothing."""
        if self._runtime is None:
            return ""
        return self._runtime.logs(namespace, pod, container, previous)

    def exec_context(
        self, namespace: str, pod: str, container: str
    ) -> tuple[Path, dict[str, str]] | None:
        """For ``pods/exec``: the working directory and environment of a running
        process-runtime container; None for a simulated one."""
        if self._runtime is None:
            return None
        return self._runtime.exec_context(namespace, pod, container)

    @property
    def runtime(self) -> ProcessRuntime:
        """The process runtime, created on first use under the state directory."""
        if self._runtime is None:
            root = self._state_dir or Path(tempfile.mkdtemp(prefix="mlkube-kubelet-"))
            self._runtime = ProcessRuntime(root, self.clock)
        return self._runtime

    def close(self) -> None:
        if self._runtime is not None:
            self._runtime.close()

    # -- timers -----------------------------------------------------------------------

    def after(self, key: str, delay: float) -> float | None:
        """Ask to be synced after ``delay``, unless a pending timer comes first."""
        now = self.clock.monotonic()
        delay = max(0.0, delay)
        pending = self._timers.get(key)
        if pending is not None and now < pending <= now + delay + 1e-9:
            return None
        self._timers[key] = now + delay
        return delay

    # -- nodes ------------------------------------------------------------------------

    def _node_event(self, event: Event, node: dict[str, Any]) -> Iterable[str]:
        meta = node.get("metadata") or {}
        name = str(meta.get("name", ""))
        key = f"node/{name}"
        if event.type == "DELETED":
            self.agents.pop(name, None)
            return ()
        annotations = meta.get("annotations") or {}
        agent = self.agents.get(name)
        fresh = agent is None
        if agent is None:
            agent = self.agents[name] = NodeAgent(name, len(self.agents))
        was_stopped = agent.stopped
        agent.stopped = (
            annotations.get(STOPPED_ANNOTATION) == "true"
            or annotations.get(KUBELET_ANNOTATION) == "external"
        )
        agent.process = annotations.get(RUNTIME_ANNOTATION) == "process"
        agent.pod_cidr = str((node.get("spec") or {}).get("podCIDR") or "")
        if fresh or (was_stopped and not agent.stopped):
            return (key, *sorted(self._pods_on.get(name, ())))
        if self._written.get(key) == event.resource_version:
            return ()
        return (key,)

    def _sync_node(self, key: str, name: str) -> float | None:
        agent = self.agents.get(name)
        if agent is None or agent.stopped:
            return None
        try:
            node = self.api.get(_NODES, None, name)
        except NotFound:
            return None
        now = self.clock.monotonic()
        desired = nodestatus.node_status(
            node, internal_ip=agent.internal_ip, now=format_time(self.clock.now())
        )
        stale = (
            agent.status_posted is None
            or now - agent.status_posted >= nodestatus.STATUS_REPORT_FREQUENCY
        )
        if stale or _unstamped(desired) != _unstamped(node.get("status") or {}):
            try:
                out = self.api.update_status(
                    _NODES, {**node, "status": desired}, user_agent=USER_AGENT
                ).object
            except (Conflict, NotFound):
                return 0.0
            self._written[key] = int(out["metadata"]["resourceVersion"])
            agent.status_posted = now
        if agent.lease_renewed is None or now - agent.lease_renewed >= nodestatus.RENEW_INTERVAL:
            if not self._renew(agent, node):
                return 0.0
            agent.lease_renewed = now
        posted = agent.status_posted if agent.status_posted is not None else now
        due = min(
            agent.lease_renewed + nodestatus.RENEW_INTERVAL,
            posted + nodestatus.STATUS_REPORT_FREQUENCY,
        )
        return self.after(key, due - now)

    def _renew(self, agent: NodeAgent, node: dict[str, Any]) -> bool:
        renew = format_micro_time(self.clock.now())
        ns = nodestatus.LEASE_NAMESPACE
        try:
            if agent.lease is None:
                try:
                    lease = nodestatus.lease(node, renew_time=renew)
                    agent.lease = self.api.create(
                        _LEASES, lease, namespace=ns, user_agent=USER_AGENT
                    ).object
                    return True
                except AlreadyExists:
                    agent.lease = self.api.get(_LEASES, ns, agent.name)
            spec = {**(agent.lease.get("spec") or {}), "renewTime": renew}
            agent.lease = self.api.update(
                _LEASES, {**agent.lease, "spec": spec}, namespace=ns, user_agent=USER_AGENT
            ).object
        except (Conflict, NotFound):
            agent.lease = None
            return False
        return True

    # -- pods -------------------------------------------------------------------------

    def _sync_pod(self, key: str, namespace: str, name: str) -> float | None:
        try:
            pod = self.api.get(_PODS, namespace, name)
        except NotFound:
            self.release(key)
            return None
        try:
            for _ in range(8):
                agent = self.agents.get(str((pod.get("spec") or {}).get("nodeName") or ""))
                if agent is None or agent.stopped:
                    return None
                run = self._run_for(key, pod)
                facts = stages.facts(pod)
                if facts.deleting and run.deleting_at is None:
                    run.deleting_at = self.clock.monotonic()
                if agent.process:
                    step: Step = process_step(self, key, pod, run, agent, facts)
                else:
                    step = self._sim_step(key, pod, run, agent, facts)
                if not isinstance(step, dict):
                    return step
                pod = step
        except Conflict:
            return 0.0  # changed under us: look again on the next step
        except NotFound:
            self.release(key)
            return None
        return 0.0

    def _run_for(self, key: str, pod: Mapping[str, Any]) -> PodRun:
        meta = pod.get("metadata") or {}
        uid = str(meta.get("uid", ""))
        run = self.runs.get(key)
        if run is not None and run.uid == uid:
            return run
        if run is not None:  # a new pod took the name: the old one's IP and processes go
            self.free_ip(run)
            if self._runtime is not None:
                self._runtime.forget(run.uid)
        node = str((pod.get("spec") or {}).get("nodeName") or "")
        run = self.runs[key] = PodRun(uid, node, bound_at=self.clock.monotonic())
        status = pod.get("status") or {}
        run.pod_started_at = self.mono(status.get("startTime"))
        run.ip = status.get("podIP")
        for s in (status.get("containerStatuses") or [])[:1]:
            state = s.get("state") or {}
            run.started_at = self.mono((state.get("running") or {}).get("startedAt"))
            last = (s.get("lastState") or {}).get("terminated") or state.get("terminated")
            run.finished_at = self.mono((last or {}).get("finishedAt"))
        if meta.get("deletionTimestamp"):
            deadline = self.mono(meta["deletionTimestamp"])
            grace = float(meta.get("deletionGracePeriodSeconds") or 0)
            run.deleting_at = deadline - grace if deadline is not None else None
        return run

    def mono(self, stamp: Any) -> float | None:
        """A wire timestamp as a time on the monotonic clock."""
        if not isinstance(stamp, str) or not stamp:
            return None
        try:
            when = parse_time(stamp)
        except ValueError:
            return None
        return self.clock.monotonic() - (self.clock.now() - when).total_seconds()

    def free_ip(self, run: PodRun) -> None:
        agent = self.agents.get(run.node)
        if agent is not None:
            agent.release(run.ip)
        run.ip = None

    def release(self, key: str) -> None:
        """The pod is gone: free its IP and whatever the runtime still holds."""
        run = self.runs.pop(key, None)
        self._written.pop(key, None)
        if run is None:
            return
        self.free_ip(run)
        if self._runtime is not None:
            self._runtime.forget(run.uid)

    # -- the simulated runtime ------------------------------------------------------

    def next_stage(
        self, pod: Mapping[str, Any], run: PodRun, facts: stages.Facts
    ) -> tuple[stages.Stage, float] | None:
        """The matching stage due first, and when (ties go to the earlier row)."""
        best: tuple[stages.Stage, float] | None = None
        for stage in self.table:
            if not stage.selector.matches(facts):
                continue
            due = self._due(stage.delay, pod, run)
            if best is None or due < best[1] - 1e-9:
                best = (stage, due)
        return best

    def _due(self, delay: stages.Delay, pod: Mapping[str, Any], run: PodRun) -> float:
        now = self.clock.monotonic()
        anchors = {
            "bound": run.bound_at,
            "started": run.started_at,
            "finished": run.finished_at,
            "pod-started": run.pod_started_at,
            "deletion": run.deleting_at,
        }
        anchor = anchors.get(delay.anchor)
        if anchor is None:
            anchor = now
        due = anchor
        if delay.annotation:
            parsed = stages.annotation_seconds(pod, delay.annotation, self.clock.now())
            if parsed is not None:
                seconds, absolute = parsed
                due = now + seconds if absolute else anchor + seconds
        if delay.spec_seconds:
            due = anchor + float((pod.get("spec") or {}).get(delay.spec_seconds) or 0)
        if delay.backoff:
            due = anchor + run.backoff
        if delay.capped_by_grace:
            due = min(due, anchor + grace_of(pod))
        return due

    def _sim_step(
        self,
        key: str,
        pod: dict[str, Any],
        run: PodRun,
        agent: NodeAgent,
        facts: stages.Facts,
    ) -> Step:
        choice = self.next_stage(pod, run, facts)
        if choice is None:
            return None
        stage, due = choice
        now = self.clock.monotonic()
        if due > now + 1e-9:
            return self.after(key, due - now)
        stamp = format_time(self.clock.now())
        names = container_names(pod)
        if stage.next == "delete":
            return self.delete(key, pod)
        if stage.next == "start":
            run.ip = run.ip or agent.allocate()
            run.started_at = run.pod_started_at = now
            status = effects.started(pod, now=stamp, host_ip=agent.internal_ip, pod_ip=run.ip)
        elif stage.next == "exit":
            code = stages.exit_code(pod) or 0
            status = self.exited(pod, run, dict.fromkeys(names, code))
        elif stage.next == "restart":
            assert run.finished_at is not None
            run.next_backoff(run.finished_at, now)
            run.started_at = now
            status = effects.restarted(pod, now=stamp)
        else:  # deadline or terminate: SIGTERM, then SIGKILL if it does not stop in time
            grace = grace_of(pod) if stage.next == "terminate" else termination_grace(pod)
            parsed = stages.annotation_seconds(pod, stages.STOP_AFTER, self.clock.now())
            stop = parsed[0] if parsed is not None else 0.0
            code = SIGTERM_EXIT if stop <= grace else SIGKILL_EXIT
            status = self.killed(pod, dict.fromkeys(names, code), deadline=stage.next == "deadline")
        written = self.write_status(key, pod, status)
        if stage.next == "terminate":
            return self.delete(key, written)
        if status.get("phase") in ("Succeeded", "Failed"):
            self.free_ip(run)
        return written

    # -- what every runtime shares ----------------------------------------------------

    def exited(
        self, pod: Mapping[str, Any], run: PodRun, codes: Mapping[str, int]
    ) -> dict[str, Any]:
        """The containers exited: the status, and the back-off bookkeeping (the first crash
        since the entry expired restarts at once)."""
        now = self.clock.monotonic()
        backoff: float | None = None
        if effects.will_restart(pod, codes):
            if run.in_backoff(now):
                backoff = run.backoff
            else:
                run.next_backoff(now, now)
                run.started_at = now
        run.finished_at = now
        return effects.exited(pod, now=format_time(self.clock.now()), codes=codes, backoff=backoff)

    def killed(
        self, pod: Mapping[str, Any], codes: Mapping[str, int], *, deadline: bool
    ) -> dict[str, Any]:
        stamp = format_time(self.clock.now())
        if deadline:
            return effects.killed(
                pod,
                now=stamp,
                codes=codes,
                reason=podstatus.DEADLINE_EXCEEDED,
                message=podstatus.DEADLINE_MESSAGE,
            )
        return effects.killed(pod, now=stamp, codes=codes)

    def write_status(
        self, key: str, pod: Mapping[str, Any], status: dict[str, Any]
    ) -> dict[str, Any]:
        body = {**pod, "status": status}
        meta = pod.get("metadata")
        if isinstance(meta, Mapping) and "managedFields" in meta:
            # A status write keeps the stored managedFields whatever the body says, and a
            # kubelet never sends them (it patches status): no need to carry them.
            body["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
        out = self.api.update_status(_PODS, body, user_agent=USER_AGENT).object
        self._written[key] = int(out["metadata"]["resourceVersion"])
        return out

    def delete(self, key: str, pod: Mapping[str, Any]) -> Step:
        """``status_manager`` syncPod: the pod's containers are gone, delete it for good."""
        meta = pod.get("metadata") or {}
        with contextlib.suppress(NotFound, Conflict):
            self.api.delete(
                _PODS,
                meta.get("namespace"),
                str(meta.get("name")),
                grace_period_seconds=0,
                preconditions={"uid": meta.get("uid")},
            )
        self.release(key)
        return None


def _unstamped(status: Mapping[str, Any]) -> dict[str, Any]:
    """A node status without heartbeat times, to tell a change from a heartbeat."""
    out = dict(status)
    out["conditions"] = [
        {k: v for k, v in c.items() if k != "lastHeartbeatTime"}
        for c in status.get("conditions") or []
    ]
    return out
