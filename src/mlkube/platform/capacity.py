"""The capacity rules of the platform validator: node capacity, team quota and limit ranges.

What the API server would refuse is checked with its own messages: extended resources must be
whole numbers (``validateResourceQuantityValue``), quota names must be standard
(``validateResourceQuotaResourceName``, ``isInvalidQuotaResource``), a LimitRange's default
request may not exceed its default or max (``ValidateLimitRange``), all in
``pkg/apis/core/validation/validation.go``. What the API server accepts but that cannot work is
checked too: a quota larger than every pool together, a quota key the quota controller never
counts (``nvidia.com/gpu`` without ``requests.``), dataset claims over the team's storage
quota, and quota on cpu/memory with no default to satisfy it (ResourceQuota admission refuses
such pods with ``must specify``, ``plugin/pkg/admission/resourcequota``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mlkube.api import field
from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.validation import is_qualified_name
from mlkube.platform.problems import WARNING, Problem, child, index
from mlkube.platform.spec import Platform, Team

__all__ = [
    "capacity",
    "limits",
    "pool_totals",
    "quota_exceeds_pools",
    "quota_needs_defaults",
    "quota_resources",
    "quota_storage",
]

# pkg/apis/core/helper/helpers.go: standardQuotaResources
_STANDARD_QUOTA = frozenset(
    {
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.storage",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
        "services",
        "replicationcontrollers",
        "resourcequotas",
        "secrets",
        "persistentvolumeclaims",
        "configmaps",
        "services.nodeports",
        "services.loadbalancers",
    }
)
_INVALID_QUOTA_RESOURCE = "must be a standard resource for quota"
_COMPUTE = ("cpu", "memory", "ephemeral-storage")
_MUST_DEFAULT = ("cpu", "memory")
_HUGEPAGES = ("hugepages-", "requests.hugepages-")

MSG_STORAGE = "the team's dataset claims need {need}, more than {hard}"
MSG_NEEDS_DEFAULT = "pods that set no {resource} {what} are refused (must specify {need})"
MSG_MAX_IS_DEFAULT = (
    "with no default, every container that sets no {resource} limit gets {max}"
    " (Kubernetes defaults the limit to max)"
)
MSG_MAX_TOO_BIG = "{max} is more than any node offers ({biggest}); a container that big never fits"


def _q(text: str) -> Quantity:
    return parse_quantity(text)


def _is_extended(name: str) -> bool:
    """An extended resource (``IsExtendedResourceName``): domain-qualified, outside
    kubernetes.io, not a quota's ``requests.``/``limits.``/``count/`` form."""
    if "/" not in name or name.startswith(("requests.", "limits.", "count/")):
        return False
    domain = name.split("/", 1)[0]
    return "." in domain and not domain.endswith("kubernetes.io")


def capacity(spec: Platform) -> Iterator[Problem]:
    """Node capacity: cpu and memory for created nodes, valid names, whole extended resources."""
    rule = "capacity"
    for i, pool in enumerate(spec.pools):
        path = child(index("pools", i), "capacity")
        if pool.nodes > 0:
            for name in _MUST_DEFAULT:
                if name not in pool.capacity:
                    yield Problem(
                        rule,
                        child(path, name),
                        "Required value",
                        f"the embedded cluster creates {pool.nodes} nodes with this capacity",
                    )
        for name, text in pool.capacity.items():
            for msg in is_qualified_name(name):
                yield Problem(rule, child(path, name), field.invalid(None, name, msg).error_body())
            q = _q(text)
            if q.sign() < 0:
                yield Problem(
                    rule,
                    child(path, name),
                    field.invalid(None, text, "must be greater than or equal to 0").error_body(),
                )
            elif _is_extended(name) and q.as_fraction().denominator != 1:
                yield Problem(
                    rule,
                    child(path, name),
                    field.invalid(None, text, "must be an integer").error_body(),
                )


def pool_totals(spec: Platform) -> dict[str, Quantity] | None:
    """Capacity of all pools together (nodes x capacity), or None when a pool's size is
    unknown (a selector on a real cluster, no node count)."""
    if any(p.nodes == 0 and p.selector is not None for p in spec.pools):
        return None
    totals: dict[str, Quantity] = {}
    for pool in spec.pools:
        for name, text in pool.capacity.items():
            amount = Quantity.from_fraction(_q(text).as_fraction() * pool.nodes)
            totals[name] = totals[name] + amount if name in totals else amount
    return totals


def _counted_as(key: str) -> str | None:
    """The node resource a compute quota key caps (``requests.nvidia.com/gpu`` -> the GPU)."""
    base = key.removeprefix("requests.").removeprefix("limits.")
    if base in _COMPUTE or _is_extended(base):
        return base
    return None


def quota_resources(spec: Platform) -> Iterator[Problem]:
    """Quota keys the API accepts and the quota controller counts."""
    rule = "quota-resources"
    for i, team in enumerate(spec.teams):
        for key in team.quota:
            path = child(child(index("teams", i), "quota"), key)
            if "/" not in key:
                if key not in _STANDARD_QUOTA and not key.startswith(
                    ("hugepages-", "requests.hugepages-")
                ):
                    yield Problem(
                        rule, path, field.invalid(None, key, _INVALID_QUOTA_RESOURCE).error_body()
                    )
            elif _is_extended(key) or key.startswith("limits."):
                base = key.removeprefix("limits.")
                yield Problem(
                    rule,
                    path,
                    "is never counted: quota counts extended resources only as requests",
                    f"use requests.{base}",
                )


def quota_exceeds_pools(spec: Platform) -> Iterator[Problem]:
    """A team quota larger than all pools together promises what the cluster cannot give."""
    totals = pool_totals(spec)
    if totals is None:
        return
    for i, team in enumerate(spec.teams):
        for key, text in team.quota.items():
            base = _counted_as(key)
            if base is None or key.startswith("limits.") or _is_extended(key):
                continue  # limits may overcommit; a bare extended name is never counted
            total = totals.get(base, Quantity.from_int(0))
            if _q(text) > total:
                yield Problem(
                    "quota-exceeds-pools",
                    child(child(index("teams", i), "quota"), key),
                    f"{text} is more than all pools together ({total})",
                    f"lower it, or add nodes with {base}",
                )


def _sum(texts: list[str]) -> Quantity:
    total = Quantity.from_int(0)
    for text in texts:
        total = total + _q(text)
    return total


def quota_storage(spec: Platform) -> Iterator[Problem]:
    """A team's dataset claims must fit its storage and claim-count quota, or they are refused."""
    rule = "quota-storage"
    for i, team in enumerate(spec.teams):
        sizes = [d.size for d in spec.datasets if team.name in d.teams]
        path = child(index("teams", i), "quota")
        if (
            "requests.storage" in team.quota
            and sizes
            and _sum(sizes) > _q(team.quota["requests.storage"])
        ):
            yield Problem(
                rule,
                child(path, "requests.storage"),
                MSG_STORAGE.format(need=_sum(sizes), hard=team.quota["requests.storage"]),
                "raise it, or the claims are refused",
            )
        for key in ("persistentvolumeclaims", "count/persistentvolumeclaims"):
            if key in team.quota and len(sizes) > _q(team.quota[key]).value():
                yield Problem(
                    rule,
                    child(path, key),
                    f"the team has {len(sizes)} dataset claims, more than {team.quota[key]}",
                    "raise it, or the claims are refused",
                )


def _default_limit(team: Team, name: str) -> str | None:
    return team.default_limits.get(name) or team.defaults.get(name) or team.max.get(name)


def quota_needs_defaults(spec: Platform) -> Iterator[Problem]:
    """Quota on cpu/memory makes every pod state them; defaults let pods that do not pass."""
    for i, team in enumerate(spec.teams):
        for key in team.quota:
            base = key.removeprefix("requests.").removeprefix("limits.")
            if base not in _MUST_DEFAULT:
                continue
            is_limit = key.startswith("limits.")
            have = _default_limit(team, base) if is_limit else team.defaults.get(base)
            if have is None:
                need = f"limits.{base}" if is_limit else f"requests.{base}"
                yield Problem(
                    "quota-needs-defaults",
                    child(child(index("teams", i), "quota"), key),
                    MSG_NEEDS_DEFAULT.format(
                        resource=base, what="limit" if is_limit else "request", need=need
                    ),
                    f"set defaults.{base}",
                    WARNING,
                )


def _limit_messages(team: Team) -> Iterator[tuple[str, str, str, str]]:
    """(field, resource, value, message) in ValidateLimitRange's order."""
    defaults: Mapping[str, str] = {**team.defaults, **team.default_limits}
    for name in sorted({*team.defaults, *team.default_limits, *team.max}):
        request, limit, top = team.defaults.get(name), defaults.get(name), team.max.get(name)
        if request is not None and top is not None and _q(request) > _q(top):
            yield (
                "defaults",
                name,
                request,
                f"default request value {request} is greater than max value {top}",
            )
        if request is not None and limit is not None and _q(request) > _q(limit):
            yield (
                "defaults",
                name,
                request,
                f"default request value {request} is greater than default limit value {limit}",
            )
        if (
            name in team.default_limits
            and top is not None
            and _q(team.default_limits[name]) > _q(top)
        ):
            value = team.default_limits[name]
            yield (
                "defaultLimits",
                name,
                value,
                f"default value {value} is greater than max value {top}",
            )


def limits(spec: Platform) -> Iterator[Problem]:
    """LimitRange defaults within max, and max within what a node offers."""
    biggest: dict[str, Quantity] = {}
    for pool in spec.pools:
        for name, text in pool.capacity.items():
            biggest[name] = max(biggest.get(name, _q(text)), _q(text))
    for i, team in enumerate(spec.teams):
        path = index("teams", i)
        for fld, name, value, msg in _limit_messages(team):
            yield Problem(
                "limits",
                child(child(path, fld), name),
                field.invalid(None, value, msg).error_body(),
            )
        for name, top in team.max.items():
            mpath = child(child(path, "max"), name)
            if (
                name in _MUST_DEFAULT
                and name not in team.defaults
                and name not in team.default_limits
            ):
                yield Problem(
                    "limits",
                    mpath,
                    MSG_MAX_IS_DEFAULT.format(resource=name, max=top),
                    f"set defaults.{name}",
                    WARNING,
                )
            if name in biggest and _q(top) > biggest[name]:
                yield Problem(
                    "limits",
                    mpath,
                    MSG_MAX_TOO_BIG.format(max=top, biggest=biggest[name]),
                    "lower it",
                    WARNING,
                )
