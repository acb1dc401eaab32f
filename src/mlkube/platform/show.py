"""The live platform as ``mlkube platform show`` reports it: pools, teams and datasets.

Read from the cluster alone (no spec needed), by the labels mlkube writes: nodes by
``mlkube.io/pool`` with their allocatable and what the pods bound to them request
(``resource.PodRequests`` via ``mlkube.api.resources``, terminal pods excluded as
``pkg/scheduler`` excludes them), team quota from each ResourceQuota's ``status.hard`` and
``status.used`` (filled in by the quota controller), and each dataset claim's phase.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.resources import pod_requests
from mlkube.platform.names import DATASET, MANAGED_BY, MANAGED_BY_VALUE, PLATFORM, POOL, TEAM
from mlkube.platform.target import ClusterAPI

__all__ = ["DatasetStatus", "PlatformStatus", "PoolStatus", "TeamStatus", "status"]

_TERMINAL = ("Succeeded", "Failed")


@dataclass
class PoolStatus:
    name: str
    nodes: list[str] = field(default_factory=list)
    allocatable: dict[str, str] = field(default_factory=dict)
    allocated: dict[str, str] = field(default_factory=dict)


@dataclass
class TeamStatus:
    name: str
    namespace: str
    hard: dict[str, str] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)


@dataclass
class DatasetStatus:
    name: str
    team: str
    claim: str
    namespace: str
    phase: str
    volume: str

    @property
    def bound(self) -> bool:
        return self.phase == "Bound"


@dataclass
class PlatformStatus:
    pools: list[PoolStatus] = field(default_factory=list)
    teams: list[TeamStatus] = field(default_factory=list)
    datasets: list[DatasetStatus] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pools": [vars(p) for p in self.pools],
            "teams": [vars(t) for t in self.teams],
            "datasets": [{**vars(d), "bound": d.bound} for d in self.datasets],
        }


def _labels(obj: dict[str, Any]) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("labels") or {})


def _sum(into: dict[str, Quantity], values: dict[str, Any]) -> None:
    for name, value in values.items():
        q = value if isinstance(value, Quantity) else parse_quantity(str(value))
        into[name] = into[name] + q if name in into else q


def _strings(values: dict[str, Quantity]) -> dict[str, str]:
    return {k: str(v) for k, v in sorted(values.items())}


def status(api: ClusterAPI, platform: str | None = None) -> PlatformStatus:
    """The live platform (one of them, when ``platform`` names it)."""

    def ours(obj: dict[str, Any]) -> bool:
        return platform is None or _labels(obj).get(PLATFORM) == platform

    result = PlatformStatus()
    # 1. Pools: nodes by pool label, their allocatable, what bound pods request.
    pools: dict[str, PoolStatus] = {}
    sums: dict[str, tuple[dict[str, Quantity], dict[str, Quantity]]] = defaultdict(lambda: ({}, {}))
    node_pool: dict[str, str] = {}
    for node in api.list("nodes", label_selector=POOL):
        if not ours(node):
            continue
        pool, name = _labels(node)[POOL], str(node["metadata"]["name"])
        pools.setdefault(pool, PoolStatus(pool)).nodes.append(name)
        node_pool[name] = pool
        _sum(sums[pool][0], (node.get("status") or {}).get("allocatable") or {})
    for pod in api.list("pods"):
        node_name = (pod.get("spec") or {}).get("nodeName")
        phase = (pod.get("status") or {}).get("phase")
        if node_name in node_pool and phase not in _TERMINAL:
            _sum(sums[node_pool[node_name]][1], pod_requests(pod))
    for name in sorted(pools):
        pools[name].allocatable, pools[name].allocated = (_strings(s) for s in sums[name])
        result.pools.append(pools[name])
    # 2. Teams: each managed quota's hard and used.
    managed = f"{MANAGED_BY}={MANAGED_BY_VALUE}"
    for quota in api.list("resourcequotas", label_selector=managed):
        if ours(quota):
            st = quota.get("status") or {}
            result.teams.append(
                TeamStatus(
                    _labels(quota).get(TEAM, quota["metadata"]["name"]),
                    str(quota["metadata"].get("namespace") or ""),
                    dict(st.get("hard") or (quota.get("spec") or {}).get("hard") or {}),
                    dict(st.get("used") or {}),
                )
            )
    # 3. Datasets: each team's claim and whether it is bound.
    for claim in api.list("persistentvolumeclaims", label_selector=managed):
        if ours(claim) and DATASET in _labels(claim):
            meta = claim["metadata"]
            result.datasets.append(
                DatasetStatus(
                    _labels(claim)[DATASET],
                    _labels(claim).get(TEAM, ""),
                    str(meta["name"]),
                    str(meta.get("namespace") or ""),
                    str((claim.get("status") or {}).get("phase") or "Pending"),
                    str((claim.get("spec") or {}).get("volumeName") or ""),
                )
            )
    result.teams.sort(key=lambda t: t.name)
    result.datasets.sort(key=lambda d: (d.name, d.team))
    return result
