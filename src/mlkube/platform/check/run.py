"""``check``: will these objects run on this cluster, where, when, and if not, why.

One function narrates the pipeline; each step is a module of this package calling into the
engine (admission, scheduler) rather than re-stating its rules. The state is never mutated:
admission works on a copy of the quotas, placement on a snapshot built for the check.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from mlkube.api.quantity import parse_quantity
from mlkube.api.quota import pod_usage, quota_matches
from mlkube.api.timestamps import parse_time
from mlkube.engine.controllers.job.backoff import ApiBackoff
from mlkube.platform.check.admission import GENERATED, Admission, Created, pods_of
from mlkube.platform.check.ever import ever
from mlkube.platform.check.placement import (
    Placed,
    Placer,
    class_details,
    node_classes,
    pod_label,
    snapshot_of,
)
from mlkube.platform.check.report import (
    CheckReport,
    ContainerDefaults,
    GangResult,
    NodeClassDetail,
    PodPlacement,
    Refusal,
)
from mlkube.platform.check.state import ClusterState
from mlkube.platform.check.volumes import with_claims
from mlkube.platform.check.when import Release, estimate

__all__ = [
    "DISTRIBUTED_KIND",
    "KIND_LABEL",
    "check",
    "fix_for",
    "job_retry_at",
    "latest_time",
]

KIND_LABEL: Final = "mlkube.io/kind"
#: Pods of a distributed training Job must land on distinct nodes (one rank per node).
DISTRIBUTED_KIND: Final = "distributed"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_WORKLOAD_KINDS: Final = frozenset({"Job", "Deployment", "ReplicaSet", "StatefulSet"})

Obj = dict[str, Any]


def latest_time(state: ClusterState) -> datetime:
    """The newest timestamp the state records (a default ``now`` without a wall clock)."""
    latest = _EPOCH
    for items in (state.pods, state.jobs, state.events, state.nodes):
        for obj in items:
            meta, status = obj.get("metadata") or {}, obj.get("status") or {}
            for raw in (
                meta.get("creationTimestamp"),
                status.get("startTime"),
                obj.get("lastTimestamp"),
                obj.get("eventTime"),
            ):
                if raw:
                    try:
                        latest = max(latest, parse_time(str(raw)))
                    except ValueError:
                        continue
    return latest


def fix_for(reason: str, headroom: Sequence[str]) -> str:
    """One line saying what to do about an admission refusal."""
    if reason.startswith("exceeded quota"):
        left = "; ".join(headroom)
        return (
            f"quota left: {left}. Ask for less, wait for running pods to finish, "
            "or raise the quota (mlkube quota)"
            if left
            else "ask for less, wait for running pods to finish, or raise the quota"
        )
    if "must specify" in reason:
        return (
            "set requests and limits for these resources on every container, or give the "
            "namespace a LimitRange with defaults"
        )
    if "status unknown for quota" in reason:
        return "the quota controller has not computed the quota's usage yet: retry shortly"
    if " usage per " in reason or "limit to request ratio" in reason:
        return (
            "keep every container within the namespace's LimitRange (kubectl describe limitrange)"
        )
    if reason.startswith("namespaces ") and "not found" in reason:
        return "create the namespace first (for a team: mlkube platform apply)"
    if " is invalid: " in reason:
        return "fix the fields the message names"
    if reason.endswith(" already exists"):
        return "delete the existing object first (mlkube cancel NAME), or pick another name"
    return ""


@dataclass
class _Unit:
    """One pod the workload's controller would create (or a bare Pod), after admission."""

    created: Created
    owner: str
    owner_admitted: bool

    @property
    def pod(self) -> Obj:
        return self.created.obj

    @property
    def admitted(self) -> bool:
        return self.owner_admitted and self.created.error is None


@dataclass
class _Admitted:
    units: list[_Unit] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    defaults: list[ContainerDefaults] = field(default_factory=list)
    gangs: list[tuple[str, int, bool]] = field(default_factory=list)
    claims: list[Obj] = field(default_factory=list)

    @property
    def admitted(self) -> bool:
        return not self.refusals


def _owner(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    kind = str(obj.get("kind", "")).lower()
    return f"{kind}/{meta.get('namespace') or 'default'}/{meta.get('name') or ''}"


def _refuse(out: _Admitted, created: Created, what: str, admission: Admission) -> None:
    namespace = str(created.obj.get("metadata", {}).get("namespace") or "")
    for r in out.refusals:
        if r.object == what:
            r.count += 1
            return
    headroom = admission.headroom(namespace, created.obj, created.rt)
    message = created.message
    if created.rt.kind == "Pod" and created.generate_name:
        message = f"Error creating: {message}"  # the Job controller's FailedCreate event
    out.refusals.append(
        Refusal(what, created.why, message, fix_for(created.why or message, headroom))
    )


def _admit(objects: Sequence[Mapping[str, Any]], state: ClusterState, now: datetime) -> _Admitted:
    """1. Admission: each object in order, then the pods its controller creates first."""
    admission = Admission(state, now)
    out = _Admitted()
    for obj in objects:
        created = admission.create(obj)
        owner = _owner(created.obj)
        if created.error is not None:
            _refuse(out, created, owner, admission)
        if created.rt.kind == "PersistentVolumeClaim" and created.error is None:
            out.claims.append(created.obj)
        if created.rt.kind == "Pod":
            out.units.append(_Unit(created, owner, True))
            _defaults(out, created, owner)
            continue
        if created.rt.kind not in _WORKLOAD_KINDS:
            continue
        spec = created.obj.get("spec") or {}
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if created.rt.kind == "Job":
            parallelism, completions = spec.get("parallelism", 1), spec.get("completions")
            if completions is not None and parallelism == completions and int(completions) > 1:
                distinct = labels.get(KIND_LABEL) == DISTRIBUTED_KIND
                out.gangs.append((owner, int(completions), distinct))
        for pod in pods_of(created.obj):
            made = admission.create(pod)
            if made.error is not None and created.error is None:
                _refuse(out, made, f"pods of {owner}", admission)
            out.units.append(_Unit(made, owner, created.error is None))
            _defaults(out, made, owner)
    return out


def _defaults(out: _Admitted, created: Created, owner: str) -> None:
    if any(d.object == owner for d in out.defaults):
        return
    for container, (requests, limits) in created.defaults.items():
        out.defaults.append(ContainerDefaults(owner, container, requests, limits))


def _gang(
    gangs: Sequence[tuple[str, int, bool]], units: Sequence[_Unit], placed: Sequence[Placed]
) -> GangResult | None:
    """3. Gang: all N pods of a ``parallelism == completions > 1`` Job at once."""
    if not gangs:
        return None
    owner, size, distinct = gangs[0]
    nodes = [p.node for u, p in zip(units, placed, strict=True) if u.owner == owner and p.node]
    missing = next(
        (
            p.result.message
            for u, p in zip(units, placed, strict=True)
            if u.owner == owner and not p.node
        ),
        "",
    )
    return GangResult(owner, size, len(nodes), nodes, distinct, missing)


def _queued_ahead(state: ClusterState, pods: Sequence[Mapping[str, Any]]) -> int:
    """Pending, unbound pods of the default scheduler at the workload's priority or higher
    (the scheduling queue orders by priority, then by arrival: they come first)."""
    if not pods:
        return 0
    ours = min(int((p.get("spec") or {}).get("priority") or 0) for p in pods)
    count = 0
    for pod in state.pods:
        spec, status = pod.get("spec") or {}, pod.get("status") or {}
        if spec.get("nodeName") or status.get("phase") not in (None, "Pending"):
            continue
        if (pod.get("metadata") or {}).get("deletionTimestamp"):
            continue
        if spec.get("schedulerName", "default-scheduler") != "default-scheduler":
            continue
        if int(spec.get("priority") or 0) >= ours:
            count += 1
    return count


def _released_state(
    state: ClusterState, released: Sequence[Release], now: datetime
) -> ClusterState:
    """The state with released pods' quota usage given back (what the quota controller does)."""
    quotas = copy.deepcopy(state.resource_quotas)
    for release in released:
        pod = release.pod
        namespace = (pod.get("metadata") or {}).get("namespace")
        cost = pod_usage(pod, now)
        for q in quotas:
            if q["metadata"].get("namespace") != namespace or not quota_matches(q, "pods", "", pod):
                continue
            used = (q.setdefault("status", {})).setdefault("used", {})
            for name, amount in cost.items():
                if name in used:
                    used[name] = str(
                        max(parse_quantity(str(used[name])) - amount, parse_quantity("0"))
                    )
    adjusted = copy.copy(state)
    adjusted.resource_quotas = quotas
    return adjusted


def check(
    objects: Sequence[Mapping[str, Any]], state: ClusterState, *, now: datetime | None = None
) -> CheckReport:
    """Check rendered manifests (Jobs, Deployments, Pods; Services, ConfigMaps, PVCs are
    counted by quota) against a cluster's state; ``now`` defaults to the state's newest
    timestamp. Never mutates ``state``."""
    at = now if now is not None else latest_time(state)
    # 1. Admission: the engine's chain over a copy of the quotas and limit ranges.
    admitted = _admit(objects, state, at)
    units = admitted.units
    pods = [u.pod for u in units]
    report = CheckReport(at, admitted.admitted, admitted.refusals, admitted.defaults)
    # 2. Placement now: each pod in creation order, assumed as placed, with the workload's
    #    own claims bound as the binder would bind them.
    state = with_claims(state, admitted.claims)
    snapshot = snapshot_of(state)
    placer = Placer(snapshot)
    placed = placer.place(pods, [u.owner for u in units], explain=True)
    classes = node_classes(state.nodes)
    details: dict[int, list[NodeClassDetail]] = {}
    for unit, p in zip(units, placed, strict=True):
        fit = p.result.fit_error
        if fit is not None and id(fit) not in details:
            details[id(fit)] = class_details(p.pod, fit, snapshot, classes)
        label = pod_label(p.pod)
        if unit.created.generate_name:
            label = pod_label(
                {
                    "metadata": {
                        "namespace": p.pod["metadata"].get("namespace"),
                        "generateName": unit.created.generate_name,
                    }
                },
                generated=GENERATED,
            )
        report.placements.append(
            PodPlacement(
                label,
                unit.owner,
                p.node,
                p.result.message,
                unit.admitted,
                p.result.nominated_node_name or None,
                [pod_label(v) for v in p.result.victims],
                details[id(fit)] if fit is not None else [],
                p.tied,
            )
        )
    # 3. Gang feasibility, and who is ahead in the scheduler's queue.
    report.gang = _gang(admitted.gangs, units, placed)
    report.queued_ahead = _queued_ahead(state, pods)
    if report.runs_now or not pods:
        return report
    # 4. Ever: an empty cluster of these nodes, the quotas' hard limits.
    gang = report.gang is not None
    report.ever = ever(pods, state, at, gang=gang, owners=[u.owner for u in units])
    if not report.ever.possible:
        report.start_note = "never, as things stand: " + "; ".join(report.ever.reasons)
        return report
    # 5. When: release known ends in time order until admission and placement both pass.
    placer.forget(placed)

    def fits(attempt: list[Placed]) -> bool:
        return len(attempt) == len(pods) and all(p.node is not None for p in attempt)

    def admits(when: datetime, released: Sequence[Release]) -> bool:
        return (
            report.admitted
            or _admit(objects, _released_state(state, released, when), when).admitted
        )

    start, report.start_note = estimate(placer, pods, state, at, fits=fits, admitted_at=admits)
    if start is not None and any(r.object.startswith("pods of job/") for r in report.refusals):
        start = job_retry_at(at, start)
    report.estimated_start = start
    return report


def job_retry_at(submitted: datetime, ready: datetime) -> datetime:
    """When the Job controller, refused since ``submitted``, next tries to create its pods at
    or after ``ready``: it retries with the engine's ``ApiBackoff`` (1 s doubling to 60 s)."""
    backoff = ApiBackoff()
    at = submitted
    while at < ready:
        at += timedelta(seconds=backoff.when("job"))
    return at
