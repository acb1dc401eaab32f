"""Deployments, ReplicaSets and StatefulSets as kube-apiserver v1.37 treats them.

Follows ``pkg/apis/apps/v1/defaults.go`` (``SetDefaults_Deployment``,
``SetDefaults_ReplicaSet``, ``SetDefaults_StatefulSet``), ``pkg/apis/apps/validation/
validation.go`` and the registry strategies in ``pkg/registry/apps/{deployment,replicaset,
statefulset}/strategy.go`` (apps/v1 only: the selector is immutable; a Deployment's
generation also grows when its annotations change).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, Final

from mlkube.api import labels as _labels
from mlkube.api import validation as _v
from mlkube.api.field import (
    FieldError,
    Path,
    Struct,
    forbidden,
    invalid,
    not_supported,
    required,
)
from mlkube.engine.types.pod import default_pod_template_spec, validate_pod_template_spec
from mlkube.engine.types.podspec_defaults import default_pvc_spec
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = [
    "DeploymentStrategy",
    "ReplicaSetStrategy",
    "StatefulSetStrategy",
    "default_deployment",
    "default_replica_set",
    "default_stateful_set",
    "int_or_percent_value",
    "label_selector_value",
    "validate_deployment_spec",
    "validate_pod_template_for_replica_set",
    "validate_positive_int_or_percent",
    "validate_replica_set_spec",
    "validate_stateful_set_spec",
    "validate_stateful_set_update",
]

Obj = dict[str, Any]

MSG_SELECTOR_MISMATCH: Final = "`selector` does not match template `labels`"
MSG_EMPTY_SELECTOR_DEPLOYMENT: Final = "empty selector is invalid for deployment"
MSG_EMPTY_SELECTOR_STATEFULSET: Final = "empty selector is invalid for statefulset"
MSG_INVALID_SELECTOR: Final = "invalid label selector"
MSG_BOTH_ZERO: Final = "may not be 0 when `maxSurge` is 0"
MSG_OVER_100: Final = "must not be greater than 100%"
MSG_NOT_POSITIVE: Final = "must be greater than zero"
MSG_GREATER_THAN_REPLICAS: Final = "cannot be greater than status.replicas"
MSG_STS_FORBIDDEN_UPDATE: Final = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
    "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
    "'minReadySeconds' are forbidden"
)

_SPEC = Path("spec")
_STATUS = Path("status")


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _strip_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return value


def label_selector_value(selector: Any) -> Any:
    """A ``metav1.LabelSelector`` as a bad value: Go's field order, ``omitempty`` honoured."""
    if not isinstance(selector, Mapping):
        return selector
    out = Struct()
    if selector.get("matchLabels"):
        out["matchLabels"] = selector["matchLabels"]
    if selector.get("matchExpressions"):
        out["matchExpressions"] = [
            Struct(
                (k, e[k])
                for k in ("key", "operator", "values")
                if isinstance(e, Mapping) and (e.get(k) or k != "values")
            )
            for e in selector["matchExpressions"]
        ]
    return out


def _strategy_value(strategy: Any, rolling_keys: tuple[str, ...]) -> Any:
    """A Deployment or StatefulSet update strategy as a bad value, in Go's field order."""
    if not isinstance(strategy, Mapping):
        return strategy
    out = Struct()
    if strategy.get("type") is not None:
        out["type"] = strategy["type"]
    rolling = strategy.get("rollingUpdate")
    if isinstance(rolling, Mapping):
        out["rollingUpdate"] = Struct(
            (k, rolling[k]) for k in rolling_keys if rolling.get(k) is not None
        )
    return out


def _immutable(new: Any, old: Any, path: Path) -> list[FieldError]:
    """``ValidateImmutableField`` (a missing field equals ``null``)."""
    return _v.validate_immutable_field(_strip_none(new), _strip_none(old), path)


def _immutable_selector(new: Obj, old: Obj) -> list[FieldError]:
    new_sel, old_sel = _spec(new).get("selector"), _spec(old).get("selector")
    if _strip_none(new_sel) == _strip_none(old_sel):
        return []
    return [
        invalid(
            _SPEC.child("selector"), label_selector_value(new_sel), _v.FIELD_IMMUTABLE_ERROR_MSG
        )
    ]


# --- defaulting (pkg/apis/apps/v1/defaults.go) ------------------------------------------


def _default_template(spec: Obj) -> None:
    template = spec.setdefault("template", {})
    if isinstance(template, dict):
        default_pod_template_spec(template)


def default_deployment(obj: Obj) -> None:
    """``SetObjectDefaults_Deployment``."""
    spec = obj.setdefault("spec", {})
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = spec.setdefault("strategy", {})
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if not isinstance(rolling, dict):
            rolling = strategy["rollingUpdate"] = {}
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = "25%"
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = "25%"
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    _default_template(spec)


def default_replica_set(obj: Obj) -> None:
    """``SetObjectDefaults_ReplicaSet``."""
    spec = obj.setdefault("spec", {})
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    _default_template(spec)


def default_stateful_set(obj: Obj) -> None:
    """``SetObjectDefaults_StatefulSet`` (MaxUnavailableStatefulSet and
    StatefulSetAutoDeletePVC on)."""
    spec = obj.setdefault("spec", {})
    if not spec.get("podManagementPolicy"):
        spec["podManagementPolicy"] = "OrderedReady"
    strategy = spec.setdefault("updateStrategy", {})
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        if strategy.get("rollingUpdate") is None:
            strategy["rollingUpdate"] = {}
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
        if rolling.get("partition") is None:
            rolling["partition"] = 0
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = 1
    policy = spec.get("persistentVolumeClaimRetentionPolicy")
    if not isinstance(policy, dict):
        policy = spec["persistentVolumeClaimRetentionPolicy"] = {}
    if not policy.get("whenDeleted"):
        policy["whenDeleted"] = "Retain"
    if not policy.get("whenScaled"):
        policy["whenScaled"] = "Retain"
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    for claim in spec.get("volumeClaimTemplates") or []:
        if isinstance(claim, dict):
            # SetDefaults_PersistentVolumeClaim and ..._PersistentVolumeClaimSpec.
            status = claim.setdefault("status", {})
            if not status.get("phase"):
                status["phase"] = "Pending"
            default_pvc_spec(claim.setdefault("spec", {}))
    _default_template(spec)


# --- int-or-percent (validation.go) -----------------------------------------------------

_DIGITS = re.compile(r"[+-]?[0-9]+")


def _percent_value(value: Any) -> int | None:
    """``getPercentValue``: the number of a valid percent string, else ``None``."""
    if not isinstance(value, str) or _v.is_valid_percent(value):
        return None
    return int(value[:-1])


def int_or_percent_value(value: Any) -> int:
    """``getIntOrPercentValue``: a percent's number, an int, or ``Atoi`` of a string (0
    when it does not parse, as ``IntOrString.IntValue``)."""
    percent = _percent_value(value)
    if percent is not None:
        return percent
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    return 0


def validate_positive_int_or_percent(value: Any, path: Path) -> list[FieldError]:
    """``ValidatePositiveIntOrPercent``."""
    if isinstance(value, str):
        return [invalid(path, value, msg) for msg in _v.is_valid_percent(value)]
    if isinstance(value, int):
        return _v.validate_nonnegative_field(value, path)
    return []


def _not_more_than_100_percent(value: Any, path: Path) -> list[FieldError]:
    """``IsNotMoreThan100Percent``."""
    percent = _percent_value(value)
    if percent is None or percent <= 100:
        return []
    return [invalid(path, value, MSG_OVER_100)]


# --- shared workload rules ----------------------------------------------------------------


def _selector(selector: Any) -> Any:
    """``LabelSelectorAsSelector``: ``None`` when it errs, else the selector (a nil
    selector selects nothing)."""
    try:
        return _labels.selector_from_label_selector(selector)
    except ValueError:
        return None


def _selector_is_empty(selector: Any) -> bool:
    """Whether ``LabelSelectorAsSelector`` gives ``labels.Everything()``."""
    return isinstance(selector, dict) and not (
        selector.get("matchLabels") or selector.get("matchExpressions")
    )


def _validate_selector(selector: Any, path: Path, empty_message: str) -> list[FieldError]:
    if selector is None:
        return [required(path, "")]
    errs = _v.validate_label_selector(selector, path)
    if _selector_is_empty(selector):
        errs.append(invalid(path, label_selector_value(selector), empty_message))
    return errs


def _template_matches(template: Obj, selector: Any, path: Path) -> list[FieldError]:
    """The selector-matches-template check (skipped for an empty selector)."""
    if _selector_is_empty(selector):
        return []
    sel = _selector(selector)
    labels = (template.get("metadata") or {}).get("labels")
    if sel is not None and not sel.matches(dict(labels or {})):
        return [invalid(path.child("metadata", "labels"), labels, MSG_SELECTOR_MISMATCH)]
    return []


def validate_pod_template_for_replica_set(
    template: Obj, selector: Any, path: Path, kind: str = "ReplicaSet"
) -> list[FieldError]:
    """``ValidatePodTemplateSpecForReplicaSet``."""
    errs = _template_matches(template, selector, path)
    errs += validate_pod_template_spec(template, path)
    pod_spec = template.get("spec") or {}
    restart = pod_spec.get("restartPolicy") or ""
    if restart != "Always":
        errs.append(not_supported(path.child("spec", "restartPolicy"), restart, ["Always"]))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.append(
            forbidden(
                path.child("spec", "activeDeadlineSeconds"),
                f"activeDeadlineSeconds in {kind} is not Supported",
            )
        )
    return errs


def _nonneg(obj: Obj, key: str, path: Path) -> list[FieldError]:
    value = obj.get(key)
    return _v.validate_nonnegative_field(int(value), path.child(key)) if value is not None else []


# --- Deployment ----------------------------------------------------------------------------


def _validate_deployment_strategy(strategy: Obj, path: Path) -> list[FieldError]:
    stype = strategy.get("type") or ""
    rolling = strategy.get("rollingUpdate")
    if stype == "Recreate":
        if rolling is not None:
            return [
                forbidden(
                    path.child("rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                )
            ]
        return []
    if stype == "RollingUpdate":
        if rolling is None:
            return [
                required(path.child("rollingUpdate"), "this should be defaulted and never be nil")
            ]
        return _validate_rolling_update_deployment(rolling, path.child("rollingUpdate"))
    shown = _strategy_value(strategy, ("maxUnavailable", "maxSurge"))
    return [not_supported(path, shown, ["Recreate", "RollingUpdate"])]


def _validate_rolling_update_deployment(rolling: Obj, path: Path) -> list[FieldError]:
    max_unavailable = rolling.get("maxUnavailable")
    max_surge = rolling.get("maxSurge")
    mu_path = path.child("maxUnavailable")
    errs = validate_positive_int_or_percent(max_unavailable, mu_path)
    errs += validate_positive_int_or_percent(max_surge, path.child("maxSurge"))
    if int_or_percent_value(max_unavailable) == 0 and int_or_percent_value(max_surge) == 0:
        errs.append(
            invalid(mu_path, max_unavailable if max_unavailable is not None else 0, MSG_BOTH_ZERO)
        )
    errs += _not_more_than_100_percent(max_unavailable, mu_path)
    return errs


def validate_deployment_spec(spec: Obj, path: Path = _SPEC) -> list[FieldError]:
    """``ValidateDeploymentSpec``."""
    errs = _nonneg(spec, "replicas", path)
    selector = spec.get("selector")
    errs += _validate_selector(selector, path.child("selector"), MSG_EMPTY_SELECTOR_DEPLOYMENT)
    if _selector(selector) is None:
        errs.append(
            invalid(path.child("selector"), label_selector_value(selector), MSG_INVALID_SELECTOR)
        )
    else:
        errs += validate_pod_template_for_replica_set(
            spec.get("template") or {}, selector, path.child("template"), "ReplicaSet"
        )
    errs += _validate_deployment_strategy(spec.get("strategy") or {}, path.child("strategy"))
    errs += _v.validate_nonnegative_field(
        int(spec.get("minReadySeconds") or 0), path.child("minReadySeconds")
    )
    errs += _nonneg(spec, "revisionHistoryLimit", path)
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        errs += _v.validate_nonnegative_field(deadline, path.child("progressDeadlineSeconds"))
        if deadline <= int(spec.get("minReadySeconds") or 0):
            errs.append(
                invalid(
                    path.child("progressDeadlineSeconds"),
                    deadline,
                    "must be greater than minReadySeconds",
                )
            )
    return errs


def _validate_replica_status(
    status: Obj, counters: tuple[str, ...], ready_message: str
) -> list[FieldError]:
    """Non-negative counters, none above ``replicas``, available not above ready."""
    errs: list[FieldError] = []
    for key in (
        "observedGeneration",
        "replicas",
        *counters,
        "collisionCount",
        "terminatingReplicas",
    ):
        errs += _nonneg(status, key, _STATUS)
    replicas = int(status.get("replicas") or 0)
    for key in counters:
        if key == "unavailableReplicas":
            continue
        value = int(status.get(key) or 0)
        if value > replicas:
            errs.append(invalid(_STATUS.child(key), value, MSG_GREATER_THAN_REPLICAS))
    available = int(status.get("availableReplicas") or 0)
    if available > int(status.get("readyReplicas") or 0):
        errs.append(invalid(_STATUS.child("availableReplicas"), available, ready_message))
    return errs


def _collision_count_not_decremented(new: Obj, old: Obj) -> list[FieldError]:
    new_count = (new.get("status") or {}).get("collisionCount")
    old_count = (old.get("status") or {}).get("collisionCount")
    if new_count is not None and old_count is not None and new_count < old_count:
        return [invalid(_STATUS.child("collisionCount"), new_count, "cannot be decremented")]
    return []


class DeploymentStrategy(BaseStrategy):
    """``pkg/registry/apps/deployment/strategy.go`` (apps/v1)."""

    kind = "Deployment"
    api_version = "apps/v1"
    has_status = True
    has_generation = True

    def default(self, obj: Obj) -> None:
        default_deployment(obj)

    def prepare_for_update(self, new: Obj, old: Obj) -> None:
        super().prepare_for_update(new, old)
        # Annotations are copied to the ReplicaSets, so changing them bumps generation too.
        new_ann = (new.get("metadata") or {}).get("annotations") or {}
        old_ann = (old.get("metadata") or {}).get("annotations") or {}
        old_gen = int((old.get("metadata") or {}).get("generation") or 0)
        if new_ann != old_ann:
            new["metadata"]["generation"] = old_gen + 1

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_deployment_spec(_spec(obj))

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        errs = validate_deployment_spec(_spec(new))
        errs += _immutable_selector(new, old)
        return errs

    def validate_status_fields(self, new: Obj, old: Obj) -> list[FieldError]:
        errs = _validate_replica_status(
            new.get("status") or {},
            ("updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"),
            "cannot be greater than readyReplicas",
        )
        return errs + _collision_count_not_decremented(new, old)


# --- ReplicaSet ----------------------------------------------------------------------------


def validate_replica_set_spec(spec: Obj, path: Path = _SPEC) -> list[FieldError]:
    """``ValidateReplicaSetSpec``."""
    errs = _nonneg(spec, "replicas", path)
    errs += _v.validate_nonnegative_field(
        int(spec.get("minReadySeconds") or 0), path.child("minReadySeconds")
    )
    selector = spec.get("selector")
    errs += _validate_selector(selector, path.child("selector"), MSG_EMPTY_SELECTOR_DEPLOYMENT)
    if _selector(selector) is None:
        errs.append(
            invalid(path.child("selector"), label_selector_value(selector), MSG_INVALID_SELECTOR)
        )
    else:
        errs += validate_pod_template_for_replica_set(
            spec.get("template") or {}, selector, path.child("template"), "ReplicaSet"
        )
    return errs


class ReplicaSetStrategy(BaseStrategy):
    """``pkg/registry/apps/replicaset/strategy.go`` (apps/v1)."""

    kind = "ReplicaSet"
    api_version = "apps/v1"
    has_status = True
    has_generation = True

    def initial_status(self, obj: Obj) -> Obj | None:
        # ReplicaSetStatus{} on the wire: ``replicas`` is not omitempty.
        del obj
        return {"replicas": 0}

    def default(self, obj: Obj) -> None:
        default_replica_set(obj)

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_replica_set_spec(_spec(obj))

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        errs = validate_replica_set_spec(_spec(new))
        errs += _immutable_selector(new, old)
        return errs

    def validate_status_fields(self, new: Obj, old: Obj) -> list[FieldError]:
        return _validate_replica_status(
            new.get("status") or {},
            ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"),
            "cannot be greater than readyReplicas",
        )


# --- StatefulSet ---------------------------------------------------------------------------


def _validate_rolling_update_stateful_set(rolling: Obj, path: Path) -> list[FieldError]:
    errs = _v.validate_nonnegative_field(
        int(rolling.get("partition") or 0), path.child("partition")
    )
    max_unavailable = rolling.get("maxUnavailable")
    if max_unavailable is not None:
        mu_path = path.child("maxUnavailable")
        errs += validate_positive_int_or_percent(max_unavailable, mu_path)
        if int_or_percent_value(max_unavailable) == 0:
            errs.append(invalid(mu_path, max_unavailable, MSG_NOT_POSITIVE))
        errs += _not_more_than_100_percent(max_unavailable, mu_path)
    return errs


def _validate_retention_policy(policy: Any, path: Path) -> list[FieldError]:
    if not isinstance(policy, dict):
        return []
    errs: list[FieldError] = []
    for key in ("whenDeleted", "whenScaled"):
        value = policy.get(key) or ""
        if value not in ("Retain", "Delete"):
            errs.append(not_supported(path.child(key), value, ["Delete", "Retain"]))
    return errs


def _validate_pod_template_for_stateful_set(
    template: Obj, selector: Any, path: Path
) -> list[FieldError]:
    """``ValidatePodTemplateSpecForStatefulSet``: the selector match, labels and annotations
    only; upstream leaves the pod spec itself unvalidated here (a long-standing TODO)."""
    errs = _template_matches(template, selector, path)
    meta = template.get("metadata") or {}
    errs += _v.validate_labels(meta.get("labels"), path.child("labels"))
    errs += _v.validate_annotations(meta.get("annotations"), path.child("annotations"))
    return errs


def validate_stateful_set_spec(spec: Obj, path: Path = _SPEC) -> list[FieldError]:
    """``ValidateStatefulSetSpec``."""
    errs: list[FieldError] = []
    policy = spec.get("podManagementPolicy") or ""
    if not policy:
        errs.append(required(path.child("podManagementPolicy"), ""))
    elif policy not in ("OrderedReady", "Parallel"):
        errs.append(
            invalid(
                path.child("podManagementPolicy"), policy, "must be 'OrderedReady' or 'Parallel'"
            )
        )
    strategy = spec.get("updateStrategy") or {}
    stype = strategy.get("type") or ""
    rolling = strategy.get("rollingUpdate")
    if not stype:
        errs.append(required(path.child("updateStrategy"), ""))
    elif stype == "OnDelete":
        if rolling is not None:
            errs.append(
                invalid(
                    path.child("updateStrategy", "rollingUpdate"),
                    rolling,
                    "only allowed for updateStrategy 'RollingUpdate'",
                )
            )
    elif stype == "RollingUpdate":
        if isinstance(rolling, dict):
            errs += _validate_rolling_update_stateful_set(
                rolling, path.child("updateStrategy", "rollingUpdate")
            )
    else:
        errs.append(
            invalid(
                path.child("updateStrategy"),
                _strategy_value(strategy, ("partition", "maxUnavailable")),
                "must be 'RollingUpdate' or 'OnDelete'",
            )
        )
    errs += _validate_retention_policy(
        spec.get("persistentVolumeClaimRetentionPolicy"),
        path.child("persistentVolumeClaimRetentionPolicy"),
    )
    errs += _v.validate_nonnegative_field(int(spec.get("replicas") or 0), path.child("replicas"))
    errs += _v.validate_nonnegative_field(
        int(spec.get("minReadySeconds") or 0), path.child("minReadySeconds")
    )
    ordinals = spec.get("ordinals")
    if isinstance(ordinals, dict):
        errs += _v.validate_nonnegative_field(
            int(ordinals.get("start") or 0), path.child("ordinals.start")
        )
    selector = spec.get("selector")
    errs += _validate_selector(selector, path.child("selector"), MSG_EMPTY_SELECTOR_STATEFULSET)
    template = spec.get("template") or {}
    if _selector(selector) is None:
        errs.append(invalid(path.child("selector"), label_selector_value(selector), ""))
    else:
        errs += _validate_pod_template_for_stateful_set(template, selector, path.child("template"))
    pod_spec = template.get("spec") or {}
    restart = pod_spec.get("restartPolicy") or ""
    if restart != "Always":
        errs.append(
            not_supported(path.child("template", "spec", "restartPolicy"), restart, ["Always"])
        )
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.append(
            forbidden(
                path.child("template", "spec", "activeDeadlineSeconds"),
                "activeDeadlineSeconds in StatefulSet is not Supported",
            )
        )
    return errs


_STS_MUTABLE: Final = (
    "replicas",
    "template",
    "updateStrategy",
    "minReadySeconds",
    "ordinals",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
)


def validate_stateful_set_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateStatefulSetUpdate`` without ObjectMeta: only some fields may change."""
    errs = validate_stateful_set_spec(_spec(new))
    clone = copy.deepcopy(_spec(new))
    old_spec = _spec(old)
    for key in _STS_MUTABLE:
        if key in old_spec:
            clone[key] = old_spec[key]
        else:
            clone.pop(key, None)
    if _strip_none(clone) != _strip_none(old_spec):
        errs.append(forbidden(_SPEC, MSG_STS_FORBIDDEN_UPDATE))
    return errs


class StatefulSetStrategy(BaseStrategy):
    """``pkg/registry/apps/statefulset/strategy.go``."""

    kind = "StatefulSet"
    api_version = "apps/v1"
    has_status = True
    has_generation = True
    name_validator = "dns-label"  # ValidateStatefulSetName; not re-checked on update

    def initial_status(self, obj: Obj) -> Obj | None:
        # StatefulSetStatus{} on the wire: these two counters are not omitempty.
        del obj
        return {"replicas": 0, "availableReplicas": 0}

    def default(self, obj: Obj) -> None:
        default_stateful_set(obj)

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_stateful_set_spec(_spec(obj))

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_stateful_set_update(new, old)

    def validate_status_fields(self, new: Obj, old: Obj) -> list[FieldError]:
        errs = _validate_replica_status(
            new.get("status") or {},
            ("readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"),
            "cannot be greater than status.readyReplicas",
        )
        return errs + _collision_count_not_decremented(new, old)


register(DeploymentStrategy())
register(ReplicaSetStrategy())
register(StatefulSetStrategy())
