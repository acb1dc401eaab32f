"""The resource quota controller: ``status.hard`` mirrors ``spec.hard`` and ``status.used``
is what the namespace's objects cost now.

Recomputed from the store whenever a quota or a quota-tracked object in its namespace
changes, so a pod that finishes or is deleted stops counting. Every resource in ``hard`` is
reported, zero when nothing uses it, and status is written only when it changed. Follows
``pkg/controller/resourcequota/resource_quota_controller.go`` (syncResourceQuota) and
``apiserver/pkg/quota/v1/resources.go`` (CalculateUsage); the cost of each object is
:func:`mlkube.api.quota.usage`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.quota import matching_resources, quota_matches, usage
from mlkube.api.registry import ALL, ResourceType, lookup
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["NAME", "ResourceQuotaController"]

NAME = "resourcequota"
_QUOTAS = lookup("resourcequotas")
#: Types whose objects can be charged to a quota (events and leases churn and are
#: rarely quota'd; they are tracked too, as upstream tracks every type named in a quota).
_TRACKED: tuple[ResourceType, ...] = tuple(t for t in ALL if t.namespaced and t.kind != "Binding")


class ResourceQuotaController:
    NAME = NAME

    def __init__(self, api: APIServer) -> None:
        self._api = api

    @property
    def watched(self) -> Sequence[ResourceType]:
        return _TRACKED

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        namespace = event.view.get("metadata", {}).get("namespace")
        return [namespace] if namespace else []

    def sync(self, key: str) -> float | None:
        quotas = self._api.list(_QUOTAS, key).items
        for quota in quotas:
            try:
                self._sync_quota(quota)
            except (Conflict, NotFound):
                return 0.0  # changed under us: recompute on the next step
        return None

    def _sync_quota(self, quota: dict[str, Any]) -> None:
        namespace = quota["metadata"]["namespace"]
        hard: dict[str, Any] = dict((quota.get("spec") or {}).get("hard") or {})
        totals: dict[str, Quantity] = {name: Quantity.from_int(0) for name in hard}
        now = self._api.clock.now()
        for rt in _TRACKED:
            names = matching_resources(rt.plural, rt.group, hard)
            if not names:
                continue
            for obj in self._api.list(rt, namespace).items:
                if not quota_matches(quota, rt.plural, rt.group, obj):
                    continue
                cost = usage(rt.plural, rt.group, obj, now)
                for name in names:
                    if name in cost:
                        totals[name] = totals[name] + cost[name]
        status = quota.get("status") or {}
        new_status = {
            "hard": {k: str(parse_quantity(str(v))) for k, v in sorted(hard.items())},
            "used": {k: str(v) for k, v in sorted(totals.items())},
        }
        if _same(status, new_status):
            return
        self._api.update_status(_QUOTAS, {**quota, "status": new_status}, user_agent=USER_AGENT)


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    def norm(section: dict[str, Any] | None) -> dict[str, Quantity]:
        return {k: parse_quantity(str(v)) for k, v in (section or {}).items()}

    return norm(old.get("hard")) == norm(new["hard"]) and norm(old.get("used")) == norm(new["used"])
