"""Priority: a pod's priority comes from its PriorityClass, never from the pod itself.

On pod create: resolve ``spec.priorityClassName`` (or the global default class, whose
name is then written into the pod) to ``spec.priority`` and ``spec.preemptionPolicy``;
refuse a missing class or a pod that states a different priority or policy itself. On
pod update, keep the priority set at creation. PriorityClasses: only one may be the
global default. Follows ``plugin/pkg/admission/priority/admission.go``.
"""

from __future__ import annotations

from typing import Any

from mlkube.api.registry import lookup
from mlkube.engine.admission.interface import AdmissionContext, Attributes, Operation, forbidden

__all__ = ["DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS", "NAME", "Priority", "default_priority_class"]

NAME = "Priority"
DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS = 0
MSG_NO_CLASS = "no PriorityClass with name {name} was found"
MSG_PRIORITY_GIVEN = (
    "the integer value of priority ({given}) must not be provided in pod spec; "
    "priority admission controller computed {computed} from the given PriorityClass name"
)
MSG_POLICY_GIVEN = (
    "the string value of PreemptionPolicy ({given}) must not be provided in pod spec; "
    "priority admission controller computed {computed} from the given PriorityClass name"
)
MSG_ALREADY_DEFAULT = (
    "PriorityClass {name} is already marked as default. Only one default can exist"
)
_PRIORITY_CLASSES = lookup("priorityclasses")


def default_priority_class(classes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The global default class; with several (a race), the one with the lowest value."""
    best: dict[str, Any] | None = None
    for pc in classes:
        if pc.get("globalDefault") and (best is None or best.get("value", 0) > pc.get("value", 0)):
            best = pc
    return best


class Priority:
    NAME = NAME

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        if not attrs.is_("", "pods") or attrs.obj is None:
            return
        spec = attrs.obj.setdefault("spec", {})
        if attrs.operation is Operation.UPDATE:
            old_priority = ((attrs.old or {}).get("spec") or {}).get("priority")
            if spec.get("priority") is None and old_priority is not None:
                spec["priority"] = old_priority
            return
        if attrs.operation is not Operation.CREATE:
            return
        name = spec.get("priorityClassName") or ""
        policy: str | None
        if not name:
            pc = default_priority_class(ctx.list(_PRIORITY_CLASSES, None))
            if pc is None:
                priority, policy = DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS, "PreemptLowerPriority"
            else:
                spec["priorityClassName"] = pc["metadata"]["name"]
                priority, policy = pc.get("value", 0), pc.get("preemptionPolicy")
        else:
            found = ctx.get(_PRIORITY_CLASSES, None, name)
            if found is None:
                raise forbidden(attrs, MSG_NO_CLASS.format(name=name))
            priority, policy = found.get("value", 0), found.get("preemptionPolicy")
        given = spec.get("priority")
        if given is not None and given != priority:
            raise forbidden(attrs, MSG_PRIORITY_GIVEN.format(given=given, computed=priority))
        spec["priority"] = priority
        given_policy = spec.get("preemptionPolicy")
        if given_policy is not None and policy is not None and given_policy != policy:
            raise forbidden(attrs, MSG_POLICY_GIVEN.format(given=given_policy, computed=policy))
        if policy is not None:
            spec["preemptionPolicy"] = policy

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        if not attrs.is_("scheduling.k8s.io", "priorityclasses"):
            return
        if attrs.operation not in (Operation.CREATE, Operation.UPDATE) or attrs.obj is None:
            return
        if not attrs.obj.get("globalDefault"):
            return
        current = default_priority_class(ctx.list(_PRIORITY_CLASSES, None))
        if current is None:
            return
        current_name = current["metadata"]["name"]
        if attrs.operation is Operation.CREATE or current_name != attrs.name:
            raise forbidden(attrs, MSG_ALREADY_DEFAULT.format(name=current_name))
