"""PodDisruptionBudgets (policy/v1) as kube-apiserver v1.37 validates them.

Follows ``pkg/apis/policy/validation/validation.go`` (``ValidatePodDisruptionBudget``,
``ValidatePodDisruptionBudgetStatusUpdate``) and ``pkg/registry/policy/poddisruptionbudget/
strategy.go`` (status reset on create, generation on spec changes; the spec is mutable).
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path, Struct, invalid, not_supported
from mlkube.engine.types.apps import validate_positive_int_or_percent
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = [
    "PodDisruptionBudgetStrategy",
    "validate_pod_disruption_budget_spec",
    "validate_pod_disruption_budget_status",
]

Obj = dict[str, Any]

MSG_BOTH_SET: Final = "minAvailable and maxUnavailable cannot be both set"
_EVICTION_POLICIES: Final = ("AlwaysAllow", "IfHealthyBudget")  # sets.List order
_SPEC = Path("spec")
_STATUS = Path("status")


def _not_more_than_100_percent(value: Any, path: Path) -> list[FieldError]:
    """``IsNotMoreThan100Percent``."""
    if isinstance(value, str) and not _v.is_valid_percent(value) and int(value[:-1]) > 100:
        return [invalid(path, value, "must not be greater than 100%")]
    return []


def validate_pod_disruption_budget_spec(spec: Obj, path: Path = _SPEC) -> list[FieldError]:
    """``ValidatePodDisruptionBudgetSpec``."""
    errs: list[FieldError] = []
    min_available, max_unavailable = spec.get("minAvailable"), spec.get("maxUnavailable")
    if min_available is not None and max_unavailable is not None:
        # The whole PodDisruptionBudgetSpec, in Go field order (every field omitempty).
        keys = ("minAvailable", "selector", "maxUnavailable", "unhealthyPodEvictionPolicy")
        shown = Struct((k, spec[k]) for k in keys if spec.get(k) is not None)
        errs.append(invalid(path, shown, MSG_BOTH_SET))
    for key, value in (("minAvailable", min_available), ("maxUnavailable", max_unavailable)):
        if value is not None:
            errs += validate_positive_int_or_percent(value, path.child(key))
            errs += _not_more_than_100_percent(value, path.child(key))
    errs += _v.validate_label_selector(spec.get("selector"), path.child("selector"))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in _EVICTION_POLICIES:
        errs.append(
            not_supported(path.child("unhealthyPodEvictionPolicy"), policy, _EVICTION_POLICIES)
        )
    return errs


def validate_pod_disruption_budget_status(status: Obj) -> list[FieldError]:
    """``ValidatePodDisruptionBudgetStatusUpdate`` (policy/v1): the counters are >= 0."""
    errs: list[FieldError] = []
    for key in ("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"):
        errs += _v.validate_nonnegative_field(int(status.get(key) or 0), _STATUS.child(key))
    return errs


class PodDisruptionBudgetStrategy(BaseStrategy):
    """``pkg/registry/policy/poddisruptionbudget/strategy.go``."""

    kind = "PodDisruptionBudget"
    api_version = "policy/v1"
    has_status = True
    has_generation = True

    def initial_status(self, obj: Obj) -> Obj | None:
        # PodDisruptionBudgetStatus{} on the wire: its counters are not omitempty.
        del obj
        return {
            "disruptionsAllowed": 0,
            "currentHealthy": 0,
            "desiredHealthy": 0,
            "expectedPods": 0,
        }

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_pod_disruption_budget_spec(obj.get("spec") or {})

    def validate_status_fields(self, new: Obj, old: Obj) -> list[FieldError]:
        del old
        return validate_pod_disruption_budget_status(new.get("status") or {})


register(PodDisruptionBudgetStrategy())
