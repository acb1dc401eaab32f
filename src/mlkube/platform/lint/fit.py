"""Would a pod pass the scheduler's static filters on an empty node: the FitError words.

``lint`` does not simulate a cluster (``mlkube check`` does); it asks whether a pod could
ever schedule on the nodes it knows, ignoring the pods already running there. For that it
runs, per node and in kube-scheduler's default order, the filters that depend only on the
pod and the node, stops at the first that fails as ``RunFilterPlugins`` does, and words the
outcome as ``FitError.Error`` (``pkg/scheduler/framework/types.go``): ``0/N nodes are
available: <count> <reason>, ....`` with the histogram sorted as strings. The reasons are
the plugins' own: ``nodeunschedulable/node_unschedulable.go``,
``tainttoleration/taint_toleration.go``, ``nodeaffinity/node_affinity.go`` and
``noderesources/fit.go`` (``Insufficient <resource>``, ``Too many pods``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Final

from mlkube.api.nodeaffinity import RequiredNodeAffinity
from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.resources import pod_requests
from mlkube.api.taints import (
    ERR_REASON_UNTOLERATED,
    SCHEDULER_FILTER_EFFECTS,
    find_untolerated_taint,
    tolerations_tolerate_taint,
)

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
_UNSCHEDULABLE_TAINT: Final = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
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


def node_reasons(pod: Mapping[str, Any], node: Mapping[str, Any]) -> list[str]:
    """Why the pod cannot go on this (empty) node: the first failing filter's reasons."""
    spec = pod.get("spec") or {}
    node_spec = node.get("spec") or {}
    tolerations = spec.get("tolerations") or ()
    if node_spec.get("unschedulable") and not tolerations_tolerate_taint(
        tolerations, _UNSCHEDULABLE_TAINT
    ):
        return [REASON_UNSCHEDULABLE]
    if find_untolerated_taint(node_spec.get("taints"), tolerations, SCHEDULER_FILTER_EFFECTS):
        return [ERR_REASON_UNTOLERATED]
    if not RequiredNodeAffinity(pod).match(node):
        return [REASON_AFFINITY]
    return insufficient(pod, node)


def fit_error(pod: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]]) -> str | None:
    """The scheduler's ``0/N nodes are available: ...`` when no node passes, else None."""
    histogram: Counter[str] = Counter()
    for node in nodes:
        reasons = node_reasons(pod, node)
        if not reasons:
            return None
        histogram.update(reasons)
    parts = sorted(f"{count} {reason}" for reason, count in histogram.items())
    message = NO_NODE_AVAILABLE.format(n=len(nodes))
    return f"{message} {', '.join(parts)}." if parts else message
