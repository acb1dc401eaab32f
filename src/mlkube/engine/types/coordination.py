"""Leases (coordination.k8s.io/v1) as kube-apiserver v1.37 validates them.

Follows ``pkg/apis/coordination/validation/validation.go`` (``ValidateLease``,
``ValidateLeaseSpec``, ``ValidateCoordinatedLeaseStrategy``). Leases have no status and
no generation.
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path, forbidden, invalid, not_supported
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = ["LeaseStrategy", "validate_coordinated_lease_strategy", "validate_lease_spec"]

Obj = dict[str, Any]

_LEASE_STRATEGIES: Final = ("OldestEmulationVersion",)
_SPEC = Path("spec")


def validate_coordinated_lease_strategy(strategy: str, path: Path) -> list[FieldError]:
    """``ValidateCoordinatedLeaseStrategy``: a built-in name or a ``prefix/name``."""
    if len(strategy.split("/")) == 1:
        if strategy not in _LEASE_STRATEGIES:
            return [not_supported(path, strategy, _LEASE_STRATEGIES)]
        return []
    return [invalid(path, strategy, msg) for msg in _v.is_qualified_name(strategy)]


def validate_lease_spec(spec: Obj, path: Path = _SPEC) -> list[FieldError]:
    """``ValidateLeaseSpec``."""
    errs: list[FieldError] = []
    duration = spec.get("leaseDurationSeconds")
    if duration is not None and duration <= 0:
        errs.append(invalid(path.child("leaseDurationSeconds"), duration, "must be greater than 0"))
    transitions = spec.get("leaseTransitions")
    if transitions is not None and transitions < 0:
        errs.append(
            invalid(
                path.child("leaseTransitions"), transitions, "must be greater than or equal to 0"
            )
        )
    strategy = spec.get("strategy")
    if strategy is not None:
        errs += validate_coordinated_lease_strategy(str(strategy), path.child("strategy"))
    if spec.get("preferredHolder") and not strategy:
        errs.append(
            forbidden(
                path.child("preferredHolder"), "may only be specified if `strategy` is defined"
            )
        )
    return errs


class LeaseStrategy(BaseStrategy):
    """``pkg/registry/coordination/lease/strategy.go``."""

    kind = "Lease"
    api_version = "coordination.k8s.io/v1"

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_lease_spec(obj.get("spec") or {})


register(LeaseStrategy())
