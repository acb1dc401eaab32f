"""ResourceQuota: an object is admitted only if every matching quota has room for it, and
its cost is charged to ``status.used`` at once.

The evaluation itself (usage, scopes, "must specify", "status unknown", "exceeded quota")
is :func:`mlkube.api.quota.check`; this plugin lists the namespace's quotas (by name),
refuses with kube-apiserver's Forbidden message, and writes the new usage to each quota's
status with optimistic concurrency, re-evaluating when a concurrent write got there first,
as ``apiserver/pkg/admission/plugin/resourcequota/controller.go`` does. A dry run is
checked but charges nothing.
"""

from __future__ import annotations

from mlkube.api.quota import check
from mlkube.api.registry import lookup
from mlkube.engine.admission.interface import AdmissionContext, Attributes, Operation, forbidden
from mlkube.engine.errors import Conflict

__all__ = ["NAME", "ResourceQuota"]

NAME = "ResourceQuota"
_RESOURCE_QUOTAS = lookup("resourcequotas")
_UPDATE_TRACKED = {("", "persistentvolumeclaims"), ("", "services")}
_RETRIES = 5


class ResourceQuota:
    NAME = NAME

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        return

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        if attrs.subresource or not attrs.namespace or attrs.obj is None:
            return
        group, plural = attrs.group_resource
        if attrs.operation is Operation.UPDATE:
            if (group, plural) not in _UPDATE_TRACKED:
                return
        elif attrs.operation is not Operation.CREATE:
            return
        for _ in range(_RETRIES):
            quotas = sorted(
                ctx.list(_RESOURCE_QUOTAS, attrs.namespace), key=lambda q: q["metadata"]["name"]
            )
            verdict = check(quotas, plural, group, attrs.obj, now=ctx.now(), old=attrs.old)
            if verdict.refusal is not None:
                raise forbidden(attrs, verdict.refusal)
            if attrs.dry_run or not verdict.new_used:
                return
            try:
                for q in quotas:
                    used = verdict.new_used.get(q["metadata"]["name"])
                    if used is None:
                        continue
                    status = dict(q.get("status") or {})
                    status["used"] = {k: str(v) for k, v in sorted(used.items())}
                    ctx.update_status(_RESOURCE_QUOTAS, {**q, "status": status})
            except Conflict:
                continue
            return
        raise forbidden(attrs, "the quota could not be charged: too many concurrent changes")
