"""TaintNodesByCondition: a new node starts tainted ``node.kubernetes.io/not-ready:NoSchedule``.

The node lifecycle controller removes the taint once the node reports Ready, so no pod
lands on a node before its kubelet is up. Follows ``plugin/pkg/admission/nodetaint/admission.go``.
"""

from __future__ import annotations

from mlkube.engine.admission.interface import AdmissionContext, Attributes, Operation

__all__ = ["NAME", "NOT_READY_TAINT", "TaintNodesByCondition"]

NAME = "TaintNodesByCondition"
NOT_READY_TAINT = {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}


class TaintNodesByCondition:
    NAME = NAME

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        if not attrs.is_("", "nodes") or attrs.operation is not Operation.CREATE:
            return
        assert attrs.obj is not None
        spec = attrs.obj.setdefault("spec", {})
        taints = list(spec.get("taints") or [])
        if any(
            t.get("key") == NOT_READY_TAINT["key"] and t.get("effect") == NOT_READY_TAINT["effect"]
            for t in taints
        ):
            return
        spec["taints"] = [*taints, dict(NOT_READY_TAINT)]

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        return
