"""Would a pod schedule on the nodes lint knows, were they empty: the FitError words.

``lint`` does not simulate a cluster (``mlkube check`` does); it asks whether a pod could
ever schedule on the nodes it knows, ignoring the pods already running there. For that it
runs the engine's scheduler (:mod:`mlkube.engine.scheduler`, kube-scheduler's default
profile) on a snapshot of those nodes and no pods, and words the outcome as
``FitError.Error`` (``pkg/scheduler/framework/types.go``): ``0/N nodes are available:
<count> <reason>, ....``, without the preemption sentence (there is nothing to preempt);
``node_reasons`` is the same question for one node. ``insufficient`` is ``fitsRequest`` on
an empty node, for the rule that names the resources no node has enough of.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.resources import pod_requests
from mlkube.engine.scheduler import Scheduler, Snapshot

__all__ = [
    "NO_NODE_AVAILABLE",
    "REASON_AFFINITY",
    "REASON_TOO_MANY_PODS",
    "REASON_UNSCHEDULABLE",
    "allocatable",
    "fit_error",
    "insufficient",
    "node_reasons",
]

NO_NODE_AVAILABLE: Final = "0/{n} nodes are available:"
REASON_UNSCHEDULABLE: Final = "node(s) were unschedulable"
REASON_AFFINITY: Final = "node(s) didn't match Pod's node affinity/selector"
REASON_TOO_MANY_PODS: Final = "Too many pods"
_UNSTATED_PODS: Final = 1_000_000
_FIRST: Final = ("cpu", "memory", "ephemeral-storage")


def allocatable(node: Mapping[str, Any]) -> dict[str, Quantity]:
    """The node's ``status.allocatable`` (its capacity when allocatable is not reported)."""
    status = node.get("status") or {}
    raw = status.get("allocatable") or status.get("capacity") or {}
    return {name: parse_quantity(str(value)) for name, value in raw.items()}


def insufficient(pod: Mapping[str, Any], node: Mapping[str, Any]) -> list[str]:
    """``fitsRequest`` on an empty node: ``Insufficient <name>`` per resource that does not fit."""
    requests = pod_requests(pod)
    free = allocatable(node)
    reasons: list[str] = []
    if "pods" in free and free["pods"] < Quantity.from_int(1):
        reasons.append(REASON_TOO_MANY_PODS)
    names = [*(n for n in _FIRST if n in requests), *sorted(set(requests) - set(_FIRST))]
    for name in names:
        want = requests[name]
        if name == "pods" or want.sign() <= 0:
            continue
        if want > free.get(name, Quantity.from_int(0)):
            reasons.append(f"Insufficient {name}")
    return reasons


def _schedulable(node: Mapping[str, Any]) -> dict[str, Any]:
    """A node as the scheduler reads it: allocatable (its capacity when not reported)."""
    status = dict(node.get("status") or {})
    amounts = {k: str(v) for k, v in allocatable(node).items()}
    # A hand-written node that states no pod count is not limited by one.
    amounts.setdefault("pods", str(_UNSTATED_PODS))
    status["allocatable"] = amounts
    return {**node, "status": status}


def _probe(pod: Mapping[str, Any]) -> dict[str, Any]:
    meta = pod.get("metadata") or {}
    return {
        **pod,
        "metadata": {**meta, "namespace": meta.get("namespace") or "default", "uid": "lint"},
    }


def node_reasons(pod: Mapping[str, Any], node: Mapping[str, Any]) -> list[str]:
    """Why the pod cannot go on this (empty) node: the scheduler's reasons, or none."""
    result = Scheduler(Snapshot([_schedulable(node)])).schedule_one(_probe(pod))
    if result.node_name is not None or result.fit_error is None:
        return []
    status = result.fit_error.statuses.statuses.get(
        str((node.get("metadata") or {}).get("name") or "")
    )
    return list(status.reasons if status is not None else result.fit_error.statuses.absent.reasons)


def fit_error(pod: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]]) -> str | None:
    """The scheduler's ``0/N nodes are available: ...`` when no node passes, else None.

    The engine's scheduler on a snapshot of the nodes and no pods; the FitError's words
    without the PostFilter (preemption) sentence, which depends on running pods.
    """
    if not nodes:
        return NO_NODE_AVAILABLE.format(n=0)
    result = Scheduler(Snapshot([_schedulable(n) for n in nodes])).schedule_one(_probe(pod))
    if result.node_name is not None:
        return None
    if result.fit_error is None:
        return result.error or None
    return replace(result.fit_error, post_filter_msg="").message()
