"""``explain``: why something that exists is not running, each reason with a fix.

For a pod, a Job or a Deployment: pods Pending are re-scheduled with the engine's scheduler
on a snapshot of the cluster as it is (reasons grouped as FailedScheduling groups them,
plus per node class which taint, which selector, how much of which resource); a Job's pods
refused by admission are read from its ``FailedCreate`` events (the message, how many
times); claims not bound are matched against the volumes (class, capacity, access modes)
or found waiting for a first consumer; containers in back-off, deadlines that will stop
pods, and ``Preempted`` events (whose pod preempted them) are reported with what to do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from mlkube.api.labels import SelectorError, selector_from_label_selector
from mlkube.api.quantity import parse_quantity
from mlkube.api.registry import lookup
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.controllers.job.backoff import finished_time, remaining_time
from mlkube.engine.controllers.job.pods import new_pod
from mlkube.platform.check.admission import GENERATED, Admission
from mlkube.platform.check.placement import Placer, class_details, node_classes, snapshot_of
from mlkube.platform.check.report import NodeClassDetail
from mlkube.platform.check.run import fix_for, latest_time
from mlkube.platform.check.state import ClusterState, read_state
from mlkube.platform.target import ClusterAPI

__all__ = [
    "ExplainError",
    "Explanation",
    "Finding",
    "explain",
]

_GENERATED_NAME = re.compile(r'pods "([a-z0-9.-]+-)[a-z0-9]{5}"')
_PREEMPTED_BY = re.compile(r"Preempted by pod (\S+) on node (\S+)")
_KINDS: Final = {"pod": "pods", "job": "jobs", "deployment": "deployments"}
_ALIASES: Final = {
    "pod": "pod",
    "pods": "pod",
    "po": "pod",
    "job": "job",
    "jobs": "job",
    "deployment": "deployment",
    "deployments": "deployment",
    "deploy": "deployment",
}
_TERMINAL = ("Succeeded", "Failed")

Obj = dict[str, Any]


class ExplainError(ValueError):
    """The thing to explain does not exist, or its kind is not one explain knows."""


@dataclass
class Finding:
    """One reason, about one subject (``pod vision/x``, ``job vision/y``, ``claim ...``)."""

    subject: str
    kind: str  # unschedulable | refused | claim | backoff | deadline | preempted | failed | ...
    message: str
    fix: str = ""
    count: int = 1
    classes: list[NodeClassDetail] = field(default_factory=list)


@dataclass
class Explanation:
    """What ``explain`` found for one object: a summary line and the findings."""

    target: str
    summary: str
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "summary": self.summary,
            "findings": [
                {
                    **asdict(f),
                    "classes": [
                        {**asdict(c), "missing": {k: list(v) for k, v in c.missing.items()}}
                        for c in f.classes
                    ],
                }
                for f in self.findings
            ],
        }


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _name(obj: Mapping[str, Any]) -> str:
    return str(_meta(obj).get("name") or "")


def _resolve(state: ClusterState, ref: str, namespace: str) -> tuple[str, Obj]:
    kind, _, name = ref.rpartition("/")
    if kind:
        canonical = _ALIASES.get(kind.lower())
        if canonical is None:
            raise ExplainError(f"{kind!r}: explain knows pod/NAME, job/NAME and deployment/NAME")
        kinds = [canonical]
    else:
        kinds = ["job", "deployment", "pod"]
    for k in kinds:
        found = state.find(_KINDS[k] if k != "pod" else "pods", namespace, name)
        if found is not None:
            return k, found
    what = "/".join(kinds) if kind else "job, deployment or pod"
    raise ExplainError(f"no {what} named {name!r} in namespace {namespace!r}")


def _owned_pods(state: ClusterState, kind: str, obj: Mapping[str, Any]) -> list[Obj]:
    namespace = str(_meta(obj).get("namespace") or "")
    if kind == "pod":
        return [dict(obj)]
    pods = state.in_namespace("pods", namespace)
    if kind == "job":
        uid = _meta(obj).get("uid")
        return [
            p
            for p in pods
            if any(
                r.get("kind") == "Job" and (r.get("uid") == uid or r.get("name") == _name(obj))
                for r in _meta(p).get("ownerReferences") or []
            )
        ]
    try:
        selector = selector_from_label_selector((obj.get("spec") or {}).get("selector"))
    except SelectorError:
        return []
    return [p for p in pods if selector.matches(_meta(p).get("labels") or {})]


def _events(state: ClusterState, namespace: str, kind: str, name: str) -> list[Obj]:
    out = []
    for e in state.in_namespace("events", namespace):
        inv = e.get("involvedObject") or {}
        if inv.get("kind") == kind and inv.get("name") == name:
            out.append(e)
    return sorted(out, key=_event_time)


def _event_time(event: Mapping[str, Any]) -> str:
    return str(event.get("lastTimestamp") or event.get("eventTime") or "")


def _pending(
    pod: Obj, state: ClusterState, placer: Placer, classes: Mapping[str, list[str]]
) -> Finding:
    label = f"pod {_meta(pod).get('namespace')}/{_name(pod)}"
    [placed] = placer.place([pod], explain=False)
    placer.forget([placed])
    fit = placed.result.fit_error
    if placed.node is not None:
        last = [
            e.get("message", "")
            for e in _events(state, str(_meta(pod).get("namespace")), "Pod", _name(pod))
            if e.get("reason") == "FailedScheduling"
        ]
        said = f"; its last FailedScheduling said: {last[-1]}" if last else ""
        return Finding(
            label,
            "waiting",
            f"fits {placed.node} now: the scheduler will place it on its next attempt{said}",
            "nothing to do: it is in the scheduler's back-off queue",
        )
    details = class_details(pod, fit, placer.snapshot, classes) if fit is not None else []
    fixes = [f"{c.node_class}: {c.fix}" for c in details if c.fix]
    if placed.result.nominated_node_name:
        fixes.insert(0, f"it will preempt pods on {placed.result.nominated_node_name}")
    return Finding(label, "unschedulable", placed.result.message, "; ".join(fixes), 1, details)


def _claims(pod: Mapping[str, Any], state: ClusterState) -> list[Finding]:
    namespace = str(_meta(pod).get("namespace") or "")
    out: list[Finding] = []
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        claim_name = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if not claim_name:
            continue
        claim = state.find("pvcs", namespace, str(claim_name))
        subject = f"claim {namespace}/{claim_name}"
        if claim is None:
            out.append(
                Finding(
                    subject,
                    "claim",
                    f'persistentvolumeclaim "{claim_name}" not found',
                    "create the claim, or fix the pod's claimName",
                )
            )
            continue
        if (claim.get("status") or {}).get("phase") == "Bound":
            continue
        out.append(_unbound(claim, subject, state))
    return out


def _unbound(claim: Mapping[str, Any], subject: str, state: ClusterState) -> Finding:
    spec = claim.get("spec") or {}
    class_name = spec.get("storageClassName") or ""
    storage_class = state.find("storage_classes", None, str(class_name)) if class_name else None
    if (
        storage_class is not None
        and storage_class.get("volumeBindingMode") == "WaitForFirstConsumer"
    ):
        return Finding(
            subject,
            "claim",
            f"waits for its first consumer to be scheduled (StorageClass {class_name} binds "
            "WaitForFirstConsumer)",
            "the claim binds once a pod using it is placed: see that pod's reasons",
        )
    want = parse_quantity(
        str(((spec.get("resources") or {}).get("requests") or {}).get("storage", "0"))
    )
    modes = set(spec.get("accessModes") or [])
    candidates: list[str] = []
    for pv in state.pvs:
        pv_spec = pv.get("spec") or {}
        if (pv.get("status") or {}).get("phase") not in (None, "Available"):
            continue
        if (pv_spec.get("storageClassName") or "") != class_name:
            continue
        size = parse_quantity(str((pv_spec.get("capacity") or {}).get("storage", "0")))
        if size < want:
            candidates.append(f"{_name(pv)} is too small ({size})")
            continue
        if not modes <= set(pv_spec.get("accessModes") or []):
            candidates.append(f"{_name(pv)} lacks access mode(s) {', '.join(sorted(modes))}")
            continue
        candidates.append(f"{_name(pv)} would match")
    shown = "; ".join(candidates) if candidates else "there are none of that class"
    modes_text = ",".join(sorted(modes)) or "-"
    return Finding(
        subject,
        "claim",
        f"no available PersistentVolume of class {class_name or '(none)'} with at least {want} "
        f"and access modes {modes_text}: {shown}",
        "create a matching PersistentVolume, or change the claim's class, size or access modes",
    )


def _container_findings(pod: Mapping[str, Any], now: datetime) -> list[Finding]:
    label = f"pod {_meta(pod).get('namespace')}/{_name(pod)}"
    out: list[Finding] = []
    status = pod.get("status") or {}
    for c in status.get("containerStatuses") or []:
        waiting = (c.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") == "CrashLoopBackOff":
            out.append(
                Finding(
                    label,
                    "backoff",
                    f"container {c.get('name')} is in CrashLoopBackOff after "
                    f"{c.get('restartCount', 0)} restarts: {waiting.get('message', '')}".rstrip(
                        ": "
                    ),
                    "read its logs (mlkube logs / kubectl logs --previous) and fix the crash",
                )
            )
    deadline = (pod.get("spec") or {}).get("activeDeadlineSeconds")
    start = status.get("startTime")
    if deadline is not None and start and status.get("phase") == "Running":
        at = parse_time(str(start)) + timedelta(seconds=int(deadline))
        out.append(
            Finding(
                label,
                "deadline",
                f"activeDeadlineSeconds {deadline} stops it at {format_time(at)}"
                + (" (overdue)" if at <= now else ""),
                "raise activeDeadlineSeconds if it needs longer",
            )
        )
    return out


def _job_findings(job: Mapping[str, Any], state: ClusterState, now: datetime) -> list[Finding]:
    namespace = str(_meta(job).get("namespace") or "")
    subject = f"job {namespace}/{_name(job)}"
    out: list[Finding] = []
    # Refusals: FailedCreate events, grouped by message (generated names masked).
    grouped: dict[str, int] = {}
    for e in _events(state, namespace, "Job", _name(job)):
        if e.get("reason") == "FailedCreate":
            message = _GENERATED_NAME.sub(
                lambda m: f'pods "{m.group(1)}{GENERATED}"', str(e.get("message", ""))
            )
            grouped[message] = grouped.get(message, 0) + int(e.get("count") or 1)
    headroom: list[str] = []
    if grouped:
        admission = Admission(state, now)
        pod = admission.create(new_pod(job)).obj
        headroom = admission.headroom(namespace, pod, lookup("pods"))
    for message, count in grouped.items():
        why = message.split(" is forbidden: ", 1)[-1]
        out.append(Finding(subject, "refused", message, fix_for(why, headroom), count))
    spec, status = job.get("spec") or {}, job.get("status") or {}
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Failed" and cond.get("status") == "True":
            out.append(
                Finding(
                    subject,
                    "failed",
                    f"{cond.get('reason', '')}: {cond.get('message', '')}",
                    "see the pods' logs; raise backoffLimit or activeDeadlineSeconds if needed",
                )
            )
    waiting = _failure_backoff(job, state, now)
    if waiting is not None:
        out.append(waiting)
    if spec.get("suspend"):
        out.append(
            Finding(subject, "suspended", "the Job is suspended", "resume it (spec.suspend=false)")
        )
    deadline = spec.get("activeDeadlineSeconds")
    start = status.get("startTime")
    if deadline is not None and start and not status.get("completionTime"):
        at = parse_time(str(start)) + timedelta(seconds=int(deadline))
        out.append(
            Finding(
                subject,
                "deadline",
                f"activeDeadlineSeconds {deadline} fails the Job at {format_time(at)}",
                "raise activeDeadlineSeconds if it needs longer",
            )
        )
    return out


def _failure_backoff(job: Mapping[str, Any], state: ClusterState, now: datetime) -> Finding | None:
    """The Job controller's pod-failure back-off (``getRemainingTimeForFailuresCount``)."""
    status = job.get("status") or {}
    failures = int(status.get("failed") or 0)
    if not failures or status.get("completionTime") or _finished(job):
        return None
    namespace = str(_meta(job).get("namespace") or "")
    failed = [
        p
        for p in _owned_pods(state, "job", job)
        if (p.get("status") or {}).get("phase") == "Failed"
    ]
    if not failed:
        return None
    last = max(finished_time(p) for p in failed)
    seconds = remaining_time(now, failures, last)
    if seconds <= 0:
        return None
    until = now + timedelta(seconds=seconds)
    return Finding(
        f"job {namespace}/{_name(job)}",
        "backoff",
        f"after {failures} failed pod(s) the Job controller waits until {format_time(until)} "
        f"({seconds:.0f}s) before creating pods again",
        "read the failed pods' logs (mlkube logs) to see why they failed",
    )


def _finished(job: Mapping[str, Any]) -> bool:
    return any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        for c in (job.get("status") or {}).get("conditions") or []
    )


def _preempted(
    state: ClusterState, namespace: str, prefix: str, pods: Sequence[Mapping[str, Any]]
) -> list[Finding]:
    """``Preempted`` events of the object's pods (gone or not), with the preemptor's name."""
    names = {_name(p) for p in pods}
    by_uid = {
        str(_meta(p).get("uid")): f"{_meta(p).get('namespace')}/{_name(p)}" for p in state.pods
    }
    out: list[Finding] = []
    for e in state.in_namespace("events", namespace):
        inv = e.get("involvedObject") or {}
        name = str(inv.get("name") or "")
        if e.get("reason") != "Preempted" or inv.get("kind") != "Pod":
            continue
        if name not in names and not name.startswith(prefix):
            continue
        message = str(e.get("message", ""))
        match = _PREEMPTED_BY.search(message)
        who = by_uid.get(match.group(1), f"uid {match.group(1)}") if match else "another pod"
        node = match.group(2) if match else "its node"
        out.append(
            Finding(
                f"pod {namespace}/{name}",
                "preempted",
                f"{message} (pod {who})",
                f"a higher-priority pod took its place on {node}; give this workload a higher "
                "PriorityClass or a pool of its own",
            )
        )
    return out


def _final_condition(job: Mapping[str, Any]) -> str | None:
    """``finished: Complete (CompletionsReached)`` for a Job with a final condition."""
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return f"finished: {c['type']} ({c.get('reason', '')})"
    return None


def explain(
    target_or_state: ClusterAPI | ClusterState,
    name: str,
    namespace: str,
    *,
    now: datetime | None = None,
) -> Explanation:
    """Why ``name`` (``NAME``, ``pod/NAME``, ``job/NAME`` or ``deployment/NAME``) in
    ``namespace`` is not (all) running. Raises :class:`ExplainError` when it does not exist."""
    state = (
        target_or_state
        if isinstance(target_or_state, ClusterState)
        else read_state(target_or_state)
    )
    at = now if now is not None else latest_time(state)
    kind, obj = _resolve(state, name, namespace)
    pods = _owned_pods(state, kind, obj)
    target = f"{kind}/{namespace}/{_name(obj)}"
    findings: list[Finding] = []
    # 1. The object's own reasons: a Job's refusals, failure, suspension, deadline.
    if kind == "job":
        findings += _job_findings(obj, state, at)
    # 2. Each pod: unschedulable (the scheduler, now), claims, back-off, deadlines.
    placer: Placer | None = None
    classes = node_classes(state.nodes)
    for pod in sorted(pods, key=_name):
        phase = (pod.get("status") or {}).get("phase") or "Pending"
        if phase in _TERMINAL or _meta(pod).get("deletionTimestamp"):
            continue
        if not (pod.get("spec") or {}).get("nodeName"):
            if placer is None:
                placer = Placer(snapshot_of(state))
            findings.append(_pending(pod, state, placer, classes))
            findings += _claims(pod, state)
        findings += _container_findings(pod, at)
    # 3. Preemptions of its pods.
    findings += _preempted(state, namespace, f"{_name(obj)}-", pods)
    running = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Running")
    pending = sum(
        1 for p in pods if ((p.get("status") or {}).get("phase") or "Pending") == "Pending"
    )
    summary = f"{target}: {len(pods)} pod(s), {running} running, {pending} pending"
    finished = _final_condition(obj) if kind == "job" else None
    if finished:
        summary += f"; {finished}"
    elif not findings:
        summary += "; nothing is holding it back"
    return Explanation(target, summary, findings)
