"""Admission without a cluster: create each object as kube-apiserver would, against a copy.

``mlkube check`` must say what admission will do word for word, so it runs the engine's
own admission chain (:func:`mlkube.engine.admission.default_chain`: NamespaceLifecycle,
LimitRanger, Priority, ..., ResourceQuota) over an :class:`AdmissionContext` that serves a
:class:`ClusterState`. The steps are the API server's create (``engine/apiserver.py``):
default, mutating admission, generated name, ``PrepareForCreate``, validation, validating
admission. ResourceQuota charges the copy's ``status.used`` as it admits, so the pods of a
Job are charged one after another exactly as the Job controller's creates are. The
ServiceAccount plugin is left out: it needs ServiceAccount objects and only mounts a token.
A Pod, Job, Deployment or claim whose name is taken is refused as the store refuses it.

A Job's pods are the ones the Job controller would create first
(:func:`mlkube.engine.controllers.job.pods.new_pod`, ``min(parallelism, completions)`` of
them, indexes from 0), a Deployment's its replicas from the template.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.quota import quota_matches, usage
from mlkube.api.registry import ResourceType, UnknownResource, by_kind
from mlkube.api.timestamps import format_time
from mlkube.engine.admission import AdmissionChain, Attributes, Operation, default_chain
from mlkube.engine.controllers.job.pods import UNKNOWN_INDEX, new_pod
from mlkube.engine.errors import AlreadyExists, ApiError, Invalid
from mlkube.engine.store import generate_name
from mlkube.engine.types import strategy_for
from mlkube.platform.check.state import ClusterState

__all__ = [
    "GENERATED",
    "Admission",
    "CheckInputError",
    "Created",
    "pods_of",
]

#: Stands for the random part of a generated name in messages about a pod not yet created.
GENERATED: Final = "*****"
_LEFT_OUT: Final = frozenset({"ServiceAccount"})
#: Resource -> ClusterState field, for the names already taken.
_EXISTING: Final = {
    "pods": "pods",
    "jobs": "jobs",
    "deployments": "deployments",
    "persistentvolumeclaims": "pvcs",
}
_CONTEXT_TYPES: Final = {
    "namespaces": "namespaces",
    "limitranges": "limit_ranges",
    "priorityclasses": "priority_classes",
    "storageclasses": "storage_classes",
    "resourcequotas": "resource_quotas",
}

Obj = dict[str, Any]


class CheckInputError(ValueError):
    """An object ``check`` cannot read: an unknown kind, or a document that is not one."""


def _key(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


class _StateContext:
    """An ``AdmissionContext`` over a ClusterState; quota status writes land in a copy."""

    def __init__(self, state: ClusterState, now: datetime) -> None:
        self._now = now
        self.objects: dict[str, list[Obj]] = {
            plural: [copy.deepcopy(o) for o in getattr(state, attr)]
            for plural, attr in _CONTEXT_TYPES.items()
        }

    def now(self) -> datetime:
        return self._now

    def list(self, rt: ResourceType, namespace: str | None) -> list[Obj]:
        items = self.objects.get(rt.plural, [])
        if rt.namespaced and namespace is not None:
            items = [o for o in items if _key(o)[0] == namespace]
        return copy.deepcopy(items)

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> Obj | None:
        for obj in self.objects.get(rt.plural, []):
            ns, n = _key(obj)
            if n == name and (not rt.namespaced or ns == namespace):
                return copy.deepcopy(obj)
        return None

    def update_status(self, rt: ResourceType, obj: Obj) -> Obj:
        items = self.objects.setdefault(rt.plural, [])
        for i, existing in enumerate(items):
            if _key(existing) == _key(obj):
                items[i] = copy.deepcopy(obj)
                return obj
        items.append(copy.deepcopy(obj))
        return obj


@dataclass
class Created:
    """One create as the API server would answer it: the object as it would be stored
    (defaulted, mutated), the error if refused, and what LimitRanger added per container."""

    obj: Obj
    rt: ResourceType
    error: ApiError | None = None
    generate_name: str = ""
    defaults: dict[str, tuple[dict[str, str], dict[str, str]]] = field(default_factory=dict)

    @property
    def why(self) -> str:
        """The refusal after ``is forbidden: `` (the whole message for other errors)."""
        if self.error is None:
            return ""
        marker = " is forbidden: "
        text = self.error.message
        return text.split(marker, 1)[1] if marker in text else text

    @property
    def message(self) -> str:
        """The error message, the generated name's random part shown as ``*****``."""
        if self.error is None:
            return ""
        text = self.error.message
        name = str(self.obj.get("metadata", {}).get("name") or "")
        if self.generate_name and name:
            text = text.replace(f'"{name}"', f'"{self.generate_name}{GENERATED}"')
        return text


def _resources(obj: Mapping[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    spec = obj.get("spec") or {}
    out: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        res = c.get("resources") or {}
        out[str(c.get("name", ""))] = (
            dict(res.get("requests") or {}),
            dict(res.get("limits") or {}),
        )
    return out


class Admission:
    """Creates objects one after another against one ClusterState copy."""

    def __init__(self, state: ClusterState, now: datetime, *, seed: int = 0) -> None:
        self.now = now
        self.context = _StateContext(state, now)
        chain = default_chain(random.Random(seed))
        self.chain = AdmissionChain([p for p in chain.plugins if p.NAME not in _LEFT_OUT])
        self._rng = random.Random(seed)
        self._uid = 0
        #: (plural, namespace, name) of the objects that exist: a create of one is refused.
        self._existing: dict[tuple[str, str, str], bool] = {}
        for plural, attr in _EXISTING.items():
            for obj in getattr(state, attr):
                ns, name = _key(obj)
                deleting = bool((obj.get("metadata") or {}).get("deletionTimestamp"))
                self._existing[(plural, ns, name)] = deleting

    def create(self, obj: Mapping[str, Any], *, default_namespace: str = "default") -> Created:
        """Steps 2-7 of the API server's create; nothing is stored but quota usage."""
        new = copy.deepcopy(dict(obj))
        try:
            rt = by_kind(str(new.get("apiVersion", "")), str(new.get("kind", "")))
            strategy = strategy_for(rt.api_version, rt.kind)
        except (UnknownResource, KeyError) as err:
            raise CheckInputError(
                f"{new.get('kind')!s} ({new.get('apiVersion')!s}): not a type mlkube knows"
            ) from err
        meta = new.setdefault("metadata", {})
        if rt.namespaced and not meta.get("namespace"):
            meta["namespace"] = default_namespace
        created = Created(new, rt, generate_name=str(meta.get("generateName") or ""))
        if meta.get("name"):
            created.generate_name = ""
        try:
            # 2. default
            strategy.default(new)
            before = _resources(new) if rt.kind == "Pod" else {}
            # 3. mutating admission
            attrs = Attributes(
                Operation.CREATE,
                rt,
                meta.get("namespace", "") if rt.namespaced else "",
                str(meta.get("name") or ""),
                new,
            )
            self.chain.admit(attrs, self.context)
            if rt.kind == "Pod":
                created.defaults = _added(before, _resources(new))
            # 4. system fields and the generated name, 5. PrepareForCreate
            self._uid += 1
            meta["uid"] = f"check-{self._uid:08d}"
            meta["creationTimestamp"] = format_time(self.now)
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = generate_name(str(meta["generateName"]), self._rng)
            strategy.prepare_for_create(new)
            # 6. validation
            errors = strategy.validate(new)
            if errors:
                kind = f"{rt.kind}.{rt.group}" if rt.group else rt.kind
                raise Invalid(kind, str(meta.get("name") or ""), list(errors))
            # 7. validating admission (ResourceQuota charges the copy)
            attrs.name = str(meta.get("name") or "")
            self.chain.validate(attrs, self.context)
            # 9. the store refuses a name that is taken
            taken = self._existing.get((rt.plural, attrs.namespace, attrs.name))
            if taken is not None:
                raise AlreadyExists(rt, attrs.name, being_deleted=taken)
        except ApiError as err:
            created.error = err
        return created

    def headroom(self, namespace: str, obj: Mapping[str, Any], rt: ResourceType) -> list[str]:
        """Per matching quota, what is left of each resource this object would use."""
        out: list[str] = []
        cost = usage(rt.plural, rt.group, obj, self.now)
        for q in sorted(self.context.objects["resourcequotas"], key=lambda q: _key(q)[1]):
            if _key(q)[0] != namespace or not quota_matches(q, rt.plural, rt.group, obj):
                continue
            status = q.get("status") or {}
            hard, used = status.get("hard") or {}, status.get("used") or {}
            for name in sorted(set(cost) & set(hard)):
                left = parse_quantity(str(hard[name])) - parse_quantity(str(used.get(name, "0")))
                if left < cost[name]:
                    zero = Quantity.from_int(0)
                    shown = left if left > zero else zero
                    out.append(f"{_key(q)[1]}: {name} {shown} left, {cost[name]} asked")
        return out


def _added(
    before: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
    after: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    out: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for name, (req, lim) in after.items():
        old_req, old_lim = before.get(name, ({}, {}))
        added_req = {k: str(v) for k, v in req.items() if k not in old_req}
        added_lim = {k: str(v) for k, v in lim.items() if k not in old_lim}
        if added_req or added_lim:
            out[name] = (added_req, added_lim)
    return out


def _template_pod(owner: Mapping[str, Any], generate: str, owner_kind: str) -> Obj:
    meta = owner.get("metadata") or {}
    template = copy.deepcopy((owner.get("spec") or {}).get("template") or {})
    tmeta = template.get("metadata") or {}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "generateName": generate,
            "namespace": meta.get("namespace"),
            "labels": dict(tmeta.get("labels") or {}),
            "annotations": dict(tmeta.get("annotations") or {}),
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": owner_kind,
                    "name": generate.rstrip("-"),
                    "uid": meta.get("uid"),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": template.get("spec") or {},
    }


def pods_of(obj: Mapping[str, Any]) -> list[Obj]:
    """The pods a stored workload's controller creates first, in creation order.

    A Job: ``min(parallelism, completions)`` pods (none while suspended), Indexed from index
    0; a Deployment, ReplicaSet or StatefulSet: ``replicas`` pods of the template.
    """
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    meta = obj.get("metadata") or {}
    name = str(meta.get("name") or "")
    if kind == "Job":
        if spec.get("suspend"):
            return []
        parallelism = int(spec.get("parallelism", 1))
        completions = spec.get("completions")
        count = parallelism if completions is None else min(parallelism, int(completions))
        if spec.get("completionMode") == "Indexed":
            return [new_pod(obj, i) for i in range(count)]
        return [new_pod(obj, UNKNOWN_INDEX) for _ in range(count)]
    if kind in ("Deployment", "ReplicaSet"):
        replicas = int(spec.get("replicas", 1))
        owner = "ReplicaSet"
        prefix = f"{name}-"
        return [_template_pod(obj, prefix, owner) for _ in range(replicas)]
    if kind == "StatefulSet":
        replicas = int(spec.get("replicas", 1))
        pods = []
        for i in range(replicas):
            pod = _template_pod(obj, f"{name}-", "StatefulSet")
            pod["metadata"].pop("generateName")
            pod["metadata"]["name"] = f"{name}-{i}"
            pod["metadata"]["ownerReferences"][0]["name"] = name
            pods.append(pod)
        return pods
    return []
