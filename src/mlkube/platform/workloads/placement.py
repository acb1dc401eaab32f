"""Where a workload runs and what it may use, resolved against the platform spec.

One function, :func:`place`, turns a workload and a platform into everything the renderers
need that the platform decides: the team's namespace, the profile's placement (required
node affinity to its pools, the tolerations those pools' taints need, from
:func:`mlkube.platform.profiles.resolve`), the PriorityClass, the Job limits in time and
retries (the workload's own, else the profile's), the GPU resource name the pools offer,
and the checks that refuse what could never run: an unknown team, profile, priority or
dataset, a dataset not shared with the team, a preprocessing output that is not
ReadWriteMany, an accelerator no pool has, or a GPU count, CPU or memory no pool of the
profile can hold. Each is a :class:`Problem` naming the field and listing what would be
accepted; all are reported at once.

The platform's profiles have no notion of preferred pools (``spec.Profile``), so no
preferred node affinity is rendered: every pool of the profile is equally acceptable.

Without a platform nothing is placed: the namespace is the team's name (or ``default``), the
resources are as given and ``gpuType`` is not enforced (nothing says which label carries it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from mlkube.api.quantity import parse_quantity, value_of
from mlkube.api.timestamps import parse_duration
from mlkube.platform.names import ACCELERATOR
from mlkube.platform.problems import Problem, SpecError, child, index
from mlkube.platform.profiles import is_gpu_resource, node_affinity, resolve, tolerations_for
from mlkube.platform.spec import Platform, Pool, Team
from mlkube.platform.workloads.model import (
    DEFAULT_PROFILES,
    DatasetMount,
    InferenceService,
    PreprocessingJob,
    TrainingJob,
    Workload,
)

__all__ = ["DEFAULT_GPU_RESOURCE", "DEFAULT_NAMESPACE", "Placement", "namespace_of", "place"]

RULE: Final = "placement"
DEFAULT_GPU_RESOURCE: Final = "nvidia.com/gpu"
DEFAULT_NAMESPACE: Final = "default"


@dataclass(frozen=True)
class Placement:
    """What the platform decides for one workload (without a platform: only the namespace)."""

    namespace: str
    team: str | None = None
    profile: str | None = None
    priority_class: str | None = None
    affinity: dict[str, Any] = field(default_factory=dict)
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    gpu_resource: str = DEFAULT_GPU_RESOURCE
    active_deadline_seconds: int | None = None
    ttl_seconds_after_finished: int | None = None
    backoff_limit: int | None = None
    #: The profile's parallelism (None without a platform).
    parallelism: int | None = None


def _listing(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "(none)"


def _gpus(n: int) -> str:
    return f"{n} GPU" if n == 1 else f"{n} GPUs"


def _seconds(duration: str | None) -> int | None:
    return None if duration is None else math.ceil(parse_duration(duration).total_seconds())


def _team(w: Workload, platform: Platform) -> tuple[Team | None, list[Problem]]:
    teams = [t.name for t in platform.teams]
    fix = f"teams: {_listing(teams)} (--team)"
    if w.metadata.team is None:
        return None, [
            Problem(
                RULE, "metadata.team", "Required value: the platform runs workloads per team", fix
            )
        ]
    team = platform.team(w.metadata.team)
    if team is None:
        return None, [Problem(RULE, "metadata.team", f'unknown team "{w.metadata.team}"', fix)]
    return team, []


def namespace_of(w: Workload, platform: Platform | None) -> str:
    """The namespace a workload runs in: its team's (``Team.namespace_name``), or without a
    platform the team's name or ``default``. :class:`SpecError` for an unknown team."""
    if platform is None:
        return w.metadata.team or DEFAULT_NAMESPACE
    team, problems = _team(w, platform)
    if team is None:
        raise SpecError(problems)
    return team.namespace_name


def _mounts(w: Workload) -> list[tuple[str, DatasetMount]]:
    mounts = [(index("spec.datasets", i), m) for i, m in enumerate(w.spec.datasets)]
    if isinstance(w, PreprocessingJob):
        mounts.append(("spec.output", w.spec.output))
    return mounts


def _datasets(
    w: Workload, platform: Platform, team: Team, allowed: tuple[str, ...] | None, profile: str
) -> list[Problem]:
    usable = [
        d.name
        for d in platform.datasets
        if team.name in d.teams and (allowed is None or d.name in allowed)
    ]
    out: list[Problem] = []
    for where, mount in _mounts(w):
        path = child(where, "name")
        fix = f"datasets of team {team.name}: {_listing(usable)}"
        ds = next((d for d in platform.datasets if d.name == mount.name), None)
        if ds is None:
            out.append(Problem(RULE, path, f'unknown dataset "{mount.name}"', fix))
        elif team.name not in ds.teams:
            out.append(
                Problem(
                    RULE, path, f'dataset "{mount.name}" is not shared with team {team.name}', fix
                )
            )
        elif allowed is not None and mount.name not in allowed:
            out.append(
                Problem(RULE, path, f'profile {profile} does not mount dataset "{mount.name}"', fix)
            )
        elif where != "spec.output" and mount.read_only is False and ds.access == "ReadOnlyMany":
            out.append(
                Problem(
                    RULE,
                    child(where, "readOnly"),
                    f'dataset "{mount.name}" is ReadOnlyMany and cannot be mounted read-write',
                    "remove readOnly: false, or make the dataset ReadWriteMany in the platform",
                )
            )
        elif where == "spec.output" and ds.access != "ReadWriteMany":
            writable = [
                d.name
                for d in platform.datasets
                if d.name in usable and d.access == "ReadWriteMany"
            ]
            out.append(
                Problem(
                    RULE,
                    path,
                    f'dataset "{mount.name}" is {ds.access}; '
                    "a preprocessing job writes a ReadWriteMany dataset",
                    f"ReadWriteMany datasets of team {team.name}: {_listing(writable)}",
                )
            )
    return out


def _accelerators(pools: Sequence[Pool]) -> list[str]:
    return sorted({p.labels[ACCELERATOR] for p in pools if ACCELERATOR in p.labels})


def _gpu_pools(pools: Sequence[Pool]) -> list[tuple[Pool, str, int]]:
    return [
        (p, name, value_of(q))
        for p in pools
        for name, q in p.capacity.items()
        if is_gpu_resource(name)
    ]


def _fit(
    w: Workload, platform: Platform, profile: str, pools: Sequence[Pool]
) -> tuple[str, list[Problem]]:
    """The GPU resource name, and what no pool of the profile can hold."""
    res = w.spec.resources
    out: list[Problem] = []
    gpu_resource = DEFAULT_GPU_RESOURCE
    candidates = list(pools)
    if res.gpu:
        gpu_pools = _gpu_pools(pools)
        if not gpu_pools:
            with_gpus = [n for n in platform.profiles if _gpu_pools(resolve(platform, n).pools)]
            out.append(
                Problem(
                    RULE,
                    "spec.resources.gpu",
                    f"{_gpus(res.gpu)} asked for but the pools of profile {profile} "
                    f"({_listing([p.name for p in pools])}) have none",
                    f"remove gpu, or use a profile with GPUs (spec.profile: {_listing(with_gpus)})",
                )
            )
            return gpu_resource, out
        best, gpu_resource, most = max(gpu_pools, key=lambda t: t[2])
        if res.gpu > most:
            if isinstance(w, TrainingJob):
                nodes = math.ceil(res.gpu * w.spec.nodes / most)
                fix = f"use nodes: {nodes} with gpu: {most}"
            else:
                fix = f"use gpu: {most} or fewer"
            out.append(
                Problem(
                    RULE,
                    "spec.resources.gpu",
                    f"{_gpus(res.gpu)} per node but the largest pool of profile {profile} "
                    f"({best.name}) has {most}",
                    fix,
                )
            )
            return gpu_resource, out
        candidates = [p for p, _, count in gpu_pools if count >= res.gpu]
    for key, asked in (("cpu", res.cpu), ("memory", res.memory)):
        sized = [(p, parse_quantity(p.capacity[key])) for p in candidates if key in p.capacity]
        if asked is None or not sized:
            continue
        pool, cap = max(sized, key=lambda t: t[1])
        if parse_quantity(asked) > cap:
            out.append(
                Problem(
                    RULE,
                    f"spec.resources.{key}",
                    f"{asked} per pod but the largest pool of profile {profile} "
                    f"({pool.name}) has {cap}",
                    f"ask for at most {cap}",
                )
            )
    return gpu_resource, out


def _affinity(pools: Sequence[Pool], gpu_type: str | None) -> dict[str, Any]:
    if not pools:
        return {}
    affinity = node_affinity(p.name for p in pools)
    if gpu_type is not None:
        term = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
        term["matchExpressions"].append(
            {"key": ACCELERATOR, "operator": "In", "values": [gpu_type]}
        )
    return {"nodeAffinity": affinity}


def _limits(w: Workload) -> tuple[int | None, int | None, int | None]:
    if isinstance(w, InferenceService):
        return None, None, None
    return _seconds(w.spec.deadline), _seconds(w.spec.ttl), w.spec.retries


def place(w: Workload, platform: Platform | None, namespace: str | None = None) -> Placement:
    """Resolve a workload against the platform; :class:`SpecError` with every problem."""
    deadline, ttl, retries = _limits(w)
    if platform is None:
        return Placement(
            namespace=namespace or namespace_of(w, None),
            team=w.metadata.team,
            priority_class=w.spec.priority,
            active_deadline_seconds=deadline,
            ttl_seconds_after_finished=ttl,
            backoff_limit=retries,
        )
    # 1. The team.
    team, problems = _team(w, platform)
    if team is None:
        raise SpecError(problems)
    # 2. The profile.
    profile_name = w.spec.profile or DEFAULT_PROFILES[w.kind]
    if profile_name not in platform.profiles:
        default = "" if w.spec.profile else f" (the default for a {w.kind})"
        raise SpecError(
            [
                Problem(
                    RULE,
                    "spec.profile",
                    f'unknown profile "{profile_name}"{default}',
                    f"profiles: {_listing(list(platform.profiles))}",
                )
            ]
        )
    profile = resolve(platform, profile_name)
    # 3. The priority class.
    priorities = [p.name for p in platform.priorities]
    if w.spec.priority is not None and w.spec.priority not in priorities:
        problems.append(
            Problem(
                RULE,
                "spec.priority",
                f'unknown priority class "{w.spec.priority}"',
                f"priorities: {_listing(priorities)}",
            )
        )
    # 4. Datasets.
    problems += _datasets(w, platform, team, profile.datasets, profile_name)
    # 5. The accelerator, then what the pools can hold.
    pools = list(profile.pools)
    gpu_type = w.spec.resources.gpu_type
    labelled = _accelerators(platform.pools)
    if gpu_type is not None and labelled:
        offered = _accelerators(pools)
        pools = [p for p in pools if p.labels.get(ACCELERATOR) == gpu_type]
        if not pools:
            problems.append(
                Problem(
                    RULE,
                    "spec.resources.gpuType",
                    f'no pool of profile {profile_name} has accelerator "{gpu_type}"',
                    f"accelerators: {_listing(offered)}",
                )
            )
    else:
        gpu_type = None
    gpu_resource = DEFAULT_GPU_RESOURCE
    if pools:
        gpu_resource, fit = _fit(w, platform, profile_name, pools)
        problems += fit
    if problems:
        raise SpecError(problems)
    return Placement(
        namespace=namespace or team.namespace_name,
        team=team.name,
        profile=profile_name,
        priority_class=w.spec.priority or profile.priority_class,
        affinity=_affinity(pools, gpu_type),
        tolerations=tolerations_for(pools),
        gpu_resource=gpu_resource,
        active_deadline_seconds=deadline
        if deadline is not None
        else profile.active_deadline_seconds,
        ttl_seconds_after_finished=ttl if ttl is not None else profile.ttl_seconds_after_finished,
        backoff_limit=retries if retries is not None else profile.backoff_limit,
        parallelism=profile.parallelism,
    )
