"""The figures of ``mlkube quota`` and ``mlkube top``: quota used/hard, pool allocation, and
GPU fragmentation.

Quota figures are each ResourceQuota's ``status`` (the quota controller's numbers, which
admission charges against). Allocation is what the scheduler accounts: the requests
(``mlkube.api.resources.pod_requests``) of the non-terminal pods bound to a node, against
its allocatable, summed per pool (``mlkube.io/pool``). Fragmentation: free GPUs on nodes
with fewer free than the smallest GPU request of any pending pod, which no pending pod can
use although, added up, they might be enough.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from mlkube.api.quantity import parse_quantity
from mlkube.api.resources import pod_requests
from mlkube.engine.scheduler.framework import quantities_to_ints
from mlkube.platform.check.placement import format_amount
from mlkube.platform.check.state import ClusterState
from mlkube.platform.names import MANAGED_BY, MANAGED_BY_VALUE, POOL, TEAM

__all__ = [
    "GPU",
    "NO_POOL",
    "NodeUsage",
    "PoolUsage",
    "QuotaLine",
    "QuotaUsage",
    "TopReport",
    "quotas",
    "top",
]

GPU: Final = "nvidia.com/gpu"
NO_POOL: Final = "(no pool)"
#: Resources shown first, in this order (GPUs first).
_FIRST: Final = (GPU, "cpu", "memory")
_TERMINAL = ("Succeeded", "Failed")


@dataclass
class QuotaLine:
    resource: str
    used: str
    hard: str
    fraction: float  # used / hard, 0 when hard is 0


@dataclass
class QuotaUsage:
    team: str
    namespace: str
    quota: str
    lines: list[QuotaLine] = field(default_factory=list)


def _order(names: Any) -> list[str]:
    names = set(names)
    first = [n for n in _FIRST if n in names]
    rest = sorted(n for n in names if n not in _FIRST)

    # requests.nvidia.com/gpu and the like follow the same order.
    def rank(n: str) -> tuple[int, str]:
        base = n.removeprefix("requests.").removeprefix("limits.")
        return (_FIRST.index(base) if base in _FIRST else len(_FIRST), n)

    return first + sorted(rest, key=rank)


def quotas(
    state: ClusterState, *, team: str | None = None, all_namespaces: bool = False
) -> list[QuotaUsage]:
    """Used and hard per quota: mlkube's team quotas (every quota with ``all_namespaces``),
    only team ``team``'s when given."""
    out: list[QuotaUsage] = []
    for q in state.resource_quotas:
        meta = q.get("metadata") or {}
        labels = meta.get("labels") or {}
        namespace = str(meta.get("namespace") or "")
        owner = str(labels.get(TEAM) or namespace)
        if team is not None and team not in (owner, namespace):
            continue
        if team is None and not all_namespaces and labels.get(MANAGED_BY) != MANAGED_BY_VALUE:
            continue
        status = q.get("status") or {}
        hard = status.get("hard") or (q.get("spec") or {}).get("hard") or {}
        used = status.get("used") or {}
        usage = QuotaUsage(owner, namespace, str(meta.get("name") or ""))
        for name in _order(hard):
            h = parse_quantity(str(hard[name]))
            u = parse_quantity(str(used.get(name, "0")))
            hv = float(h.as_fraction())
            fraction = float(u.as_fraction()) / hv if hv else 0.0
            usage.lines.append(QuotaLine(name, str(u), str(h), fraction))
        out.append(usage)
    out.sort(key=lambda u: (u.team, u.namespace, u.quota))
    return out


@dataclass
class NodeUsage:
    name: str
    pool: str
    pods: int
    allocatable: dict[str, str] = field(default_factory=dict)
    allocated: dict[str, str] = field(default_factory=dict)


@dataclass
class PoolUsage:
    name: str
    nodes: int
    allocatable: dict[str, str] = field(default_factory=dict)
    allocated: dict[str, str] = field(default_factory=dict)
    free_gpus: int = 0
    #: Free GPUs on nodes with fewer free than the smallest pending GPU request.
    stranded_gpus: int = 0


@dataclass
class TopReport:
    pools: list[PoolUsage] = field(default_factory=list)
    nodes: list[NodeUsage] = field(default_factory=list)
    #: The GPU requests of pending pods, per pod (``namespace/name`` -> GPUs).
    pending_gpu_requests: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pool(node: Mapping[str, Any]) -> str:
    return str(((node.get("metadata") or {}).get("labels") or {}).get(POOL) or NO_POOL)


def _strings(values: Mapping[str, int]) -> dict[str, str]:
    return {k: format_amount(k, values[k]) for k in _order(values)}


def top(state: ClusterState) -> TopReport:
    """Allocation per node and per pool, and GPU fragmentation against pending pods."""
    requested: dict[str, dict[str, int]] = {}
    counts: dict[str, int] = {}
    pending: dict[str, int] = {}
    for pod in state.pods:
        spec, status = pod.get("spec") or {}, pod.get("status") or {}
        if status.get("phase") in _TERMINAL:
            continue
        amounts = quantities_to_ints(pod_requests(pod))
        node = spec.get("nodeName")
        if not node:
            if amounts.get(GPU, 0) > 0:
                meta = pod.get("metadata") or {}
                pending[f"{meta.get('namespace')}/{meta.get('name')}"] = amounts[GPU]
            continue
        into = requested.setdefault(str(node), {})
        for k, v in amounts.items():
            into[k] = into.get(k, 0) + v
        counts[str(node)] = counts.get(str(node), 0) + 1
    smallest = min(pending.values(), default=0)
    report = TopReport(pending_gpu_requests=dict(sorted(pending.items())))
    pools: dict[str, tuple[PoolUsage, dict[str, int], dict[str, int]]] = {}
    for node in sorted(state.nodes, key=lambda n: str((n.get("metadata") or {}).get("name"))):
        name = str((node.get("metadata") or {}).get("name") or "")
        status = node.get("status") or {}
        alloc = quantities_to_ints(status.get("allocatable") or status.get("capacity") or {})
        used = requested.get(name, {})
        used_shown = {k: used.get(k, 0) for k in alloc if k != "pods"}
        alloc_shown = {k: v for k, v in alloc.items() if k != "pods"}
        pool = _pool(node)
        report.nodes.append(
            NodeUsage(name, pool, counts.get(name, 0), _strings(alloc_shown), _strings(used_shown))
        )
        usage, pool_alloc, pool_used = pools.setdefault(pool, (PoolUsage(pool, 0), {}, {}))
        usage.nodes += 1
        for k, v in alloc_shown.items():
            pool_alloc[k] = pool_alloc.get(k, 0) + v
            pool_used[k] = pool_used.get(k, 0) + used.get(k, 0)
        free = max(alloc.get(GPU, 0) - used.get(GPU, 0), 0)
        usage.free_gpus += free
        if 0 < free < smallest:
            usage.stranded_gpus += free
    for name in sorted(pools):
        usage, pool_alloc, pool_used = pools[name]
        usage.allocatable, usage.allocated = _strings(pool_alloc), _strings(pool_used)
        report.pools.append(usage)
    return report
