"""Could the workload ever run here: an empty cluster of these nodes, these quotas' hard limits.

When a workload does not fit now, the next question is whether waiting can help. It
cannot when a pod asks more of a resource than any node has, when the only nodes large
enough carry a taint the pod does not tolerate (or a label its selector excludes), or when
one pod (or, for a gang, all of them together) costs more than a quota's hard limit. The
placement part runs the engine's scheduler on a snapshot holding the nodes and no pods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from mlkube.api.nodeaffinity import RequiredNodeAffinity
from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.quota import quota_matches, usage
from mlkube.api.resources import pod_requests
from mlkube.api.taints import SCHEDULER_FILTER_EFFECTS, find_untolerated_taint, taint_string
from mlkube.engine.scheduler.framework import NodeInfo, quantities_to_ints
from mlkube.platform.check.placement import Placer, format_amount, snapshot_of
from mlkube.platform.check.report import EverResult
from mlkube.platform.check.state import ClusterState

__all__ = [
    "MSG_AFFINITY",
    "MSG_LARGER",
    "MSG_QUOTA",
    "MSG_QUOTA_GANG",
    "MSG_TAINT",
    "ever",
]

MSG_LARGER: Final = (
    "asks {want} {resource} per pod, more than any node has: the largest is {node} with {have}"
)
MSG_TAINT: Final = (
    "only nodes with the untolerated taint {taint} are large enough ({nodes}); "
    "add a toleration for it"
)
MSG_AFFINITY: Final = (
    "the pod's node selector or required affinity excludes every node large enough ({nodes})"
)
MSG_QUOTA: Final = "quota {namespace}/{name} allows {resource}={hard} in all, one pod asks {want}"
MSG_QUOTA_GANG: Final = (
    "quota {namespace}/{name} allows {resource}={hard} in all, the {n} pods that must run "
    "together ask {want}"
)


def _large_enough(requests: Mapping[str, int], info: NodeInfo) -> bool:
    return all(info.allocatable.get(r, 0) >= v for r, v in requests.items() if v > 0)


def _names(infos: Sequence[NodeInfo]) -> str:
    shown = ", ".join(i.name for i in infos[:3])
    return shown + (f" and {len(infos) - 3} more" if len(infos) > 3 else "")


def _node_reasons(pod: Mapping[str, Any], infos: Sequence[NodeInfo]) -> list[str]:
    requests = {k: v for k, v in quantities_to_ints(pod_requests(pod)).items() if k != "pods"}
    reasons: list[str] = []
    for resource, want in sorted(requests.items()):
        if want <= 0 or not infos:
            continue
        largest = max(infos, key=lambda i: i.allocatable.get(resource, 0))
        have = largest.allocatable.get(resource, 0)
        if want > have:
            reasons.append(
                MSG_LARGER.format(
                    want=format_amount(resource, want),
                    resource=resource,
                    node=largest.name,
                    have=format_amount(resource, have),
                )
            )
    if reasons:
        return reasons
    big = [i for i in infos if _large_enough(requests, i)]
    if not big:
        return reasons
    tolerations = (pod.get("spec") or {}).get("tolerations")
    taints = [find_untolerated_taint(i.taints, tolerations, SCHEDULER_FILTER_EFFECTS) for i in big]
    if all(t is not None for t in taints):
        first = next(t for t in taints if t is not None)
        return [MSG_TAINT.format(taint=taint_string(first), nodes=_names(big))]
    affinity = RequiredNodeAffinity(pod)
    if not any(affinity.match(i.node) for i in big):
        return [MSG_AFFINITY.format(nodes=_names(big))]
    return reasons


def _quota_reasons(
    pods: Sequence[Mapping[str, Any]], state: ClusterState, now: datetime, gang: bool
) -> list[str]:
    if not pods:
        return []
    pod = pods[0]
    namespace = str((pod.get("metadata") or {}).get("namespace") or "")
    one = usage("pods", "", pod, now)
    reasons: list[str] = []
    for q in sorted(
        state.in_namespace("resource_quotas", namespace), key=lambda q: q["metadata"]["name"]
    ):
        if not quota_matches(q, "pods", "", pod):
            continue
        hard = (q.get("status") or {}).get("hard") or (q.get("spec") or {}).get("hard") or {}
        for resource in sorted(set(one) & set(hard)):
            limit = parse_quantity(str(hard[resource]))
            total = Quantity.from_int(0)
            for _ in pods:
                total = total + one[resource]
            fields = {"namespace": namespace, "name": q["metadata"]["name"], "resource": resource}
            if one[resource] > limit:
                reasons.append(MSG_QUOTA.format(**fields, hard=limit, want=one[resource]))
            elif gang and total > limit:
                reasons.append(MSG_QUOTA_GANG.format(**fields, hard=limit, n=len(pods), want=total))
    return reasons


def ever(
    pods: Sequence[Mapping[str, Any]],
    state: ClusterState,
    now: datetime,
    *,
    gang: bool,
    owners: Sequence[str] | None = None,
) -> EverResult:
    """Whether these pods (a gang when ``gang``: all at once) fit an empty cluster of the
    state's nodes, and fit the namespace's quotas' hard limits. Without a gang, the first
    pod of each owner is tried (its siblings are alike)."""
    reasons = _quota_reasons(pods, state, now, gang)
    snapshot = snapshot_of(state, with_pods=False)
    placer = Placer(snapshot)
    groups: list[list[Mapping[str, Any]]] = [list(pods)]
    if not gang:
        names = owners if owners is not None else [str(i) for i in range(len(pods))]
        first: dict[str, Mapping[str, Any]] = {}
        for owner, pod in zip(names, pods, strict=True):
            first.setdefault(owner, pod)
        groups = [[pod] for pod in first.values()]
    for group in groups:
        placed = placer.place(group)
        placer.forget(placed)
        failed = next((p for p in placed if p.node is None), None)
        if failed is not None:
            found = _node_reasons(failed.pod, snapshot.node_infos)
            reasons += found or [
                f"on an empty cluster of these nodes: {failed.result.message}".rstrip()
            ]
            break
    return EverResult(not reasons, reasons)
