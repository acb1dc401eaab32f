"""PriorityClasses (scheduling.k8s.io/v1) as kube-apiserver v1.37 defaults and validates them.

Follows ``pkg/apis/scheduling/v1/defaults.go`` (``SetDefaults_PriorityClass``),
``pkg/apis/scheduling/validation/validation.go`` and ``pkg/apis/scheduling/types.go``
(the reserved ``system-`` classes). That at most one class is ``globalDefault`` is
enforced by the Priority admission plugin, not here.
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path, forbidden, not_supported, required
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = [
    "HIGHEST_USER_DEFINABLE_PRIORITY",
    "SYSTEM_PRIORITY_CLASSES",
    "PriorityClassStrategy",
    "default_priority_class",
    "validate_priority_class",
    "validate_priority_class_update",
]

Obj = dict[str, Any]

HIGHEST_USER_DEFINABLE_PRIORITY: Final = 1_000_000_000
SYSTEM_CRITICAL_PRIORITY: Final = 2 * HIGHEST_USER_DEFINABLE_PRIORITY
SYSTEM_PRIORITY_CLASS_PREFIX: Final = "system-"
#: name -> (value, globalDefault)
SYSTEM_PRIORITY_CLASSES: Final = {
    "system-node-critical": (SYSTEM_CRITICAL_PRIORITY + 1000, False),
    "system-cluster-critical": (SYSTEM_CRITICAL_PRIORITY, False),
}
_PREEMPTION_POLICIES: Final = ("PreemptLowerPriority", "Never")


def default_priority_class(obj: Obj) -> None:
    """``SetDefaults_PriorityClass``."""
    if obj.get("preemptionPolicy") is None:
        obj["preemptionPolicy"] = "PreemptLowerPriority"


def _known_system_class_error(name: str, value: int, global_default: bool) -> str | None:
    """``IsKnownSystemPriorityClass``'s error, ``None`` when it is one."""
    known = SYSTEM_PRIORITY_CLASSES.get(name)
    if known is None:
        return f"{name} is not a known system priority class"
    if known[0] != value:
        return f"value of {name} PriorityClass must be {known[0]}"
    if known[1] != global_default:
        return f"globalDefault of {name} PriorityClass must be {'true' if known[1] else 'false'}"
    return None


def _validate_preemption_policy(policy: Any, path: Path) -> list[FieldError]:
    """``ValidatePreemptionPolicy``."""
    if policy in _PREEMPTION_POLICIES:
        return []
    if policy == "":
        return [required(path, "")]
    return [not_supported(path, policy, _PREEMPTION_POLICIES)]


def validate_priority_class(obj: Obj) -> list[FieldError]:
    """``ValidatePriorityClass`` without ObjectMeta."""
    errs: list[FieldError] = []
    name = str((obj.get("metadata") or {}).get("name") or "")
    value = int(obj.get("value") or 0)
    if name.startswith(SYSTEM_PRIORITY_CLASS_PREFIX):
        error = _known_system_class_error(name, value, bool(obj.get("globalDefault")))
        if error is not None:
            errs.append(
                forbidden(
                    Path("metadata", "name"),
                    "priority class names with 'system-' prefix are reserved for system use "
                    f"only. error: {error}",
                )
            )
    elif value > HIGHEST_USER_DEFINABLE_PRIORITY:
        errs.append(
            forbidden(
                Path("value"),
                "maximum allowed value of a user defined priority is "
                f"{HIGHEST_USER_DEFINABLE_PRIORITY}",
            )
        )
    if obj.get("preemptionPolicy") is not None:
        errs += _validate_preemption_policy(obj["preemptionPolicy"], Path("preemptionPolicy"))
    return errs


def validate_priority_class_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidatePriorityClassUpdate`` without ObjectMeta: value and preemptionPolicy stay."""
    errs: list[FieldError] = []
    if int(new.get("value") or 0) != int(old.get("value") or 0):
        errs.append(forbidden(Path("value"), "may not be changed in an update."))
    errs += _v.validate_immutable_field(
        new.get("preemptionPolicy"), old.get("preemptionPolicy"), Path("preemptionPolicy")
    )
    return errs


class PriorityClassStrategy(BaseStrategy):
    """``pkg/registry/scheduling/priorityclass/strategy.go``."""

    kind = "PriorityClass"
    api_version = "scheduling.k8s.io/v1"
    namespaced = False

    def default(self, obj: Obj) -> None:
        default_priority_class(obj)

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_priority_class(obj)

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_priority_class(new) + validate_priority_class_update(new, old)


register(PriorityClassStrategy())
