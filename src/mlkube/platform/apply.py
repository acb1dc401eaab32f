"""The imperative shell: read the cluster, plan, and write only what differs.

``apply(spec, target)`` is the one place that talks to a cluster (through
:class:`~mlkube.platform.target.ClusterAPI`), in numbered steps: validate (nothing is written
when a rule fails), render, read what is live, plan, then server-side apply each create or
change as field manager ``mlkube`` and, with ``prune``, delete what mlkube manages that the
spec no longer has. It follows ``kubectl apply --server-side --prune``
(``staging/src/k8s.io/kubectl/pkg/cmd/apply/prune.go``): prune candidates are found by label
(``app.kubernetes.io/managed-by=mlkube,mlkube.io/platform=<name>``), never by guess; nodes of a
real cluster are never deleted, only given back their labels and taints.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlkube.api.registry import by_kind
from mlkube.platform.names import NODE_REGISTRAR, PLATFORM, POOL, managed_selector, node_name
from mlkube.platform.nodes import (
    embedded_node_status,
    node_apply,
    node_registration,
    pool_of,
    release,
)
from mlkube.platform.plan import Change, Plan, key_of
from mlkube.platform.problems import WARNING, Problem, SpecError, index
from mlkube.platform.render import render, sort_key
from mlkube.platform.spec import Platform
from mlkube.platform.target import ClusterAPI, is_embedded
from mlkube.platform.validate import errors, validate

__all__ = ["MANAGED_KINDS", "Outcome", "apply", "plan"]

#: (apiVersion, kind) of everything a platform manages, in apply order.
MANAGED_KINDS: tuple[tuple[str, str], ...] = (
    ("v1", "Namespace"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("v1", "Node"),
    ("v1", "PersistentVolume"),
    ("v1", "ResourceQuota"),
    ("v1", "LimitRange"),
    ("v1", "PersistentVolumeClaim"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("v1", "ConfigMap"),
)


#: Fields the API server refuses to change (``pkg/apis/scheduling/validation``
#: ValidatePriorityClassUpdate, ``pkg/apis/core/validation`` ValidatePersistentVolumeUpdate and
#: ValidatePersistentVolumeClaimUpdate), so a plan that changes them stops before any write.
_IMMUTABLE: dict[str, tuple[tuple[str, ...], ...]] = {
    "PriorityClass": (("value",), ("preemptionPolicy",)),
    "PersistentVolume": (("spec", "nfs"), ("spec", "csi"), ("spec", "hostPath")),
    "PersistentVolumeClaim": (
        ("spec", "accessModes"),
        ("spec", "storageClassName"),
        ("spec", "volumeName"),
    ),
}
MSG_NO_NODES = 'pool "{pool}" selects no node of this cluster (selector {selector})'
_MSG_IMMUTABLE = "{field}: Forbidden: may not be changed in an update"
_FIX_IMMUTABLE = "delete the object first (kubectl delete {kind} {name}) or give it a new name"


def _at(obj: dict[str, Any] | None, path: tuple[str, ...]) -> Any:
    for part in path:
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def _immutable(result: Plan) -> list[Problem]:
    """The changes the API server would refuse, as problems (nothing has been written)."""
    problems = []
    for change in result.of("change"):
        kind, name = change.key[1], change.key[3]
        for path in _IMMUTABLE.get(kind, ()):
            want, have = _at(change.desired, path), _at(change.live, path)
            if want is not None and have is not None and want != have:
                problems.append(
                    Problem(
                        "immutable",
                        change.name,
                        _MSG_IMMUTABLE.format(field=".".join(path)),
                        _FIX_IMMUTABLE.format(kind=kind.lower(), name=name),
                    )
                )
    return problems


@dataclass
class Outcome:
    """What an apply found and did."""

    plan: Plan
    embedded: bool
    dry_run: bool
    warnings: list[Problem] = field(default_factory=list)
    written: list[Change] = field(default_factory=list)


def _plural(obj: dict[str, Any]) -> tuple[str, str, str | None]:
    rt = by_kind(str(obj["apiVersion"]), str(obj["kind"]))
    meta = obj["metadata"]
    return rt.plural, str(meta["name"]), meta.get("namespace") if rt.namespaced else None


def _nodes(spec: Platform, api: ClusterAPI, embedded: bool, prune: bool) -> Iterator[Change]:
    """Node changes: create/label the pools' nodes; give back nodes that left every pool."""
    scratch = Plan()
    if embedded:
        for pool in spec.pools:
            for i in range(pool.nodes):
                name = node_name(pool.name, i)
                live = api.get("nodes", name)
                body = node_apply(spec, pool, live or {"metadata": {"name": name}}, embedded=True)
                yield scratch.add(body, live)
                yield scratch.add(embedded_node_status(pool, name), live, "status")
                if live is None:  # a new node registers Ready, once
                    registration = node_registration(name)
                    yield Change(
                        "create",
                        key_of(registration, "status"),
                        registration,
                        None,
                        {},
                        NODE_REGISTRAR,
                    )
        return
    for node in api.list("nodes"):
        selected = pool_of(spec, node)
        if selected is not None:
            yield scratch.add(node_apply(spec, selected, node), node)
        elif ((node.get("metadata") or {}).get("labels") or {}).get(PLATFORM) == spec.name:
            body = release(node)
            yield Change("remove" if prune else "orphan", key_of(body), body, node)


def _unselected_pools(spec: Platform, result: Plan) -> Iterator[Problem]:
    """Pools that select no node of a real cluster (their profiles' pods would never run)."""
    selected = {
        ((c.desired or {}).get("metadata") or {}).get("labels", {}).get(POOL)
        for c in result.changes
        if c.key[1] == "Node" and c.action not in ("remove", "orphan")
    }
    for i, pool in enumerate(spec.pools):
        if pool.name not in selected:
            yield Problem(
                "pool-selects-nothing",
                index("pools", i),
                MSG_NO_NODES.format(
                    pool=pool.name,
                    selector=",".join(f"{k}={v}" for k, v in (pool.selector or {}).items())
                    or "none",
                ),
                "label the nodes, or fix the pool's selector",
                WARNING,
            )


def plan(spec: Platform, api: ClusterAPI, *, embedded: bool, prune: bool = False) -> Plan:
    """What :func:`apply` would do, reading the cluster and writing nothing."""
    result = Plan()
    # 1. The rendered objects against their live versions.
    for obj in render(spec):
        result.add(obj, api.get(*_plural(obj)))
    # 2. Nodes: created on the embedded cluster, labelled and tainted on a real one.
    result.changes.extend(_nodes(spec, api, embedded, prune))
    # 3. What mlkube manages for this platform that the spec no longer has.
    wanted = {c.key[:4] for c in result.changes}
    selector = managed_selector(spec.name)
    for api_version, kind in MANAGED_KINDS:
        if kind == "Node" and not embedded:
            continue  # real nodes are not mlkube's to delete
        rt = by_kind(api_version, kind)
        # List items carry no apiVersion/kind on the wire; name them.
        live = [
            {"apiVersion": api_version, "kind": kind, **o}
            for o in api.list(rt.plural, label_selector=selector)
        ]
        result.extend_removals((o for o in live if key_of(o)[:4] not in wanted), prune=prune)
    result.changes.sort(key=lambda c: (*sort_key(c.desired or c.live or {}), c.key[4]))
    return result


def apply(
    spec: Platform,
    api: ClusterAPI,
    *,
    embedded: bool | None = None,
    dry_run: bool = False,
    prune: bool = False,
) -> Outcome:
    """Make the cluster match the spec; raises :class:`SpecError` (having written nothing)
    when validation finds an error. ``embedded`` None asks the server's ``/version``."""
    # 1. Validate: any error and nothing is written.
    problems = validate(spec)
    if errors(problems):
        raise SpecError(errors(problems))
    # 2. Which kind of cluster, then what differs.
    if embedded is None:
        embedded = is_embedded(api.version())
    result = plan(spec, api, embedded=embedded, prune=prune)
    if refused := _immutable(result):
        raise SpecError(refused)
    warnings = [p for p in problems if not p.is_error]
    if not embedded:
        warnings.extend(_unselected_pools(spec, result))
    outcome = Outcome(result, embedded, dry_run, warnings)
    if dry_run:
        return outcome
    # 3. Server-side apply each create and change, in apply order.
    for change in result.of("create", "change"):
        assert change.desired is not None
        api.apply(change.desired, subresource=change.key[4], field_manager=change.manager)
        outcome.written.append(change)
    # 4. Prune in reverse order: namespaced objects before their namespaces.
    for change in reversed(result.of("remove")):
        if change.desired is not None:  # a real node given back its labels and taints
            api.apply(change.desired)
        else:
            assert change.live is not None
            api.delete(*_plural(change.live))
        outcome.written.append(change)
    return outcome
