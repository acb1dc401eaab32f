"""Jobs and CronJobs as kube-apiserver v1.37 defaults, prepares and validates them.

Follows ``pkg/apis/batch/v1/defaults.go`` (``SetDefaults_Job``, ``SetDefaults_CronJob``,
``SetDefaults_PodFailurePolicyOnPodConditionsPattern``), ``pkg/registry/batch/job/strategy.go``
and ``pkg/registry/batch/cronjob/strategy.go`` (selector generation, status reset,
validation options) and ``pkg/apis/batch/validation/validation.go`` (``ValidateJob``,
``ValidateJobUpdate``, ``ValidateJobUpdateStatus``, ``ValidateCronJobCreate``/``Update``),
with every gate that is on by default in v1.37 on (JobManagedBy, JobSuccessPolicy,
JobBackoffLimitPerIndex, JobPodReplacementPolicy, ElasticIndexedJob).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mlkube.api import labels as _labels
from mlkube.api import validation as _v
from mlkube.api.field import (
    OMIT_VALUE,
    FieldError,
    Path,
    Struct,
    duplicate,
    invalid,
    not_supported,
    required,
    too_long,
    too_many,
)
from mlkube.api.timestamps import parse_duration, parse_time
from mlkube.engine.types.apps import label_selector_value
from mlkube.engine.types.meta import validate_meta, validate_meta_update
from mlkube.engine.types.pod import default_pod_template_spec, validate_pod_template_spec
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = [
    "CONTROLLER_UID_LABEL",
    "JOB_NAME_LABEL",
    "LEGACY_CONTROLLER_UID_LABEL",
    "LEGACY_JOB_NAME_LABEL",
    "MAX_INT32",
    "CronJobStrategy",
    "JobStatusValidationOptions",
    "JobStrategy",
    "JobValidationOptions",
    "default_cron_job",
    "default_job",
    "generate_selector",
    "job_status_validation_options",
    "job_validation_options",
    "validate_cron_job_create",
    "validate_cron_job_update",
    "validate_indexes_format",
    "validate_job",
    "validate_job_spec",
    "validate_job_template_spec",
    "validate_job_update",
    "validate_job_update_status",
]

Obj = dict[str, Any]

JOB_NAME_LABEL: Final = "batch.kubernetes.io/job-name"
LEGACY_JOB_NAME_LABEL: Final = "job-name"
CONTROLLER_UID_LABEL: Final = "batch.kubernetes.io/controller-uid"
LEGACY_CONTROLLER_UID_LABEL: Final = "controller-uid"

MAX_INT32: Final = 2**31 - 1
MAX_INT64: Final = 2**63 - 1

# validation.go constants
MAX_PARALLELISM_FOR_INDEXED_JOB: Final = 100_000
MAX_FAILED_INDEXES_FOR_INDEXED_JOB: Final = 100_000
COMPLETIONS_SOFT_LIMIT: Final = 100_000
PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS: Final = 10_000
MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS: Final = 10_000
MAX_POD_FAILURE_POLICY_RULES: Final = 20
MAX_ON_EXIT_CODES_VALUES: Final = 255
MAX_ON_POD_CONDITIONS_PATTERNS: Final = 20
MAX_MANAGED_BY_LENGTH: Final = 63
MAX_SUCCEEDED_INDEXES_LENGTH: Final = 64 * 1024
MAX_SUCCESS_POLICY_RULES: Final = 20
CRONJOB_NAME_MAX_LENGTH: Final = 52  # DNS1035LabelMaxLength - 11 (the "-<timestamp>" suffix)

# sets.List(...) order: sorted.
_POD_FAILURE_POLICY_ACTIONS: Final = ("Count", "FailIndex", "FailJob", "Ignore")
_ON_EXIT_CODES_OPERATORS: Final = ("In", "NotIn")
_CONDITION_STATUSES: Final = ("False", "True", "Unknown")
_POD_REPLACEMENT_POLICIES: Final = ("Failed", "TerminatingOrFailed")
_CONCURRENCY_POLICIES: Final = ("Allow", "Forbid", "Replace")

MSG_IMMUTABLE: Final = _v.FIELD_IMMUTABLE_ERROR_MSG
MSG_SELECTOR_MISMATCH: Final = "`selector` does not match template `labels`"
MSG_SELECTOR_NOT_GENERATED: Final = "`selector` not auto-generated"
MSG_SELECTOR_WILL_BE_GENERATED: Final = "`selector` will be auto-generated"
MSG_REQUIRES_INDEXED: Final = "requires indexed completion mode"
MSG_CRONJOB_NAME_TOO_LONG: Final = "must be no more than 52 characters"

_SPEC = Path("spec")
_METADATA = Path("metadata")


# --- small shared rules (core/validation.go) -------------------------------------------


def _nonnegative(value: int, path: Path) -> list[FieldError]:
    """``ValidateNonnegativeField``."""
    return _v.validate_nonnegative_field(value, path)


def _qualified_name(value: str, path: Path) -> list[FieldError]:
    """``ValidateQualifiedName``."""
    return [invalid(path, value, msg) for msg in _v.is_qualified_name(value)]


def _strip_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return value


def _immutable(new: Any, old: Any, path: Path) -> list[FieldError]:
    """``ValidateImmutableField``: ``Invalid(path, new, "field is immutable")``."""
    if _strip_none(new) == _strip_none(old):
        return []
    return [invalid(path, new, MSG_IMMUTABLE)]


def _selector_matches(selector: Any, labels: Mapping[str, str] | None) -> bool | None:
    """``LabelSelectorAsSelector(sel).Matches(labels)``; ``None`` when the selector is
    invalid (upstream then skips the check). A nil selector matches nothing."""
    if selector is None:
        return False
    try:
        sel = _labels.selector_from_label_selector(selector)
    except ValueError:
        return None
    return bool(sel.matches(dict(labels or {})))


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _template_labels(spec: Obj) -> dict[str, str]:
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    return dict(labels) if isinstance(labels, dict) else {}


def _has_label(meta: Obj, path: Path, key: str, value: str) -> list[FieldError]:
    """``ValidateHasLabel``."""
    labels = meta.get("labels") or {}
    actual = labels.get(key)
    if actual is None:
        return [required(path.child("labels").key(key), f"must be '{value}'")]
    if actual != value:
        return [invalid(path.child("labels").key(key), dict(labels), f"must be '{value}'")]
    return []


# --- defaulting (pkg/apis/batch/v1/defaults.go) -----------------------------------------


def _default_pod_failure_policy(spec: Obj) -> None:
    pfp = spec.get("podFailurePolicy")
    if not isinstance(pfp, dict):
        return
    for rule in pfp.get("rules") or []:
        for pattern in (rule or {}).get("onPodConditions") or []:
            if isinstance(pattern, dict) and not pattern.get("status"):
                pattern["status"] = "True"


def _default_job_spec_members(spec: Obj) -> None:
    """The generated defaulters that run inside any JobSpec (Job and CronJob)."""
    _default_pod_failure_policy(spec)
    template = spec.setdefault("template", {})
    if isinstance(template, dict):
        default_pod_template_spec(template)


def default_job(job: Obj) -> None:
    """``SetObjectDefaults_Job``: ``SetDefaults_Job`` plus the nested defaulters."""
    spec = job.setdefault("spec", {})
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    meta = job.setdefault("metadata", {})
    if template_labels is not None and not meta.get("labels"):
        meta["labels"] = dict(template_labels)
    if spec.get("completionMode") is None:
        spec["completionMode"] = "NonIndexed"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = (
            "Failed" if spec.get("podFailurePolicy") is not None else "TerminatingOrFailed"
        )
    if spec.get("manualSelector") is None:
        spec["manualSelector"] = False
    _default_job_spec_members(spec)


def default_cron_job(cron_job: Obj) -> None:
    """``SetObjectDefaults_CronJob``: the job template gets no ``SetDefaults_Job``."""
    spec = cron_job.setdefault("spec", {})
    if not spec.get("concurrencyPolicy"):
        spec["concurrencyPolicy"] = "Allow"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    if spec.get("successfulJobsHistoryLimit") is None:
        spec["successfulJobsHistoryLimit"] = 3
    if spec.get("failedJobsHistoryLimit") is None:
        spec["failedJobsHistoryLimit"] = 1
    job_template = spec.setdefault("jobTemplate", {})
    if isinstance(job_template, dict):
        _default_job_spec_members(job_template.setdefault("spec", {}))


# --- the registry's selector generation (pkg/registry/batch/job/strategy.go) -----------


def generate_selector(job: Obj) -> None:
    """``generateSelector``: label the template with the job's name and uid (keeping any
    value the user set, which validation then judges) and select on the uid."""
    meta = job.get("metadata") or {}
    name = str(meta.get("name", ""))
    uid = str(meta.get("uid", ""))
    spec = job.setdefault("spec", {})
    tmeta = spec.setdefault("template", {}).setdefault("metadata", {})
    labels = tmeta.get("labels")
    if not isinstance(labels, dict):
        labels = tmeta["labels"] = {}
    for key in (LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL):
        labels.setdefault(key, name)
    for key in (LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL):
        labels.setdefault(key, uid)
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        selector = spec["selector"] = {}
    match_labels = selector.get("matchLabels")
    if not isinstance(match_labels, dict):
        match_labels = selector["matchLabels"] = {}
    match_labels.setdefault(CONTROLLER_UID_LABEL, uid)


# --- validation (pkg/apis/batch/validation/validation.go) -------------------------------


@dataclass(frozen=True, slots=True)
class JobValidationOptions:
    """``JobValidationOptions`` (the pod options are the pod module's concern)."""

    allow_mutable_scheduling_directives: bool = False
    allow_elastic_indexed_jobs: bool = True
    require_prefixed_labels: bool = True
    allow_invalid_label_value_in_selector: bool = False


def job_validation_options(new: Obj, old: Obj | None) -> JobValidationOptions:
    """``validationOptionsForJob``."""
    if old is None:
        return JobValidationOptions()
    old_spec = _spec(old)
    suspended = old_spec.get("suspend") is True
    not_started = (old.get("status") or {}).get("startTime") is None
    old_labels = _template_labels(old_spec)
    del new
    return JobValidationOptions(
        allow_mutable_scheduling_directives=suspended and not_started,
        require_prefixed_labels=JOB_NAME_LABEL in old_labels and CONTROLLER_UID_LABEL in old_labels,
        allow_invalid_label_value_in_selector=_selector_has_invalid_label_value(
            old_spec.get("selector")
        ),
    )


def _selector_has_invalid_label_value(selector: Any) -> bool:
    """``LabelSelectorHasInvalidLabelValue``."""
    if not isinstance(selector, dict):
        return False
    for expr in selector.get("matchExpressions") or []:
        for value in (expr or {}).get("values") or []:
            if _v.is_valid_label_value(str(value)):
                return True
    return False


def _validate_generated_selector(job: Obj, validate_batch_labels: bool) -> list[FieldError]:
    """``validateGeneratedSelector``."""
    spec = _spec(job)
    if spec.get("manualSelector") is True or spec.get("selector") is None:
        return []
    meta = job.get("metadata") or {}
    uid = str(meta.get("uid") or "")
    name = str(meta.get("name") or "")
    errs: list[FieldError] = []
    if not uid:
        errs.append(required(_METADATA.child("uid"), ""))
    tmeta = (spec.get("template") or {}).get("metadata") or {}
    tpath = _SPEC.child("template", "metadata")
    errs += _has_label(tmeta, tpath, LEGACY_CONTROLLER_UID_LABEL, uid)
    errs += _has_label(tmeta, tpath, LEGACY_JOB_NAME_LABEL, name)
    expected: dict[str, str] = {}
    if validate_batch_labels:
        errs += _has_label(tmeta, tpath, CONTROLLER_UID_LABEL, uid)
        errs += _has_label(tmeta, tpath, JOB_NAME_LABEL, name)
        expected[CONTROLLER_UID_LABEL] = uid
        expected[JOB_NAME_LABEL] = name
    expected[LEGACY_CONTROLLER_UID_LABEL] = uid
    expected[LEGACY_JOB_NAME_LABEL] = name
    if _selector_matches(spec["selector"], expected) is False:
        errs.append(
            invalid(
                _SPEC.child("selector"),
                label_selector_value(spec["selector"]),
                MSG_SELECTOR_NOT_GENERATED,
            )
        )
    return errs


def validate_job(job: Obj, opts: JobValidationOptions) -> list[FieldError]:
    """``ValidateJob`` without ObjectMeta (the base strategy validates it first)."""
    errs = _validate_generated_selector(job, opts.require_prefixed_labels)
    spec = _spec(job)
    errs += validate_job_spec(spec, _SPEC, opts)
    completions = spec.get("completions")
    if spec.get("completionMode") == "Indexed" and isinstance(completions, int) and completions > 0:
        name = str((job.get("metadata") or {}).get("name") or "")
        hostname = f"{name}-{completions - 1}"
        if _v.is_dns1123_label(hostname):
            errs.append(
                invalid(
                    _METADATA.child("name"),
                    name,
                    f"will not able to create pod with invalid DNS label: {hostname}",
                )
            )
    return errs


def validate_job_spec(spec: Obj, path: Path, opts: JobValidationOptions) -> list[FieldError]:
    """``ValidateJobSpec``: the spec rules plus the selector rules."""
    errs = _validate_job_spec(spec, path, opts)
    selector = spec.get("selector")
    if selector is None:
        errs.append(required(path.child("selector"), ""))
    else:
        errs += _v.validate_label_selector(
            selector,
            path.child("selector"),
            allow_invalid_label_value=opts.allow_invalid_label_value_in_selector,
        )
    if _selector_matches(selector, _template_labels(spec)) is False:
        tlabels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
        errs.append(
            invalid(path.child("template", "metadata", "labels"), tlabels, MSG_SELECTOR_MISMATCH)
        )
    return errs


def _validate_job_spec(spec: Obj, path: Path, opts: JobValidationOptions) -> list[FieldError]:
    """``validateJobSpec``."""
    errs: list[FieldError] = []
    for key in (
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
    ):
        if isinstance(spec.get(key), int):
            errs += _nonnegative(spec[key], path.child(key))
    parallelism = spec.get("parallelism")
    completions = spec.get("completions")
    per_index = spec.get("backoffLimitPerIndex")
    max_failed = spec.get("maxFailedIndexes")
    if max_failed is not None:
        errs += _nonnegative(max_failed, path.child("maxFailedIndexes"))
        if per_index is None:
            errs.append(
                required(path.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified")
            )
    managed_by = spec.get("managedBy")
    if managed_by is not None:
        errs += _is_domain_prefixed_path(path.child("managedBy"), str(managed_by))
        if len(str(managed_by)) > MAX_MANAGED_BY_LENGTH:
            errs.append(too_long(path.child("managedBy"), managed_by, MAX_MANAGED_BY_LENGTH))
    mode = spec.get("completionMode")
    if mode is not None:
        if mode not in ("NonIndexed", "Indexed"):
            errs.append(
                not_supported(path.child("completionMode"), mode, ["NonIndexed", "Indexed"])
            )
        if mode == "Indexed":
            if completions is None:
                errs.append(required(path.child("completions"), "when completion mode is Indexed"))
            if parallelism is not None and parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB:
                errs.append(
                    invalid(
                        path.child("parallelism"),
                        parallelism,
                        f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} "
                        "when completion mode is Indexed",
                    )
                )
            if completions is not None and max_failed is not None and max_failed > completions:
                errs.append(
                    invalid(
                        path.child("maxFailedIndexes"),
                        max_failed,
                        "must be less than or equal to completions",
                    )
                )
            if max_failed is not None and max_failed > MAX_FAILED_INDEXES_FOR_INDEXED_JOB:
                errs.append(
                    invalid(
                        path.child("maxFailedIndexes"),
                        max_failed,
                        f"must be less than or equal to {MAX_FAILED_INDEXES_FOR_INDEXED_JOB}",
                    )
                )
            if (
                completions is not None
                and completions > COMPLETIONS_SOFT_LIMIT
                and per_index is not None
            ):
                suffix = (
                    f"when completions are above {COMPLETIONS_SOFT_LIMIT} "
                    "and used with backoff limit per index"
                )
                if max_failed is None:
                    errs.append(
                        required(
                            path.child("maxFailedIndexes"),
                            f"must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}",
                        )
                    )
                if parallelism is not None and parallelism > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS:
                    errs.append(
                        invalid(
                            path.child("parallelism"),
                            parallelism,
                            f"must be less than or equal to "
                            f"{PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} {suffix}",
                        )
                    )
                if (
                    max_failed is not None
                    and max_failed > MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS
                ):
                    errs.append(
                        invalid(
                            path.child("maxFailedIndexes"),
                            max_failed,
                            f"must be less than or equal to "
                            f"{MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS} {suffix}",
                        )
                    )
    if mode is None or mode == "NonIndexed":
        if per_index is not None:
            errs.append(
                invalid(path.child("backoffLimitPerIndex"), per_index, MSG_REQUIRES_INDEXED)
            )
        if max_failed is not None:
            errs.append(invalid(path.child("maxFailedIndexes"), max_failed, MSG_REQUIRES_INDEXED))

    if spec.get("podFailurePolicy") is not None:
        errs += _validate_pod_failure_policy(spec, path.child("podFailurePolicy"))
    success_policy = spec.get("successPolicy")
    if success_policy is not None:
        if (mode or "NonIndexed") != "Indexed":
            errs.append(invalid(path.child("successPolicy"), success_policy, MSG_REQUIRES_INDEXED))
        else:
            errs += _validate_success_policy(spec, path.child("successPolicy"))

    errs += _validate_pod_replacement_policy(spec, path.child("podReplacementPolicy"))

    template = spec.get("template") or {}
    errs += validate_pod_template_spec(template, path.child("template"))
    restart = (template.get("spec") or {}).get("restartPolicy") or ""
    restart_path = path.child("template", "spec", "restartPolicy")
    if restart in ("Always", ""):
        errs.append(required(restart_path, 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        errs.append(not_supported(restart_path, restart, ["OnFailure", "Never"]))
    elif spec.get("podFailurePolicy") is not None and restart != "Never":
        errs.append(
            invalid(
                restart_path,
                restart,
                'only "Never" is supported when podFailurePolicy is specified',
            )
        )
    del opts  # the pod validation options live with the pod module
    return errs


_HTTP_PATH = re.compile(r"^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$")
_HTTP_PATH_FMT: Final = r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"


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


def _go_atoi(s: str) -> int:
    """``strconv.Atoi``: optional sign and ASCII digits only."""
    if not re.fullmatch(r"[+-]?[0-9]+", s):
        raise ValueError(s)
    return int(s)


def _parse_index_interval(interval: str, completions: int) -> tuple[int, int]:
    limits = interval.split("-")
    if len(limits) > 2:
        raise ValueError(
            f'the fragment "{interval}" violates the requirement that an index interval '
            "can have at most two parts separated by '-'"
        )
    try:
        x = _go_atoi(limits[0])
    except ValueError:
        raise ValueError(f'cannot convert string to integer for index: "{limits[0]}"') from None
    if x >= completions:
        raise ValueError(f'too large index: "{limits[0]}"')
    if len(limits) > 1:
        try:
            y = _go_atoi(limits[1])
        except ValueError:
            raise ValueError(f'cannot convert string to integer for index: "{limits[1]}"') from None
        if y >= completions:
            raise ValueError(f'too large index: "{limits[1]}"')
        if x >= y:
            raise ValueError(f"non-increasing order, previous: {x}, current: {y}")
        return x, y
    return x, x


def validate_indexes_format(indexes: str, completions: int) -> int:
    """``validateIndexesFormat``: the number of indexes; ``ValueError`` with upstream's text."""
    if not indexes:
        return 0
    last: int | None = None
    total = 0
    for interval in indexes.split(","):
        x, y = _parse_index_interval(interval, completions)
        if last is not None and last >= x:
            raise ValueError(f"non-increasing order, previous: {last}, current: {x}")
        total += y - x + 1
        last = y
    return total


def _failed_overlaps_completed(completed: str, failed: str, completions: int) -> str | None:
    """``validateFailedIndexesNotOverlapCompleted``: the error text or ``None``."""
    if not completed or not failed:
        return None

    def parse(s: str) -> tuple[int, int] | None:
        try:
            return _parse_index_interval(s, completions)
        except ValueError:
            return None

    c_parts, f_parts = completed.split(","), failed.split(",")
    ci = fi = 0
    c, f = parse(c_parts[0]), parse(f_parts[0])
    while ci < len(c_parts) and fi < len(f_parts):
        if c is None:
            ci += 1
            if ci < len(c_parts):
                c = parse(c_parts[ci])
        elif f is None:
            fi += 1
            if fi < len(f_parts):
                f = parse(f_parts[fi])
        else:
            if c[0] <= f[1] and f[0] <= c[1]:
                return f"failedIndexes and completedIndexes overlap at index: {max(c[0], f[0])}"
            if c[0] <= f[0]:
                ci += 1
                if ci < len(c_parts):
                    c = parse(c_parts[ci])
            else:
                fi += 1
                if fi < len(f_parts):
                    f = parse(f_parts[fi])
    return None


def validate_job_update(new: Obj, old: Obj, opts: JobValidationOptions) -> list[FieldError]:
    """``ValidateJobSpecUpdate`` (ObjectMeta is the base strategy's)."""
    spec, old_spec = _spec(new), _spec(old)
    errs = validate_job_spec(spec, _SPEC, opts)
    errs += _validate_completions_update(spec, old_spec, _SPEC.child("completions"), opts)
    if _strip_none(spec.get("selector")) != _strip_none(old_spec.get("selector")):
        shown = label_selector_value(spec.get("selector"))
        errs.append(invalid(_SPEC.child("selector"), shown, MSG_IMMUTABLE))
    errs += _validate_pod_template_update(spec, old_spec, opts)
    for key in (
        "completionMode",
        "podFailurePolicy",
        "backoffLimitPerIndex",
        "managedBy",
        "successPolicy",
    ):
        errs += _immutable(spec.get(key), old_spec.get(key), _SPEC.child(key))
    return errs


def _validate_completions_update(
    spec: Obj, old_spec: Obj, path: Path, opts: JobValidationOptions
) -> list[FieldError]:
    """``validateCompletions``: elastic Indexed Jobs scale completions with parallelism."""
    new_c, old_c = spec.get("completions"), old_spec.get("completions")
    if not opts.allow_elastic_indexed_jobs or spec.get("completionMode") != "Indexed":
        return _immutable(new_c, old_c, path)
    if new_c == old_c or new_c is None:
        return []
    if new_c != spec.get("parallelism"):
        return [invalid(path, new_c, "can only be modified in tandem with spec.parallelism")]
    return []


def _validate_pod_template_update(
    spec: Obj, old_spec: Obj, opts: JobValidationOptions
) -> list[FieldError]:
    """``validatePodTemplateUpdate``: a suspended Job that never started may change its
    scheduling directives (node affinity, node selector, tolerations, scheduling gates,
    labels and annotations)."""
    template = spec.get("template") or {}
    old_template = old_spec.get("template") or {}
    if opts.allow_mutable_scheduling_directives:
        old_template = copy.deepcopy(old_template)
        new_pod = template.get("spec") or {}
        old_pod = old_template.setdefault("spec", {})
        new_aff, old_aff = new_pod.get("affinity"), old_pod.get("affinity")
        if new_aff is None and old_aff is not None:
            old_aff.pop("nodeAffinity", None)
            if not {k: v for k, v in old_aff.items() if v is not None}:
                old_pod.pop("affinity", None)
        elif new_aff is not None and old_aff is None:
            old_pod["affinity"] = {"nodeAffinity": new_aff.get("nodeAffinity")}
        elif new_aff is not None and old_aff is not None:
            old_aff["nodeAffinity"] = new_aff.get("nodeAffinity")
        for key in ("nodeSelector", "tolerations", "schedulingGates"):
            _copy_or_drop(old_pod, new_pod, key)
        old_meta = old_template.setdefault("metadata", {})
        new_meta = template.get("metadata") or {}
        for key in ("annotations", "labels"):
            _copy_or_drop(old_meta, new_meta, key)
    return _immutable(template, old_template, _SPEC.child("template"))


def _copy_or_drop(dst: Obj, src: Obj, key: str) -> None:
    if key in src:
        dst[key] = src[key]
    else:
        dst.pop(key, None)


# --- status validation ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobStatusValidationOptions:
    """``JobStatusValidationOptions``: which transitions the status strategy rejects."""

    reject_decreasing_succeeded_counter: bool = False
    reject_decreasing_failed_counter: bool = False
    reject_disabling_terminal_condition: bool = False
    reject_invalid_completed_indexes: bool = False
    reject_invalid_failed_indexes: bool = False
    reject_failed_indexes_overlapping_completed: bool = False
    reject_completed_indexes_for_non_indexed_job: bool = False
    reject_failed_indexes_for_no_backoff_limit_per_index: bool = False
    reject_failed_job_without_failure_target: bool = False
    reject_complete_job_without_success_criteria_met: bool = False
    reject_finished_job_with_active_pods: bool = False
    reject_finished_job_without_start_time: bool = False
    reject_finished_job_with_uncounted_terminated_pods: bool = False
    reject_start_time_update_for_unsuspended_job: bool = False
    reject_completion_time_before_start_time: bool = False
    reject_mutating_completion_time: bool = False
    reject_complete_job_without_completion_time: bool = False
    reject_not_complete_job_with_completion_time: bool = False
    reject_complete_job_with_failed_condition: bool = False
    reject_complete_job_with_failure_target_condition: bool = False
    allow_for_success_criteria_met_in_extended_scope: bool = False
    reject_more_ready_than_active_pods: bool = False
    reject_finished_job_with_terminating_pods: bool = False


def _condition_true(job: Obj, ctype: str) -> bool:
    """``IsConditionTrue``."""
    return any(
        isinstance(c, dict) and c.get("type") == ctype and c.get("status") == "True"
        for c in (job.get("status") or {}).get("conditions") or []
    )


def _finished(job: Obj) -> bool:
    return _condition_true(job, "Complete") or _condition_true(job, "Failed")


def job_status_validation_options(new: Obj, old: Obj) -> JobStatusValidationOptions:
    """``getStatusValidationOptions`` with JobManagedBy on (GA)."""
    spec = _spec(new)
    ns, os_ = new.get("status") or {}, old.get("status") or {}
    indexed = spec.get("completionMode") == "Indexed"

    def changed(key: str) -> bool:
        return bool(_strip_none(ns.get(key)) != _strip_none(os_.get(key)))

    def cond_changed(ctype: str) -> bool:
        return _condition_true(old, ctype) != _condition_true(new, ctype)

    finished_changed = _finished(old) != _finished(new)
    complete_changed = cond_changed("Complete")
    failed_changed = cond_changed("Failed")
    failure_target_changed = cond_changed("FailureTarget")
    scm_changed = cond_changed("SuccessCriteriaMet")
    completed_idx_changed = (ns.get("completedIndexes") or "") != (
        os_.get("completedIndexes") or ""
    )
    failed_idx_changed = changed("failedIndexes")
    active_changed = (ns.get("active") or 0) != (os_.get("active") or 0)
    start_changed = changed("startTime")
    completion_changed = changed("completionTime")
    uncounted_changed = changed("uncountedTerminatedPods")
    ready_changed = changed("ready")
    terminating_changed = changed("terminating")
    suspended_zero = spec.get("suspend") is True and spec.get("completions") == 0
    return JobStatusValidationOptions(
        reject_decreasing_succeeded_counter=not indexed
        or spec.get("completions") != spec.get("parallelism"),
        reject_decreasing_failed_counter=True,
        reject_disabling_terminal_condition=True,
        reject_invalid_completed_indexes=completed_idx_changed,
        reject_invalid_failed_indexes=failed_idx_changed,
        reject_completed_indexes_for_non_indexed_job=completed_idx_changed,
        reject_failed_indexes_for_no_backoff_limit_per_index=failed_idx_changed,
        reject_failed_indexes_overlapping_completed=failed_idx_changed or completed_idx_changed,
        reject_failed_job_without_failure_target=failed_changed or failed_idx_changed,
        reject_complete_job_without_success_criteria_met=complete_changed or scm_changed,
        reject_finished_job_with_active_pods=finished_changed or active_changed,
        reject_finished_job_without_start_time=(finished_changed or start_changed)
        and not suspended_zero,
        reject_finished_job_with_uncounted_terminated_pods=finished_changed or uncounted_changed,
        reject_start_time_update_for_unsuspended_job=start_changed,
        reject_completion_time_before_start_time=start_changed or completion_changed,
        reject_mutating_completion_time=True,
        reject_not_complete_job_with_completion_time=complete_changed or completion_changed,
        reject_complete_job_without_completion_time=complete_changed or completion_changed,
        reject_complete_job_with_failed_condition=complete_changed or failed_changed,
        reject_complete_job_with_failure_target_condition=complete_changed
        or failure_target_changed,
        allow_for_success_criteria_met_in_extended_scope=True,
        reject_more_ready_than_active_pods=ready_changed or active_changed,
        reject_finished_job_with_terminating_pods=finished_changed or terminating_changed,
    )


def _validate_job_status(job: Obj, opts: JobStatusValidationOptions) -> list[FieldError]:
    """``validateJobStatus``."""
    path = Path("status")
    status = job.get("status") or {}
    spec = _spec(job)
    errs: list[FieldError] = []
    active = int(status.get("active") or 0)
    for key in ("active", "succeeded", "failed"):
        errs += _nonnegative(int(status.get(key) or 0), path.child(key))
    for key in ("ready", "terminating"):
        if status.get(key) is not None:
            errs += _nonnegative(int(status[key]), path.child(key))
    uncounted = status.get("uncountedTerminatedPods")
    if uncounted is not None:
        upath = path.child("uncountedTerminatedPods")
        seen: set[str] = set()
        for key in ("succeeded", "failed"):
            for i, uid in enumerate(uncounted.get(key) or []):
                p = upath.child(key).index(i)
                if uid == "":
                    errs.append(invalid(p, uid, "must not be empty"))
                elif uid in seen:
                    errs.append(duplicate(p, uid))
                else:
                    seen.add(uid)
    conds = path.child("conditions")
    complete = _condition_true(job, "Complete")
    failed = _condition_true(job, "Failed")
    failure_target = _condition_true(job, "FailureTarget")
    scm = _condition_true(job, "SuccessCriteriaMet")
    finished = complete or failed
    start, completion = status.get("startTime"), status.get("completionTime")
    if opts.reject_complete_job_with_failed_condition and complete and failed:
        errs.append(
            invalid(conds, OMIT_VALUE, "cannot set Complete=True and Failed=true conditions")
        )
    if opts.reject_complete_job_with_failure_target_condition and complete and failure_target:
        errs.append(
            invalid(conds, OMIT_VALUE, "cannot set Complete=True and FailureTarget=true conditions")
        )
    if (
        opts.reject_not_complete_job_with_completion_time
        and completion is not None
        and not complete
    ):
        errs.append(
            invalid(
                path.child("completionTime"),
                completion,
                "cannot set completionTime when there is no Complete=True condition",
            )
        )
    if opts.reject_complete_job_without_completion_time and completion is None and complete:
        errs.append(
            required(path.child("completionTime"), "completionTime is required for Complete jobs")
        )
    if (
        opts.reject_completion_time_before_start_time
        and start is not None
        and completion is not None
        and _before(str(completion), str(start))
    ):
        errs.append(
            invalid(
                path.child("completionTime"),
                completion,
                "completionTime cannot be set before startTime",
            )
        )
    if opts.reject_failed_job_without_failure_target and failed and not failure_target:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set Failed=True condition without the FailureTarget=true condition",
            )
        )
    if opts.reject_complete_job_without_success_criteria_met and complete and not scm:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set Complete=True condition without the SuccessCriteriaMet=true condition",
            )
        )
    if opts.reject_finished_job_with_active_pods and active > 0 and finished:
        errs.append(invalid(path.child("active"), active, "active>0 is invalid for finished job"))
    if opts.reject_finished_job_without_start_time and start is None and finished:
        errs.append(required(path.child("startTime"), "startTime is required for finished job"))
    if (
        opts.reject_finished_job_with_uncounted_terminated_pods
        and finished
        and uncounted is not None
        and (uncounted.get("failed") or uncounted.get("succeeded"))
    ):
        shown = Struct((k, uncounted[k]) for k in ("succeeded", "failed") if uncounted.get(k))
        errs.append(
            invalid(
                path.child("uncountedTerminatedPods"),
                shown,
                "uncountedTerminatedPods needs to be empty for finished job",
            )
        )
    completions = spec.get("completions")
    completed_idx = str(status.get("completedIndexes") or "")
    failed_idx = status.get("failedIndexes")
    if opts.reject_invalid_completed_indexes and completions is not None:
        try:
            validate_indexes_format(completed_idx, int(completions))
        except ValueError as e:
            errs.append(
                invalid(
                    path.child("completedIndexes"),
                    completed_idx,
                    f"error parsing completedIndexes: {e}",
                )
            )
    if (
        opts.reject_invalid_failed_indexes
        and completions is not None
        and spec.get("backoffLimitPerIndex") is not None
        and failed_idx is not None
    ):
        try:
            validate_indexes_format(str(failed_idx), int(completions))
        except ValueError as e:
            errs.append(
                invalid(
                    path.child("failedIndexes"), failed_idx, f"error parsing failedIndexes: {e}"
                )
            )
    indexed = spec.get("completionMode") == "Indexed"
    if opts.reject_completed_indexes_for_non_indexed_job and completed_idx and not indexed:
        errs.append(
            invalid(
                path.child("completedIndexes"),
                completed_idx,
                "cannot set non-empty completedIndexes when non-indexed completion mode",
            )
        )
    if (
        opts.reject_failed_indexes_for_no_backoff_limit_per_index
        and spec.get("backoffLimitPerIndex") is None
        and failed_idx is not None
    ):
        errs.append(
            invalid(
                path.child("failedIndexes"),
                failed_idx,
                "cannot set non-null failedIndexes when backoffLimitPerIndex is null",
            )
        )
    if (
        opts.reject_failed_indexes_overlapping_completed
        and completions is not None
        and failed_idx is not None
    ):
        overlap = _failed_overlaps_completed(completed_idx, str(failed_idx), int(completions))
        if overlap:
            errs.append(invalid(path.child("failedIndexes"), failed_idx, overlap))
    terminating = status.get("terminating")
    if opts.reject_finished_job_with_terminating_pods and (terminating or 0) > 0 and finished:
        errs.append(
            invalid(
                path.child("terminating"), terminating, "terminating>0 is invalid for finished job"
            )
        )
    ready = status.get("ready")
    if opts.reject_more_ready_than_active_pods and ready is not None and ready > active:
        errs.append(invalid(path.child("ready"), ready, "cannot set more ready pods than active"))
    if not opts.allow_for_success_criteria_met_in_extended_scope and not indexed and scm:
        errs.append(invalid(conds, OMIT_VALUE, "cannot set SuccessCriteriaMet to NonIndexed Job"))
    if scm and failed:
        errs.append(
            invalid(
                conds, OMIT_VALUE, "cannot set SuccessCriteriaMet=True and Failed=true conditions"
            )
        )
    if scm and failure_target:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set SuccessCriteriaMet=True and FailureTarget=true conditions",
            )
        )
    no_policy = spec.get("successPolicy") is None
    if not opts.allow_for_success_criteria_met_in_extended_scope and no_policy and scm:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set SuccessCriteriaMet=True for Job without SuccessPolicy",
            )
        )
    if not no_policy and not scm and complete:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set Complete=True for Job with SuccessPolicy "
                "unless SuccessCriteriaMet=True",
            )
        )
    return errs


def _before(a: str, b: str) -> bool:
    """``Time.Before`` on two RFC 3339 stamps (unparseable stamps never compare)."""
    try:
        return parse_time(a) < parse_time(b)
    except ValueError:
        return False


def validate_job_update_status(
    new: Obj, old: Obj, opts: JobStatusValidationOptions
) -> list[FieldError]:
    """``ValidateJobStatusUpdate`` (ObjectMeta is the base strategy's)."""
    errs = _validate_job_status(new, opts)
    conds = Path("status", "conditions")
    ns, os_ = new.get("status") or {}, old.get("status") or {}
    if opts.reject_disabling_terminal_condition:
        for ctype in ("Failed", "Complete", "FailureTarget"):
            if _condition_true(old, ctype) and not _condition_true(new, ctype):
                errs.append(
                    invalid(
                        conds, OMIT_VALUE, f"cannot disable the terminal {ctype}=True condition"
                    )
                )
    failed, old_failed = int(ns.get("failed") or 0), int(os_.get("failed") or 0)
    if opts.reject_decreasing_failed_counter and failed < old_failed:
        errs.append(invalid(Path("status", "failed"), failed, "cannot decrease the failed counter"))
    succeeded, old_succeeded = int(ns.get("succeeded") or 0), int(os_.get("succeeded") or 0)
    if opts.reject_decreasing_succeeded_counter and succeeded < old_succeeded:
        errs.append(
            invalid(Path("status", "succeeded"), succeeded, "cannot decrease the succeeded counter")
        )
    completion, old_completion = ns.get("completionTime"), os_.get("completionTime")
    if (
        opts.reject_mutating_completion_time
        and completion is not None
        and old_completion is not None
        and completion != old_completion
    ):
        errs.append(
            invalid(
                Path("status", "completionTime"), completion, "completionTime cannot be mutated"
            )
        )
    old_start = os_.get("startTime")
    if (
        opts.reject_start_time_update_for_unsuspended_job
        and old_start is not None
        and old_start != ns.get("startTime")
        and _spec(new).get("suspend") is not True
    ):
        errs.append(
            required(Path("status", "startTime"), "startTime cannot be removed for unsuspended job")
        )
    old_scm = _condition_true(old, "SuccessCriteriaMet")
    new_scm = _condition_true(new, "SuccessCriteriaMet")
    if old_scm and not new_scm:
        errs.append(
            invalid(conds, OMIT_VALUE, "cannot disable the SuccessCriteriaMet=True condition")
        )
    if _condition_true(old, "Complete") and not old_scm and new_scm:
        errs.append(
            invalid(
                conds,
                OMIT_VALUE,
                "cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions",
            )
        )
    return errs


# --- CronJob validation ------------------------------------------------------------------


def validate_job_template_spec(template: Obj, path: Path) -> list[FieldError]:
    """``ValidateJobTemplateSpec``: the selector is always generated."""
    spec = template.get("spec") or {}
    errs = _validate_job_spec(spec, path.child("spec"), JobValidationOptions())
    if spec.get("selector") is not None:
        errs.append(
            invalid(
                path.child("spec", "selector"), spec["selector"], MSG_SELECTOR_WILL_BE_GENERATED
            )
        )
    if spec.get("manualSelector") is True:
        errs.append(not_supported(path.child("spec", "manualSelector"), True, ["nil", "false"]))
    return errs


# github.com/robfig/cron/v3 parser.go, ParseStandard (minute hour dom month dow, plus
# descriptors and a TZ=/CRON_TZ= prefix): only what decides acceptance and the error text.
_CRON_BOUNDS: Final[tuple[tuple[int, int, Mapping[str, int]], ...]] = (
    (0, 59, {}),  # seconds (always "0" for the standard parser)
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(
                ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
            )
        },
    ),
    (0, 6, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}),
)
_CRON_DESCRIPTORS: Final = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)


def _cron_int(expr: str) -> int:
    """``mustParseInt``."""
    if not re.fullmatch(r"[+-]?[0-9]+", expr):
        raise ValueError(
            f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax'
        )
    num = int(expr)
    if num > MAX_INT64:
        raise ValueError(
            f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": value out of range'
        )
    if num < 0:
        raise ValueError(f"negative number ({num}) not allowed: {expr}")
    return num


def _cron_range(expr: str, lo: int, hi: int, names: Mapping[str, int]) -> None:
    """``getRange``: raises ``ValueError`` with robfig's text."""
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    if low_high[0] in ("*", "?"):
        start, end = lo, hi
    else:
        start = names.get(low_high[0].lower(), -1)
        if start < 0:
            start = _cron_int(low_high[0])
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end = names.get(low_high[1].lower(), -1)
            if end < 0:
                end = _cron_int(low_high[1])
        else:
            raise ValueError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _cron_int(range_and_step[1])
        if len(low_high) == 1:
            end = hi
    else:
        raise ValueError(f"too many slashes: {expr}")
    if start < lo:
        raise ValueError(f"beginning of range ({start}) below minimum ({lo}): {expr}")
    if end > hi:
        raise ValueError(f"end of range ({end}) above maximum ({hi}): {expr}")
    if start > end:
        raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise ValueError(f"step of range should be a positive number: {expr}")


def _schedule_error(schedule: str) -> str | None:
    """``cron.ParseStandard(schedule)``'s error text, ``None`` when it parses."""
    spec = schedule
    if not spec:
        return "empty spec string"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        i, eq = spec.find(" "), spec.find("=")
        location = spec[eq + 1 : i] if i >= 0 else spec[eq + 1 :]
        if location not in ("UTC", "Local", ""):
            try:
                ZoneInfo(location)
            except (ZoneInfoNotFoundError, ValueError):
                return f"provided bad location {location}: unknown time zone {location}"
        spec = spec[i:].strip() if i >= 0 else ""
    if spec.startswith("@"):
        if spec in _CRON_DESCRIPTORS:
            return None
        if spec.startswith("@every "):
            try:
                parse_duration(spec[len("@every ") :])
            except ValueError as e:
                return f"failed to parse duration {spec}: {e}"
            return None
        return f"unrecognized descriptor: {spec}"
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    for field, (lo, hi, names) in zip(["0", *fields], _CRON_BOUNDS, strict=True):
        try:
            for expr in (e for e in field.split(",") if e):
                _cron_range(expr, lo, hi, names)
        except ValueError as e:
            return str(e)
    return None


def _validate_schedule(
    schedule: str, allow_tz_in_schedule: bool, time_zone: str | None, path: Path
) -> list[FieldError]:
    errs: list[FieldError] = []
    error = _schedule_error(schedule)
    if error is not None:
        errs.append(invalid(path, schedule, error))
    if allow_tz_in_schedule and "TZ" in schedule and time_zone is not None:
        errs.append(
            invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule")
        )
    elif not allow_tz_in_schedule and "TZ" in schedule:
        errs.append(
            invalid(
                path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
            )
        )
    return errs


_TZ_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")


def _validate_time_zone(time_zone: str | None, path: Path) -> list[FieldError]:
    """``validateTimeZone``."""
    if time_zone is None:
        return []
    if not time_zone:
        return [invalid(path, time_zone, "timeZone must be nil or non-empty string")]
    for part in time_zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TZ_PART.match(part):
            return [invalid(path, time_zone, f"unknown time zone {time_zone}")]
    errs: list[FieldError] = []
    if time_zone.lower() == "local":
        errs.append(
            invalid(
                path,
                time_zone,
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            )
        )
    if time_zone != "UTC" and time_zone != "Local":  # time.LoadLocation knows these two
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            errs.append(invalid(path, time_zone, f"unknown time zone {time_zone}"))
    return errs


def _validate_cron_job_spec(spec: Obj, old_spec: Obj | None, path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    schedule = str(spec.get("schedule") or "")
    time_zone = spec.get("timeZone")
    if not schedule:
        errs.append(required(path.child("schedule"), ""))
    else:
        allow_tz = old_spec is not None and "TZ" in str(old_spec.get("schedule") or "")
        errs += _validate_schedule(schedule, allow_tz, time_zone, path.child("schedule"))
    if spec.get("startingDeadlineSeconds") is not None:
        errs += _nonnegative(spec["startingDeadlineSeconds"], path.child("startingDeadlineSeconds"))
    if old_spec is None or old_spec.get("timeZone") != time_zone:
        errs += _validate_time_zone(time_zone, path.child("timeZone"))
    policy = spec.get("concurrencyPolicy") or ""
    if not policy:
        errs.append(required(path.child("concurrencyPolicy"), ""))
    elif policy not in _CONCURRENCY_POLICIES:
        errs.append(not_supported(path.child("concurrencyPolicy"), policy, _CONCURRENCY_POLICIES))
    errs += validate_job_template_spec(spec.get("jobTemplate") or {}, path.child("jobTemplate"))
    for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        if spec.get(key) is not None:
            errs += _nonnegative(spec[key], path.child(key))
    return errs


def validate_cron_job_create(cron_job: Obj) -> list[FieldError]:
    """``ValidateCronJobCreate`` without ObjectMeta: the spec and the 52-character name."""
    errs = _validate_cron_job_spec(_spec(cron_job), None, _SPEC)
    name = str((cron_job.get("metadata") or {}).get("name") or "")
    if len(name) > CRONJOB_NAME_MAX_LENGTH:
        errs.append(invalid(_METADATA.child("name"), name, MSG_CRONJOB_NAME_TOO_LONG))
    return errs


def validate_cron_job_update(new: Obj, old: Obj) -> list[FieldError]:
    """``ValidateCronJobUpdate`` without ObjectMeta (no name-length rule on update)."""
    return _validate_cron_job_spec(_spec(new), _spec(old), _SPEC)


# --- strategies -------------------------------------------------------------------------


def _name_warnings(obj: Obj) -> list[str]:
    """The ``WarningsOnCreate`` of Jobs and CronJobs for a name that is not a DNS label."""
    name = str((obj.get("metadata") or {}).get("name") or "")
    msgs = list(_v.is_dns1123_label(name))
    if not msgs:
        return []
    return [
        "metadata.name: this is used in Pod names and hostnames, which can result in "
        f"surprising behavior; a DNS label is recommended: [{' '.join(msgs)}]"
    ]


class JobStrategy(BaseStrategy):
    """``pkg/registry/batch/job/strategy.go``."""

    kind = "Job"
    api_version = "batch/v1"
    has_status = True
    has_generation = True

    def default(self, obj: Obj) -> None:
        default_job(obj)

    def prepare_fields_for_create(self, obj: Obj) -> None:
        # generateSelectorIfNeeded; needs metadata.uid, which the store assigns first.
        spec = obj.setdefault("spec", {})
        if spec.get("manualSelector") is not True:
            generate_selector(obj)
        # SetDefaults_Job runs again when the stored object is decoded, so a Job created
        # without labels reads back with its template's labels (generated ones included).
        meta = obj.setdefault("metadata", {})
        if not meta.get("labels"):
            tlabels = _template_labels(spec)
            if tlabels:
                meta["labels"] = tlabels

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_job(obj, job_validation_options(obj, None))

    def validate_update(self, new: Obj, old: Obj) -> list[FieldError]:
        # ValidateJob(new) then ValidateJobUpdate(new, old), as upstream (repeats included).
        opts = job_validation_options(new, old)
        meta = new.get("metadata") or {}
        errs = validate_meta(meta, namespaced=self.namespaced, name_fn=self.validate_name)
        errs += validate_job(new, opts)
        errs += validate_meta_update(new.get("metadata") or {}, old.get("metadata") or {})
        errs += validate_job_update(new, old, opts)
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_job_update(new, old, job_validation_options(new, old))

    def validate_status_fields(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_job_update_status(new, old, job_status_validation_options(new, old))

    def warnings(self, obj: Obj) -> list[str]:
        out = _name_warnings(obj)
        spec = _spec(obj)
        if (
            spec.get("completionMode") == "Indexed"
            and (spec.get("completions") or 0) > COMPLETIONS_SOFT_LIMIT
            and (spec.get("parallelism") or 0) > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS
        ):
            out.append(
                "spec: In Indexed Jobs with a number of completions higher than 10^5 and a "
                "parallelism higher than 10^4, Kubernetes might not be able to track "
                "completedIndexes when a big number of indexes fail"
            )
        return out


class CronJobStrategy(BaseStrategy):
    """``pkg/registry/batch/cronjob/strategy.go``."""

    kind = "CronJob"
    api_version = "batch/v1"
    has_status = True
    has_generation = True

    def default(self, obj: Obj) -> None:
        default_cron_job(obj)

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_cron_job_create(obj)

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_cron_job_update(new, old)

    def warnings(self, obj: Obj) -> list[str]:
        return _name_warnings(obj)


register(JobStrategy())
register(CronJobStrategy())
