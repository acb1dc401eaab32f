"""A Job's podFailurePolicy, podReplacementPolicy and successPolicy as kube-apiserver
v1.37 validates them (``pkg/apis/batch/validation/validation.go``).
"""

from __future__ import annotations

import re
from typing import Any, Final

from mlkube.api import validation as _v
from mlkube.api.field import (
    OMIT_VALUE,
    FieldError,
    Path,
    duplicate,
    invalid,
    not_supported,
    required,
    too_long,
    too_many,
)
from mlkube.engine.types.batch._common import (
    _CONDITION_STATUSES,
    _ON_EXIT_CODES_OPERATORS,
    _POD_FAILURE_POLICY_ACTIONS,
    _POD_REPLACEMENT_POLICIES,
    MAX_ON_EXIT_CODES_VALUES,
    MAX_ON_POD_CONDITIONS_PATTERNS,
    MAX_POD_FAILURE_POLICY_RULES,
    MAX_SUCCEEDED_INDEXES_LENGTH,
    MAX_SUCCESS_POLICY_RULES,
    Obj,
    _nonnegative,
    _qualified_name,
)
from mlkube.engine.types.batch.indexes import validate_indexes_format

__all__: list[str] = []

_HTTP_PATH_FMT: Final = r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"


_HTTP_PATH = re.compile(r"^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$")


def _is_domain_prefixed_path(path: Path, value: str) -> list[FieldError]:
    """``IsDomainPrefixedPath`` (``k8s.io/apimachinery/pkg/util/validation``)."""
    if not value:
        return [required(path, "")]
    segments = value.split("/", 1)
    if len(segments) != 2 or not segments[0] or not segments[1]:
        return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    host, rest = segments
    errs = [invalid(path, host, msg) for msg in _v.is_dns1123_subdomain(host)]
    if not _HTTP_PATH.match(rest):
        errs.append(
            invalid(path, rest, f"Invalid path (regex used for validation is '{_HTTP_PATH_FMT}')")
        )
    return errs


def _quoted_list(values: tuple[str, ...]) -> str:
    """Go's ``%q`` of a ``[]string``: ``["a" "b"]``."""
    return "[" + " ".join(f'"{v}"' for v in values) + "]"


def _validate_pod_failure_policy(spec: Obj, path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    rules = (spec.get("podFailurePolicy") or {}).get("rules") or []
    rules_path = path.child("rules")
    if len(rules) > MAX_POD_FAILURE_POLICY_RULES:
        errs.append(too_many(rules_path, len(rules), MAX_POD_FAILURE_POLICY_RULES))
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    names = {
        str(c.get("name"))
        for key in ("containers", "initContainers")
        for c in pod_spec.get(key) or []
        if isinstance(c, dict)
    }
    for i, rule in enumerate(rules):
        errs += _validate_pod_failure_policy_rule(spec, rule or {}, rules_path.index(i), names)
    return errs


def _validate_pod_failure_policy_rule(
    spec: Obj, rule: Obj, path: Path, container_names: set[str]
) -> list[FieldError]:
    errs: list[FieldError] = []
    action = rule.get("action") or ""
    action_path = path.child("action")
    if not action:
        errs.append(
            required(action_path, f"valid values: {_quoted_list(_POD_FAILURE_POLICY_ACTIONS)}")
        )
    elif action == "FailIndex":
        if spec.get("backoffLimitPerIndex") is None:
            errs.append(invalid(action_path, action, "requires the backoffLimitPerIndex to be set"))
    elif action not in _POD_FAILURE_POLICY_ACTIONS:
        errs.append(not_supported(action_path, action, _POD_FAILURE_POLICY_ACTIONS))
    on_exit_codes = rule.get("onExitCodes")
    on_conditions = rule.get("onPodConditions") or []
    if on_exit_codes is not None:
        errs += _validate_on_exit_codes(on_exit_codes, path.child("onExitCodes"), container_names)
    if on_conditions:
        errs += _validate_on_pod_conditions(on_conditions, path.child("onPodConditions"))
    if on_exit_codes is not None and on_conditions:
        errs.append(
            invalid(
                path, OMIT_VALUE, "specifying both OnExitCodes and OnPodConditions is not supported"
            )
        )
    if on_exit_codes is None and not on_conditions:
        errs.append(
            invalid(
                path, OMIT_VALUE, "specifying one of OnExitCodes and OnPodConditions is required"
            )
        )
    return errs


def _validate_on_pod_conditions(patterns: list[Any], path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    if len(patterns) > MAX_ON_POD_CONDITIONS_PATTERNS:
        errs.append(too_many(path, len(patterns), MAX_ON_POD_CONDITIONS_PATTERNS))
    for j, pattern in enumerate(patterns):
        pattern = pattern or {}
        ppath = path.index(j)
        errs += _qualified_name(str(pattern.get("type") or ""), ppath.child("type"))
        status = pattern.get("status") or ""
        if not status:
            errs.append(
                required(
                    ppath.child("status"), f"valid values: {_quoted_list(_CONDITION_STATUSES)}"
                )
            )
        elif status not in _CONDITION_STATUSES:
            errs.append(not_supported(ppath.child("status"), status, _CONDITION_STATUSES))
    return errs


def _validate_on_exit_codes(req: Obj, path: Path, container_names: set[str]) -> list[FieldError]:
    errs: list[FieldError] = []
    operator = req.get("operator") or ""
    if not operator:
        errs.append(
            required(
                path.child("operator"), f"valid values: {_quoted_list(_ON_EXIT_CODES_OPERATORS)}"
            )
        )
    elif operator not in _ON_EXIT_CODES_OPERATORS:
        errs.append(not_supported(path.child("operator"), operator, _ON_EXIT_CODES_OPERATORS))
    container_name = req.get("containerName")
    if container_name is not None and container_name not in container_names:
        errs.append(
            invalid(
                path.child("containerName"),
                container_name,
                "must be one of the container or initContainer names in the pod template",
            )
        )
    values = list(req.get("values") or [])
    values_path = path.child("values")
    if not values:
        errs.append(invalid(values_path, values, "at least one value is required"))
    elif len(values) > MAX_ON_EXIT_CODES_VALUES:
        errs.append(too_many(values_path, len(values), MAX_ON_EXIT_CODES_VALUES))
    ordered = True
    seen: set[int] = set()
    for j, value in enumerate(values):
        vpath = values_path.index(j)
        if operator == "In" and value == 0:
            errs.append(invalid(vpath, value, "must not be 0 for the In operator"))
        if value in seen:
            errs.append(duplicate(vpath, value))
        else:
            seen.add(value)
        if j > 0 and values[j - 1] > value:
            ordered = False
    if not ordered:
        errs.append(invalid(values_path, values, "must be ordered"))
    return errs


def _validate_pod_replacement_policy(spec: Obj, path: Path) -> list[FieldError]:
    policy = spec.get("podReplacementPolicy")
    if policy is None:
        return []
    if spec.get("podFailurePolicy") is not None:
        if policy != "Failed":
            return [not_supported(path, policy, ["Failed"])]
    elif policy not in _POD_REPLACEMENT_POLICIES:
        return [not_supported(path, policy, _POD_REPLACEMENT_POLICIES)]
    return []


def _validate_success_policy(spec: Obj, path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    rules = (spec.get("successPolicy") or {}).get("rules") or []
    rules_path = path.child("rules")
    if not rules:
        errs.append(
            required(
                rules_path,
                "at least one rules must be specified when the successPolicy is specified",
            )
        )
    if len(rules) > MAX_SUCCESS_POLICY_RULES:
        errs.append(too_many(rules_path, len(rules), MAX_SUCCESS_POLICY_RULES))
    completions = int(spec.get("completions") or 0)
    for i, rule in enumerate(rules):
        errs += _validate_success_policy_rule(rule or {}, rules_path.index(i), completions)
    return errs


def _validate_success_policy_rule(rule: Obj, path: Path, completions: int) -> list[FieldError]:
    errs: list[FieldError] = []
    count = rule.get("succeededCount")
    indexes = rule.get("succeededIndexes")
    if count is None and indexes is None:
        errs.append(
            required(path, "at least one of succeededCount or succeededIndexes must be specified")
        )
    total = 0
    if indexes is not None:
        ipath = path.child("succeededIndexes")
        if len(indexes) > MAX_SUCCEEDED_INDEXES_LENGTH:
            errs.append(too_long(ipath, indexes, MAX_SUCCEEDED_INDEXES_LENGTH))
        try:
            total = validate_indexes_format(indexes, completions)
        except ValueError as e:
            errs.append(invalid(ipath, indexes, f"error parsing succeededIndexes: {e}"))
    if count is not None:
        cpath = path.child("succeededCount")
        errs += _nonnegative(count, cpath)
        if count > completions:
            errs.append(
                invalid(
                    cpath,
                    count,
                    f"must be less than or equal to {completions} "
                    "(the number of specified completions)",
                )
            )
        if indexes is not None and count > total:
            errs.append(
                invalid(
                    cpath,
                    count,
                    f"must be less than or equal to {total} "
                    "(the number of indexes in the specified succeededIndexes field)",
                )
            )
    return errs
