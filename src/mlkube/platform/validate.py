"""The static checks of a platform spec: what a reviewer would catch before it touches a cluster.

Each rule is a function with an id, reporting :class:`~mlkube.platform.problems.Problem` s
that name the path and the fix; :func:`validate` runs them all and returns every problem.
Names, labels and taints are checked with Kubernetes' own validators and messages
(``k8s.io/apimachinery/pkg/util/validation/validation.go``, ``pkg/apis/core/validation``
``validateNodeTaints``, ``ValidateLimitRange``, ``validateResourceQuotaResourceName``,
``pkg/apis/scheduling/validation``), so a spec that passes renders objects the API server
accepts; the rest (quota beyond the pools, untolerated taints, missing deadlines, shared
ReadWriteOnce data) is what the platform means. Capacity and quota rules live in
:mod:`mlkube.platform.capacity`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from mlkube.api import field
from mlkube.api.taints import taint_string
from mlkube.api.validation import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
)
from mlkube.platform import capacity
from mlkube.platform.names import POOL
from mlkube.platform.problems import WARNING, Problem, child, index
from mlkube.platform.profiles import is_gpu_pool, pool_taints, profiles_tolerating
from mlkube.platform.spec import Platform

__all__ = ["RULES", "Rule", "errors", "validate"]

Rule = Callable[[Platform], Iterable[Problem]]

_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_BLOCKING = ("NoSchedule", "NoExecute")
_RESERVED_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
# pkg/apis/scheduling/types.go
_HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
_SYSTEM_PREFIX = "system-"
_MULTI_NODE_UNSAFE = ("ReadWriteOnce", "ReadWriteOncePod")

MSG_GPU_UNTAINTED = 'pool "{pool}" has GPUs but no taint, so any pod may take its nodes'
MSG_MEMBER = "a member is one subject, got: {given}"
MSG_UNTOLERATED = 'no profile tolerates taint {taint}, so no workload can run on pool "{pool}"'
MSG_POOL_EMPTY = (
    'pool "{pool}" selects no node on a real cluster and creates none on the embedded one'
)
MSG_RWO = (
    '{access} is mounted by one node only, but profile "{profile}" runs up to {pods} pods'
    " across nodes"
)


def _invalid(value: Any, detail: str) -> str:
    return field.invalid(None, value, detail).error_body()


def _names(
    rule: str, path: str, value: str, check: Callable[[str], list[str]]
) -> Iterator[Problem]:
    for msg in check(value):
        yield Problem(rule, path, _invalid(value, msg))


def _duplicates(rule: str, path: str, names: list[str]) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            yield Problem(
                rule, child(index(path, i), "name"), field.duplicate(None, name).error_body()
            )
        seen.add(name)


def names(spec: Platform) -> Iterator[Problem]:
    """Every name becomes an object name or a label value: RFC 1123 labels, unique."""
    rule = "names"
    yield from _names(rule, "metadata.name", spec.name, is_dns1123_label)
    named: dict[str, list[str]] = {
        "pools": [p.name for p in spec.pools],
        "teams": [t.name for t in spec.teams],
        "datasets": [d.name for d in spec.datasets],
    }
    for kind, items in named.items():
        for i, item in enumerate(items):
            yield from _names(rule, child(index(kind, i), "name"), item, is_dns1123_label)
        yield from _duplicates(rule, kind, items)
    for i, prio in enumerate(spec.priorities):
        path = child(index("priorities", i), "name")
        yield from _names(rule, path, prio.name, is_dns1123_subdomain)
        if prio.name.startswith(_SYSTEM_PREFIX):
            yield Problem(
                rule,
                path,
                _invalid(prio.name, "priority class names with 'system-' prefix are reserved"),
            )
    yield from _duplicates(rule, "priorities", [p.name for p in spec.priorities])
    for name in spec.profiles:
        yield from _names(rule, child("profiles", name), name, is_dns1123_label)


def namespaces(spec: Platform) -> Iterator[Problem]:
    """A team owns its namespace: not a system one, not another team's."""
    rule = "namespaces"
    seen: dict[str, str] = {}
    for i, team in enumerate(spec.teams):
        path = child(index("teams", i), "namespace" if team.namespace else "name")
        ns = team.namespace_name
        if team.namespace:
            yield from _names(rule, path, ns, is_dns1123_label)
        if ns in _RESERVED_NAMESPACES:
            yield Problem(
                rule, path, f'namespace "{ns}" is reserved', "give the team a namespace of its own"
            )
        elif ns in seen:
            yield Problem(rule, path, f'namespace "{ns}" is already team "{seen[ns]}"\'s')
        seen.setdefault(ns, team.name)


def members(spec: Platform) -> Iterator[Problem]:
    """Each member is one RBAC subject: a group, a user or a service account."""
    for i, team in enumerate(spec.teams):
        for j, member in enumerate(team.members):
            given = [f for f in ("group", "user", "serviceAccount") if _member_field(member, f)]
            if len(given) != 1:
                yield Problem(
                    "members",
                    index(child(index("teams", i), "members"), j),
                    MSG_MEMBER.format(given=", ".join(given) or "none"),
                    "set exactly one of group, user or serviceAccount",
                )


def _member_field(member: Any, name: str) -> bool:
    return getattr(member, "service_account" if name == "serviceAccount" else name) is not None


def _label_map(rule: str, path: str, labels: dict[str, str]) -> Iterator[Problem]:
    for key, value in labels.items():
        kpath = child(path, key)
        yield from _names(rule, kpath, key, is_qualified_name)
        yield from _names(rule, kpath, value, is_valid_label_value)


def pool_labels(spec: Platform) -> Iterator[Problem]:
    """The platform's labels (on every object) and the pools' (on nodes) are valid label keys
    and values; mlkube.io/pool is mlkube's."""
    rule = "labels"
    yield from _label_map(rule, "metadata.labels", spec.metadata.labels)
    for i, pool in enumerate(spec.pools):
        path = index("pools", i)
        yield from _label_map(rule, child(path, "labels"), pool.labels)
        yield from _label_map(rule, child(path, "selector"), pool.selector or {})
        if POOL in pool.labels:
            yield Problem(
                rule,
                child(child(path, "labels"), POOL),
                "is set by mlkube to the pool's name",
                "remove it",
            )


def taints(spec: Platform) -> Iterator[Problem]:
    """Taints as the API validates them (``validateNodeTaints``): key, value, effect, unique."""
    rule = "taints"
    for i, pool in enumerate(spec.pools):
        seen: set[tuple[str, str]] = set()
        for j, taint in enumerate(pool.taints):
            path = index(child(index("pools", i), "taints"), j)
            yield from _names(rule, child(path, "key"), taint.key, is_qualified_name)
            if taint.value:
                yield from _names(rule, child(path, "value"), taint.value, is_valid_label_value)
            if taint.effect not in _EFFECTS:
                yield Problem(
                    rule,
                    child(path, "effect"),
                    field.not_supported(None, taint.effect, _EFFECTS).error_body(),
                )
            if (taint.key, taint.effect) in seen:
                msg = field.duplicate(None, taint.effect).error_body()
                yield Problem(
                    rule,
                    child(path, "effect"),
                    f"{msg}: taints must be unique by key and effect pair",
                )
            seen.add((taint.key, taint.effect))


def untolerated_taints(spec: Platform) -> Iterator[Problem]:
    """A NoSchedule/NoExecute taint that no profile tolerates keeps every workload off the pool."""
    for i, pool in enumerate(spec.pools):
        for j, taint in enumerate(pool_taints(pool)):
            if taint["effect"] == "PreferNoSchedule" or profiles_tolerating(spec, taint):
                continue
            yield Problem(
                "untolerated-taint",
                index(child(index("pools", i), "taints"), j),
                MSG_UNTOLERATED.format(taint=taint_string(taint), pool=pool.name),
                f'add "{pool.name}" to the pools of a profile',
            )


def pools(spec: Platform) -> Iterator[Problem]:
    """A pool must select nodes (real clusters) or create them (embedded); a GPU pool keeps
    general work off with a taint."""
    for i, pool in enumerate(spec.pools):
        if is_gpu_pool(pool) and not any(t.effect in _BLOCKING for t in pool.taints):
            yield Problem(
                "gpu-untainted",
                child(index("pools", i), "taints"),
                MSG_GPU_UNTAINTED.format(pool=pool.name),
                "add a taint such as nvidia.com/gpu=present:NoSchedule",
                WARNING,
            )
        if pool.selector is None and pool.nodes == 0:
            yield Problem(
                "pool-empty",
                index("pools", i),
                MSG_POOL_EMPTY.format(pool=pool.name),
                "set selector (real clusters) or nodes (embedded)",
                WARNING,
            )


def _known(rule: str, path: str, value: str, known: Iterable[str], what: str) -> Iterator[Problem]:
    known = list(known)
    if value not in known:
        have = ", ".join(known) if known else "none"
        yield Problem(rule, path, field.not_found(None, value).error_body(), f"{what} are: {have}")


def profiles(spec: Platform) -> Iterator[Problem]:
    """A profile runs somewhere that exists, at a priority and with datasets that exist."""
    pool_names = [p.name for p in spec.pools]
    for name, profile in spec.profiles.items():
        path = child("profiles", name)
        if not profile.pools:
            yield Problem(
                "profile-pool",
                child(path, "pools"),
                "Required value",
                "name the pools its workloads run on",
            )
        for j, pool in enumerate(profile.pools):
            yield from _known(
                "profile-pool", index(child(path, "pools"), j), pool, pool_names, "pools"
            )
        if profile.priority is not None:
            yield from _known(
                "profile-priority",
                child(path, "priority"),
                profile.priority,
                [p.name for p in spec.priorities],
                "priorities",
            )
        for j, ds in enumerate(profile.datasets or []):
            yield from _known(
                "profile-dataset",
                index(child(path, "datasets"), j),
                ds,
                [d.name for d in spec.datasets],
                "datasets",
            )


def gpu_deadlines(spec: Platform) -> Iterator[Problem]:
    """A profile on GPU pools needs a deadline, so a runaway job cannot burn GPU budget."""
    for name, profile in spec.profiles.items():
        gpu_pools = [n for n in profile.pools if (p := spec.pool(n)) is not None and is_gpu_pool(p)]
        if gpu_pools and profile.deadline is None:
            yield Problem(
                "gpu-deadline",
                child(child("profiles", name), "deadline"),
                f"Required value: profile runs on GPU pools ({', '.join(gpu_pools)})",
                "set deadline (e.g. 24h) so a runaway job stops burning GPUs",
            )


def priorities(spec: Platform) -> Iterator[Problem]:
    """At most one default class; values within what users may define."""
    defaults = [i for i, p in enumerate(spec.priorities) if p.default]
    for i in defaults[1:]:
        yield Problem(
            "priority-default",
            child(index("priorities", i), "default"),
            f'priority "{spec.priorities[defaults[0]].name}" is already the default',
            "keep one default",
        )
    for i, prio in enumerate(spec.priorities):
        if prio.value > _HIGHEST_USER_DEFINABLE_PRIORITY:
            detail = f"must be no more than {_HIGHEST_USER_DEFINABLE_PRIORITY}"
            yield Problem(
                "priority-value",
                child(index("priorities", i), "value"),
                _invalid(prio.value, detail),
            )


def datasets(spec: Platform) -> Iterator[Problem]:
    """One source per dataset, teams that exist, and no single-node volume shared across nodes."""
    team_names = [t.name for t in spec.teams]
    for i, ds in enumerate(spec.datasets):
        path = index("datasets", i)
        sources = [s for s in ("nfs", "csi", "local") if getattr(ds, s) is not None]
        if len(sources) > 1:
            yield Problem("dataset-source", path, f"has {' and '.join(sources)}", "keep one source")
        elif not sources and ds.storage_class is None:
            yield Problem(
                "dataset-source",
                path,
                "Required value: a source",
                "set nfs, csi, local or storageClass",
            )
        elif not sources and len(ds.teams) > 1:
            yield Problem(
                "dataset-source",
                child(path, "storageClass"),
                f"each of the {len(ds.teams)} teams gets its own new, empty volume from the class",
                "set nfs or csi to share one volume",
                WARNING,
            )
        if not ds.teams:
            yield Problem(
                "dataset-team",
                child(path, "teams"),
                "no team can mount it",
                "list the teams that use it",
                WARNING,
            )
        for j, team in enumerate(ds.teams):
            yield from _known(
                "dataset-team", index(child(path, "teams"), j), team, team_names, "teams"
            )
        if ds.access in _MULTI_NODE_UNSAFE:
            for name, profile in spec.profiles.items():
                uses = profile.datasets is None or ds.name in profile.datasets
                if uses and profile.parallelism > 1:
                    yield Problem(
                        "rwo-shared",
                        child(path, "access"),
                        MSG_RWO.format(access=ds.access, profile=name, pods=profile.parallelism),
                        "use ReadWriteMany or ReadOnlyMany",
                    )


#: Every rule, in the order its problems are reported.
RULES: dict[str, Rule] = {
    "names": names,
    "namespaces": namespaces,
    "members": members,
    "labels": pool_labels,
    "taints": taints,
    "pools": pools,
    "capacity": capacity.capacity,
    "untolerated-taint": untolerated_taints,
    "profiles": profiles,
    "gpu-deadline": gpu_deadlines,
    "priorities": priorities,
    "datasets": datasets,
    "quota-resources": capacity.quota_resources,
    "quota-exceeds-pools": capacity.quota_exceeds_pools,
    "quota-storage": capacity.quota_storage,
    "quota-needs-defaults": capacity.quota_needs_defaults,
    "limits": capacity.limits,
}


def validate(spec: Platform) -> list[Problem]:
    """Every problem of every rule (errors and warnings), in rule order."""
    return [problem for rule in RULES.values() for problem in rule(spec)]


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]
