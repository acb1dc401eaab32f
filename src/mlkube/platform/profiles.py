"""Workload profiles resolved into what a pod and a Job need: affinity, tolerations, limits.

A profile names pools; a workload of that profile must land on those pools' nodes (required
node affinity on the ``mlkube.io/pool`` label every pool's nodes carry) and must tolerate
those pools' taints, and nothing else. The platform validator (a taint no profile tolerates)
and the workloads (issue 9) both read profiles through :func:`resolve`, so they agree. The
Job fields follow ``k8s.io/api/batch/v1`` (``activeDeadlineSeconds``,
``ttlSecondsAfterFinished``, ``backoffLimit``); toleration matching is
``mlkube.api.taints.tolerations_tolerate_taint``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mlkube.api.taints import tolerations_tolerate_taint
from mlkube.api.timestamps import parse_duration
from mlkube.platform.names import POOL
from mlkube.platform.spec import Platform, Pool, Profile

__all__ = [
    "ResolvedProfile",
    "is_gpu_pool",
    "is_gpu_resource",
    "node_affinity",
    "pool_taints",
    "profiles_tolerating",
    "resolve",
    "tolerations_for",
]


def is_gpu_resource(name: str) -> bool:
    """An accelerator extended resource (``nvidia.com/gpu``, ``amd.com/gpu``)."""
    return name.endswith("/gpu")


def is_gpu_pool(pool: Pool) -> bool:
    return any(is_gpu_resource(name) for name in pool.capacity)


def pool_taints(pool: Pool) -> list[dict[str, Any]]:
    """The pool's taints in wire form (``v1.Taint``), an empty value omitted."""
    return [
        {"key": t.key, **({"value": t.value} if t.value else {}), "effect": t.effect}
        for t in pool.taints
    ]


def tolerations_for(pools: Iterable[Pool]) -> list[dict[str, Any]]:
    """One toleration per distinct taint of the pools (``Equal``, or ``Exists`` without a value)."""
    seen: list[dict[str, Any]] = []
    for pool in pools:
        for taint in pool_taints(pool):
            toleration: dict[str, Any] = {"key": taint["key"]}
            if "value" in taint:
                toleration |= {"operator": "Equal", "value": taint["value"]}
            else:
                toleration["operator"] = "Exists"
            toleration["effect"] = taint["effect"]
            if toleration not in seen:
                seen.append(toleration)
    return seen


def node_affinity(pool_names: Iterable[str]) -> dict[str, Any]:
    """Required node affinity on the pools' ``mlkube.io/pool`` label."""
    term = {"matchExpressions": [{"key": POOL, "operator": "In", "values": sorted(pool_names)}]}
    return {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}


def _seconds(duration: str | None) -> int | None:
    return None if duration is None else int(parse_duration(duration).total_seconds())


@dataclass(frozen=True)
class ResolvedProfile:
    """A profile with its pools looked up and its durations in seconds."""

    name: str
    pools: tuple[Pool, ...]
    priority_class: str | None
    active_deadline_seconds: int | None
    ttl_seconds_after_finished: int | None
    backoff_limit: int | None
    parallelism: int
    datasets: tuple[str, ...] | None
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    affinity: dict[str, Any] = field(default_factory=dict)

    @property
    def uses_gpus(self) -> bool:
        return any(is_gpu_pool(p) for p in self.pools)


def resolve(spec: Platform, name: str) -> ResolvedProfile:
    """Resolve one profile (``KeyError`` if it does not exist); unknown pools are skipped,
    the validator reports them."""
    profile: Profile = spec.profiles[name]
    pools = tuple(p for n in profile.pools if (p := spec.pool(n)) is not None)
    default = next((p.name for p in spec.priorities if p.default), None)
    return ResolvedProfile(
        name=name,
        pools=pools,
        priority_class=profile.priority or default,
        active_deadline_seconds=_seconds(profile.deadline),
        ttl_seconds_after_finished=_seconds(profile.ttl),
        backoff_limit=profile.retries,
        parallelism=profile.parallelism,
        datasets=tuple(profile.datasets) if profile.datasets is not None else None,
        tolerations=tolerations_for(pools),
        affinity={"nodeAffinity": node_affinity(p.name for p in pools)} if pools else {},
    )


def profiles_tolerating(spec: Platform, taint: dict[str, Any]) -> list[str]:
    """The profiles whose workloads tolerate one taint."""
    return [
        name
        for name in spec.profiles
        if tolerations_tolerate_taint(resolve(spec, name).tolerations, taint)
    ]
