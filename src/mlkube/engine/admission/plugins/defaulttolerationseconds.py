"""DefaultTolerationSeconds: pods tolerate a not-ready or unreachable node for 300 s.

On pod create, a pod without a NoExecute toleration for ``node.kubernetes.io/not-ready``
(or ``unreachable``) gets ``{key, operator: Exists, effect: NoExecute, tolerationSeconds:
300}``; a toleration with an empty key or an empty effect counts as one. Follows
``plugin/pkg/admission/defaulttolerationseconds/admission.go``.
"""

from __future__ import annotations

from mlkube.engine.admission.interface import AdmissionContext, Attributes, Operation

__all__ = ["DEFAULT_TOLERATION_SECONDS", "NAME", "DefaultTolerationSeconds"]

NAME = "DefaultTolerationSeconds"
DEFAULT_TOLERATION_SECONDS = 300
NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"


class DefaultTolerationSeconds:
    NAME = NAME

    def __init__(
        self,
        not_ready_seconds: int = DEFAULT_TOLERATION_SECONDS,
        unreachable_seconds: int = DEFAULT_TOLERATION_SECONDS,
    ) -> None:
        self._seconds = {NOT_READY: not_ready_seconds, UNREACHABLE: unreachable_seconds}

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        if not attrs.is_("", "pods") or attrs.operation is not Operation.CREATE:
            return
        assert attrs.obj is not None
        spec = attrs.obj.setdefault("spec", {})
        tolerations = list(spec.get("tolerations") or [])
        added = False
        for key in (NOT_READY, UNREACHABLE):
            tolerated = any(
                t.get("key", "") in (key, "") and t.get("effect", "") in ("NoExecute", "")
                for t in tolerations
            )
            if not tolerated:
                tolerations.append(
                    {
                        "key": key,
                        "operator": "Exists",
                        "effect": "NoExecute",
                        "tolerationSeconds": self._seconds[key],
                    }
                )
                added = True
        if added:
            spec["tolerations"] = tolerations

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        return
