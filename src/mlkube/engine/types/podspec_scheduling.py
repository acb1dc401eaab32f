"""Validation of a pod's scheduling constraints: tolerations, node selectors and
affinity, topology spread, taint effects.

Follows ``pkg/apis/core/validation/validation.go`` (``ValidateTolerations``,
``validateTaintEffect``, ``ValidateNodeSelector``, ``ValidateNodeSelectorRequirement``,
``ValidateNodeFieldSelectorRequirement``, ``ValidatePreferredSchedulingTerms``,
``validatePodAffinityTerm``, ``validateAffinity``, ``validateTopologySpreadConstraints``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path
from mlkube.engine.types import _resources as res

__all__ = [
    "validate_affinity",
    "validate_node_selector",
    "validate_taint_effect",
    "validate_tolerations",
    "validate_topology_spread",
]

Obj = dict[str, Any]
Errs = list[FieldError]

_TAINT_EFFECTS: Final = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def _invalid_each(path: Path, value: Any, msgs: Sequence[str]) -> Errs:
    return [field.invalid(path, value, m) for m in msgs]


def validate_taint_effect(effect: str, path: Path, *, allow_empty: bool) -> Errs:
    """``validateTaintEffect``."""
    if not allow_empty and not effect:
        return [field.required(path, "")]
    if effect not in _TAINT_EFFECTS:
        return [field.not_supported(path, effect, _TAINT_EFFECTS)]
    return []


def validate_tolerations(tolerations: Sequence[Obj] | None, path: Path) -> Errs:
    """``ValidateTolerations``."""
    errs: Errs = []
    for i, tol in enumerate(tolerations or []):
        p = path.index(i)
        key = tol.get("key") or ""
        operator = tol.get("operator") or ""
        value = tol.get("value") or ""
        effect = tol.get("effect") or ""
        if key:
            errs.extend(_v.validate_label_name(key, p.child("key")))
        if not key and operator != "Exists":
            errs.append(
                field.invalid(
                    p.child("operator"),
                    operator,
                    'operator must be Exists when `key` is empty, which means "match all values '
                    'and all keys"',
                )
            )
        if tol.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(
                field.invalid(
                    p.child("effect"),
                    effect,
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                )
            )
        if operator in ("Equal", ""):
            msgs = _v.is_valid_label_value(value)
            if msgs:
                errs.append(field.invalid(p.child("operator"), value, ";".join(msgs)))
        elif operator == "Exists":
            if value:
                errs.append(
                    field.invalid(
                        p.child("operator"),
                        value,
                        "value must be empty when `operator` is 'Exists'",
                    )
                )
        else:
            errs.append(field.not_supported(p.child("operator"), operator, ("Equal", "Exists")))
        if effect:
            errs.extend(validate_taint_effect(effect, p.child("effect"), allow_empty=True))
    return errs


def _validate_node_selector_requirement(req: Obj, path: Path, *, allow_invalid_value: bool) -> Errs:
    errs: Errs = []
    operator = req.get("operator") or ""
    values: Sequence[str] = req.get("values") or []
    if operator in ("In", "NotIn"):
        if not values:
            errs.append(
                field.required(
                    path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"
                )
            )
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errs.append(
                field.forbidden(
                    path.child("values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
            )
    elif operator in ("Gt", "Lt"):
        if len(values) != 1:
            errs.append(
                field.required(
                    path.child("values"),
                    "must be specified single value when `operator` is 'Lt' or 'Gt'",
                )
            )
    else:
        errs.append(
            field.invalid(path.child("operator"), operator, "not a valid selector operator")
        )
    errs.extend(_v.validate_label_name(req.get("key") or "", path.child("key")))
    if not allow_invalid_value:
        for i, value in enumerate(values):
            errs.extend(
                _invalid_each(path.child("values").index(i), value, _v.is_valid_label_value(value))
            )
    return errs


def _validate_node_field_requirement(req: Obj, path: Path) -> Errs:
    errs: Errs = []
    operator = req.get("operator") or ""
    values: Sequence[str] = req.get("values") or []
    if operator in ("In", "NotIn"):
        if len(values) != 1:
            errs.append(
                field.required(
                    path.child("values"),
                    "must be only one value when `operator` is 'In' or 'NotIn' for node field "
                    "selector",
                )
            )
    else:
        errs.append(
            field.invalid(path.child("operator"), operator, "not a valid selector operator")
        )
    key = req.get("key") or ""
    if key != "metadata.name":
        errs.append(field.invalid(path.child("key"), key, "not a valid field selector key"))
    else:
        for i, value in enumerate(values):
            errs.extend(
                _invalid_each(
                    path.child("values").index(i), value, _v.name_is_dns_subdomain(value, False)
                )
            )
    return errs


def _validate_node_selector_term(term: Obj, path: Path, *, allow_invalid_value: bool) -> Errs:
    errs: Errs = []
    for j, req in enumerate(term.get("matchExpressions") or []):
        errs.extend(
            _validate_node_selector_requirement(
                req,
                path.child("matchExpressions").index(j),
                allow_invalid_value=allow_invalid_value,
            )
        )
    for j, req in enumerate(term.get("matchFields") or []):
        errs.extend(_validate_node_field_requirement(req, path.child("matchFields").index(j)))
    return errs


def validate_node_selector(selector: Obj, path: Path) -> Errs:
    """``ValidateNodeSelector`` (required node affinity, PV node affinity)."""
    terms = selector.get("nodeSelectorTerms") or []
    term_path = path.child("nodeSelectorTerms")
    if not terms:
        return [field.required(term_path, "must have at least one node selector term")]
    errs: Errs = []
    for i, term in enumerate(terms):
        errs.extend(
            _validate_node_selector_term(term, term_path.index(i), allow_invalid_value=False)
        )
    return errs


def _validate_pod_affinity_term(term: Obj, path: Path) -> Errs:
    errs = list(_v.validate_label_selector(term.get("labelSelector"), path.child("labelSelector")))
    errs.extend(
        _v.validate_label_selector(term.get("namespaceSelector"), path.child("namespaceSelector"))
    )
    for name in term.get("namespaces") or []:
        errs.extend(_invalid_each(path.child("namespace"), name, _v.name_is_dns_label(name, False)))
    selector = term.get("labelSelector")
    for key in ("matchLabelKeys", "mismatchLabelKeys"):
        keys = term.get(key) or []
        if keys and selector is None:
            errs.append(
                field.forbidden(
                    path.child(key), "must not be specified when labelSelector is not set"
                )
            )
        else:
            for i, k in enumerate(keys):
                errs.extend(_v.validate_label_name(k, path.child(key).index(i)))
    mismatch = set(term.get("mismatchLabelKeys") or [])
    for i, k in enumerate(term.get("matchLabelKeys") or []):
        if k in mismatch:
            errs.append(
                field.invalid(
                    path.child("matchLabelKeys").index(i),
                    k,
                    "exists in both matchLabelKeys and mismatchLabelKeys",
                )
            )
    topology_key = term.get("topologyKey") or ""
    if not topology_key:
        errs.append(field.required(path.child("topologyKey"), "can not be empty"))
    errs.extend(_v.validate_label_name(topology_key, path.child("topologyKey")))
    return errs


def _validate_pod_affinity(affinity: Obj, path: Path) -> Errs:
    errs: Errs = []
    req_path = path.child("requiredDuringSchedulingIgnoredDuringExecution")
    for i, term in enumerate(affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or []):
        errs.extend(_validate_pod_affinity_term(term, req_path.index(i)))
    pref_path = path.child("preferredDuringSchedulingIgnoredDuringExecution")
    for j, weighted in enumerate(
        affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or []
    ):
        weight = weighted.get("weight") or 0
        if weight <= 0 or weight > 100:
            errs.append(
                field.invalid(
                    pref_path.index(j).child("weight"), weight, "must be in the range 1-100"
                )
            )
        errs.extend(
            _validate_pod_affinity_term(
                weighted.get("podAffinityTerm") or {}, pref_path.index(j).child("podAffinityTerm")
            )
        )
    return errs


def validate_affinity(affinity: Obj | None, path: Path) -> Errs:
    if affinity is None:
        return []
    errs: Errs = []
    node = affinity.get("nodeAffinity")
    if node is not None:
        np = path.child("nodeAffinity")
        required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
        if required is not None:
            errs.extend(
                validate_node_selector(
                    required, np.child("requiredDuringSchedulingIgnoredDuringExecution")
                )
            )
        pp = np.child("preferredDuringSchedulingIgnoredDuringExecution")
        for i, term in enumerate(node.get("preferredDuringSchedulingIgnoredDuringExecution") or []):
            weight = term.get("weight") or 0
            if weight <= 0 or weight > 100:
                errs.append(
                    field.invalid(pp.index(i).child("weight"), weight, "must be in the range 1-100")
                )
            errs.extend(
                _validate_node_selector_term(
                    term.get("preference") or {},
                    pp.index(i).child("preference"),
                    allow_invalid_value=True,
                )
            )
    for key in ("podAffinity", "podAntiAffinity"):
        if affinity.get(key) is not None:
            errs.extend(_validate_pod_affinity(affinity[key], path.child(key)))
    return errs


def validate_topology_spread(constraints: Sequence[Obj] | None, path: Path) -> Errs:
    errs: Errs = []
    constraints = list(constraints or [])
    actions = ("DoNotSchedule", "ScheduleAnyway")
    for i, c in enumerate(constraints):
        p = path.index(i)
        max_skew = c.get("maxSkew") or 0
        if max_skew <= 0:
            errs.append(field.invalid(p.child("maxSkew"), max_skew, res.IS_NOT_POSITIVE_ERROR_MSG))
        key = c.get("topologyKey") or ""
        if not key:
            errs.append(field.required(p.child("topologyKey"), "can not be empty"))
        action = c.get("whenUnsatisfiable") or ""
        if action not in actions:
            errs.append(field.not_supported(p.child("whenUnsatisfiable"), action, actions))
        for rest in constraints[i + 1 :]:
            if (rest.get("topologyKey") or "") == key and (
                rest.get("whenUnsatisfiable") or ""
            ) == action:
                errs.append(
                    field.duplicate(
                        p.child("{topologyKey, whenUnsatisfiable}"), f"{{{key}, {action}}}"
                    )
                )
                break
        min_domains = c.get("minDomains")
        if min_domains is not None:
            if min_domains <= 0:
                errs.append(
                    field.invalid(p.child("minDomains"), min_domains, res.IS_NOT_POSITIVE_ERROR_MSG)
                )
            if action != "DoNotSchedule":
                errs.append(
                    field.invalid(
                        p.child("minDomains"),
                        min_domains,
                        f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}",
                    )
                )
        for policy_key in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            policy = c.get(policy_key)
            if policy is not None and policy not in ("Honor", "Ignore"):
                errs.append(field.not_supported(p.child(policy_key), policy, ("Honor", "Ignore")))
        errs.extend(_v.validate_label_selector(c.get("labelSelector"), p.child("labelSelector")))
    return errs
